"""Hidden tests of 06_dropout: inverted dropout, judged by properties that hold for every generator.

Students may draw their masks with any random generator, so no test compares a mask with the
reference's. Each test checks one property on the student's own outputs, on inputs with no zeros
(so that out == 0 exactly where a unit was dropped, and out / x is the mask):

- the kept fraction is p, within a band far wider than the sampling noise;
- every kept unit is exactly x / p, for p = 0.25 and 0.7 and at the edges p = 1 (every unit kept,
  out == x) and p = 0.05 on a batch of one; hypothesis adds p in [0.05, 1] and inputs of 1 to 3
  dimensions (`autograder.edges`: the explicit examples run first and decide what is covered);
- test mode returns x (judged against the reference, so "scaled by p" is named);
- the same seed gives the same mask; without a seed, a new mask at every call;
- any input shape works;
- the backward pass is dout times the mask of the student's own forward pass (its gradient), so a
  wrong forward whose backward is its exact gradient costs the forward's points only; and it
  leaves dout unchanged.

The score never depends on the seed. The draws only pick shapes and values; the keep
probabilities that tell p and 1 - p apart are enumerated, far from 1/2. With at least
75,000 units, the kept fraction's standard deviation is at most sqrt(0.2 * 0.8 / 75000) = 1.5e-3,
so the band of +-0.03 is 20 standard deviations (a correct answer fails with probability below
1e-80), while p and 1 - p are 0.6 apart (0.2 and 0.8), and the fraction np.random.randn keeps,
the normal cdf at p, is 0.58 for p = 0.2, 0.38 away. Two masks of 2,000 or more independent
units with p = 1/2 are equal with probability 2**-2000.
"""

import math

import numpy as np
import pytest
from hypothesis import strategies as st

from autograder import edges
from autograder.catalog import module
from autograder.testing import Mismatch, as_array, fresh, judge, pair
from cs231n_utils.checks import describe_difference

HINTS = module("06_dropout", "mistakes")
RTOL, ATOL = 1e-10, 1e-12  # x / p computed otherwise (x * (1/p), np.where) agrees to ~1e-16
BAND = 0.03  # on the kept fraction: 20 standard deviations at 75,000 units (see above)


def away_from_zero(rng, shape, low=0.5, high=2.0):
    """Values of random sign with magnitudes in [low, high]: no zeros, so out == 0 means dropped."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


def large(rng):
    """An (N, D) input of 75,000 to 140,000 units."""
    return away_from_zero(rng, (int(rng.integers(300, 401)), int(rng.integers(250, 351))))


def medium(rng):
    """An (N, D) input of 2,000 to 4,800 units."""
    return away_from_zero(rng, (int(rng.integers(50, 81)), int(rng.integers(40, 61))))


def forward(impl, x, dropout_param):
    """out of impl.dropout_forward on a copy of x, as a float64 array of x's shape."""
    out, _ = pair(impl.dropout_forward(x.copy(), dropout_param), "dropout_forward")
    return as_array(out, "out", x.shape)


def normal_cdf(z):
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


@pytest.mark.graded("dropout_forward", points=0.75)
def test_kept_fraction(student, rng):
    """in train mode, keeps a fraction p of the units (p is the probability of keeping)"""
    impl = fresh(student)
    for p in (0.2, 0.8):
        x = large(rng)
        kept = float(np.mean(forward(impl, x, {"p": p, "mode": "train"}) != 0))
        if abs(kept - p) <= BAND:
            continue
        message = (f"in train mode with p = {p}, on {x.size} units, {kept:.1%} of the units were kept (nonzero); "
                   f"expected {p:.0%} (within {BAND:.0%})")
        if abs(kept - (1 - p)) <= BAND:
            raise Mismatch(message, HINTS.DROP_PROBABILITY)
        if abs(kept - normal_cdf(p)) <= BAND:
            raise Mismatch(message, HINTS.RANDN)
        raise AssertionError(message)


