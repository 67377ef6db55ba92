"""The standard kinds of exercise, run by the engine: a lesson gives a kind and data, not a ``run``.

- :class:`Function`: one function, called with the case's arguments; its result is the outputs.
  :class:`UpdatesInPlace` is one whose contract updates some arguments in place (``bn_state``).
- :class:`Layer`: a forward/backward pair over a ``cache``. The forward is checked against the
  reference first; the backward is then called on the student's own cache with the case's
  ``dout``, and its gradients are compared with autograd's.
- :class:`Optimizer`: a class ``Name(lr, ...)`` with ``.step(w, grad)``, compared with a
  ``torch.optim`` optimizer by the trajectory of the parameter over many steps.
- :class:`Training`: a function that trains something, graded by its outcome (a model's
  predictions, a score against a bar).
- :class:`Custom`: an exercise truly unlike the others gives its own ``run(objects, case, call, ref)``.

Each kind turns the student's objects into a dict of outputs (``run``) and the reference into the
same dict (``expected``); the engine compares the two and names the mistake.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from course.checks.spec import Signature, StudentError, call_named, unpack


def named_outputs(ex, value) -> dict:
    """A reference's or a mistake's value as a dict keyed by output name."""
    if len(ex.outputs) == 1 and not (isinstance(value, dict) and ex.outputs[0].name in value):
        return {ex.outputs[0].name: value}
    if isinstance(value, dict):
        return value
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"the reference of {ex.name!r} must return a dict or a tuple of "
                        f"{len(ex.outputs)} outputs, not {type(value).__name__}")
    return {o.name: v for o, v in zip(ex.outputs, value)}


def _student_outputs(ex, raw, what) -> dict:
    names = [o.name for o in ex.outputs]
    if len(names) == 1:
        return {names[0]: raw}
    return dict(zip(names, unpack(raw, what, names)))


class Kind:
    """What every kind provides; ``after_run`` computes the reference after the student's run."""

    after_run = False

    def extra_signatures(self) -> tuple:
        return ()

    def expected(self, ex, case, ref) -> dict:
        return named_outputs(ex, ref.np(call_named(ex.reference, ref, case)))

    def run(self, ex, objects, case, call, ref) -> dict:
        raise NotImplementedError


@dataclass
class Function(Kind):
    """One function: ``f(**case arguments)`` -> the outputs (a tuple when there are several)."""

    def run(self, ex, objects, case, call, ref) -> dict:
        raw = call(objects[0], *case.args, what=ex.objects[0], names=case.arg_names, **case.kwargs)
        return _student_outputs(ex, raw, ex.objects[0])


@dataclass
class UpdatesInPlace(Function):
    """One function that updates some of its arguments in place by contract (``bn_state``).

    It is called once per case, like :class:`Function`, on copies of the case's arguments; those named
    in ``mutable`` may be changed (any other change is reported). ``read(result, what, case, **updated)``
    turns the return value and the updated arguments into the outputs.
    """

    mutable: tuple = ()
    read: Callable = None

    def run(self, ex, objects, case, call, ref) -> dict:
        from course.checks.guard import safe_copy

        args = [safe_copy(a) if n in self.mutable else a for a, n in zip(case.args, case.arg_names)]
        kwargs = {k: (safe_copy(v) if k in self.mutable else v) for k, v in case.kwargs.items()}
        raw = call(objects[0], *args, what=ex.objects[0], names=case.arg_names, mutable=self.mutable, **kwargs)
        updated = {n: a for n, a in zip(case.arg_names, args) if n in self.mutable}
        updated.update({k: v for k, v in kwargs.items() if k in self.mutable})
        return self.read(raw, ex.objects[0], case, **updated)


@dataclass
class Value(Kind):
    """A value, not a function (``gate_weights``): ``read(ref, value, case...)`` turns it into outputs."""

    read: Callable = None

    def run(self, ex, objects, case, call, ref) -> dict:
        return named_outputs(ex, call_named(self.read, ref, case, extra={"value": objects[0]}, convert=False))


def _default_dout(case, shape):
    rng = np.random.default_rng(zlib.crc32(case.label.encode()))
    return rng.normal(size=shape)


