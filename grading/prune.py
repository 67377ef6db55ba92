"""Grading mode: a submission without the cells that only demonstrate.

At grading, a cell is run only if grading needs it: every nbgrader cell (the setup cell, the student's
solution cells, the test cells) and, transitively, every earlier cell that defines a name one of those
uses. Training demonstrations, timing tables, plots and widgets define names nothing graded uses, and
are left out; every graded exercise still runs in full. A cell that cannot be read as Python is kept.
"""
from __future__ import annotations

import ast
import builtins

_BUILTINS = set(dir(builtins))


def _python(source: str) -> str | None:
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except Exception:
        pass
    try:
        ast.parse(source)
    except SyntaxError:
        return None
    return source


class _Names(ast.NodeVisitor):
    """Names bound at the top level of a cell (not inside its functions) and names it reads anywhere."""

    def __init__(self):
        self.defined, self.used, self.depth = set(), set(), 0

    def _scope(self, node, name=None):
        if name and self.depth == 0:
            self.defined.add(name)
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_FunctionDef(self, node):
        self._scope(node, node.name)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self._scope(node, node.name)

    def visit_Lambda(self, node):
        self._scope(node)

    def visit_Import(self, node):
        if self.depth == 0:
            self.defined |= {(a.asname or a.name).split(".")[0] for a in node.names}

    visit_ImportFrom = visit_Import

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            self.used.add(node.id)
        elif self.depth == 0:
            self.defined.add(node.id)

    def visit_Attribute(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)):  # x.attr = ...: a use of x, which must exist
            base = node.value
            while isinstance(base, (ast.Attribute, ast.Subscript)):
                base = base.value
            if isinstance(base, ast.Name):
                self.used.add(base.id)
        self.generic_visit(node)


def defines_and_uses(source: str):
    """(names the cell binds at top level, names it reads anywhere), or None when it is not Python."""
    code = _python(source)
    if code is None:
        return None
    names = _Names()
    names.visit(ast.parse(code))
    return names.defined, names.used - _BUILTINS


def _graded(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade") or meta.get("solution") or meta.get("locked") or meta.get("task"))


def needed_cells(cells, names=()) -> list[int]:
    """Indices of the code cells grading needs (see the module's docstring), in order."""
    info = [defines_and_uses(c.source) if c.cell_type == "code" else None for c in cells]
    keep = set()
    wanted = set(names)
    for i, c in enumerate(cells):
        if c.cell_type != "code":
            continue
        if _graded(c) or info[i] is None or (info[i][0] & wanted):
            keep.add(i)
    changed = True
    while changed:
        changed = False
        for i in sorted(keep):
            if info[i] is None:
                continue
            uses = info[i][1]
            for j in range(i):
                if j not in keep and cells[j].cell_type == "code" and info[j] is not None and info[j][0] & uses:
                    keep.add(j)
                    changed = True
    return sorted(keep)


def prune(nb, names=()):
    """The notebook with only the code cells grading needs (markdown cells stay, they cost nothing)."""
    keep = set(needed_cells(nb.cells, names))
    nb.cells = [c for i, c in enumerate(nb.cells) if c.cell_type != "code" or i in keep]
    return nb