def drawn_inputs():
    """Hypothesis' x: 1 to 3 dimensions (sides 1 to 40), values as away_from_zero's, from a drawn seed."""
    return st.builds(lambda seed, shape: away_from_zero(np.random.default_rng(seed), shape), edges.seeds(),
                     edges.shapes(min_dims=1, max_dims=3, max_side=40))


@pytest.mark.graded("dropout_forward", points=0.75)
def test_kept_units_scaled(student, rng):
    """in train mode, every kept unit is x / p and every dropped one is 0, for p from 0.05 to 1 (keep them all)"""
    impl = fresh(student)

    def scaled(p, x):
        out = forward(impl, x, {"p": p, "mode": "train"})
        kept = out != 0
        if np.allclose(out[kept], x[kept] / p, rtol=RTOL, atol=ATOL):
            return
        with np.errstate(all="ignore"):
            ratio = out[kept] / x[kept]
        situation = f"in train mode with p = {p:.4g}, on {x.size} units"
        if not np.all(np.isfinite(out)):
            raise AssertionError(f"{situation}, out holds NaN or inf")
        named = {1.0: HINTS.NO_RESCALE, p: HINTS.SCALED_BY_P}
        if p < 1:
            named[1 / (1 - p)] = HINTS.DROP_PROBABILITY
        for factor, hint in named.items():
            if np.allclose(ratio, factor, rtol=RTOL) and not kept.all():
                raise Mismatch(f"{situation}, the kept units are x * {factor:.4g}; expected x / p = x * {1 / p:.4g}",
                               hint)
        if kept.all() and p < 1:
            raise AssertionError(f"{situation}, no unit was dropped (out has no zeros where x has none)")
        wrong = int(np.sum(~np.isclose(ratio, 1 / p, rtol=RTOL, atol=0)))
        raise AssertionError(f"{situation}, {wrong} of the {ratio.size} kept units are not x / p: out / x ranges "
                             f"from {ratio.min():.4g} to {ratio.max():.4g}, expected {1 / p:.4g} everywhere")

    examples = [(p, medium(rng)) for p in (0.25, 0.7, 1.0)] + [(0.05, away_from_zero(rng, (1, 200)))]
    edges.holds(scaled, st.floats(0.05, 1.0), drawn_inputs(), examples=examples, rng=rng)


@pytest.mark.graded("dropout_forward", points=0.5)
def test_test_mode(student, reference, mistakes, rng):
    """in test mode, returns x unchanged"""
    x = medium(rng)
    cases = (0.3, 0.8)

    def run(impl):
        return {f"out with p = {p}": forward(impl, x, {"p": p, "mode": "test"}) for p in cases}

    got = run(fresh(student))
    for p in cases:
        out = got[f"out with p = {p}"]
        dropped = out == 0
        if dropped.any() and np.allclose(out[~dropped], x[~dropped] / p, rtol=RTOL, atol=ATOL):
            raise Mismatch(f"in test mode with p = {p}, {int(dropped.sum())} of {x.size} units were dropped and the "
                           "others scaled by 1/p", HINTS.TEST_MASKED)
    judge("dropout_forward", run, student, reference, mistakes, situation=f"in test mode, on x of shape {x.shape}")


@pytest.mark.graded("dropout_forward", points=0.5)
def test_same_seed_same_mask(student, rng):
    """in train mode, the same seed gives the same mask"""
    impl = fresh(student)
    x = medium(rng)
    seed = int(rng.integers(2**31))
    first = forward(impl, x, {"p": 0.5, "mode": "train", "seed": seed})
    second = forward(impl, x, {"p": 0.5, "mode": "train", "seed": seed})
    if not np.array_equal(first != 0, second != 0):
        raise Mismatch(f"two calls in train mode with p = 0.5 and the same seed ({seed}) dropped different units "
                       f"({int(np.sum((first != 0) != (second != 0)))} of {x.size} differ)", HINTS.SEED_IGNORED)


