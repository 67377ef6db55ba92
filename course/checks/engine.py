"""``check(name, *objects)``: grade student objects against the PyTorch reference, case by case."""
from __future__ import annotations

import difflib
import importlib
import pkgutil
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from course.checks import compare as cmp
from course.checks.kinds import named_outputs
from course.checks.spec import _REGISTRY, Case, Exercise, StudentError

DEFAULT_SEED = 0


class CheckFailed(AssertionError):
    """A check that did not pass; the message says which case, what differs and the likely cause.

    ``exercise``, ``case`` and ``mistake`` (the stable id of the recognised mistake, or None) are
    there for programs: the class report counts them.
    """

    def __init__(self, message="", exercise=None, case=None, mistake=None):
        super().__init__(message)
        self.exercise, self.case, self.mistake = exercise, case, mistake


@dataclass
class CheckResult:
    name: str
    passed: bool
    cases: int
    seconds: float
    device: str = "cpu"
    warnings: list = field(default_factory=list)

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return f"<check {self.name!r}: {'passed' if self.passed else 'failed'}, {self.cases} cases>"

    def _ipython_display_(self):
        """The one printed line says it all; a notebook shows nothing more for the returned result."""


_LOADED = False
_LOAD_ERRORS: dict[str, str] = {}


def _load_lessons():
    """Import every lesson module once, so that each registers its exercises.

    A lesson module that fails to import does not take the others down; its error is reported
    when one of its exercises is asked for.
    """
    global _LOADED
    if _LOADED:
        return
    import course.lessons as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            try:
                importlib.import_module(f"{pkg.__name__}.{info.name}")
            except Exception as e:  # noqa: BLE001
                _LOAD_ERRORS[info.name] = f"{type(e).__name__}: {e}"
    _LOADED = True


def exercises() -> list[str]:
    """The names of all registered exercises, in lesson order."""
    _load_lessons()
    return [e.name for e in sorted(_REGISTRY.values(), key=lambda e: e.lesson)]


