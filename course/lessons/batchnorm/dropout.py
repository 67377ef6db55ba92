"""Lesson 05 exercise specs: ``dropout_forward`` and ``dropout_backward``.

Both keep a custom run: no mask can be compared with PyTorch's random numbers, so the run records the mask
the student's code drew from ``rng`` (after checking that it is drawn from ``rng``, entry by entry) and the
reference is torch's ``x * mask / (1 − p)`` for that mask.
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Interval, Mistake, Output, StudentError, register, unpack
from course.checks import compare as cmp
from course.checks.kinds import Custom

FORWARD = "dropout_forward(x, p, training, rng)"


def _binomial_interval(p, n, sigmas=5.0):
    """Where the dropped fraction of n independent units lies, but for a 5-sigma fluke."""
    half = sigmas * np.sqrt(p * (1 - p) / n)
    return Interval(np.asarray(max(p - half, 0.0)), np.asarray(min(p + half, 1.0)))


def _no_zeros(x):
    return np.where(x == 0, 1.0, x)


def _dependence_problem(kept, p):
    """A sentence when the dropped units are not drawn one by one, else None.

    Counts the dropped units of each slice along the first and along the last axis. With independent
    draws each count is Binomial(S, q), q the fraction dropped overall (whether q is near p is checked
    elsewhere); a mask shared by every sample (drawn for x.shape[1:]), one draw per sample, or dropped
    units gathered in a block make the counts spread far more than that. The threshold (10 standard
    deviations of the chi-square statistic, plus 25) is never reached by a right mask in practice.
    """
    kept = np.asarray(kept, dtype=bool)
    if not 0 < p < 1 or kept.ndim < 2 or kept.size < 100:
        return None
    dropped = ~kept
    q = float(dropped.mean())
    if not 0 < q < 1:
        return None
    for axis in {0, kept.ndim - 1}:
        others = tuple(a for a in range(kept.ndim) if a != axis)
        counts = dropped.sum(axis=others).astype(float)
        L, S = counts.size, kept.size // counts.size
        if L < 2:
            continue
        stat = float(np.sum((counts - S * q) ** 2) / (S * q * (1 - q)))
        if stat > L + 10 * np.sqrt(2 * L) + 25:
            where = "samples (rows)" if axis == 0 else "features (the last axis)"
            return ("the dropped units are not drawn independently: the number dropped varies between "
                    f"{where} far more than independent draws allow (a mask shared by all samples, one draw "
                    "per row, or dropped units in a block?). Draw one random number per entry, "
                    "rng.random(x.shape).")
    return None


def _forward(fwd, x, p, training, seed, call):
    result = call(fwd, x, p, training, np.random.default_rng(seed), what="dropout_forward",
                  names=["x", "p", "training", "rng"])
    out, cache = unpack(result, "dropout_forward")
    try:
        arr = cmp.as_array(out, "`out` of dropout_forward")
    except ValueError as e:
        raise StudentError(str(e)) from None
    problem = cmp.shape_problem(arr, x.shape, "The `out` of dropout_forward")
    if problem:
        raise StudentError(problem)
    return arr, cache


# =========================================================================== dropout forward
def _drop_cases(rng):
    seed = int(rng.integers(1000))

    def case(label, shape, p, training, k):
        x = _no_zeros(rng.normal(size=shape))
        return Case(label, {"x": x, "p": p, "training": training, "rng": np.random.default_rng(seed + k)},
                    data={"seed": seed + k})

    return [
        case("p=0.2 on a (100, 200) input, training", (100, 200), 0.2, True, 0),
        case("p=0.5 on a (64, 128) input, training", (64, 128), 0.5, True, 1),
        case("p=0.75 on a (50, 40, 10) input, training", (50, 40, 10), 0.75, True, 2),
        case("p=0.1 on a small (4, 6) input, training", (4, 6), 0.1, True, 3),
        case("p=0: nothing is dropped", (20, 30), 0.0, True, 4),
        case("evaluation mode (training=False), p=0.3", (40, 50), 0.3, False, 5),
        case("evaluation mode (training=False), p=0.8", (10, 10), 0.8, False, 6),
    ]


def _drop_run(objects, case, call, ref):
    """The student's output, the mask it drew (recorded for the reference), and the rng contract."""
    fwd = objects[0]
    x, p, training, seed = case.named["x"], case.named["p"], case.named["training"], case.data["seed"]
    out, _ = _forward(fwd, x, p, training, seed, call)
    kept = out != 0
    case.data["mask"] = kept
    if training and p > 0:
        again, _ = _forward(fwd, x, p, training, seed, call)
        if not np.array_equal(again != 0, kept):
            raise StudentError(f"two calls with np.random.default_rng({seed}) dropped different units: draw the "
                               "mask from the `rng` argument (e.g. rng.random(x.shape)), not from np.random or a "
                               "new generator.")
        other, _ = _forward(fwd, x, p, training, seed + 7919, call)
        if x.size >= 50 and np.array_equal(other != 0, kept):
            raise StudentError("generators with different seeds gave the same mask: draw the mask from the `rng` "
                               "argument, without reseeding anything.")
        problem = _dependence_problem(kept, p)
        if problem:
            raise StudentError(problem)
    return {"out": out, "drop_fraction": np.float64(1.0 - kept.mean())}


