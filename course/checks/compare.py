"""Comparing a student's output with the reference: type, shape, finiteness, then values.

Every function here returns ``None`` when the output is acceptable and a sentence when it is not,
so the engine can stop at the first problem and say what it is.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Tolerance:
    """Elementwise ``|got - expected| <= atol + rtol * |expected|`` (as ``torch.testing.assert_close``)."""

    rtol: float
    atol: float
    name: str

    def close(self, got, expected):
        with np.errstate(all="ignore"):
            close = np.abs(got - expected) <= self.atol + self.rtol * np.abs(expected)
            # An infinite answer is matched only by the same infinity (rtol·inf would accept anything).
            return np.where(np.isfinite(expected), close, np.asarray(got) == np.asarray(expected))


# A float64 answer must agree to about eight significant digits.
FLOAT64 = Tolerance(rtol=1e-7, atol=1e-9, name="float64")
# A float32 answer is held to what float32 arithmetic can reach, never looser.
FLOAT32 = Tolerance(rtol=2e-4, atol=1e-5, name="float32")
# Counts, labels, 0/1 outputs: equal by value.
EXACT = Tolerance(rtol=0.0, atol=0.0, name="exact")


def tolerance_for(got: np.ndarray, override: Tolerance | None = None) -> Tolerance:
    """The named tolerance for an answer: the spec's own, else by the precision the student used."""
    if override is not None:
        return override
    if got.dtype in (np.float32, np.float16):
        return FLOAT32
    return FLOAT64


@dataclass(frozen=True)
class Interval:
    """An expected value that may lie anywhere in ``[low, high]`` elementwise.

    Used where a function has no derivative (ReLU at 0): any subgradient is accepted.
    """

    low: np.ndarray
    high: np.ndarray

    @property
    def shape(self):
        return np.shape(self.low)

    @property
    def mid(self):
        return (np.asarray(self.low, float) + np.asarray(self.high, float)) / 2


def describe(value) -> str:
    """A short description of any value, for messages: type, dtype, shape, range."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        if value.size and np.issubdtype(value.dtype, np.number) and not np.iscomplexobj(value):
            with np.errstate(all="ignore"):
                finite = value[np.isfinite(value)] if value.dtype.kind == "f" else value
                rng = f", values in [{_fmt(finite.min())}, {_fmt(finite.max())}]" if finite.size else ""
            return f"{value.dtype} array of shape {value.shape}{rng}"
        return f"{value.dtype} array of shape {value.shape}"
    if isinstance(value, (bool, np.bool_)):
        return f"bool {value}"
    if isinstance(value, (int, float, np.number)):
        return f"{type(value).__name__} {_fmt(value)}"
    if isinstance(value, dict):
        return "dict with keys " + ", ".join(repr(k) for k in value)
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of length {len(value)}"
    return type(value).__name__


def _fmt(x) -> str:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return repr(x)
    if x != x or x in (float("inf"), float("-inf")):
        return str(x)
    if x == int(x) and abs(x) < 1e6:
        return str(int(x))
    return f"{x:.6g}"


def _fmt_pair(expected, got) -> tuple:
    """Both numbers with enough significant digits to tell them apart (6 when that is enough)."""
    e, g = _fmt(expected), _fmt(got)
    if e != g:
        return e, g
    for digits in range(7, 18):
        e, g = f"{float(expected):.{digits}g}", f"{float(got):.{digits}g}"
        if e != g:
            return e, g
    return e, g


def _kind_name(value) -> str:
    mod = type(value).__module__.split(".")[0]
    if mod == "torch":
        return "a torch tensor"
    if isinstance(value, list):
        return "a Python list"
    if isinstance(value, tuple):
        return "a tuple"
    if isinstance(value, dict):
        return "a dict"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


def as_array(value, what: str, scalar: bool = False):
    """Turn a student's output into a NumPy array (0-d for a scalar), or raise ``ValueError`` with a sentence."""
    if value is None:
        raise ValueError(f"{what[0].upper() + what[1:]} is None: did you forget a `return` statement?")
    if type(value).__module__.split(".")[0] == "torch":
        raise ValueError(f"{what[0].upper() + what[1:]} is a torch tensor; this exercise is NumPy: return a NumPy "
                         f"{'number' if scalar else 'array'}.")
    if scalar:
        if isinstance(value, (bool, int, float, np.number, np.bool_)):
            return np.asarray(value)
        if isinstance(value, np.ndarray) and value.ndim == 0:
            return value
        if isinstance(value, np.ndarray):
            return np.asarray(value)  # shape is checked by the caller, with a better sentence
        raise ValueError(f"{what[0].upper() + what[1:]} is {_kind_name(value)}; it should be a number.")
    if not isinstance(value, np.ndarray):
        if isinstance(value, (int, float, bool, np.number, np.bool_)):
            return np.asarray(value)
        raise ValueError(f"{what[0].upper() + what[1:]} is {_kind_name(value)}; it should be a NumPy array "
                         f"(wrap it with np.array(...) or build it with NumPy operations).")
    if value.dtype == object:
        raise ValueError(f"{what[0].upper() + what[1:]} is a NumPy array of dtype object; it should hold numbers "
                         f"(did you build it from a list of arrays or of None?).")
    if not (np.issubdtype(value.dtype, np.number) or value.dtype == np.bool_):
        raise ValueError(f"{what[0].upper() + what[1:]} has dtype {value.dtype}; it should hold numbers.")
    return value


