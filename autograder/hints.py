"""Name the known mistake a wrong answer matches, so feedback says more than "wrong".

Each mistake is a realistic wrong implementation. When a student's sequence of weights matches
one of them, the feedback names it. The project's tests use the same catalog to prove that the
hidden tests fail every one of these mistakes.
"""

import numpy as np


def adam_without_bias_correction(w, dw, config=None):
    config = {} if config is None else config
    for key, value in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8)):
        config.setdefault(key, value)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config["m"] = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
    config["v"] = config["beta2"] * config["v"] + (1 - config["beta2"]) * dw**2
    return w - config["learning_rate"] * config["m"] / (np.sqrt(config["v"]) + config["epsilon"]), config


MISTAKES = {
    "adam": {"Adam without bias correction (divide m and v by 1 - beta**t)": adam_without_bias_correction},
}


def explain_mismatch(rule, got, w0, grads, config):
    """A sentence naming the known mistake whose weights equal `got`, or None."""
    for description, wrong in MISTAKES.get(rule, {}).items():
        w, cfg, same = w0.copy(), None if config is None else dict(config), True
        for step, dw in enumerate(grads):
            w, cfg = wrong(w, dw.copy(), cfg)
            if not np.allclose(got[step], w, rtol=1e-8, atol=1e-12):
                same = False
                break
        if same:
            return f"This looks like {description}."
    return None
