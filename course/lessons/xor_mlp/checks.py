"""The lesson's exercises: cases, PyTorch references, runs and named mistakes for ``xor_network``,
``dense_forward``, ``dense_backward``, ``mse_loss``, ``numerical_gradient``, ``two_layer_forward``,
``two_layer_backward`` and ``train_xor``, registered with the check engine on import."""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, StudentError, register, unpack
from course.checks.compare import as_array, tolerance_for, value_report
from course.lessons.perceptron import TRUTH_TABLES, X_GATE

from .network import LECTURE_TARGET, LECTURE_W1, LECTURE_W2, LECTURE_X, PARAM_KEYS

LESSON = "02_xor_mlp"


# --------------------------------------------------------------------------- shared helpers
def _with_shape_hint(call, fn, *args, hint, **kwargs):
    """``call`` the student, adding ``hint`` when NumPy complains about shapes."""
    try:
        return call(fn, *args, **kwargs)
    except StudentError as e:
        msg = str(e)
        if any(s in msg for s in ("matmul", "not aligned", "could not be broadcast", "mismatch in its core")):
            msg = f"{msg} {hint}"
        raise StudentError(msg) from None


def _params_t(params, ref):
    return {k: ref.t(params[k]) for k in PARAM_KEYS}


def _grid(a, per_unit):
    """``a`` rounded to multiples of 1/per_unit (a power of two): exact in float32 for moderate sizes."""
    return np.round(a * per_unit) / per_unit


def _random_params(rng, D, H, C, scale=1.0):
    return {"W1": rng.normal(scale=scale, size=(D, H)), "b1": rng.normal(scale=0.5, size=H),
            "W2": rng.normal(scale=scale, size=(H, C)), "b2": rng.normal(scale=0.5, size=C)}


# --------------------------------------------------------------------------- xor_network
def _xor_cases(rng):
    bits = rng.integers(0, 2, size=(12, 2))
    return [
        Case("the four inputs of the truth table", (X_GATE.copy(),), arg_names=["X"]),
        Case("12 random rows of 0/1 (floats)", (bits.astype(float),), arg_names=["X"]),
        Case("the truth table as integers, in another order", (X_GATE[::-1].astype(int),), arg_names=["X"]),
        Case("a batch of one sample (1, 1)", (np.array([[1.0, 1.0]]),), arg_names=["X"]),
    ]


def _gates_t(X, ref):
    t = ref.t(X) > 0.5
    a, b = t[:, 0], t[:, 1]
    land, lor = ref.torch.logical_and(a, b), ref.torch.logical_or(a, b)
    return {"AND": land, "OR": lor, "NAND": ~land, "NOR": ~lor, "XOR": ref.torch.logical_xor(a, b)}


def _xor_mistake(expr):
    return lambda case, ref: expr(_gates_t(case.args[0], ref), ref).double()


register(Exercise(
    name="xor_network",
    lesson=LESSON,
    signature="xor_network(X)",
    cases=_xor_cases,
    reference=lambda case, ref: _gates_t(case.args[0], ref)["XOR"].double(),
    outputs=(Output("y", kind="int"),),
    mistakes=(
        Mistake("your network computes OR: (1, 1) must give 0. Feed OR and NAND into an AND perceptron.",
                _xor_mistake(lambda g, ref: g["OR"])),
        Mistake("your network computes AND: the second hidden perceptron must be NAND (NOT AND), not AND.",
                _xor_mistake(lambda g, ref: g["AND"])),
        Mistake("your network outputs 1 everywhere: the output perceptron must be AND, not OR.",
                _xor_mistake(lambda g, ref: g["OR"] | g["NAND"])),
        Mistake("your output is inverted (XNOR): XOR is 1 when exactly one input is 1.",
                _xor_mistake(lambda g, ref: ~g["XOR"])),
        Mistake("your network computes NAND: the output layer should combine OR and NAND with AND.",
                _xor_mistake(lambda g, ref: g["NAND"])),
        Mistake("your network outputs 0 everywhere: check the step (1 for z > 0) and the biases of each "
                "perceptron; every unit's sum stays at or below 0.",
                _xor_mistake(lambda g, ref: g["AND"] & ~g["AND"])),
    ),
    hint=("XOR = (x1 OR x2) AND (x1 NAND x2): compute the OR and NAND perceptrons on every row, "
          "then an AND perceptron on their two outputs; return one 0/1 value per row, shape (N,)."),
))


# --------------------------------------------------------------------------- dense_forward
_DENSE_FWD_HINT = ("With x (N, D) and W (D, M), the product x @ W has shape (N, M): no transpose is needed, "
                   "and b (M,) broadcasts over the rows.")


def _dense_cases(rng):
    return [
        Case("the lecture's hidden layer: x = [[2, 3]], W = [[0.11, 0.12], [0.21, 0.08]], b = 0",
             (LECTURE_X.copy(), LECTURE_W1.copy(), np.zeros(2)), arg_names=["x", "W", "b"]),
        Case("x (5, 3), W (3, 4), b (4,)", (rng.normal(size=(5, 3)), rng.normal(size=(3, 4)), rng.normal(size=4)),
             arg_names=["x", "W", "b"]),
        Case("a square layer: x (3, 3), W (3, 3)",
             (rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)), arg_names=["x", "W", "b"]),
        Case("a batch of one sample, x (1, 4), W (4, 2)",
             (rng.normal(size=(1, 4)), rng.normal(size=(4, 2)), rng.normal(size=2)), arg_names=["x", "W", "b"]),
        # On a coarse binary grid (halves, eighths), so that float32 holds these inputs exactly and a
        # float32 answer is not blamed for the rounding of inputs where large terms cancel.
        Case("large values, x (6, 2), W (2, 5)",
             (_grid(rng.normal(scale=1e3, size=(6, 2)), 2), _grid(rng.normal(scale=10, size=(2, 5)), 8),
              _grid(rng.normal(scale=1e3, size=5), 2)),
             arg_names=["x", "W", "b"]),
    ]