def _get_path(named: dict, path: str):
    value = named
    for part in path.split("."):
        value = value[part]
    return value


@dataclass
class Layer(Kind):
    """A forward/backward pair: ``forward(...) -> (out, cache)``, ``backward(dout, cache) -> grads``.

    ``backward``: the backward's catalogue signature. ``grads``: output name -> the forward
    argument it is the gradient of (``{"dx": "x", "dW": "W", "db": "b"}``; ``"params.W1"`` for an
    entry of a dict argument). The exercise's ``reference`` is the forward in torch, returning
    ``out`` from tensors that require gradients; autograd gives the expected gradients for the
    case's ``dout`` (``case.data["dout"]``, or one drawn from the case's label). ``returns``:
    ``"tuple"`` (the default), or ``"dict"`` when the backward returns a dict keyed by the names
    in ``grads``. ``mutable``: forward arguments it updates in place (a running-statistics dict).
    """

    backward: str = ""
    grads: dict = field(default_factory=dict)
    returns: str = "tuple"
    mutable: tuple = ()
    forward_outputs: tuple = ("out", "cache")

    def extra_signatures(self) -> tuple:
        return (Signature.parse(self.backward),)

    def _forward_ref(self, ex, case, ref):
        torch = ref.torch
        leaves = {}

        def leaf(path, value):
            t = value.detach().clone().requires_grad_(True)
            leaves[path] = t
            return t

        pool = {}
        for name, value in {**case.named, **case.data}.items():
            pool[name] = value
        from course.checks.spec import to_torch

        converted = {k: to_torch(v, ref) for k, v in pool.items()}
        for out_name, path in self.grads.items():
            head, _, rest = path.partition(".")
            if rest:
                converted[head] = dict(converted[head])
                converted[head][rest] = leaf(path, converted[head][rest])
            else:
                converted[head] = leaf(path, converted[head])
        fn = ex.reference
        from course.checks.spec import _params

        params = _params(fn)
        kwargs = {p: (ref if p == "ref" else case if p == "case" else converted[p])
                  for p in params if p != "**" and (p in ("ref", "case") or p in converted)}
        out = fn(**kwargs)
        if isinstance(out, (tuple, list)):
            out = out[0]
        if not isinstance(out, torch.Tensor):
            raise TypeError(f"the reference of {ex.name!r} must return the forward's output tensor")
        return out, leaves

    def expected(self, ex, case, ref) -> dict:
        torch = ref.torch
        out, leaves = self._forward_ref(ex, case, ref)
        if "dout" not in case.data:
            case.data["dout"] = _default_dout(case, tuple(out.shape))
        dout = ref.t(case.data["dout"])
        paths = list(self.grads.values())
        grads = torch.autograd.grad(out, [leaves[p] for p in paths], dout, allow_unused=True)
        expected = {}
        for (name, path), g in zip(self.grads.items(), grads):
            expected[name] = ref.np(g if g is not None else torch.zeros_like(leaves[path]))
        case.data["_forward_out"] = ref.np(out)
        return expected

    def run(self, ex, objects, case, call, ref) -> dict:
        from course.checks import compare as cmp

        fwd, bwd = objects[0], objects[1]
        fname, bname = ex.objects[0], ex.objects[1]
        raw = call(fwd, *case.args, what=fname, names=case.arg_names, mutable=self.mutable, **case.kwargs)
        out, cache = unpack(raw, fname, self.forward_outputs)
        expected_out = case.data.get("_forward_out")
        if expected_out is not None:
            try:
                arr = cmp.as_array(out, f"the `out` of {fname}")
            except ValueError as e:
                raise StudentError(f"{e} Make check({fname!r}) pass first.") from None
            if arr.shape != np.shape(expected_out) or not cmp.close(arr, expected_out, cmp.tolerance_for(arr)):
                raise StudentError(f"`{fname}` does not give the right `out` on this case, so its cache cannot be "
                                   f"trusted either: make check({fname!r}) pass first.")
        grads = call(bwd, case.data["dout"], cache, what=bname, names=["dout", "cache"])
        names = list(self.grads)
        if self.returns == "dict":
            if grads is None:
                raise StudentError(f"`{bname}` returned None; it should return a dict with the keys "
                                   f"{', '.join(map(repr, names))}. Did you forget a `return`?")
            if not isinstance(grads, dict):
                raise StudentError(f"`{bname}` should return a dict with the keys {', '.join(map(repr, names))}; "
                                   f"it returned {cmp.describe(grads)}.")
            missing = [k for k in names if k not in grads]
            if missing:
                raise StudentError(f"the dict `{bname}` returned has no key {', '.join(map(repr, missing))}.")
            return {k: grads[k] for k in names}
        if len(names) == 1:
            return {names[0]: grads}
        return dict(zip(names, unpack(grads, bname, names)))


