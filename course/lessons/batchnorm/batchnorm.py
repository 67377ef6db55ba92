"""Lesson 05 exercise specs: ``batchnorm_forward`` and ``batchnorm_backward``."""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, StudentError, register, unpack
from course.checks import compare as cmp
from course.checks.kinds import Layer, UpdatesInPlace

FORWARD = "batchnorm_forward(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5)"


# =========================================================================== batch norm forward
def _array(value, what, shape):
    try:
        arr = cmp.as_array(value, what)
    except ValueError as e:
        raise StudentError(str(e)) from None
    problem = cmp.shape_problem(arr, shape, what[0].upper() + what[1:])
    if problem:
        raise StudentError(problem)
    return arr


def _read_forward(result, what, case, bn_state):
    """`out` from the student's (out, cache), the running statistics from the dict they updated."""
    if isinstance(result, (tuple, list)) and len(result) == 3 and isinstance(result[-1], dict):
        raise StudentError(f"`{what}` returned three values, the last a dict: return only (out, cache) and "
                           f"update the running statistics inside the `bn_state` you were given.")
    out, _ = unpack(result, what)
    if not isinstance(bn_state, dict) or "running_mean" not in bn_state or "running_var" not in bn_state:
        raise StudentError("after the call `bn_state` no longer holds 'running_mean' and 'running_var'.")
    D = np.shape(case.named["x"])[1:]
    stats = {k: np.array(_array(bn_state[k], f"bn_state[{k!r}] after the call", D), copy=True)
             for k in ("running_mean", "running_var")}
    if getattr(out, "dtype", None) == np.float32:
        # the student's precision, judged by `out`, sets the tolerance of all three outputs
        stats = {k: v.astype(np.float32) for k, v in stats.items()}
    return {"out": out, **stats}


def _bn_torch(ref, x, gamma, beta, bn_state, training, momentum, eps, *, biased_running=False, swap=False,
              norm_unbiased=False, eval_mode="running", no_update=False, eps_outside=False, eval_no_eps=False,
              eval_no_affine=False):
    """One step of batch norm in torch, right by default; the flags give the plausible wrong versions.

    eval_mode: "running" (right), "batch" (batch statistics, no update), "train" (training=False ignored),
    "update" (normalizes with the running statistics but updates them anyway).
    """
    torch = ref.torch
    rm, rv = bn_state["running_mean"], bn_state["running_var"]
    as_training = training or eval_mode == "train"
    mu, var_b = x.mean(0), x.var(0, unbiased=False)
    var_u = x.var(0, unbiased=True) if x.shape[0] > 1 else torch.full_like(mu, float("nan"))
    if as_training or eval_mode == "batch":
        center, var = mu, (var_u if norm_unbiased else var_b)
    else:
        center, var = rm, rv
    if not as_training and eval_no_eps:
        xhat = (x - center) / torch.sqrt(var)
    elif eps_outside:
        xhat = (x - center) / (torch.sqrt(var) + eps)
    else:
        xhat = (x - center) / torch.sqrt(var + eps)
    out = xhat if (not as_training and eval_no_affine) else gamma * xhat + beta
    if (as_training or eval_mode == "update") and not no_update:
        new_var = var_b if biased_running else var_u
        if swap:
            rm, rv = momentum * rm + (1 - momentum) * mu, momentum * rv + (1 - momentum) * new_var
        else:
            rm, rv = (1 - momentum) * rm + momentum * mu, (1 - momentum) * rv + momentum * new_var
    return {"out": out, "running_mean": rm, "running_var": rv}


def _bn_reference(ref, x, gamma, beta, bn_state, training, momentum, eps):
    """F.batch_norm, which updates its float64 running buffers in place."""
    rm, rv = bn_state["running_mean"].clone(), bn_state["running_var"].clone()
    out = ref.F.batch_norm(x, rm, rv, gamma, beta, training=training, momentum=momentum, eps=eps)
    return {"out": out, "running_mean": rm, "running_var": rv}