def _dense_t(case, ref):
    x, W, b = (ref.t(a) for a in case.args[:3])
    return x, W, b


def _dense_fwd_ref(case, ref):
    x, W, b = _dense_t(case, ref)
    return {"out": ref.F.linear(x, W.T, b)}


def _dense_fwd_run(objects, case, call):
    out, _cache = unpack(_with_shape_hint(call, objects[0], *case.args, hint=_DENSE_FWD_HINT,
                                         what="dense_forward", names=["x", "W", "b"]), "dense_forward")
    return {"out": out}


def _dense_fwd_mistake(fn):
    def outputs(case, ref):
        x, W, b = _dense_t(case, ref)
        return {"out": fn(x, W, b)}
    return outputs


register(Exercise(
    name="dense_forward",
    lesson=LESSON,
    signature="dense_forward(x, W, b)",
    cases=_dense_cases,
    reference=_dense_fwd_ref,
    outputs=(Output("out"), Output("cache", kind="skip")),
    run=_dense_fwd_run,
    mistakes=(
        Mistake("the weights are used transposed (x @ W.T): W has shape (D, M), so out = x @ W + b.",
                _dense_fwd_mistake(lambda x, W, b: x @ W.T + b)),
        Mistake("the bias is missing: out = x @ W + b.", _dense_fwd_mistake(lambda x, W, b: x @ W)),
        Mistake("the bias is subtracted: out = x @ W + b.", _dense_fwd_mistake(lambda x, W, b: x @ W - b)),
        Mistake("the bias is added along the wrong axis (b[:, None]): b has one entry per output column.",
                _dense_fwd_mistake(lambda x, W, b: x @ W + b[:, None])),
    ),
    hint="out = x @ W + b, shape (N, M); return (out, cache) with cache holding what the backward pass needs.",
))


# --------------------------------------------------------------------------- dense_backward
_DENSE_BWD_HINT = ("Shapes guide the backward pass: dx = dout @ W.T is (N, D), dW = x.T @ dout is (D, M), "
                   "db = dout.sum(axis=0) is (M,).")


def _dense_bwd_cases(rng):
    delta = 0.191 - LECTURE_TARGET
    cases = [
        Case("the lecture's hidden layer, dout = Δ·[w5, w6] with Δ = 0.191 − 1",
             (LECTURE_X.copy(), LECTURE_W1.copy(), np.zeros(2)), data={"dout": delta * LECTURE_W2.T}),
        Case("x (5, 3), W (3, 4), b (4,)", (rng.normal(size=(5, 3)), rng.normal(size=(3, 4)), rng.normal(size=4)),
             data={"dout": rng.normal(size=(5, 4))}),
        Case("a square layer: x (3, 3), W (3, 3)",
             (rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)),
             data={"dout": rng.normal(size=(3, 3))}),
        Case("a batch of one sample, x (1, 4), W (4, 2)",
             (rng.normal(size=(1, 4)), rng.normal(size=(4, 2)), rng.normal(size=2)),
             data={"dout": rng.normal(size=(1, 2))}),
        Case("x (7, 2), W (2, 3) with dout exactly zero in some rows",
             (rng.normal(size=(7, 2)), rng.normal(size=(2, 3)), rng.normal(size=3)),
             data={"dout": rng.normal(size=(7, 3)) * (rng.random((7, 1)) < 0.5)}),
    ]
    for c in cases:
        c.arg_names = ["x", "W", "b"]
    return cases


def _dense_bwd_ref(case, ref):
    x, W, b = (ref.t(a, grad=True) for a in case.args)
    out = x @ W + b
    dx, dW, db = ref.torch.autograd.grad((out * ref.t(case.data["dout"])).sum(), (x, W, b))
    return {"dx": dx, "dW": dW, "db": db}


def _dense_bwd_run(objects, case, call):
    fwd, bwd = objects
    _out, cache = unpack(_with_shape_hint(call, fwd, *case.args, hint=_DENSE_FWD_HINT, what="dense_forward",
                                         names=["x", "W", "b"]), "dense_forward")
    grads = _with_shape_hint(call, bwd, case.data["dout"], cache, hint=_DENSE_BWD_HINT,
                             what="dense_backward", names=["dout", "cache"])
    return dict(zip(("dx", "dW", "db"), unpack(grads, "dense_backward", ("dx", "dW", "db"))))


def _dense_bwd_mistake(fn):
    def outputs(case, ref):
        x, W, b = (ref.t(a) for a in case.args)
        return fn(x, W, b, ref.t(case.data["dout"]))
    return outputs


