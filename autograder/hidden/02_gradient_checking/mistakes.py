"""Known wrong answers of 02_gradient_checking, as students write them, with the hint that names each.

Each cell runs on top of the reference's cells, so the other functions are right. A backward
mistake that comes from caching the input instead of the output redefines the forward pass too
(with the right out), as the student's own forward would be.

Every backward entry `needs` its forward: a backward pass is judged through its forward's
cache, so it is proved next to a right forward (and a cell that redefines the forward never
meets a forward mistake).

`count` is how many of the real implementations examined (CS231n solutions in public
repositories) showed the mistake; 0 means written from experience.
"""

from autograder.catalog import Mistake

# Named by behaviour in the hidden tests (any wrong value), so they are constants here.
WRONG_DEFAULT_ALPHA = {
    "leaky_relu": ("The default alpha is not the contract's 0.01: write the signature "
                   "leaky_relu_forward(x, alpha=0.01)."),
    "elu": "The default alpha is not the contract's 1.0: write the signature elu_forward(x, alpha=1.0).",
}
LEAKY_ALPHA_IGNORED = ("The slope for x <= 0 is a fixed number that ignores alpha: multiply the negative side by the "
                       "alpha argument.")

MISTAKES = [
    # --- sigmoid_forward ---
    Mistake("sigmoid_forward",
            "sigmoid as exp(x) / (1 + exp(x)) gives inf / inf = NaN for large positive x: take exp of -|x| only, "
            "1 / (1 + exp(-|x|)) where x >= 0 and exp(-|x|) / (1 + exp(-|x|)) where x < 0.",
            '''def sigmoid_forward(x):
    out = np.exp(x) / (1 + np.exp(x))
    return out, out
'''),
    Mistake("sigmoid_forward",
            "The sign inside exp is flipped: the sigmoid is 1 / (1 + exp(-x)), which is above 1/2 for x > 0.",
            '''def sigmoid_forward(x):
    out = 1 / (1 + np.exp(x))
    return out, out
'''),
    Mistake("sigmoid_forward",
            "Operator precedence: 1 / 1 + np.exp(-x) computes 1 + exp(-x); write 1 / (1 + np.exp(-x)).",
            '''def sigmoid_forward(x):
    out = 1 / 1 + np.exp(-x)
    return out, out
'''),
    # --- sigmoid_backward ---
    Mistake("sigmoid_backward",
            "dx must be multiplied by the upstream gradient (chain rule): dx = dout * out * (1 - out).",
            '''def sigmoid_backward(dout, cache):
    out = cache
    return out * (1 - out)
''',
            needs=("sigmoid_forward",)),
    Mistake("sigmoid_backward",
            "The cache holds the sigmoid's output, and the sigmoid was applied to it a second time: "
            "with out = sigmoid(x) in the cache, dx = dout * out * (1 - out).",
            '''def sigmoid_backward(dout, cache):
    s = 1 / (1 + np.exp(-cache))
    return dout * s * (1 - s)
''',
            needs=("sigmoid_forward",)),
    Mistake("sigmoid_backward",
            "dout * x * (1 - x) uses the input x where the derivative needs the output: "
            "sigmoid'(x) = out * (1 - out) with out = sigmoid(x), so cache out (or recompute it from x).",
            '''def sigmoid_forward(x):
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    return out, x


def sigmoid_backward(dout, cache):
    x = cache
    return dout * x * (1 - x)
''',
            needs=("sigmoid_forward",)),
    # Right for moderate x: only |x| beyond 709.8, where exp overflows, shows it.
    Mistake("sigmoid_backward",
            "The derivative written as exp(-x) / (1 + exp(-x))**2 gives inf / inf = NaN for large negative x: "
            "use out * (1 - out), with out = sigmoid(x) kept in the cache, so dx = dout * out * (1 - out).",
            '''def sigmoid_forward(x):
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    return out, x


def sigmoid_backward(dout, cache):
    x = cache
    return dout * np.exp(-x) / (1 + np.exp(-x)) ** 2
''',
            needs=("sigmoid_forward",)),
    Mistake("sigmoid_backward",
            "The sign of the derivative is flipped: sigmoid' = out * (1 - out) is positive, "
            "so dx = dout * out * (1 - out).",
            '''def sigmoid_backward(dout, cache):
    out = cache
    return dout * out * (out - 1)
''',
            needs=("sigmoid_forward",)),
    # --- tanh_forward ---
    Mistake("tanh_forward",
            "tanh written as (exp(x) - exp(-x)) / (exp(x) + exp(-x)) gives inf / inf = NaN for large |x|: "
            "use np.tanh.",
            '''def tanh_forward(x):
    out = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    return out, out
''', count=2),
    Mistake("tanh_forward",
            "tanh written as (exp(2x) - 1) / (exp(2x) + 1) gives inf / inf = NaN for large positive x: use np.tanh.",
            '''def tanh_forward(x):
    e = np.exp(2 * x)
    out = (e - 1) / (e + 1)
    return out, out
'''),
    Mistake("tanh_forward",
            "tanh written as (1 - exp(-2x)) / (1 + exp(-2x)) gives inf / inf = NaN for large negative x: use np.tanh.",
            '''def tanh_forward(x):
    e = np.exp(-2 * x)
    out = (1 - e) / (1 + e)
    return out, out
'''),
    Mistake("tanh_forward",
            "2 * sigmoid(x) - 1 is tanh(x / 2), not tanh(x): tanh(x) = 2 * sigmoid(2x) - 1, or simply np.tanh(x).",
            '''def tanh_forward(x):
    out = 2 / (1 + np.exp(-x)) - 1
    return out, out
'''),
    # --- tanh_backward ---
    Mistake("tanh_backward",
            "dx must be multiplied by the upstream gradient (chain rule): dx = dout * (1 - out**2).",
            '''def tanh_backward(dout, cache):
    out = cache
    return 1 - out**2
''',
            needs=("tanh_forward",)),
    Mistake("tanh_backward",
            "The cache holds tanh's output, and tanh was applied to it a second time: "
            "with out = tanh(x) in the cache, dx = dout * (1 - out**2).",
            '''def tanh_backward(dout, cache):
    return dout * (1 - np.tanh(cache) ** 2)
''',
            needs=("tanh_forward",)),
    Mistake("tanh_backward",
            "dout * (1 - x**2) uses the input x where the derivative needs the output: "
            "tanh'(x) = 1 - tanh(x)**2, so cache out = tanh(x) (or recompute it from x).",
            '''def tanh_forward(x):
    return np.tanh(x), x


def tanh_backward(dout, cache):
    x = cache
    return dout * (1 - x**2)
''',
            needs=("tanh_forward",)),
    Mistake("tanh_backward",
            "(1 - out)**2 is not 1 - out**2: the derivative of tanh is 1 - tanh(x)**2.",
            '''def tanh_backward(dout, cache):
    out = cache
    return dout * (1 - out) ** 2
''',
            needs=("tanh_forward",)),
    # --- leaky_relu_forward ---
    Mistake("leaky_relu_forward",
            "alpha scales the wrong side: the leaky ReLU keeps x where x > 0 and takes alpha * x where x <= 0.",
            '''def leaky_relu_forward(x, alpha=0.01):
    out = np.where(x > 0, alpha * x, x)
    return out, (x, alpha)
'''),
    Mistake("leaky_relu_forward",
            "The slope is fixed at 0.01: use the alpha argument.",
            '''def leaky_relu_forward(x, alpha=0.01):
    out = np.where(x > 0, x, 0.01 * x)
    return out, (x, alpha)
''', count=2),
    # Real answers fixed it at 0.001 and at 0.2: named by behaviour (two alphas, one result). With
    # the default alpha it gives what the default 1e-3 below gives: behaviour tells them apart.
    Mistake("leaky_relu_forward", LEAKY_ALPHA_IGNORED,
            '''def leaky_relu_forward(x, alpha=0.01):
    slope = 0.001
    out = np.where(x > 0, x, slope * x)
    return out, (x, alpha)
''', count=2),
    # Real defaults: 1e-3, 0.05 and 0.5; named by behaviour (right with alpha=0.01 spelled out).
    Mistake("leaky_relu_forward", WRONG_DEFAULT_ALPHA["leaky_relu"],
            '''def leaky_relu_forward(x, alpha=1e-3):
    out = np.maximum(alpha * x, x)
    return out, (x, alpha)
''', count=3),
    Mistake("leaky_relu_forward",
            "np.maximum(alpha, x) clips x at the value alpha: the leaky ReLU is np.where(x > 0, x, alpha * x) "
            "(or np.maximum(alpha * x, x) for alpha < 1).",
            '''def leaky_relu_forward(x, alpha=0.01):
    out = np.maximum(alpha, x)
    return out, (x, alpha)
'''),
    # --- leaky_relu_backward ---
    Mistake("leaky_relu_backward",
            "alpha scales the wrong side: dx = dout where x > 0 and alpha * dout where x <= 0.",
            '''def leaky_relu_backward(dout, cache):
    x, alpha = cache
    return np.where(x > 0, alpha * dout, dout)
''',
            needs=("leaky_relu_forward",)),
    Mistake("leaky_relu_backward",
            "dx must be multiplied by the upstream gradient (chain rule): dx = np.where(x > 0, dout, alpha * dout).",
            '''def leaky_relu_backward(dout, cache):
    x, alpha = cache
    return np.where(x > 0, 1.0, alpha)
''',
            needs=("leaky_relu_forward",)),
    Mistake("leaky_relu_backward",
            "The slope for x <= 0 is fixed at 0.01: use the alpha of the forward pass, kept in the cache.",
            '''def leaky_relu_backward(dout, cache):
    x, alpha = cache
    return np.where(x > 0, dout, 0.01 * dout)
''',
            needs=("leaky_relu_forward",)),
    Mistake("leaky_relu_backward",
            "This is ReLU's backward pass: where x <= 0 the leaky ReLU passes alpha * dout, not 0.",
            '''def leaky_relu_backward(dout, cache):
    x, alpha = cache
    return dout * (x > 0)
''',
            needs=("leaky_relu_forward",)),
    # --- elu_forward ---
    Mistake("elu_forward",
            "The - 1 is missing: for x <= 0 the ELU is alpha * (exp(x) - 1), which is 0 at x = 0 and tends to "
            "-alpha.",
            '''def elu_forward(x, alpha=1.0):
    out = np.where(x > 0, x, alpha * np.exp(x))
    return out, (x, out, alpha)
'''),
    Mistake("elu_forward",
            "alpha * np.exp(x) - 1 multiplies only exp(x) by alpha: write alpha * (np.exp(x) - 1).",
            '''def elu_forward(x, alpha=1.0):
    out = np.where(x > 0, x, alpha * np.exp(x) - 1)
    return out, (x, out, alpha)
'''),
    Mistake("elu_forward",
            "alpha is ignored (always 1): the negative side is alpha * (exp(x) - 1) with the alpha argument.",
            '''def elu_forward(x, alpha=1.0):
    out = np.where(x > 0, x, np.exp(x) - 1)
    return out, (x, out, alpha)
''', count=1),
    Mistake("elu_forward", WRONG_DEFAULT_ALPHA["elu"],
            '''def elu_forward(x, alpha=0.1):
    out = np.where(x > 0, x, alpha * (np.exp(x) - 1))
    return out, (x, out, alpha)
''', count=1),
    Mistake("elu_forward",
            "alpha scales the positive side too: for x > 0 the ELU is x itself.",
            '''def elu_forward(x, alpha=1.0):
    out = alpha * np.where(x > 0, x, np.exp(x) - 1)
    return out, (x, out, alpha)
'''),
    # --- elu_backward ---
    Mistake("elu_backward",
            "alpha * exp(x) is the slope for x <= 0 only: for x > 0 the ELU is x and its slope is 1.",
            '''def elu_backward(dout, cache):
    x, out, alpha = cache
    return dout * alpha * np.exp(x)
''',
            needs=("elu_forward",)),
    Mistake("elu_backward",
            "alpha is missing from the slope: for x <= 0 it is alpha * exp(x) = out + alpha, with the alpha of the "
            "forward pass (keep it in the cache).",
            '''def elu_backward(dout, cache):
    x, out, alpha = cache
    return np.where(x > 0, dout, dout * np.exp(x))
''',
            needs=("elu_forward",)),
    Mistake("elu_backward",
            "The slope for x <= 0 is out + alpha (= alpha * exp(x)), not out: the + alpha is missing.",
            '''def elu_backward(dout, cache):
    x, out, alpha = cache
    return np.where(x > 0, dout, dout * out)
''',
            needs=("elu_forward",)),
    Mistake("elu_backward",
            "dx must be multiplied by the upstream gradient (chain rule): dx = dout * slope.",
            '''def elu_backward(dout, cache):
    x, out, alpha = cache
    return np.where(x > 0, 1.0, alpha * np.exp(x))
''',
            needs=("elu_forward",)),
    # --- svm_loss ---
    Mistake("svm_loss",
            "The correct class is counted in the loss: its margin s_y - s_y + 1 is always 1, so the loss comes out "
            "1 too high; set the correct class's margin to 0 (the sum runs over j != y_i).",
            '''def svm_loss(scores, y):
    N = scores.shape[0]
    rows = np.arange(N)
    margins = np.maximum(0, scores - scores[rows, y][:, None] + 1)
    loss = margins.sum() / N
    mask = (margins > 0).astype(float)
    mask[rows, y] -= mask.sum(axis=1)
    return loss, mask / N
'''),
    Mistake("svm_loss",
            "The loss and its gradient are not averaged over the N samples: divide both by N.",
            '''def svm_loss(scores, y):
    N = scores.shape[0]
    rows = np.arange(N)
    margins = np.maximum(0, scores - scores[rows, y][:, None] + 1)
    margins[rows, y] = 0
    loss = margins.sum()
    mask = (margins > 0).astype(float)
    mask[rows, y] = -mask.sum(axis=1)
    return loss, mask
'''),
    Mistake("svm_loss",
            "The correct class's entries of dscores are missing: each positive margin also adds -1/N to the "
            "correct class, so dscores[i, y_i] = -(number of positive margins in row i) / N.",
            '''def svm_loss(scores, y):
    N = scores.shape[0]
    rows = np.arange(N)
    margins = np.maximum(0, scores - scores[rows, y][:, None] + 1)
    margins[rows, y] = 0
    loss = margins.sum() / N
    dscores = (margins > 0).astype(float) / N
    return loss, dscores
'''),
    Mistake("svm_loss",
            "The margin is 0 instead of 1: each term is max(0, s_j - s_y + 1).",
            '''def svm_loss(scores, y):
    N = scores.shape[0]
    rows = np.arange(N)
    margins = np.maximum(0, scores - scores[rows, y][:, None])
    margins[rows, y] = 0
    loss = margins.sum() / N
    mask = (margins > 0).astype(float)
    mask[rows, y] = -mask.sum(axis=1)
    return loss, mask / N
'''),
    Mistake("svm_loss",
            "A margin of exactly 0 is counted in the gradient (>= 0): by the convention here (and PyTorch's) only "
            "margins > 0 count.",
            '''def svm_loss(scores, y):
    N = scores.shape[0]
    rows = np.arange(N)
    margins = scores - scores[rows, y][:, None] + 1
    margins[rows, y] = -1
    loss = np.maximum(0, margins).sum() / N
    mask = (margins >= 0).astype(float)
    mask[rows, y] = -mask.sum(axis=1)
    return loss, mask / N
'''),
    Mistake("svm_loss",
            "scores is changed in place (scores -= ..., np.maximum(..., out=scores)): the caller still needs its "
            "scores, so compute the margins in a new array.",
            '''def svm_loss(scores, y):
    N = scores.shape[0]
    rows = np.arange(N)
    scores -= scores[rows, y][:, None] - 1
    scores[rows, y] = 0
    np.maximum(scores, 0, out=scores)
    loss = scores.sum() / N
    mask = (scores > 0).astype(float)
    mask[rows, y] = -mask.sum(axis=1)
    return loss, mask / N
'''),
]
