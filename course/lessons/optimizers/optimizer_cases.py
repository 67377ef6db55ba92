"""The cases of lesson 04's six optimizer classes: fixed differentiable functions, a grid of settings.

Each case gives the constructor's arguments by name and, in ``data``, the problems the optimizer
descends (``{"w0": array, "loss": loss(ref, w) -> scalar tensor}``), the number of steps and
``pair`` (two instances stepped in turn). See :class:`course.checks.kinds.Optimizer`.
"""
from __future__ import annotations

import numpy as np

from course.checks import Case


def objective(spec, w, torch):
    """f(w) for the function described by ``spec`` (tensors), w a float64 tensor of any shape (flattened)."""
    kind, p = spec["kind"], spec
    flat = w.reshape(-1)
    if kind == "quadratic":
        val = 0.5 * (p["a"] * (flat - p["c"]) ** 2).sum()
    elif kind == "lsq":
        r = p["A"] @ flat - p["t"]
        val = 0.5 * (r ** 2).mean()
    elif kind == "logcosh":
        r = p["A"] @ flat - p["t"]
        val = torch.log(torch.cosh(r)).mean() + 0.05 * (flat ** 2).sum()
    elif kind == "rosenbrock":
        x, y = flat[0], flat[1]
        val = (1 - x) ** 2 + 100 * (y - x ** 2) ** 2
    else:  # pragma: no cover - the cases only use the kinds above
        raise ValueError(kind)
    return p.get("scale", 1.0) * val


def loss_of(spec):
    """``loss(ref, w)``: the objective of ``spec`` (NumPy arrays), in torch."""
    cache = {}

    def loss(ref, w):
        key = (id(ref), str(w.device))
        if key not in cache:  # the arrays as tensors once per referee and device, not once per step
            cache.clear()
            cache[key] = {k: (ref.t(v) if isinstance(v, np.ndarray) else v) for k, v in spec.items()}
        return objective(cache[key], w, ref.torch)

    loss.spec = spec
    return loss