register(Exercise(
    name="dense_backward",
    lesson=LESSON,
    signature="dense_backward(dout, cache)",
    objects=("dense_forward", "dense_backward"),
    cases=_dense_bwd_cases,
    reference=_dense_bwd_ref,
    outputs=(Output("dx"), Output("dW"), Output("db")),
    run=_dense_bwd_run,
    mistakes=(
        Mistake("dx uses W where W.T belongs: dx = dout @ W.T (shape (N, D)).",
                _dense_bwd_mistake(lambda x, W, b, d: {"dx": d @ W})),
        Mistake("dW is transposed: dW = x.T @ dout has the shape of W, (D, M).",
                _dense_bwd_mistake(lambda x, W, b, d: {"dW": d.T @ x})),
        Mistake("the bias gradient is summed over the wrong axis: db = dout.sum(axis=0), one entry per "
                "output, summed over the samples.",
                _dense_bwd_mistake(lambda x, W, b, d: {"db": d.sum(dim=1)})),
        Mistake("the bias gradient must be summed over the samples (axis 0), not over everything: "
                "db = dout.sum(axis=0), shape (M,).",
                _dense_bwd_mistake(lambda x, W, b, d: {"db": d.sum()})),
        Mistake("db must have shape (M,), one entry per output: sum dout over the samples, db = dout.sum(axis=0) "
                "(not dout itself, and without keepdims).",
                _dense_bwd_mistake(lambda x, W, b, d: {"db": d})),
        Mistake("db averages over the samples: the bias gets the sum, db = dout.sum(axis=0) (any 1/N "
                "belongs to the loss, and dout already carries it).",
                _dense_bwd_mistake(lambda x, W, b, d: {"db": d.mean(dim=0)})),
        Mistake("the gradients are divided by N: the backward pass of a layer does not average "
                "(any 1/N belongs to the loss, and dout already carries it).",
                _dense_bwd_mistake(lambda x, W, b, d: {"dW": x.T @ d / x.shape[0]})),
    ),
    hint=("for out = x @ W + b: dx = dout @ W.T, dW = x.T @ dout, db = dout.sum(axis=0); take x and W from "
          "the cache your dense_forward returned."),
))


# --------------------------------------------------------------------------- mse_loss
def _mse_cases(rng):
    # Multiples of 1/64: float32 holds them and their differences exactly (see dense_forward).
    big = _grid(rng.normal(scale=1e3, size=(4, 3)), 64)
    noise = _grid(rng.normal(scale=10, size=(4, 3)), 64)
    # The (1, 1) lecture case comes second: a first case with several rows and columns names
    # mistakes better (a 1-by-1 array equals its own transpose and any multiple of it).
    cases = [
        Case("a column of 6 predictions (6, 1)", (rng.random((6, 1)), rng.integers(0, 2, (6, 1)).astype(float))),
        Case("the lecture's prediction 0.191 against the target 1.0, shapes (1, 1)",
             (np.array([[0.191]]), np.array([[1.0]]))),
        Case("a (5, 3) matrix of predictions", (rng.normal(size=(5, 3)), rng.normal(size=(5, 3)))),
        Case("a flat vector (8,)", (rng.normal(size=8), rng.normal(size=8))),
        Case("predictions equal to the targets (loss 0)", (np.full((3, 2), 0.25), np.full((3, 2), 0.25))),
        Case("large values (4, 3)", (big, big + noise)),
    ]
    for c in cases:
        c.arg_names = ["pred", "target"]
    return cases


def _mse_ref(case, ref):
    pred = ref.t(case.args[0], grad=True)
    loss = ref.F.mse_loss(pred, ref.t(case.args[1]), reduction="mean")
    (dpred,) = ref.torch.autograd.grad(loss, pred)
    return {"loss": loss, "dpred": dpred}


def _mse_mistake(fn):
    def outputs(case, ref):
        p, t = ref.t(case.args[0]), ref.t(case.args[1])
        return fn(p - t, p.numel(), p.shape[0] if p.dim() else 1, ref)
    return outputs


register(Exercise(
    name="mse_loss",
    lesson=LESSON,
    signature="mse_loss(pred, target)",
    cases=_mse_cases,
    reference=_mse_ref,
    outputs=(Output("loss", scalar=True), Output("dpred")),
    mistakes=(
        Mistake("the 1/N is forgotten: the loss is the mean of the squared errors, (pred − target)².mean(), "
                "and dpred = 2·(pred − target)/n with n = pred.size.",
                _mse_mistake(lambda e, n, N, ref: {"loss": (e ** 2).sum(), "dpred": 2 * e})),
        Mistake("you used ½·mean((pred − target)²), the lecture's ½(ŷ − y)² convention; mse_loss is "
                "F.mse_loss: the mean without the ½, with dpred = 2·(pred − target)/n.",
                _mse_mistake(lambda e, n, N, ref: {"loss": 0.5 * (e ** 2).mean(), "dpred": e / n})),
        Mistake("you used the lecture's error ½·Σ(pred − target)², whose derivative is pred − target; mse_loss "
                "is F.mse_loss: the mean of the squared errors, without the ½, with dpred = 2·(pred − target)/n.",
                _mse_mistake(lambda e, n, N, ref: {"loss": 0.5 * (e ** 2).sum(), "dpred": e})),
        Mistake("you divided by the number of rows, not the number of elements: n = pred.size counts "
                "every entry (rows × columns).",
                _mse_mistake(lambda e, n, N, ref: {"loss": (e ** 2).sum() / N, "dpred": 2 * e / N})),
        Mistake("the loss divides by the number of rows, not the number of elements: n = pred.size counts "
                "every entry (rows × columns).",
                _mse_mistake(lambda e, n, N, ref: {"loss": (e ** 2).sum() / N})),
        Mistake("dpred divides by the number of rows, not the number of elements: dpred = 2·(pred − target)/n "
                "with n = pred.size (rows × columns).",
                _mse_mistake(lambda e, n, N, ref: {"dpred": 2 * e / N})),
        Mistake("the loss must be one number: average over all elements, without keepdims (np.mean(...) or "
                "float(...)).",
                _mse_mistake(lambda e, n, N, ref: {"loss": (e ** 2).mean().reshape((1,) * e.dim())})),
        Mistake("the loss must be one number: you averaged along axis 0 only; average over all elements.",
                _mse_mistake(lambda e, n, N, ref: {"loss": (e ** 2).mean(dim=0)}),
                applies=lambda case: np.ndim(case.args[0]) > 1),
        Mistake("dpred is missing the 1/n of the mean: dpred = 2·(pred − target)/n.",
                _mse_mistake(lambda e, n, N, ref: {"dpred": 2 * e})),
        Mistake("dpred is missing the factor 2 from the derivative of the square: dpred = 2·(pred − target)/n.",
                _mse_mistake(lambda e, n, N, ref: {"dpred": e / n})),
        Mistake("dpred has the wrong sign: it is the derivative with respect to pred, 2·(pred − target)/n.",
                _mse_mistake(lambda e, n, N, ref: {"dpred": -2 * e / n})),
        Mistake("that is the root of the mean squared error (RMSE); mse_loss is the mean itself, no square root.",
                _mse_mistake(lambda e, n, N, ref: {"loss": ref.torch.sqrt((e ** 2).mean())}),
                applies=lambda case: np.size(case.args[0]) > 1),
        Mistake("that is the mean absolute error; mse_loss squares the errors: mean((pred − target)²).",
                _mse_mistake(lambda e, n, N, ref: {"loss": e.abs().mean()}),
                applies=lambda case: np.size(case.args[0]) > 1),
        Mistake("the loss is |pred − target|, an RMSE or a mean absolute error; mse_loss is the mean of the "
                "squared errors, with no square root.",
                _mse_mistake(lambda e, n, N, ref: {"loss": e.abs().mean()}),
                applies=lambda case: np.size(case.args[0]) == 1),
    ),
    hint="loss = mean((pred − target)²) over all elements (one number); dpred = 2·(pred − target)/pred.size.",
))


