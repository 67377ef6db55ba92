"""How an exercise is described: cases, a PyTorch reference, outputs with tolerances, known mistakes.

A lesson module declares each exercise once::

    register(Exercise(
        name="softmax",
        lesson="03_activations",
        signature="softmax(z)",
        cases=softmax_cases,                      # rng -> list[Case]
        reference=lambda case, ref: ref.F.softmax(ref.t(case.args[0]), dim=1),
        outputs=(Output("probs"),),
        mistakes=(Mistake("softmax over the wrong axis ...", lambda case, ref: ...),),
    ))

The default ``run`` calls the single student function with ``case.args`` and ``case.kwargs``
and unpacks its result into ``outputs``. Exercises with several objects (forward/backward pairs,
optimizer classes, training functions) give their own ``run(student, case, call)``, where
``call`` is the guarded way to invoke student code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from course.checks.compare import Tolerance


class StudentError(Exception):
    """A problem with the student's code, told in one sentence (becomes an ``AssertionError``)."""


@dataclass
class Case:
    """One input to grade on.

    ``args`` and ``kwargs`` go to the student function as they are (the guard copies them);
    ``label`` says in a message which case failed; ``data`` holds anything else the reference,
    the run or the mistakes need (targets, seeds, settings).
    """

    label: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    arg_names: Sequence[str] | None = None


@dataclass(frozen=True)
class Output:
    """One thing the student returns.

    kind: ``"float"`` (compared with a tolerance), ``"int"`` (labels, counts, 0/1: equal by value),
    ``"skip"`` (returned but not compared, like a ``cache``).
    scalar: a number rather than an array.
    tol: a tolerance that replaces the one chosen by the student's precision.
    """

    name: str
    kind: str = "float"
    scalar: bool = False
    tol: Tolerance | None = None


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong version and the hint that names it.

    ``outputs(case, ref)`` returns what the wrong version would give, as a dict keyed by output
    name (or a single value when the exercise has one output). The student is told ``hint`` when
    every output it gives agrees with theirs while the correct answer does not.
    ``applies(case)`` can restrict it to the cases where it makes sense.
    """

    hint: str
    outputs: Callable[[Case, Any], Any]
    applies: Callable[[Case], bool] | None = None


@dataclass
class Exercise:
    """Everything the engine needs to grade one exercise."""

    name: str
    lesson: str
    signature: str
    cases: Callable[[np.random.Generator], list]
    reference: Callable[[Case, Any], Any]
    outputs: tuple = (Output("out"),)
    objects: tuple = ()
    run: Callable[..., Any] | None = None
    mistakes: tuple = ()
    hint: str = ""
    numpy_only: bool = True
    time_limit: float = 10.0
    validate: Callable[..., None] | None = None
    # The answer depends on what the student's code drew (a dropout mask): the custom ``run`` records
    # it in ``case.data`` and the reference is computed after the run, from it.
    reference_after_run: bool = False

    def __post_init__(self):
        if not self.objects:
            self.objects = (self.signature.split("(")[0],)
        self.outputs = tuple(self.outputs)
        self.mistakes = tuple(self.mistakes)


_NUMBER_WORDS = {2: "two", 3: "three", 4: "four"}


def unpack(result, what: str, names=("out", "cache")) -> tuple:
    """A student's tuple result, checked to hold ``len(names)`` values, or a StudentError saying what it is."""
    from course.checks.compare import describe

    returns = "(" + ", ".join(names) + ")"
    if result is None:
        raise StudentError(f"`{what}` returned None; it should return {returns}. Did you forget a `return`?")
    n = len(names)
    if not isinstance(result, (tuple, list)) or len(result) != n:
        got = f"{len(result)} values" if isinstance(result, (tuple, list)) else describe(result)
        raise StudentError(f"`{what}` should return {_NUMBER_WORDS.get(n, n)} values, {returns}; it returned {got}.")
    return tuple(result)


_REGISTRY: dict[str, Exercise] = {}


def register(exercise: Exercise) -> Exercise:
    """Add an exercise to the catalogue (a name may be registered once)."""
    if exercise.name in _REGISTRY and _REGISTRY[exercise.name] is not exercise:
        raise ValueError(f"exercise {exercise.name!r} is registered twice")
    _REGISTRY[exercise.name] = exercise
    return exercise