def problem(rng, kind, shape, *, scale=1.0, zero_grads=False, start_scale=1.0):
    n = int(np.prod(shape))
    spec = {"kind": kind, "scale": scale}
    if kind == "quadratic":
        a = np.exp(rng.uniform(np.log(0.05), np.log(4.0), size=n))
        if zero_grads:
            a[rng.permutation(n)[: max(1, n // 3)]] = 0.0
        spec.update(a=a, c=rng.normal(size=n))
    elif kind in ("lsq", "logcosh"):
        m = n + 3
        spec.update(A=rng.normal(size=(m, n)) / np.sqrt(n), t=rng.normal(size=m))
    w0 = rng.normal(scale=start_scale, size=shape)
    if kind == "rosenbrock":
        w0 = np.array([-1.2, 1.0]) + rng.normal(scale=0.05, size=2)
    return {"w0": w0, "loss": loss_of(spec)}


# The grid of settings per optimizer: (label, constructor arguments, problem kind, shape, options, steps).
GRID = {
    "sgd": [
        ("SGD(lr=0.3), an ill-conditioned quadratic on w of shape (3, 5)", {"lr": 0.3}, "quadratic", (3, 5), {}, 25),
        ("SGD(lr=0.1), least squares with coupled entries, w (4, 2)", {"lr": 0.1}, "lsq", (4, 2), {}, 25),
        ("SGD(lr=0.5), w of shape (1,)", {"lr": 0.5}, "quadratic", (1,), {}, 20),
        ("SGD(lr=0.001), Rosenbrock from near (-1.2, 1)", {"lr": 0.001}, "rosenbrock", (2,), {}, 30),
    ],
    "momentum": [
        ("Momentum(lr=0.05) with the default momentum (0.9), quadratic on w (3, 5)", {"lr": 0.05}, "quadratic",
         (3, 5), {}, 40),
        ("Momentum(lr=0.1, momentum=0.5), least squares, w (4, 2)", {"lr": 0.1, "momentum": 0.5}, "lsq", (4, 2),
         {}, 30),
        ("Momentum(lr=0.02, momentum=0.99), log-cosh regression, w (2, 3, 2)", {"lr": 0.02, "momentum": 0.99},
         "logcosh", (2, 3, 2), {}, 30),
        ("Momentum(lr=0.2, momentum=0.7), w of shape (1,)", {"lr": 0.2, "momentum": 0.7}, "quadratic", (1,), {},
         30),
        ("Momentum(lr=0.0005), Rosenbrock", {"lr": 0.0005}, "rosenbrock", (2,), {}, 40),
    ],
    "adagrad": [
        ("AdaGrad(lr=0.5) with the default eps (1e-10), quadratic with some exactly-zero gradients, w (3, 4)",
         {"lr": 0.5}, "quadratic", (3, 4), {"zero_grads": True}, 30),
        ("AdaGrad(lr=0.3, eps=1e-10), least squares, w (5, 2)", {"lr": 0.3, "eps": 1e-10}, "lsq", (5, 2), {}, 30),
        ("AdaGrad(lr=0.1) with the default eps (1e-10), tiny gradients (f scaled by 1e-6), w (6,)", {"lr": 0.1},
         "quadratic", (6,), {"scale": 1e-6}, 25),
        ("AdaGrad(lr=0.2, eps=0.1), log-cosh regression, w (2, 3, 2)", {"lr": 0.2, "eps": 0.1}, "logcosh",
         (2, 3, 2), {}, 25),
        ("AdaGrad(lr=1.0), w of shape (1,)", {"lr": 1.0}, "quadratic", (1,), {}, 20),
    ],
    "rmsprop": [
        ("RMSProp(lr=0.01) with the defaults alpha=0.99, eps=1e-8, quadratic, w (3, 5)", {"lr": 0.01},
         "quadratic", (3, 5), {}, 40),
        ("RMSProp(lr=0.03, alpha=0.9), least squares, w (4, 2)", {"lr": 0.03, "alpha": 0.9}, "lsq", (4, 2), {}, 20),
        ("RMSProp(lr=0.01, alpha=0.5), tiny gradients (f scaled by 1e-6), some exactly zero, w (6,)",
         {"lr": 0.01, "alpha": 0.5}, "quadratic", (6,), {"scale": 1e-6, "zero_grads": True}, 30),
        ("RMSProp(lr=0.03, alpha=0.8, eps=0.01), log-cosh regression, w (2, 3, 2)",
         {"lr": 0.03, "alpha": 0.8, "eps": 0.01}, "logcosh", (2, 3, 2), {}, 30),
        ("RMSProp(lr=0.1), w of shape (1,)", {"lr": 0.1}, "quadratic", (1,), {}, 20),
    ],
    "adam": [
        ("Adam(lr=0.04) with the defaults beta1=0.9, beta2=0.999, eps=1e-8, quadratic, w (3, 5)", {"lr": 0.04},
         "quadratic", (3, 5), {}, 30),
        ("Adam(lr=0.05, beta1=0.8, beta2=0.99), least squares, w (4, 2)", {"lr": 0.05, "beta1": 0.8, "beta2": 0.99},
         "lsq", (4, 2), {}, 30),
        ("Adam(lr=0.01) with the default eps (1e-8), tiny gradients (f scaled by 1e-6), some exactly zero, w (6,)",
         {"lr": 0.01}, "quadratic", (6,), {"scale": 1e-6, "zero_grads": True}, 30),
        ("Adam(lr=0.05, beta1=0.5, beta2=0.9, eps=0.001), log-cosh regression, w (2, 3, 2)",
         {"lr": 0.05, "beta1": 0.5, "beta2": 0.9, "eps": 1e-3}, "logcosh", (2, 3, 2), {}, 30),
        ("Adam(lr=0.05), w of shape (1,)", {"lr": 0.05}, "quadratic", (1,), {}, 20),
        ("Adam(lr=0.05), Rosenbrock", {"lr": 0.05}, "rosenbrock", (2,), {}, 40),
    ],
}
GRID["nesterov"] = [(label.replace("Momentum", "Nesterov"), *rest) for label, *rest in GRID["momentum"]]

#: Two instances stepped in turn: the settings, and the class name for the label.
PAIR_SETTINGS = {"sgd": ("SGD", {"lr": 0.2}), "momentum": ("Momentum", {"lr": 0.05, "momentum": 0.8}),
                 "nesterov": ("Nesterov", {"lr": 0.05, "momentum": 0.8}), "adagrad": ("AdaGrad", {"lr": 0.3}),
                 "rmsprop": ("RMSProp", {"lr": 0.02}), "adam": ("Adam", {"lr": 0.05})}


def optimizer_cases(name):
    """rng -> the cases of optimizer ``name``: its grid, then two instances stepped in turn."""
    def cases(rng):
        out = []
        for label, args, kind, shape, options, steps in GRID[name]:
            out.append(Case(label + f", {steps} steps", dict(args),
                            data={"problems": [problem(rng, kind, shape, **options)], "steps": steps, "pair": False}))
        cls_name, args = PAIR_SETTINGS[name]
        pair = [problem(rng, "quadratic", (2, 3)) for _ in range(2)]
        settings = ", ".join(f"{k}={v}" for k, v in args.items())
        out.append(Case(f"two {cls_name}({settings}) instances, one per parameter array (2, 3), stepped in "
                        f"turn, 20 steps each", dict(args), data={"problems": pair, "steps": 20, "pair": True}))
        return out

    return cases
