"""Correct answers of 02_gradient_checking written otherwise than the reference: each earns full marks.

A backward pass that needs another cache than the reference's forward gives redefines the
forward in its cell (with the same out), as a student's own pair of cells would be written.

Every backward entry `needs` its forward: a backward pass is judged through its forward's
cache, so it is proved next to a right forward (and a cell that redefines the forward never
meets a forward mistake).
"""

from autograder.catalog import Alternative

ALTERNATIVES = [
    # --- sigmoid_forward ---
    Alternative("sigmoid_forward",
                "the plain formula 1 / (1 + exp(-x)): exp overflows to inf for x << 0 with a warning, and "
                "1 / (1 + inf) = 0 is right (warnings cost nothing)",
                '''def sigmoid_forward(x):
    out = 1 / (1 + np.exp(-x))
    return out, out
'''),
    Alternative("sigmoid_forward",
                "through tanh: 0.5 * (1 + tanh(x / 2))",
                '''def sigmoid_forward(x):
    out = 0.5 * (1.0 + np.tanh(0.5 * x))
    return out, out
'''),
    Alternative("sigmoid_forward",
                "np.where of the two branches, both evaluated everywhere, their overflow silenced with np.errstate",
                '''def sigmoid_forward(x):
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))
    return out, out
'''),
    Alternative("sigmoid_forward",
                "scipy.special.expit, imported in the cell (finite for any x, no warning)",
                '''from scipy.special import expit


def sigmoid_forward(x):
    out = expit(x)
    return out, out
'''),
    # --- sigmoid_backward ---
    Alternative("sigmoid_backward",
                "expanded: dout * out - dout * out**2",
                '''def sigmoid_backward(dout, cache):
    out = cache
    return dout * out - dout * out**2
''',
                needs=("sigmoid_forward",)),
    Alternative("sigmoid_backward",
                "the forward caches x and the backward recomputes the sigmoid stably with np.logaddexp",
                '''def sigmoid_forward(x):
    out = np.exp(-np.logaddexp(0.0, -x))
    return out, x


def sigmoid_backward(dout, cache):
    s = np.exp(-np.logaddexp(0.0, -cache))
    return dout * s * (1.0 - s)
''',
                needs=("sigmoid_forward",)),
    # --- tanh_forward ---
    Alternative("tanh_forward",
                "1 - 2 / (exp(2x) + 1): exp overflows to inf for large x with a warning, and 1 - 0 = 1 is right",
                '''def tanh_forward(x):
    out = 1.0 - 2.0 / (np.exp(2.0 * x) + 1.0)
    return out, out
'''),
    Alternative("tanh_forward",
                "with exp(-2|x|) only, and the sign put back",
                '''def tanh_forward(x):
    e = np.exp(-2.0 * np.abs(x))
    out = np.sign(x) * (1.0 - e) / (1.0 + e)
    return out, out
'''),
    # --- tanh_backward ---
    Alternative("tanh_backward",
                "expanded: dout - dout * out**2",
                '''def tanh_backward(dout, cache):
    return dout - dout * cache**2
''',
                needs=("tanh_forward",)),
    Alternative("tanh_backward",
                "the forward caches x and the backward uses 1 / cosh(x)**2",
                '''def tanh_forward(x):
    return np.tanh(x), x


def tanh_backward(dout, cache):
    return dout / np.cosh(cache) ** 2
''',
                needs=("tanh_forward",)),
    # --- leaky_relu_forward ---
    Alternative("leaky_relu_forward",
                "np.maximum(alpha * x, x) (right for alpha < 1)",
                '''def leaky_relu_forward(x, alpha=0.01):
    return np.maximum(alpha * x, x), (x, alpha)
'''),
    Alternative("leaky_relu_forward",
                "a copy scaled in place where x <= 0",
                '''def leaky_relu_forward(x, alpha=0.01):
    out = x.copy()
    out[x <= 0] *= alpha
    return out, (x, alpha)
'''),
    Alternative("leaky_relu_backward",
                "multiplied by an array of slopes, kept in a dict as the cache (with a backward that reads it)",
                '''def leaky_relu_forward(x, alpha=0.01):
    slope = np.where(x > 0, 1.0, alpha)
    return x * slope, {"slope": slope}


def leaky_relu_backward(dout, cache):
    return dout * cache["slope"]
''',
                needs=("leaky_relu_forward",)),
    # --- leaky_relu_backward ---
    Alternative("leaky_relu_backward",
                "masks as numbers: dout * ((x > 0) + alpha * (x <= 0))",
                '''def leaky_relu_backward(dout, cache):
    x, alpha = cache
    return dout * ((x > 0) + alpha * (x <= 0))
''',
                needs=("leaky_relu_forward",)),
    Alternative("leaky_relu_backward",
                "a copy of dout scaled in place where x <= 0",
                '''def leaky_relu_backward(dout, cache):
    x, alpha = cache
    dx = dout.copy()
    dx[x <= 0] *= alpha
    return dx
''',
                needs=("leaky_relu_forward",)),
    # --- elu_forward ---
    Alternative("elu_forward",
                "np.where with exp(x) - 1 on every entry (overflow warnings for large x > 0 cost nothing)",
                '''def elu_forward(x, alpha=1.0):
    out = np.where(x > 0, x, alpha * (np.exp(x) - 1))
    return out, (x, out, alpha)
'''),
    Alternative("elu_forward",
                "a copy with the negative entries replaced, through a boolean mask",
                '''def elu_forward(x, alpha=1.0):
    out = np.array(x, dtype=float)
    negative = x <= 0
    out[negative] = alpha * np.expm1(x[negative])
    return out, (x, out, alpha)
'''),
    # --- elu_backward ---
    Alternative("elu_backward",
                "the slope from the input: alpha * exp(x) for x <= 0",
                '''def elu_backward(dout, cache):
    x, out, alpha = cache
    return np.where(x > 0, dout, dout * alpha * np.exp(np.minimum(x, 0)))
''',
                needs=("elu_forward",)),
    Alternative("elu_backward",
                "a forward that caches only (x, alpha), and a copy of dout scaled in place where x <= 0",
                '''def elu_forward(x, alpha=1.0):
    out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
    return out, (x, alpha)


def elu_backward(dout, cache):
    x, alpha = cache
    dx = dout.copy()
    negative = x <= 0
    dx[negative] *= alpha * np.exp(x[negative])
    return dx
''',
                needs=("elu_forward",)),
    # --- svm_loss ---
    Alternative("svm_loss",
                "loops over samples and classes, as CS231n's svm_loss_naive",
                '''def svm_loss(scores, y):
    N, C = scores.shape
    loss = 0.0
    dscores = np.zeros((N, C))
    for i in range(N):
        for j in range(C):
            if j == y[i]:
                continue
            margin = scores[i, j] - scores[i, y[i]] + 1
            if margin > 0:
                loss += margin
                dscores[i, j] += 1
                dscores[i, y[i]] -= 1
    return loss / N, dscores / N
'''),
    Alternative("svm_loss",
                "one-hot matrix of the labels, and the N always-1 terms of the correct classes subtracted",
                '''def svm_loss(scores, y):
    N, C = scores.shape
    onehot = np.eye(C)[y]
    correct = np.sum(scores * onehot, axis=1, keepdims=True)
    margins = np.maximum(0.0, scores - correct + 1.0)
    loss = (margins.sum() - N) / N  # each correct class contributes max(0, 1) = 1
    active = (margins > 0) & (onehot == 0)
    dscores = active - onehot * active.sum(axis=1, keepdims=True)
    return loss, dscores / N
'''),
    Alternative("svm_loss",
                "NumPy matrices (np.asmatrix), as some real students write it: the gradient comes back an np.matrix",
                '''def svm_loss(scores, y):
    N = scores.shape[0]
    S = np.asmatrix(scores)
    correct = S[np.arange(N), y].T
    margins = np.maximum(0, S - correct + 1)
    margins[np.arange(N), y] = 0
    loss = margins.sum() / N
    positive = (margins > 0).astype(float)
    positive[np.arange(N), y] = -positive.sum(axis=1).T
    return loss, positive / N
'''),
]
