"""Running student code safely: copied inputs, no torch in NumPy exercises, a time limit,
warnings and stderr captured, and every way of going wrong turned into one sentence."""
from __future__ import annotations

import contextlib
import copy
import io
import os
import signal
import sys
import threading
import time
import traceback
import warnings

import numpy as np

from course.checks.spec import StudentError

_COURSE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _TimeUp(BaseException):
    """Raised inside student code when its time is up (BaseException, so `except Exception` can't eat it)."""


class _TorchUsed(BaseException):
    """Raised when a NumPy exercise calls into torch."""


def _no_torch_mode():
    """A context in which any torch operation raises ``_TorchUsed`` (a TorchFunctionMode)."""
    if "torch" not in sys.modules:
        return contextlib.nullcontext()
    from torch.overrides import TorchFunctionMode

    class NoTorch(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            raise _TorchUsed(getattr(func, "__name__", str(func)))

    return NoTorch()


@contextlib.contextmanager
def _time_limit(seconds: float | None):
    """Stop the code in the block after ``seconds`` (main thread only; elsewhere no limit)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    if hasattr(signal, "setitimer"):
        def on_alarm(signum, frame):
            raise _TimeUp()

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return
    # Windows: interrupt the main thread from a timer.
    import _thread

    fired = threading.Event()

    def interrupt():
        fired.set()
        _thread.interrupt_main()

    timer = threading.Timer(seconds, interrupt)
    timer.start()
    try:
        yield
    except KeyboardInterrupt:
        if fired.is_set():
            raise _TimeUp() from None
        raise
    finally:
        timer.cancel()


def safe_copy(value):
    """A deep copy of an input, or the value itself if it cannot be copied (a function, a module)."""
    try:
        return copy.deepcopy(value)
    except Exception:
        return value


def same(a, b, _depth=0) -> bool:
    """Whether an input is unchanged after the call, for any value.

    Arrays are compared by value (NaN equal to NaN), containers element by element, numbers by
    value (NaN equal to NaN), and plain objects (a layer instance, a ``SimpleNamespace`` cache)
    by their attributes, so an untouched object is never taken for a changed one and a real
    change to one is caught.
    """
    if _depth > 50:
        return True
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype == object:
            return all(same(x, y, _depth + 1) for x, y in zip(a.ravel(), b.ravel()))
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, np.random.Generator) or isinstance(b, np.random.Generator):
        return True  # consuming random numbers is what a Generator is for
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], _depth + 1) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, _depth + 1) for x, y in zip(a, b))
    if isinstance(a, (set, frozenset)):
        return a == b
    if isinstance(a, (float, complex, np.floating, np.complexfloating)):
        return bool(a == b or (a != a and b != b))
    if isinstance(a, (bool, int, str, bytes, np.number, np.bool_, type(None))):
        return bool(a == b)
    if callable(a) and not hasattr(a, "__dict__"):
        return True  # builtins and the like: nothing to compare
    state_a, state_b = _state(a), _state(b)
    if state_a is not None and state_b is not None:
        return same(state_a, state_b, _depth + 1)
    try:
        eq = a == b
        return bool(eq) if isinstance(eq, (bool, np.bool_)) else True
    except Exception:
        return True


def _state(obj):
    """An object's attributes (``__dict__`` and ``__slots__``), or None when it has none."""
    if isinstance(obj, type) or callable(obj) and not hasattr(obj, "__dict__"):
        return None
    state = {}
    if hasattr(obj, "__dict__"):
        state.update(vars(obj))
    for cls in type(obj).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            if isinstance(slot, str) and hasattr(obj, slot) and slot not in ("__dict__", "__weakref__"):
                state[slot] = getattr(obj, slot)
    if not state and not hasattr(obj, "__dict__"):
        return None
    return state


_LIBRARY_DIRS = tuple({os.path.dirname(os.__file__), os.path.dirname(np.__path__[0])})


def _student_line(tb) -> str:
    """Where in the student's code an exception came from: 'line 4: return x @ W'.

    Library frames (NumPy, the standard library, this package) are skipped, so the line shown is the
    student's own, not the inside of np.einsum.
    """
    frames = [f for f in traceback.extract_tb(tb)
              if not os.path.abspath(f.filename).startswith(_COURSE_DIR)
              and not os.path.abspath(f.filename).startswith(_LIBRARY_DIRS)]
    if not frames:
        return ""
    f = frames[-1]
    code = (f.line or "").strip()
    place = "your code" if f.filename.startswith("<") or "ipykernel" in f.filename else os.path.basename(f.filename)
    return f" (in {place}, line {f.lineno}{': ' + code if code else ''})"


class Guard:
    """Calls student code for one check; collects warnings and what it wrote to stderr."""

    def __init__(self, exercise_name: str, numpy_only: bool, time_limit: float | None):
        self.exercise_name = exercise_name
        self.numpy_only = numpy_only
        self.time_limit = time_limit
        self.warnings: list[str] = []

    def __call__(self, fn, *args, what: str | None = None, names=None, mutable=(), **kwargs):
        """Call ``fn(*args, **kwargs)`` on copies of the inputs and return its result.

        ``names`` name the positional arguments in messages; arguments whose name is in
        ``mutable`` are passed as they are (the function is meant to update them).
        Raises :class:`StudentError` with a sentence for anything that goes wrong.
        """
        what = what or getattr(fn, "__name__", "your function")
        if fn is None:
            raise StudentError(f"`{what}` is None: run the cell that defines it first.")
        if not callable(fn):
            raise StudentError(f"`{what}` should be a function, but it is {type(fn).__name__}.")
        names = list(names) if names else [f"argument {i + 1}" for i in range(len(args))]
        call_args = [a if n in mutable else safe_copy(a) for a, n in zip(args, names)]
        kept = [safe_copy(a) for a in call_args]
        call_kwargs = {k: (v if k in mutable else safe_copy(v)) for k, v in kwargs.items()}
        kept_kwargs = {k: safe_copy(v) for k, v in call_kwargs.items()}
        stderr = io.StringIO()
        start = time.perf_counter()
        try:
            with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(stderr), \
                    np.errstate(all="warn"):
                warnings.simplefilter("always")
                with _time_limit(self.time_limit):
                    with (_no_torch_mode() if self.numpy_only else contextlib.nullcontext()):
                        result = fn(*call_args, **call_kwargs)
        except _TimeUp:
            raise StudentError(
                f"`{what}` was still running after {self.time_limit:g} s and was stopped: "
                f"look for a loop that never ends (a `while` whose condition never changes) "
                f"or work that grows far faster than the input.") from None
        except _TorchUsed as e:
            raise StudentError(
                f"`{what}` called torch ({e.args[0]}); this exercise is about writing it with NumPy. "
                f"PyTorch is the referee here, not a helper.") from None
        except NotImplementedError as e:
            raise StudentError(
                f"`{what}` raises NotImplementedError: it has not been written yet. "
                f"Replace the `raise NotImplementedError()` line with your code.") from None
        except RecursionError:
            raise StudentError(f"`{what}` recursed without end (RecursionError).") from None
        except KeyboardInterrupt:
            raise
        except BaseException as e:  # noqa: BLE001 - any failure of student code becomes a sentence
            tb = e.__traceback__
            extra = ""
            if "truth value of an array" in str(e):
                extra = (" An `if` or `and`/`or` was applied to a whole array: compare elementwise "
                         "(`z > 0`) and use np.where or boolean masks instead.")
            raise StudentError(
                f"`{what}` raised {type(e).__name__}: {e}{_student_line(tb)}.{extra}") from None
        finally:
            self.seconds = time.perf_counter() - start
        for w in caught:
            text = f"{w.category.__name__}: {w.message}"
            if text not in self.warnings:
                self.warnings.append(text)
        err = stderr.getvalue().strip()
        if err:
            self.warnings.append("wrote to stderr: " + err.splitlines()[-1][:200])
        for (k, v), before in zip(call_kwargs.items(), kept_kwargs.values()):
            if k not in mutable and not same(v, before):
                raise StudentError(f"`{what}` changed its input `{k}` in place; work on a copy "
                                   f"(e.g. `{k} = {k}.copy()`) or build a new array.")
        self._mutation_check(call_args, kept, names, mutable, what)
        return result

    @staticmethod
    def _mutation_check(call_args, kept, names, mutable, what):
        for a, before, n in zip(call_args, kept, names):
            if n not in mutable and not same(a, before):
                raise StudentError(
                    f"`{what}` changed its input `{n}` in place (for example with `{n} += ...`, "
                    f"`{n}[...] = ...` or `{n}.sort()`); work on a copy (`{n} = {n}.copy()`) "
                    f"or build a new array.")
