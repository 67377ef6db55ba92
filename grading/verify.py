"""Verified grading: every graded exercise of a submission graded again, outside the student's kernel.

The score a submission's own kernel reports depends on code the student could replace (a function
named ``check``, a patched ``course``, numpy or torch, a silenced traceback, a deleted test cell). The
verified score does not:

1. **collect** — the submission's code cells that grading needs (``prune.py``: not its test cells, and
   not the cells that only demonstrate), run one at a time in a fresh
   kernel with a time limit each; after every cell the objects that the lesson's exercises take
   (``step``, ``SGD``, ``gate_weights`` …) are saved with cloudpickle, so a later cell that exits the
   kernel or loops forever cannot take them away.
2. **run** — a clean runner process (``runner.py``) loads those objects after removing every
   reference and every known mistake from its copy of the registry, and runs the student's side of
   each exercise on the cases that the grading process drew (the engine's guard included: copied
   inputs, time limits, no torch in NumPy exercises).
3. **judge** — this process, which never runs student code, computes the PyTorch references,
   compares, and names the mistakes, exactly as ``check`` does.

``verify(notebooks, lesson)`` returns, for each exercise, whether it passed on the visible seed and on
every hidden seed, its points, and the machine-readable record of the first failure (case, mistake
id, the message a student would read). The same submission gets the same result every time.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "runner.py"
sys.path.insert(0, str(HERE))
from prune import prune  # noqa: E402

_SNAPSHOT = """
def __course_snapshot():
    import builtins, os, cloudpickle
    names = {names!r}
    g = globals()
    found = {{}}
    for n in names:
        if n in g:
            try:
                cloudpickle.dumps(g[n])
                found[n] = g[n]
            except Exception:
                pass
    with builtins.open({path!r} + ".tmp", "wb") as f:
        cloudpickle.dump(found, f)
    os.replace({path!r} + ".tmp", {path!r})
__course_snapshot()
del __course_snapshot
"""


def exercises_of(lesson: str) -> list:
    """The lesson's exercises, in catalogue order."""
    import course
    from course.checks.engine import get_exercise

    return [get_exercise(n) for n in course.exercises() if get_exercise(n).lesson == lesson]


def _is_test_cell(cell) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("grade")) and cell.cell_type == "code" and \
        "check(" in cell.source


def collect(notebooks, names, workdir: Path, cell_timeout: float = 120) -> list:
    """Run the submission's needed code cells in a fresh kernel; save the named objects after each cell.

    ``names[k]``: the objects to take from notebook ``k`` (those of the exercises whose test cell it holds).
    """
    import nbformat
    from nbclient import NotebookClient
    from jupyter_core.utils import run_sync
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    try:
        from course.execution import patch_jupyter_client, private_kernels

        patch_jupyter_client()
        config = private_kernels()
    except ImportError:
        config = None
    env_before = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "Agg"
    try:
        for k, nb_path in enumerate(notebooks):
            if not names[k]:
                continue  # no graded exercise lives in this notebook
            part = workdir / f"objects-{k}.pkl"
            snapshot = nbformat.v4.new_code_cell(_SNAPSHOT.format(names=sorted(set(names[k])), path=str(part)))
            nb = prune(nbformat.read(str(nb_path), as_version=4), names[k])
            nb.cells = [c for c in nb.cells if c.cell_type == "code" and not _is_test_cell(c)]
            # Every object is saved when the last cell replies: the kernel is stopped at once, not gracefully.
            client = NotebookClient(nb, timeout=cell_timeout, kernel_name="python3", allow_errors=True,
                                    interrupt_on_timeout=True, shutdown_kernel="immediate",
                                    resources={"metadata": {"path": str(nb_path.parent)}},
                                    **({"config": config} if config is not None else {}))
            with client.setup_kernel():
                for index, cell in enumerate(nb.cells):
                    try:
                        client.execute_cell(cell, index)
                    except CellTimeoutError:
                        pass
                    except DeadKernelError:
                        break
                    if not run_sync(client.km.is_alive)():
                        break
                    try:
                        client.execute_cell(snapshot, index)
                    except (CellTimeoutError, DeadKernelError):
                        break
    finally:
        if env_before is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = env_before
    # The student's objects are unpickled only by the runner, never here (unpickling runs code):
    # the runner joins the notebooks' objects in order, a later notebook's winning.
    return [workdir / f"objects-{k}.pkl" for k in range(len(notebooks))]


def _work(exercises):
    """The cases of every exercise and seed, bound, with the references computed here."""
    from course.checks.reference import get_ref, strict_precision

    ref = get_ref()
    work = []
    for ex in exercises:
        for seed in (0, *ex.hidden_seeds):
            cases = [c.bind(ex.sig) for c in ex.cases(np.random.default_rng(seed))]
            expected = []
            for case in cases:
                if ex.kind.after_run:
                    expected.append(None)
                else:
                    with strict_precision():
                        expected.append(ex.kind.expected(ex, case, ref))
            work.append({"exercise": ex.name, "seed": seed, "cases": cases, "expected": expected})
    return work


