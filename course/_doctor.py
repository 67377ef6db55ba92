"""``course.setup()`` for the first cell of a notebook, ``course.doctor()`` for asking for help."""
from __future__ import annotations

import importlib
import platform
import sys

PACKAGES = ("numpy", "torch", "torchvision", "torchmetrics", "matplotlib", "ipywidgets", "tqdm", "nbgrader")


def _version(name: str) -> str:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:
        return "not installed"


def _device_line() -> str:
    import torch

    from course._device import device

    d = device()
    if d.type == "cuda":
        return f"{d.type} ({torch.cuda.get_device_name(0)})"
    if d.type == "mps":
        return "mps (Apple GPU; float64 references run on the CPU)"
    return "cpu (no GPU found: training runs on the CPU, more slowly)"


def _show_check_failures_without_traceback() -> None:
    """In IPython, a failed check shows its message only: no frames from inside ``course``.

    The cell still fails (an error output named CheckFailed, as nbgrader needs), but the student
    reads one message that points at their own code instead of a traceback through the checker.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return
    from course.checks.engine import CheckFailed

    def handler(self, etype, value, tb, tb_offset=None):
        stb = [f"\x1b[0;31m{etype.__name__}\x1b[0m: {value}"]
        self._showtraceback(etype, value, stb)
        return stb

    shell.set_custom_exc((CheckFailed,), handler)


def setup() -> None:
    """Print the versions that matter and the device the course will use."""
    import course

    _show_check_failures_without_traceback()
    print(f"course {course.__version__} | numpy {_version('numpy')} | torch {_version('torch')} | "
          f"device: {_device_line()}")


def _float64_on_device() -> str:
    import torch

    from course._device import reference_device

    d = reference_device()
    try:
        a = torch.ones(4, 4, dtype=torch.float64, device=d)
        ok = float((a @ a).sum()) == 64.0
        return f"yes, on {d}" if ok else f"wrong result on {d}"
    except Exception as e:  # pragma: no cover - depends on hardware
        return f"no ({type(e).__name__}: {e})"


class Report(dict):
    """The doctor's findings: a dict that a notebook does not print a second time after the table."""

    def _ipython_display_(self):
        pass


def doctor() -> dict:
    """Print (and return) versions, device, float64 support, data sources and tools."""
    import course

    report = Report({
        "course": course.__version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        **{name: _version(name) for name in PACKAGES},
        "in Colab": "google.colab" in sys.modules,
        "device": _device_line(),
        "float64 references": _float64_on_device(),
    })
    try:
        report["exercises"] = len(course.exercises())
    except Exception as e:
        report["exercises"] = f"could not load: {type(e).__name__}: {e}"
    try:
        data = importlib.import_module("course.data")
        for name, where in data.sources().items():
            report[f"data: {name}"] = where
    except Exception as e:
        report["data"] = f"unavailable: {type(e).__name__}: {e}"
    width = max(len(k) for k in report)
    for key, value in report.items():
        print(f"{key:<{width}}  {value}")
    return report
