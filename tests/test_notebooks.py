"""The notebooks and the nbgrader pipeline, exercised for real.

For every lesson: the committed notebooks carry no outputs; labs/ is exactly what nbgrader generates from
solutions/ and holds no solution or hidden test; autograding the solutions gives full marks with no error in
any cell, and autograding the fresh lab gives zero without an error from the grader itself.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import course.lessons

ROOT = Path(__file__).resolve().parents[1]
LESSONS = course.lessons.names()


def lesson_notebooks(folder: str, lesson: str):
    """The notebooks of one lesson (most lessons have one, named like the folder)."""
    return sorted((ROOT / folder / lesson).glob("*.ipynb"))
GRADER_FAILURES = {"CellTimeoutError", "DeadKernelError", "UnresponsiveKernelError", "TimeoutError"}


def notebook_paths(folder: str):
    return sorted((ROOT / folder).glob("*/*.ipynb"))


def read(path: Path):
    return nbformat.read(str(path), as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def grade_cells(nb):
    return [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")]


def test_every_lesson_has_a_lab():
    assert LESSONS, "no lessons in solutions/"
    labs = sorted(p.name for p in (ROOT / "labs").iterdir() if p.is_dir())
    assert labs == LESSONS
    for lesson in LESSONS:
        assert (ROOT / "solutions" / lesson / f"{lesson}.ipynb").is_file()
        assert [p.name for p in lesson_notebooks("labs", lesson)] == [p.name for p in lesson_notebooks("solutions", lesson)]


@pytest.mark.parametrize("path", notebook_paths("solutions") + notebook_paths("labs"), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_committed_without_outputs(path):
    nb = read(path)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{path.relative_to(ROOT)}: code cells {dirty} have outputs; strip them before committing"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


def test_same_setup_cell_everywhere():
    firsts = {p.relative_to(ROOT).as_posix(): code_cells(read(p))[0].source
              for p in notebook_paths("solutions") + notebook_paths("labs")}
    reference = firsts[f"solutions/{LESSONS[0]}/{LESSONS[0]}.ipynb"]
    assert "course.setup()" in reference and "google.colab" in reference
    different = [p for p, src in firsts.items() if src != reference]
    assert not different, f"the first code cell differs from the standard setup cell in {different}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_lab_hides_solutions_and_hidden_tests(lesson):
    for path in lesson_notebooks("solutions", lesson):
        _lab_hides(lesson, read(path), read(ROOT / "labs" / lesson / path.name))


def _lab_hides(lesson, source, lab):
    lab_text = "\n".join(c.source for c in lab.cells)
    assert "BEGIN SOLUTION" not in lab_text and "BEGIN HIDDEN TESTS" not in lab_text
    lab_cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in lab.cells}
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        src = cell.source
        if meta.get("solution"):
            body = src.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
            for line in (ln.strip() for ln in body.splitlines()):
                if len(line) > 12 and not line.startswith("#"):
                    assert line not in lab_cells[meta["grade_id"]], f"{lesson}: solution line {line!r} is in the lab"
            assert "raise NotImplementedError()" in lab_cells[meta["grade_id"]]
        if "### BEGIN HIDDEN TESTS" in src:
            hidden = src.split("### BEGIN HIDDEN TESTS", 1)[1].split("### END HIDDEN TESTS", 1)[0]
            for line in filter(None, (ln.strip() for ln in hidden.splitlines())):
                visible = src.split("### BEGIN HIDDEN TESTS", 1)[0]
                if line not in visible:
                    assert line not in lab_text, f"{lesson}: hidden test {line!r} is in the lab"


@pytest.mark.parametrize("lesson", LESSONS)
def test_grade_cells_check_registered_exercises(lesson):
    import course

    cells = [c for p in lesson_notebooks("solutions", lesson) for c in grade_cells(read(p))]
    assert cells, f"{lesson} has no graded test cell"
    names = set(course.exercises())
    for cell in cells:
        meta = cell.metadata["nbgrader"]
        assert meta.get("points", 0) > 0 and meta.get("locked")
        assert "check(" in cell.source
        for call in cell.source.split('check("')[1:]:
            assert call.split('"', 1)[0] in names


# --------------------------------------------------------------------------- the real nbgrader cycle
def nbgrader_env():
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("MPLBACKEND", "Agg")
    return env


def instructor(course_root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(course_root / "grading" / "instructor.py"), *args],
                          cwd=course_root, env=nbgrader_env(), capture_output=True, text=True, timeout=1800)


@pytest.fixture
def course_copy(tmp_path):
    """A throwaway course root: the lesson sources and the grading configuration, nothing else."""
    (tmp_path / "grading").mkdir()
    for path in (ROOT / "grading").glob("*.py"):
        shutil.copy(path, tmp_path / "grading" / path.name)
    return tmp_path


def outputs_of(nb, kind):
    return [o for c in code_cells(nb) for o in c.get("outputs", []) if o.get("output_type") == kind]


@pytest.mark.notebooks
@pytest.mark.parametrize("lesson", LESSONS)
def test_release_and_autograde(lesson, course_copy):
    shutil.copytree(ROOT / "solutions" / lesson, course_copy / "solutions" / lesson)
    done = instructor(course_copy, "release", lesson)
    assert done.returncode == 0, done.stdout + done.stderr

    # labs/ as committed is exactly what generation produces.
    names = [p.name for p in lesson_notebooks("solutions", lesson)]
    for name in names:
        generated = json.loads((course_copy / "labs" / lesson / name).read_text())
        committed = json.loads((ROOT / "labs" / lesson / name).read_text())
        assert generated == committed, f"labs/{lesson}/{name} is stale: run `python grading/instructor.py release {lesson}`"

    submitted = course_copy / "grading" / "submitted"
    for student, origin in (("solution", "solutions"), ("fresh", "labs")):
        (submitted / student / lesson).mkdir(parents=True)
        for name in names:
            shutil.copy(course_copy / origin / lesson / name, submitted / student / lesson)
    done = instructor(course_copy, "autograde", lesson)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    done = instructor(course_copy, "export")
    assert done.returncode == 0, done.stdout + done.stderr
    done = instructor(course_copy, "feedback", lesson)
    assert done.returncode == 0, done.stdout + done.stderr
    for student in ("solution", "fresh"):
        for name in names:
            assert (course_copy / "grading" / "feedback" / student / lesson / name.replace(".ipynb", ".html")).is_file()

    rows = {r["student_id"]: r for r in csv.DictReader(open(course_copy / "grading" / "grades.csv"))}
    solution, fresh = rows["solution"], rows["fresh"]
    assert float(solution["max_score"]) > 0
    assert float(solution["score"]) == float(solution["max_score"]), solution
    assert float(fresh["score"]) == 0.0, fresh

    graded = course_copy / "grading" / "autograded"
    for name in names:
        nb_solution = read(graded / "solution" / lesson / name)
        errors = [(o["ename"], o["evalue"][:200]) for o in outputs_of(nb_solution, "error")]
        assert not errors, f"the solutions notebook {name} raised: {errors}"
        stderr_in_tests = [c.source[:60] for c in grade_cells(nb_solution)
                           if any(o.get("name") == "stderr" for o in c.get("outputs", []))]
        assert not stderr_in_tests, f"test cells wrote to stderr: {stderr_in_tests}"

        nb_fresh = read(graded / "fresh" / lesson / name)
        grader_errors = [o["ename"] for o in outputs_of(nb_fresh, "error") if o["ename"] in GRADER_FAILURES]
        assert not grader_errors, f"grading the fresh lab failed: {grader_errors}"
        for cell in grade_cells(nb_fresh):
            names_ = [o.get("ename") for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            assert names_, f"a test cell of the fresh lab passed: {cell.source[:80]}"
            assert set(names_) <= {"CheckFailed", "NameError"}, f"a test cell of the fresh lab failed with {names_}"
