"""Known mistakes of 01_regularization, each a student's cell and the hint that names it.

When a student's results equal a mistake's in a hidden test, the feedback shows its hint. The
project's tests hand every one of them in, to prove that the hidden tests catch it, on its own
function only, and name it. The mistakes of regularized_softmax_loss call the penalty functions
of the notebook (the reference's, when they are proved), as a student's cell calls their own.

`count` is how many of the real implementations examined (CS231n solutions in public
repositories) showed the mistake; 0 means written from experience.
"""

from autograder.catalog import Mistake

W_CHANGED = ("W changed in place (dW = W followed by dW *= ..., or the like, makes dW the same array as W): "
             "the caller still needs its weights, so compute dW as a new array (2 * reg * W, reg * np.sign(W))")

# --- l2_penalty -------------------------------------------------------------------------------

_L2_MISSING_TWO = '''def l2_penalty(W, reg):
    loss = reg * np.sum(W * W)
    dW = reg * W
    return loss, dW
'''

_L2_HALF = '''def l2_penalty(W, reg):
    loss = 0.5 * reg * np.sum(W * W)
    dW = reg * W
    return loss, dW
'''

_L2_SQUARE_OF_SUM = '''def l2_penalty(W, reg):
    loss = reg * np.sum(W) ** 2
    dW = 2 * reg * W
    return loss, dW
'''

_L2_NORM = '''def l2_penalty(W, reg):
    loss = reg * np.linalg.norm(W)
    dW = 2 * reg * W
    return loss, dW
'''

# Right wherever W is not all zeros: only a W of zeros (an edge the hidden tests cover) shows it.
_L2_THROUGH_NORM = '''def l2_penalty(W, reg):
    norm = np.linalg.norm(W)
    loss = reg * norm ** 2
    dW = 2 * reg * norm * (W / norm)
    return loss, dW
'''

_L2_IN_PLACE = '''def l2_penalty(W, reg):
    loss = reg * np.sum(W * W)
    dW = W
    dW *= 2 * reg
    return loss, dW
'''

# --- l1_penalty -------------------------------------------------------------------------------

_L1_NO_REG_IN_GRADIENT = '''def l1_penalty(W, reg):
    loss = reg * np.sum(np.abs(W))
    dW = np.sign(W)
    return loss, dW
'''

_L1_NO_ABS = '''def l1_penalty(W, reg):
    loss = reg * np.sum(W)
    dW = reg * np.sign(W)
    return loss, dW
'''

_L1_MEAN = '''def l1_penalty(W, reg):
    loss = reg * np.mean(np.abs(W))
    dW = reg * np.sign(W)
    return loss, dW
'''

_L1_MASK_AT_ZERO = '''def l1_penalty(W, reg):
    loss = reg * np.sum(np.abs(W))
    dW = reg * np.where(W >= 0, 1.0, -1.0)
    return loss, dW
'''

_L1_DIVIDE_BY_ABS = '''def l1_penalty(W, reg):
    loss = reg * np.sum(np.abs(W))
    dW = reg * W / np.abs(W)
    return loss, dW
'''

_L1_IN_PLACE = '''def l1_penalty(W, reg):
    loss = reg * np.sum(np.abs(W))
    dW = W
    dW[W > 0] = reg
    dW[W < 0] = -reg
    return loss, dW
'''

# --- elastic_net_penalty ----------------------------------------------------------------------

_EN_BETA_ON_ABS = '''def elastic_net_penalty(W, reg, beta):
    loss = reg * np.sum(W * W + beta * np.abs(W))
    dW = reg * (2 * W + beta * np.sign(W))
    return loss, dW
'''

_EN_BETA_EVERYWHERE = '''def elastic_net_penalty(W, reg, beta):
    loss = reg * beta * np.sum(W * W + np.abs(W))
    dW = reg * beta * (2 * W + np.sign(W))
    return loss, dW
'''

_EN_MIXING = '''def elastic_net_penalty(W, reg, beta):
    loss = reg * np.sum(beta * W * W + (1 - beta) * np.abs(W))
    dW = reg * (2 * beta * W + (1 - beta) * np.sign(W))
    return loss, dW
'''

