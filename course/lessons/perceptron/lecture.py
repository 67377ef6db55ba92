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
