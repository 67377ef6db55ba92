"""Lesson 02 exercise spec: ``numerical_gradient``, central differences of a scalar function.

Each case's function is written once for both sides (``xp`` is NumPy for the student's ``f``, torch
for the reference), so the student's ``f`` and the referee's compute the same thing.
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, register

from .lecture import LECTURE_W1, LECTURE_W2, LECTURE_X


def _f_cubic(xp, x):
    return (x ** 3).sum() - 2.0 * (x ** 2).sum() + x.sum()


def _f_pure_cubic(xp, x):
    return (x ** 3).sum()


def _f_lecture(xp, W1, x, w2, y):
    """The lecture's error ½(ŷ − y)² as a function of the hidden weights (no activation)."""
    pred = (x @ W1) @ w2
    return 0.5 * ((pred - y) ** 2).sum()


def _f_sigmoid_layer(xp, W, X, Y):
    a = 1.0 / (1.0 + xp.exp(-(X @ W)))
    return ((a - Y) ** 2).mean()


def _f_trig(xp, x):
    return xp.sin(x).sum() + ((x * x).sum()) ** 2 / 4.0


def _f_logsumexp(xp, x):
    m = x.max()
    return m + xp.log(xp.exp(x - m).sum())


FUNCTIONS = {
    "cubic": (_f_cubic, "f(x) = Σ x³ − 2 Σ x² + Σ x"),
    "pure_cubic": (_f_pure_cubic, "f(x) = Σ x³"),
    "lecture": (_f_lecture, "the lecture's error ½(ŷ − 1)² as a function of W1 (2, 2)"),
    "sigmoid": (_f_sigmoid_layer, "the mean squared error of a sigmoid layer as a function of W (3, 2)"),
    "trig": (_f_trig, "f(x) = Σ sin x + (Σ x²)² / 4"),
    "logsumexp": (_f_logsumexp, "f(x) = log Σ exp(x)"),
}


def numpy_function(func, consts):
    """The case's function as the student gets it: an array in, a Python float out."""
    fn = FUNCTIONS[func][0]

    def f(x):
        return float(fn(np, np.asarray(x, dtype=float), **consts))

    f.__name__ = f.__qualname__ = func
    return f


def _case(label, func, x, consts=None, **settings):
    consts = consts or {}
    return Case(f"{FUNCTIONS[func][1]} {label}", {"f": numpy_function(func, consts), "x": x, **settings},
                data={"func": func, "consts": consts})


def _numgrad_cases(rng):
    X = rng.normal(size=(4, 3))
    return [
        _case("at x of shape (5,)", "cubic", rng.normal(size=5)),
        _case("at the lecture's W1", "lecture", LECTURE_W1.copy(),
              {"x": LECTURE_X.copy(), "w2": LECTURE_W2.copy(), "y": 1.0}),
        _case("", "sigmoid", rng.normal(size=(3, 2)), {"X": X, "Y": rng.random((4, 2))}),
        _case("at x (2, 3), with h=1e-4", "trig", rng.normal(size=(2, 3)), h=1e-4),
        _case("at x (4,) with entries near 20", "logsumexp", 20 + rng.normal(size=4)),
        _case("at a single number, x of shape (1,)", "cubic", np.array([0.7])),
        # For Σ x³ the central difference is exactly 3x² + h²: these two cases tell one h from another.
        _case("at x (2, 3), with h=0.01 (the central difference is 3x² + h²)", "pure_cubic",
              rng.normal(size=(2, 3)), h=0.01),
        _case("at x (6,) near 0 (the central difference is 3x² + h², h at its default)", "pure_cubic",
              rng.uniform(-0.1, 0.1, size=6)),
    ]


def _torch_f(ref, func, consts):
    fn = FUNCTIONS[func][0]
    values = {k: (ref.t(v) if isinstance(v, np.ndarray) else v) for k, v in consts.items()}
    return lambda x: fn(ref.torch, x, **values)


