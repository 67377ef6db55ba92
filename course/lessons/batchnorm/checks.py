"""The lesson's exercises: batchnorm_forward, batchnorm_backward, dropout_forward, dropout_backward."""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Interval, Mistake, Output, StudentError, register, unpack
from course.checks import compare as cmp

from .experiments import _one_thread

LESSON = "05_batchnorm"

_BN_NAMES = ["x", "gamma", "beta", "bn_state"]


def _pair(result, what, returns="(out, cache)"):
    """A student's ``(out, cache)`` result, or a StudentError saying what it is instead."""
    if isinstance(result, (tuple, list)) and len(result) == 3 and isinstance(result[-1], dict):
        raise StudentError(f"`{what}` returned three values, the last a dict: return only {returns} and "
                           f"update the running statistics inside the `bn_state` you were given.")
    return unpack(result, what)


def _array(value, what, shape):
    try:
        arr = cmp.as_array(value, what)
    except ValueError as e:
        raise StudentError(str(e)) from None
    problem = cmp.shape_problem(arr, shape, what[0].upper() + what[1:])
    if problem:
        raise StudentError(problem)
    return arr


# =========================================================================== batch norm forward
def _bn_kwargs(case, training):
    """Keyword arguments for one step: defaults left out where the case tests them."""
    kw = dict(case.kwargs)
    if not (training and case.data.get("default_training")):
        kw["training"] = training
    return kw


def _bn_state(case):
    s = case.data["state"]
    return {"running_mean": s["running_mean"].copy(), "running_var": s["running_var"].copy()}


def _bn_settings(case):
    return case.kwargs.get("momentum", 0.1), case.kwargs.get("eps", 1e-5)


def _bn_ref(case, ref):
    """F.batch_norm step after step, with float64 running buffers it updates in place."""
    torch = ref.torch
    momentum, eps = _bn_settings(case)
    st = case.data["state"]
    rm, rv = ref.t(st["running_mean"]), ref.t(st["running_var"])
    gamma, beta = ref.t(case.data["gamma"]), ref.t(case.data["beta"])
    outs, means, variances = [], [], []
    with _one_thread():
        for x, training in case.data["steps"]:
            outs.append(ref.F.batch_norm(ref.t(x), rm, rv, gamma, beta, training=training, momentum=momentum,
                                         eps=eps))
            means.append(rm.clone())
            variances.append(rv.clone())
    return {"out": torch.cat(outs), "running_mean": torch.stack(means), "running_var": torch.stack(variances)}


def _bn_variant(case, ref, *, biased_running=False, swap=False, norm_unbiased=False, eval_mode="running",
                no_update=False, eps_outside=False, eval_no_eps=False, eval_no_affine=False, default_eps=None):
    """Plausible wrong versions, in torch, step after step.

    eval_mode: "running" (right), "batch" (batch statistics, no update), "train" (training=False ignored),
    "update" (normalizes with the running statistics but updates them anyway).
    """
    torch = ref.torch
    m, eps = _bn_settings(case)
    if default_eps is not None and "eps" not in case.kwargs:
        eps = default_eps
    st = case.data["state"]
    rm, rv = ref.t(st["running_mean"]), ref.t(st["running_var"])
    g, b = ref.t(case.data["gamma"]), ref.t(case.data["beta"])
    outs, means, variances = [], [], []
    for x, training in case.data["steps"]:
        X = ref.t(x)
        as_training = training or eval_mode == "train"
        mu = X.mean(0)
        var_b = X.var(0, unbiased=False)
        var_u = X.var(0, unbiased=True) if X.shape[0] > 1 else torch.full_like(mu, float("nan"))
        if as_training or eval_mode == "batch":
            center, var = mu, (var_u if norm_unbiased else var_b)
        else:
            center, var = rm, rv
        if not as_training and eval_no_eps:
            xhat = (X - center) / torch.sqrt(var)
        elif eps_outside:
            xhat = (X - center) / (torch.sqrt(var) + eps)
        else:
            xhat = (X - center) / torch.sqrt(var + eps)
        outs.append(xhat if (not as_training and eval_no_affine) else g * xhat + b)
        if (as_training or eval_mode == "update") and not no_update:
            new_var = var_b if biased_running else var_u
            if swap:
                rm, rv = m * rm + (1 - m) * mu, m * rv + (1 - m) * new_var
            else:
                rm, rv = (1 - m) * rm + m * mu, (1 - m) * rv + m * new_var
        means.append(rm.clone())
        variances.append(rv.clone())
    return {"out": torch.cat(outs), "running_mean": torch.stack(means), "running_var": torch.stack(variances)}