# --------------------------------------------------------------------------- numerical_gradient
def _f_cubic(xp, x):
    return (x ** 3).sum() - 2.0 * (x ** 2).sum() + x.sum()


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


_NUMGRAD_FUNCS = {
    "cubic": (_f_cubic, "f(x) = Σ x³ − 2 Σ x² + Σ x"),
    "lecture": (_f_lecture, "the lecture's error ½(ŷ − 1)² as a function of W1 (2, 2)"),
    "sigmoid": (_f_sigmoid_layer, "the mean squared error of a sigmoid layer as a function of W (3, 2)"),
    "trig": (_f_trig, "f(x) = Σ sin x + (Σ x²)² / 4"),
    "logsumexp": (_f_logsumexp, "f(x) = log Σ exp(x)"),
}


def _numgrad_cases(rng):
    X = rng.normal(size=(4, 3))
    cases = [
        Case(f"{_NUMGRAD_FUNCS['cubic'][1]} at x of shape (5,)", (None, rng.normal(size=5)),
             data={"f": "cubic", "consts": {}}),
        Case(f"{_NUMGRAD_FUNCS['lecture'][1]} at the lecture's W1", (None, LECTURE_W1.copy()),
             data={"f": "lecture", "consts": {"x": LECTURE_X.copy(), "w2": LECTURE_W2.copy(), "y": 1.0}}),
        Case(f"{_NUMGRAD_FUNCS['sigmoid'][1]}", (None, rng.normal(size=(3, 2))),
             data={"f": "sigmoid", "consts": {"X": X, "Y": rng.random((4, 2))}}),
        Case(f"{_NUMGRAD_FUNCS['trig'][1]} at x (2, 3), with h=1e-4", (None, rng.normal(size=(2, 3))),
             {"h": 1e-4}, data={"f": "trig", "consts": {}}),
        Case(f"{_NUMGRAD_FUNCS['logsumexp'][1]} at x (4,) with entries near 20", (None, 20 + rng.normal(size=4)),
             data={"f": "logsumexp", "consts": {}}),
        Case(f"{_NUMGRAD_FUNCS['cubic'][1]} at a single number, x of shape (1,)", (None, np.array([0.7])),
             data={"f": "cubic", "consts": {}}),
    ]
    for c in cases:
        c.arg_names = ["f", "x"]
        c.args = (_numpy_f(c), *c.args[1:])
    return cases


def _numpy_f(case):
    fn = _NUMGRAD_FUNCS[case.data["f"]][0]
    consts = case.data["consts"]

    def f(x):
        return float(fn(np, np.asarray(x, dtype=float), **consts))
    return f


def _numgrad_torch_f(case, ref):
    fn = _NUMGRAD_FUNCS[case.data["f"]][0]
    consts = {k: (ref.t(v) if isinstance(v, np.ndarray) else v) for k, v in case.data["consts"].items()}
    return lambda x: fn(ref.torch, x, **consts)


def _numgrad_ref(case, ref):
    """The central difference itself, in torch float64, at the points x ± h·e_i.

    The answer asked for is the central difference with the given h. It differs from the exact gradient
    by about h²/6 times the third derivative (up to ~1e-8 with h = 1e-4), more than a float64 comparison
    allows, so graded against autograd a correct answer could fail. ``_numgrad_autograd`` is the exact
    gradient; the tests check that the two agree to that order, so the cases stay meaningful.
    """
    return _finite_difference(case, ref, "central")


def _numgrad_autograd(case, ref):
    x = ref.t(case.args[1], grad=True)
    (g,) = ref.torch.autograd.grad(_numgrad_torch_f(case, ref)(x), x)
    return g


def _numgrad_h(case):
    return case.kwargs.get("h", 1e-5)