def _bn_forward_cases(rng):
    def batch(n, d, loc=0.0, scale=1.0):
        return rng.normal(loc, scale, size=(n, d)) * rng.uniform(0.5, 2.0, size=d) + rng.normal(size=d)

    def state(d, mean_scale=1.0, var_lo=0.5, var_hi=3.0):
        return {"running_mean": rng.normal(size=d) * mean_scale, "running_var": rng.uniform(var_lo, var_hi, size=d)}

    def fresh(d):
        return {"running_mean": np.zeros(d), "running_var": np.ones(d)}

    const = batch(6, 4)
    const[:, 1] = 2.0
    return [
        Case("a training step on a (6, 4) batch from running_mean = 0, running_var = 1 (training, momentum and "
             "eps at their defaults)", {"x": batch(6, 4, 1.5, 2.0), "gamma": np.ones(4), "beta": np.zeros(4),
                                         "bn_state": fresh(4)}),
        Case("a training step from given running statistics", {
            "x": batch(8, 5, -2.0, 3.0), "gamma": rng.uniform(0.5, 2, size=5), "beta": rng.normal(size=5),
            "bn_state": state(5), "training": True}),
        Case("evaluation (training=False) with given running statistics", {
            "x": batch(5, 3), "gamma": rng.normal(size=3), "beta": rng.normal(size=3), "bn_state": state(3),
            "training": False}),
        Case("a training step on a batch of two", {
            "x": batch(2, 3), "gamma": rng.normal(size=3), "beta": rng.normal(size=3), "bn_state": state(3)}),
        Case("momentum=0.3, eps=1e-3: a training step", {
            "x": batch(7, 4), "gamma": rng.uniform(0.5, 2, size=4), "beta": rng.normal(size=4),
            "bn_state": state(4), "momentum": 0.3, "eps": 1e-3}),
        Case("momentum=0.3, eps=1e-3: evaluation", {
            "x": batch(3, 4), "gamma": rng.uniform(0.5, 2, size=4), "beta": rng.normal(size=4),
            "bn_state": state(4), "training": False, "momentum": 0.3, "eps": 1e-3}),
        Case("feature 1 constant in the batch: a training step", {
            "x": const, "gamma": rng.uniform(0.5, 2, size=4), "beta": rng.normal(size=4), "bn_state": state(4)}),
        Case("large values, momentum=0.05: a training step", {
            "x": batch(10, 6, 50, 20), "gamma": rng.uniform(0.5, 2, size=6), "beta": rng.normal(size=6),
            "bn_state": state(6, 100, 10, 1000), "momentum": 0.05}),
        Case("evaluation of a single sample, eps at its default", {
            "x": batch(1, 6, 50, 20), "gamma": rng.uniform(0.5, 2, size=6), "beta": rng.normal(size=6),
            "bn_state": state(6, 50, 10, 1000), "training": False}),
    ]


def _training(training):
    return bool(training)


def _evaluation(training):
    return not training


def _default_eps(case):
    return "eps" not in case.inputs


_BN_ARGS = "ref, x, gamma, beta, bn_state, training, momentum, eps"

