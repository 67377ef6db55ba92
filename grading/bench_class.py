"""Benchmark: autograde a synthetic class serially and in parallel, and check that the grades agree.

    python grading/bench_class.py [LESSON] [--students 40] [--jobs 2]

The class mixes complete solutions, blank labs, and solutions with one plausible mistake put in
(for lesson 01: step(0) = 1, the bias subtracted, the bias never learned). Each run grades the whole
class in a scratch copy of the course with ``autograde --jobs 1`` and then ``--jobs N`` and prints the
seconds per submission, the speed-up, and whether the two grade exports are identical.
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
                    cell.source = cell.source.replace(find, new, 1)
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lesson", nargs="?", default="01_perceptron")
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    ns = parser.parse_args(argv)
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
