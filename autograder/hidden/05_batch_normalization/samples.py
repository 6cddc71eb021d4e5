"""The bundled sample class for 05_batch_normalization: one correct student and one with mistakes.

`expected` gives the points each student honestly earns per function, worked out by hand from
what each mistake breaks (the hidden tests' points: batchnorm_forward 4, batchnorm_backward 4,
batchnorm_backward_alt 3, layernorm_forward 2, layernorm_backward 2).
"""

from functools import partial

from autograder.catalog import Sample, mistake_source

mistake = partial(mistake_source, "05_batch_normalization")
FULL = {"batchnorm_forward": 4.0, "batchnorm_backward": 4.0, "batchnorm_backward_alt": 3.0,
        "layernorm_forward": 2.0, "layernorm_backward": 2.0}




SAMPLES = [
    Sample("alice", "correct: the reference answers", {}, FULL),
    Sample("nick", "batch norm with the unbiased variance, a closed-form backward without its mean term, and "
                   "layer norm's dgamma summed over the features",
           {"batchnorm_forward": mistake("batchnorm_forward", "the unbiased batch variance"),
            "batchnorm_backward_alt": mistake("batchnorm_backward_alt", "dx without the term through the mean"),
            "layernorm_backward": mistake("layernorm_backward", "dgamma summed over the features")},
           # batchnorm_forward: the variance over N - 1 changes the train-mode output (1) and the running
           #   variance (0.5); the running mean (0.5), test mode (1 + 0.5) and the defaults, judged against
           #   the student's own forward (0.5), stay right: 2.5 of 4.
           # batchnorm_backward: the reference's staged backward, handed the cache of that wrong forward,
           #   gives the batch-norm gradient for the normalization the forward applied (and the right
           #   gradient with a correct cache), so it is forgiven: 4 of 4.
           # batchnorm_backward_alt: dx without its mean term is neither the gradient of the forward nor
           #   right with a correct cache: 0 of 1 + 1; dgamma and dbeta are right (0.25 * 4): 1 of 3.
           # layernorm_backward: dgamma of shape (N,) fails both its tests (0.25 + 0.25): 1.5 of 2.
           {**FULL, "batchnorm_forward": 2.5, "batchnorm_backward_alt": 1.0, "layernorm_backward": 1.5}),
]
