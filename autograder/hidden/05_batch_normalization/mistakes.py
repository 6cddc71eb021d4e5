"""Known mistakes of 05_batch_normalization, each a student's cell and the hint that names it.

When a student's result equals a mistake's in a hidden test, the feedback shows its hint. The
project's tests hand every one of them in, to prove that the hidden tests catch it, on its own
function only, and name it. A mistaken forward pass keeps the reference's cache layout, as the
reference's backward passes (the rest of that submission) need it. The sources run after the
reference's cells, so `np` is there.

`count` is how many of the real implementations examined (CS231n solutions in public
repositories) showed the mistake; 0 means written from experience.
"""

from autograder.catalog import Mistake

# --- batchnorm_forward -------------------------------------------------------------------------
# One template, with the step that each mistake changes left open.
_BN_FORWARD = '''def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", {momentum_default})
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", {running_var_default})
    mu = x.mean(axis=0)
    var = {variance}
    if mode == "train":
        xmu = x - mu
        sqrtvar = {sqrtvar}
        ivar = 1.0 / sqrtvar
        xhat = xmu * ivar
        out = gamma * xhat + beta
        cache = (xhat, xmu, ivar, sqrtvar, gamma)
        running_mean = {running_mean_update}
        running_var = {running_var_update}
        {store}
    else:
        {test_mode}
        out = gamma * xhat + beta
        cache = None
    {after}
    return out, cache
'''
_RIGHT = dict(
    momentum_default="0.9",
    running_var_default="np.zeros(D)",
    variance="x.var(axis=0)",
    sqrtvar="np.sqrt(var + eps)",
    running_mean_update="momentum * running_mean + (1 - momentum) * mu",
    running_var_update="momentum * running_var + (1 - momentum) * var",
    store='bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var',
    test_mode="xhat = (x - running_mean) / np.sqrt(running_var + eps)",
    after="",
)


def _bn_forward(**changes):
    return _BN_FORWARD.format(**{**_RIGHT, **changes})


UNBIASED_VARIANCE = ("the unbiased batch variance (divided by N - 1, ddof=1): batch norm normalizes with the "
                     "biased variance, divided by N (np.var's default), in the output and in the running average")
MOMENTUM_SWAPPED = ("the running averages weighted the wrong way round: momentum weights the OLD value, "
                    "running = momentum * running + (1 - momentum) * batch statistic (PyTorch's momentum "
                    "argument is the other weight)")
EPS_OUTSIDE_SQRT = ("eps added after the square root: normalize with np.sqrt(var + eps), with eps inside")
NO_EPS = ("eps left out: a constant feature has variance 0, so (x - mean) / np.sqrt(var) divides 0 by 0 (NaN); "
          "normalize with np.sqrt(var + eps), in train and in test mode")
TEST_MODE_BATCH_STATISTICS = ("test mode normalizing with the batch's own mean and variance: in test mode, use "
                              "bn_param's running_mean and running_var")
TEST_MODE_UPDATES = ("the running averages updated in test mode too: update them only in train mode, and leave "
                     "them as they are in test mode")
NOT_STORED = ("the running averages computed but not stored: write them back into bn_param['running_mean'] and "
              "bn_param['running_var'], so that the next call (and test mode) sees them")
RUNNING_VAR_ONES = ("a missing running_var started at ones (PyTorch's initial value): here both running averages "
                    "start at zeros of shape (D,)")
MOMENTUM_DEFAULT_PYTORCH = ("the default momentum 0.1 (PyTorch's): here the default is 0.9, the weight of the old "
                            "running average")

