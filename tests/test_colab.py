"""The setup cell in a simulated Colab: safe to run twice, after a restart over an existing clone, and
with one sentence when ``COURSE_REPO`` is unset or the clone fails; it never upgrades torch, numpy or
ipywidgets.

Colab is simulated: a ``google.colab`` module on the path, ``/content`` replaced by a temporary folder
(the kernel's working directory, as in Colab), and ``git`` and ``pip`` replaced by scripts that log
their arguments (the fake ``git clone`` copies this repository).
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from course.execution import private_kernels

ROOT = Path(__file__).resolve().parents[1]


def setup_source() -> str:
    nb = nbformat.read(str(ROOT / "solutions" / "01_perceptron" / "01_perceptron.ipynb"), as_version=4)
    return next(c for c in nb.cells if c.cell_type == "code").source


def _script(path: Path, body: str):
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def colab(tmp_path, monkeypatch):
    content = tmp_path / "content"
    content.mkdir()
    fake_bin, stub = tmp_path / "bin", tmp_path / "stub"
    fake_bin.mkdir()
    (stub / "google" / "colab").mkdir(parents=True)
    (stub / "google" / "__init__.py").write_text("")
    (stub / "google" / "colab" / "__init__.py").write_text("")
    log = tmp_path / "calls.log"
    # git clone ... SRC DEST: copy the course (without its venv) to DEST; FAIL_CLONE makes it fail.
    _script(fake_bin / "git", f'echo "git $*" >> {log}\n'
            '[ -n "$FAIL_CLONE" ] && { echo "fatal: repository not found" >&2; exit 128; }\n'
            'for last; do :; done\n'
            f'mkdir -p "$last" && cd {ROOT} && tar --exclude=.venv --exclude=.git -cf - course pyproject.toml README.md '
            '| tar -xf - -C "$last"\n')
    _script(fake_bin / "pip", f'echo "pip $*" >> {log}\n')
    monkeypatch.setenv("PATH", f"{fake_bin}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PYTHONPATH", str(stub))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("COURSE_REPO", raising=False)
    return content, log


def run_kernel(content: Path, cells: list[str], repo: str | None = "https://example.invalid/course.git"):
    """Run the cells in one new kernel whose working directory is the stand-in for /content."""
    nb = nbformat.v4.new_notebook()
    prefix = [f"import os\nos.environ['COURSE_REPO'] = {repo!r}" if repo else "import os"]
    nb.cells = [nbformat.v4.new_code_cell(s) for s in prefix + cells]
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True, config=private_kernels(),
                            resources={"metadata": {"path": str(content)}})
    client.execute()
    return nb


def outputs(nb, kind=None):
    return [o for c in nb.cells for o in c.get("outputs", []) if kind is None or o.output_type == kind]


def text_of(nb):
    parts = []
    for o in outputs(nb):
        parts.append(o.get("text", "") + o.get("evalue", "") + str(o.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def colab_cell(content: Path) -> str:
    return setup_source().replace("/content", str(content))


def test_setup_cell_twice_in_one_kernel_then_in_a_new_kernel(colab):
    content, log = colab
    cell = colab_cell(content)
    probe = "import course\nprint('COURSE FROM', course.__file__); print(hasattr(course, 'setup'))"
    nb = run_kernel(content, ["import google.colab", cell, cell, probe])
    assert not outputs(nb, "error"), text_of(nb)
    text = text_of(nb)
    assert f"COURSE FROM {content}/course/course/__init__.py" in text and "True" in text, text
    calls = log.read_text().splitlines()
    assert sum(c.startswith("git clone") for c in calls) == 1, calls  # the second run does not clone again
    # "Restart session": a new kernel over the existing clone imports the real package, not the folder.
    nb = run_kernel(content, ["import google.colab", cell, probe, "from course import check\nprint(check)"])
    assert not outputs(nb, "error"), text_of(nb)
    assert f"COURSE FROM {content}/course/course/__init__.py" in text_of(nb)
    calls = log.read_text().splitlines()
    assert sum(c.startswith("git clone") for c in calls) == 1, calls
    for call in calls:
        if call.startswith("pip"):
            words = call.split()
            assert not {"-U", "--upgrade", "--force-reinstall"} & set(words), call
            assert not {"torch", "numpy", "ipywidgets"} & set(words), call


def test_setup_cell_without_course_repo_says_what_to_do(colab):
    content, log = colab
    nb = run_kernel(content, ["import google.colab", colab_cell(content)], repo=None)
    text = text_of(nb)
    assert "%env COURSE_REPO=" in text, text
    assert "Traceback" not in text
    assert not log.exists() or "git clone" not in log.read_text()


def test_setup_cell_when_the_clone_fails(colab, monkeypatch):
    content, log = colab
    monkeypatch.setenv("FAIL_CLONE", "1")
    nb = run_kernel(content, ["import google.colab", colab_cell(content)])
    text = text_of(nb)
    assert "Could not clone" in text, text


def test_outside_colab_the_cell_only_imports_course(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("PYTHONPATH", raising=False)
    nb = run_kernel(tmp_path, [setup_source()], repo=None)
    assert not outputs(nb, "error"), text_of(nb)
    assert "device:" in text_of(nb)


def test_in_a_notebook_doctor_prints_once_and_a_failed_check_shows_its_message_only(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = run_kernel(tmp_path, [setup_source(), "course.doctor()", "from course import check\ncheck('step', lambda z: z)"],
                    repo=None)
    doctor_cell, check_cell = nb.cells[2], nb.cells[3]
    assert [o.output_type for o in doctor_cell.outputs] == ["stream"], doctor_cell.outputs  # the table, no dict
    assert "float64 references" in doctor_cell.outputs[0].text
    errors = [o for o in check_cell.outputs if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "CheckFailed"
    shown = "\n".join(errors[0].traceback)
    assert "failed on the case" in shown and "engine.py" not in shown and "Traceback" not in shown
