"""How an exercise is described: its signature, cases, a PyTorch reference, outputs, known mistakes.

A lesson declares each exercise once, in the module of its group of exercises::

    register(Exercise(
        name="softmax",
        signature="softmax(z)",                        # the contract: names and defaults come from here
        cases=softmax_cases,                           # rng -> list[Case], arguments given by name
        reference=lambda ref, z: ref.F.softmax(z, dim=1),
        outputs=(Output("probs"),),
        mistakes=(
            Mistake("no_max_shift", "subtract the row maximum before exp ...",
                    lambda ref, z: ...),
        ),
        points=2, hidden_seeds=(1, 2),
    ))

**One calling convention.** References, mistakes and ``when`` conditions are functions whose
parameters are *names*: ``ref`` (the referee, :class:`course.checks.reference.Ref`), any argument
of the signature (its value in the case, or its default), any key of ``case.data``, and ``case``
itself. Each gets only the names it asks for. Arrays arrive as float64 tensors on the reference
device (integer and boolean arrays as int64 tensors, dicts of arrays as dicts of tensors); numbers,
functions and generators arrive as they are. A function whose first parameter is ``case`` and whose
second is ``ref`` is called the older way, ``fn(case, ref)``.

**Kinds.** What the engine does with the student's objects is the exercise's ``kind`` (see
:mod:`course.checks.kinds`): a single function (the default), a forward/backward :class:`Layer`
pair over a cache, an :class:`Optimizer` class compared by trajectory, a :class:`Training` function
graded by its outcome, or a :class:`Custom` run for an exercise unlike the others.
"""
from __future__ import annotations

import ast
import inspect
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from course.checks.compare import Tolerance


class StudentError(Exception):
    """A problem with the student's code, told in one sentence (becomes an ``AssertionError``)."""


_NO_DEFAULT = inspect.Parameter.empty


@dataclass(frozen=True)
class Signature:
    """One student object as the catalogue writes it: ``"perceptron_train(X, y, lr=1.0, epochs=10)"``.

    ``name`` is the object's name (a function, a class, or a value such as ``gate_weights``),
    ``params`` the argument names in order, ``defaults`` those with a default value.
    ``callable`` is False for a plain value (no parentheses).
    """

    text: str
    name: str
    params: tuple
    defaults: dict
    callable: bool = True

    @classmethod
    def parse(cls, text: str) -> "Signature":
        text = text.strip()
        if "(" not in text:
            if not text.isidentifier():
                raise ValueError(f"not a signature: {text!r}")
            return cls(text, text, (), {}, callable=False)
        tree = ast.parse(f"def {text}: pass")
        fn = tree.body[0]
        args = fn.args
        if args.vararg or args.kwarg:
            raise ValueError(f"a catalogue signature names every argument: {text!r}")
        names = [a.arg for a in args.posonlyargs + args.args] + [a.arg for a in args.kwonlyargs]
        positional = [a.arg for a in args.posonlyargs + args.args]
        defaults = {}
        for a, d in zip(positional[len(positional) - len(args.defaults):], args.defaults):
            defaults[a] = ast.literal_eval(d)
        for a, d in zip(args.kwonlyargs, args.kw_defaults):
            if d is not None:
                defaults[a] = ast.literal_eval(d)
        return cls(text, fn.name, tuple(names), defaults)

    @property
    def required(self) -> tuple:
        return tuple(p for p in self.params if p not in self.defaults)


@dataclass
class Case:
    """One input to grade on.

    ``args`` gives the student's arguments **by name** as a dict (``{"x": x, "alpha": 0.1}``); the
    arguments it leaves out take their default from the signature. (A tuple is read in signature
    order.) Required arguments are passed by position and the others by keyword, or all by
    position when ``positional`` is True. ``label`` says in a message which case failed; ``data``
    holds what the reference, the kind or the mistakes need besides the arguments (targets, a
    ``dout``, settings).
    """

    label: str
    args: Any = ()
    kwargs: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    positional: bool = False
    arg_names: Sequence[str] | None = None  # older specs; the names now come from the signature

    # filled by ``bind``
    inputs: dict = field(default_factory=dict, repr=False)  # what the student receives, by name
    named: dict = field(default_factory=dict, repr=False)   # every argument, defaults filled in

    def bind(self, sig: Signature) -> "Case":
        """Resolve the arguments against the signature: ``inputs``, ``named`` and the call's args/kwargs."""
        if self.inputs or not sig.callable:
            return self
        if isinstance(self.args, dict):
            given = dict(self.args)
        else:
            names = list(self.arg_names) if self.arg_names else list(sig.params)
            given = dict(zip(names, self.args))
        given.update(self.kwargs)
        unknown = [k for k in given if k not in sig.params]
        if unknown:
            raise TypeError(f"case {self.label!r} gives {unknown}, not in {sig.text}")
        missing = [p for p in sig.required if p not in given]
        if missing and isinstance(self.args, dict):
            raise TypeError(f"case {self.label!r} lacks {missing} of {sig.text}")
        self.inputs = {p: given[p] for p in sig.params if p in given}
        self.named = {p: given.get(p, sig.defaults.get(p)) for p in sig.params}
        if not isinstance(self.args, dict):
            pass  # given positionally: passed on as given
        elif self.positional:
            self.args, self.kwargs = tuple(self.inputs.values()), {}
        else:
            self.args = tuple(given[p] for p in sig.params if p in sig.required)
            self.kwargs = {p: given[p] for p in sig.params if p not in sig.required and p in given}
        self.arg_names = list(sig.params[:len(self.args)])
        return self