def check_step_result(value, shape, what, k):
    """The new w an optimizer's ``step`` returned on step ``k``, as a float array of w's shape."""
    from course.checks.compare import as_array

    if value is None:
        raise StudentError(f"`{what}` returned None on step {k}: it should return the new w "
                           f"(`return w - ...`), even when it updates w in place.")
    try:
        arr = as_array(value, f"what `{what}` returned on step {k}")
    except ValueError as e:
        raise StudentError(str(e)) from None
    if arr.shape != tuple(shape):
        raise StudentError(f"`{what}` returned an array of shape {arr.shape} on step {k}; the new w should "
                           f"have the shape of w, {tuple(shape)}.")
    return np.array(arr, dtype=arr.dtype if arr.dtype.kind == "f" else np.float64, copy=True)


def _pack_trajectories(trajectories, pair):
    """w after the first step, and w after every step (axis 0 the step; with two instances, axis 1)."""
    if isinstance(trajectories[0][0], np.ndarray):
        stacked = [np.stack(t) for t in trajectories]
        traj = np.stack(stacked, axis=1) if pair else stacked[0]
    else:
        import torch

        stacked = [torch.stack(t) for t in trajectories]
        traj = torch.stack(stacked, dim=1) if pair else stacked[0]
    return {"w_after_step_1": traj[0], "trajectory": traj}


def _grad_at(loss, w, ref):
    wt = w.detach().clone().requires_grad_(True)
    (g,) = ref.torch.autograd.grad(loss(ref, wt), wt)
    return g


@dataclass
class Optimizer(Kind):
    """A class ``Name(lr, ...)`` whose ``.step(w, grad)`` returns the new w.

    The case's arguments are the constructor's; ``case.data`` holds ``problems`` (a list of
    ``{"w0": array, "loss": loss(ref, w) -> scalar tensor}``), ``steps`` and ``pair`` (True: two
    instances stepped in turn, one per problem, which catches state shared between instances).
    The exercise's ``reference(ref, params, **hyper-parameters)`` returns the ``torch.optim``
    optimizer over ``params``. Outputs: ``w_after_step_1`` and ``trajectory``.
    """

    def validate(self, ex, obj):
        name = ex.objects[0]
        if obj is None:
            raise StudentError(f"`{name}` is None: run the cell that defines the class first.")
        if not isinstance(obj, type):
            if hasattr(obj, "step"):
                raise StudentError(f"pass the class `{name}` itself, not an instance: "
                                   f"check(..., {name}), not check(..., {name}(0.1)).")
            raise StudentError(f"`{name}` should be a class with a `step(w, grad)` method; "
                               f"it is {type(obj).__name__}.")
        if not callable(getattr(obj, "step", None)):
            raise StudentError(f"the class `{name}` has no method `step(self, w, grad)`.")

    def expected(self, ex, case, ref) -> dict:
        params, opts = [], []
        for problem in case.data["problems"]:
            p = ref.t(problem["w0"], grad=True)
            params.append(p)
            opts.append(call_named(ex.reference, ref, case, extra={"params": [p]}))
        trajectories = [[] for _ in params]
        for _ in range(case.data["steps"]):
            for p, opt, problem, traj in zip(params, opts, case.data["problems"], trajectories):
                opt.zero_grad()
                problem["loss"](ref, p).backward()
                opt.step()
                traj.append(p.detach().clone())
        return ref.np(_pack_trajectories(trajectories, case.data.get("pair", False)))

    def run(self, ex, objects, case, call, ref) -> dict:
        self.validate(ex, objects[0])
        cls, name = objects[0], ex.objects[0]
        problems = case.data["problems"]
        instances = []
        for _ in problems:
            opt = call(cls, *case.args, what=name, names=case.arg_names, **case.kwargs)
            if opt is None or not callable(getattr(opt, "step", None)):
                raise StudentError(f"`{name}(...)` did not give an object with a `step` method.")
            instances.append(opt)
        ws = [np.array(p["w0"], copy=True) for p in problems]
        trajectories = [[] for _ in problems]
        for k in range(1, case.data["steps"] + 1):
            for i, opt in enumerate(instances):
                g = ref.np(_grad_at(problems[i]["loss"], ref.t(ws[i]), ref))
                try:
                    new = call(opt.step, ws[i].copy(), g, what=f"{name}.step", names=["w", "grad"], mutable=("w",))
                except StudentError as e:
                    if "broadcast" not in str(e):
                        raise
                    raise StudentError(
                        f"{e} The state has a shape other than w's: if it comes from an earlier instance, your "
                        f"instances share their state (a class attribute or a global); keep it in `self`, "
                        f"created in __init__ or on the first step with the shape of w.") from None
                ws[i] = check_step_result(new, problems[i]["w0"].shape, f"{name}.step", k)
                trajectories[i].append(ws[i])
        return _pack_trajectories(trajectories, case.data.get("pair", False))