def _finite_difference(case, ref, kind):
    """Finite differences in torch float64: the central one (the reference) and plausible wrong ones."""
    f = _numgrad_torch_f(case, ref)
    x0 = ref.t(case.args[1])
    h = _numgrad_h(case)
    g = ref.torch.zeros_like(x0).reshape(-1)
    flat = x0.reshape(-1)
    for i in range(flat.numel()):
        e = ref.torch.zeros_like(flat)
        e[i] = h
        plus, minus = f((flat + e).reshape(x0.shape)), f((flat - e).reshape(x0.shape))
        if kind == "central":  # the reference
            g[i] = (plus - minus) / (2 * h)
        elif kind == "forward":
            g[i] = (plus - f(x0)) / h
        elif kind == "backward":
            g[i] = (f(x0) - minus) / h
        elif kind == "no_2":
            g[i] = (plus - minus) / h
        elif kind == "precedence":
            g[i] = (plus - minus) / 2 * h
    if kind == "rows":
        g = ref.torch.zeros_like(x0)
        for i in range(x0.shape[0]):
            e = ref.torch.zeros_like(x0)
            e[i] = h
            g[i] = (f(x0 + e) - f(x0 - e)) / (2 * h)
    return g.reshape(x0.shape)


def _numgrad_run(objects, case, call):
    fn = _NUMGRAD_FUNCS[case.data["f"]][0]
    consts = case.data["consts"]
    seen = []

    def f(x):
        arr = np.array(x, dtype=float)
        seen.append(arr)
        return float(fn(np, arr, **consts))

    x0 = case.args[1]
    x = x0.copy()
    grad = call(objects[0], f, x, what="numerical_gradient", names=["f", "x"], mutable=("x",), **case.kwargs)
    if isinstance(x, np.ndarray) and not np.array_equal(x, x0):
        change = float(np.max(np.abs(x - x0)))
        if change < 1e-3 * _numgrad_h(case):
            raise StudentError(
                "`numerical_gradient` left `x` changed by round-off (x[i] + h − h is not always x[i] in "
                "floating point): save the old value and put it back exactly, x[i] = old.")
        raise StudentError(
            f"`numerical_gradient` left `x` changed (by up to {change:.3g}): after evaluating f at "
            f"x[i] + h and x[i] − h, restore x[i] to its old value, so x is as it was when you return.")
    h = _numgrad_h(case)
    steps = []
    for p in seen:
        if p.shape != x0.shape:
            continue
        d = (p - x0).ravel()
        nz = np.flatnonzero(d)
        if len(nz) == 1:
            steps.append(abs(d[nz[0]]))
    if steps:
        steps = np.array(steps)
        if np.all(np.abs(steps - h) > 1e-3 * h) and np.ptp(steps) <= 1e-3 * np.median(steps):
            default = "" if "h" in case.kwargs else " (the default, h=1e-5)"
            raise StudentError(
                f"`numerical_gradient` moves x by {np.median(steps):.3g}, but h = {h:g}{default}: evaluate "
                f"f at x[i] + h and x[i] − h with the h it is given.")
    return {"grad": grad}


def _fd_mistake(kind):
    return lambda case, ref: _finite_difference(case, ref, kind)


register(Exercise(
    name="numerical_gradient",
    lesson=LESSON,
    signature="numerical_gradient(f, x, h=1e-5)",
    cases=_numgrad_cases,
    reference=_numgrad_ref,
    outputs=(Output("grad"),),
    run=_numgrad_run,
    mistakes=(
        Mistake("that is a one-sided (forward) difference, (f(x + h) − f(x)) / h; use the central difference "
                "(f(x + h) − f(x − h)) / (2h), which is far more accurate.", _fd_mistake("forward")),
        Mistake("that is a one-sided (backward) difference, (f(x) − f(x − h)) / h; use the central difference "
                "(f(x + h) − f(x − h)) / (2h).", _fd_mistake("backward")),
        Mistake("the 2 is forgotten: the points x + h and x − h are 2h apart, so divide by 2h.",
                _fd_mistake("no_2")),
        Mistake("`/ 2 * h` divides by 2 and then multiplies by h: write `/ (2 * h)`.", _fd_mistake("precedence")),
        Mistake("you moved a whole row x[i] at once: for a matrix, x[i] is a row. Perturb one entry at a time "
                "(loop over np.ndindex(x.shape)).", _fd_mistake("rows"),
                applies=lambda case: np.ndim(case.args[1]) > 1),
    ),
    hint=("for every entry x[i] (any shape: loop over np.ndindex(x.shape) or x.flat), evaluate f with x[i] "
          "raised by h and lowered by h, and set grad[i] = (f(x + h) − f(x − h)) / (2h); restore x[i] after."),
))


# --------------------------------------------------------------------------- two-layer network
_TWO_FWD_HINT = ("With X (N, D), W1 (D, H), W2 (H, C): h = σ(X @ W1 + b1) is (N, H) and out = σ(h @ W2 + b2) "
                 "is (N, C); no transposes are needed.")
_TWO_BWD_HINT = ("Shapes guide the backward pass: dW2 = h.T @ dz2 is (H, C), dh = dz2 @ W2.T is (N, H), "
                 "dW1 = X.T @ dz1 is (D, H), db = dz.sum(axis=0).")

XOR_HAND_PARAMS = {"W1": np.array([[20.0, -20.0], [20.0, -20.0]]), "b1": np.array([-10.0, 30.0]),
                   "W2": np.array([[20.0], [20.0]]), "b2": np.array([-30.0])}