def _has_eval(case):
    return any(not t for _, t in case.data["steps"])


def _has_train(case):
    return any(t for _, t in case.data["steps"])


def _default_eps(case):
    return "eps" not in case.kwargs


def _bn_case(label, steps, gamma, beta, state=None, momentum=None, eps=None, default_training=False):
    D = steps[0][0].shape[1]
    if state is None:
        state = {"running_mean": np.zeros(D), "running_var": np.ones(D)}
    kwargs = {}
    if momentum is not None:
        kwargs["momentum"] = momentum
    if eps is not None:
        kwargs["eps"] = eps
    return Case(label, (steps[0][0], gamma, beta, state), kwargs,
                data={"steps": steps, "gamma": gamma, "beta": beta, "state": state,
                      "default_training": default_training},
                arg_names=_BN_NAMES)


def _bn_forward_cases(rng):
    def batch(n, d, loc=0.0, scale=1.0):
        return rng.normal(loc, scale, size=(n, d)) * rng.uniform(0.5, 2.0, size=d) + rng.normal(size=d)

    cases = []
    steps = [(batch(6, 4, 1.5, 2.0), True) for _ in range(3)]
    cases.append(_bn_case("three training steps on (6, 4) batches from running_mean = 0, running_var = 1 "
                          "(training left at its default)", steps, np.ones(4), np.zeros(4), default_training=True))
    state = {"running_mean": rng.normal(size=3), "running_var": rng.uniform(0.5, 3.0, size=3)}
    cases.append(_bn_case("evaluation (training=False) with given running statistics",
                          [(batch(5, 3), False)], rng.normal(size=3), rng.normal(size=3), state=state))
    steps = [(batch(8, 5, -2.0, 3.0), True), (batch(8, 5, -2.0, 3.0), True), (batch(4, 5, -2.0, 3.0), False)]
    cases.append(_bn_case("two training steps, then evaluation", steps, rng.uniform(0.5, 2, size=5),
                          rng.normal(size=5)))
    steps = [(batch(2, 3), True), (batch(2, 3), True), (batch(2, 3), False)]
    cases.append(_bn_case("a batch of two, two training steps, then evaluation", steps, rng.normal(size=3),
                          rng.normal(size=3)))
    steps = [(batch(7, 4), True) for _ in range(3)] + [(batch(3, 4), False)]
    cases.append(_bn_case("momentum=0.3, eps=1e-3: three training steps, then evaluation", steps,
                          rng.uniform(0.5, 2, size=4), rng.normal(size=4), momentum=0.3, eps=1e-3))
    xs = [batch(6, 4) for _ in range(2)]
    for x in xs:
        x[:, 1] = 2.0
    steps = [(xs[0], True), (xs[1], True), (batch(3, 4), False)]
    cases.append(_bn_case("feature 1 constant in the batch: two training steps, then evaluation", steps,
                          rng.uniform(0.5, 2, size=4), rng.normal(size=4)))
    state = {"running_mean": rng.normal(size=6) * 100, "running_var": rng.uniform(10, 1000, size=6)}
    steps = [(batch(1, 6, 50, 20), False), (batch(10, 6, 50, 20), True), (batch(10, 6, 50, 20), True),
             (batch(1, 6, 50, 20), False)]
    cases.append(_bn_case("large values; evaluation of one sample, two training steps (momentum=0.05), "
                          "evaluation of one sample", steps, rng.uniform(0.5, 2, size=6), rng.normal(size=6),
                          state=state, momentum=0.05))
    return cases


