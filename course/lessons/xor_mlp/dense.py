"""Lesson 02 exercise specs: ``dense_forward``, ``dense_backward`` (a forward/backward pair) and ``mse_loss``."""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, register
from course.checks.kinds import Layer

from .lecture import LECTURE_TARGET, LECTURE_W1, LECTURE_W2, LECTURE_X


def _grid(a, per_unit):
    """``a`` rounded to multiples of 1/per_unit (a power of two): exact in float32 for moderate sizes."""
    return np.round(a * per_unit) / per_unit


# --------------------------------------------------------------------------- dense_forward
def _dense_cases(rng):
    return [
        Case("the lecture's hidden layer: x = [[2, 3]], W = [[0.11, 0.12], [0.21, 0.08]], b = 0",
             {"x": LECTURE_X.copy(), "W": LECTURE_W1.copy(), "b": np.zeros(2)}),
        Case("x (5, 3), W (3, 4), b (4,)", {"x": rng.normal(size=(5, 3)), "W": rng.normal(size=(3, 4)),
                                            "b": rng.normal(size=4)}),
        Case("a square layer: x (3, 3), W (3, 3)", {"x": rng.normal(size=(3, 3)), "W": rng.normal(size=(3, 3)),
                                                    "b": rng.normal(size=3)}),
        Case("a batch of one sample, x (1, 4), W (4, 2)",
             {"x": rng.normal(size=(1, 4)), "W": rng.normal(size=(4, 2)), "b": rng.normal(size=2)}),
        # On a coarse binary grid (halves, eighths), so that float32 holds these inputs exactly and a
        # float32 answer is not blamed for the rounding of inputs where large terms cancel.
        Case("large values, x (6, 2), W (2, 5)",
             {"x": _grid(rng.normal(scale=1e3, size=(6, 2)), 2), "W": _grid(rng.normal(scale=10, size=(2, 5)), 8),
              "b": _grid(rng.normal(scale=1e3, size=5), 2)}),
    ]


register(Exercise(
    name="dense_forward",
    signature="dense_forward(x, W, b)",
    cases=_dense_cases,
    reference=lambda ref, x, W, b: {"out": ref.F.linear(x, W.T, b)},
    outputs=(Output("out"), Output("cache", kind="skip")),
    mistakes=(
        Mistake("transposed_w", "the weights are used transposed (x @ W.T): W has shape (D, M), so out = x @ W + b.",
                lambda ref, x, W, b: {"out": x @ W.T + b}),
        Mistake("no_bias", "the bias is missing: out = x @ W + b.", lambda ref, x, W: {"out": x @ W}),
        Mistake("bias_subtracted", "the bias is subtracted: out = x @ W + b.",
                lambda ref, x, W, b: {"out": x @ W - b}),
        Mistake("bias_wrong_axis", "the bias is added along the wrong axis (b[:, None]): b has one entry per output "
                "column.", lambda ref, x, W, b: {"out": x @ W + b[:, None]}),
    ),
    hint=("out = x @ W + b, shape (N, M): with x (N, D) and W (D, M) no transpose is needed, and b (M,) broadcasts "
          "over the rows; return (out, cache) with cache holding what the backward pass needs."),
))


# --------------------------------------------------------------------------- dense_backward
def _dense_bwd_cases(rng):
    delta = 0.191 - LECTURE_TARGET

    def layer(n, d, m):
        return {"x": rng.normal(size=(n, d)), "W": rng.normal(size=(d, m)), "b": rng.normal(size=m)}

    return [
        Case("the lecture's hidden layer, dout = Δ·[w5, w6] with Δ = 0.191 − 1",
             {"x": LECTURE_X.copy(), "W": LECTURE_W1.copy(), "b": np.zeros(2)}, data={"dout": delta * LECTURE_W2.T}),
        Case("x (5, 3), W (3, 4), b (4,)", layer(5, 3, 4), data={"dout": rng.normal(size=(5, 4))}),
        Case("a square layer: x (3, 3), W (3, 3)", layer(3, 3, 3), data={"dout": rng.normal(size=(3, 3))}),
        Case("a batch of one sample, x (1, 4), W (4, 2)", layer(1, 4, 2), data={"dout": rng.normal(size=(1, 2))}),
        Case("x (7, 2), W (2, 3) with dout exactly zero in some rows", layer(7, 2, 3),
             data={"dout": rng.normal(size=(7, 3)) * (rng.random((7, 1)) < 0.5)}),
    ]