def _run(objects_paths, work, workdir: Path, timeout: float) -> list:
    import cloudpickle

    work_path, out_path = workdir / "work.pkl", workdir / "results.pkl"
    work_path.write_bytes(cloudpickle.dumps([{k: v for k, v in w.items() if k != "expected"} for w in work]))
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONWARNINGS="ignore")
    try:
        subprocess.run([sys.executable, str(RUNNER), os.pathsep.join(map(str, objects_paths)), str(work_path),
                        str(out_path)],
                       cwd=str(workdir), env=env, timeout=timeout, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pass
    if not out_path.exists():
        return []
    try:
        return cloudpickle.loads(out_path.read_bytes())
    except Exception:
        return []


def judge(work, results) -> dict:
    """Compare what the runner returned with the references; one record per exercise."""
    from course.checks import engine
    from course.checks.engine import get_exercise
    from course.checks.reference import get_ref, strict_precision

    ref = get_ref()
    records = {}
    for i, item in enumerate(work):
        ex = get_exercise(item["exercise"])
        rec = records.setdefault(ex.name, {"exercise": ex.name, "lesson": ex.lesson, "points": ex.points,
                                           "score": 0, "passed": True, "seeds": {}})
        per_case = results[i] if i < len(results) else None
        outcome = {"passed": True, "case": None, "mistake": None, "message": None}
        if per_case is None:
            outcome.update(passed=False, message="The grading of this exercise did not finish: your code stopped "
                                                 "the grading process (an exit, a crash or a loop).")
        else:
            for j, case in enumerate(item["cases"]):
                if j >= len(per_case):
                    if not per_case or per_case[-1][0] != "error":
                        outcome.update(passed=False, case=case.label,
                                       message="The grading of this exercise did not finish.")
                    break
                status, payload, data = per_case[j]
                mistake = None
                if status == "error":
                    failure = payload
                else:
                    if data:
                        case.data.update(data)
                    expected = item["expected"][j]
                    if expected is None:
                        with strict_precision():
                            expected = ex.kind.expected(ex, case, ref)
                    try:
                        failure, mistake = engine._compare(ex, case, payload, expected, ref)
                    except Exception as e:  # a student's object the comparison cannot read
                        failure = f"what your code returned could not be compared ({type(e).__name__})."
                if failure:
                    outcome.update(passed=False, case=case.label, mistake=mistake,
                                   message=engine._message(ex, case, failure, []))
                    break
        rec["seeds"][str(item["seed"])] = outcome
        rec["passed"] = rec["passed"] and outcome["passed"]
    for rec in records.values():
        rec["score"] = rec["points"] if rec["passed"] else 0
        first = next((o for o in rec["seeds"].values() if not o["passed"]), None)
        rec["mistake"] = first["mistake"] if first else None
        rec["visible_passed"] = rec["seeds"].get("0", {}).get("passed", False)
    return records


def names_per_notebook(notebooks, exercises) -> list:
    """The objects to take from each notebook: an exercise's come from the notebook with its test cell
    (the lesson's own notebook when a student deleted that cell)."""
    import nbformat

    home = {}
    for k, path in enumerate(notebooks):
        for cell in nbformat.read(str(path), as_version=4).cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
            if grade_id.startswith("test_"):
                home.setdefault(grade_id[len("test_"):], k)
    main = next((k for k, p in enumerate(notebooks) if Path(p).stem == exercises[0].lesson), 0) if exercises else 0
    per = [[] for _ in notebooks]
    for ex in exercises:
        per[home.get(ex.name, main)] += list(ex.objects)
    return per


def lesson_work(lesson: str) -> bytes:
    """The lesson's cases and references (the same for every submission), pickled: compute them once per
    lesson and pass them to :func:`verify` for each submission."""
    import cloudpickle

    return cloudpickle.dumps(_work(exercises_of(lesson)))


def verify(notebooks, lesson: str, cell_timeout: float = 120, workdir: Path | None = None,
           work: bytes | None = None) -> dict:
    """Grade a submission (its notebooks of ``lesson``) outside its kernel: {exercise: record}.

    ``work`` is :func:`lesson_work`'s result for ``lesson`` (computed here when None).
    """
    import cloudpickle

    exercises = exercises_of(lesson)
    names = names_per_notebook(notebooks, exercises)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="verify-") as tmp:
        work_dir = Path(workdir or tmp)
        objects = collect([Path(p) for p in notebooks], names, work_dir, cell_timeout)
        work = cloudpickle.loads(work) if work is not None else _work(exercises)
        limit = 60 + sum(ex.time_limit * (1 + len(ex.hidden_seeds)) * 3 for ex in exercises)
        results = _run(objects, work, work_dir, timeout=limit)
        records = judge(work, results)
    return {"lesson": lesson, "exercises": records, "score": sum(r["score"] for r in records.values()),
            "max_score": sum(r["points"] for r in records.values()),
            "seconds": round(time.perf_counter() - started, 2)}


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description="Grade a submission outside its kernel and print JSON.")
    parser.add_argument("lesson")
    parser.add_argument("notebooks", nargs="+")
    ns = parser.parse_args(argv)
    print(json.dumps(verify(ns.notebooks, ns.lesson), indent=1))


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main()
