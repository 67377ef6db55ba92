"""Benchmark: autograde a synthetic class serially and in parallel, and check that the grades agree.

    python grading/bench_class.py [LESSON] [--students 40] [--jobs 2]
    python grading/bench_class.py --modes [LESSON ...]


The class mixes complete solutions, blank labs, and solutions with one plausible mistake put in
(for lesson 01: step(0) = 1, the bias subtracted, the bias never learned). Each run grades the whole
class in a scratch copy of the course with ``autograde --jobs 1`` and then ``--jobs N`` and prints the
seconds per submission, the speed-up, and whether the two grade exports are identical.

``--modes`` prints, for each lesson (default: all), the seconds its solution notebooks take to run top to
bottom and the seconds one solution submission takes to grade (nbgrader's autograde and the verified
grading, once per lesson's template excluded), in grading mode and, with ``--all-cells``, without it.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: Plausible mistakes, as (solution cell, text in it, replacement), for the lessons that have some here.
MISTAKES = {
    "01_perceptron": [
        ("solution_step", "> 0", ">= 0"),
        ("solution_perceptron_predict", "X @ w + b", "X @ w - b"),
        ("solution_perceptron_train", "b = b + lr * error", "b = b"),
    ],
}


def _class(root: Path, lesson: str, students: int):
    sub = root / "grading" / "submitted"
    solution = nbformat.read(str(ROOT / "solutions" / lesson / f"{lesson}.ipynb"), 4)
    blank = nbformat.read(str(ROOT / "labs" / lesson / f"{lesson}.ipynb"), 4)
    kinds = ["solution", "blank"] + [f"mistake{i}" for i in range(len(MISTAKES.get(lesson, [])))]
    for i in range(students):
        kind = kinds[i % len(kinds)]
        nb = nbformat.from_dict(solution if kind != "blank" else blank)
        if kind.startswith("mistake"):
            cell_id, find, new = MISTAKES[lesson][int(kind[7:])]
            nb = nbformat.from_dict(nbformat.reads(nbformat.writes(solution), 4))
            for cell in nb.cells:
                if cell.metadata.get("nbgrader", {}).get("grade_id") == cell_id:
                    head, sep, body = cell.source.partition("### BEGIN SOLUTION")
                    if find not in body:
                        raise SystemExit(f"{lesson}: {find!r} is not in the code of {cell_id}")
                    cell.source = head + sep + body.replace(find, new, 1)
        folder = sub / f"s{i:03d}-{kind}" / lesson
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / f"{lesson}.ipynb"))


def _run(lesson: str, students: int, jobs: int) -> tuple[float, list]:
    with tempfile.TemporaryDirectory(prefix=f"class-{jobs}-") as tmp:
        root = Path(tmp)
        shutil.copytree(HERE, root / "grading", ignore=shutil.ignore_patterns(
            "gradebook.db", "submitted", "autograded", "feedback*", "verified", "report", "__pycache__"))
        shutil.copytree(ROOT / "solutions" / lesson, root / "solutions" / lesson)
        _class(root, lesson, students)
        env = dict(os.environ, MPLBACKEND="Agg")
        cmd = [sys.executable, str(root / "grading" / "instructor.py")]
        subprocess.run(cmd + ["release", lesson], cwd=root, env=env, check=True, capture_output=True)
        t0 = time.perf_counter()
        done = subprocess.run(cmd + ["autograde", lesson, "--jobs", str(jobs)], cwd=root, env=env,
                              capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        print(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-500:], flush=True)
        subprocess.run(cmd + ["export"], cwd=root, env=env, check=True, capture_output=True)
        rows = sorted((r["student_id"], r["score"]) for r in csv.DictReader(open(root / "grading" / "grades.csv")))
    return seconds, rows


def modes(lessons, all_cells=False) -> None:
    """Notebook seconds against grading seconds per submission, lesson by lesson."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    import classroom
    import course.lessons
    from course.bench import bench_notebook

    print(f"{'lesson':24s} {'notebook s':>10s} {'grading s':>10s} {'ratio':>6s}" + ("  all cells s" if all_cells else ""),
          flush=True)
    for lesson in lessons or course.lessons.names():
        notebook = sum(bench_notebook(p, repeat=1)[0] for p in sorted((ROOT / "solutions" / lesson).glob("*.ipynb")))
        with tempfile.TemporaryDirectory(prefix="modes-") as tmp:
            root = Path(tmp)
            shutil.copytree(HERE, root / "grading", ignore=shutil.ignore_patterns(
                "gradebook.db", "submitted", "autograded", "feedback*", "verified", "report", "__pycache__"))
            shutil.copytree(ROOT / "solutions" / lesson, root / "solutions" / lesson)
            folder = root / "grading" / "submitted" / "solution" / lesson
            shutil.copytree(ROOT / "solutions" / lesson, folder)
            template = classroom.prepare_lesson(str(root), lesson)
            from verify import lesson_work

            work = lesson_work(lesson)
            seconds = []
            for mode in (True, False) if all_cells else (True,):
                result = classroom.grade_submission(str(root), lesson, "solution", grading_mode=mode, template=template,
                                                    work=work)
                if result["error"] or result["verified"]["score"] != result["verified"]["max_score"]:
                    raise SystemExit(f"{lesson}: the solution did not grade full marks: {result['error'] or result['verified']}")
                seconds.append(result["seconds"])
                shutil.rmtree(result["scratch"], ignore_errors=True)
            shutil.rmtree(template, ignore_errors=True)
        extra = f"  {seconds[1]:11.1f}" if all_cells else ""
        print(f"{lesson:24s} {notebook:10.1f} {seconds[0]:10.1f} {seconds[0] / notebook:6.2f}" + extra, flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lesson", nargs="*", default=None, help="one lesson (several with --modes)")
    parser.add_argument("--modes", action="store_true", help="notebook seconds against grading seconds, per lesson")
    parser.add_argument("--all-cells", action="store_true", help="with --modes: also grade without grading mode")
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    ns = parser.parse_args(argv)
    if ns.modes:
        modes(ns.lesson, ns.all_cells)
        return 0
    ns.lesson = ns.lesson[0] if ns.lesson else "01_perceptron"
    serial, rows1 = _run(ns.lesson, ns.students, 1)
    parallel, rows2 = _run(ns.lesson, ns.students, ns.jobs)
    print(f"{ns.lesson}, {ns.students} submissions on {os.cpu_count()} cores:")
    print(f"  1 worker : {serial:7.1f} s  ({serial / ns.students:.2f} s per submission)")
    print(f"  {ns.jobs} workers: {parallel:7.1f} s  ({parallel / ns.students:.2f} s per submission)")
    print(f"  speed-up : {serial / parallel:.2f}x; grades identical: {rows1 == rows2}")
    scores = {}
    for _, score in rows1:
        scores[score] = scores.get(score, 0) + 1
    print(f"  scores   : {dict(sorted(scores.items()))}")
    return 0 if rows1 == rows2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
