"""The bundled sample class for 01_regularization: a correct student and a buggy one.

`expected` gives the points each student honestly earns per function, worked out by hand from
what each mistake breaks (see the comments); the tests check that grading gives exactly these.
"""

from functools import partial

from autograder.catalog import Sample, alternative_source, mistake_source

mistake = partial(mistake_source, "01_regularization")
alternative = partial(alternative_source, "01_regularization")
FULL = {"l1_penalty": 2.0, "l2_penalty": 2.0, "elastic_net_penalty": 2.0, "regularized_softmax_loss": 4.0}






# kim:
# - l2_penalty without the 2 in dW: loses its gradient test (0.5 of 2); at W == 0 its dW is right.
# - l1_penalty with a W >= 0 mask: +reg at W == 0, loses the subgradient test (0.25 of 2).
# - elastic_net_penalty built from those two: each of its tests accepts what kim's own l2 and l1
#   give, so their mistakes are not counted again: 2 of 2.
# - regularized_softmax_loss summing over the samples: loses the data-loss test (1 of 4); its dW
#   is the gradient of its own loss, and the penalties it adds are kim's own: 3 of 4.
KIM = {
    "l2_penalty": mistake("l2_penalty", "dW without the factor 2"),
    "l1_penalty": mistake("l1_penalty", "dW is +reg at W == 0"),
    "elastic_net_penalty": alternative("elastic_net_penalty", "built from the notebook's own"),
    "regularized_softmax_loss": mistake("regularized_softmax_loss", "a sum over the samples"),
}

SAMPLES = [
    Sample("alice", "correct: the reference answers", {}, FULL),
    Sample("kim", "L2's gradient without the 2, L1's sign +1 at zero, an elastic net built from both, and a "
                  "softmax loss summed instead of averaged",
           KIM, {"l1_penalty": 1.75, "l2_penalty": 1.5, "elastic_net_penalty": 2.0, "regularized_softmax_loss": 3.0}),
]
