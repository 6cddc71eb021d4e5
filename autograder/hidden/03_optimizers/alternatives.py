"""Correct answers to 03_optimizers written otherwise than the reference, as students write them.

Grading judges the sequence of weights, so each of these must earn full marks (the contract:
every formulation that gives the same weights does), and pass the notebook's visible checks.
The project's tests prove both; the sample class hands some in.
"""

from autograder.catalog import Alternative

_BY_RULE = {
    "sgd": {
        "in place, with np.subtract and a copy of config returned": '''def sgd(w, dw, config=None):
    config = dict(config or {})
    lr = config.setdefault("learning_rate", 1e-2)
    np.subtract(w, np.multiply(lr, dw), out=w)
    return w, config
''',
        "extra state kept in config": '''def sgd(w, dw, config=None):
    config = {} if config is None else config
    config["calls"] = config.get("calls", 0) + 1
    config["last_step"] = config.get("learning_rate", 1e-2) * dw
    return w - config["last_step"], config
''',
        "a flood of output and a warning at every call (never costs marks)": '''def sgd(w, dw, config=None):
    import warnings
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    print("debug: step taken " + "=" * 10**6)  # a flood of output
    warnings.warn("a warning at every call")
    return w - config["learning_rate"] * dw, config
''',
    },
    "sgd_momentum": {
        "PyTorch's buffer: buf = mu*buf + dw, then w - lr*buf": '''def sgd_momentum(w, dw, config=None):
    config = {} if config is None else config
    lr = config.setdefault("learning_rate", 1e-2)
    mu = config.setdefault("momentum", 0.9)
    buf = config.get("buf")
    buf = dw.copy() if buf is None else mu * buf + dw
    config["buf"] = buf
    return w - lr * buf, config
''',
        "velocity updated in place and w changed in place": '''def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.setdefault("velocity", np.zeros_like(w))
    v *= config["momentum"]
    v -= config["learning_rate"] * dw
    w += v
    return w, config
''',
    },
    "nesterov_momentum": {
        "PyTorch's form: w - lr*(dw + mu*buf)": '''def nesterov_momentum(w, dw, config=None):
    config = {} if config is None else config
    lr = config.setdefault("learning_rate", 1e-2)
    mu = config.setdefault("momentum", 0.9)
    buf = config.get("buf")
    buf = dw.copy() if buf is None else mu * buf + dw
    config["buf"] = buf
    return w - lr * (dw + mu * buf), config
''',
        "the look-ahead written as w + mu*v - lr*dw": '''def nesterov_momentum(w, dw, config=None):
    config = {} if config is None else config
    lr, mu = config.setdefault("learning_rate", 1e-2), config.setdefault("momentum", 0.9)
    v = mu * config.get("velocity", 0.0) - lr * dw
    config["velocity"] = v
    return w + mu * v - lr * dw, config
''',
    },
    "adagrad": {
        "np.divide and np.power, the cache grown in place": '''def adagrad(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    cache = config.setdefault("cache", np.zeros_like(w))
    cache += np.power(dw, 2)
    return w - config["learning_rate"] * np.divide(dw, np.power(cache, 0.5) + config["epsilon"]), config
''',
        "w changed in place": '''def adagrad(w, dw, config=None):
    config = {} if config is None else config
    lr, eps = config.get("learning_rate", 1e-2), config.get("epsilon", 1e-8)
    config["cache"] = config.get("cache", 0.0) + dw * dw
    w -= lr * dw / (np.sqrt(config["cache"]) + eps)
    return w, config
''',
    },
    "rmsprop": {
        "the cache decayed in place, a copy of config returned": '''def rmsprop(w, dw, config=None):
    config = {} if config is None else dict(config)
    lr = config.setdefault("learning_rate", 1e-2)
    d = config.setdefault("decay_rate", 0.99)
    eps = config.setdefault("epsilon", 1e-8)
    cache = config.setdefault("cache", np.zeros_like(w))
    cache *= d
    cache += (1 - d) * dw * dw
    return w - lr * dw / (cache**0.5 + eps), config
''',
        "the moving average as an increment, cache += (1 - decay_rate) * (dw**2 - cache), guarded where it is 0":
            '''def rmsprop(w, dw, config=None):
    config = {} if config is None else config
    for key, default in (("learning_rate", 1e-2), ("decay_rate", 0.99), ("epsilon", 1e-8)):
        config.setdefault(key, default)
    cache = config.get("cache", np.zeros_like(w))
    cache = cache + (1 - config["decay_rate"]) * (np.square(dw) - cache)
    config["cache"] = cache
    step = np.divide(dw, np.sqrt(cache) + config["epsilon"], out=np.zeros_like(dw), where=cache > 0)
    return w - config["learning_rate"] * step, config
''',
    },
    "adam": {
        "PyTorch's step size lr / (1 - beta1**t), with its own state keys": '''def adam(w, dw, config=None):
    config = {} if config is None else config
    lr = config.setdefault("learning_rate", 1e-3)
    b1, b2 = config.setdefault("beta1", 0.9), config.setdefault("beta2", 0.999)
    eps = config.setdefault("epsilon", 1e-8)
    step = config.get("step", 0) + 1
    m = b1 * config.get("exp_avg", 0.0) + (1 - b1) * dw
    v = b2 * config.get("exp_avg_sq", 0.0) + (1 - b2) * dw * dw
    config.update(step=step, exp_avg=m, exp_avg_sq=v)
    denom = np.sqrt(v) / np.sqrt(1 - b2**step) + eps
    return w - (lr / (1 - b1**step)) * m / denom, config
''',
        "a new config dict each call, and v_hat**0.5": '''def adam(w, dw, config=None):
    old = config or {}
    new = {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "t": 0}
    new.update(old)
    new["t"] += 1
    new["m"] = new["beta1"] * new.get("m", 0) + (1 - new["beta1"]) * dw
    new["v"] = new["beta2"] * new.get("v", 0) + (1 - new["beta2"]) * dw**2
    m_hat = new["m"] / (1 - new["beta1"] ** new["t"])
    v_hat = new["v"] / (1 - new["beta2"] ** new["t"])
    return w - new["learning_rate"] * m_hat / (v_hat**0.5 + new["epsilon"]), new
''',
    },
    "adamw": {
        "decay applied after the Adam step, to the old weights": '''def adamw(w, dw, config=None):
    config = {} if config is None else config
    wd = config.setdefault("weight_decay", 1e-2)
    lr = config.setdefault("learning_rate", 1e-3)
    stepped, config = adam(w, dw, config)
    return stepped - lr * wd * w, config
''',
        "w decayed in place, then its own Adam step": '''def adamw(w, dw, config=None):
    config = {} if config is None else config
    lr, wd = config.setdefault("learning_rate", 1e-3), config.setdefault("weight_decay", 1e-2)
    b1, b2 = config.setdefault("beta1", 0.9), config.setdefault("beta2", 0.999)
    eps = config.setdefault("epsilon", 1e-8)
    config["t"] = config.get("t", 0) + 1
    config["m"] = b1 * config.get("m", 0.0) + (1 - b1) * dw
    config["v"] = b2 * config.get("v", 0.0) + (1 - b2) * np.square(dw)
    w *= 1 - lr * wd
    w -= lr * (config["m"] / (1 - b1 ** config["t"])) / (np.sqrt(config["v"] / (1 - b2 ** config["t"])) + eps)
    return w, config
''',
    },
}