def simulate(rule: Callable, *, shared: bool = False) -> Callable:
    """A mistake's ``wrong`` for an :class:`Optimizer`: ``rule(state, w, g, s) -> new w`` in torch.

    It is run the way the check runs a student: one ``state`` dict per instance (one for all with
    ``shared``), holding ``t``, the number of the current step from 1; ``s`` holds the case's
    hyper-parameters with the signature's defaults.
    """

    def wrong(ref, case):
        settings = dict(case.named)
        problems = case.data["problems"]
        ws = [ref.t(p["w0"]) for p in problems]
        common = {"t": 0}
        states = [common if shared else {"t": 0} for _ in problems]
        trajectories = [[] for _ in problems]
        for _ in range(case.data["steps"]):
            for i, problem in enumerate(problems):
                g = _grad_at(problem["loss"], ws[i], ref)
                states[i]["t"] += 1
                ws[i] = rule(states[i], ws[i], g, settings)
                trajectories[i].append(ws[i].clone())
        return _pack_trajectories(trajectories, case.data.get("pair", False))

    return wrong


@dataclass
class Training(Kind):
    """A function that trains something, graded by its outcome.

    The student's function is called with the case's arguments (inside the exercise's time
    limit); ``outcome(result, call, objects, ref, case ...)`` (named, unconverted ``result``)
    turns what it returned into the outputs: a model's predictions compared with the
    reference, or scores held to bars (``Output(..., at_least=...)``). When every output is a bar
    the exercise needs no reference.
    """

    outcome: Callable = None

    def expected(self, ex, case, ref) -> dict:
        if ex.reference is None:
            return {o.name: None for o in ex.outputs}
        return super().expected(ex, case, ref)

    def run(self, ex, objects, case, call, ref) -> dict:
        result = call(objects[0], *case.args, what=ex.objects[0], names=case.arg_names, **case.kwargs)
        extra = {"result": result, "call": call, "objects": objects}
        return named_outputs(ex, call_named(self.outcome, ref, case, extra=extra, convert=False))


@dataclass
class Custom(Kind):
    """An exercise unlike the others: ``run(objects, case, call, ref)`` returns its outputs.

    ``after_run``: the reference depends on what the student's code drew (a dropout mask): ``run``
    records it in ``case.data`` and the reference is computed after it.
    """

    fn: Callable = None
    after_run: bool = False

    def run(self, ex, objects, case, call, ref) -> dict:
        import inspect

        n = len(inspect.signature(self.fn).parameters)
        raw = self.fn(objects, case, call, ref) if n >= 4 else self.fn(objects, case, call)
        return raw if isinstance(raw, dict) else named_outputs(ex, raw)
