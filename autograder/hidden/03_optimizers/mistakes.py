"""Known mistakes of 03_optimizers, each a student's cell and the hint that names it.

When a student's weights equal a mistake's in a hidden test, the feedback shows its hint. The
project's tests hand every one of them in, to prove that the hidden tests catch it, on its own
rule only, and name it. Wrong defaults are made from the reference's own cell with one default
changed, so they are right in every other way; the hidden tests name a wrong default by its
behaviour (right with every hyperparameter given, wrong with one left out), whatever the wrong
value. `count` is how many of the real implementations examined (CS231n solutions in public
repositories) showed the mistake.
"""

from autograder.catalog import Mistake
from autograder.notebook import extract_solutions, load_assignment, read_notebook

STATE_OUTSIDE_CONFIG = ("state kept outside config (a global variable?): keep the velocity, cache, moments and "
                        "step count in config and return it, so that each parameter has its own")
GRADIENT_CHANGED = ("the gradient changed in place (dw *= ..., dw /= ... or the like): the caller still needs dw, "
                    "so compute with new arrays instead")

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

_RMSPROP_NO_SQRT = '''def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    d = config["decay_rate"]
    cache = d * config.get("cache", np.zeros_like(w)) + (1 - d) * dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (cache + config["epsilon"]), config
'''

_RMSPROP_OWN_EPSILON = '''def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    d = config["decay_rate"]
    cache = d * config.get("cache", np.zeros_like(w)) + (1 - d) * dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + 1e-7), config
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
_T_NEVER_INCREMENTED = '''    m_hat = config["m"] / (1 - b1 ** config["t"])
    v_hat = config["v"] / (1 - b2 ** config["t"])
'''
_EPS_IN_SQRT = '''    next_w = w - lr * m_hat / np.sqrt(v_hat + config["epsilon"])
'''
_NO_EPSILON_STEP = '''    next_w = w - lr * m_hat / np.sqrt(v_hat)
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