def _check_state(state, D, step):
    if not isinstance(state, dict) or "running_mean" not in state or "running_var" not in state:
        raise StudentError(f"after step {step} `bn_state` no longer holds 'running_mean' and 'running_var'.")
    out = []
    for key in ("running_mean", "running_var"):
        out.append(_array(state[key], f"bn_state[{key!r}] after step {step}", (D,)))
    return out


def _bn_forward_run(objects, case, call):
    fwd = objects[0]
    gamma, beta = case.data["gamma"], case.data["beta"]
    state = _bn_state(case)
    outs, means, variances = [], [], []
    for step, (x, training) in enumerate(case.data["steps"], 1):
        result = call(fwd, x, gamma, beta, state, what="batchnorm_forward", names=_BN_NAMES,
                      mutable=("bn_state",), **_bn_kwargs(case, training))
        out, _ = _pair(result, "batchnorm_forward")
        outs.append(_array(out, f"`out` at step {step} ({'training' if training else 'evaluation'})", x.shape))
        mean, var = _check_state(state, x.shape[1], step)
        means.append(np.array(mean, copy=True))
        variances.append(np.array(var, copy=True))
    out = np.concatenate(outs)
    means, variances = np.stack(means), np.stack(variances)
    if out.dtype == np.float32:  # the student's precision, judged by `out`, sets the tolerance for all three
        means, variances = means.astype(np.float32), variances.astype(np.float32)
    return {"out": out, "running_mean": means, "running_var": variances}


def _quick(fn):
    """A mistake's outputs, computed on one thread (see _one_thread)."""
    def outputs(case, ref):
        with _one_thread():
            return fn(case, ref)
    return outputs


def _bn_mistake(**kw):
    return _quick(lambda case, ref: _bn_variant(case, ref, **kw))


register(Exercise(
    name="batchnorm_forward",
    lesson=LESSON,
    signature="batchnorm_forward(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5)",
    cases=_bn_forward_cases,
    reference=_bn_ref,
    outputs=(Output("out"), Output("running_mean"), Output("running_var")),
    run=_bn_forward_run,
    mistakes=(
        Mistake("bn_state is never updated: write the new running statistics into the dict you were given "
                "(bn_state['running_mean'] = ...); a new dict or a local variable is lost when the function "
                "returns.", _bn_mistake(no_update=True), applies=_has_train),
        Mistake("the running variance is updated with the biased batch variance (divided by N); like "
                "torch.nn.BatchNorm1d, update it with the unbiased one (divided by N − 1) and normalize with "
                "the biased one.", _bn_mistake(biased_running=True)),
        Mistake("the weights of the running average are swapped: momentum is the weight of the NEW batch "
                "statistic, running = (1 − momentum)·running + momentum·batch, with momentum=0.1 by default.",
                _bn_mistake(swap=True)),
        Mistake("the weights of the running average are swapped (momentum is the weight of the new batch "
                "statistic: running = (1 − momentum)·running + momentum·batch) and the running variance "
                "must use the unbiased batch variance (divided by N − 1).",
                _bn_mistake(swap=True, biased_running=True)),
        Mistake("you normalize with the unbiased variance (ddof=1): normalize with the biased batch variance "
                "(divided by N, np.var's default) and use the unbiased one only for running_var.",
                _bn_mistake(norm_unbiased=True)),
        Mistake("you normalize with the unbiased variance (ddof=1) and update running_var with the biased one: "
                "it is the other way round.", _bn_mistake(norm_unbiased=True, biased_running=True)),
        Mistake("in evaluation mode (training=False) you normalize with the batch's own statistics: use "
                "bn_state['running_mean'] and bn_state['running_var'] instead.",
                _bn_mistake(eval_mode="batch"), applies=_has_eval),
        Mistake("training=False is ignored: in evaluation mode normalize with the running statistics and "
                "leave bn_state unchanged.", _bn_mistake(eval_mode="train"), applies=_has_eval),
        Mistake("evaluation mode must not change bn_state: update the running statistics only when "
                "training.", _bn_mistake(eval_mode="update"), applies=_has_eval),
        Mistake("eps belongs inside the square root: divide by sqrt(var + eps), not sqrt(var) + eps.",
                _bn_mistake(eps_outside=True)),
        Mistake("in evaluation mode too, divide by sqrt(running_var + eps): eps is missing there.",
                _bn_mistake(eval_no_eps=True), applies=_has_eval),
        Mistake("in evaluation mode too, scale and shift: out = gamma * x_hat + beta.",
                _bn_mistake(eval_no_affine=True), applies=_has_eval),
        *(Mistake(f"the default eps is 1e-5 (as torch.nn.BatchNorm1d), not {e:g}: keep the defaults of the "
                  f"signature, eps=1e-5 and momentum=0.1.", _bn_mistake(default_eps=e), applies=_default_eps)
          for e in (1e-3, 1e-8, 0.0)),
    ),
    hint=("training: normalize each column with the batch mean and the biased batch variance, "
          "out = gamma·(x − mean)/sqrt(var + eps) + beta, then update bn_state in place with "
          "running = (1 − momentum)·running + momentum·batch (unbiased variance for running_var); "
          "evaluation: normalize with the running statistics and leave them unchanged. Row k of "
          "running_mean/running_var is the state after step k + 1."),
))


