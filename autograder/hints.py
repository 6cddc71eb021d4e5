"""Name the known mistake a wrong answer matches, so feedback says more than "wrong".

`MISTAKES[rule]` maps a one-line description (what a student reads) to a realistic wrong
implementation, written as a student writes it: a code cell defining the rule. When a
student's sequence of weights equals one of them, the feedback names it. The project's tests
submit the same cells to the grader, to prove that the hidden tests fail every one of them.
"""

import functools

import numpy as np

MATCH_RTOL = 1e-10  # as strict as the hidden tests: a near miss is not "the same mistake"
MATCH_ATOL = 1e-12

_SGD_PLUS = '''def sgd(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    return w + config["learning_rate"] * dw, config
'''

_SGD_DEFAULTS_ONLY = '''def sgd(w, dw, config=None):
    if config is None:
        config = {}
    config["learning_rate"] = 1e-2
    return w - config["learning_rate"] * dw, config
'''

_MOMENTUM_WRONG_SIGN = '''def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w - v, config
'''

_MOMENTUM_NOT_STORED = '''def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    return w + v, config
'''

_MOMENTUM_DEFAULTS_ONLY = '''def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    learning_rate, momentum = 1e-2, 0.9
    v = config.get("velocity", np.zeros_like(w))
    v = momentum * v - learning_rate * dw
    config["velocity"] = v
    return w + v, config
'''

_NESTEROV_PLAIN = '''def nesterov_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config
'''

_NESTEROV_DEFAULTS_ONLY = '''def nesterov_momentum(w, dw, config=None):
    if config is None:
        config = {}
    learning_rate, mu = 1e-2, 0.9
    v_prev = config.get("velocity", np.zeros_like(w))
    v = mu * v_prev - learning_rate * dw
    config["velocity"] = v
    return w - mu * v_prev + (1 + mu) * v, config
'''

_ADAGRAD_NO_SQRT = '''def adagrad(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w)) + dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (cache + config["epsilon"]), config
'''

_ADAGRAD_EPS_IN_SQRT = '''def adagrad(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w)) + dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / np.sqrt(cache + config["epsilon"]), config
'''

_ADAGRAD_DEFAULTS_ONLY = '''def adagrad(w, dw, config=None):
    if config is None:
        config = {}
    learning_rate, epsilon = 1e-2, 1e-8
    cache = config.get("cache", np.zeros_like(w)) + dw**2
    config["cache"] = cache
    return w - learning_rate * dw / (np.sqrt(cache) + epsilon), config
'''

_RMSPROP_NO_DECAY = '''def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    config["cache"] += (1 - config["decay_rate"]) * dw**2
    return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"]), config
'''

_RMSPROP_SWAPPED = '''def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    d = config["decay_rate"]
    cache = (1 - d) * config.get("cache", np.zeros_like(w)) + d * dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config
'''

_RMSPROP_EPS_IN_SQRT = '''def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    d = config["decay_rate"]
    cache = d * config.get("cache", np.zeros_like(w)) + (1 - d) * dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / np.sqrt(cache + config["epsilon"]), config
'''

_RMSPROP_DEFAULTS_ONLY = '''def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    learning_rate, d, epsilon = 1e-2, 0.99, 1e-8
    cache = d * config.get("cache", np.zeros_like(w)) + (1 - d) * dw**2
    config["cache"] = cache
    return w - learning_rate * dw / (np.sqrt(cache) + epsilon), config
'''


_PLAIN_STEP = '''    next_w = w - lr * m_hat / (np.sqrt(v_hat) + config["epsilon"])
'''
_DECOUPLED_STEP = '''    decayed = w * (1 - lr * config["weight_decay"])
    next_w = decayed - lr * m_hat / (np.sqrt(v_hat) + config["epsilon"])
'''
_BIAS_CORRECTION = '''    config["t"] += 1
    m_hat = config["m"] / (1 - b1 ** config["t"])
    v_hat = config["v"] / (1 - b2 ** config["t"])
'''
_MOMENTS = '''    config["m"] = b1 * config["m"] + (1 - b1) * dw
    config["v"] = b2 * config["v"] + (1 - b2) * dw**2
'''


def _adam_cell(name="adam", *, defaults="", moments=_MOMENTS, t_start=0, t_update=_BIAS_CORRECTION, step=None):
    """A student's Adam (or AdamW) cell, right but for the pieces a mistake swaps in."""
    defaults = defaults or "".join(f'    config.setdefault("{key}", {value})\n' for key, value in (
        ("learning_rate", "1e-3"), *((("weight_decay", "1e-2"),) if name == "adamw" else ()),
        ("beta1", "0.9"), ("beta2", "0.999"), ("epsilon", "1e-8")))
    step = step or (_DECOUPLED_STEP if name == "adamw" else _PLAIN_STEP)
    return (f"def {name}(w, dw, config=None):\n    if config is None:\n        config = {{}}\n{defaults}"
            '    config.setdefault("m", np.zeros_like(w))\n'
            '    config.setdefault("v", np.zeros_like(w))\n'
            f'    config.setdefault("t", {t_start})\n'
            '    lr, b1, b2 = config["learning_rate"], config["beta1"], config["beta2"]\n'
            f"{moments}{t_update}{step}    return next_w, config\n")


