"""The bundled sample class for 02_gradient_checking: one correct student and one with mistakes.

`expected` gives the points each student honestly earns per function, worked out by hand from
what each mistake breaks (the hidden tests' points: forward passes 1, backward passes 1.5,
svm_loss 3).
"""

from functools import partial

from autograder.catalog import Sample, mistake_source

mistake = partial(mistake_source, "02_gradient_checking")
FULL = {"sigmoid_forward": 1.0, "sigmoid_backward": 1.5, "tanh_forward": 1.0, "tanh_backward": 1.5,
        "leaky_relu_forward": 1.0, "leaky_relu_backward": 1.5, "elu_forward": 1.0, "elu_backward": 1.5,
        "svm_loss": 3.0}




SAMPLES = [
    Sample("alice", "correct: the reference answers", {}, FULL),
    Sample("leo", "sigmoid's derivative taken at x instead of the output, leaky ReLU with its slope fixed at "
                  "0.01, ELU's backward without the x > 0 case, and the SVM loss not averaged over N",
           {"sigmoid_backward": mistake("sigmoid_backward", "dout * x * (1 - x)"),
            "leaky_relu_forward": mistake("leaky_relu_forward", "The slope is fixed at 0.01"),
            "elu_backward": mistake("elu_backward", "alpha * exp(x) is the slope for x <= 0 only"),
            "svm_loss": mistake("svm_loss", "The loss and its gradient are not averaged")},
           # sigmoid_backward: wrong formula with a right forward: 0 of 1.5 (values 1, own gradient 0.5).
           # leaky_relu_forward: right with the default alpha (0.5), wrong with a given alpha (0 of 0.5); its
           #   backward keeps 1.5: with the wrong forward, the reference backward on the cache (x, alpha)
           #   gives the right gradient.
           # elu_backward: slope alpha * exp(x) for x > 0 too: 0 of 1.5 (values, alpha, own gradient).
           # svm_loss: loss and dscores N times too large: 0 of 1 + 1; dscores is the gradient of its own
           #   loss (0.5), no tie counts (0.25), scores unchanged (0.25): 1.0.
           {**FULL, "sigmoid_backward": 0.0, "leaky_relu_forward": 0.5, "elu_backward": 0.0, "svm_loss": 1.0}),
]
