"""Lesson 02 exercise spec: ``xor_network``, XOR from three perceptrons in two layers."""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, register

from .lecture import X_GATE


def _gates(ref, X):
    """Every two-input gate of the rows of X (a tensor of 0/1), as boolean tensors."""
    t = X > 0.5
    a, b = t[:, 0], t[:, 1]
    land, lor = ref.torch.logical_and(a, b), ref.torch.logical_or(a, b)
    return {"AND": land, "OR": lor, "NAND": ~land, "NOR": ~lor, "XOR": ref.torch.logical_xor(a, b)}


def _xor_cases(rng):
    bits = rng.integers(0, 2, size=(12, 2))
    return [
        Case("the four inputs of the truth table", {"X": X_GATE.copy()}),
        Case("12 random rows of 0/1 (floats)", {"X": bits.astype(float)}),
        Case("the truth table as integers, in another order", {"X": X_GATE[::-1].astype(int)}),
        Case("a batch of one sample (1, 1)", {"X": np.array([[1.0, 1.0]])}),
    ]


register(Exercise(
    name="xor_network",
    signature="xor_network(X)",
    cases=_xor_cases,
    reference=lambda ref, X: _gates(ref, X)["XOR"].double(),
    outputs=(Output("y", kind="int"),),
    mistakes=(
        Mistake("computes_or", "your network computes OR: (1, 1) must give 0. Feed OR and NAND into an AND "
                "perceptron.", lambda ref, X: _gates(ref, X)["OR"].double()),
        Mistake("and_not_nand", "your network computes AND: the second hidden perceptron must be NAND (NOT AND), "
                "not AND.", lambda ref, X: _gates(ref, X)["AND"].double()),
        Mistake("output_or", "your network outputs 1 everywhere: the output perceptron must be AND, not OR.",
                lambda ref, X: ref.torch.ones(X.shape[0], dtype=ref.dtype, device=ref.device)),
        Mistake("inverted", "your output is inverted (XNOR): XOR is 1 when exactly one input is 1.",
                lambda ref, X: (~_gates(ref, X)["XOR"]).double()),
        Mistake("computes_nand", "your network computes NAND: the output layer should combine OR and NAND with AND.",
                lambda ref, X: _gates(ref, X)["NAND"].double()),
        Mistake("all_zero", "your network outputs 0 everywhere: check the step (1 for z > 0) and the biases of each "
                "perceptron; every unit's sum stays at or below 0.",
                lambda ref, X: ref.torch.zeros(X.shape[0], dtype=ref.dtype, device=ref.device)),
    ),
    hint=("XOR = (x1 OR x2) AND (x1 NAND x2): compute the OR and NAND perceptrons on every row, "
          "then an AND perceptron on their two outputs; return one 0/1 value per row, shape (N,)."),
))
