"""The lesson's network data: the lecture's worked example, the XOR targets, the parameter names of a
2-H-1 network, and :func:`record_training`, a gradient-descent run on XOR that keeps snapshots."""
from __future__ import annotations

import numpy as np

from course.lessons.perceptron import TRUTH_TABLES, X_GATE

#: The lecture's worked example: input [2, 3], hidden weights, output weights (no activation).
LECTURE_X = np.array([[2.0, 3.0]])
LECTURE_W1 = np.array([[0.11, 0.12], [0.21, 0.08]])
LECTURE_W2 = np.array([[0.14], [0.15]])
LECTURE_TARGET = 1.0
LECTURE_LR = 0.05

#: XOR targets as a column, the shape a 2-H-1 network outputs.
Y_XOR = TRUTH_TABLES["XOR"].astype(float)[:, None]

PARAM_KEYS = ("W1", "b1", "W2", "b2")


def record_training(forward, backward, loss, hidden=4, lr=2.0, epochs=3000, every=50, seed=0):
    """Train a 2-hidden-1 sigmoid network on XOR with full-batch gradient descent, keeping snapshots.

    ``forward``, ``backward`` and ``loss`` are the lesson's ``two_layer_forward``, ``two_layer_backward``
    and ``mse_loss``. Returns ``(snapshots, losses)``: a list of ``(epoch, params)`` taken every
    ``every`` epochs (and at the start and end), and the loss of every epoch.
    """
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(size=(2, hidden)), "b1": np.zeros(hidden),
              "W2": rng.normal(size=(hidden, 1)), "b2": np.zeros(1)}
    snapshots, losses = [(0, {k: v.copy() for k, v in params.items()})], []
    for epoch in range(1, epochs + 1):
        out, cache = forward(X_GATE, params)
        value, dout = loss(out, Y_XOR)
        grads = backward(dout, cache)
        for k in PARAM_KEYS:
            params[k] = params[k] - lr * grads[k]
        losses.append(float(value))
        if epoch % every == 0 or epoch == epochs:
            snapshots.append((epoch, {k: v.copy() for k, v in params.items()}))
    return snapshots, np.array(losses)