# =========================================================================== batch norm backward
def _bnb_settings(case):
    x, gamma, beta, dout = case.args
    return x, gamma, beta, dout, case.kwargs.get("eps", 1e-5)


def _bnb_ref(case, ref):
    x, gamma, beta, dout, eps = _bnb_settings(case)
    X, g, b = ref.t(x, grad=True), ref.t(gamma, grad=True), ref.t(beta, grad=True)
    D = x.shape[1]
    rm = ref.torch.zeros(D, dtype=ref.dtype, device=ref.device)
    rv = ref.torch.ones(D, dtype=ref.dtype, device=ref.device)
    with _one_thread():
        out = ref.F.batch_norm(X, rm, rv, g, b, training=True, eps=eps)
        out.backward(ref.t(dout))
    return {"dx": X.grad, "dgamma": g.grad, "dbeta": b.grad}


def _bnb_parts(case, ref):
    x, gamma, beta, dout, eps = _bnb_settings(case)
    X, g, dy = ref.t(x), ref.t(gamma), ref.t(dout)
    mu, var = X.mean(0), X.var(0, unbiased=False)
    std = ref.torch.sqrt(var + eps)
    return X, g, dy, (X - mu) / std, std


def _bnb_full_dx(dy, xhat, std, g):
    return g / std * (dy - dy.mean(0) - xhat * (dy * xhat).mean(0))


def _bnb_mistakes():
    def dx_only(fn):
        def outputs(case, ref):
            X, g, dy, xhat, std = _bnb_parts(case, ref)
            return {"dx": fn(X, g, dy, xhat, std)}
        return _quick(outputs)

    def grads(fn):
        def outputs(case, ref):
            X, g, dy, xhat, std = _bnb_parts(case, ref)
            return fn(X, g, dy, xhat, std)
        return _quick(outputs)

    return (
        Mistake("dx treats the batch mean and variance as constants (dx = dout·gamma/std): they depend on "
                "every x_i, so add the paths through dL/dmu and dL/dsigma².",
                dx_only(lambda X, g, dy, xhat, std: dy * g / std)),
        Mistake("dx is missing the path through the variance: add the term −x_hat·mean(dout·x_hat) "
                "(from dL/dsigma²).",
                dx_only(lambda X, g, dy, xhat, std: g / std * (dy - dy.mean(0)))),
        Mistake("dx is missing the path through the mean: subtract mean(dout) (from dL/dmu).",
                dx_only(lambda X, g, dy, xhat, std: g / std * (dy - xhat * (dy * xhat).mean(0)))),
        Mistake("dx is missing the factor gamma: dL/dx_hat = dout · gamma.",
                dx_only(lambda X, g, dy, xhat, std: _bnb_full_dx(dy, xhat, std, 1.0))),
        Mistake("dgamma uses x instead of the normalized x_hat: dgamma = sum over the batch of dout · x_hat.",
                grads(lambda X, g, dy, xhat, std: {"dgamma": (dy * X).sum(0)})),
        Mistake("dgamma is a sum over the batch, not a mean: dgamma = sum of dout · x_hat.",
                grads(lambda X, g, dy, xhat, std: {"dgamma": (dy * xhat).mean(0)})),
        Mistake("dbeta is a sum over the batch, not a mean: dbeta = sum of dout.",
                grads(lambda X, g, dy, xhat, std: {"dbeta": dy.mean(0)})),
        Mistake("dgamma and dbeta are summed over everything: sum over the batch axis only (axis=0), one "
                "value per feature.",
                grads(lambda X, g, dy, xhat, std: {"dgamma": (dy * xhat).sum(), "dbeta": dy.sum()})),
        Mistake("dgamma and dbeta are swapped: return them in the order (dx, dgamma, dbeta), with "
                "dgamma = sum(dout·x_hat, axis=0) and dbeta = sum(dout, axis=0).",
                grads(lambda X, g, dy, xhat, std: {"dgamma": dy.sum(0), "dbeta": (dy * xhat).sum(0)})),
    )