register(Exercise(
    name="dense_backward",
    signature="dense_forward(x, W, b)",
    kind=Layer(backward="dense_backward(dout, cache)", grads={"dx": "x", "dW": "W", "db": "b"}),
    cases=_dense_bwd_cases,
    reference=lambda ref, x, W, b: x @ W + b,
    outputs=(Output("dx"), Output("dW"), Output("db")),
    mistakes=(
        Mistake("dx_uses_w", "dx uses W where W.T belongs: dx = dout @ W.T (shape (N, D)).",
                lambda ref, W, dout: {"dx": dout @ W}),
        Mistake("dw_transposed", "dW is transposed: dW = x.T @ dout has the shape of W, (D, M).",
                lambda ref, x, dout: {"dW": dout.T @ x}),
        Mistake("db_wrong_axis", "the bias gradient is summed over the wrong axis: db = dout.sum(axis=0), one entry "
                "per output, summed over the samples.", lambda ref, dout: {"db": dout.sum(dim=1)}),
        Mistake("db_sum_all", "the bias gradient must be summed over the samples (axis 0), not over everything: "
                "db = dout.sum(axis=0), shape (M,).", lambda ref, dout: {"db": dout.sum()}),
        Mistake("db_not_summed", "db must have shape (M,), one entry per output: sum dout over the samples, "
                "db = dout.sum(axis=0) (not dout itself, and without keepdims).", lambda ref, dout: {"db": dout}),
        Mistake("db_mean", "db averages over the samples: the bias gets the sum, db = dout.sum(axis=0) (any 1/N "
                "belongs to the loss, and dout already carries it).", lambda ref, dout: {"db": dout.mean(dim=0)}),
        Mistake("dw_divided_by_n", "the gradients are divided by N: the backward pass of a layer does not average "
                "(any 1/N belongs to the loss, and dout already carries it).",
                lambda ref, x, dout: {"dW": x.T @ dout / x.shape[0]}),
    ),
    hint=("for out = x @ W + b: dx = dout @ W.T is (N, D), dW = x.T @ dout is (D, M), db = dout.sum(axis=0) is "
          "(M,); take x and W from the cache your dense_forward returned."),
    points=2,
))


# --------------------------------------------------------------------------- mse_loss
def _mse_cases(rng):
    # Multiples of 1/64: float32 holds them and their differences exactly (see dense_forward).
    big = _grid(rng.normal(scale=1e3, size=(4, 3)), 64)
    noise = _grid(rng.normal(scale=10, size=(4, 3)), 64)
    # The (1, 1) lecture case comes second: a first case with several rows and columns names
    # mistakes better (a 1-by-1 array equals its own transpose and any multiple of it).
    return [
        Case("a column of 6 predictions (6, 1)",
             {"pred": rng.random((6, 1)), "target": rng.integers(0, 2, (6, 1)).astype(float)}),
        Case("the lecture's prediction 0.191 against the target 1.0, shapes (1, 1)",
             {"pred": np.array([[0.191]]), "target": np.array([[1.0]])}),
        Case("a (5, 3) matrix of predictions", {"pred": rng.normal(size=(5, 3)), "target": rng.normal(size=(5, 3))}),
        Case("a flat vector (8,)", {"pred": rng.normal(size=8), "target": rng.normal(size=8)}),
        Case("predictions equal to the targets (loss 0)", {"pred": np.full((3, 2), 0.25), "target": np.full((3, 2), 0.25)}),
        Case("large values (4, 3)", {"pred": big, "target": big + noise}),
    ]


def _mse_reference(ref, pred, target):
    p = pred.clone().requires_grad_(True)
    loss = ref.F.mse_loss(p, target, reduction="mean")
    (dpred,) = ref.torch.autograd.grad(loss, p)
    return {"loss": loss, "dpred": dpred}


def _rows(pred):
    return pred.shape[0] if pred.dim() else 1