def shape_problem(got: np.ndarray, expected_shape: tuple, what: str) -> str | None:
    """A sentence if the shape is wrong, with the likely reason."""
    got_shape = tuple(np.shape(got))
    expected_shape = tuple(expected_shape)
    if got_shape == expected_shape:
        return None
    msg = f"{what} has shape {got_shape}, expected {expected_shape}."
    if got_shape == expected_shape[::-1] and len(expected_shape) > 1:
        msg += " It looks transposed."
    elif int(np.prod(got_shape)) == int(np.prod(expected_shape)):
        squeezed = tuple(d for d in got_shape if d != 1)
        if squeezed == tuple(d for d in expected_shape if d != 1):
            msg += (" The same numbers with an extra or missing axis of length 1: check keepdims, "
                    "reshape, or a column vector where a flat array is wanted.")
    elif got_shape == ():
        msg += " You returned a single number: did you sum or average over everything?"
    elif len(got_shape) == len(expected_shape) - 1 or len(got_shape) == len(expected_shape) + 1:
        msg += " One axis too many or too few: check the axis you reduce over."
    return msg


def value_report(got: np.ndarray, expected, tol: Tolerance) -> tuple[bool, str]:
    """Compare values; return (ok, report). The report names the first mismatch and the errors."""
    if isinstance(expected, Interval):
        low, high = np.asarray(expected.low, float), np.asarray(expected.high, float)
        g = np.asarray(got, float)
        slack = tol.atol + tol.rtol * np.maximum(np.abs(low), np.abs(high))
        with np.errstate(all="ignore"):
            ok = (g >= low - slack) & (g <= high + slack)
        ref = np.where(g < low, low, np.where(g > high, high, g))
    else:
        ref = np.asarray(expected, float)
        g = np.asarray(got, float)
        ok = tol.close(g, ref) | (g == ref)  # equal infinities agree too
        ok = ok | (np.isnan(ref) & np.isnan(g))
    ok = np.asarray(ok)
    if ok.all():
        return True, ""
    bad = np.argwhere(~ok) if ok.ndim else np.zeros((1, 0), int)
    first = tuple(int(i) for i in bad[0])
    with np.errstate(all="ignore"):
        abs_err = np.abs(g - ref)
        nonzero = np.abs(ref) > 0
        rel_err = np.where(nonzero, abs_err / np.where(nonzero, np.abs(ref), 1.0), np.nan)
    where = f" at index {list(first) if len(first) > 1 else first[0]}" if first else ""
    if isinstance(expected, Interval):
        lo, hi = np.asarray(low)[first], np.asarray(high)[first]
        exp_txt = _fmt(lo) if lo == hi else f"any value in [{_fmt(lo)}, {_fmt(hi)}] (no derivative there)"
    else:
        exp_txt, got_txt = _fmt_pair(ref[first], g[first])
    if isinstance(expected, Interval):
        got_txt = _fmt(g[first])
    n_bad, n = int((~ok).sum()), int(ok.size)
    report = (f"first mismatch{where}: expected {exp_txt}, got {got_txt}; "
              f"max abs error {_fmt(np.nanmax(abs_err)) if np.isfinite(abs_err).any() else 'nan'}, "
              f"max rel error {_fmt(np.nanmax(rel_err)) if np.isfinite(rel_err).any() else 'n/a'}; "
              f"{n_bad} of {n} value{'s' if n != 1 else ''} wrong (tolerance: {tol.name}, "
              f"rtol={tol.rtol:g}, atol={tol.atol:g}).")
    return False, report


def close(got, expected, tol: Tolerance) -> bool:
    """True when ``got`` has the expected shape and values (used to recognise known mistakes)."""
    try:
        g = np.asarray(got, float)
    except (TypeError, ValueError):
        return False
    if isinstance(expected, Interval):
        if g.shape != tuple(expected.shape):
            return False
        return value_report(g, expected, tol)[0]
    e = np.asarray(expected, float)
    if g.shape != e.shape:
        return False
    return value_report(g, e, tol)[0]


def require_keys(value, keys, what: str):
    """``value`` must be a dict holding every key in ``keys``; else ``ValueError`` with a sentence."""
    if not isinstance(value, dict):
        wanted = ", ".join(repr(k) for k in keys)
        raise ValueError(f"{what} should be a dict with keys {wanted}; it is {type(value).__name__}.")
    missing = [k for k in keys if k not in value]
    if missing:
        raise ValueError(f"{what} is missing the key(s) {', '.join(map(repr, missing))}.")
    return value