_BN_FORWARD_MISTAKES = [
    Mistake("batchnorm_forward", UNBIASED_VARIANCE, _bn_forward(variance="x.var(axis=0, ddof=1)")),
    # With momentum missing, the default 0.1 gives what swapped weights give with 0.9: listed first, it is
    # the one named in the defaults test (which a swapped formula passes), and the swapped one is named in
    # the running-average tests (where momentum is given, so the default 0.1 does not show).
    Mistake("batchnorm_forward", MOMENTUM_DEFAULT_PYTORCH, _bn_forward(momentum_default="0.1")),
    Mistake("batchnorm_forward", MOMENTUM_SWAPPED, _bn_forward(
        running_mean_update="(1 - momentum) * running_mean + momentum * mu",
        running_var_update="(1 - momentum) * running_var + momentum * var")),
    Mistake("batchnorm_forward", EPS_OUTSIDE_SQRT, _bn_forward(sqrtvar="np.sqrt(var) + eps")),
    Mistake("batchnorm_forward", NO_EPS, _bn_forward(
        sqrtvar="np.sqrt(var)", test_mode="xhat = (x - running_mean) / np.sqrt(running_var)")),
    # Listed before the batch-statistics mistake below, which gives the same running averages.
    Mistake("batchnorm_forward", TEST_MODE_UPDATES, _bn_forward(
        after='''if mode != "train":
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mu
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var''')),
    Mistake("batchnorm_forward", TEST_MODE_BATCH_STATISTICS, _bn_forward(
        test_mode="xhat = (x - mu) / np.sqrt(var + eps)"), count=1),
    Mistake("batchnorm_forward", NOT_STORED, _bn_forward(store="pass")),
    Mistake("batchnorm_forward", RUNNING_VAR_ONES, _bn_forward(running_var_default="np.ones(D)")),
]

# --- batchnorm_backward (staged) ---------------------------------------------------------------
_BN_BACKWARD = '''def batchnorm_backward(dout, cache):
    xhat, xmu, ivar, sqrtvar, gamma = cache
    N = dout.shape[0]
    dbeta = {dbeta}
    dgamma = {dgamma}
    dxhat = dout * gamma
    divar = (dxhat * xmu).sum(axis=0)
    dxmu = dxhat * ivar
    dsqrtvar = -divar / sqrtvar ** 2
    dvar = dsqrtvar / (2 * sqrtvar)
    dsq = np.ones_like(dout) * dvar {over_n}
    dxmu = dxmu + {variance_path}
    dmu = -dxmu.sum(axis=0)
    dx = dxmu + {mean_path}
    return dx, dgamma, dbeta
'''
_BN_BACKWARD_RIGHT = dict(dbeta="dout.sum(axis=0)", dgamma="(dout * xhat).sum(axis=0)", over_n="/ N",
                          variance_path="2 * xmu * dsq", mean_path="dmu / N")


def _bn_backward(**changes):
    return _BN_BACKWARD.format(**{**_BN_BACKWARD_RIGHT, **changes})


DGAMMA_NOT_SUMMED = ("dgamma not summed over the batch: every row used the same gamma, so sum dout * xhat over "
                     "axis 0, giving shape (D,)")
DBETA_MEAN = "dbeta as the mean of dout over the batch: it is the sum over axis 0 (every row adds its share)"
NO_MEAN_PATH = ("dx without the path through the mean: x also reaches the output through mu = mean(x), which "
                "adds dmu / N to every row, with dmu = -sum(dxmu)")
NO_VARIANCE_PATH = ("dx without the path through the variance: x also reaches the output through var, which adds "
                    "2 * xmu * dvar / N to dxmu")
SUMMED_TO_NUMBERS = ("dgamma and dbeta summed over every axis into single numbers (np.sum without axis): sum over "
                     "the batch only, axis=0, which gives one value per feature, shape (D,)")
VARIANCE_NOT_OVER_N = ("the variance's local gradient without its 1/N: var = mean(sq), so each sq[i] gets "
                       "dvar / N")

