"""Correct answers to 04_learning_rate_schedules written otherwise than the reference.

Each must earn full marks in the hidden tests and pass the notebook's visible checks: other
NumPy functions (np.power, np.floor, np.exp of a log, np.clip, np.interp), an equivalent formula
(cos**2 of the half angle, the two ends of the line weighted), boolean masks filled in place,
np.vectorize around a one-step function, and warmup_cosine built on the student's cosine_decay.
"""

from autograder.catalog import Alternative


def alternative(function, description, source, **kwargs):
    return Alternative(function, description, source.strip("\n") + "\n", **kwargs)


ALTERNATIVES = [
    alternative("step_decay", "np.power and np.floor_divide", '''
def step_decay(step, base_lr, step_size, gamma=0.1):
    return base_lr * np.power(gamma, np.floor_divide(step, step_size))
'''),
    alternative("step_decay", "np.floor of a true division, on an array made first", '''
def step_decay(step, base_lr, step_size, gamma=0.1):
    drops = np.floor(np.asarray(step) / step_size)
    return base_lr * gamma ** drops
'''),
    alternative("exponential_decay", "np.exp of step times log(gamma)", '''
def exponential_decay(step, base_lr, gamma):
    return base_lr * np.exp(step * np.log(gamma))
'''),
    alternative("exponential_decay", "np.float_power", '''
def exponential_decay(step, base_lr, gamma):
    return base_lr * np.float_power(gamma, step)
'''),
    alternative("cosine_decay", "np.clip, and cos**2 of the half angle for (1 + cos) / 2", '''
def cosine_decay(step, base_lr, total_steps, min_lr=0.0):
    s = np.clip(step, 0, total_steps)
    return min_lr + (base_lr - min_lr) * np.cos(np.pi * s / (2 * total_steps)) ** 2
'''),
    alternative("cosine_decay", "np.where picking min_lr after total_steps", '''
def cosine_decay(step, base_lr, total_steps, min_lr=0.0):
    step = np.asarray(step)
    cosine = min_lr + 0.5 * (base_lr - min_lr) * (1.0 + np.cos(np.pi * step / total_steps))
    lr = np.where(step >= total_steps, min_lr, cosine)
    return lr[()]
'''),
    alternative("linear_decay", "np.interp, flat beyond its last point", '''
def linear_decay(step, base_lr, total_steps, end_lr=0.0):
    return np.interp(step, [0, total_steps], [base_lr, end_lr])
'''),
    alternative("linear_decay", "the two ends weighted by the clipped fraction of training done", '''
def linear_decay(step, base_lr, total_steps, end_lr=0.0):
    done = np.clip(np.asarray(step) / total_steps, 0.0, 1.0)
    return (1.0 - done) * base_lr + done * end_lr
'''),
    alternative("inverse_sqrt_decay", "capped at base_lr with np.minimum, dividing by max(step, 1)", '''
def inverse_sqrt_decay(step, base_lr, warmup_steps):
    return base_lr * np.minimum(1.0, np.sqrt(warmup_steps / np.maximum(step, 1)))
'''),
    alternative("inverse_sqrt_decay", "sqrt(warmup_steps) divided by sqrt(max(step, warmup_steps))", '''
def inverse_sqrt_decay(step, base_lr, warmup_steps):
    return base_lr * np.sqrt(warmup_steps) / np.sqrt(np.maximum(step, warmup_steps))
'''),
    alternative("inverse_sqrt_decay", "a float array made first, np.fmax and np.reciprocal", '''
def inverse_sqrt_decay(step, base_lr, warmup_steps):
    s = np.fmax(np.asarray(step, dtype=np.float64), warmup_steps)
    return base_lr * np.sqrt(warmup_steps * np.reciprocal(s))
'''),
    alternative("warmup_cosine", "np.where between the warm-up and the student's own cosine_decay", '''
def warmup_cosine(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    step = np.asarray(step)
    warm = base_lr * step / warmup_steps
    cosine = cosine_decay(step - warmup_steps, base_lr, total_steps - warmup_steps, min_lr)
    return np.where(step < warmup_steps, warm, cosine)
''', needs=("cosine_decay",)),
    alternative("warmup_cosine", "boolean masks filled in place in a float array", '''
def warmup_cosine(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    step = np.asarray(step, dtype=np.float64)
    lr = np.empty_like(step)
    warm = step < warmup_steps
    lr[warm] = base_lr * step[warm] / warmup_steps
    s = np.minimum(step[~warm], total_steps) - warmup_steps
    lr[~warm] = min_lr + (base_lr - min_lr) * (1 + np.cos(np.pi * s / (total_steps - warmup_steps))) / 2
    return lr if lr.ndim else lr.item()
'''),
    alternative("warmup_cosine", "a one-step function with if/else, vectorized with np.vectorize", '''
import math


def _one_step(step, base_lr, warmup_steps, total_steps, min_lr):
    if step < warmup_steps:
        return base_lr * step / warmup_steps
    progress = (min(step, total_steps) - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * progress)) / 2


def warmup_cosine(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    return np.vectorize(_one_step, otypes=[float])(step, base_lr, warmup_steps, total_steps, min_lr)
'''),
]
