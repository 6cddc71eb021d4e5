"""Known mistakes of 06_dropout, each a student's cell and the hint that names it.

Most of these answers draw random masks, so they cannot be matched value for value against a
student's draw: the hidden tests name them from the properties they break (a kept fraction near
1 - p, kept units scaled by p, the same mask twice without a seed...), raising `Mismatch` with the
hints below. Only the deterministic ones (test mode scaled by p) are named by replaying the
catalog (`autograder.testing.judge`).

`count` is how many of the real implementations examined (CS231n solutions in public
repositories) showed the mistake; 0 means written from experience.
"""

from autograder.catalog import Mistake

DROP_PROBABILITY = ("p used as the probability of DROPPING a unit (the convention of older handouts): here p is the "
                    "probability of KEEPING it, so keep a unit where rand < p and scale the kept units by 1/p")
RANDN = ("the mask drawn from a normal distribution (np.random.randn): draw uniform numbers in [0, 1) "
         "(np.random.rand, rng.random) so that rand < p holds with probability p")
NO_RESCALE = ("inverted dropout without the 1/p: the kept units must be divided by p in training mode, so that the "
              "expected output equals x and test mode can return x unchanged")
SCALED_BY_P = ("kept units multiplied by p instead of divided by p: inverted dropout scales them up by 1/p, so that "
               "the expected output p * (x / p) equals x")
TEST_SCALED = ("test mode scales x by p (vanilla dropout): with inverted dropout the 1/p already happens in "
               "training, so test mode returns x unchanged")
TEST_MASKED = ("units dropped in test mode: test mode must be deterministic and return x unchanged; draw a mask only "
               "when mode == 'train'")
SEED_IGNORED = ("the seed is ignored: when dropout_param has a 'seed', draw the mask from a generator seeded with it "
                "(np.random.default_rng(seed), or np.random.seed(seed) before np.random.rand), so that the same "
                "seed gives the same mask")
FIXED_SEED = ("a fixed seed used when none is given: without a 'seed', every call must draw a new mask (for example "
              "np.random.default_rng(dropout_param.get('seed')), which starts from fresh entropy for None); a fixed "
              "default trains the same thinned network at every step")
NEW_MASK = ("a new mask drawn in the backward pass: dx must use the mask of the forward pass that made the cache "
            "(take it from cache), or it is the gradient of a different thinned network")
DOUT_UNCHANGED = ("the backward pass returns dout unchanged: multiply it by the forward pass's mask (0 where a unit "
                  "was dropped, 1/p where it was kept), which the cache holds")
BACKWARD_NO_RESCALE = ("the backward pass forgets the 1/p: the forward multiplied the kept units by 1/p, so their "
                       "gradients are dout / p, not dout (use the scaled mask, dx = dout * mask)")
DOUT_CHANGED = ("dout changed in place (dout *= mask or the like): the caller may still need the upstream gradient, "
                "so compute dx as a new array (dx = dout * mask)")

_DROP_PROBABILITY = '''def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    if mode == "train":
        mask = (np.random.rand(*x.shape) >= p) / (1 - p)
        out = x * mask
    else:
        out = x
    return out, (dropout_param, mask)
'''

_DROP_PROBABILITY_HALF = '''def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = None
    if mode == "train":
        mask = (rng.random(x.shape) > p) / p
        out = x * mask
    else:
        out = x
    return out, (dropout_param, mask)
'''

_RANDN = '''def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    if mode == "train":
        mask = (np.random.randn(*x.shape) < p) / p
        out = x * mask
    else:
        out = x
    return out, (dropout_param, mask)
'''

_NO_RESCALE = '''def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = None
    if mode == "train":
        mask = rng.random(x.shape) < p
        out = x * mask
    else:
        out = x
    return out, (dropout_param, mask)
'''

_SCALED_BY_P = '''def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = None
    if mode == "train":
        mask = (rng.random(x.shape) < p) * p
        out = x * mask
    else:
        out = x
    return out, (dropout_param, mask)
'''

_TEST_SCALED = '''def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = None
    if mode == "train":
        mask = (rng.random(x.shape) < p) / p
        out = x * mask
    else:
        out = x * p
    return out, (dropout_param, mask)
'''

_TEST_MASKED = '''def dropout_forward(x, dropout_param):
    p = dropout_param["p"]
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = (rng.random(x.shape) < p) / p
    out = x * mask
    return out, (dropout_param, mask)
'''

_SEED_IGNORED = '''def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    mask = None
    if mode == "train":
        mask = (np.random.rand(*x.shape) < p) / p
        out = x * mask
    else:
        out = x
    return out, (dropout_param, mask)
'''

_FIXED_SEED = '''def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    rng = np.random.default_rng(dropout_param.get("seed", 0))
    mask = None
    if mode == "train":
        mask = (rng.random(x.shape) < p) / p
        out = x * mask
    else:
        out = x
    return out, (dropout_param, mask)
'''

_TWO_DIMENSIONAL = '''def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    if mode == "train":
        N, D = x.shape
        mask = (np.random.rand(N, D) < p) / p
        out = x * mask
    else:
        out = x
    return out, (dropout_param, mask)
'''

_NEW_MASK = '''def dropout_backward(dout, cache):
    dropout_param, mask = cache
    p = dropout_param["p"]
    mask = (np.random.rand(*dout.shape) < p) / p
    return dout * mask
'''

_DOUT_UNCHANGED = '''def dropout_backward(dout, cache):
    dropout_param, mask = cache
    dx = dout
    return dx
'''

_BACKWARD_NO_RESCALE = '''def dropout_backward(dout, cache):
    dropout_param, mask = cache
    keep = mask > 0
    return dout * keep
'''

_DOUT_CHANGED = '''def dropout_backward(dout, cache):
    dropout_param, mask = cache
    dout *= mask
    return dout
'''

MISTAKES = [
    Mistake("dropout_forward", DROP_PROBABILITY, _DROP_PROBABILITY, count=2),
    Mistake("dropout_forward", DROP_PROBABILITY, _DROP_PROBABILITY_HALF, count=2),
    Mistake("dropout_forward", RANDN, _RANDN),
    Mistake("dropout_forward", NO_RESCALE, _NO_RESCALE, count=2),
    Mistake("dropout_forward", SCALED_BY_P, _SCALED_BY_P),
    Mistake("dropout_forward", TEST_SCALED, _TEST_SCALED),
    Mistake("dropout_forward", TEST_MASKED, _TEST_MASKED),
    Mistake("dropout_forward", SEED_IGNORED, _SEED_IGNORED, count=1),
    Mistake("dropout_forward", FIXED_SEED, _FIXED_SEED),
    # Works for (N, D) only: on other shapes it raises, and the feedback shows the student's own
    # exception (IndexError or ValueError), which names no mistake: it cannot be told apart from
    # other code that fails on those shapes.
    Mistake("dropout_forward", "the mask drawn for 2-D inputs only: draw it with the shape of x "
                               "(np.random.rand(*x.shape) or rng.random(x.shape))", _TWO_DIMENSIONAL, named=False,
            count=1),
    Mistake("dropout_backward", NEW_MASK, _NEW_MASK),
    Mistake("dropout_backward", DOUT_UNCHANGED, _DOUT_UNCHANGED),
    Mistake("dropout_backward", BACKWARD_NO_RESCALE, _BACKWARD_NO_RESCALE),
    Mistake("dropout_backward", DOUT_CHANGED, _DOUT_CHANGED, count=1),
]