def _difference(ref, x, h, func, consts, kind="central"):
    """Finite differences of the case's function in torch float64, entry by entry of x.

    ``central`` is the answer; the others are plausible wrong versions.
    """
    f = _torch_f(ref, func, consts)
    x0 = x.detach().clone()
    flat = x0.reshape(-1)
    g = ref.torch.zeros_like(flat)
    for i in range(flat.numel()):
        e = ref.torch.zeros_like(flat)
        e[i] = h
        plus, minus = f((flat + e).reshape(x0.shape)), f((flat - e).reshape(x0.shape))
        g[i] = {"central": lambda: (plus - minus) / (2 * h),
                "forward": lambda: (plus - f(x0)) / h,
                "backward": lambda: (f(x0) - minus) / h,
                "no_2": lambda: (plus - minus) / h,
                "precedence": lambda: (plus - minus) / 2 * h}[kind]()
    return g.reshape(x0.shape)


def _rows_difference(ref, x, h, func, consts):
    """Each row of a matrix moved at once (x[i] += h on a 2-D x)."""
    f = _torch_f(ref, func, consts)
    g = ref.torch.zeros_like(x)
    for i in range(x.shape[0]):
        e = ref.torch.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def exact_gradient(ref, x, func, consts):
    """The true gradient by autograd (the tests check that the central difference agrees with it)."""
    xg = x.detach().clone().requires_grad_(True)
    (g,) = ref.torch.autograd.grad(_torch_f(ref, func, consts)(xg), xg)
    return g


def _h_not_given(case):
    return "h" not in case.inputs


register(Exercise(
    name="numerical_gradient",
    signature="numerical_gradient(f, x, h=1e-5)",
    cases=_numgrad_cases,
    # The answer asked for is the central difference with the given h, not the exact gradient: the
    # two differ by about h²/6 times the third derivative, more than a float64 comparison allows.
    reference=lambda ref, x, h, func, consts: _difference(ref, x, h, func, consts),
    outputs=(Output("grad"),),
    mistakes=(
        Mistake("forward_difference", "that is a one-sided (forward) difference, (f(x + h) − f(x)) / h; use the "
                "central difference (f(x + h) − f(x − h)) / (2h), which is far more accurate.",
                lambda ref, x, h, func, consts: _difference(ref, x, h, func, consts, "forward")),
        Mistake("backward_difference", "that is a one-sided (backward) difference, (f(x) − f(x − h)) / h; use the "
                "central difference (f(x + h) − f(x − h)) / (2h).",
                lambda ref, x, h, func, consts: _difference(ref, x, h, func, consts, "backward")),
        Mistake("no_2", "the 2 is forgotten: the points x + h and x − h are 2h apart, so divide by 2h.",
                lambda ref, x, h, func, consts: _difference(ref, x, h, func, consts, "no_2")),
        Mistake("precedence", "`/ 2 * h` divides by 2 and then multiplies by h: write `/ (2 * h)`.",
                lambda ref, x, h, func, consts: _difference(ref, x, h, func, consts, "precedence")),
        Mistake("whole_rows", "you moved a whole row x[i] at once: for a matrix, x[i] is a row. Perturb one entry "
                "at a time (loop over np.ndindex(x.shape)).", _rows_difference, when=lambda x: x.dim() > 1),
        Mistake("ignores_h", "evaluate f at x[i] + h and x[i] − h with the h it is given (this case passes its "
                "own h; for Σ x³ the central difference is exactly 3x² + h², so the step shows).",
                lambda ref, x, func, consts: _difference(ref, x, 1e-5, func, consts),
                when=lambda h: h != 1e-5),
        Mistake("default_h", "your default step is not the one of the signature: use the default, h=1e-5 "
                "(numerical_gradient(f, x, h=1e-5)).",
                lambda ref, x, func, consts: _difference(ref, x, 1e-4, func, consts), when=_h_not_given),
    ),
    hint=("for every entry x[i] (any shape: loop over np.ndindex(x.shape) or x.flat), evaluate f with x[i] "
          "raised by h and lowered by h, and set grad[i] = (f(x + h) − f(x − h)) / (2h); restore x[i] after, "
          "exactly (save the old value), so x is as it was when you return."),
    points=2,
))