def get_exercise(name: str) -> Exercise:
    _load_lessons()
    if not isinstance(name, str) or name not in _REGISTRY:
        close = difflib.get_close_matches(str(name), list(_REGISTRY), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else " See course.exercises() for the list."
        broken = "".join(f" (The lesson module {m!r} could not be loaded: {err}.)" for m, err in _LOAD_ERRORS.items())
        raise CheckFailed(f"There is no exercise called {name!r}.{hint}{broken}")
    return _REGISTRY[name]


def check(name: str, *objects, seed: int | None = None, **options) -> CheckResult:
    """Grade ``objects`` (the student's functions, classes or values) for exercise ``name``.

    Prints one line and returns a passing :class:`CheckResult` when every case agrees with the
    PyTorch reference; otherwise raises :class:`CheckFailed` (an ``AssertionError``) whose message
    names the case, the difference and the likely mistake. ``seed`` draws other cases.
    """
    __tracebackhide__ = True  # noqa: F841 - pytest and IPython hide this frame
    ex = get_exercise(name)
    if options:
        raise CheckFailed(f"check() got unknown option(s) {', '.join(options)}; it takes `seed=`.")
    try:
        result = _grade(ex, objects, DEFAULT_SEED if seed is None else seed)
    except CheckFailed as e:
        raise CheckFailed(str(e), e.exercise, e.case, e.mistake) from None
    except KeyboardInterrupt:
        raise
    except Exception as e:  # a bug in the checker must never look like a pass
        raise CheckFailed(f"check({name!r}) could not finish: the checker itself failed with "
                          f"{type(e).__name__}: {e}. Please report this to your instructor "
                          f"with the output of course.doctor().") from None
    seed_txt = f", seed {seed}" if seed is not None else ""
    compared = [o for o in ex.outputs if o.kind != "skip"]
    if compared and all(o.is_bar for o in compared):
        bars = ", ".join(f"{o.label or o.name} {'≥' if o.at_least is not None else '≤'} "
                         f"{o.at_least if o.at_least is not None else o.at_most:g}" for o in compared)
        print(f"\u2713 {name}: reaches the bar ({bars}) on {result.cases} case{'s' if result.cases != 1 else ''} "
              f"({result.device}{seed_txt}).")
    else:
        print(f"\u2713 {name}: {result.cases} case{'s agree' if result.cases != 1 else ' agrees'} with PyTorch "
              f"({result.device}, float64{seed_txt}).")
    return result


def _objects_problem(ex: Exercise, objects) -> str | None:
    wanted = ", ".join(ex.objects)
    if len(objects) != len(ex.objects):
        return (f"check({ex.name!r}, ...) takes {len(ex.objects)} object{'s' if len(ex.objects) > 1 else ''}: "
                f"{wanted}; you passed {len(objects)}.")
    for obj, nm in zip(objects, ex.objects):
        if obj is None:
            return f"`{nm}` is None: run the cell that defines it, then this one."
    return None


#: The record of the last check, machine-readable (the class report collects these).
LAST_RECORD: dict = {}


def _record(ex, passed, seed, case=None, mistake=None, message=None):
    LAST_RECORD.clear()
    LAST_RECORD.update(exercise=ex.name, lesson=ex.lesson, passed=passed, seed=seed,
                       case=case.label if case is not None else None, mistake=mistake,
                       message=message)


def _grade(ex: Exercise, objects, seed: int) -> CheckResult:
    from course.checks.guard import Guard
    from course.checks.reference import get_ref, strict_precision

    problem = _objects_problem(ex, objects)
    if problem:
        _record(ex, False, seed, message=problem)
        raise CheckFailed(problem, exercise=ex.name)
    guard = Guard(ex.name, ex.numpy_only, ex.time_limit)
    if ex.validate is not None:
        try:
            ex.validate(*objects)
        except StudentError as e:
            _record(ex, False, seed, message=str(e))
            raise CheckFailed(f"check({ex.name!r}): {e}", exercise=ex.name) from None
    ref = get_ref()
    start = time.perf_counter()
    cases = [c.bind(ex.sig) for c in ex.cases(np.random.default_rng(seed))]
    kind = ex.kind

    def reference(case):
        with strict_precision(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return kind.expected(ex, case, ref)

    for case in cases:
        expected = None if kind.after_run else reference(case)
        guard.warnings = []
        mistake = None
        try:
            got = kind.run(ex, objects, case, guard, ref)
            if kind.after_run:
                expected = reference(case)
            failure, mistake = _compare(ex, case, got, expected, ref)
        except StudentError as e:
            failure = str(e)
        if failure:
            message = _message(ex, case, failure, guard.warnings)
            _record(ex, False, seed, case, mistake, message)
            raise CheckFailed(message, exercise=ex.name, case=case.label, mistake=mistake)
    _record(ex, True, seed)
    return CheckResult(ex.name, True, len(cases), time.perf_counter() - start, str(ref.device))


def _what(ex: Exercise, name: str) -> str:
    return "the result" if len(ex.outputs) == 1 else f"`{name}`"


def _output_problem(ex, out, value, expected):
    """None if this output is right; else (sentence, array-or-None)."""
    what = _what(ex, out.name)
    if out.sequence and isinstance(value, (list, tuple)) and all(
            isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in value):
        value = np.asarray(value)
    try:
        arr = cmp.as_array(value, what, scalar=out.scalar)
    except ValueError as e:
        return str(e), None
    if out.is_bar:
        return _bar_problem(out, arr, what)
    exp_shape = expected.shape if isinstance(expected, cmp.Interval) else np.shape(expected)
    if out.scalar and arr.shape != ():
        return (f"{what} should be a single number; it is an array of shape {arr.shape} "
                f"(use float(...) or .item()).", arr)
    shape_msg = cmp.shape_problem(arr, exp_shape, what[0].upper() + what[1:])
    if shape_msg:
        return shape_msg, arr
    exp_vals = expected.mid if isinstance(expected, cmp.Interval) else np.asarray(expected, float)
    if arr.dtype.kind in "fc":
        bad = ~np.isfinite(arr) & np.isfinite(exp_vals)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0]) if arr.ndim else ()
            at = f" at index {list(idx) if len(idx) > 1 else idx[0]}" if idx else ""
            return (f"{what[0].upper() + what[1:]} contains {cmp._fmt(arr[idx])}{at} where the answer is "
                    f"{cmp._fmt(exp_vals[idx])}: something overflowed or divided by zero.", arr)
    if out.kind == "int":
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr) & (arr == np.round(arr))):
            return f"{what[0].upper() + what[1:]} should hold whole numbers (labels or counts); it holds fractions.", arr
        tol = cmp.EXACT
    else:
        tol = cmp.tolerance_for(arr, out.tol)
    ok, report = cmp.value_report(arr, expected, tol)
    if not ok:
        return f"{what[0].upper() + what[1:]} has the right shape, but {report}", arr
    return None


def _bar_problem(out, arr, what):
    label = out.label or out.name
    if arr.shape != ():
        return f"{what} should be a single number; it is an array of shape {arr.shape}.", arr
    v = float(arr)
    if not np.isfinite(v):
        return f"your {label} is {v}: the model's outputs are not finite numbers.", arr
    if out.at_least is not None and not v >= out.at_least:
        return f"your {label} is {v:.4g}; the bar is at least {out.at_least:g}.", arr
    if out.at_most is not None and not v <= out.at_most:
        return f"your {label} is {v:.4g}; the bar is at most {out.at_most:g}.", arr
    return None