def _bnb_cases(rng):
    names = ["x", "gamma", "beta", "dout"]

    def case(label, n, d, loc=0.0, scale=1.0, eps=None, const=None):
        x = rng.normal(loc, scale, size=(n, d))
        if const is not None:
            x[:, const] = 2.0
        kw = {} if eps is None else {"eps": eps}
        return Case(label, (x, rng.uniform(0.5, 2.0, size=d), rng.normal(size=d), rng.normal(size=(n, d))), kw,
                    arg_names=names)

    return [
        case("x (8, 5), random gamma, beta and dout", 8, 5, 1.0, 2.0),
        case("a batch of two, eps=0.05", 2, 4, eps=0.05),
        case("x (16, 3) with large values, eps=1e-3", 16, 3, 100.0, 30.0, eps=1e-3),
        case("a column constant in the batch", 6, 4, const=2),
        case("a single feature, 10 samples", 10, 1),
    ]


def _bnb_run(objects, case, call):
    from course.checks.reference import get_ref, strict_precision

    fwd, bwd = objects
    x, gamma, beta, dout, eps = _bnb_settings(case)
    D = x.shape[1]
    state = {"running_mean": np.zeros(D), "running_var": np.ones(D)}
    kw = {"eps": eps} if "eps" in case.kwargs else {}
    result = call(fwd, x, gamma, beta, state, what="batchnorm_forward", names=_BN_NAMES,
                  mutable=("bn_state",), training=True, **kw)
    out, cache = _pair(result, "batchnorm_forward")
    out = _array(out, "`out` of batchnorm_forward", x.shape)
    ref = get_ref()
    with strict_precision(), _one_thread():
        expected = ref.np(ref.F.batch_norm(ref.t(x), ref.t(np.zeros(D)), ref.t(np.ones(D)), ref.t(gamma),
                                           ref.t(beta), training=True, eps=eps))
    if not cmp.close(out, expected, cmp.tolerance_for(out)):
        raise StudentError("batchnorm_forward does not give the right `out` for this case yet: make "
                           "check(\"batchnorm_forward\", batchnorm_forward) pass first.")
    grads = call(bwd, dout, cache, what="batchnorm_backward", names=["dout", "cache"])
    names = ("dx", "dgamma", "dbeta")
    return dict(zip(names, unpack(grads, "batchnorm_backward", names)))


register(Exercise(
    name="batchnorm_backward",
    lesson=LESSON,
    signature="batchnorm_forward, batchnorm_backward",
    objects=("batchnorm_forward", "batchnorm_backward"),
    cases=_bnb_cases,
    reference=_bnb_ref,
    outputs=(Output("dx"), Output("dgamma"), Output("dbeta")),
    run=_bnb_run,
    mistakes=_bnb_mistakes(),
    hint=("with x_hat = (x − mean)/std and std = sqrt(var + eps): dbeta = sum(dout, axis=0), "
          "dgamma = sum(dout·x_hat, axis=0), dx = gamma/std·(dout − mean(dout) − x_hat·mean(dout·x_hat)), "
          "means over the batch axis. Keep what you need (x_hat, std, gamma) in the cache."),
))


# =========================================================================== dropout forward
_DROP_NAMES = ["x", "p", "training", "rng"]


