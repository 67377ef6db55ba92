"""Assertions for grader tests: a right implementation must pass, a wrong one must fail with its hint."""
from __future__ import annotations

import contextlib
import io
import warnings

import pytest

from course import check

SEEDS = (0, 1, 2)


def run_quietly(name, *objects, **options):
    """Run a check and return (result or exception, stdout, stderr, warnings)."""
    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        warnings.simplefilter("always")
        try:
            result = check(name, *objects, **options)
        except AssertionError as e:
            result = e
    return result, out.getvalue(), err.getvalue(), caught


def assert_passes(name, *objects, seeds=SEEDS):
    """The check passes for every seed, prints one line and writes nothing to stderr."""
    for seed in seeds:
        result, out, err, caught = run_quietly(name, *objects, seed=seed)
        if isinstance(result, AssertionError):
            pytest.fail(f"a correct implementation failed check({name!r}, seed={seed}):\n{result}")
        assert result.passed
        assert out.count("\n") == 1 and name in out, out
        assert err == "", err
        assert not caught, [str(w.message) for w in caught]


def assert_fails(name, *objects, hint: str | None = None, seeds=(0,), mistake: str | None = None):
    """The check fails (an AssertionError), with ``hint`` in its message when given; nothing on stderr.

    ``mistake``: the stable id the failure must carry (``"softmax.no_max_shift"``), pairing this wrong
    implementation with the declared mistake that recognises it.
    """
    messages = []
    for seed in seeds:
        result, out, err, caught = run_quietly(name, *objects, seed=seed)
        if not isinstance(result, AssertionError):
            pytest.fail(f"a wrong implementation passed check({name!r}, seed={seed})")
        message = str(result)
        assert err == "", err
        assert not caught, [str(w.message) for w in caught]
        assert "Traceback" not in message
        if hint is not None:
            assert hint.lower() in message.lower(), f"expected the hint {hint!r} in:\n{message}"
        if mistake is not None:
            assert getattr(result, "mistake", None) == mistake, (
                f"expected the mistake {mistake!r}, got {getattr(result, 'mistake', None)!r}:\n{message}")
        messages.append(message)
    return messages[0]
