"""Lesson 00 exercise specs: ``credit_rule``, ``quantize_int8``, ``dequantize_int8``.

The INT8 references compute in float64 (``torch.round(x / scale).clamp(-127, 127)``, round half to
even); ``torch.quantize_per_tensor`` does the same in float32 and is shown beside them in the notebook.
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, StudentError, register, unpack
from course.checks.kinds import Training

from .lecture import customers


# --------------------------------------------------------------------------- credit_rule
def _credit_cases(rng):
    income, savings, _ = customers(n=40, seed=int(rng.integers(1000)))
    grid = np.array([[30.0, 45.0, 60.0], [45.0, 50.0, 45.0]])
    return [
        Case("the lecture's customers, θ1 = 45, θ2 = 20",
             {"income": income, "savings": savings, "theta1": 45.0, "theta2": 20.0}),
        Case("customers exactly on a threshold (income = θ1 or savings = θ2)",
             {"income": np.array([45.0, 45.0, 50.0, 60.0, 20.0, 45.5]),
              "savings": np.array([20.0, 25.0, 20.0, 30.0, 10.0, 20.5]), "theta1": 45.0, "theta2": 20.0}),
        Case("a (2, 3) grid of customers, θ1 = 40, θ2 = 47",
             {"income": grid, "savings": grid[::-1].copy(), "theta1": 40.0, "theta2": 47.0}),
        Case("random customers, random thresholds",
             {"income": rng.uniform(0, 100, 25), "savings": rng.uniform(0, 50, 25),
              "theta1": float(rng.uniform(20, 80)), "theta2": float(rng.uniform(5, 40))}),
        Case("integer amounts", {"income": rng.integers(0, 10, 12), "savings": rng.integers(0, 10, 12),
                                 "theta1": 4, "theta2": 6}),
        Case("one customer", {"income": np.array([70.0]), "savings": np.array([5.0]), "theta1": 45.0, "theta2": 1.0}),
    ]


def _as01(t):
    return t.double()


register(Exercise(
    name="credit_rule",
    signature="credit_rule(income, savings, theta1, theta2)",
    cases=_credit_cases,
    reference=lambda ref, income, savings, theta1, theta2: _as01(
        ref.torch.logical_and(income > theta1, savings > theta2)),
    outputs=(Output("low_risk", kind="int"),),
    mistakes=(
        Mistake("ge", "a customer exactly on a threshold is high risk: the rule is income > θ1 and savings > θ2, "
                "strict (you used >=).", lambda ref, income, savings, theta1, theta2: _as01(
                    (income >= theta1) & (savings >= theta2))),
        Mistake("or_rule", "both conditions must hold (AND): you used OR.",
                lambda ref, income, savings, theta1, theta2: _as01((income > theta1) | (savings > theta2))),
        Mistake("swapped", "θ1 is the income threshold and θ2 the savings one: you swapped them.",
                lambda ref, income, savings, theta1, theta2: _as01((income > theta2) & (savings > theta1))),
        Mistake("inverted", "1 means low risk, where both conditions hold; you returned 1 for high risk.",
                lambda ref, income, savings, theta1, theta2: _as01(~((income > theta1) & (savings > theta2)))),
        Mistake("income_only", "the rule looks at savings too: income > θ1 AND savings > θ2.",
                lambda ref, income, theta1: _as01(income > theta1)),
    ),
    hint="1 where income > θ1 and savings > θ2 (both strict), else 0, with the shape of the inputs.",
    points=1,
))


# --------------------------------------------------------------------------- quantize_int8
def _quantize_ref(ref, x):
    m = x.abs().max() if x.numel() else x.new_zeros(())
    scale = m / 127 if float(m) > 0 else x.new_ones(())
    return {"q": ref.torch.round(x / scale).clamp(-127, 127), "scale": scale}


def _wrong_quantize(ref, x, *, peak=None, levels=127.0, rounding="even", clip=True, zero_scale=None):
    torch = ref.torch
    m = x.abs().max() if peak is None else peak(x)
    scale = m / levels if float(m) > 0 else x.new_tensor(1.0 if zero_scale is None else zero_scale)
    if float(scale) == 0:
        return {"scale": scale}
    v = x / scale
    q = {"even": torch.round, "half_up": lambda t: torch.floor(t + 0.5), "truncate": torch.trunc,
         "away": lambda t: torch.sign(t) * torch.floor(t.abs() + 0.5)}[rounding](v)
    q = q.clamp(-127, 127) if clip else (q + 128) % 256 - 128  # no clip: int8 wraps around
    return {"q": q, "scale": scale}


def _quantize_outcome(result):
    q, scale = unpack(result, "quantize_int8", ("q", "scale"))
    if isinstance(q, np.ndarray) and q.dtype != np.int8:
        raise StudentError(f"q is a {q.dtype} array; it should be int8: round, clip to [-127, 127], then "
                           f"`.astype(np.int8)` (1 byte per value instead of 4 or 8).")
    return {"q": q, "scale": scale}


def _quantize_cases(rng):
    return [
        Case("a few weights", {"x": np.array([0.5, -1.2, 3.0, 2.54, -0.01, 1.7])}),
        Case("values that land exactly on halves (scale 1): round half to even",
             {"x": np.array([127.0, 0.5, 1.5, 2.5, -0.5, -2.5, -126.5, 3.5])}),
        Case("the largest magnitude is negative", {"x": np.array([-5.0, 2.0, 1.0, -0.3, 0.7])}),
        Case("a (4, 8) weight matrix", {"x": rng.normal(scale=0.05, size=(4, 8))}),
        Case("all zeros (scale 1.0)", {"x": np.zeros(5)}),
        Case("one outlier among small values", {"x": np.r_[rng.normal(scale=1e-3, size=9), 10.0]}),
        Case("a single value", {"x": np.array([float(rng.normal())])}),
    ]


register(Exercise(
    name="quantize_int8",
    signature="quantize_int8(x)",
    cases=_quantize_cases,
    reference=_quantize_ref,
    kind=Training(outcome=_quantize_outcome),
    outputs=(Output("q", kind="int"), Output("scale", scalar=True)),
    mistakes=(
        Mistake("round_half_up", "np.round rounds halves to even (2.5 → 2, −2.5 → −2), as torch.round does; "
                "floor(v + 0.5) rounds them up.", lambda ref, x: _wrong_quantize(ref, x, rounding="half_up")),
        Mistake("round_half_away", "np.round rounds halves to even (2.5 → 2); you rounded them away from zero.",
                lambda ref, x: _wrong_quantize(ref, x, rounding="away")),
        Mistake("truncate", "`.astype(np.int8)` truncates toward zero: round first (np.round), then clip and cast.",
                lambda ref, x: _wrong_quantize(ref, x, rounding="truncate")),
        Mistake("scale_from_max", "the scale comes from the largest magnitude, max|x| / 127, not from max(x): "
                "a large negative value must fit too.", lambda ref, x: _wrong_quantize(ref, x, peak=lambda t: t.max())),
        Mistake("scale_128_wraps", "you divided by 128 and did not clip: the largest |x| becomes 128, which wraps "
                "around to −128 in int8. Use scale = max|x| / 127 and clip to [−127, 127].",
                lambda ref, x: _wrong_quantize(ref, x, levels=128.0, clip=False)),
        Mistake("scale_128", "symmetric INT8 uses the range [−127, 127]: scale = max|x| / 127, not / 128.",
                lambda ref, x: _wrong_quantize(ref, x, levels=128.0)),
        Mistake("zero_scale", "for an all-zero x, max|x| / 127 is 0 and x / 0 is NaN: use scale = 1.0 then.",
                lambda ref, x: _wrong_quantize(ref, x, zero_scale=0.0)),
        Mistake("scale_inverted", "the scale maps a step of q to x: scale = max|x| / 127 (x ≈ q · scale), "
                "not 127 / max|x|.", lambda ref, x: {"scale": 127 / x.abs().max()}),
    ),
    hint="scale = max|x| / 127 (1.0 for all zeros); q = round(x / scale), halves to even, clipped to [−127, 127], int8.",
    points=2,
))


# --------------------------------------------------------------------------- dequantize_int8
def _dequantize_cases(rng):
    return [
        Case("the quantized few weights", {"q": np.array([21, -51, 127, 108, 0, 72], dtype=np.int8),
                                           "scale": 3.0 / 127}),
        Case("the ends of the range", {"q": np.array([-127, -1, 0, 1, 127], dtype=np.int8), "scale": 0.5}),
        Case("a (4, 8) int8 matrix", {"q": rng.integers(-127, 128, size=(4, 8)).astype(np.int8),
                                      "scale": float(rng.uniform(1e-4, 1e-2))}),
        Case("scale 1.0 (all zeros)", {"q": np.zeros(5, dtype=np.int8), "scale": 1.0}),
        Case("a NumPy scale", {"q": rng.integers(-127, 128, size=7).astype(np.int8), "scale": np.float64(0.0375)}),
    ]


register(Exercise(
    name="dequantize_int8",
    signature="dequantize_int8(q, scale)",
    cases=_dequantize_cases,
    reference=lambda ref, q, scale: q.double() * float(scale),
    outputs=(Output("x"),),
    mistakes=(
        Mistake("divides", "x ≈ q · scale: multiply by the scale, do not divide.",
                lambda ref, q, scale: q.double() / float(scale)),
        Mistake("rounded", "the result is a float array q · scale: do not round it.",
                lambda ref, q, scale: ref.torch.round(q.double() * float(scale))),
        Mistake("no_scale", "multiply q by the scale: q alone is the integer code, not the value.",
                lambda ref, q: q.double()),
    ),
    hint="x = q · scale, as float64, with the shape of q.",
    points=1,
))