def _binomial_interval(p, n, sigmas=5.0):
    """Where the dropped fraction of n independent units lies, but for a 5-sigma fluke."""
    half = sigmas * np.sqrt(p * (1 - p) / n)
    return Interval(np.asarray(max(p - half, 0.0)), np.asarray(min(p + half, 1.0)))


def _no_zeros(x):
    return np.where(x == 0, 1.0, x)


def _drop_cases(rng):
    def case(label, shape, p, training, seed):
        x = _no_zeros(rng.normal(size=shape))
        return Case(label, (x, p, training), data={"seed": seed}, arg_names=_DROP_NAMES[:3])

    seed = int(rng.integers(1000))
    return [
        case("p=0.2 on a (100, 200) input, training", (100, 200), 0.2, True, seed),
        case("p=0.5 on a (64, 128) input, training", (64, 128), 0.5, True, seed + 1),
        case("p=0.75 on a (50, 40, 10) input, training", (50, 40, 10), 0.75, True, seed + 2),
        case("p=0.1 on a small (4, 6) input, training", (4, 6), 0.1, True, seed + 3),
        case("p=0: nothing is dropped", (20, 30), 0.0, True, seed + 4),
        case("evaluation mode (training=False), p=0.3", (40, 50), 0.3, False, seed + 5),
        case("evaluation mode (training=False), p=0.8", (10, 10), 0.8, False, seed + 6),
    ]


def _drop_ref(case, ref):
    x, p, training = case.args
    if not training:
        out = ref.F.dropout(ref.t(x), p=p, training=False)
        return {"out": out, "drop_fraction": Interval(np.asarray(0.0), np.asarray(0.0))}
    if p == 0:
        return {"out": ref.F.dropout(ref.t(x), p=0.0, training=True),
                "drop_fraction": Interval(np.asarray(0.0), np.asarray(0.0))}
    # The expected output depends on the mask the student's code drew from `rng` (recorded by the run):
    # torch's x * mask / (1 - p) for that mask.
    return {"out": _masked(x, case.data["mask"], p), "drop_fraction": _binomial_interval(p, x.size)}


def _masked(x, kept, p, dout=None):
    """torch's x * mask / (1 - p) with the student's mask; with ``dout``, its gradient by autograd."""
    from course.checks.reference import get_ref, strict_precision

    ref = get_ref()
    with strict_precision(), _one_thread():
        X = ref.t(x, grad=True)
        out = X * ref.t(kept) / (1 - p)
        if dout is None:
            return ref.np(out)
        out.backward(ref.t(dout))
        return ref.np(X.grad)


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
    p = float(dropped.mean())
    if not 0 < p < 1:
        return None
    for axis in {0, kept.ndim - 1}:
        others = tuple(a for a in range(kept.ndim) if a != axis)
        counts = dropped.sum(axis=others).astype(float)
        L, S = counts.size, kept.size // counts.size
        if L < 2:
            continue
        stat = float(np.sum((counts - S * p) ** 2) / (S * p * (1 - p)))
        if stat > L + 10 * np.sqrt(2 * L) + 25:
            where = "samples (rows)" if axis == 0 else "features (the last axis)"
            return ("the dropped units are not drawn independently: the number dropped varies between "
                    f"{where} far more than independent draws allow (a mask shared by all samples, one draw "
                    "per row, or dropped units in a block?). Draw one random number per entry, "
                    "rng.random(x.shape).")
    return None


def _drop_call(fwd, case, x, p, training, seed, call):
    result = call(fwd, x, p, training, np.random.default_rng(seed), what="dropout_forward", names=_DROP_NAMES)
    out, cache = _pair(result, "dropout_forward")
    return _array(out, "`out` of dropout_forward", x.shape), cache