def _drop_reference(ref, x, p, training, mask):
    """torch's inverted dropout, x * mask / (1 − p), with the mask the student's code drew."""
    if not training or p == 0:
        return {"out": ref.F.dropout(x, p=p, training=False), "drop_fraction": Interval(np.asarray(0.0),
                                                                                        np.asarray(0.0))}
    return {"out": x * mask / (1 - p), "drop_fraction": _binomial_interval(p, x.numel())}


def _dropping(p, training):
    return bool(training) and p > 0


def _dropping_not_half(p, training):
    return bool(training) and p not in (0.0, 0.5)


def _evaluating(training):
    return not training


register(Exercise(
    name="dropout_forward",
    signature=FORWARD,
    cases=_drop_cases,
    reference=_drop_reference,
    kind=Custom(_drop_run, after_run=True),
    outputs=(Output("out"), Output("drop_fraction", scalar=True)),
    mistakes=(
        Mistake("not_scaled", "the kept units are not scaled: inverted dropout divides them by (1 − p) during "
                "training, so that evaluation can use x unchanged.",
                lambda ref, x, p, mask: {"out": x * mask, "drop_fraction": _binomial_interval(p, x.numel())},
                when=_dropping),
        Mistake("times_keep_prob", "the kept units are multiplied by (1 − p); inverted dropout divides them by "
                "(1 − p).",
                lambda ref, x, p, mask: {"out": x * mask * (1 - p), "drop_fraction": _binomial_interval(p, x.numel())},
                when=_dropping),
        Mistake("p_is_keep_prob", "p is the probability of DROPPING a unit, not of keeping it: keep where "
                "rng.random(x.shape) >= p and scale the kept units by 1/(1 − p).",
                lambda ref, x, p, mask: {"out": x * mask / p, "drop_fraction": _binomial_interval(1 - p, x.numel())},
                when=_dropping_not_half),
        Mistake("mask_keeps_p", "p is the probability of DROPPING a unit, not of keeping it: your mask keeps a "
                "fraction p; keep where rng.random(x.shape) >= p.",
                lambda ref, x, p, mask: {"out": x * mask / (1 - p),
                                         "drop_fraction": _binomial_interval(1 - p, x.numel())},
                when=_dropping_not_half),
        Mistake("mask_keeps_p_not_scaled", "p is the probability of DROPPING a unit: your mask keeps a fraction p "
                "and the kept units are not scaled; keep where rng.random(x.shape) >= p and divide the kept units "
                "by (1 − p).",
                lambda ref, x, p, mask: {"out": x * mask, "drop_fraction": _binomial_interval(1 - p, x.numel())},
                when=_dropping_not_half),
        Mistake("applied_in_eval", "dropout is applied in evaluation mode: with training=False return x unchanged.",
                lambda ref, x, p, mask: {"out": x * mask / (1 - p), "drop_fraction": _binomial_interval(p, x.numel())},
                when=_evaluating),
        Mistake("applied_in_eval", "dropout is applied in evaluation mode: with training=False return x unchanged.",
                lambda ref, x, p, mask: {"out": x * mask, "drop_fraction": _binomial_interval(p, x.numel())},
                when=_evaluating),
        Mistake("eval_times_keep_prob", "with training=False inverted dropout returns x unchanged: the scaling by "
                "1/(1 − p) already happened during training, so do not multiply by (1 − p) here.",
                lambda ref, x, p: {"out": x * (1 - p)}, when=_evaluating),
    ),
    hint=("during training keep each unit with probability 1 − p (mask = rng.random(x.shape) >= p) and return "
          "x * mask / (1 − p); with training=False return x unchanged. `drop_fraction` is the fraction of "
          "entries your output sets to 0; with p = 0 nothing is dropped."),
    points=2,
))


