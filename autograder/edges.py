"""Edge values in the hidden tests: a property run on named edges, then on a few hypothesis draws.

A hidden test that judges a property on edge values (zeros, huge or tiny magnitudes, a batch of
one, an int array of steps) writes the property once, as a function of its inputs, names the
edges it must cover as explicit examples, and lets hypothesis add a few draws of the same kind:

    def test_zero_weights(student, reference, mistakes, rng):
        def right_at_zero(W):
            judge("l1_penalty", lambda impl: impl.l1_penalty(W.copy(), 0.3), student, reference, mistakes,
                  situation=f"with W of shape {W.shape}")

        holds(right_at_zero, arrays(shapes(), magnitudes(0.2, 0.9, zeros=True)),
              examples=[(np.zeros((3, 4)),), (np.array([[0.0, -0.5]]),)], rng=rng)

The explicit examples run first, in the order given, and they decide what the test covers: a
mistake a test must catch fails one of them, on every run. Hypothesis then draws at most
`draws` more inputs from the strategies, which hold only inputs of the same kind, so that a
draw can find an unknown mistake but never changes what the test covers. The draws are chosen
by a seed taken from `rng` (seeded by the submission's seed and the test's id), so a regrade
draws the same inputs and reports the same failure, word for word. Nothing is shrunk (each
example is a round trip to the sandbox), nothing is stored (no example database), and nothing
depends on time (no deadline, no health check): the first failure is reported as it is. Nor
on the modules loaded: hypothesis also draws literals it finds in the source of loaded local
modules (its "local constants", cached in a `.hypothesis` folder), which differ between a
grading run, a proof and Gradescope; here it draws from its own fixed constants only.
"""

from contextlib import contextmanager

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, example, given, seed, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.internal.cache import LRUCache
from hypothesis.internal.conjecture import providers
from hypothesis.internal.constants_ast import Constants

DRAWS = 4  # extra inputs per property: each costs a few calls to the sandbox (about 1 ms each)

SETTINGS = settings(
    database=None,  # nothing written to disk, nothing replayed from an earlier run
    derandomize=False,  # the seed comes from `rng` instead (see seed_of)
    deadline=None,
    phases=(Phase.explicit, Phase.generate),  # no replay from a database, no shrinking, no explanation
    report_multiple_bugs=False,  # the first failure, raised as it is (its hint kept)
    suppress_health_check=list(HealthCheck),  # health checks measure time: they could fail one run only
    verbosity=Verbosity.quiet,
    print_blob=False,
)


def seed_of(rng):
    """The hypothesis seed of a test: a draw from its `rng` (the submission's seed and the test's id)."""
    return int(rng.integers(2**63))


def holds(prop, *strategies, examples, rng, draws=DRAWS):
    """Assert that prop(*args) holds on each explicit example, then on `draws` draws of `strategies`.

    prop: raises (AssertionError, Mismatch, ...) when the property fails; its first failure is
        raised unchanged, so a Mismatch keeps the known mistake it names.
    examples: tuples of arguments, run first and in order: the edges the test must cover.
    rng: the test's generator (the `rng` fixture); one draw from it seeds hypothesis.
    """
    if not examples:
        raise ValueError("holds() needs the edges a test must cover as explicit examples; the draws only add to them")
    test = given(*strategies)(prop)
    for args in reversed(examples):  # the example applied last runs first
        test = example(*args)(test)
    chosen = settings(SETTINGS, max_examples=max(draws, 1), phases=SETTINGS.phases if draws else (Phase.explicit,))
    with _no_local_constants():
        seed(seed_of(rng))(chosen(test))()


_GLOBAL_CONSTANTS_ONLY = LRUCache(1024)  # hypothesis' pools of constants, computed without local ones


@contextmanager
def _no_local_constants():
    """Hypothesis with no constants from the loaded modules' source (none read, none cached on disk).

    Relies on hypothesis' internals (pinned in requirements.txt); tests/autograder/test_edges.py
    fails if a new version draws otherwise or writes a `.hypothesis` folder.
    """
    get_local, pools = providers._get_local_constants, providers.CONSTANTS_CACHE
    providers._get_local_constants, providers.CONSTANTS_CACHE = Constants, _GLOBAL_CONSTANTS_ONLY
    try:
        yield
    finally:
        providers._get_local_constants, providers.CONSTANTS_CACHE = get_local, pools


# --- strategies ---------------------------------------------------------------------------------

def magnitudes(low, high, *, zeros=False):
    """Floats of either sign with |v| in [low, high]; with zeros=True, exact 0.0 and -0.0 as well."""
    positive = st.floats(low, high)
    values = st.one_of(positive, positive.map(lambda v: -v))
    return st.one_of(st.sampled_from([0.0, -0.0]), values) if zeros else values


def arrays(shape, elements, *, dtype=np.float64):
    """Arrays of `dtype` and `shape` (a tuple or a strategy of tuples) with `elements` (a strategy)."""
    return hnp.arrays(np.dtype(dtype), shape, elements=elements)


def shapes(*, min_dims=1, max_dims=2, min_side=1, max_side=5):
    """Array shapes, sides of 1 (a batch of one, a single feature) included."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def seeds():
    """Seeds for a NumPy generator, for inputs built by a test's own constructor from a drawn seed."""
    return st.integers(0, 2**32 - 1)