_EN_MISSING_TWO = '''def elastic_net_penalty(W, reg, beta):
    loss = reg * np.sum(beta * W * W + np.abs(W))
    dW = reg * (beta * W + np.sign(W))
    return loss, dW
'''

_EN_MASK_AT_ZERO = '''def elastic_net_penalty(W, reg, beta):
    loss = reg * np.sum(beta * W * W + np.abs(W))
    dW = reg * (2 * beta * W + np.where(W >= 0, 1.0, -1.0))
    return loss, dW
'''

_EN_IN_PLACE = '''def elastic_net_penalty(W, reg, beta):
    loss = reg * np.sum(beta * W * W + np.abs(W))
    dW = W
    dW *= 2 * beta * reg
    dW += reg * np.sign(dW)
    return loss, dW
'''

# --- regularized_softmax_loss -----------------------------------------------------------------
# Students who write their own softmax instead of calling softmax_loss.

_RSL_SUM = '''def regularized_softmax_loss(W, X, y, reg, penalty="l2", beta=0.5):
    if penalty == "l1":
        reg_loss, dreg = l1_penalty(W, reg)
    elif penalty == "l2":
        reg_loss, dreg = l2_penalty(W, reg)
    elif penalty == "elastic_net":
        reg_loss, dreg = elastic_net_penalty(W, reg, beta)
    else:
        raise ValueError(f"unknown penalty {penalty!r}: use 'l1', 'l2' or 'elastic_net'")
    scores = X @ W
    scores = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    N = X.shape[0]
    loss = -np.sum(np.log(probs[np.arange(N), y]))
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    return loss + reg_loss, X.T @ dscores + dreg
'''

_RSL_NO_MEAN_IN_GRADIENT = '''def regularized_softmax_loss(W, X, y, reg, penalty="l2", beta=0.5):
    if penalty == "l1":
        reg_loss, dreg = l1_penalty(W, reg)
    elif penalty == "l2":
        reg_loss, dreg = l2_penalty(W, reg)
    elif penalty == "elastic_net":
        reg_loss, dreg = elastic_net_penalty(W, reg, beta)
    else:
        raise ValueError(f"unknown penalty {penalty!r}: use 'l1', 'l2' or 'elastic_net'")
    scores = X @ W
    scores = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    N = X.shape[0]
    loss = -np.mean(np.log(probs[np.arange(N), y]))
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    return loss + reg_loss, X.T @ dscores + dreg
'''

_RSL_UNSTABLE = '''def regularized_softmax_loss(W, X, y, reg, penalty="l2", beta=0.5):
    if penalty == "l1":
        reg_loss, dreg = l1_penalty(W, reg)
    elif penalty == "l2":
        reg_loss, dreg = l2_penalty(W, reg)
    elif penalty == "elastic_net":
        reg_loss, dreg = elastic_net_penalty(W, reg, beta)
    else:
        raise ValueError(f"unknown penalty {penalty!r}: use 'l1', 'l2' or 'elastic_net'")
    N = X.shape[0]
    exp_scores = np.exp(X @ W)
    probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(N), y]))
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    return loss + reg_loss, X.T @ dscores + dreg
'''

_RSL_PENALTY_GRADIENT_OVER_N = '''def regularized_softmax_loss(W, X, y, reg, penalty="l2", beta=0.5):
    if penalty == "l1":
        reg_loss, dreg = l1_penalty(W, reg)
    elif penalty == "l2":
        reg_loss, dreg = l2_penalty(W, reg)
    elif penalty == "elastic_net":
        reg_loss, dreg = elastic_net_penalty(W, reg, beta)
    else:
        raise ValueError(f"unknown penalty {penalty!r}: use 'l1', 'l2' or 'elastic_net'")
    data_loss, dscores = softmax_loss(X @ W, y)
    return data_loss + reg_loss, X.T @ dscores + dreg / X.shape[0]
'''