def _drop_run(objects, case, call):
    fwd = objects[0]
    x, p, training = case.args
    seed = case.data["seed"]
    out, _ = _drop_call(fwd, case, x, p, training, seed, call)
    kept = out != 0
    case.data["mask"] = kept
    if training:
        if 0 < p:
            again, _ = _drop_call(fwd, case, x, p, training, seed, call)
            if not np.array_equal(again != 0, kept):
                raise StudentError("two calls with np.random.default_rng(" + str(seed) + ") dropped different "
                                   "units: draw the mask from the `rng` argument (e.g. rng.random(x.shape)), "
                                   "not from np.random or a new generator.")
            other, _ = _drop_call(fwd, case, x, p, training, seed + 7919, call)
            if x.size >= 50 and np.array_equal(other != 0, kept):
                raise StudentError("generators with different seeds gave the same mask: draw the mask from "
                                   "the `rng` argument, without reseeding anything.")
            problem = _dependence_problem(kept, p)
            if problem:
                raise StudentError(problem)
    return {"out": out, "drop_fraction": np.float64(1.0 - kept.mean())}


def _drop_mistake(scale, drop, in_eval=False):
    """The output a wrong version gives with the student's own mask; ``drop`` the fraction it drops."""
    def outputs(case, ref):
        x, p, training = case.args
        mask = ref.t(case.data["mask"])
        n = x.size
        if training or in_eval:
            return {"out": ref.t(x) * mask * scale(p), "drop_fraction": _binomial_interval(drop(p), n)}
        return None
    return _quick(outputs)


def _train_not_half(case):
    return case.args[2] and case.args[1] not in (0.0, 0.5)


def _is_training(case):
    return bool(case.args[2]) and case.args[1] > 0


def _is_eval(case):
    return not case.args[2]


register(Exercise(
    name="dropout_forward",
    lesson=LESSON,
    signature="dropout_forward(x, p, training, rng)",
    cases=_drop_cases,
    reference=_drop_ref,
    reference_after_run=True,
    outputs=(Output("out"), Output("drop_fraction", scalar=True)),
    run=_drop_run,
    mistakes=(
        Mistake("the kept units are not scaled: inverted dropout divides them by (1 − p) during training, "
                "so that evaluation can use x unchanged.",
                _drop_mistake(lambda p: 1.0, lambda p: p), applies=_is_training),
        Mistake("the kept units are multiplied by (1 − p); inverted dropout divides them by (1 − p).",
                _drop_mistake(lambda p: 1 - p, lambda p: p), applies=_is_training),
        Mistake("p is the probability of DROPPING a unit, not of keeping it: keep where rng.random(x.shape) "
                ">= p and scale the kept units by 1/(1 − p).",
                _drop_mistake(lambda p: 1 / p, lambda p: 1 - p), applies=_train_not_half),
        Mistake("p is the probability of DROPPING a unit, not of keeping it: your mask keeps a fraction p; "
                "keep where rng.random(x.shape) >= p.",
                _drop_mistake(lambda p: 1 / (1 - p), lambda p: 1 - p), applies=_train_not_half),
        Mistake("p is the probability of DROPPING a unit: your mask keeps a fraction p and the kept units "
                "are not scaled; keep where rng.random(x.shape) >= p and divide the kept units by (1 − p).",
                _drop_mistake(lambda p: 1.0, lambda p: 1 - p), applies=_train_not_half),
        Mistake("dropout is applied in evaluation mode: with training=False return x unchanged.",
                _drop_mistake(lambda p: 1 / (1 - p), lambda p: p, in_eval=True), applies=_is_eval),
        Mistake("dropout is applied in evaluation mode: with training=False return x unchanged.",
                _drop_mistake(lambda p: 1.0, lambda p: p, in_eval=True), applies=_is_eval),
        Mistake("with training=False inverted dropout returns x unchanged: the scaling by 1/(1 − p) already "
                "happened during training, so do not multiply by (1 − p) here.",
                lambda case, ref: {"out": ref.t(case.args[0]) * (1 - case.args[1])}, applies=_is_eval),
    ),
    hint=("during training keep each unit with probability 1 − p (mask = rng.random(x.shape) >= p) and return "
          "x * mask / (1 − p); with training=False return x unchanged. `drop_fraction` is the fraction of "
          "entries your output sets to 0; with p = 0 nothing is dropped."),
))


