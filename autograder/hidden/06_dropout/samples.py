"""The bundled sample class for 06_dropout: a correct student and one with two classic mistakes.

`expected` gives the points each student honestly earns per function, worked out by hand from the
hidden tests (dropout_forward: kept fraction 0.75, kept units scaled 0.75, test mode 0.5, same
seed 0.5, new mask without a seed 0.25, any shape 0.25; dropout_backward: the forward's mask 1.5,
dout left unchanged 0.5).
"""

from autograder.catalog import Sample, module

MISTAKES = module("06_dropout", "mistakes").MISTAKES
FULL = {"dropout_forward": 3.0, "dropout_backward": 2.0}


def mistake(function, hint_start, source_part=""):
    """A wrong answer from the catalog, the one the feedback will name."""
    (source,) = [m.source for m in MISTAKES
                 if m.function == function and m.hint.startswith(hint_start) and source_part in m.source]
    return source


# Olga follows an older handout: p is the probability of DROPPING, and she scales the kept units by
# 1/(1 - p). Her forward loses the kept fraction (0.75) and the kept units' scale (0.75) and keeps
# the other four properties (1.5 of 3). Her backward multiplies dout by the 0/1 keep pattern,
# forgetting the scale her own forward applied: it loses the mask test (1.5) and keeps the 0.5 of
# leaving dout unchanged (0.5 of 2).
OLGA = {
    "dropout_forward": mistake("dropout_forward", "p used as the probability of DROPPING", ">= p) / (1 - p)"),
    "dropout_backward": mistake("dropout_backward", "the backward pass forgets the 1/p"),
}

SAMPLES = [
    Sample("alice", "correct: the reference answers", {}, FULL),
    Sample("olga", "p used as the drop probability (an older handout's convention) and the 1/p forgotten in the "
                   "backward pass", OLGA, {"dropout_forward": 1.5, "dropout_backward": 0.5}),
]
