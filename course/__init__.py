"""Helper package for the course: checks, data, plots and widgets, one module per lesson.

Importing ``course`` is cheap: torch, matplotlib and the lesson modules load on first use.

    from course import check
    check("softmax", softmax)
"""
from course._device import device
from course.checks.engine import CheckFailed, CheckResult, check, exercises

__version__ = "0.1.0"
__all__ = ["check", "exercises", "device", "doctor", "setup", "CheckFailed", "CheckResult"]


def doctor():
    """Print versions, device, data sources and tools: paste it when you ask for help."""
    from course._doctor import doctor as _doctor

    return _doctor()


def setup():
    """What the first cell of every notebook calls: print the device the course will use."""
    from course._doctor import setup as _setup

    return _setup()