register(Exercise(
    name="mse_loss",
    signature="mse_loss(pred, target)",
    cases=_mse_cases,
    reference=_mse_reference,
    outputs=(Output("loss", scalar=True), Output("dpred")),
    mistakes=(
        Mistake("sum_not_mean", "the 1/N is forgotten: the loss is the mean of the squared errors, "
                "(pred − target)².mean(), and dpred = 2·(pred − target)/n with n = pred.size.",
                lambda ref, pred, target: {"loss": ((pred - target) ** 2).sum(), "dpred": 2 * (pred - target)}),
        Mistake("half_mse", "you used ½·mean((pred − target)²), the lecture's ½(ŷ − y)² convention; mse_loss is "
                "F.mse_loss: the mean without the ½, with dpred = 2·(pred − target)/n.",
                lambda ref, pred, target: {"loss": 0.5 * ((pred - target) ** 2).mean(),
                                           "dpred": (pred - target) / pred.numel()}),
        Mistake("half_sum", "you used the lecture's error ½·Σ(pred − target)², whose derivative is pred − target; "
                "mse_loss is F.mse_loss: the mean of the squared errors, without the ½, with "
                "dpred = 2·(pred − target)/n.",
                lambda ref, pred, target: {"loss": 0.5 * ((pred - target) ** 2).sum(), "dpred": pred - target}),
        Mistake("per_row", "you divided by the number of rows, not the number of elements: n = pred.size counts "
                "every entry (rows × columns).",
                lambda ref, pred, target: {"loss": ((pred - target) ** 2).sum() / _rows(pred),
                                           "dpred": 2 * (pred - target) / _rows(pred)}),
        Mistake("loss_per_row", "the loss divides by the number of rows, not the number of elements: n = pred.size "
                "counts every entry (rows × columns).",
                lambda ref, pred, target: {"loss": ((pred - target) ** 2).sum() / _rows(pred)}),
        Mistake("dpred_per_row", "dpred divides by the number of rows, not the number of elements: "
                "dpred = 2·(pred − target)/n with n = pred.size (rows × columns).",
                lambda ref, pred, target: {"dpred": 2 * (pred - target) / _rows(pred)}),
        Mistake("loss_keepdims", "the loss must be one number: average over all elements, without keepdims "
                "(np.mean(...) or float(...)).",
                lambda ref, pred, target: {"loss": ((pred - target) ** 2).mean().reshape((1,) * pred.dim())}),
        Mistake("loss_axis_0", "the loss must be one number: you averaged along axis 0 only; average over all "
                "elements.", lambda ref, pred, target: {"loss": ((pred - target) ** 2).mean(dim=0)},
                when=lambda pred: pred.dim() > 1),
        Mistake("dpred_no_1_over_n", "dpred is missing the 1/n of the mean: dpred = 2·(pred − target)/n.",
                lambda ref, pred, target: {"dpred": 2 * (pred - target)}),
        Mistake("dpred_no_2", "dpred is missing the factor 2 from the derivative of the square: "
                "dpred = 2·(pred − target)/n.", lambda ref, pred, target: {"dpred": (pred - target) / pred.numel()}),
        Mistake("dpred_sign", "dpred has the wrong sign: it is the derivative with respect to pred, "
                "2·(pred − target)/n.", lambda ref, pred, target: {"dpred": -2 * (pred - target) / pred.numel()}),
        Mistake("rmse", "that is the root of the mean squared error (RMSE); mse_loss is the mean itself, no square "
                "root.", lambda ref, pred, target: {"loss": ref.torch.sqrt(((pred - target) ** 2).mean())},
                when=lambda pred: pred.numel() > 1),
        Mistake("mae", "that is the mean absolute error; mse_loss squares the errors: mean((pred − target)²).",
                lambda ref, pred, target: {"loss": (pred - target).abs().mean()}, when=lambda pred: pred.numel() > 1),
        Mistake("abs_single", "the loss is |pred − target|, an RMSE or a mean absolute error; mse_loss is the mean of "
                "the squared errors, with no square root.",
                lambda ref, pred, target: {"loss": (pred - target).abs().mean()}, when=lambda pred: pred.numel() == 1),
    ),
    hint="loss = mean((pred − target)²) over all elements (one number); dpred = 2·(pred − target)/pred.size.",
))
