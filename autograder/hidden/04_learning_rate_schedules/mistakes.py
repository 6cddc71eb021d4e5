"""Known mistakes of 04_learning_rate_schedules, each a student's cell and the hint that names it.

When a student's rates equal a mistake's in a hidden test, the feedback shows its hint. A
schedule written with `math.*`, `int()`, `min`, `max` or an `if` on the step works for one int step and
fails on an array of steps: the hidden test of arrays names those by the error they raise, with
MATH_ON_ARRAY or IF_ON_ARRAY, so the mistakes of that kind carry exactly these hints.
"""

from autograder.catalog import Mistake

MATH_ON_ARRAY = ("math.floor, math.cos, math.sqrt, math.pow, int() and float() take one number, so an array of "
                 "steps fails: use //, np.floor, np.cos, np.sqrt or ** instead, which work element by element")
IF_ON_ARRAY = ("an if, min or max on the step compares one number, so an array of steps fails: use "
               "np.minimum, np.maximum or np.where, which work element by element")


def mistake(function, hint, source, **kwargs):
    return Mistake(function, hint, source.strip("\n") + "\n", **kwargs)


MISTAKES = [
    # --- step_decay ------------------------------------------------------------------------------
    mistake("step_decay", "step decay without the floor: step / step_size decays smoothly; use step // step_size so "
      "the rate stays constant for step_size steps", '''
def step_decay(step, base_lr, step_size, gamma=0.1):
    return base_lr * gamma ** (step / step_size)
'''),
    mistake("step_decay", "off by one: (step + 1) // step_size drops the rate one step early; the first drop is at "
      "step == step_size, so use step // step_size", '''
def step_decay(step, base_lr, step_size, gamma=0.1):
    return base_lr * gamma ** ((step + 1) // step_size)
'''),
    mistake("step_decay", "gamma multiplied by the number of drops instead of raised to it: the rate is "
      "base_lr * gamma ** (step // step_size)", '''
def step_decay(step, base_lr, step_size, gamma=0.1):
    return base_lr * gamma * (step // step_size)
'''),
    mistake("step_decay", "the default gamma is 0.1 (the rate is divided by 10 at every drop)", '''
def step_decay(step, base_lr, step_size, gamma=0.5):
    return base_lr * gamma ** (step // step_size)
'''),
    mistake("step_decay", MATH_ON_ARRAY, '''
import math


def step_decay(step, base_lr, step_size, gamma=0.1):
    return base_lr * gamma ** math.floor(step / step_size)
'''),
    mistake("step_decay", MATH_ON_ARRAY, '''
def step_decay(step, base_lr, step_size, gamma=0.1):
    drops = int(step / step_size)
    return base_lr * gamma ** drops
'''),
    # --- exponential_decay -----------------------------------------------------------------------
    mistake("exponential_decay", "off by one: gamma ** (step + 1) already decays at step 0; the rate is base_lr at "
      "step 0, base_lr * gamma ** step", '''
def exponential_decay(step, base_lr, gamma):
    return base_lr * gamma ** (step + 1)
'''),
    mistake("exponential_decay", "gamma is the factor per step, not a decay constant: base_lr * gamma ** step, not "
      "base_lr * exp(-gamma * step)", '''
def exponential_decay(step, base_lr, gamma):
    return base_lr * np.exp(-gamma * step)
'''),
    mistake("exponential_decay", "gamma is the factor kept at every step, not the fraction removed: "
      "base_lr * gamma ** step, not base_lr * (1 - gamma) ** step", '''
def exponential_decay(step, base_lr, gamma):
    return base_lr * (1 - gamma) ** step
'''),
    mistake("exponential_decay", MATH_ON_ARRAY, '''
import math


def exponential_decay(step, base_lr, gamma):
    return base_lr * math.pow(gamma, step)
'''),
    # --- cosine_decay ----------------------------------------------------------------------------
    mistake("cosine_decay", "cosine without min(step, total_steps): after total_steps the rate climbs back up; clamp "
      "the step with np.minimum(step, total_steps)", '''
def cosine_decay(step, base_lr, total_steps, min_lr=0.0):
    return min_lr + (base_lr - min_lr) * (1 + np.cos(np.pi * step / total_steps)) / 2
'''),
    mistake("cosine_decay", "a quarter period of the cosine, cos(pi/2 * s / total_steps), falls too early and too "
      "steeply; use half a period and shift it: (1 + cos(pi * s / total_steps)) / 2", '''
def cosine_decay(step, base_lr, total_steps, min_lr=0.0):
    s = np.minimum(step, total_steps)
    return min_lr + (base_lr - min_lr) * np.cos(np.pi / 2 * s / total_steps)
'''),
    mistake("cosine_decay", "cos(pi * s / total_steps) alone goes from 1 to -1, so the rate ends below min_lr; the "
      "factor is (1 + cos(pi * s / total_steps)) / 2, from 1 to 0", '''
def cosine_decay(step, base_lr, total_steps, min_lr=0.0):
    s = np.minimum(step, total_steps)
    return min_lr + (base_lr - min_lr) * np.cos(np.pi * s / total_steps)
'''),
    mistake("cosine_decay", "min_lr ignored: the cosine must go from base_lr down to min_lr, "
      "min_lr + (base_lr - min_lr) * (1 + cos(pi * s / total_steps)) / 2", '''
def cosine_decay(step, base_lr, total_steps, min_lr=0.0):
    s = np.minimum(step, total_steps)
    return base_lr * (1 + np.cos(np.pi * s / total_steps)) / 2
'''),
    mistake("cosine_decay", MATH_ON_ARRAY, '''
import math


def cosine_decay(step, base_lr, total_steps, min_lr=0.0):
    s = np.minimum(step, total_steps)
    return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * s / total_steps)) / 2
'''),
    # --- linear_decay ----------------------------------------------------------------------------
    mistake("linear_decay", "linear decay not flat after total_steps: the line goes on below end_lr (to negative "
      "rates); clamp the step with np.minimum(step, total_steps)", '''
def linear_decay(step, base_lr, total_steps, end_lr=0.0):
    return base_lr + (end_lr - base_lr) * step / total_steps
'''),
    mistake("linear_decay", "end_lr ignored: the line must end at end_lr, "
      "base_lr + (end_lr - base_lr) * min(step, total_steps) / total_steps", '''
def linear_decay(step, base_lr, total_steps, end_lr=0.0):
    s = np.minimum(step, total_steps)
    return base_lr * (1 - s / total_steps)
'''),
    mistake("linear_decay", "end_lr added on top of the line to 0, so the rate starts at base_lr + end_lr: weight "
      "the two ends, base_lr * (1 - s / total_steps) + end_lr * s / total_steps", '''
def linear_decay(step, base_lr, total_steps, end_lr=0.0):
    s = np.minimum(step, total_steps)
    return base_lr * (1 - s / total_steps) + end_lr
'''),
    mistake("linear_decay", IF_ON_ARRAY, '''
def linear_decay(step, base_lr, total_steps, end_lr=0.0):
    s = min(step, total_steps)
    return base_lr + (end_lr - base_lr) * s / total_steps
'''),
    # --- inverse_sqrt_decay ----------------------------------------------------------------------
    mistake("inverse_sqrt_decay", "without max(step, warmup_steps) the rate is above base_lr before warmup_steps "
      "(and divides by zero at step 0): use np.maximum(step, warmup_steps)", '''
def inverse_sqrt_decay(step, base_lr, warmup_steps):
    return base_lr * np.sqrt(warmup_steps / step)
'''),
    mistake("inverse_sqrt_decay", "1 / step instead of 1 / sqrt(step): take the square root, "
      "base_lr * sqrt(warmup_steps / max(step, warmup_steps))", '''
def inverse_sqrt_decay(step, base_lr, warmup_steps):
    return base_lr * warmup_steps / np.maximum(step, warmup_steps)
'''),
    mistake("inverse_sqrt_decay", "the factor sqrt(warmup_steps) is missing, so the rate is not base_lr up to "
      "warmup_steps: base_lr * sqrt(warmup_steps / max(step, warmup_steps))", '''
def inverse_sqrt_decay(step, base_lr, warmup_steps):
    return base_lr / np.sqrt(np.maximum(step, warmup_steps))
'''),
    mistake("inverse_sqrt_decay", MATH_ON_ARRAY, '''
import math


def inverse_sqrt_decay(step, base_lr, warmup_steps):
    return base_lr * math.sqrt(warmup_steps / np.maximum(step, warmup_steps))
'''),
    # --- warmup_cosine ---------------------------------------------------------------------------
    mistake("warmup_cosine", "the warm-up starts at step + 1: the rate must be 0 at step 0 and reach base_lr at "
      "step warmup_steps, base_lr * step / warmup_steps", '''
def warmup_cosine(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    step = np.asarray(step)
    warm = base_lr * (step + 1) / warmup_steps
    progress = (np.minimum(step, total_steps) - warmup_steps) / (total_steps - warmup_steps)
    cosine = min_lr + (base_lr - min_lr) * (1 + np.cos(np.pi * progress)) / 2
    return np.where(step < warmup_steps, warm, cosine)
'''),
    mistake("warmup_cosine", "the cosine part measured from step 0 instead of from warmup_steps: it must start at "
      "base_lr at warmup_steps, cos(pi * (step - warmup_steps) / (total_steps - warmup_steps))", '''
def warmup_cosine(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    step = np.asarray(step)
    warm = base_lr * step / warmup_steps
    cosine = min_lr + (base_lr - min_lr) * (1 + np.cos(np.pi * np.minimum(step, total_steps) / total_steps)) / 2
    return np.where(step < warmup_steps, warm, cosine)
'''),
    mistake("warmup_cosine", "the cosine part runs over total_steps steps after the warm-up, so it has not reached "
      "min_lr at total_steps: it lasts total_steps - warmup_steps steps", '''
def warmup_cosine(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    step = np.asarray(step)
    warm = base_lr * step / warmup_steps
    progress = (np.minimum(step, total_steps) - warmup_steps) / total_steps
    cosine = min_lr + (base_lr - min_lr) * (1 + np.cos(np.pi * progress)) / 2
    return np.where(step < warmup_steps, warm, cosine)
'''),
    mistake("warmup_cosine", "min_lr ignored in the cosine part: it must go from base_lr down to min_lr", '''
def warmup_cosine(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    step = np.asarray(step)
    warm = base_lr * step / warmup_steps
    progress = (np.minimum(step, total_steps) - warmup_steps) / (total_steps - warmup_steps)
    cosine = base_lr * (1 + np.cos(np.pi * progress)) / 2
    return np.where(step < warmup_steps, warm, cosine)
'''),
    mistake("warmup_cosine", IF_ON_ARRAY, '''
def warmup_cosine(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    if step < warmup_steps:
        return base_lr * step / warmup_steps
    progress = (min(step, total_steps) - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + (base_lr - min_lr) * (1 + np.cos(np.pi * progress)) / 2
'''),
]