@pytest.mark.graded("dropout_forward", points=0.25)
def test_new_mask_without_seed(student, rng):
    """in train mode without a seed, every call draws a new mask"""
    impl = fresh(student)
    x = medium(rng)
    dropout_param = {"p": 0.5, "mode": "train"}  # one dict for both calls, as a network passes it
    first = forward(impl, x, dropout_param)
    second = forward(impl, x, dropout_param)
    if np.array_equal(first != 0, second != 0):
        raise Mismatch(f"two calls in train mode with p = 0.5 and no seed, on {x.size} units, dropped exactly the "
                       "same units", HINTS.FIXED_SEED)


@pytest.mark.graded("dropout_forward", points=0.25)
def test_any_shape(student, rng):
    """works on inputs of any shape (1-D, 3-D, 4-D) and returns out of the same shape"""
    impl = fresh(student)
    shapes = [(int(rng.integers(20, 41)),), (int(rng.integers(2, 5)), 6, 7),
              (int(rng.integers(2, 5)), 3, 8, 8)]
    for shape in shapes:
        for mode in ("train", "test"):
            forward(impl, away_from_zero(rng, shape), {"p": 0.5, "mode": mode})


@pytest.mark.graded("dropout_backward", points=1.5)
def test_backward_uses_forward_mask(student, rng):
    """dx is dout times the mask of the forward pass that made the cache"""
    impl = fresh(student)
    for p in (0.3, 0.75):
        x = medium(rng)
        dout = away_from_zero(rng, x.shape, 0.1, 2.0)  # no zeros: dx / dout is the mask the backward used
        out, cache = pair(impl.dropout_forward(x.copy(), {"p": p, "mode": "train"}), "dropout_forward")
        mask = as_array(out, "out of dropout_forward", x.shape) / x
        dx = as_array(impl.dropout_backward(dout.copy(), cache), "dx", x.shape)
        expected = dout * mask
        if np.allclose(dx, expected, rtol=RTOL, atol=ATOL):
            continue
        situation = (f"after dropout_forward in train mode with p = {p} (no seed) on x of shape {x.shape}, the mask "
                     "being out / x")
        kept = mask != 0
        if np.allclose(dx, dout, rtol=RTOL, atol=ATOL):
            raise Mismatch(f"{situation}, dx equals dout", HINTS.DOUT_UNCHANGED)
        if np.allclose(dx, dout * kept, rtol=RTOL, atol=ATOL):  # (the forward scaled: else dx would be right)
            raise Mismatch(f"{situation}, dx is dout where units were kept, instead of dout * mask",
                           HINTS.BACKWARD_NO_RESCALE)
        with np.errstate(all="ignore"):
            ratio = dx / dout
        if np.all(np.isclose(ratio, 0, atol=1e-12) | np.isclose(ratio, 1 / p, rtol=RTOL)):
            differ = int(np.sum(np.isclose(ratio, 0, atol=1e-12) != ~kept))
            raise Mismatch(f"{situation}, dx is dout times a mask of 0 and 1/p, but not the forward pass's: "
                           f"{differ} of {x.size} units differ", HINTS.NEW_MASK)
        raise AssertionError(f"{situation}, dx is not dout * mask: {describe_difference(dx, expected)}")


@pytest.mark.graded("dropout_backward", points=0.5)
def test_backward_leaves_dout_unchanged(student, rng):
    """leaves its argument dout unchanged, since the caller may still need the gradient"""
    impl = fresh(student)
    x = medium(rng)
    dout = away_from_zero(rng, x.shape, 0.1, 2.0)
    _, cache = pair(impl.dropout_forward(x.copy(), {"p": 0.5, "mode": "train"}), "dropout_forward")
    passed = dout.copy()
    impl.dropout_backward(passed, cache)
    if not np.array_equal(passed, dout):
        raise Mismatch(f"after dropout_forward in train mode with p = 0.5 on x of shape {x.shape}, dropout_backward "
                       "changed its argument dout in place", HINTS.DOUT_CHANGED)