def _two_cases(rng):
    lecture = {"W1": LECTURE_W1.copy(), "b1": np.zeros(2), "W2": LECTURE_W2.copy(), "b2": np.zeros(1)}
    # The lecture's network comes second: a single sample with a 1-by-1 output tells mistakes apart
    # poorly (a 1-by-1 array is its own transpose), so a failure is named on a general case first.
    cases = [
        Case("X (6, 3), H = 4, C = 2", (rng.normal(size=(6, 3)), _random_params(rng, 3, 4, 2)),
             data={"dout": rng.normal(size=(6, 2))}),
        Case("the lecture's network with sigmoids, x = [[2, 3]], zero biases", (LECTURE_X.copy(), lecture),
             data={"dout": np.array([[-0.6]])}),
        Case("square weights: X (5, 3), W1 (3, 3), W2 (3, 3)", (rng.normal(size=(5, 3)), _random_params(rng, 3, 3, 3)),
             data={"dout": rng.normal(size=(5, 3))}),
        Case("the four XOR inputs, a hand-made 2-2-1 network (OR and NAND units, then AND)",
             (X_GATE.copy(), {k: v.copy() for k, v in XOR_HAND_PARAMS.items()}),
             data={"dout": rng.normal(size=(4, 1))}),
        Case("a batch of one sample, X (1, 5), H = 3, C = 1", (rng.normal(size=(1, 5)), _random_params(rng, 5, 3, 1)),
             data={"dout": rng.normal(size=(1, 1))}),
        Case("large pre-activations (up to about ±30), X (4, 2), H = 3, C = 2",
             (rng.normal(scale=3, size=(4, 2)), _random_params(rng, 2, 3, 2, scale=4)),
             data={"dout": rng.normal(size=(4, 2))}),
    ]
    for c in cases:
        c.arg_names = ["X", "params"]
    return cases


def _two_fwd_t(X, p, ref, *, t1=False, t2=False, hid=True, outp=True, bias=True, neg=False, bias_after=False):
    torch = ref.torch

    def act(z):
        return torch.sigmoid(-z if neg else z)

    W1 = p["W1"].T if t1 else p["W1"]
    W2 = p["W2"].T if t2 else p["W2"]
    if bias_after:  # σ(X @ W1) + b1, then σ(h @ W2) + b2
        return act((act(X @ W1) + p["b1"]) @ W2) + p["b2"]
    z1 = X @ W1 + (p["b1"] if bias else 0)
    a1 = act(z1) if hid else z1
    z2 = a1 @ W2 + (p["b2"] if bias else 0)
    return act(z2) if outp else z2


def _two_fwd_ref(case, ref):
    return {"out": _two_fwd_t(ref.t(case.args[0]), _params_t(case.args[1], ref), ref)}


def _check_params_arg(params, what):
    """A sentence if the student's params dict cannot be used."""
    if not isinstance(params, dict):
        raise StudentError(f"{what} should be a dict with keys 'W1', 'b1', 'W2', 'b2'; it is "
                           f"{type(params).__name__}.")
    missing = [k for k in PARAM_KEYS if k not in params]
    if missing:
        raise StudentError(f"{what} is missing the key(s) {', '.join(map(repr, missing))}.")


def _two_fwd_run(objects, case, call):
    out, _cache = unpack(_with_shape_hint(call, objects[0], *case.args, hint=_TWO_FWD_HINT,
                                         what="two_layer_forward", names=["X", "params"]), "two_layer_forward")
    return {"out": out}


def _two_fwd_mistake(**kw):
    def outputs(case, ref):
        return {"out": _two_fwd_t(ref.t(case.args[0]), _params_t(case.args[1], ref), ref, **kw)}
    return outputs


register(Exercise(
    name="two_layer_forward",
    lesson=LESSON,
    signature="two_layer_forward(X, params)",
    cases=_two_cases,
    reference=_two_fwd_ref,
    outputs=(Output("out"), Output("cache", kind="skip")),
    run=_two_fwd_run,
    mistakes=(
        Mistake("the weights are used transposed: W1 is (D, H) and W2 is (H, C), so the products are "
                "X @ W1 and h @ W2.", _two_fwd_mistake(t1=True, t2=True)),
        Mistake("W1 is used transposed: W1 has shape (D, H), so the hidden pre-activation is X @ W1 + b1.",
                _two_fwd_mistake(t1=True)),
        Mistake("W2 is used transposed: W2 has shape (H, C), so the output pre-activation is h @ W2 + b2.",
                _two_fwd_mistake(t2=True)),
        Mistake("the output layer has no sigmoid: out = σ(h @ W2 + b2).", _two_fwd_mistake(outp=False)),
        Mistake("the hidden layer has no sigmoid: h = σ(X @ W1 + b1).", _two_fwd_mistake(hid=False)),
        Mistake("the biases are missing: add b1 and b2 before each sigmoid.", _two_fwd_mistake(bias=False)),
        Mistake("the sigmoid has the wrong sign in the exponent: σ(z) = 1 / (1 + exp(−z)).",
                _two_fwd_mistake(neg=True)),
        Mistake("the biases are added after the sigmoids; they belong inside: h = σ(X @ W1 + b1), "
                "out = σ(h @ W2 + b2).", _two_fwd_mistake(bias_after=True)),
    ),
    hint="h = σ(X @ W1 + b1), out = σ(h @ W2 + b2), σ(z) = 1 / (1 + exp(−z)); return (out, cache).",
))


def _two_bwd_ref(case, ref):
    X = ref.t(case.args[0])
    p = {k: ref.t(case.args[1][k], grad=True) for k in PARAM_KEYS}
    out = _two_fwd_t(X, p, ref)
    grads = ref.torch.autograd.grad((out * ref.t(case.data["dout"])).sum(), [p[k] for k in PARAM_KEYS])
    return dict(zip(PARAM_KEYS, grads))


