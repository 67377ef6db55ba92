"""The lecture's fixed data for lesson 02: XOR's tables, the forward-pass example ([2, 3] → 0.191), the
weights of the backpropagation example (learning rate 0.05), a hand-made XOR network and the
parameter-count examples."""
from __future__ import annotations

import numpy as np

from course.lessons.perceptron.lecture import TRUTH_TABLES, X_GATE

#: XOR targets as a column, the shape a 2-H-1 network outputs.
Y_XOR = TRUTH_TABLES["XOR"].astype(float)[:, None]

#: XOR from perceptrons ("Python Machine Learning", chap. 5): y1 = OR, y2 = NAND, then AND of the two.
XOR_PERCEPTRONS = {
    "OR": (np.array([1.0, 1.0]), -0.5),
    "NAND": (np.array([-1.0, -1.0]), 1.5),
    "AND": (np.array([1.0, 1.0]), -1.5),
}

#: The lecture's worked example (no activation): input [2, 3], hidden weights w1..w4, output weights w5, w6.
LECTURE_X = np.array([[2.0, 3.0]])
LECTURE_W1 = np.array([[0.11, 0.12], [0.21, 0.08]])
LECTURE_W2 = np.array([[0.14], [0.15]])
LECTURE_TARGET = 1.0
LECTURE_LR = 0.05
#: What the forward pass gives: the hidden layer [0.85, 0.48] and the output 0.191.
LECTURE_HIDDEN = np.array([[0.85, 0.48]])
LECTURE_OUTPUT = 0.191
#: The weights after one update with learning rate 0.05, as the lecture rounds them.
LECTURE_W1_NEW = np.array([[0.12, 0.13], [0.23, 0.10]])
LECTURE_W2_NEW = np.array([[0.17], [0.17]])

#: The parameter names of a two-layer network, in the order of its gradients.
PARAM_KEYS = ("W1", "b1", "W2", "b2")

#: XOR as a sigmoid network with large weights: hidden units OR and NAND, output AND.
XOR_HAND_PARAMS = {"W1": np.array([[20.0, -20.0], [20.0, -20.0]]), "b1": np.array([-10.0, 30.0]),
                   "W2": np.array([[20.0], [20.0]]), "b2": np.array([-30.0])}

#: The parameter-count examples: layer sizes, and the total the slide prints.
#: The 3-5-4-5-2 network's slide says 82; 65 weights + 16 biases make 81.
PARAM_COUNT_EXAMPLES = {
    "3-5-4-5-2": {"sizes": [3, 5, 4, 5, 2], "slide_total": 82},
    "MNIST 785-100-10": {"sizes": [785, 100, 10], "slide_total": 79_500, "bias_input": True},
}

#: The chain-rule warm-ups ("Perceptron & ANN", "Deep Learning for Applications – I").
CHAIN_RULE_EXAMPLES = {
    "(x² + 1)²": "d/dx (x² + 1)² = 2(x² + 1) · 1 · 2x = 4x(x² + 1)",
    # w → y = z = w²; p = cos y, q = sin z; o = p + q: one term per path from w to o.
    "two paths": "o = cos(w²) + sin(w²): do/dw = −2w·sin(w²) + 2w·cos(w²)",
}

#: The geometry of the MLP ("Python Machine Learning", chap. 5): what regions each depth can carve out.
GEOMETRY = (
    ("one layer", "a half-plane bounded by a line (a hyperplane)"),
    ("two layers", "a convex region, open or closed: the intersection of half-planes"),
    ("three layers", "any region (limited by the number of units): unions of convex regions"),
)


def count_parameters(sizes) -> tuple:
    """(weights, biases) of a fully connected network with these layer sizes (inputs first)."""
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return weights, sum(sizes[1:])


__all__ = ["CHAIN_RULE_EXAMPLES", "GEOMETRY", "LECTURE_HIDDEN", "LECTURE_LR", "LECTURE_OUTPUT", "LECTURE_TARGET",
           "LECTURE_W1", "LECTURE_W1_NEW", "LECTURE_W2", "LECTURE_W2_NEW", "LECTURE_X", "PARAM_COUNT_EXAMPLES",
           "PARAM_KEYS", "TRUTH_TABLES", "X_GATE", "XOR_HAND_PARAMS", "XOR_PERCEPTRONS", "Y_XOR", "count_parameters"]
