"""One package per lesson: ``course/lessons/<name>/`` with ``LESSON = "NN_name"`` in its ``__init__``.

A lesson package holds ``lecture.py`` (the lecture's fixed data and worked examples), its exercise
specs in modules of readable size (each registers its exercises with the check engine), ``plots.py``
(figures and widgets on :mod:`course.plots`) and ``experiments.py``. Its folders
``solutions/NN_name/`` and ``labs/NN_name/`` carry the same name.
"""
from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _declared_name(pkg_dir: Path) -> str | None:
    """The ``LESSON`` string of a lesson package, read without importing it."""
    init = pkg_dir / "__init__.py"
    if not init.is_file():
        return None
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "LESSON" for t in node.targets):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                return node.value.value
    return None


def packages() -> dict:
    """Lesson name -> its package's module name, in course order ("01_perceptron" -> "course.lessons.perceptron")."""
    found = {}
    for info in pkgutil.iter_modules([str(_HERE)]):
        if info.ispkg and not info.name.startswith("_"):
            name = _declared_name(_HERE / info.name)
            if name:
                found[name] = f"{__name__}.{info.name}"
    return dict(sorted(found.items()))


def names() -> list:
    """The lesson names in course order: the folder names in ``solutions/`` and ``labs/``."""
    return list(packages())


def load(name: str):
    """Import a lesson's package by its lesson name ("06_cnn")."""
    return importlib.import_module(packages()[name])
