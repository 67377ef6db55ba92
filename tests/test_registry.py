"""Bookkeeping from the registry: every lesson the same shape, test cells written from the specs,
every declared mistake reachable, the README's exercise table in step with ``course.exercises()``."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import course
import course.lessons as lessons
from course.checks import compare as cmp
from course.checks.engine import get_exercise, matching_mistake, mistake_outputs
from course.checks.reference import get_ref, strict_precision

ROOT = Path(__file__).resolve().parents[1]
LESSONS = lessons.names()
NAMES = course.exercises()
#: Exercises truly unlike the others keep a custom run: dropout's student-drawn mask.
CUSTOM_RUNS = {"dropout_forward", "dropout_backward"}
#: The largest lesson module, in lines.
MAX_MODULE_LINES = 400


def folders(kind):
    return sorted(p.name for p in (ROOT / kind).iterdir() if p.is_dir() and not p.name.startswith("."))


def test_lesson_packages_and_folders_agree():
    assert LESSONS, "no lesson package declares a LESSON name"
    assert folders("solutions") == LESSONS, "every lesson package needs a solutions/ folder, and the reverse"
    assert folders("labs") == LESSONS, "every lesson package needs a labs/ folder, and the reverse"


def test_no_lesson_is_a_bare_module():
    bare = [p.name for p in (ROOT / "course" / "lessons").glob("*.py") if p.name != "__init__.py"]
    assert not bare, f"lessons are packages, not modules: {bare}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_package_shape(lesson):
    pkg = ROOT / "course" / "lessons" / lessons.packages()[lesson].rsplit(".", 1)[1]
    assert (pkg / "lecture.py").is_file(), f"{lesson}: the lecture's fixed data belong in lecture.py"
    assert (pkg / "plots.py").is_file(), f"{lesson}: figures and widgets belong in plots.py"
    long = {p.name: n for p in pkg.glob("*.py") if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"{lesson}: modules over {MAX_MODULE_LINES} lines: {long}"
    private = []
    for p in pkg.glob("*.py"):
        for m in re.finditer(r"from \.(\w+) import ([^\n]+)", p.read_text(encoding="utf-8")):
            if any(name.strip(" ()").startswith("_") for name in m.group(2).split(",")):
                private.append(f"{p.name}: {m.group(0)}")
    assert not private, f"{lesson}: imports of private helpers between modules: {private}"


def test_every_exercise_belongs_to_a_lesson():
    for name in NAMES:
        assert get_exercise(name).lesson in LESSONS, name


@pytest.mark.parametrize("name", NAMES)
def test_spec_is_declarative(name):
    ex = get_exercise(name)
    legacy = [m.hint[:50] for m in ex.mistakes if m.legacy]
    assert not legacy, f"{name}: mistakes without a stable id: {legacy}"
    ids = [m.id for m in ex.mistakes]
    assert all(re.fullmatch(r"[a-z0-9_]+", i) for i in ids), ids
    if name not in CUSTOM_RUNS:
        assert ex.run is None, f"{name} has its own run; give it a standard kind"
    assert ex.points >= 1 and all(isinstance(s, int) and s != 0 for s in ex.hidden_seeds)


def _grade_cells(lesson):
    cells = []
    for path in sorted((ROOT / "solutions" / lesson).glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        cells += [(path.name, c) for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    return cells


@pytest.mark.parametrize("lesson", LESSONS)
def test_grade_cells_are_written_from_the_registry(lesson):
    expected = {n: get_exercise(n) for n in NAMES if get_exercise(n).lesson == lesson}
    seen = {}
    for nb_name, cell in _grade_cells(lesson):
        called = re.findall(r'check\("([^"]+)"', cell.source)
        assert called, f"{lesson}/{nb_name}: a graded cell that calls no check: {cell.source[:60]!r}"
        name = called[0]
        assert name in expected, f"{lesson}/{nb_name}: the test cell checks {name!r}, not an exercise of {lesson}"
        assert name not in seen, f"{lesson}: {name!r} has two test cells"
        seen[name] = cell
        ex = expected[name]
        assert cell.source == ex.grade_cell(), (
            f"{lesson}/{nb_name}: the test cell of {name!r} differs from its spec; it should read:\n{ex.grade_cell()}")
        meta = cell.metadata["nbgrader"]
        assert meta.get("points") == ex.points, f"{name}: {meta.get('points')} points in the notebook, {ex.points} in the spec"
        assert meta.get("locked") and meta.get("grade_id") == f"test_{name}"
    missing = sorted(set(expected) - set(seen))
    assert not missing, f"{lesson}: exercises without a test cell: {missing}"


def _reachable(ex, m, seeds=(0, 1, 2)):
    ref = get_ref()
    for seed in seeds:
        for case in ex.cases(np.random.default_rng(seed)):
            case.bind(ex.sig)
            try:
                with strict_precision():
                    expected = ex.kind.expected(ex, case, ref)
                wrong = mistake_outputs(ex, m, case, ref)
            except Exception:
                continue
            if not wrong:
                continue
            differs = any(expected.get(k) is not None and not cmp.close(v, expected[k], cmp.FLOAT64)
                          for k, v in wrong.items())
            if not differs:
                continue
            got = {o.name: expected.get(o.name) for o in ex.outputs if o.kind != "skip"}
            got.update({k: np.asarray(v) for k, v in wrong.items()})
            shown = matching_mistake(ex, case, got, expected, ref)
            if shown is not None and shown.id == m.id:
                return True
    return False


@pytest.mark.parametrize("name", [n for n in NAMES if not get_exercise(n).kind.after_run])
def test_every_declared_mistake_is_reachable(name):
    """On some case each mistake differs from the answer, and its hint is the one a student would see."""
    ex = get_exercise(name)
    unreachable = [m.id for m in ex.mistakes if not _reachable(ex, m)]
    assert not unreachable, f"{name}: mistakes never shown: {unreachable}"


def test_readme_exercise_table_matches_the_registry():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = {}
    for line in text.splitlines():
        m = re.match(r"\| \[(\d\d)[^\]]*\]\([^)]*\) \|[^|]*\| (.*) \|$", line)
        if m:
            table[m.group(1)] = set(re.findall(r"`([a-z0-9_]+)`", m.group(2)))
    for lesson in LESSONS:
        names = {n for n in NAMES if get_exercise(n).lesson == lesson}
        assert table.get(lesson[:2]) == names, (
            f"README's row for {lesson} lists {sorted(table.get(lesson[:2], []))}, the registry {sorted(names)}")