_BN_BACKWARD_MISTAKES = [
    Mistake("batchnorm_backward", DGAMMA_NOT_SUMMED, _bn_backward(dgamma="dout * xhat")),
    Mistake("batchnorm_backward", DBETA_MEAN, _bn_backward(dbeta="dout.mean(axis=0)")),
    Mistake("batchnorm_backward", NO_MEAN_PATH, _bn_backward(mean_path="0.0")),
    Mistake("batchnorm_backward", NO_VARIANCE_PATH, _bn_backward(variance_path="0.0")),
    Mistake("batchnorm_backward", VARIANCE_NOT_OVER_N, _bn_backward(over_n="")),
    Mistake("batchnorm_backward", SUMMED_TO_NUMBERS, _bn_backward(dbeta="dout.sum()", dgamma="(dout * xhat).sum()"),
            count=1),
]

# --- batchnorm_backward_alt (closed form) ------------------------------------------------------
_BN_ALT = '''def batchnorm_backward_alt(dout, cache):
    xhat, _, ivar, _, gamma = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = {dgamma}
    dx = {dx}
    return dx, dgamma, dbeta
'''

ALT_NO_MEAN_TERM = ("dx without the term through the mean: dx = gamma * ivar / N * (N * dout - dbeta - xhat * "
                    "dgamma); the - dbeta term is missing")
ALT_NO_VARIANCE_TERM = ("dx without the term through the variance: dx = gamma * ivar / N * (N * dout - dbeta - "
                        "xhat * dgamma); the - xhat * dgamma term is missing")
ALT_NO_GAMMA = "dx without the factor gamma: the upstream gradient reaches xhat as dout * gamma"
ALT_NO_ONE_OVER_N = ("dx without the factor 1/N: dx = gamma * ivar / N * (N * dout - dbeta - xhat * dgamma)")

_BN_ALT_MISTAKES = [
    Mistake("batchnorm_backward_alt", ALT_NO_MEAN_TERM, _BN_ALT.format(
        dgamma="(dout * xhat).sum(axis=0)", dx="gamma * ivar / N * (N * dout - xhat * dgamma)")),
    Mistake("batchnorm_backward_alt", ALT_NO_VARIANCE_TERM, _BN_ALT.format(
        dgamma="(dout * xhat).sum(axis=0)", dx="gamma * ivar / N * (N * dout - dbeta)")),
    Mistake("batchnorm_backward_alt", DGAMMA_NOT_SUMMED, _BN_ALT.format(
        dgamma="dout * xhat", dx="gamma * ivar / N * (N * dout - dbeta - xhat * dgamma.sum(axis=0))")),
    Mistake("batchnorm_backward_alt", ALT_NO_GAMMA, _BN_ALT.format(
        dgamma="(dout * xhat).sum(axis=0)", dx="ivar / N * (N * dout - dbeta - xhat * dgamma)")),
    Mistake("batchnorm_backward_alt", ALT_NO_ONE_OVER_N, _BN_ALT.format(
        dgamma="(dout * xhat).sum(axis=0)", dx="gamma * ivar * (N * dout - dbeta - xhat * dgamma)")),
]

# --- layernorm_forward -------------------------------------------------------------------------
_LN_FORWARD = '''def layernorm_forward(x, gamma, beta, ln_param):
    eps = {eps}
    mu = x.mean(axis={axis}, keepdims=True)
    xmu = x - mu
    var = {variance}
    ivar = 1.0 / ({sqrt})
    xhat = xmu * ivar
    out = gamma * xhat + beta
    return out, (xhat, ivar, gamma)
'''
_LN_RIGHT = dict(eps='ln_param.get("eps", 1e-5)', axis="1", variance="x.var(axis=1, keepdims=True)",
                 sqrt="np.sqrt(var + eps)")


def _ln_forward(**changes):
    return _LN_FORWARD.format(**{**_LN_RIGHT, **changes})


LN_BATCH_AXIS = ("layer norm normalized over the batch (axis 0), as batch norm does: layer norm takes each "
                 "sample's own mean and variance, over its features (axis=1, keepdims=True)")
LN_UNBIASED = ("the unbiased variance (divided by D - 1, ddof=1): layer norm divides by D, the number of "
               "features (np.var's default)")
