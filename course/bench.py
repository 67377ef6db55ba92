"""Benchmark: seconds to execute each notebook headless, and the median seconds of one check call.

    python -m course.bench                      # every notebook in solutions/
    python -m course.bench 03_activations 06_cnn --repeat 7

Each notebook runs top to bottom in a fresh kernel (as a student would run it); then, in the same
kernel, every visible ``check(...)`` call of its test cells is timed ``--repeat`` times. Targets: about
60 s per notebook on a 2-core CPU, under 1 s per check.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics  # noqa: F401 - used inside the kernel via the timing cell's text
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = "__COURSE_BENCH__"

_TIMING_CELL = '''
import contextlib as _cl, io as _io, json as _json, statistics as _st, time as _time
_bench = {{}}
for _name, _src in {calls!r}:
    _times = []
    for _ in range({repeat}):
        _t0 = _time.perf_counter()
        with _cl.redirect_stdout(_io.StringIO()):
            eval(_src)
        _times.append(_time.perf_counter() - _t0)
    _bench[_name] = _st.median(_times)
print({mark!r} + _json.dumps(_bench))
'''


def check_calls(nb) -> list[tuple[str, str]]:
    """The visible ``check("name", ...)`` lines of a notebook's graded cells, one per exercise."""
    calls = {}
    for cell in nb.cells:
        if not cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            continue
        visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
        for line in visible.splitlines():
            m = re.match(r'\s*check\(\s*["\']([A-Za-z0-9_]+)["\']', line)
            if m and "seed=" not in line:
                calls.setdefault(m.group(1), line.strip())
    return list(calls.items())


def bench_notebook(path: Path, repeat: int = 5, timeout: int = 900) -> tuple[float, dict]:
    """Execute one notebook; return (seconds for the whole notebook, {exercise: median check seconds})."""
    import nbformat
    from nbclient import NotebookClient

    from course.execution import patch_jupyter_client

    patch_jupyter_client()
    nb = nbformat.read(str(path), as_version=4)
    calls = check_calls(nb)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        start = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        seconds = time.perf_counter() - start
        timing = nbformat.v4.new_code_cell(_TIMING_CELL.format(calls=calls, repeat=repeat, mark=MARK))
        nb.cells.append(timing)
        client.execute_cell(timing, len(nb.cells) - 1)
    text = "".join(o.get("text", "") for o in timing.outputs if o.get("output_type") == "stream")
    checks = json.loads(text.split(MARK, 1)[1]) if MARK in text else {}
    return seconds, checks


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lessons", nargs="*", help="lesson folders in solutions/ (default: all)")
    parser.add_argument("--repeat", type=int, default=5, help="check calls timed per exercise (median)")
    ns = parser.parse_args(argv)
    folders = sorted(p for p in (ROOT / "solutions").iterdir() if p.is_dir() and not p.name.startswith("."))
    if ns.lessons:
        folders = [f for f in folders if f.name in ns.lessons]
    from course._device import device

    print(f"device: {device()}   python {sys.version.split()[0]}")
    print(f"{'notebook':<32}{'seconds':>10}")
    all_checks = {}
    for folder in folders:
        path = folder / f"{folder.name}.ipynb"
        seconds, checks = bench_notebook(path, repeat=ns.repeat)
        print(f"{folder.name:<32}{seconds:>10.1f}", flush=True)
        all_checks.update(checks)
    print(f"\n{'exercise':<32}{'median s per check':>20}")
    for name, sec in all_checks.items():
        print(f"{name:<32}{sec:>20.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
