"""Lesson 00 (introduction): right implementations pass, plausible wrong ones fail with their hint."""
from __future__ import annotations

import numpy as np
import pytest

from checkhelpers import assert_fails, assert_passes


# --------------------------------------------------------------------------- credit_rule
def credit_vec(income, savings, theta1, theta2):
    return ((income > theta1) & (savings > theta2)).astype(int)


def credit_loops(income, savings, theta1, theta2):
    out = np.zeros(np.shape(income))
    for idx in np.ndindex(out.shape):
        if income[idx] > theta1 and savings[idx] > theta2:
            out[idx] = 1.0
    return out


def credit_bool(income, savings, theta1, theta2):  # booleans are 0/1 by value
    return np.logical_and(np.greater(income, theta1), np.greater(savings, theta2))


def credit_f32(income, savings, theta1, theta2):
    return np.where((income > theta1) & (savings > theta2), 1, 0).astype(np.float32)


@pytest.mark.parametrize("fn", [credit_vec, credit_loops, credit_bool, credit_f32])
def test_credit_rule_right(fn):
    assert_passes("credit_rule", fn)


def test_credit_rule_wrong():
    assert_fails("credit_rule", lambda income, savings, theta1, theta2: ((income >= theta1) & (savings >= theta2)) * 1,
                 hint="strict", mistake="credit_rule.ge")
    assert_fails("credit_rule", lambda income, savings, theta1, theta2: ((income > theta1) | (savings > theta2)) * 1,
                 hint="AND", mistake="credit_rule.or_rule")
    assert_fails("credit_rule", lambda income, savings, theta1, theta2: ((income > theta2) & (savings > theta1)) * 1,
                 hint="swapped", mistake="credit_rule.swapped")
    assert_fails("credit_rule", lambda income, savings, theta1, theta2: ((income <= theta1) | (savings <= theta2)) * 1,
                 hint="high risk", mistake="credit_rule.inverted")
    assert_fails("credit_rule", lambda income, savings, theta1, theta2: (income > theta1) * 1,
                 hint="savings too", mistake="credit_rule.income_only")
    assert_fails("credit_rule", lambda income, savings, theta1, theta2: None, hint="None")
    assert_fails("credit_rule", lambda income, savings, theta1, theta2: [1, 0], hint="list")


# --------------------------------------------------------------------------- quantize_int8
def quantize_vec(x):
    m = np.abs(x).max()
    scale = m / 127 if m > 0 else 1.0
    return np.clip(np.round(x / scale), -127, 127).astype(np.int8), scale


def quantize_loops(x):
    m = max((abs(float(v)) for v in x.ravel()), default=0.0)
    scale = m / 127 if m else 1.0
    q = np.zeros(x.shape, dtype=np.int8)
    for idx in np.ndindex(x.shape):
        q[idx] = int(min(127, max(-127, round(x[idx] / scale))))  # Python's round is half to even too
    return q, float(scale)


def quantize_rint(x):
    scale = np.max(np.abs(x)) / 127.0
    if scale == 0:
        scale = np.float64(1.0)
    return np.rint(x / scale).clip(-127, 127).astype(np.int8), scale


@pytest.mark.parametrize("fn", [quantize_vec, quantize_loops, quantize_rint])
def test_quantize_int8_right(fn):
    assert_passes("quantize_int8", fn)


def quantize_with(levels=127, rounding=np.round, clip=True, peak=lambda x: np.abs(x).max(), zero_scale=1.0):
    def quantize_int8(x):
        m = peak(x)
        scale = m / levels if m > 0 else zero_scale
        with np.errstate(all="ignore"):
            v = rounding(x / scale) if scale else np.zeros_like(x)
        v = np.clip(v, -127, 127) if clip else v
        return v.astype(np.int64).astype(np.int8), scale
    return quantize_int8


def test_quantize_int8_wrong():
    assert_fails("quantize_int8", quantize_with(rounding=lambda v: np.floor(v + 0.5)), hint="halves to even",
                 mistake="quantize_int8.round_half_up")
    assert_fails("quantize_int8", quantize_with(rounding=lambda v: np.sign(v) * np.floor(np.abs(v) + 0.5)),
                 hint="away from zero", mistake="quantize_int8.round_half_away")
    assert_fails("quantize_int8", quantize_with(rounding=lambda v: v), hint="truncates", mistake="quantize_int8.truncate")
    assert_fails("quantize_int8", quantize_with(peak=np.max), hint="largest magnitude",
                 mistake="quantize_int8.scale_from_max")
    assert_fails("quantize_int8", quantize_with(levels=128, clip=False), hint="wraps",
                 mistake="quantize_int8.scale_128_wraps")
    assert_fails("quantize_int8", quantize_with(levels=128), hint="not / 128", mistake="quantize_int8.scale_128")
    assert_fails("quantize_int8", quantize_with(zero_scale=0.0), hint="scale = 1.0", mistake="quantize_int8.zero_scale")
    assert_fails("quantize_int8", lambda x: (np.round(x * np.abs(x).max() / 127).astype(np.int8), 127 / np.abs(x).max()),
                 hint="not 127 / max|x|", mistake="quantize_int8.scale_inverted")
    # rounding and clipping right but never cast: the codes are floats
    assert_fails("quantize_int8", lambda x: (quantize_vec(x)[0].astype(float), quantize_vec(x)[1]), hint="int8")
    assert_fails("quantize_int8", lambda x: quantize_vec(x)[0], hint="two values")


def test_no_clip_alone_cannot_fail():
    """With scale = max|x| / 127, |x / scale| never exceeds 127: leaving the clip out changes nothing
    (it matters only with a wrong scale, which the check names)."""
    assert_passes("quantize_int8", quantize_with(clip=False))


# --------------------------------------------------------------------------- dequantize_int8
@pytest.mark.parametrize("fn", [
    lambda q, scale: q * scale,
    lambda q, scale: q.astype(np.float64) * float(scale),
    lambda q, scale: np.array([float(v) * scale for v in q.ravel()]).reshape(q.shape),
    lambda q, scale: (q.astype(np.float32) * np.float32(scale)),
])
def test_dequantize_int8_right(fn):
    assert_passes("dequantize_int8", fn)


def test_dequantize_int8_wrong():
    assert_fails("dequantize_int8", lambda q, scale: q / scale, hint="do not divide", mistake="dequantize_int8.divides")
    assert_fails("dequantize_int8", lambda q, scale: np.round(q * scale), hint="do not round",
                 mistake="dequantize_int8.rounded")
    assert_fails("dequantize_int8", lambda q, scale: q.astype(float), hint="integer code", mistake="dequantize_int8.no_scale")
    assert_fails("dequantize_int8", lambda q, scale: None, hint="None")


def test_round_trip_error_is_at_most_half_a_step():
    rng = np.random.default_rng(0)
    x = rng.normal(scale=0.1, size=1000)
    q, scale = quantize_vec(x)
    assert q.nbytes * 8 == x.nbytes and np.abs(q * scale - x).max() <= scale / 2 + 1e-15
