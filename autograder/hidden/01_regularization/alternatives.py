"""Correct answers to 01_regularization written otherwise than the reference, as students write them.

Each must earn full marks in the hidden tests and pass the notebook's visible checks; the
project's tests prove both, and the sample class hands some in.
"""

from autograder.catalog import Alternative

PENALTIES = ("l1_penalty", "l2_penalty", "elastic_net_penalty")

_BY_FUNCTION = {
    "l2_penalty": {
        "np.vdot for the sum of squares, a float loss": '''def l2_penalty(W, reg):
    loss = float(reg * np.vdot(W, W))
    dW = W * (2.0 * reg)
    return loss, dW
''',
        "the squared Frobenius norm, np.linalg.norm(W) ** 2": '''def l2_penalty(W, reg):
    return reg * np.linalg.norm(W) ** 2, 2 * reg * W
''',
        "np.einsum, and dW built in a new array in place": '''def l2_penalty(W, reg):
    loss = reg * np.einsum("i,i->", W.ravel(), W.ravel())
    dW = np.empty_like(W)
    np.multiply(W, 2 * reg, out=dW)
    return loss, dW
''',
    },
    "l1_penalty": {
        "np.where for the sign, 0 at 0": '''def l1_penalty(W, reg):
    loss = reg * np.abs(W).sum()
    dW = np.where(W > 0, reg, np.where(W < 0, -reg, 0.0))
    return loss, dW
''',
        "two boolean masks, and the 1-norm of the flattened weights": '''def l1_penalty(W, reg):
    loss = reg * np.linalg.norm(W.ravel(), 1)
    dW = reg * ((W > 0).astype(float) - (W < 0).astype(float))
    return loss, dW
''',
        "np.copysign, zeroed where W == 0 (-0.0 gives -0.0, which is 0)": '''def l1_penalty(W, reg):
    return reg * np.sum(np.abs(W)), reg * np.copysign(1.0, W) * (W != 0)
''',
        "a copy of W overwritten with the signs": '''def l1_penalty(W, reg):
    dW = W.copy()
    dW[W > 0] = reg
    dW[W < 0] = -reg
    return float(np.sum(np.abs(W)) * reg), dW
''',
    },
    "elastic_net_penalty": {
        "built from the notebook's own l2_penalty and l1_penalty": '''def elastic_net_penalty(W, reg, beta):
    loss2, dW2 = l2_penalty(W, beta * reg)
    loss1, dW1 = l1_penalty(W, reg)
    return loss2 + loss1, dW2 + dW1
''',
        "the two terms summed separately, np.sign(W) * reg": '''def elastic_net_penalty(W, reg, beta):
    squares = np.sum(W ** 2)
    absolutes = np.sum(np.abs(W))
    loss = reg * beta * squares + reg * absolutes
    dW = 2 * reg * beta * W + np.sign(W) * reg
    return loss, dW
''',
    },
    "regularized_softmax_loss": {
        "its own stable softmax (log-sum-exp) and a dict of penalties":
            '''def regularized_softmax_loss(W, X, y, reg, penalty="l2", beta=0.5):
    penalties = {
        "l1": lambda: l1_penalty(W, reg),
        "l2": lambda: l2_penalty(W, reg),
        "elastic_net": lambda: elastic_net_penalty(W, reg, beta),
    }
    if penalty not in penalties:
        raise ValueError(f"unknown penalty {penalty!r}; choose one of {sorted(penalties)}")
    N = X.shape[0]
    scores = X.dot(W)
    scores -= scores.max(axis=1, keepdims=True)
    log_probs = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    data_loss = -log_probs[np.arange(N), y].sum() / N
    dscores = np.exp(log_probs)
    dscores[np.arange(N), y] -= 1.0
    reg_loss, dreg = penalties[penalty]()
    return data_loss + reg_loss, X.T.dot(dscores) / N + dreg
''',
        "softmax_loss, the penalty written inline, the check of the name last":
            '''def regularized_softmax_loss(W, X, y, reg, penalty="l2", beta=0.5):
    data_loss, dscores = softmax_loss(np.dot(X, W), y)
    dW = np.dot(X.T, dscores)
    if penalty == "l2":
        return data_loss + reg * np.sum(W * W), dW + 2 * reg * W
    if penalty == "l1":
        return data_loss + reg * np.sum(np.abs(W)), dW + reg * np.sign(W)
    if penalty == "elastic_net":
        return (data_loss + reg * np.sum(beta * W * W + np.abs(W)),
                dW + reg * (2 * beta * W + np.sign(W)))
    raise ValueError("penalty must be one of 'l1', 'l2', 'elastic_net', not " + repr(penalty))
''',
        "one-hot labels and np.einsum, the loss returned as a float":
            '''def regularized_softmax_loss(W, X, y, reg, penalty="l2", beta=0.5):
    if penalty not in ("l1", "l2", "elastic_net"):
        raise ValueError("allowed penalties: l1, l2, elastic_net")
    N, C = X.shape[0], W.shape[1]
    scores = np.einsum("nd,dc->nc", X, W)
    shifted = scores - np.max(scores, axis=1)[:, None]
    probs = np.exp(shifted)
    probs /= probs.sum(axis=1)[:, None]
    onehot = np.eye(C)[y]
    data_loss = float(-np.mean(np.log(np.sum(probs * onehot, axis=1))))
    dW = np.einsum("nd,nc->dc", X, probs - onehot) / N
    if penalty == "l1":
        reg_loss, dreg = l1_penalty(W, reg)
    elif penalty == "l2":
        reg_loss, dreg = l2_penalty(W, reg)
    else:
        reg_loss, dreg = elastic_net_penalty(W, reg, beta)
    return float(data_loss + reg_loss), dW + dreg
''',
    },
}

NEEDS = {
    "built from the notebook's own l2_penalty and l1_penalty": ("l1_penalty", "l2_penalty"),
    "its own stable softmax (log-sum-exp) and a dict of penalties": PENALTIES,
    "one-hot labels and np.einsum, the loss returned as a float": PENALTIES,
}

ALTERNATIVES = [Alternative(function, description, source, needs=NEEDS.get(description, ()))
                for function, sources in _BY_FUNCTION.items() for description, source in sources.items()]
