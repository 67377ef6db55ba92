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


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp,
           ast.DictComp, ast.GeneratorExp)


def _local_names(node) -> set:
    """The names a function, lambda or comprehension binds for itself (parameters, assignments, imports,
    nested definitions), less those it declares global; nested scopes are not entered."""
    local, declared = set(), set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        a = node.args
        local |= {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg] if x}
        todo = list(node.body) if isinstance(node.body, list) else [node.body]
    else:  # a comprehension: its targets, and the conditions and later iterables that see them
        todo = [g.target for g in node.generators]
    while todo:
        sub = todo.pop()
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
            local.add(sub.id)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            local.add(sub.name)
            continue
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            local |= {(x.asname or x.name).split(".")[0] for x in sub.names}
        elif isinstance(sub, (ast.Global, ast.Nonlocal)):
            declared |= set(sub.names)
        elif isinstance(sub, ast.ExceptHandler) and sub.name:
            local.add(sub.name)
        elif isinstance(sub, ast.NamedExpr):
            todo.append(sub.value)  # := binds in the enclosing function: counted there
            continue
        if isinstance(sub, _SCOPES):
            continue
        todo.extend(ast.iter_child_nodes(sub))
    return local - declared


class _Names(ast.NodeVisitor):
    """Names bound at the top level of a cell and the free names it reads anywhere (a function's own
    parameters and locals, or a comprehension's variables, are not uses of the notebook's names)."""

    def __init__(self):
        self.defined, self.used, self.scopes = set(), set(), []
        # At the top level, a name the cell has surely bound already is not a use of an earlier cell's:
        # ``bound`` grows after each simple statement by what it bound (``pending``); a loop's target is
        # bound inside its body; what a branch, a loop or a ``try`` binds is forgotten after it.
        self.bound, self.pending = set(), set()

    def visit_Module(self, node):
        self._block(node.body)

    def _block(self, stmts):
        for st in stmts:
            self._statement(st)

    def _settle(self):
        self.bound |= self.pending
        self.pending = set()

    def _statement(self, st):
        saved = set(self.bound)
        if isinstance(st, (ast.For, ast.AsyncFor)):
            self.visit(st.iter)
            self.visit(st.target)
            self._settle()
            self._block(st.body)
            self.bound = set(saved)
            self._block(st.orelse)
        elif isinstance(st, (ast.If, ast.While)):
            self.visit(st.test)
            self._block(st.body)
            self.bound = set(saved)
            self._block(st.orelse)
        elif isinstance(st, (ast.With, ast.AsyncWith)):
            for item in st.items:
                self.visit(item.context_expr)
                if item.optional_vars is not None:
                    self.visit(item.optional_vars)
            self._settle()
            self._block(st.body)
        elif isinstance(st, ast.Try) or type(st).__name__ == "TryStar":
            self._block(st.body)
            for handler in st.handlers:
                self.bound = set(saved)
                if handler.type is not None:
                    self.visit(handler.type)
                if handler.name:
                    self._bind(handler.name)
                self._settle()
                self._block(handler.body)
            self.bound = set(saved)
            self._block(st.orelse)
            self.bound = set(saved)
            self._block(st.finalbody)
        else:
            self.visit(st)
            self._settle()
            return
        self.bound = saved
        self.pending = set()

    def visit_AugAssign(self, node):
        if isinstance(node.target, ast.Name):  # x += 1 reads x first
            self._load(node.target.id)
        self.generic_visit(node)

    def _enclosing(self, nodes):
        for n in nodes:
            if n is not None:
                self.visit(n)

    def _inside(self, local, nodes, kind="function"):
        self.scopes.append((kind, local))
        self._enclosing(nodes)
        self.scopes.pop()

    def _bind(self, name):
        if not self.scopes:
            self.defined.add(name)
            self.pending.add(name)

    def _load(self, name):
        if not self._free(name):
            return
        at_top = all(kind == "comprehension" for kind, _ in self.scopes)  # run now, not when called later
        if not (at_top and name in self.bound):
            self.used.add(name)

    def visit_FunctionDef(self, node):
        a = node.args
        # Decorators, defaults and annotations are evaluated where the function is defined.
        self._enclosing(node.decorator_list + a.defaults + [d for d in a.kw_defaults if d is not None] +
                        [x.annotation for x in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg]
                         if x is not None] + [node.returns])
        self._bind(node.name)
        self._inside(_local_names(node), node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        self._enclosing(node.args.defaults + [d for d in node.args.kw_defaults if d is not None])
        self._inside(_local_names(node), [node.body])

    def visit_ClassDef(self, node):
        self._enclosing(node.decorator_list + node.bases + [k.value for k in node.keywords])
        self._bind(node.name)
        local = set()
        for stmt in node.body:
            local |= {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                local.add(stmt.name)
        self._inside(local, node.body, kind="class")

    def _comprehension(self, node, parts):
        gens = node.generators
        self.visit(gens[0].iter)  # the first iterable is evaluated outside
        inner = [g.target for g in gens] + [g.iter for g in gens[1:]] + [c for g in gens for c in g.ifs] + parts
        self._inside(_local_names(node), inner, kind="comprehension")

    def visit_ListComp(self, node):
        self._comprehension(node, [node.elt])

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node):
        self._comprehension(node, [node.key, node.value])

    def visit_Import(self, node):
        for a in node.names:
            self._bind((a.asname or a.name).split(".")[0])

    visit_ImportFrom = visit_Import

    def _free(self, name) -> bool:
        for i, (kind, local) in enumerate(reversed(self.scopes)):
            if kind == "class" and i > 0:
                continue  # a method does not see its class's names
            if name in local:
                return False
        return True

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            self._load(node.id)
        else:
            self._bind(node.id)

    def visit_Attribute(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)):  # x.attr = ...: a use of x, which must exist
            base = node.value
            while isinstance(base, (ast.Attribute, ast.Subscript)):
                base = base.value
            if isinstance(base, ast.Name):
                self._load(base.id)
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
