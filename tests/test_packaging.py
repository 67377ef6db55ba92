"""The install story: pyproject.toml and environment.yml list the same packages; README's commands are what CI runs."""
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names the PyPI package torch "pytorch".
CONDA_NAMES = {"pytorch": "torch"}


def _split(requirement: str):
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def pyproject():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        tomllib = pytest.importorskip("tomli")
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def pip_requirements() -> dict:
    project = pyproject()["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    return dict(_split(r) for r in reqs)


def conda_requirements() -> dict:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, spec = _split(dep)
            if name in ("python", "pip"):
                continue
            out[CONDA_NAMES.get(name, name)] = spec
    return out


def test_environment_yml_matches_pyproject():
    assert conda_requirements() == pip_requirements()


def test_environment_yml_installs_the_course_package():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_items = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_items and "-e ." in pip_items[0]["pip"]


def test_student_install_is_colab_friendly():
    deps = dict(_split(r) for r in pyproject()["project"]["dependencies"])
    assert {"numpy", "torch", "torchvision", "matplotlib", "ipywidgets", "tqdm"} <= set(deps)
    assert "nbgrader" not in deps and "jupyterlab" not in deps
    for name, spec in deps.items():
        assert "==" not in spec and "<" not in spec, f"{name}{spec}: no upper bounds or pins for the student install"


def readme_commands():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```(?:bash|sh)\n(.*?)```", text, flags=re.S)


def test_ci_runs_the_readme_test_command():
    ci = [ln for ln in (ROOT / ".ci" / "run").read_text().splitlines()
          if ln.strip() and not ln.lstrip().startswith("#") and not ln.startswith("set ")]
    blocks = [b.strip() for b in readme_commands()]
    test_blocks = [b for b in blocks if "pytest" in b]
    assert test_blocks, "README.md has no test command"
    assert ci[-1] == test_blocks[0], f".ci/run must end with exactly README's test command: {test_blocks[0]!r}"
    before = "\n".join(ci[:-1])
    # Before it, .ci/run may only install the browser for the browser test, and never fail on that.
    assert all(word in before for word in ("apt-get", "chromium")) or not before, before
    assert "pip" not in before and "pytest" not in before


def test_readme_opens_jupyterlab_on_labs():
    assert any("jupyter lab labs" in b for b in readme_commands())


def test_gpu_check_says_so_and_exits_0_without_cuda():
    import subprocess
    import sys

    import torch

    if torch.cuda.is_available():
        import pytest

        pytest.skip("a GPU is here: run `python -m course.bench --device cuda` by hand")
    done = subprocess.run([sys.executable, "-m", "course.bench", "--device", "cuda"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0 and "no CUDA device" in done.stdout, done.stdout + done.stderr