LN_EPS_OUTSIDE = "eps added after the square root: normalize with np.sqrt(var + eps), with eps inside"
LN_EPS_IGNORED = "eps fixed at 1e-5 whatever ln_param says: read it with ln_param.get('eps', 1e-5)"
LN_NO_EPS = ("eps left out: a constant sample has variance 0, so (x - mean) / np.sqrt(var) divides 0 by 0 (NaN); "
             "normalize with np.sqrt(var + eps)")

_LN_FORWARD_MISTAKES = [
    Mistake("layernorm_forward", LN_BATCH_AXIS, _ln_forward(axis="0", variance="x.var(axis=0, keepdims=True)")),
    Mistake("layernorm_forward", LN_UNBIASED, _ln_forward(variance="x.var(axis=1, ddof=1, keepdims=True)")),
    Mistake("layernorm_forward", LN_EPS_OUTSIDE, _ln_forward(sqrt="np.sqrt(var) + eps")),
    Mistake("layernorm_forward", LN_EPS_IGNORED, _ln_forward(eps="1e-5")),
    Mistake("layernorm_forward", LN_NO_EPS, _ln_forward(sqrt="np.sqrt(var)")),
]

# --- layernorm_backward ------------------------------------------------------------------------
_LN_BACKWARD = '''def layernorm_backward(dout, cache):
    xhat, ivar, gamma = cache
    D = dout.shape[1]
    dbeta = dout.sum(axis={beta_axis})
    dgamma = (dout * xhat).sum(axis={gamma_axis})
    dxhat = dout * gamma
    dx = (ivar / D) * (D * dxhat - {mean_term} - xhat * {variance_term})
    return dx, dgamma, dbeta
'''
_LN_BACKWARD_RIGHT = dict(beta_axis="0", gamma_axis="0", mean_term="dxhat.sum(axis=1, keepdims=True)",
                          variance_term="(dxhat * xhat).sum(axis=1, keepdims=True)")


def _ln_backward(**changes):
    return _LN_BACKWARD.format(**{**_LN_BACKWARD_RIGHT, **changes})


LN_DGAMMA_AXIS = ("dgamma summed over the features (axis 1): gamma has one entry per feature and is shared by all "
                  "samples, so sum dout * xhat over the batch (axis 0)")
LN_DBETA_AXIS = ("dbeta summed over the features (axis 1): beta has one entry per feature and is shared by all "
                 "samples, so sum dout over the batch (axis 0)")
LN_NO_MEAN_TERM = ("dx without the term through the row mean: subtract dxhat.sum(axis=1, keepdims=True) "
                   "(with dxhat = dout * gamma)")
LN_NO_VARIANCE_TERM = ("dx without the term through the row variance: subtract xhat * (dxhat * xhat).sum(axis=1, "
                       "keepdims=True)")
LN_BATCH_NORM_SUMS = ("dx with batch norm's sums over the batch (axis 0): layer norm's statistics are per row, so "
                      "the sums in dx run over the features (axis=1, keepdims=True)")

_LN_BACKWARD_MISTAKES = [
    Mistake("layernorm_backward", LN_DGAMMA_AXIS, _ln_backward(gamma_axis="1")),
    Mistake("layernorm_backward", LN_DBETA_AXIS, _ln_backward(beta_axis="1")),
    Mistake("layernorm_backward", LN_NO_MEAN_TERM, _ln_backward(mean_term="0.0")),
    Mistake("layernorm_backward", LN_NO_VARIANCE_TERM, _ln_backward(variance_term="0.0")),
    Mistake("layernorm_backward", LN_BATCH_NORM_SUMS, _ln_backward(
        mean_term="dxhat.sum(axis=0)", variance_term="(dxhat * xhat).sum(axis=0)")),
]

MISTAKES = [*_BN_FORWARD_MISTAKES, *_BN_BACKWARD_MISTAKES, *_BN_ALT_MISTAKES, *_LN_FORWARD_MISTAKES,
            *_LN_BACKWARD_MISTAKES]