_RSL_PENALTY_OVER_N = '''def regularized_softmax_loss(W, X, y, reg, penalty="l2", beta=0.5):
    if penalty == "l1":
        reg_loss, dreg = l1_penalty(W, reg)
    elif penalty == "l2":
        reg_loss, dreg = l2_penalty(W, reg)
    elif penalty == "elastic_net":
        reg_loss, dreg = elastic_net_penalty(W, reg, beta)
    else:
        raise ValueError(f"unknown penalty {penalty!r}: use 'l1', 'l2' or 'elastic_net'")
    N = X.shape[0]
    data_loss, dscores = softmax_loss(X @ W, y)
    return (N * data_loss + reg_loss) / N, (N * X.T @ dscores + dreg) / N
'''

_RSL_PENALTY_NOT_IN_GRADIENT = '''def regularized_softmax_loss(W, X, y, reg, penalty="l2", beta=0.5):
    if penalty == "l1":
        reg_loss, dreg = l1_penalty(W, reg)
    elif penalty == "l2":
        reg_loss, dreg = l2_penalty(W, reg)
    elif penalty == "elastic_net":
        reg_loss, dreg = elastic_net_penalty(W, reg, beta)
    else:
        raise ValueError(f"unknown penalty {penalty!r}: use 'l1', 'l2' or 'elastic_net'")
    data_loss, dscores = softmax_loss(X @ W, y)
    return data_loss + reg_loss, X.T @ dscores
'''

_RSL_NAMES_SWAPPED = '''def regularized_softmax_loss(W, X, y, reg, penalty="l2", beta=0.5):
    penalties = {"l1": l2_penalty, "l2": l1_penalty}
    if penalty == "elastic_net":
        reg_loss, dreg = elastic_net_penalty(W, reg, beta)
    elif penalty in penalties:
        reg_loss, dreg = penalties[penalty](W, reg)
    else:
        raise ValueError(f"unknown penalty {penalty!r}: use 'l1', 'l2' or 'elastic_net'")
    data_loss, dscores = softmax_loss(X @ W, y)
    return data_loss + reg_loss, X.T @ dscores + dreg
'''

_RSL_BETA_IGNORED = '''def regularized_softmax_loss(W, X, y, reg, penalty="l2", beta=0.5):
    if penalty == "l1":
        reg_loss, dreg = l1_penalty(W, reg)
    elif penalty == "l2":
        reg_loss, dreg = l2_penalty(W, reg)
    elif penalty == "elastic_net":
        reg_loss, dreg = elastic_net_penalty(W, reg, 0.5)
    else:
        raise ValueError(f"unknown penalty {penalty!r}: use 'l1', 'l2' or 'elastic_net'")
    data_loss, dscores = softmax_loss(X @ W, y)
    return data_loss + reg_loss, X.T @ dscores + dreg
'''

_RSL_FALLBACK = '''def regularized_softmax_loss(W, X, y, reg, penalty="l2", beta=0.5):
    if penalty == "l1":
        reg_loss, dreg = l1_penalty(W, reg)
    elif penalty == "elastic_net":
        reg_loss, dreg = elastic_net_penalty(W, reg, beta)
    else:
        reg_loss, dreg = l2_penalty(W, reg)
    data_loss, dscores = softmax_loss(X @ W, y)
    return data_loss + reg_loss, X.T @ dscores + dreg
'''

# Mined from real students' CS231n softmax losses (reg * np.sum(W * W) there is this notebook's "l2").
_RSL_HALF_L2_INLINE = '''def regularized_softmax_loss(W, X, y, reg, penalty="l2", beta=0.5):
    if penalty == "l1":
        reg_loss, dreg = l1_penalty(W, reg)
    elif penalty == "l2":
        reg_loss, dreg = 0.5 * reg * np.sum(W * W), reg * W
    elif penalty == "elastic_net":
        reg_loss, dreg = elastic_net_penalty(W, reg, beta)
    else:
        raise ValueError(f"unknown penalty {penalty!r}: use 'l1', 'l2' or 'elastic_net'")
    data_loss, dscores = softmax_loss(X @ W, y)
    return data_loss + reg_loss, X.T @ dscores + dreg
'''