@dataclass(frozen=True)
class Output:
    """One thing the student returns.

    kind: ``"float"`` (compared with a tolerance), ``"int"`` (labels, counts, 0/1: equal by value),
    ``"skip"`` (returned but not compared, like a ``cache``).
    scalar: a number rather than an array.
    tol: a tolerance that replaces the one chosen by the student's precision.
    at_least / at_most: a bar instead of a reference value (a trained model's score): the output
    passes when it reaches the bar; ``label`` names it in the message ("test AUC").
    sequence: a list of numbers is as good as an array (a count per epoch built with ``append``).
    """

    name: str
    kind: str = "float"
    scalar: bool = False
    tol: Tolerance | None = None
    at_least: float | None = None
    at_most: float | None = None
    label: str | None = None
    sequence: bool = False  # a Python list of numbers is accepted (``errors.append(...)``)

    @property
    def is_bar(self) -> bool:
        return self.at_least is not None or self.at_most is not None


class Mistake:
    """A plausible wrong version, the hint that names it, and its stable id.

    ``id``: short and stable (``"no_max_shift"``); the engine qualifies it with the exercise's name
    (``"softmax.no_max_shift"``), and the class report counts it. Several declarations may share
    an id when they are the same mistake (the same wrong default for different values).
    ``wrong``: what the wrong version returns, in torch, under the named-argument convention of
    this module: one value for a one-output exercise, else a dict keyed by output name (a subset
    of the outputs is fine: only those are compared).
    ``when``: a condition on the case, same convention; the mistake is tried only where it holds.

    The student is told ``hint`` when every output the mistake gives agrees with theirs while the
    correct answer does not.
    """

    __slots__ = ("id", "hint", "wrong", "when", "legacy")

    def __init__(self, id, hint=None, wrong=None, when=None, *, applies=None):
        self.legacy = callable(hint)
        if self.legacy:  # the older form Mistake(hint, outputs, applies)
            id, hint, wrong, when = _slug(id), id, hint, (wrong if wrong is not None else when)
        when = applies if applies is not None else when
        if not isinstance(id, str) or not isinstance(hint, str) or not callable(wrong):
            raise TypeError("Mistake(id, hint, wrong, when=None): a string id, a string hint, a function")
        self.id, self.hint, self.wrong, self.when = id, hint, wrong, when

    def __repr__(self):
        return f"Mistake({self.id!r})"

    # older spelling
    @property
    def outputs(self):
        return self.wrong

    @property
    def applies(self):
        return self.when


def _slug(text: str) -> str:
    words = [w for w in "".join(c if c.isalnum() else " " for c in text.lower()).split() if len(w) > 2][:5]
    return "_".join(words) or "mistake"