# =========================================================================== dropout backward
def _dropb_cases(rng):
    seed = int(rng.integers(1000))

    def case(label, shape, p, k):
        x = _no_zeros(rng.normal(size=shape))
        return Case(label, {"x": x, "p": p, "training": True, "rng": np.random.default_rng(seed + k)},
                    data={"seed": seed + k, "dout": _no_zeros(rng.normal(size=shape))})

    return [
        case("p=0.3, (20, 30)", (20, 30), 0.3, 0),
        case("p=0.5, (8, 16)", (8, 16), 0.5, 1),
        case("p=0.8, (6, 5, 4)", (6, 5, 4), 0.8, 2),
        case("p=0: nothing dropped", (5, 7), 0.0, 3),
    ]


def _dropb_run(objects, case, call, ref):
    """The student's forward must be right on this case; its cache then goes to the student's backward."""
    fwd, bwd = objects
    x, p, dout = case.named["x"], case.named["p"], case.data["dout"]
    out, cache = _forward(fwd, x, p, True, case.data["seed"], call)
    kept = out != 0
    with np.errstate(all="ignore"):
        right = (cmp.close(out, x * kept / (1 - p), cmp.tolerance_for(out)) and (p > 0 or kept.all())
                 and abs((1 - kept.mean()) - p) <= 5 * np.sqrt(p * (1 - p) / x.size) + 1e-12
                 and _dependence_problem(kept, p) is None)
    if not right:
        raise StudentError("dropout_forward does not give a right `out` for this case yet: make "
                           "check(\"dropout_forward\", dropout_forward) pass first.")
    case.data["mask"] = kept
    dx = call(bwd, dout, cache, what="dropout_backward", names=["dout", "cache"])
    if isinstance(dx, np.ndarray) and dx.shape == x.shape:
        case.data["backward_mask"] = dx != 0
    return {"dx": dx}


def _dropb_reference(ref, x, p, dout, mask):
    """Autograd through torch's x * mask / (1 − p), the mask being the one the student's forward drew."""
    X = x.clone().requires_grad_(True)
    (dx,) = ref.torch.autograd.grad(X * mask / (1 - p), X, dout)
    return dx


def _new_mask(case):
    m = case.data.get("backward_mask")
    return m is not None and "mask" in case.data and not np.array_equal(m, case.data["mask"])


register(Exercise(
    name="dropout_backward",
    signature=(FORWARD, "dropout_backward(dout, cache)"),
    cases=_dropb_cases,
    reference=_dropb_reference,
    kind=Custom(_dropb_run, after_run=True),
    outputs=(Output("dx"),),
    mistakes=(
        Mistake("not_scaled", "dx is missing the scale: the forward divided the kept units by (1 − p), so "
                "dx = dout * mask / (1 − p).", lambda ref, dout, mask: dout * mask),
        Mistake("times_keep_prob", "dx is multiplied by (1 − p); it should be divided: dx = dout * mask / (1 − p).",
                lambda ref, dout, mask, p: dout * mask * (1 - p)),
        Mistake("divided_by_p", "dx is divided by p; the forward kept units with probability 1 − p: "
                "dx = dout * mask / (1 − p).", lambda ref, dout, mask, p: dout * mask / p),
        Mistake("no_mask", "dx ignores the mask: units dropped in the forward pass get no gradient, "
                "dx = dout * mask / (1 − p).", lambda ref, dout, p: dout / (1 - p)),
        Mistake("straight_through", "dx = dout passes the gradient straight through: multiply by the forward's "
                "mask and divide by (1 − p).", lambda ref, dout: dout),
        Mistake("no_dout", "dx must be multiplied by dout: dx = dout * mask / (1 − p), not the mask alone.",
                lambda ref, mask, p: mask / (1 - p)),
        Mistake("new_mask", "dx must go through the same mask as the forward pass: keep the mask in the cache "
                "instead of drawing a new one in the backward pass.",
                lambda ref, dout, p, backward_mask: dout * backward_mask / (1 - p), when=_new_mask),
    ),
    hint="dx = dout * mask / (1 − p) with the mask and p of the forward pass, kept in the cache.",
    points=1,
))