# =========================================================================== dropout backward
def _dropb_cases(rng):
    def case(label, shape, p, seed):
        x = _no_zeros(rng.normal(size=shape))
        dout = _no_zeros(rng.normal(size=shape))
        return Case(label, (x, p, dout), data={"seed": seed}, arg_names=["x", "p", "dout"])

    seed = int(rng.integers(1000))
    return [
        case("p=0.3, (20, 30)", (20, 30), 0.3, seed),
        case("p=0.5, (8, 16)", (8, 16), 0.5, seed + 1),
        case("p=0.8, (6, 5, 4)", (6, 5, 4), 0.8, seed + 2),
        case("p=0: nothing dropped", (5, 7), 0.0, seed + 3),
    ]


def _dropb_ref(case, ref):
    # Torch autograd through x * mask / (1 - p), the mask being the one the student's forward drew.
    x, p, dout = case.args
    return {"dx": _masked(x, case.data["mask"], p, dout)}


def _dropb_run(objects, case, call):
    fwd, bwd = objects
    x, p, dout = case.args
    out, cache = _drop_call(fwd, case, x, p, True, case.data["seed"], call)
    kept = out != 0
    with np.errstate(all="ignore"):
        right = cmp.close(out, x * kept / (1 - p), cmp.tolerance_for(out)) and \
            (p > 0 or kept.all()) and abs((1 - kept.mean()) - p) <= 5 * np.sqrt(p * (1 - p) / x.size) + 1e-12 \
            and _dependence_problem(kept, p) is None
    if not right:
        raise StudentError("dropout_forward does not give a right `out` for this case yet: make "
                           "check(\"dropout_forward\", dropout_forward) pass first.")
    case.data["mask"] = kept
    dx = call(bwd, dout, cache, what="dropout_backward", names=["dout", "cache"])
    if isinstance(dx, np.ndarray) and dx.shape == x.shape:
        case.data["backward_mask"] = dx != 0
    return {"dx": dx}


def _dropb_mistake(fn):
    def outputs(case, ref):
        x, p, dout = case.args
        return {"dx": fn(ref.t(dout), ref.t(case.data["mask"]), p, case, ref)}
    return _quick(outputs)


def _new_mask(case):
    m = case.data.get("backward_mask")
    return m is not None and "mask" in case.data and not np.array_equal(m, case.data["mask"])


register(Exercise(
    name="dropout_backward",
    lesson=LESSON,
    signature="dropout_forward, dropout_backward",
    objects=("dropout_forward", "dropout_backward"),
    cases=_dropb_cases,
    reference=_dropb_ref,
    reference_after_run=True,
    outputs=(Output("dx"),),
    run=_dropb_run,
    mistakes=(
        Mistake("dx is missing the scale: the forward divided the kept units by (1 − p), so dx = dout * mask "
                "/ (1 − p).", _dropb_mistake(lambda d, m, p, case, ref: d * m)),
        Mistake("dx is multiplied by (1 − p); it should be divided: dx = dout * mask / (1 − p).",
                _dropb_mistake(lambda d, m, p, case, ref: d * m * (1 - p))),
        Mistake("dx is divided by p; the forward kept units with probability 1 − p: dx = dout * mask / (1 − p).",
                _dropb_mistake(lambda d, m, p, case, ref: d * m / p)),
        Mistake("dx ignores the mask: units dropped in the forward pass get no gradient, dx = dout * mask "
                "/ (1 − p).", _dropb_mistake(lambda d, m, p, case, ref: d / (1 - p))),
        Mistake("dx = dout passes the gradient straight through: multiply by the forward's mask and divide by "
                "(1 − p).", _dropb_mistake(lambda d, m, p, case, ref: d)),
        Mistake("dx must be multiplied by dout: dx = dout * mask / (1 − p), not the mask alone.",
                _dropb_mistake(lambda d, m, p, case, ref: m / (1 - p))),
        Mistake("dx must go through the same mask as the forward pass: keep the mask in the cache instead of "
                "drawing a new one in the backward pass.",
                _dropb_mistake(lambda d, m, p, case, ref: d * ref.t(case.data["backward_mask"]) / (1 - p)),
                applies=_new_mask),
    ),
    hint="dx = dout * mask / (1 − p) with the mask and p of the forward pass, kept in the cache.",
))
