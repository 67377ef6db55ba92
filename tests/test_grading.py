"""Grading a class: verified scores that tampering cannot raise, 1 and N workers alike, feedback without
hidden tests, the mistake report's counts, and a student edition that holds no answer."""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "grading"))
LESSON = "01_perceptron"
FULL = 7


def _solution_cells(kind):
    """The code cells of lesson 01 that define its objects: the lab's stubs or the solutions."""
    nb = nbformat.read(str(ROOT / kind / LESSON / f"{LESSON}.ipynb"), as_version=4)
    return [c for c in nb.cells if c.cell_type == "code" and
            (c.metadata.get("nbgrader", {}).get("solution") or c.metadata.get("nbgrader", {}).get("grade_id") == "setup")]


def _test_cells():
    nb = nbformat.read(str(ROOT / "labs" / LESSON / f"{LESSON}.ipynb"), as_version=4)
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


def _strip_solution_markers(cell):
    cell = nbformat.from_dict(json.loads(json.dumps(cell)))
    cell.source = "\n".join(ln for ln in cell.source.splitlines() if "### " not in ln)
    return cell


def submission(tmp_path, kind, tamper="", tests=True, name="sub"):
    """A small lesson-01 submission: setup, NumPy, the (stub or solution) cells, a tamper cell, test cells."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cells = [nbformat.v4.new_code_cell("import numpy as np\nfrom course import check")]
    cells += [_strip_solution_markers(c) for c in _solution_cells("solutions" if kind == "correct" else "labs")]
    if tamper:
        cells.append(nbformat.v4.new_code_cell(tamper))
    if tests:
        cells += _test_cells()
    nb.cells = cells
    folder = tmp_path / name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{LESSON}.ipynb"
    nbformat.write(nb, str(path))
    return path


TAMPERS = {
    "shadow check": "def check(*args, **kwargs):\n    print('\u2713 all good')\n    return True",
    "patch the engine": ("import course, course.checks.engine as E\n"
                         "E._compare = lambda *a, **k: (None, None)\n"
                         "E.check = course.check = lambda *a, **k: True"),
    "patch the guard and the kinds": ("import course.checks.kinds as K\n"
                                      "K.Function.run = lambda self, ex, objs, case, call, ref: "
                                      "K.named_outputs(ex, ref.np(__import__('course.checks.spec').checks.spec."
                                      "call_named(ex.reference, ref, case)))"),
    "patch numpy": ("np.array_equal = lambda *a, **k: True\nnp.allclose = lambda *a, **k: True\n"
                    "np.isclose = lambda a, b, *x, **k: np.ones(np.shape(a), bool)"),
    "patch torch": "import torch\ntorch.heaviside = lambda a, b: a * 0 + 1\ntorch.allclose = lambda *a, **k: True",
    "silence tracebacks": ("import sys\nsys.excepthook = lambda *a: None\n"
                           "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: [])"),
    "a function that patches the grader when it runs": (
        "_real = globals().get('step')\n"
        "def step(z):\n"
        "    import course.checks.kinds as K\n"
        "    from course.checks.spec import call_named\n"
        "    K.Function.run = lambda self, ex, objs, case, call, ref: K.named_outputs(\n"
        "        ex, ref.np(call_named(ex.reference, ref, case)))\n"
        "    return _real(z)"),
    "exit the kernel": "import os\nos._exit(0)",
    "loop forever": "while True:\n    pass",
}


@pytest.mark.parametrize("attempt", list(TAMPERS))
def test_tampering_leaves_the_grade_where_it_was(attempt, tmp_path):
    from verify import verify

    for kind, expected in (("blank", 0), ("correct", FULL)):
        path = submission(tmp_path, kind, TAMPERS[attempt], name=kind)
        result = verify([path], LESSON, cell_timeout=15)
        scores = {n: r["score"] for n, r in result["exercises"].items()}
        assert result["score"] == expected, f"{attempt!r} on a {kind} lab gave {result['score']}: {scores}"


def test_deleted_and_edited_test_cells_change_nothing(tmp_path):
    from verify import verify

    path = submission(tmp_path, "blank", tests=False, name="deleted")
    assert verify([path], LESSON, cell_timeout=15)["score"] == 0
    path = submission(tmp_path, "correct", tests=False, name="kept")
    nb = nbformat.read(str(path), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("pass", metadata={"nbgrader": {"grade": True, "grade_id": "test_step",
                                                                             "points": 1, "locked": True}}))
    nbformat.write(nb, str(path))
    first, second = verify([path], LESSON, cell_timeout=15), verify([path], LESSON, cell_timeout=15)
    assert first["score"] == second["score"] == FULL
    assert {n: r["seeds"] for n, r in first["exercises"].items()} == {n: r["seeds"] for n, r in second["exercises"].items()}


def test_a_named_mistake_is_recorded(tmp_path):
    from verify import verify

    wrong = "def step(z):\n    return (np.asarray(z) >= 0).astype(float)"
    path = submission(tmp_path, "correct", wrong, tests=False, name="ge")
    rec = verify([path], LESSON, cell_timeout=15)["exercises"]["step"]
    assert not rec["passed"] and rec["mistake"] == "step.ge_zero" and "z > 0" in rec["seeds"]["0"]["message"]


# --------------------------------------------------------------------------- the class cycle
def instructor(root, *args):
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return subprocess.run([sys.executable, str(root / "grading" / "instructor.py"), *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=1800)


def _class(tmp_path, name):
    root = tmp_path / name
    (root / "grading").mkdir(parents=True)
    for path in (ROOT / "grading").glob("*.py"):
        shutil.copy(path, root / "grading" / path.name)
    shutil.copytree(ROOT / "solutions" / LESSON, root / "solutions" / LESSON)
    done = instructor(root, "release", LESSON)
    assert done.returncode == 0, done.stderr[-2000:]
    sub = root / "grading" / "submitted"
    students = {
        "ada": ROOT / "solutions" / LESSON / f"{LESSON}.ipynb",
        "ben": root / "labs" / LESSON / f"{LESSON}.ipynb",
    }
    for student, src in students.items():
        (sub / student / LESSON).mkdir(parents=True)
        shutil.copy(src, sub / student / LESSON / f"{LESSON}.ipynb")
    # cy: a blank lab whose gate_weights cell shadows `check`; dee: the solutions with step(0) = 1.
    for student, (origin, find, new) in {
        "cy": ("labs", "raise NotImplementedError()", "def check(*a, **k):\n    return True"),
        "dee": ("solutions", "return (np.asarray(z) > 0).astype(float)", "return (np.asarray(z) >= 0).astype(float)"),
    }.items():
        nb = nbformat.read(str((ROOT if origin == "solutions" else root) / origin / LESSON / f"{LESSON}.ipynb"), 4)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == ("solution_gate_weights" if student == "cy" else "solution_step"):
                cell.source = cell.source.replace(find, new, 1)
        (sub / student / LESSON).mkdir(parents=True)
        nbformat.write(nb, str(sub / student / LESSON / f"{LESSON}.ipynb"))
    return root


@pytest.mark.notebooks
def test_one_and_two_workers_agree_and_the_cycle_holds_no_hidden_test(tmp_path):
    grades = {}
    for jobs in (1, 2):
        root = _class(tmp_path, f"jobs{jobs}")
        done = instructor(root, "autograde", LESSON, "--jobs", str(jobs))
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert "graded 4, failed 0" in done.stdout
        assert "cy/01_perceptron: possible tampering" in done.stdout, done.stdout
        done = instructor(root, "export")
        assert done.returncode == 0, done.stderr[-2000:]
        rows = sorted((r["student_id"], r["assignment"], r["score"], r["max_score"])
                      for r in csv.DictReader(open(root / "grading" / "grades.csv")))
        grades[jobs] = rows
    assert grades[1] == grades[2]
    scores = {r[0]: float(r[2]) for r in grades[1]}
    # dee's step(0) = 1 breaks step and the two exercises built on it; gate_weights (2 points) stands.
    assert scores == {"ada": FULL, "ben": 0.0, "cy": 0.0, "dee": 2.0}

    # Feedback: what failed, without hidden test source, seeds or cases.
    done = instructor(root, "feedback", LESSON)
    assert done.returncode == 0, done.stderr[-2000:]
    hidden_lines = set()
    for cell in nbformat.read(str(ROOT / "solutions" / LESSON / f"{LESSON}.ipynb"), 4).cells:
        if "### BEGIN HIDDEN TESTS" in cell.source:
            hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)[1].split("### END HIDDEN TESTS", 1)[0]
            hidden_lines |= {ln.strip() for ln in hidden.splitlines() if ln.strip()}
    files = sorted((root / "grading" / "feedback").glob("*/*/*.html"))
    assert len(files) == 4
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "HIDDEN TESTS" not in text and "seed=" not in text and "seed 1" not in text and "seed 2" not in text
        for line in hidden_lines:
            assert line not in text and line.replace('"', "&quot;") not in text, (path, line)
    dee = (root / "grading" / "feedback" / "dee" / LESSON / f"{LESSON}.html").read_text(encoding="utf-8")
    assert "z &gt; 0" in dee or "z > 0" in dee

    # The report counts what the submissions did.
    done = instructor(root, "report", LESSON)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = list(csv.DictReader(open(root / "grading" / "report" / "mistakes.csv", encoding="utf-8")))
    step = [r for r in rows if r["exercise"] == "step"]
    assert step[0]["students"] == "4" and step[0]["passed"] == "1"
    named = {r["mistake"]: int(r["count"]) for r in step if r["mistake"]}
    assert named == {"step.ge_zero": 1}
    page = (root / "grading" / "report" / f"{LESSON}.html").read_text(encoding="utf-8")
    assert "step.ge_zero" in page and "possible tampering" in page and "data:image/png;base64" in page


# --------------------------------------------------------------------------- the student edition
def test_student_edition_holds_no_answer_and_runs(tmp_path):
    edition = tmp_path / "edition"
    done = instructor(ROOT, "publish", str(edition))
    assert done.returncode == 0, done.stderr[-2000:]
    assert not (edition / "solutions").exists() and not (edition / "tests").exists()
    assert (edition / "course" / "__init__.py").is_file() and (edition / "labs").is_dir()
    # Every solution body (and hidden test block) of solutions/, as its code lines.
    blocks = []
    for path in (ROOT / "solutions").glob("*/*.ipynb"):
        for cell in nbformat.read(str(path), 4).cells:
            for start, end in (("### BEGIN SOLUTION", "### END SOLUTION"), ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")):
                for part in cell.source.split(start)[1:]:
                    lines = [ln.strip() for ln in part.split(end, 1)[0].splitlines()]
                    lines = [ln for ln in lines if ln and not ln.startswith("#")]
                    if lines:
                        blocks.append(lines)
    leaks = []
    for path in edition.rglob("*"):
        if not (path.is_file() and path.suffix in (".py", ".ipynb", ".md", ".toml", ".yml", ".txt", ".json")):
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if path.suffix == ".ipynb":
            if "BEGIN HIDDEN TESTS" in text or "BEGIN SOLUTION" in text:
                leaks.append(f"{path.relative_to(edition)}: nbgrader markers")
            lines = [ln.strip() for c in nbformat.reads(text, 4).cells if c.cell_type == "code"
                     for ln in c.source.splitlines()]
        else:
            lines = [ln.strip() for ln in text.splitlines()]
        lines = [ln for ln in lines if ln and not ln.startswith("#")]
        joined = "\n".join(lines)
        for block in blocks:
            # No answer of two lines or more, line for line, anywhere (single lines like `return out,
            # cache` are everyone's; that a lab holds no line of its own answers is test_notebooks').
            if len(block) >= 2 and "\n".join(block) in joined:
                leaks.append(f"{path.relative_to(edition)}: {block[0]} ...")
    assert not leaks, "\n".join(leaks)
    assert "solutions" not in (edition / "README.md").read_text()

    # Installed on its own (not the repository's package), a lab's first cells run.
    target = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                           "--target", str(target), str(edition)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    from nbclient import NotebookClient

    from course.execution import private_kernels

    lab = nbformat.read(str(edition / "labs" / LESSON / f"{LESSON}.ipynb"), 4)
    lab.cells = [c for c in lab.cells if c.cell_type == "code"][:2] + [
        nbformat.v4.new_code_cell("import course; print('FROM', course.__file__)")]
    env_before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(target)
    try:
        NotebookClient(lab, timeout=120, kernel_name="python3", config=private_kernels(),
                       resources={"metadata": {"path": str(edition / "labs" / LESSON)}}).execute()
    finally:
        if env_before is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = env_before
    out = "".join(o.get("text", "") for c in lab.cells for o in c.outputs)
    assert f"FROM {target}" in out and "device:" in out, out


def test_grading_mode_keeps_what_grading_needs_and_drops_demonstrations():
    from prune import needed_cells

    cells = [nbformat.v4.new_code_cell(s) for s in [
        "import numpy as np",                                   # 0 used by the solution
        "X = np.ones((3, 2))",                                  # 1 used by the helper below
        "def helper(z):\n    return z @ X.T",                  # 2 used by the solution
        "history = [helper(np.ones(2)) for _ in range(1000)]",  # 3 a demonstration
        "import matplotlib.pyplot as plt\nplt.plot(history)",  # 4 a plot
        "def step(z):\n    return helper(z) > 0",              # 5 the student's solution
        "!pip list | head",                                     # 6 a shell line that defines nothing
        'check("step", step)',                                   # 7 the test cell
    ]]
    cells[5].metadata["nbgrader"] = {"solution": True, "grade_id": "solution_step"}
    cells[7].metadata["nbgrader"] = {"grade": True, "grade_id": "test_step", "points": 1}
    assert needed_cells(cells, ["step"]) == [0, 1, 2, 5, 7]

    # A function's parameters and locals, and a comprehension's variables, are not the notebook's names;
    # a default value, a global read inside a method, and a comprehension's first iterable are.
    cells = [nbformat.v4.new_code_cell(s) for s in [
        "lr = 0.5\nfor p in range(3):\n    print(p)",                 # 0 a demonstration that binds lr and p
        "scale = 2.0",                                               # 1 read inside a method
        "eps0 = 1e-8",                                               # 2 a default value
        "data = [1, 2]",                                             # 3 a comprehension's first iterable
        "class SGD:\n    def __init__(self, params, lr=0.01, eps=eps0):\n        self.lr = lr * scale\n"
        "        self.params = [p for p in params]\n        self.n = sum(x for x in data)",  # 4 the solution
        'check("sgd", SGD)',                                          # 5 the test cell
    ]]
    cells[4].metadata["nbgrader"] = {"solution": True, "grade_id": "solution_sgd"}
    cells[5].metadata["nbgrader"] = {"grade": True, "grade_id": "test_sgd", "points": 1}
    assert needed_cells(cells, ["SGD"]) == [1, 2, 3, 4, 5]