_RSL_PENALTY_ONLY_IN_GRADIENT = '''def regularized_softmax_loss(W, X, y, reg, penalty="l2", beta=0.5):
    if penalty == "l1":
        reg_loss, dreg = l1_penalty(W, reg)
    elif penalty == "l2":
        reg_loss, dreg = l2_penalty(W, reg)
    elif penalty == "elastic_net":
        reg_loss, dreg = elastic_net_penalty(W, reg, beta)
    else:
        raise ValueError(f"unknown penalty {penalty!r}: use 'l1', 'l2' or 'elastic_net'")
    data_loss, dscores = softmax_loss(X @ W, y)
    return data_loss, X.T @ dscores + dreg
'''

_RSL_GLOBAL_MAX = '''def regularized_softmax_loss(W, X, y, reg, penalty="l2", beta=0.5):
    if penalty == "l1":
        reg_loss, dreg = l1_penalty(W, reg)
    elif penalty == "l2":
        reg_loss, dreg = l2_penalty(W, reg)
    elif penalty == "elastic_net":
        reg_loss, dreg = elastic_net_penalty(W, reg, beta)
    else:
        raise ValueError(f"unknown penalty {penalty!r}: use 'l1', 'l2' or 'elastic_net'")
    N = X.shape[0]
    scores = X @ W
    scores = scores - np.max(scores)
    exp_scores = np.exp(scores)
    probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(exp_scores.sum(axis=1)) - scores[np.arange(N), y])
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    return loss + reg_loss, X.T @ dscores / N + dreg
'''

PENALTIES = ("l1_penalty", "l2_penalty", "elastic_net_penalty")
# The elastic net's tests also accept what the student's own l2_penalty and l1_penalty compose to
# (a correct way to write it), so its mistakes are graded right where those two are right.
PARTS = ("l1_penalty", "l2_penalty")

