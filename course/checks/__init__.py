"""The check engine: one declarative spec per exercise, refereed by PyTorch.

Lesson modules describe their exercises with :class:`Exercise` and :func:`register`;
notebooks call :func:`check`.
"""
from course.checks.compare import FLOAT32, FLOAT64, EXACT, Interval, Tolerance
from course.checks.engine import CheckFailed, CheckResult, check, exercises
from course.checks.spec import Case, Exercise, Mistake, Output, register, StudentError, unpack

__all__ = [
    "Case", "Exercise", "Mistake", "Output", "register", "StudentError", "unpack",
    "Tolerance", "FLOAT32", "FLOAT64", "EXACT", "Interval",
    "check", "exercises", "CheckFailed", "CheckResult",
]
