"""The bundled sample class for 04_learning_rate_schedules: one correct student, one with real mistakes.

`expected` gives the points each student honestly earns per schedule, worked out by hand from
what each mistake breaks (the formula is worth 1, an array of steps 0.5, each property 0.25):

- step_decay dropping one step early, (step + 1) // step_size: the formula (1) and the first
  level held at base_lr (0.25) fail; arrays and the default gamma are right: 0.75 of 2.
- cosine_decay without min(step, total_steps): right up to total_steps (formula, arrays, the
  default), only the flat rate after total_steps fails: 1.75 of 2.
- inverse_sqrt_decay without the max: the formula (steps 1 to warmup_steps - 1 are above
  base_lr) and the constant rate up to warmup_steps (a ZeroDivisionError at step 0) fail; arrays
  (steps from 1) and the 1 / sqrt fall after warmup_steps are right: 0.75 of 2.
- warmup_cosine with an if on the step: right at every single step, fails on an array: 1.5 of 2.
"""

from functools import partial

from autograder.catalog import Sample, mistake_source

mistake = partial(mistake_source, "04_learning_rate_schedules")
SCHEDULES = ("step_decay", "exponential_decay", "cosine_decay", "linear_decay", "inverse_sqrt_decay",
             "warmup_cosine")
FULL = dict.fromkeys(SCHEDULES, 2.0)


SAMPLES = [
    Sample("alice", "correct: the reference answers", {}, FULL),
    Sample("mia", "step decay one step early, cosine not clamped, inverse square root without the max, "
                  "warm-up with an if on the step",
           {"step_decay": mistake("step_decay", "off by one: (step + 1) // step_size"),
            "cosine_decay": mistake("cosine_decay", "cosine without min(step, total_steps)"),
            "inverse_sqrt_decay": mistake("inverse_sqrt_decay", "without max(step, warmup_steps)"),
            "warmup_cosine": mistake("warmup_cosine", "an if, min or max on the step")},
           {**FULL, "step_decay": 0.75, "cosine_decay": 1.75, "inverse_sqrt_decay": 0.75, "warmup_cosine": 1.5}),
]