MISTAKES = [
    Mistake("l2_penalty", "dW without the factor 2: the derivative of reg * w**2 is 2 * reg * w",
            _L2_MISSING_TWO),
    Mistake("l2_penalty", "the loss with a factor 1/2 (0.5 * reg * sum(W**2), another course's convention): "
            "here the L2 penalty is reg * sum(W**2), and its gradient 2 * reg * W", _L2_HALF),
    Mistake("l2_penalty", "the square of the sum, reg * np.sum(W)**2: square each weight first, then sum "
            "(reg * np.sum(W**2))", _L2_SQUARE_OF_SUM),
    Mistake("l2_penalty", "the norm instead of its square: reg * np.linalg.norm(W) is reg * sqrt(sum(W**2)); "
            "the penalty is reg * sum(W**2)", _L2_NORM),
    Mistake("l2_penalty", "dW by the chain rule through the norm, 2 * reg * norm * (W / norm): when all of W is 0 "
            "it divides 0 by 0 (NaN); the gradient of reg * sum(W**2) is 2 * reg * W, with no division",
            _L2_THROUGH_NORM),
    Mistake("l2_penalty", W_CHANGED, _L2_IN_PLACE),

    Mistake("l1_penalty", "dW without reg: the gradient of reg * |w| is reg * sign(w)", _L1_NO_REG_IN_GRADIENT),
    Mistake("l1_penalty", "the loss without absolute values: reg * sum(W) lets negative weights cancel "
            "positive ones; use reg * np.sum(np.abs(W))", _L1_NO_ABS),
    Mistake("l1_penalty", "a mean instead of a sum: the penalty is reg * np.sum(np.abs(W)), over every weight, "
            "not divided by their number", _L1_MEAN),
    Mistake("l1_penalty", "dW is +reg at W == 0 (a mask such as W >= 0): the subgradient used at 0 is 0, "
            "which np.sign gives", _L1_MASK_AT_ZERO),
    Mistake("l1_penalty", "dW = reg * W / np.abs(W) divides 0 by 0 where W == 0 (NaN): use reg * np.sign(W), "
            "which is 0 there", _L1_DIVIDE_BY_ABS),
    Mistake("l1_penalty", W_CHANGED, _L1_IN_PLACE),

    Mistake("elastic_net_penalty", "beta on the wrong term: it multiplies the squared term, "
            "reg * sum(beta * W**2 + |W|)", _EN_BETA_ON_ABS, needs=PARTS),
    Mistake("elastic_net_penalty", "beta multiplies the whole penalty: it multiplies the squared term only, "
            "reg * sum(beta * W**2 + |W|)", _EN_BETA_EVERYWHERE, needs=PARTS),
    Mistake("elastic_net_penalty", "beta used as a mixing weight, beta * W**2 + (1 - beta) * |W| (as libraries "
            "that split one strength between the terms do): here the absolute-value term has weight 1, "
            "reg * sum(beta * W**2 + |W|)", _EN_MIXING, needs=PARTS),
    Mistake("elastic_net_penalty", "dW without the factor 2 on the squared term: the gradient is "
            "reg * (2 * beta * W + sign(W))", _EN_MISSING_TWO, needs=PARTS),
    Mistake("elastic_net_penalty", "dW is +reg at W == 0 (a mask such as W >= 0): the subgradient of |w| used "
            "at 0 is 0, which np.sign gives", _EN_MASK_AT_ZERO, needs=PARTS),
    Mistake("elastic_net_penalty", W_CHANGED, _EN_IN_PLACE, needs=PARTS),

    Mistake("regularized_softmax_loss", "a sum over the samples instead of the mean: divide the data loss "
            "(and its gradient) by N", _RSL_SUM, needs=PENALTIES),
    Mistake("regularized_softmax_loss", "the data gradient without the 1/N: the loss is a mean over the N "
            "samples, so dscores (and dW) must be divided by N too", _RSL_NO_MEAN_IN_GRADIENT, needs=PENALTIES),
    Mistake("regularized_softmax_loss", "an unstable softmax: np.exp of large scores overflows to inf (and "
            "inf / inf is NaN); subtract each row's largest score before exponentiating, or use softmax_loss",
            _RSL_UNSTABLE, needs=PENALTIES, count=2),
    Mistake("regularized_softmax_loss", "the largest score of the whole batch subtracted, not each row's own: a row "
            "far below the others then underflows to exp = 0 (and log 0); subtract scores.max(axis=1, "
            "keepdims=True), or use softmax_loss", _RSL_GLOBAL_MAX, needs=PENALTIES, count=2),
    Mistake("regularized_softmax_loss", "the L2 penalty written out with a factor 1/2 (0.5 * reg * sum(W**2), "
            "gradient reg * W: the convention of older CS231n handouts): here the L2 penalty is l2_penalty's "
            "reg * sum(W**2), so call l2_penalty", _RSL_HALF_L2_INLINE, needs=PENALTIES, count=3),
    Mistake("regularized_softmax_loss", "the penalty is in dW but not in the loss: add the penalty to the loss as "
            "well", _RSL_PENALTY_ONLY_IN_GRADIENT, needs=PENALTIES, count=2),
    Mistake("regularized_softmax_loss", "the penalty's gradient divided by N: the penalty is not an average "
            "over the samples, add its gradient to dW as it is", _RSL_PENALTY_GRADIENT_OVER_N, needs=PENALTIES),
    Mistake("regularized_softmax_loss", "the penalty divided by N along with the data loss: only the data loss "
            "is a mean over the samples; add the penalty (and its gradient) as it is",
            _RSL_PENALTY_OVER_N, needs=PENALTIES),
    Mistake("regularized_softmax_loss", "the penalty is in the loss but not in dW: add the penalty's gradient "
            "to dW as well", _RSL_PENALTY_NOT_IN_GRADIENT, needs=PENALTIES),
    Mistake("regularized_softmax_loss", "the names 'l1' and 'l2' select each other's penalty: 'l1' is "
            "l1_penalty (reg * sum|W|), 'l2' is l2_penalty (reg * sum(W**2))", _RSL_NAMES_SWAPPED, needs=PENALTIES),
    Mistake("regularized_softmax_loss", "beta does not reach the elastic net (a fixed 0.5?): pass the beta "
            "argument to elastic_net_penalty", _RSL_BETA_IGNORED, needs=PENALTIES),
    Mistake("regularized_softmax_loss", "an unknown penalty name falls back to L2 (an else branch) instead of "
            "raising ValueError: a typo would silently train with the wrong penalty", _RSL_FALLBACK,
            needs=PENALTIES),
]