def _compare(ex: Exercise, case: Case, got: dict, expected: dict, ref):
    """(None, None) when every output agrees; else (the sentence, the recognised mistake's id or None)."""
    failures, arrays, typed, failed = [], {}, True, set()
    for out in ex.outputs:
        if out.kind == "skip":
            continue
        if out.name not in got:
            failures.append(f"`{out.name}` is missing from what you returned.")
            continue
        problem = _output_problem(ex, out, got[out.name], expected.get(out.name))
        if problem:
            failed.add(out.name)
            failures.append(problem[0])
            if problem[1] is not None:
                arrays[out.name] = problem[1]
            else:
                typed = False
        else:
            value = got[out.name]
            if out.sequence and isinstance(value, (list, tuple)):
                value = np.asarray(value)
            arrays[out.name] = cmp.as_array(value, out.name, scalar=out.scalar)
    if not failures:
        return None, None
    hint, mistake = _diagnose(ex, case, arrays, expected, ref, failed) if typed else (None, None)
    text = failures[0] if len(failures) == 1 else "\n  ".join(failures)
    if hint:
        text += f"\n  Likely cause: {hint}"
    return text, mistake


def mistake_outputs(ex: Exercise, m, case: Case, ref) -> dict | None:
    """What mistake ``m`` gives on ``case`` (NumPy, keyed by output), or None where it does not apply."""
    from course.checks.reference import strict_precision
    from course.checks.spec import call_named

    with strict_precision(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if m.when is not None and not call_named(m.when, ref, case):
            return None
        wrong = named_outputs(ex, ref.np(call_named(m.wrong, ref, case)))
    return wrong or None


def matching_mistake(ex: Exercise, case: Case, got: dict, expected: dict, ref):
    """The first declared mistake whose outputs agree with ``got`` and differ from the answer."""
    for m in ex.mistakes:
        try:
            wrong = mistake_outputs(ex, m, case, ref)
        except Exception:
            continue
        if not wrong:
            continue
        matched, differs = True, False
        for nm, val in wrong.items():
            if nm not in got or expected.get(nm) is None:
                matched = False
                break
            g = np.asarray(got[nm])
            tol = cmp.tolerance_for(g if g.dtype.kind == "f" else np.zeros(1))
            if not cmp.close(got[nm], val, tol):
                matched = False
                break
            if not cmp.close(val, expected[nm], cmp.FLOAT64):
                differs = True
        if matched and differs:
            return m
    return None


def _diagnose(ex: Exercise, case: Case, got: dict, expected: dict, ref, failed=None):
    """Name the mistake: a known wrong version that matches, else a generic pattern. -> (hint, id)"""
    m = matching_mistake(ex, case, got, expected, ref)
    if m is not None:
        return m.hint, ex.mistake_id(m)
    for out in ex.outputs:
        if failed is not None and out.name not in failed:
            continue  # a right output is its own transpose when it is 1 x 1: say nothing about it
        if out.name in got and out.kind == "float" and not out.is_bar \
                and not isinstance(expected.get(out.name), cmp.Interval):
            hint = _generic_hint(np.asarray(got[out.name], float), np.asarray(expected[out.name], float))
            if hint:
                return hint, None
    return (ex.hint or None), None


def _generic_hint(g: np.ndarray, e: np.ndarray) -> str | None:
    tol = cmp.FLOAT32
    if g.shape != e.shape or not np.all(np.isfinite(g)) or not np.any(e):
        if g.ndim == 2 and g.shape == e.T.shape and np.all(np.isfinite(g)) and cmp.close(g, e.T, tol):
            return "your result is the transpose of the answer."
        return None
    if cmp.close(g, -e, tol):
        return "your result has the opposite sign: check the sign of your update or gradient."
    if g.ndim == 2 and g.shape[0] == g.shape[1] and cmp.close(g, e.T, tol):
        return "your result is the transpose of the answer."
    mask = np.abs(e) > 1e-8
    # With a single nonzero value any wrong number is "c times the answer": say nothing then.
    if mask.sum() >= 2:
        with np.errstate(all="ignore"):
            ratios = g[mask] / e[mask]
        c = float(np.median(ratios))
        if np.isfinite(c) and abs(c - 1) > 1e-3 and c != 0 and cmp.close(g, c * e, tol):
            return (f"your result is the answer times {cmp._fmt(c)}: a missing or extra scale factor "
                    f"(a 1/N average, a 2 from the derivative of a square, a learning rate?).")
    return None


def _inputs_text(case: Case) -> str:
    items = case.inputs.items() if case.inputs else zip(
        case.arg_names or [f"arg{i + 1}" for i in range(len(case.args))], case.args)
    parts = []
    for k, v in items:
        parts.append(f"{k} = {repr(v) if isinstance(v, (bool, int, float, str)) else cmp.describe(v)}")
    return "; ".join(parts)


def _message(ex: Exercise, case: Case, failure: str, warns: list) -> str:
    lines = [f"check({ex.name!r}) failed on the case \"{case.label}\"."]
    inputs = _inputs_text(case)
    if inputs:
        lines.append(f"  Inputs: {inputs}")
    lines.append("  " + failure)
    if warns:
        lines.append("  While your code ran: " + "; ".join(warns[:3]))
    return "\n".join(lines)