def _manual_backprop(case, ref, *, deriv="out", hidden_deriv=None, out_deriv=True, hid_deriv=True,
                     w2_no_t=False, avg=False, no_dout=False):
    """Hand-written backprop in torch with one deliberate slip, for naming mistakes.

    deriv: how σ′ is computed, "out" a(1 − a) (right), "pre" z(1 − z), "twice" σ(a)(1 − σ(a)).
    """
    X = ref.t(case.args[0])
    p = _params_t(case.args[1], ref)
    dout = ref.t(case.data["dout"])
    sig = ref.torch.sigmoid

    def d_act(z, a, how):
        return {"out": a * (1 - a), "pre": z * (1 - z), "twice": sig(a) * (1 - sig(a))}[how]

    z1 = X @ p["W1"] + p["b1"]
    a1 = sig(z1)
    z2 = a1 @ p["W2"] + p["b2"]
    a2 = sig(z2)
    if no_dout:
        dout = ref.torch.ones_like(dout)
    dz2 = dout * d_act(z2, a2, deriv) if out_deriv else dout
    da1 = dz2 @ (p["W2"] if w2_no_t else p["W2"].T)
    dz1 = da1 * d_act(z1, a1, hidden_deriv or deriv) if hid_deriv else da1
    g = {"W1": X.T @ dz1, "b1": dz1.sum(0), "W2": a1.T @ dz2, "b2": dz2.sum(0)}
    if avg:
        g = {k: v / X.shape[0] for k, v in g.items()}
    g["_dz"] = (dz1, dz2, a1)
    return g


def _bp_mistake(pick=None, **kw):
    def outputs(case, ref):
        g = _manual_backprop(case, ref, **kw)
        if pick is not None:
            return pick(g, case, ref)
        return {k: g[k] for k in PARAM_KEYS}
    return outputs


def _two_bwd_run(objects, case, call):
    fwd, bwd = objects
    _out, cache = unpack(_with_shape_hint(call, fwd, *case.args, hint=_TWO_FWD_HINT, what="two_layer_forward",
                                         names=["X", "params"]), "two_layer_forward")
    grads = _with_shape_hint(call, bwd, case.data["dout"], cache, hint=_TWO_BWD_HINT,
                             what="two_layer_backward", names=["dout", "cache"])
    _check_params_arg(grads, "What `two_layer_backward` returned")
    return {k: grads[k] for k in PARAM_KEYS}


register(Exercise(
    name="two_layer_backward",
    lesson=LESSON,
    signature="two_layer_backward(dout, cache)",
    objects=("two_layer_forward", "two_layer_backward"),
    cases=lambda rng: [Case(c.label, c.args, data=c.data, arg_names=c.arg_names) for c in _two_cases(rng)],
    reference=_two_bwd_ref,
    outputs=tuple(Output(k) for k in PARAM_KEYS),
    run=_two_bwd_run,
    mistakes=(
        Mistake("the sigmoid's derivative is applied to the pre-activation, z(1 − z); it is a(1 − a) with "
                "a = σ(z), the layer's output (keep it in the cache).", _bp_mistake(deriv="pre")),
        Mistake("the hidden layer's sigmoid derivative uses the pre-activation, z1(1 − z1); it is "
                "h(1 − h) with h = σ(z1).", _bp_mistake(hidden_deriv="pre")),
        Mistake("σ is applied twice in the derivative, σ(a)(1 − σ(a)) with a already σ(z); the derivative "
                "is a(1 − a).", _bp_mistake(deriv="twice")),
        Mistake("dout is ignored: the upstream gradient multiplies everything, dz2 = dout · out(1 − out).",
                _bp_mistake(no_dout=True)),
        Mistake("the output sigmoid's derivative is missing: dz2 = dout · out(1 − out).",
                _bp_mistake(out_deriv=False)),
        Mistake("the hidden sigmoid's derivative is missing: dz1 = (dz2 @ W2.T) · h(1 − h).",
                _bp_mistake(hid_deriv=False)),
        Mistake("the gradient flowing to the hidden layer uses W2 where W2.T belongs: dh = dz2 @ W2.T.",
                _bp_mistake(w2_no_t=True)),
        Mistake("the gradients are divided by N: the backward pass does not average (any 1/N belongs to "
                "the loss, and dout already carries it).", _bp_mistake(avg=True)),
        Mistake("a bias gradient is summed over the wrong axis: db = dz.sum(axis=0), one entry per unit, "
                "summed over the samples.",
                _bp_mistake(pick=lambda g, case, ref: {"b1": g["_dz"][0].sum(1)})),
        Mistake("a bias gradient is summed over the wrong axis: db = dz.sum(axis=0), one entry per unit, "
                "summed over the samples.",
                _bp_mistake(pick=lambda g, case, ref: {"b2": g["_dz"][1].sum(1)})),
        Mistake("a weight gradient is transposed: dW1 = X.T @ dz1 has the shape of W1, (D, H).",
                _bp_mistake(pick=lambda g, case, ref: {"W1": g["W1"].T})),
        Mistake("a weight gradient is transposed: dW2 = h.T @ dz2 has the shape of W2, (H, C).",
                _bp_mistake(pick=lambda g, case, ref: {"W2": g["W2"].T})),
    ),
    hint=("dz2 = dout · out(1 − out); dW2 = h.T @ dz2; db2 = dz2.sum(axis=0); dz1 = (dz2 @ W2.T) · h(1 − h); "
          "dW1 = X.T @ dz1; db1 = dz1.sum(axis=0). Return a dict with keys W1, b1, W2, b2."),
))


