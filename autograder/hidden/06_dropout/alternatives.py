"""Correct answers to 06_dropout written otherwise than the reference: each must earn full marks.

The contract accepts any random generator, so these differ from the reference above all in how
they draw the mask. Each keeps the cache the notebook's given code builds, (dropout_param, mask)
with mask the array x is multiplied by, so the reference's other function works with it; the one
that caches a boolean mask (as real students do) redefines both passes in its cell.
"""

from autograder.catalog import Alternative

ALTERNATIVES = [
    Alternative("dropout_forward", "CS231n's way: np.random.seed when a seed is given, then np.random.rand", '''
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    out = None
    if mode == "train":
        mask = (np.random.rand(*x.shape) < p) / p
        out = x * mask
    elif mode == "test":
        out = x
    out = out.astype(x.dtype, copy=False)
    cache = (dropout_param, mask)
    return out, cache
'''),
    Alternative("dropout_forward", "a binomial draw from a RandomState, np.where for the output, a copy in test mode",
                '''
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    mask = None
    if mode == "train":
        rng = np.random.RandomState(dropout_param.get("seed"))
        keep = rng.binomial(1, p, size=x.shape).astype(bool)
        out = np.where(keep, x / p, 0.0)
        mask = keep / p
    else:
        out = np.array(x, copy=True)
    cache = (dropout_param, mask)
    return out, cache
'''),
    Alternative("dropout_forward", "uniform numbers compared the other way round: keep where 1 - u <= p", '''
def dropout_forward(x, dropout_param):
    p = dropout_param["p"]
    if dropout_param["mode"] == "test":
        return x.copy(), (dropout_param, None)
    generator = np.random.default_rng(dropout_param.get("seed"))
    u = generator.uniform(0.0, 1.0, size=x.shape)
    mask = np.zeros_like(x)
    mask[1.0 - u <= p] = 1.0 / p
    return mask * x, (dropout_param, mask)
'''),
    Alternative("dropout_backward", "in place on a copy of dout", '''
def dropout_backward(dout, cache):
    dropout_param, mask = cache
    dx = np.array(dout, dtype=np.float64, copy=True)
    dx *= mask
    return dx
'''),
    # Real: a boolean mask in the cache, the 1/p applied in both passes.
    Alternative("dropout_backward", "the mask cached as booleans: the forward returns x * mask / p, the backward "
                                    "dout * mask / p", '''
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    if mode == "train":
        mask = np.random.rand(*x.shape) < p
        out = x * mask / p
    else:
        out = x
    return out, (dropout_param, mask)


def dropout_backward(dout, cache):
    dropout_param, mask = cache
    return dout * mask / dropout_param["p"]
''', needs=("dropout_forward",)),
    Alternative("dropout_backward", "np.where on the kept units, dividing by p, with a test-mode branch", '''
def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "test":
        return dout
    kept = mask != 0
    return np.where(kept, dout / dropout_param["p"], 0.0)
'''),
]