@dataclass
class Exercise:
    """Everything the engine needs to grade one exercise.

    ``signature``: one catalogue signature per student object, in the order ``check`` takes them
    (a string, or a tuple of strings); the objects' names come from it. For a :class:`Layer` the
    backward signature is the kind's. ``lesson`` is filled in from the package of the module that
    registers the exercise. ``points`` and ``hidden_seeds`` are its test cell in the notebook.
    """

    name: str
    signature: Any
    cases: Callable[[np.random.Generator], list]
    reference: Callable[..., Any] | None = None
    outputs: tuple = (Output("out"),)
    kind: Any = None
    mistakes: tuple = ()
    hint: str = ""
    numpy_only: bool = True
    time_limit: float = 10.0
    validate: Callable[..., None] | None = None
    points: int = 1
    hidden_seeds: tuple = (1, 2)
    lesson: str = ""
    # older specs
    objects: tuple = ()
    run: Callable[..., Any] | None = None
    reference_after_run: bool = False

    def __post_init__(self):
        from course.checks import kinds

        texts = (self.signature,) if isinstance(self.signature, str) else tuple(self.signature)
        if len(texts) == 1 and "(" not in texts[0] and "," in texts[0]:  # older specs: "fwd, bwd"
            texts = tuple(t.strip() for t in texts[0].split(","))
        self.signatures = tuple(Signature.parse(s) for s in texts)
        if self.kind is None:
            self.kind = kinds.Custom(self.run, after_run=self.reference_after_run) if self.run else kinds.Function()
        extra = self.kind.extra_signatures()
        self.signatures = self.signatures[:1] + tuple(extra) + self.signatures[1:]
        names = tuple(s.name for s in self.signatures)
        if self.objects and tuple(self.objects) != names:
            # an older spec naming its objects by hand: they must agree with the signatures
            if len(self.objects) != len(names):
                self.signatures = tuple(Signature.parse(o) for o in self.objects)
        self.objects = tuple(s.name for s in self.signatures)
        self.outputs = tuple(self.outputs)
        self.mistakes = tuple(self.mistakes)
        seen = {}
        for m in self.mistakes:
            seen.setdefault(m.id, m)

    @property
    def sig(self) -> Signature:
        """The signature the cases are bound to (the first object's)."""
        return self.signatures[0]

    def mistake_id(self, m: Mistake) -> str:
        return f"{self.name}.{m.id}"

    def grade_cell(self) -> str:
        """The source of this exercise's nbgrader test cell, written from the registry."""
        call = ", ".join([repr(self.name).replace("'", '"'), *self.objects])
        lines = [f"check({call})"]
        if self.hidden_seeds:
            lines.append("### BEGIN HIDDEN TESTS")
            lines += [f"check({call}, seed={s})" for s in self.hidden_seeds]
            lines.append("### END HIDDEN TESTS")
        return "\n".join(lines)


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
    """Add an exercise to the catalogue (a name may be registered once).

    The lesson is the ``LESSON`` of the package that holds the registering module.
    """
    if not exercise.lesson:
        caller = sys._getframe(1).f_globals.get("__name__", "")
        exercise.lesson = lesson_of_module(caller)
    if exercise.name in _REGISTRY and _REGISTRY[exercise.name] is not exercise:
        raise ValueError(f"exercise {exercise.name!r} is registered twice")
    _REGISTRY[exercise.name] = exercise
    return exercise


def lesson_of_module(module: str) -> str:
    """``course.lessons.cnn.layers`` -> the ``LESSON`` of ``course.lessons.cnn`` ("06_cnn")."""
    parts = module.split(".")
    for i in range(len(parts), 0, -1):
        mod = sys.modules.get(".".join(parts[:i]))
        lesson = getattr(mod, "LESSON", None)
        if isinstance(lesson, str):
            return lesson
    raise ValueError(f"{module} is not inside a lesson package with a LESSON name")


def call_named(fn, ref, case: Case, extra: dict | None = None, convert=True):
    """Call a reference, mistake or condition with the names it asks for (see the module's docstring)."""
    params = _params(fn)
    if len(params) >= 2 and params[0] == "case" and params[1] == "ref":
        return fn(case, ref)
    pool = {}
    pool.update(case.named or {})
    pool.update(case.data)
    extra = extra or {}
    kwargs = {}
    takes_all = params and params[-1] == "**"
    for p in ([*pool, *extra] if takes_all else params):
        if p in ("**",):
            continue
        if p == "ref":
            kwargs[p] = ref
        elif p == "case":
            kwargs[p] = case
        elif p in extra:
            kwargs[p] = extra[p]
        elif p in pool:
            kwargs[p] = to_torch(pool[p], ref) if (convert and ref is not None) else pool[p]
        elif p in _OPTIONAL.get(fn, ()):
            continue
        else:
            raise TypeError(f"{getattr(fn, '__name__', fn)} asks for {p!r}, which case {case.label!r} does not have")
    if takes_all and "ref" in params:
        kwargs["ref"] = ref
    return fn(**kwargs)


_OPTIONAL: dict = {}
_PARAMS_CACHE: dict = {}


def _params(fn) -> list:
    try:
        return _PARAMS_CACHE[fn]
    except (KeyError, TypeError):
        pass
    out = []
    for p in inspect.signature(fn).parameters.values():
        if p.kind == p.VAR_KEYWORD:
            out.append("**")
        elif p.kind != p.VAR_POSITIONAL:
            out.append(p.name)
    try:
        _PARAMS_CACHE[fn] = out
        _OPTIONAL[fn] = tuple(p.name for p in inspect.signature(fn).parameters.values()
                              if p.default is not p.empty)
    except TypeError:
        pass
    return out


def to_torch(value, ref):
    """An argument as a reference sees it: arrays as tensors, dicts of arrays as dicts of tensors."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iub":
            return ref.long(value)
        if value.dtype.kind == "f":
            return ref.t(value)
        return value
    if isinstance(value, dict) and value and all(isinstance(v, np.ndarray) for v in value.values()):
        return {k: to_torch(v, ref) for k, v in value.items()}
    return value