register(Exercise(
    name="batchnorm_forward",
    signature=FORWARD,
    cases=_bn_forward_cases,
    reference=_bn_reference,
    kind=UpdatesInPlace(mutable=("bn_state",), read=_read_forward),
    outputs=(Output("out"), Output("running_mean"), Output("running_var")),
    mistakes=(
        Mistake("no_update", "bn_state is never updated: write the new running statistics into the dict you were "
                "given (bn_state['running_mean'] = ...); a new dict or a local variable is lost when the function "
                "returns.",
                lambda ref, x, gamma, beta, bn_state, training, momentum, eps: _bn_torch(
                    ref, x, gamma, beta, bn_state, training, momentum, eps, no_update=True), when=_training),
        Mistake("biased_running_var", "the running variance is updated with the biased batch variance (divided by "
                "N); like torch.nn.BatchNorm1d, update it with the unbiased one (divided by N − 1) and normalize "
                "with the biased one.",
                lambda ref, x, gamma, beta, bn_state, training, momentum, eps: _bn_torch(
                    ref, x, gamma, beta, bn_state, training, momentum, eps, biased_running=True)),
        Mistake("momentum_swapped", "the weights of the running average are swapped: momentum is the weight of the "
                "NEW batch statistic, running = (1 − momentum)·running + momentum·batch, with momentum=0.1 by "
                "default.",
                lambda ref, x, gamma, beta, bn_state, training, momentum, eps: _bn_torch(
                    ref, x, gamma, beta, bn_state, training, momentum, eps, swap=True)),
        Mistake("momentum_swapped_biased_var", "the weights of the running average are swapped (momentum is the "
                "weight of the new batch statistic: running = (1 − momentum)·running + momentum·batch) and the "
                "running variance must use the unbiased batch variance (divided by N − 1).",
                lambda ref, x, gamma, beta, bn_state, training, momentum, eps: _bn_torch(
                    ref, x, gamma, beta, bn_state, training, momentum, eps, swap=True, biased_running=True)),
        Mistake("normalized_unbiased", "you normalize with the unbiased variance (ddof=1): normalize with the "
                "biased batch variance (divided by N, np.var's default) and use the unbiased one only for "
                "running_var.",
                lambda ref, x, gamma, beta, bn_state, training, momentum, eps: _bn_torch(
                    ref, x, gamma, beta, bn_state, training, momentum, eps, norm_unbiased=True)),
        Mistake("variances_swapped", "you normalize with the unbiased variance (ddof=1) and update running_var "
                "with the biased one: it is the other way round.",
                lambda ref, x, gamma, beta, bn_state, training, momentum, eps: _bn_torch(
                    ref, x, gamma, beta, bn_state, training, momentum, eps, norm_unbiased=True,
                    biased_running=True)),
        Mistake("eval_batch_stats", "in evaluation mode (training=False) you normalize with the batch's own "
                "statistics: use bn_state['running_mean'] and bn_state['running_var'] instead.",
                lambda ref, x, gamma, beta, bn_state, training, momentum, eps: _bn_torch(
                    ref, x, gamma, beta, bn_state, training, momentum, eps, eval_mode="batch"), when=_evaluation),
        Mistake("training_ignored", "training=False is ignored: in evaluation mode normalize with the running "
                "statistics and leave bn_state unchanged.",
                lambda ref, x, gamma, beta, bn_state, training, momentum, eps: _bn_torch(
                    ref, x, gamma, beta, bn_state, training, momentum, eps, eval_mode="train"), when=_evaluation),
        Mistake("eval_updates_state", "evaluation mode must not change bn_state: update the running statistics "
                "only when training.",
                lambda ref, x, gamma, beta, bn_state, training, momentum, eps: _bn_torch(
                    ref, x, gamma, beta, bn_state, training, momentum, eps, eval_mode="update"), when=_evaluation),
        Mistake("eps_outside_sqrt", "eps belongs inside the square root: divide by sqrt(var + eps), not "
                "sqrt(var) + eps.",
                lambda ref, x, gamma, beta, bn_state, training, momentum, eps: _bn_torch(
                    ref, x, gamma, beta, bn_state, training, momentum, eps, eps_outside=True)),
        Mistake("eval_no_eps", "in evaluation mode too, divide by sqrt(running_var + eps): eps is missing there.",
                lambda ref, x, gamma, beta, bn_state, training, momentum, eps: _bn_torch(
                    ref, x, gamma, beta, bn_state, training, momentum, eps, eval_no_eps=True), when=_evaluation),
        Mistake("eval_no_affine", "in evaluation mode too, scale and shift: out = gamma * x_hat + beta.",
                lambda ref, x, gamma, beta, bn_state, training, momentum, eps: _bn_torch(
                    ref, x, gamma, beta, bn_state, training, momentum, eps, eval_no_affine=True), when=_evaluation),
        *(Mistake("default_eps", f"the default eps is 1e-5 (as torch.nn.BatchNorm1d), not {e:g}: keep the "
                  f"defaults of the signature, eps=1e-5 and momentum=0.1.",
                  lambda ref, x, gamma, beta, bn_state, training, momentum, e=e: _bn_torch(
                      ref, x, gamma, beta, bn_state, training, momentum, e), when=_default_eps)
          for e in (1e-3, 1e-8, 0.0)),
    ),
    hint=("training: normalize each column with the batch mean and the biased batch variance, "
          "out = gamma·(x − mean)/sqrt(var + eps) + beta, then update bn_state in place with "
          "running = (1 − momentum)·running + momentum·batch (unbiased variance for running_var); "
          "evaluation: normalize with the running statistics and leave them unchanged."),
    points=3,
))


# =========================================================================== batch norm backward
def _normalized(x, eps):
    """x_hat and std = sqrt(var + eps) of a training batch, in torch."""
    std = (x.var(0, unbiased=False) + eps).sqrt()
    return (x - x.mean(0)) / std, std


def _dx(dout, xhat, std, gamma):
    return gamma / std * (dout - dout.mean(0) - xhat * (dout * xhat).mean(0))