_NEEDS = {"decay applied after the Adam step, to the old weights": ("adam",)}

_CONFIG_GET = """def adam(w, dw, config=None):
    config = {} if config is None else config
    lr, eps = config.get("learning_rate", 1e-3), config.get("epsilon", 1e-8)
    b1, b2 = config.get("beta1", 0.9), config.get("beta2", 0.999)
    t = config.get("t", 0) + 1
    m = b1 * config.get("m", 0.0) + (1 - b1) * dw
    v = b2 * config.get("v", 0.0) + (1 - b2) * dw**2
    config.update(t=t, m=m, v=v)
    return w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps), config
"""

_RMSPROP_NEW_ARRAYS = """def rmsprop(w, dw, config=None):
    config = {} if config is None else config
    lr, d = config.get("learning_rate", 1e-2), config.get("decay_rate", 0.99)
    eps = config.get("epsilon", 1e-8)
    config["cache"] = np.add(d * config.get("cache", np.zeros_like(dw)), (1 - d) * np.square(dw))
    return np.subtract(w, lr * dw / np.add(np.sqrt(config["cache"]), eps)), config
"""

# Real formulations from public CS231n solutions (older handouts set t's default to 1; their docstring
# allows updating w in place).
_T_FROM_ONE = """def adam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 1)
    b1, b2 = config["beta1"], config["beta2"]
    config["m"] = b1 * config["m"] + (1 - b1) * dw
    config["v"] = b2 * config["v"] + (1 - b2) * dw**2
    m_hat = config["m"] / (1 - b1 ** config["t"])
    v_hat = config["v"] / (1 - b2 ** config["t"])
    config["t"] += 1
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config
"""

_ADAM_IN_PLACE = """def adam(w, dw, config=None):
    if config is None:
        config = {}
    for key, value in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8), ("t", 0)):
        config.setdefault(key, value)
    b1, b2 = config["beta1"], config["beta2"]
    t = config["t"] + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    w -= config["learning_rate"] * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + config["epsilon"])
    config["m"], config["v"], config["t"] = m, v, t
    return w, config
"""

ALTERNATIVES = [Alternative(rule, description, source, _NEEDS.get(description, ()))
                for rule, known in _BY_RULE.items() for description, source in known.items()] + [
    Alternative("adam", "config.get(key, default) for every hyperparameter, the state stored back", _CONFIG_GET),
    Alternative("rmsprop", "config.get(key, default), new arrays with np.square, np.sqrt and np.add",
                _RMSPROP_NEW_ARRAYS),
    Alternative("adam", "t starting at 1 and incremented after the bias correction (older CS231n handouts)",
                _T_FROM_ONE),
    Alternative("adam", "w updated in place (w -= ...), as CS231n's docstring allows", _ADAM_IN_PLACE),
]