_NO_BIAS_CORRECTION = '''    config["t"] += 1
    m_hat, v_hat = config["m"], config["v"]
'''
_T_AFTER_USE = '''    m_hat = config["m"] / (1 - b1 ** config["t"])
    v_hat = config["v"] / (1 - b2 ** config["t"])
    config["t"] += 1
'''
_EPS_IN_SQRT = '''    next_w = w - lr * m_hat / np.sqrt(v_hat + config["epsilon"])
'''
_DEFAULTS_ONLY = '''    config["learning_rate"], config["epsilon"] = 1e-3, 1e-8
    config["beta1"], config["beta2"] = 0.9, 0.999
'''
_L2_MOMENTS = '''    g = dw + config["weight_decay"] * w  # weight decay as part of the gradient
    config["m"] = b1 * config["m"] + (1 - b1) * g
    config["v"] = b2 * config["v"] + (1 - b2) * g**2
'''
_DECAY_BY_WD = '''    next_w = w * (1 - config["weight_decay"]) - lr * m_hat / (np.sqrt(v_hat) + config["epsilon"])
'''
_ALWAYS_DEFAULTS = ("ignoring the hyperparameters in config (always the defaults): use config.setdefault, "
                    "which keeps a value that is already there")

MISTAKES = {
    "sgd": {
        "the step taken along +dw: next_w = w - learning_rate * dw goes against the gradient": _SGD_PLUS,
        _ALWAYS_DEFAULTS: _SGD_DEFAULTS_ONLY,
    },
    "sgd_momentum": {
        "momentum with the wrong sign: v = momentum * v - learning_rate * dw, then w + v": _MOMENTUM_WRONG_SIGN,
        "the new velocity not stored back in config, so every step starts from zero velocity": _MOMENTUM_NOT_STORED,
        "ignoring the hyperparameters in config (always the defaults): read learning_rate and momentum from config":
            _MOMENTUM_DEFAULTS_ONLY,
    },
    "nesterov_momentum": {
        "Nesterov computed as plain momentum (w + v): the look-ahead correction "
        "w - momentum * v_prev + (1 + momentum) * v is missing": _NESTEROV_PLAIN,
        "ignoring the hyperparameters in config (always the defaults): read learning_rate and momentum from config":
            _NESTEROV_DEFAULTS_ONLY,
    },
    "adagrad": {
        "AdaGrad dividing by cache instead of by sqrt(cache)": _ADAGRAD_NO_SQRT,
        "epsilon inside the square root: the step divides by sqrt(cache) + epsilon": _ADAGRAD_EPS_IN_SQRT,
        "ignoring the hyperparameters in config (always the defaults): read learning_rate and epsilon from config":
            _ADAGRAD_DEFAULTS_ONLY,
    },
    "rmsprop": {
        "RMSProp's cache accumulated with += (the old cache never decays): "
        "cache = decay_rate * cache + (1 - decay_rate) * dw**2": _RMSPROP_NO_DECAY,
        "decay_rate and 1 - decay_rate swapped: decay_rate is the share of the OLD cache kept": _RMSPROP_SWAPPED,
        "epsilon inside the square root: the step divides by sqrt(cache) + epsilon": _RMSPROP_EPS_IN_SQRT,
        "ignoring the hyperparameters in config (always the defaults): read learning_rate, decay_rate and epsilon "
        "from config": _RMSPROP_DEFAULTS_ONLY,
    },
    "adam": {
        "Adam without bias correction: divide m by 1 - beta1**t and v by 1 - beta2**t":
            _adam_cell(t_update=_NO_BIAS_CORRECTION),
        "t incremented after the bias correction, so the first step divides by 1 - beta**0 = 0: increment t first":
            _adam_cell(t_update=_T_AFTER_USE),
        "t off by one (the first step corrected as if t = 2): t starts at 0 and is incremented before use":
            _adam_cell(t_start=1),
        "epsilon inside the square root: the step divides by sqrt(v_hat) + epsilon": _adam_cell(step=_EPS_IN_SQRT),
        _ALWAYS_DEFAULTS: _adam_cell(defaults=_DEFAULTS_ONLY),
    },
    "adamw": {
        "AdamW with the weight decay folded into the gradient (that is L2 regularization, not decoupled decay): "
        "decay w by (1 - learning_rate * weight_decay) apart from the Adam step":
            _adam_cell("adamw", moments=_L2_MOMENTS, step=_PLAIN_STEP),
        "AdamW decaying w by (1 - weight_decay) instead of (1 - learning_rate * weight_decay)":
            _adam_cell("adamw", step=_DECAY_BY_WD),
        "AdamW without bias correction: divide m by 1 - beta1**t and v by 1 - beta2**t":
            _adam_cell("adamw", t_update=_NO_BIAS_CORRECTION),
        "t off by one (the first step corrected as if t = 2): t starts at 0 and is incremented before use":
            _adam_cell("adamw", t_start=1),
        _ALWAYS_DEFAULTS: _adam_cell(
            "adamw", defaults=_DEFAULTS_ONLY + '    config["weight_decay"] = 1e-2\n'),
    },
}


@functools.cache
def _compiled(rule):
    """The rule's mistakes as functions: [(description, function)], run here (our own code)."""
    out = []
    for description, source in MISTAKES.get(rule, {}).items():
        namespace = {"np": np}
        exec(compile(source, f"<mistake of {rule}>", "exec"), namespace)  # trusted: this module
        out.append((description, namespace[rule]))
    return out


def explain_mismatch(rule, got, replay):
    """A sentence naming the known mistake whose weights equal `got`, or None.

    got: the student's weights after each call, a list of arrays.
    replay: replay(fn) -> the weights `fn` gives in the same test (same data, config, calls).
    """
    for description, wrong in _compiled(rule):
        try:
            with np.errstate(all="ignore"):
                theirs = replay(wrong)
        except (ArithmeticError, ValueError, TypeError, KeyError, AssertionError):
            continue
        if len(theirs) == len(got) and all(
                np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=MATCH_RTOL, atol=MATCH_ATOL, equal_nan=True)
                for a, b in zip(got, theirs)):
            return f"This looks like {description}."
    return None