def _bnb_cases(rng):
    def case(label, n, d, loc=0.0, scale=1.0, eps=None, const=None):
        x = rng.normal(loc, scale, size=(n, d))
        if const is not None:
            x[:, const] = 2.0
        args = {"x": x, "gamma": rng.uniform(0.5, 2.0, size=d), "beta": rng.normal(size=d),
                "bn_state": {"running_mean": np.zeros(d), "running_var": np.ones(d)}}
        if eps is not None:
            args["eps"] = eps
        return Case(label, args, data={"dout": rng.normal(size=(n, d))})

    return [
        case("x (8, 5), random gamma, beta and dout", 8, 5, 1.0, 2.0),
        case("a batch of two, eps=0.05", 2, 4, eps=0.05),
        case("x (16, 3) with large values, eps=1e-3", 16, 3, 100.0, 30.0, eps=1e-3),
        case("a column constant in the batch", 6, 4, const=2),
        case("a single feature, 10 samples", 10, 1),
    ]


register(Exercise(
    name="batchnorm_backward",
    signature=FORWARD,
    cases=_bnb_cases,
    reference=lambda ref, x, gamma, beta, eps: ref.F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps),
    kind=Layer(backward="batchnorm_backward(dout, cache)", grads={"dx": "x", "dgamma": "gamma", "dbeta": "beta"},
               mutable=("bn_state",)),
    outputs=(Output("dx"), Output("dgamma"), Output("dbeta")),
    mistakes=(
        Mistake("dx_stats_constant", "dx treats the batch mean and variance as constants (dx = dout·gamma/std): "
                "they depend on every x_i, so add the paths through dL/dmu and dL/dsigma².",
                lambda ref, x, gamma, dout, eps: {"dx": dout * gamma / _normalized(x, eps)[1]}),
        Mistake("dx_no_variance_path", "dx is missing the path through the variance: add the term "
                "−x_hat·mean(dout·x_hat) (from dL/dsigma²).",
                lambda ref, x, gamma, dout, eps: {"dx": gamma / _normalized(x, eps)[1] * (dout - dout.mean(0))}),
        Mistake("dx_no_mean_path", "dx is missing the path through the mean: subtract mean(dout) (from dL/dmu).",
                lambda ref, x, gamma, dout, eps: {"dx": _dx(dout, *_normalized(x, eps), gamma) + gamma
                                                  / _normalized(x, eps)[1] * dout.mean(0)}),
        Mistake("dx_no_gamma", "dx is missing the factor gamma: dL/dx_hat = dout · gamma.",
                lambda ref, x, gamma, dout, eps: {"dx": _dx(dout, *_normalized(x, eps), 1.0)}),
        Mistake("dgamma_uses_x", "dgamma uses x instead of the normalized x_hat: dgamma = sum over the batch of "
                "dout · x_hat.", lambda ref, x, dout: {"dgamma": (dout * x).sum(0)}),
        Mistake("dgamma_mean", "dgamma is a sum over the batch, not a mean: dgamma = sum of dout · x_hat.",
                lambda ref, x, dout, eps: {"dgamma": (dout * _normalized(x, eps)[0]).mean(0)}),
        Mistake("dbeta_mean", "dbeta is a sum over the batch, not a mean: dbeta = sum of dout.",
                lambda ref, dout: {"dbeta": dout.mean(0)}),
        Mistake("summed_over_all", "dgamma and dbeta are summed over everything: sum over the batch axis only "
                "(axis=0), one value per feature.",
                lambda ref, x, dout, eps: {"dgamma": (dout * _normalized(x, eps)[0]).sum(), "dbeta": dout.sum()}),
        Mistake("dgamma_dbeta_swapped", "dgamma and dbeta are swapped: return them in the order (dx, dgamma, "
                "dbeta), with dgamma = sum(dout·x_hat, axis=0) and dbeta = sum(dout, axis=0).",
                lambda ref, x, dout, eps: {"dgamma": dout.sum(0), "dbeta": (dout * _normalized(x, eps)[0]).sum(0)}),
    ),
    hint=("with x_hat = (x − mean)/std and std = sqrt(var + eps): dbeta = sum(dout, axis=0), "
          "dgamma = sum(dout·x_hat, axis=0), dx = gamma/std·(dout − mean(dout) − x_hat·mean(dout·x_hat)), "
          "means over the batch axis. Keep what you need in the cache (x_hat, std and gamma, or x itself)."),
    points=3,
))
