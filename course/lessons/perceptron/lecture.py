"""The lecture's fixed data for lesson 01: the inputs of a two-input gate and the truth tables."""
import numpy as np

#: The four inputs of a two-input gate, in truth-table order.
X_GATE = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)

#: Each gate's truth table, the outputs for the rows of ``X_GATE``.
TRUTH_TABLES = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "NAND": np.array([1, 1, 1, 0]),
    "NOR": np.array([1, 0, 0, 0]),
    "XOR": np.array([0, 1, 1, 0]),
}

GATES = ("AND", "OR", "NAND", "NOR")

#: The lecture's OR and NAND tables (Perceptron & ANN): H = w·x + b, output 1 where H > 0.5.
LECTURE_OR = {"w": np.array([0.2, 0.2]), "b": 0.4}
LECTURE_NAND = {"w": np.array([-0.5, -0.5]), "b": 1.1}


def lecture_trace(y, threshold, epochs=2, X=X_GATE):
    """The lecture's training trace (Introduction to Deep Learning): a fixed threshold, weights only.

    From w = 0, each sample gives y_hat = 1 if w·x >= threshold else 0, and w += (d − y_hat)·x.
    Returns one dict per sample visited (epoch, x, d, y_hat, error, w after the step) and the
    lecture's error measure (1/s)·Σ|d − y_hat| of each epoch.
    """
    w = np.zeros(X.shape[1])
    rows, measures = [], []
    for epoch in range(1, epochs + 1):
        total = 0
        for x, d in zip(X, y):
            y_hat = int(x @ w >= threshold)
            e = int(d) - y_hat
            w = w + e * x
            total += abs(e)
            rows.append({"epoch": epoch, "x": x.astype(int), "d": int(d), "y_hat": y_hat, "error": e, "w": w.copy()})
        measures.append(total / len(X))
    return rows, measures
