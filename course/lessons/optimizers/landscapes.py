"""The lesson's experiments on 2-D surfaces: the surfaces :data:`SURFACES`, ``torch.optim`` behind the
lesson's ``step(w, grad)`` interface (:func:`torch_optimizers`) and :func:`race`, which runs optimizers side
by side on a surface.
"""
from __future__ import annotations

import numpy as np


# =========================================================================== 2-D surfaces and the race
class Surface:
    """A 2-D loss surface f(x, y) with its gradient, a start point, a view and a suggested learning rate."""

    def __init__(self, name, f, grad, start, xlim, ylim, lr, f_min, note):
        self.name, self.f, self.grad = name, f, grad
        self.start, self.xlim, self.ylim, self.lr, self.f_min, self.note = start, xlim, ylim, lr, f_min, note

    def value(self, w):
        return float(self.f(w[0], w[1]))

    def gradient(self, w):
        return np.array(self.grad(w[0], w[1]), dtype=float)


def _local_min_fmin():
    xs = np.linspace(-3, 3, 600001)
    return float(np.min(0.25 * xs ** 4 - xs ** 2 + 0.3 * xs))


SURFACES = {
    "ill-conditioned quadratic": Surface(
        "ill-conditioned quadratic",
        lambda x, y: 0.1 * x ** 2 + 2.0 * y ** 2,
        lambda x, y: (0.2 * x, 4.0 * y),
        (-4.5, 1.5), (-5, 5), (-2, 2), 0.1, 0.0,
        "a long narrow valley (curvatures 0.2 and 4): SGD zigzags across it and crawls along it"),
    "Rosenbrock": Surface(
        "Rosenbrock",
        lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2,
        lambda x, y: (-2 * (1 - x) - 400 * x * (y - x ** 2), 200 * (y - x ** 2)),
        (-1.5, 2.0), (-2, 2), (-1, 3), 0.001, 0.0,
        "a curved banana-shaped valley with its minimum at (1, 1): easy to reach, slow to follow"),
    "saddle": Surface(
        "saddle",
        lambda x, y: 0.5 * x ** 2 + 0.25 * y ** 4 - 0.5 * y ** 2,
        lambda x, y: (x, y ** 3 - y),
        (2.5, 1e-3), (-3, 3), (-2, 2), 0.05, -0.25,
        "a saddle point at (0, 0) between two minima (0, ±1): from almost on the ridge, the gradient "
        "toward a minimum is tiny at first"),
    "local minimum": Surface(
        "local minimum",
        lambda x, y: 0.25 * x ** 4 - x ** 2 + 0.3 * x + y ** 2,
        lambda x, y: (x ** 3 - 2 * x + 0.3, 2 * y),
        (2.5, 1.5), (-2.5, 3), (-2, 2), 0.05, _local_min_fmin(),
        "two valleys: a shallow one at x ≈ 1.33 and the deeper, global one at x ≈ −1.48"),
}


class TorchOptimizer:
    """``torch.optim.<name>`` behind the same ``step(w, grad) -> new w`` interface as the lesson's classes.

    ``TorchOptimizer.make("Adam", betas=(0.9, 0.999))`` returns a class to construct with ``lr``.
    """

    def __init__(self, torch_name, lr, **kwargs):
        self.torch_name, self.lr, self.kwargs = torch_name, lr, kwargs
        self.param, self.opt = None, None

    @classmethod
    def make(cls, torch_name, **kwargs):
        return lambda lr: cls(torch_name, lr, **kwargs)

    def step(self, w, grad):
        import torch

        if self.param is None:
            self.param = torch.zeros(np.shape(w), dtype=torch.float64, requires_grad=True)
            self.opt = getattr(torch.optim, self.torch_name)([self.param], lr=self.lr, **self.kwargs)
        with torch.no_grad():
            self.param.copy_(torch.as_tensor(np.asarray(w, dtype=np.float64)))
        self.param.grad = torch.as_tensor(np.asarray(grad, dtype=np.float64)).clone()
        self.opt.step()
        return self.param.detach().numpy().copy()


def torch_optimizers():
    """The six optimizers of the lesson as torch.optim, each a factory ``lr -> object with step(w, grad)``."""
    return {
        "SGD": TorchOptimizer.make("SGD"),
        "Momentum": TorchOptimizer.make("SGD", momentum=0.9),
        "Nesterov": TorchOptimizer.make("SGD", momentum=0.9, nesterov=True),
        "AdaGrad": TorchOptimizer.make("Adagrad"),
        "RMSProp": TorchOptimizer.make("RMSprop"),
        "Adam": TorchOptimizer.make("Adam"),
    }


def race(surface, optimizers, lr=None, start=None, steps=200):
    """Run each optimizer from the same start on a surface.

    surface: a :class:`Surface` or the name of one in :data:`SURFACES`; optimizers: dict name -> class
    (or factory) called with ``lr``, whose instance has ``step(w, grad)``. Returns dict name ->
    ``(path, losses)``: path (k+1, 2) of points, losses (k+1,) of f; a run that leaves the plot's
    neighbourhood by far (|w| > 1e3) or becomes NaN stops there.
    """
    surface = SURFACES[surface] if isinstance(surface, str) else surface
    lr = surface.lr if lr is None else lr
    start = np.array(surface.start if start is None else start, dtype=float)
    results = {}
    for name, make in optimizers.items():
        opt = make(lr)
        w = start.copy()
        path = [w.copy()]
        with np.errstate(all="ignore"):
            for _ in range(steps):
                w = np.asarray(opt.step(w.copy(), surface.gradient(w)), dtype=float)
                if not np.all(np.isfinite(w)) or np.abs(w).max() > 1e3:
                    break
                path.append(w.copy())
        path = np.array(path)
        results[name] = (path, np.array([surface.value(p) for p in path]))
    return results
