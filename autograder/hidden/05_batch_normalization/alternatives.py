"""Correct answers to 05_batch_normalization written otherwise than the reference, as students write them.

Each must earn full marks in the hidden tests and pass the notebook's visible checks; the project's
tests prove both, and the sample class hands some in. An alternative forward pass keeps the
reference's cache layout, since the reference's backward passes (the rest of that submission) read
it; an alternative backward pass reads the reference's cache.
"""

from autograder.catalog import Alternative

_BY_FUNCTION = {
    "batchnorm_forward": {
        "keepdims statistics, running averages updated in place when given (np.multiply/np.add with out=)":
            '''def batchnorm_forward(x, gamma, beta, bn_param):
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    D = x.shape[1]
    if "running_mean" not in bn_param:
        bn_param["running_mean"] = np.zeros(D)
    if "running_var" not in bn_param:
        bn_param["running_var"] = np.zeros(D)
    if bn_param["mode"] == "test":
        return gamma * (x - bn_param["running_mean"]) / np.sqrt(bn_param["running_var"] + eps) + beta, None
    mu = np.mean(x, axis=0, keepdims=True)
    var = np.var(x, axis=0, keepdims=True)
    sqrtvar = np.sqrt(var + eps)
    xmu = x - mu
    xhat = xmu / sqrtvar
    for key, stat in (("running_mean", mu), ("running_var", var)):
        np.multiply(bn_param[key], momentum, out=bn_param[key])
        np.add(bn_param[key], (1 - momentum) * stat.ravel(), out=bn_param[key])
    return gamma * xhat + beta, (xhat, xmu, 1.0 / sqrtvar.ravel(), sqrtvar.ravel(), gamma)
''',
        "variance as E[x^2] - E[x]^2, test mode folded into one scale and shift":
            '''def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    if mode == "train":
        mu = x.sum(axis=0) / N
        var = (x * x).sum(axis=0) / N - mu * mu
        sqrtvar = np.sqrt(var + eps)
        xmu = x - mu
        xhat = xmu / sqrtvar
        old_mean = bn_param.get("running_mean", np.zeros(D))
        old_var = bn_param.get("running_var", np.zeros(D))
        bn_param.update(running_mean=old_mean + (1 - momentum) * (mu - old_mean),
                        running_var=old_var + (1 - momentum) * (var - old_var))
        return gamma * xhat + beta, (xhat, xmu, 1.0 / sqrtvar, sqrtvar, gamma)
    if mode == "test":
        scale = gamma / np.sqrt(bn_param.get("running_var", np.zeros(D)) + eps)
        shift = beta - bn_param.get("running_mean", np.zeros(D)) * scale
        return x * scale + shift, None
    raise ValueError("unknown mode " + repr(mode))
''',
        "the batch's statistics computed before the mode is read (unused in test mode, where N may be 1)":
            '''def batchnorm_forward(x, gamma, beta, bn_param):
    N, D = x.shape
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    sample_mean = np.mean(x, axis=0)
    sample_var = np.mean((x - sample_mean) ** 2, axis=0)
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.zeros(D))
    if bn_param["mode"] == "test":
        return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta, None
    sqrtvar = np.sqrt(sample_var + eps)
    xmu = x - sample_mean
    xhat = xmu / sqrtvar
    bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * sample_mean
    bn_param["running_var"] = momentum * running_var + (1 - momentum) * sample_var
    return gamma * xhat + beta, (xhat, xmu, 1.0 / sqrtvar, sqrtvar, gamma)
''',
        "running averages stored with shape (1, D) (keepdims), accepted by the contract":
            '''def batchnorm_forward(x, gamma, beta, bn_param):
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    rm = bn_param.get("running_mean", np.zeros((1, D)))
    rv = bn_param.get("running_var", np.zeros((1, D)))
    if bn_param["mode"] == "train":
        mu = x.mean(axis=0, keepdims=True)
        var = ((x - mu) ** 2).mean(axis=0, keepdims=True)
        bn_param["running_mean"] = m * rm + (1 - m) * mu
        bn_param["running_var"] = m * rv + (1 - m) * var
        sqrtvar = np.sqrt(var[0] + eps)
        xmu = x - mu
        xhat = xmu / sqrtvar
        return gamma * xhat + beta, (xhat, xmu, 1 / sqrtvar, sqrtvar, gamma)
    xhat = (x - rm) / np.sqrt(rv + eps)
    return gamma * xhat + beta, None
''',
    },
    "batchnorm_backward": {
        "the closed form (right, though not along the staged graph)":
            '''def batchnorm_backward(dout, cache):
    xhat, xmu, ivar, sqrtvar, gamma = cache
    N = dout.shape[0]
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dx = gamma * ivar / N * (N * dout - dbeta - xhat * dgamma)
    return dx, dgamma, dbeta
''',
        "staged, with dvar = -0.5 * divar * ivar**3 and means instead of sums / N":
            '''def batchnorm_backward(dout, cache):
    xhat, xmu, ivar, sqrtvar, gamma = cache
    dbeta = dout.sum(axis=0)
    dgamma = (xhat * dout).sum(axis=0)
    dxhat = gamma * dout
    dvar = -0.5 * (dxhat * xmu).sum(axis=0) * ivar ** 3
    dxmu = dxhat * ivar + 2.0 * xmu * dvar / dout.shape[0]
    dmu = -dxmu.sum(axis=0)
    dx = dxmu + np.broadcast_to(dmu, dout.shape) / dout.shape[0]
    return dx, dgamma, dbeta
''',
        "gradients returned with shape (1, D) (keepdims), accepted by the contract":
            '''def batchnorm_backward(dout, cache):
    xhat, xmu, ivar, sqrtvar, gamma = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0, keepdims=True)
    dgamma = (dout * xhat).sum(axis=0, keepdims=True)
    dxhat = dout * gamma
    divar = (dxhat * xmu).sum(axis=0, keepdims=True)
    dvar = 0.5 * (-divar / sqrtvar ** 2) / sqrtvar
    dxmu = dxhat * ivar + 2 * xmu * dvar / N
    dx = dxmu - dxmu.mean(axis=0, keepdims=True)
    return dx, dgamma, dbeta
''',
    },
    "batchnorm_backward_alt": {
        "with means: ivar * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))":
            '''def batchnorm_backward_alt(dout, cache):
    xhat, _, ivar, _, gamma = cache
    dxhat = dout * gamma
    dx = ivar * (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)
''',
        "from xmu and sqrtvar rather than xhat":
            '''def batchnorm_backward_alt(dout, cache):
    _, xmu, _, sqrtvar, gamma = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xmu).sum(axis=0) / sqrtvar
    dx = gamma / (N * sqrtvar) * (N * dout - dbeta - xmu * (dout * xmu).sum(axis=0) / sqrtvar ** 2)
    return dx, dgamma, dbeta
''',
    },
    "layernorm_forward": {
        "batch norm's computation on the transpose":
            '''def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    xt = x.T
    xmu_t = xt - xt.mean(axis=0)
    ivar_t = 1.0 / np.sqrt((xmu_t ** 2).mean(axis=0) + eps)
    xhat = (xmu_t * ivar_t).T
    return xhat * gamma + beta, (xhat, ivar_t[:, None], gamma)
''',
        "np.std of each row, with keepdims":
            '''def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param["eps"] if "eps" in ln_param else 1e-5
    mean = np.mean(x, axis=1, keepdims=True)
    std = np.sqrt(np.std(x, axis=1, keepdims=True) ** 2 + eps)
    xhat = (x - mean) / std
    return gamma * xhat + beta, (xhat, 1 / std, gamma)
''',
    },
    "layernorm_backward": {
        "batch norm's closed form on the transpose":
            '''def layernorm_backward(dout, cache):
    xhat, ivar, gamma = cache
    D = dout.shape[1]
    dxhat_t, xhat_t = (dout * gamma).T, xhat.T
    dx_t = ivar.T / D * (D * dxhat_t - dxhat_t.sum(axis=0) - xhat_t * (dxhat_t * xhat_t).sum(axis=0))
    return dx_t.T, np.einsum("nd,nd->d", dout, xhat), dout.sum(axis=0)
''',
        "staged along each row":
            '''def layernorm_backward(dout, cache):
    xhat, ivar, gamma = cache
    D = dout.shape[1]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    xmu = xhat / ivar
    divar = (dxhat * xmu).sum(axis=1, keepdims=True)
    dvar = -0.5 * divar * ivar ** 3
    dxmu = dxhat * ivar + 2 * xmu * dvar / D
    dx = dxmu - dxmu.mean(axis=1, keepdims=True)
    return dx, dgamma, dbeta
''',
    },
}

ALTERNATIVES = [Alternative(function, description, source)
                for function, entries in _BY_FUNCTION.items() for description, source in entries.items()]
