"""Benchmark: seconds to execute each notebook headless, and the median seconds of one check call.

    python -m course.bench                      # every notebook in solutions/
    python -m course.bench 03_activations 06_cnn --repeat 7
    python -m course.bench --device cuda        # on a CUDA machine: verify the GPU path (exits 0 without one)

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

    from course.execution import patch_jupyter_client, private_kernels

    patch_jupyter_client()
    nb = nbformat.read(str(path), as_version=4)
    calls = check_calls(nb)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", config=private_kernels(),
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


def _notebooks(lessons):
    import course.lessons

    names = [n for n in course.lessons.names() if not lessons or n in lessons]
    return [p for n in names for p in sorted((ROOT / "solutions" / n).glob("*.ipynb"))]


def gpu_check(lessons, repeat: int) -> int:
    """On a CUDA machine: the graders' tests with references on the GPU, and notebook seconds CPU vs GPU."""
    import os
    import subprocess

    import torch

    if not torch.cuda.is_available():
        print("no CUDA device here: nothing to verify on a GPU (the CPU path is what the test suite covers).")
        return 0
    from course.checks import compare
    from course.checks.reference import get_ref, strict_precision

    ref = get_ref()
    print(f"device: {ref.device} ({torch.cuda.get_device_name(0)})   torch {torch.__version__}")
    with strict_precision():
        tf32 = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    print(f"references: {ref.dtype} on {ref.device}; TF32 inside references: {tf32} (must be (False, False)); "
          f"tolerances: {compare.FLOAT64}, {compare.FLOAT32} (the same constants as on the CPU)")
    status = 0 if tf32 == (False, False) else 1
    tests = sorted(str(p) for p in (ROOT / "tests").glob("test_lesson*.py")) if (ROOT / "tests").is_dir() else []
    if tests:
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", str(min(8, os.cpu_count() or 1)),
                               "-p", "no:cacheprovider", *tests], cwd=ROOT, capture_output=True, text=True)
        tail = [ln for ln in done.stdout.splitlines() if ln.strip()][-1:] or ["(no output)"]
        print(f"graders on the GPU (right implementations pass, wrong ones fail with their hint): {tail[0]} "
              f"[{time.perf_counter() - t0:.0f} s]")
        status |= done.returncode
    print(f"\n{'notebook':<44}{'GPU s':>8}{'CPU s':>8}")
    for path in _notebooks(lessons):
        gpu, _ = bench_notebook(path, repeat=1)
        env_before = os.environ.get("CUDA_VISIBLE_DEVICES")
        os.environ["CUDA_VISIBLE_DEVICES"] = ""
        try:
            cpu, _ = bench_notebook(path, repeat=1)
        finally:
            if env_before is None:
                os.environ.pop("CUDA_VISIBLE_DEVICES", None)
            else:
                os.environ["CUDA_VISIBLE_DEVICES"] = env_before
        print(f"{path.parent.name + '/' + path.name:<44}{gpu:>8.1f}{cpu:>8.1f}", flush=True)
    return status


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lessons", nargs="*", help="lesson names (default: all)")
    parser.add_argument("--repeat", type=int, default=5, help="check calls timed per exercise (median)")
    parser.add_argument("--device", choices=["auto", "cuda"], default="auto",
                        help="cuda: verify the GPU path (graders on the GPU, notebook seconds GPU vs CPU)")
    ns = parser.parse_args(argv)
    if ns.device == "cuda":
        return gpu_check(ns.lessons, ns.repeat)
    from course._device import device

    print(f"device: {device()}   python {sys.version.split()[0]}")
    print(f"{'notebook':<44}{'seconds':>10}")
    all_checks = {}
    for path in _notebooks(ns.lessons):
        seconds, checks = bench_notebook(path, repeat=ns.repeat)
        print(f"{path.parent.name + '/' + path.name:<44}{seconds:>10.1f}", flush=True)
        all_checks.update(checks)
    print(f"\n{'exercise':<32}{'median s per check':>20}")
    for name, sec in all_checks.items():
        print(f"{name:<32}{sec:>20.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