# --------------------------------------------------------------------------- train_xor
def _train_cases(rng):
    seed = int(rng.integers(0, 1000))
    return [Case(f"train_xor(seed={seed}), then the network on the four XOR inputs", (), {"seed": seed})]


def _train_params(params):
    """The student's trained params as float arrays, or a sentence saying what is wrong."""
    _check_params_arg(params, "What `train_xor` returned")
    arrays = {}
    for k in PARAM_KEYS:
        try:
            arrays[k] = as_array(params[k], f"params[{k!r}]")
        except ValueError as e:
            raise StudentError(str(e)) from None
        if not np.all(np.isfinite(arrays[k])):
            raise StudentError(f"params[{k!r}] holds inf or NaN: training diverged. Lower the learning rate.")
    W1, b1, W2, b2 = (arrays[k] for k in PARAM_KEYS)
    if W1.ndim != 2 or W1.shape[0] != 2 or W1.shape[1] < 1:
        raise StudentError(f"params['W1'] has shape {W1.shape}; it should be (2, H): 2 inputs, H hidden units.")
    H = W1.shape[1]
    for k, arr, want in (("b1", b1, (H,)), ("W2", W2, (H, 1)), ("b2", b2, (1,))):
        if arr.shape != want:
            raise StudentError(f"params[{k!r}] has shape {arr.shape}; with W1 of shape {W1.shape} it should be "
                               f"{want} (2 inputs, {H} hidden units, 1 output).")
    return arrays


def _train_run(objects, case, call):
    train, fwd = objects
    params = call(train, what="train_xor", **case.kwargs)
    arrays = _train_params(params)
    from course.checks.reference import get_ref

    ref = get_ref()
    torch_out = ref.np(_two_fwd_t(ref.t(X_GATE), _params_t(arrays, ref), ref))
    out, _cache = unpack(_with_shape_hint(call, fwd, X_GATE.copy(), params, hint=_TWO_FWD_HINT,
                                         what="two_layer_forward", names=["X", "params"]), "two_layer_forward")
    try:
        out = as_array(out, "the output of your two_layer_forward")
    except ValueError as e:
        raise StudentError(str(e)) from None
    if out.shape != torch_out.shape:
        raise StudentError(f"on your trained params, two_layer_forward returns shape {out.shape}; the network's "
                           f"output is {torch_out.shape}. Make two_layer_forward pass its own check first.")
    ok, report = value_report(out, torch_out, tolerance_for(out))
    if not ok:
        raise StudentError("on your trained params, your two_layer_forward disagrees with PyTorch's "
                           f"σ(σ(X W1 + b1) W2 + b2): {report} Make two_layer_forward pass its own check first.")
    pred = np.round(torch_out).reshape(4)
    if not np.array_equal(pred, TRUTH_TABLES["XOR"]):
        values = torch_out.reshape(4)
        said = (f"The network's outputs on the four inputs are {', '.join(f'{v:.3f}' for v in values)} "
                f"(rounded {pred.astype(int).tolist()}; XOR is [0, 1, 1, 0])")
        W1, b1 = arrays["W1"], arrays["b1"]
        if W1.shape[1] > 1 and np.allclose(W1, W1[:, :1]) and np.allclose(b1, b1[0]):
            raise StudentError(
                f"{said}, and all hidden units have identical weights: start from small random weights "
                "(e.g. rng.normal), not zeros or a constant, so the hidden units can learn different features.")
        if np.all((values > 1 - 1e-6) | (values < 1e-6)) and np.ptp(values) < 0.25:
            raise StudentError(
                f"{said}: the sigmoids are saturated, which usually means the learning rate is far too large "
                "(the weights blew up). Lower it, e.g. to between 0.5 and 5.")
        if np.ptp(values) < 0.25:
            raise StudentError(
                f"{said}: nearly the same for every input, so the network has not learned yet. Train for more "
                "epochs, raise the learning rate, or use a few more hidden units.")
    return {"xor": pred}


def _train_mistake(table, hint):
    return Mistake(hint, lambda case, ref: ref.torch.tensor(table, dtype=ref.dtype, device=ref.device))


register(Exercise(
    name="train_xor",
    lesson=LESSON,
    signature="train_xor(seed=0)",
    objects=("train_xor", "two_layer_forward"),
    cases=_train_cases,
    reference=lambda case, ref: _gates_t(X_GATE, ref)["XOR"].double(),
    outputs=(Output("xor", kind="int"),),
    run=_train_run,
    time_limit=120.0,
    mistakes=(
        _train_mistake([0, 0, 0, 0], "the network gives class 0 for every input: it has not learned yet. "
                       "Train for more epochs, raise the learning rate, or use a few more hidden units."),
        _train_mistake([1, 1, 1, 1], "the network gives class 1 for every input: it has not learned yet. "
                       "Train for more epochs, raise the learning rate, or use a few more hidden units."),
        _train_mistake([1, 0, 0, 1], "the outputs are inverted (XNOR): check the targets [0, 1, 1, 0] and the "
                       "sign of the update, params -= lr · grads."),
        _train_mistake([0, 1, 1, 1], "the network computes OR: (1, 1) is still wrong. Train longer, with a larger "
                       "learning rate or more hidden units, and check the gradients with numerical_gradient."),
        _train_mistake([0, 0, 0, 1], "the network computes AND. Train longer, with a larger learning rate or "
                       "more hidden units, and check the gradients with numerical_gradient."),
    ),
    hint=("train a 2-H-1 sigmoid network on the four XOR inputs with gradient descent (mse_loss, "
          "two_layer_backward, params[k] -= lr · grads[k]) until every rounded output matches [0, 1, 1, 0]; "
          "start from small random weights drawn with np.random.default_rng(seed)."),
))