_NAMED = {
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
        "RMSProp dividing by cache instead of by sqrt(cache): the step is learning_rate * dw / (sqrt(cache) + "
        "epsilon)": _RMSPROP_NO_SQRT,
        "epsilon written as a number of its own (1e-7) instead of config['epsilon']: read epsilon from config, "
        "which holds its default 1e-8 when none is given": _RMSPROP_OWN_EPSILON,
    },
    "adam": {
        "Adam without bias correction: divide m by 1 - beta1**t and v by 1 - beta2**t":
            _adam_cell(t_update=_NO_BIAS_CORRECTION),
        "t incremented after the bias correction, so the first step divides by 1 - beta**0 = 0: increment t first":
            _adam_cell(t_update=_T_AFTER_USE),
        "t off by one (the first step corrected as if t = 2): t starts at 0 and is incremented before use":
            _adam_cell(t_start=1),
        "epsilon inside the square root: the step divides by sqrt(v_hat) + epsilon": _adam_cell(step=_EPS_IN_SQRT),
        "Adam without epsilon: divide by sqrt(v_hat) + epsilon, which also keeps the step finite where the "
        "gradient has been 0 so far (0 / 0 otherwise)": _adam_cell(step=_NO_EPSILON_STEP),
        "t never incremented, so every step is bias-corrected as the first one: add 1 to config['t'] at every "
        "call, before using it": _adam_cell(t_start=1, t_update=_T_NEVER_INCREMENTED),
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

_ADAGRAD_NO_EPSILON = """def adagrad(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w)) + dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / np.sqrt(cache), config
"""

_SGD_NO_CONFIG_BACK = """def sgd(w, dw, config=None):
    lr = config["learning_rate"] if config else 1e-2
    return w - lr * dw, config
"""

_SGD_RETURNS_STEP = """def sgd(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    return -config["learning_rate"] * dw, config
"""

_SGD_LR_UNDER_OWN_KEY = """def sgd(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("lr", config.get("learning_rate", 1e-2))
    return w - config["lr"] * dw, config
"""

_SGD_DW_IN_PLACE = """def sgd(w, dw, config=None):
    config = {} if config is None else config
    dw *= config.setdefault("learning_rate", 1e-2)
    return w - dw, config
"""

_MOMENTUM_GLOBAL = """velocity = None

def sgd_momentum(w, dw, config=None):
    global velocity
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    if velocity is None:
        velocity = np.zeros_like(w)
    velocity = config["momentum"] * velocity - config["learning_rate"] * dw
    return w + velocity, config
"""

_MOMENTUM_PARTIAL_CONFIG_REPLACED = """def sgd_momentum(w, dw, config=None):
    config = config or {"learning_rate": 1e-2, "momentum": 0.9}
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config
"""

_NESTEROV_NO_CONFIG_RETURNED = """def nesterov_momentum(w, dw, config=None):
    config = {} if config is None else config
    lr, mu = config.setdefault("learning_rate", 1e-2), config.setdefault("momentum", 0.9)
    v_prev = config.get("velocity", np.zeros_like(w))
    config["velocity"] = mu * v_prev - lr * dw
    return w - mu * v_prev + (1 + mu) * config["velocity"]
"""

_NESTEROV_V_STARTS_AT_STEP = """def nesterov_momentum(w, dw, config=None):
    config = {} if config is None else config
    lr, mu = config.setdefault("learning_rate", 1e-2), config.setdefault("momentum", 0.9)
    v_prev = config.get("velocity", -lr * dw)
    v = mu * v_prev - lr * dw
    config["velocity"] = v
    return w - mu * v_prev + (1 + mu) * v, config
"""

_ADAGRAD_DW_IN_PLACE = """def adagrad(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    config["cache"] = config.get("cache", np.zeros_like(w)) + dw**2
    dw /= np.sqrt(config["cache"]) + config["epsilon"]
    return w - config["learning_rate"] * dw, config
"""

_ADAGRAD_CACHE_NEVER_GROWS = """def adagrad(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"]), config
"""

_MOMENTUM_RETURNS_VELOCITY = """def sgd_momentum(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, v
"""

_ADAGRAD_CACHE_NOT_STORED = """def adagrad(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w)) + dw**2
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config
"""

_RMSPROP_FLOAT32 = """def rmsprop(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    w, dw = w.astype(np.float32), dw.astype(np.float32)
    d = np.float32(config["decay_rate"])
    cache = d * config.get("cache", np.zeros_like(w)) + (1 - d) * dw**2
    config["cache"] = cache
    return w - np.float32(config["learning_rate"]) * dw / (np.sqrt(cache) + np.float32(config["epsilon"])), config
"""

_RMSPROP_NO_EPSILON = """def rmsprop(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    d = config["decay_rate"]
    config["cache"] = d * config.get("cache", np.zeros_like(w)) + (1 - d) * dw**2
    return w - config["learning_rate"] * dw / np.sqrt(config["cache"]), config
"""

# As min-char-rnn's AdaGrad clips its gradients: right while |dw| <= 5, so only huge gradients show it.
_ADAGRAD_CLIPPED = """def adagrad(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    dw = np.clip(dw, -5, 5)
    config["cache"] = config.get("cache", np.zeros_like(w)) + dw**2
    return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"]), config
"""

_RMSPROP_GLOBAL_CACHE = """cache = 0.0

def rmsprop(w, dw, config=None):
    global cache
    config = {} if config is None else config
    lr = config.setdefault("learning_rate", 1e-2)
    d = config.setdefault("decay_rate", 0.99)
    eps = config.setdefault("epsilon", 1e-8)
    cache = d * cache + (1 - d) * dw**2
    return w - lr * dw / (np.sqrt(cache) + eps), config
"""

_ADAM_GLOBAL_T = """steps_taken = 0

def adam(w, dw, config=None):
    global steps_taken
    config = {} if config is None else config
    lr, eps = config.setdefault("learning_rate", 1e-3), config.setdefault("epsilon", 1e-8)
    b1, b2 = config.setdefault("beta1", 0.9), config.setdefault("beta2", 0.999)
    steps_taken += 1
    config["m"] = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    config["v"] = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    m_hat, v_hat = config["m"] / (1 - b1**steps_taken), config["v"] / (1 - b2**steps_taken)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), config
"""

_ADAMW_DECAY_AFTER_STEP = """def adamw(w, dw, config=None):
    config = {} if config is None else config
    lr, wd = config.setdefault("learning_rate", 1e-3), config.setdefault("weight_decay", 1e-2)
    b1, b2 = config.setdefault("beta1", 0.9), config.setdefault("beta2", 0.999)
    eps = config.setdefault("epsilon", 1e-8)
    t = config.get("t", 0) + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    config.update(t=t, m=m, v=v)
    stepped = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return stepped * (1 - lr * wd), config
"""

_OTHERS = [
    # Caught by the shape of what comes back; the feedback's own message says what is wrong.
    Mistake("sgd", "returning config=None when called without a config: return the dict, with its defaults",
            _SGD_NO_CONFIG_BACK, named=False),
    Mistake("nesterov_momentum", "returning next_w alone: return the pair (next_w, config)",
            _NESTEROV_NO_CONFIG_RETURNED, named=False),
    Mistake("sgd", "returning the step -learning_rate * dw instead of the new weights w - learning_rate * dw",
            _SGD_RETURNS_STEP),
    Mistake("sgd", "the learning rate read once and kept under a key of its own ('lr'): read "
                   "config['learning_rate'] at every call, since a schedule changes it", _SGD_LR_UNDER_OWN_KEY),
    Mistake("sgd", GRADIENT_CHANGED, _SGD_DW_IN_PLACE),
    Mistake("sgd_momentum", STATE_OUTSIDE_CONFIG, _MOMENTUM_GLOBAL),
    # Caught by the form of what comes back; the feedback's own message says config must be the dict.
    Mistake("sgd_momentum", "returning the velocity where the config belongs: return (next_w, config), with the "
                            "velocity stored in config['velocity']", _MOMENTUM_RETURNS_VELOCITY, named=False, count=1),
    # Raises KeyError on a partial config: the feedback shows the student's own error and its line.
    Mistake("sgd_momentum", "a partial config replaced by the defaults (config or {...}): fill in only the missing "
                            "keys with config.setdefault", _MOMENTUM_PARTIAL_CONFIG_REPLACED, named=False),
    Mistake("nesterov_momentum", "the velocity started at -learning_rate * dw instead of zeros",
            _NESTEROV_V_STARTS_AT_STEP),
    Mistake("adagrad", GRADIENT_CHANGED, _ADAGRAD_DW_IN_PLACE),
    Mistake("adagrad", "AdaGrad's cache not stored back in config, so it never accumulates", _ADAGRAD_CACHE_NOT_STORED),
    Mistake("adagrad", "AdaGrad's cache never grows (dw**2 is not added to it), so every step divides by epsilon: "
                       "add dw**2 to the cache before the step", _ADAGRAD_CACHE_NEVER_GROWS, count=1),
    Mistake("adagrad", "AdaGrad without epsilon: divide by sqrt(cache) + epsilon, which also guards against "
                       "dividing by zero", _ADAGRAD_NO_EPSILON),
    Mistake("adagrad", "the gradient clipped (np.clip(dw, -5, 5), as min-char-rnn's AdaGrad does): clipping belongs "
                       "to the training loop, not to the update rule, which uses dw as it is", _ADAGRAD_CLIPPED),
    Mistake("rmsprop", "RMSProp without epsilon: divide by sqrt(cache) + epsilon, which also keeps the step finite "
                       "where the gradient has been 0 so far (0 / 0 otherwise)", _RMSPROP_NO_EPSILON),
    # float32 rounding moves each number by its own amount: caught, but no single answer to match.
    Mistake("rmsprop", "computing in float32", _RMSPROP_FLOAT32, named=False),
    Mistake("rmsprop", STATE_OUTSIDE_CONFIG, _RMSPROP_GLOBAL_CACHE),
    Mistake("adam", STATE_OUTSIDE_CONFIG, _ADAM_GLOBAL_T),
    Mistake("adamw", "the weights decayed after the Adam step instead of before it: w * (1 - learning_rate * "
                     "weight_decay) first, then the Adam step", _ADAMW_DECAY_AFTER_STEP),
]

# hyperparameter -> (its default in the reference's cells, a wrong default a student might type)
_WRONG_DEFAULTS = {"learning_rate": None, "momentum": ("0.9", "0.99"), "decay_rate": ("0.99", "0.9"),
                   "beta1": ("0.9", "0.99"), "beta2": ("0.999", "0.99"), "epsilon": ("1e-8", "1e-4"),
                   "weight_decay": ("1e-2", "1e-3")}
_RULES = ("sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam", "adamw")


# (rule, hyperparameter) -> how many real implementations had a wrong default for it
_REAL_WRONG_DEFAULTS = {("adagrad", "learning_rate"): 4, ("rmsprop", "epsilon"): 1}


def _defaults_of(rule, key):
    """(the reference's default for key, as written in its cell; a wrong one a student might type)."""
    lr = "1e-3" if rule in ("adam", "adamw") else "1e-2"
    return _WRONG_DEFAULTS[key] or (lr, "1e-2" if lr == "1e-3" else "1e-3")


def wrong_default_hint(rule, key):
    """The hint for a wrong default of `key` in `rule`, whatever the wrong value (the hidden tests use it too)."""
    return f"the wrong default for {key}: the contract's default is {_defaults_of(rule, key)[0]}"


def _wrong_defaults():
    """For every hyperparameter of every rule: the reference's cell with that one default wrong."""
    assignment = load_assignment("03_optimizers")
    cells, _ = extract_solutions(read_notebook(assignment.source_path), assignment.functions)
    out = []
    for rule in _RULES:
        source = cells[rule].code
        for key in _WRONG_DEFAULTS:
            right, wrong = _defaults_of(rule, key)
            old = f'config.setdefault("{key}", {right})'
            if old not in source:
                continue
            cell = source.replace(old, f'config.setdefault("{key}", {wrong})')
            count = _REAL_WRONG_DEFAULTS.get((rule, key), 0)
            out.append(Mistake(rule, wrong_default_hint(rule, key), cell, count=count))
    return out


# (rule, start of the hint) -> how many real implementations showed the mistake
_REAL = {("rmsprop", "epsilon inside the square root"): 2, ("rmsprop", "RMSProp dividing by cache"): 1,
         ("rmsprop", "epsilon written as a number of its own"): 1, ("adam", "Adam without bias correction"): 3,
         ("adam", "t off by one"): 7, ("adam", "epsilon inside the square root"): 1, ("adam", "t never incremented"): 2,
         ("adagrad", "epsilon inside the square root"): 1}


def _count(rule, hint):
    return next((n for (r, start), n in _REAL.items() if r == rule and hint.startswith(start)), 0)


MISTAKES = [Mistake(rule, hint, source, count=_count(rule, hint)) for rule, known in _NAMED.items()
            for hint, source in known.items()] + _OTHERS + _wrong_defaults()
