"""Lesson 05 graders: right implementations of batch norm and dropout pass (vectorized, loops, float32,
other valid conventions), wrong ones fail with the hint a student should see."""
import types

import numpy as np
import pytest

from checkhelpers import assert_fails, assert_passes


# =========================================================================== batchnorm_forward
def bn_forward(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
    if training:
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        n = x.shape[0]
        bn_state["running_mean"] = (1 - momentum) * bn_state["running_mean"] + momentum * mu
        bn_state["running_var"] = (1 - momentum) * bn_state["running_var"] + momentum * var * n / (n - 1)
    else:
        mu, var = bn_state["running_mean"], bn_state["running_var"]
    std = np.sqrt(var + eps)
    x_hat = (x - mu) / std
    return gamma * x_hat + beta, (x_hat, std, gamma)


def bn_forward_inplace(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
    """Updates the arrays themselves (`*=`, `+=`) and normalizes with running stats in eval."""
    if not training:
        out = gamma * (x - bn_state["running_mean"]) / np.sqrt(bn_state["running_var"] + eps) + beta
        return out, None
    mu = np.mean(x, axis=0)
    var = np.mean((x - mu) ** 2, axis=0)
    bn_state["running_mean"] *= 1 - momentum
    bn_state["running_mean"] += momentum * mu
    bn_state["running_var"] *= 1 - momentum
    bn_state["running_var"] += momentum * x.var(axis=0, ddof=1)
    x_hat = (x - mu) / np.sqrt(var + eps)
    return gamma * x_hat + beta, {"x_hat": x_hat, "var": var, "eps": eps, "gamma": gamma}


def bn_forward_loop(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
    N, D = x.shape
    out = np.zeros((N, D))
    rm, rv = bn_state["running_mean"].copy(), bn_state["running_var"].copy()
    for j in range(D):
        col = x[:, j]
        if training:
            m = sum(col) / N
            v = sum((c - m) ** 2 for c in col) / N
            rm[j] = (1 - momentum) * rm[j] + momentum * m
            rv[j] = (1 - momentum) * rv[j] + momentum * v * N / (N - 1)
        else:
            m, v = rm[j], rv[j]
        for i in range(N):
            out[i, j] = gamma[j] * (col[i] - m) / (v + eps) ** 0.5 + beta[j]
    bn_state["running_mean"], bn_state["running_var"] = rm, rv
    return out, None


def bn_forward_float32(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
    x = x.astype(np.float32)
    if training:
        mu, var = x.mean(0), x.var(0)
        bn_state["running_mean"] = ((1 - momentum) * bn_state["running_mean"] + momentum * mu).astype(np.float32)
        bn_state["running_var"] = ((1 - momentum) * bn_state["running_var"]
                                   + momentum * x.var(0, ddof=1)).astype(np.float32)
    else:
        mu, var = bn_state["running_mean"].astype(np.float32), bn_state["running_var"].astype(np.float32)
    x_hat = (x - mu) / np.sqrt(var + np.float32(eps))
    return (gamma.astype(np.float32) * x_hat + beta.astype(np.float32)).astype(np.float32), x_hat


@pytest.mark.parametrize("fn", [bn_forward, bn_forward_inplace, bn_forward_loop, bn_forward_float32])
def test_bn_forward_right(fn):
    assert_passes("batchnorm_forward", fn)


def _bn_wrong(biased_running=False, swap=False, norm_unbiased=False, eval_mode="running", new_dict=False,
              eps_outside=False, eval_no_eps=False, eval_no_affine=False, return_state=False):
    def fwd(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
        as_training = training or eval_mode == "train"
        rm, rv = bn_state["running_mean"], bn_state["running_var"]
        mu = x.mean(0)
        var_b = x.var(0)
        var_u = x.var(0, ddof=1) if len(x) > 1 else np.zeros_like(mu)
        if as_training or eval_mode == "batch":
            c, v = mu, (var_u if norm_unbiased else var_b)
        else:
            c, v = rm, rv
        if not as_training and eval_no_eps:
            x_hat = (x - c) / np.sqrt(v)
        elif eps_outside:
            x_hat = (x - c) / (np.sqrt(v) + eps)
        else:
            x_hat = (x - c) / np.sqrt(v + eps)
        out = x_hat if (not as_training and eval_no_affine) else gamma * x_hat + beta
        if as_training or eval_mode == "update":
            new_v = var_b if biased_running else var_u
            if swap:
                rm, rv = momentum * rm + (1 - momentum) * mu, momentum * rv + (1 - momentum) * new_v
            else:
                rm, rv = (1 - momentum) * rm + momentum * mu, (1 - momentum) * rv + momentum * new_v
            if new_dict:
                bn_state = {"running_mean": rm, "running_var": rv}
            else:
                bn_state["running_mean"], bn_state["running_var"] = rm, rv
        if return_state:
            return out, None, bn_state
        return out, None
    return fwd


@pytest.mark.parametrize("kwargs, hint, mistake", [
    (dict(new_dict=True), "bn_state is never updated", "no_update"),
    (dict(biased_running=True), "biased batch variance", "biased_running_var"),
    (dict(swap=True), "weights of the running average are swapped", "momentum_swapped"),
    (dict(swap=True, biased_running=True), "unbiased batch variance (divided by N − 1)", "momentum_swapped_biased_var"),
    (dict(norm_unbiased=True), "normalize with the unbiased variance", "normalized_unbiased"),
    (dict(norm_unbiased=True, biased_running=True), "other way round", "variances_swapped"),
    (dict(eval_mode="batch"), "batch's own statistics", "eval_batch_stats"),
    (dict(eval_mode="train"), "training=False is ignored", "training_ignored"),
    (dict(eval_mode="update"), "must not change bn_state", "eval_updates_state"),
    (dict(eps_outside=True), "inside the square root", "eps_outside_sqrt"),
    (dict(eval_no_eps=True), "eps is missing", "eval_no_eps"),
    (dict(eval_no_affine=True), "scale and shift", "eval_no_affine"),
    (dict(return_state=True), "update the running statistics inside", None),
])
def test_bn_forward_wrong(kwargs, hint, mistake):
    assert_fails("batchnorm_forward", _bn_wrong(**kwargs), hint=hint,
                 mistake=mistake and f"batchnorm_forward.{mistake}")


def test_bn_forward_other_failures():
    def no_return(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
        bn_forward(x, gamma, beta, bn_state, training, momentum, eps)

    def out_only(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
        return bn_forward(x, gamma, beta, bn_state, training, momentum, eps)[0]

    def row_norm(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
        """Normalizes each sample (axis=1) instead of each feature."""
        mu, var = x.mean(1, keepdims=True), x.var(1, keepdims=True)
        return gamma * (x - mu) / np.sqrt(var + eps) + beta, None

    def mutates_x(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
        out, cache = bn_forward(x, gamma, beta, bn_state, training, momentum, eps)
        x -= x.mean(0)
        return out, cache

    def stub(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
        raise NotImplementedError()

    assert_fails("batchnorm_forward", no_return, hint="returned None")
    assert_fails("batchnorm_forward", out_only, hint="two values")
    assert_fails("batchnorm_forward", row_norm)
    assert_fails("batchnorm_forward", mutates_x, hint="changed its input `x` in place")
    assert_fails("batchnorm_forward", stub, hint="NotImplementedError")


def test_bn_forward_lecture_code_fails():
    """The lecture's forward (no running statistics, no evaluation mode) is told what is missing."""
    def lecture(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
        sample_mean = x.mean(axis=0)
        sample_var = x.var(axis=0)
        std = np.sqrt(sample_var + eps)
        x_centered = x - sample_mean
        x_norm = x_centered / std
        return gamma * x_norm + beta, (x_norm, x_centered, std, gamma)

    assert_fails("batchnorm_forward", lecture, hint="bn_state is never updated", mistake="batchnorm_forward.no_update")


# =========================================================================== batchnorm_backward
def bn_backward_staged(dout, cache):
    """The lecture's equations, one by one."""
    x_hat, std, gamma = cache
    m = dout.shape[0]
    x_mu = x_hat * std
    dx_hat = dout * gamma
    dvar = np.sum(dx_hat * x_mu, axis=0) * -0.5 * std ** -3
    dmu = np.sum(-dx_hat / std, axis=0) + dvar * np.sum(-2 * x_mu, axis=0) / m
    dx = dx_hat / std + dvar * 2 * x_mu / m + dmu / m
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)


def bn_backward_simple(dout, cache):
    x_hat, std, gamma = cache
    N = dout.shape[0]
    dx = gamma / (N * std) * (N * dout - dout.sum(0) - x_hat * (dout * x_hat).sum(0))
    return dx, (dout * x_hat).sum(0), dout.sum(0)


def bn_backward_dict_cache(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    std = np.sqrt(var + eps)
    dx = gamma / std * (dout - dout.mean(0) - x_hat * (dout * x_hat).mean(0))
    return dx, (dout * x_hat).sum(0), dout.sum(0)


@pytest.mark.parametrize("fwd, bwd", [
    (bn_forward, bn_backward_staged),
    (bn_forward, bn_backward_simple),
    (bn_forward_inplace, bn_backward_dict_cache),
])
def test_bn_backward_right(fwd, bwd):
    assert_passes("batchnorm_backward", fwd, bwd)


def bn_forward_f32_cache(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
    out, (x_hat, std, g) = bn_forward(x.astype(np.float32), gamma.astype(np.float32), beta.astype(np.float32),
                                      bn_state, training, momentum, np.float32(eps))
    return out.astype(np.float32), (x_hat.astype(np.float32), std.astype(np.float32), g)


def test_bn_backward_float32_right():
    def bwd(dout, cache):
        dx, dg, db = bn_backward_simple(dout.astype(np.float32), cache)
        return dx.astype(np.float32), dg.astype(np.float32), db.astype(np.float32)

    assert_passes("batchnorm_backward", bn_forward_f32_cache, bwd)


def _bnb_wrong(kind):
    def bwd(dout, cache):
        x_hat, std, gamma = cache
        dx = gamma / std * (dout - dout.mean(0) - x_hat * (dout * x_hat).mean(0))
        dgamma, dbeta = (dout * x_hat).sum(0), dout.sum(0)
        if kind == "constants":
            dx = dout * gamma / std
        elif kind == "no_var":
            dx = gamma / std * (dout - dout.mean(0))
        elif kind == "no_mean":
            dx = gamma / std * (dout - x_hat * (dout * x_hat).mean(0))
        elif kind == "no_gamma":
            dx = 1 / std * (dout - dout.mean(0) - x_hat * (dout * x_hat).mean(0))
        elif kind == "dgamma_x":
            dgamma = (dout * (x_hat * std + 0)).sum(0)
        elif kind == "dgamma_mean":
            dgamma = (dout * x_hat).mean(0)
        elif kind == "dbeta_mean":
            dbeta = dout.mean(0)
        elif kind == "sum_all":
            dgamma, dbeta = (dout * x_hat).sum(), dout.sum()
        elif kind == "sign":
            dx = -dx
        return dx, dgamma, dbeta
    return bwd


def bn_forward_keeps_x(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
    out, (x_hat, std, g) = bn_forward(x, gamma, beta, bn_state, training, momentum, eps)
    return out, (x_hat, std, g, x)


def bwd_dgamma_with_x(dout, cache):
    x_hat, std, gamma, x = cache
    dx = gamma / std * (dout - dout.mean(0) - x_hat * (dout * x_hat).mean(0))
    return dx, (dout * x).sum(0), dout.sum(0)


@pytest.mark.parametrize("kind, hint, mistake", [
    ("constants", "treats the batch mean and variance as constants", "dx_stats_constant"),
    ("no_var", "path through the variance", "dx_no_variance_path"),
    ("no_mean", "path through the mean", "dx_no_mean_path"),
    ("no_gamma", "missing the factor gamma", "dx_no_gamma"),
    ("dgamma_mean", "dgamma is a sum", "dgamma_mean"),
    ("dbeta_mean", "dbeta is a sum", "dbeta_mean"),
    ("sum_all", "axis=0", "summed_over_all"),
    ("sign", "opposite sign", None),
])
def test_bn_backward_wrong(kind, hint, mistake):
    assert_fails("batchnorm_backward", bn_forward, _bnb_wrong(kind), hint=hint,
                 mistake=mistake and f"batchnorm_backward.{mistake}")


def test_bn_backward_other_failures():
    assert_fails("batchnorm_backward", bn_forward_keeps_x, bwd_dgamma_with_x, hint="instead of the normalized x_hat",
                 mistake="batchnorm_backward.dgamma_uses_x")
    assert_fails("batchnorm_backward", _bn_wrong(norm_unbiased=True), bn_backward_simple, hint="pass first")
    assert_fails("batchnorm_backward", bn_forward, lambda dout, cache: None, hint="returned None")
    assert_fails("batchnorm_backward", bn_forward, lambda dout, cache: bn_backward_simple(dout, cache)[0],
                 hint="three values")

    def hard_coded_eps(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
        out, (x_hat, std, g) = bn_forward(x, gamma, beta, bn_state, training, momentum, eps)
        return out, (x_hat, np.sqrt(std ** 2 - eps + 1e-5), g)

    assert_fails("batchnorm_backward", hard_coded_eps, bn_backward_simple)


# =========================================================================== dropout_forward
def drop_forward(x, p, training, rng):
    if not training:
        return x, None
    mask = rng.random(x.shape) >= p
    return x * mask / (1 - p), (mask, p)


def drop_forward_binomial(x, p, training, rng):
    if not training or p == 0:
        return x.copy(), (np.ones(x.shape), 1.0)
    mask = rng.binomial(1, 1 - p, size=x.shape) / (1 - p)
    return x * mask, (mask, None)


def drop_forward_uniform(x, p, training, rng):
    """Keeps where a uniform draw is below 1 - p; a float mask; the scale applied first."""
    if training:
        mask = (rng.uniform(size=x.shape) < 1 - p).astype(float)
        out = x / (1 - p) * mask
    else:
        mask = None
        out = np.array(x)
    return out, {"mask": mask, "p": p}


def drop_forward_float32(x, p, training, rng):
    x = x.astype(np.float32)
    if not training:
        return x, None
    mask = (rng.random(x.shape) >= p).astype(np.float32) / np.float32(1 - p)
    return x * mask, mask


def drop_forward_loop(x, p, training, rng):
    out = np.array(x, dtype=float)
    mask = np.ones(x.shape)
    if training:
        for idx in np.ndindex(x.shape):
            if rng.random() < p:
                mask[idx] = 0.0
                out[idx] = 0.0
            else:
                out[idx] = x[idx] / (1 - p)
    return out, (mask, p)


@pytest.mark.parametrize("fn", [drop_forward, drop_forward_binomial, drop_forward_uniform, drop_forward_float32,
                                drop_forward_loop])
def test_dropout_forward_right(fn):
    assert_passes("dropout_forward", fn)


def _drop_wrong(kind):
    def fwd(x, p, training, rng):
        if not training and kind not in ("in_eval", "in_eval_noscale", "eval_times"):
            return x, None
        if not training and kind == "eval_times":
            return x * (1 - p), None
        r = rng.random(x.shape)
        keep = r < p if kind.startswith("keep") else r >= p
        scale = {"noscale": 1.0, "times": 1 - p, "keep": 1 / p if p else 1.0, "keep_right_scale": 1 / (1 - p),
                 "keep_noscale": 1.0}.get(kind, 1 / (1 - p))
        if kind == "in_eval_noscale" and not training:
            scale = 1.0
        return x * keep * scale, keep
    return fwd


@pytest.mark.parametrize("kind, hint, mistake", [
    ("noscale", "not scaled", "not_scaled"),
    ("times", "multiplied by (1 − p)", "times_keep_prob"),
    ("keep", "probability of DROPPING", "p_is_keep_prob"),
    ("keep_right_scale", "your mask keeps a fraction p", "mask_keeps_p"),
    ("keep_noscale", "not scaled; keep where", "mask_keeps_p_not_scaled"),
    ("in_eval", "applied in evaluation mode", "applied_in_eval"),
    ("in_eval_noscale", "applied in evaluation mode", "applied_in_eval"),
    ("eval_times", "do not multiply by (1 − p)", "eval_times_keep_prob"),
])
def test_dropout_forward_wrong(kind, hint, mistake):
    assert_fails("dropout_forward", _drop_wrong(kind), hint=hint, mistake=f"dropout_forward.{mistake}")


def test_dropout_forward_rng_misuse():
    def global_random(x, p, training, rng):
        if not training:
            return x, None
        mask = np.random.rand(*x.shape) >= p
        return x * mask / (1 - p), mask

    def reseeded(x, p, training, rng):
        if not training:
            return x, None
        mask = np.random.default_rng(0).random(x.shape) >= p
        return x * mask / (1 - p), mask

    def fixed_fraction(x, p, training, rng):
        """Drops exactly round(p·n) units: a permutation from rng. Still valid inverted dropout?"""
        if not training:
            return x, None
        flat = np.ones(x.size)
        flat[rng.permutation(x.size)[:int(round(p * x.size))]] = 0
        return x * flat.reshape(x.shape) / (1 - p), flat

    assert_fails("dropout_forward", global_random, hint="draw the mask from the `rng` argument")
    assert_fails("dropout_forward", reseeded, hint="different seeds gave the same mask")
    assert_passes("dropout_forward", fixed_fraction)


def test_dropout_forward_other_failures():
    assert_fails("dropout_forward", lambda x, p, training, rng: drop_forward(x, p, training, rng)[0],
                 hint="two values")
    assert_fails("dropout_forward", lambda x, p, training, rng: (drop_forward(x, p, training, rng)[0].ravel(), None),
                 hint="shape")

    def mutates(x, p, training, rng):
        if training:
            x *= rng.random(x.shape) >= p
            x /= 1 - p
        return x, None

    assert_fails("dropout_forward", mutates, hint="changed its input `x` in place")


# =========================================================================== dropout_backward
def drop_backward(dout, cache):
    mask, p = cache
    return dout * mask / (1 - p)


def drop_backward_binomial(dout, cache):
    return dout * cache[0]


def drop_backward_uniform(dout, cache):
    return dout * cache["mask"] / (1 - cache["p"])


@pytest.mark.parametrize("fwd, bwd", [
    (drop_forward, drop_backward),
    (drop_forward_binomial, drop_backward_binomial),
    (drop_forward_uniform, drop_backward_uniform),
    (drop_forward_loop, drop_backward),
])
def test_dropout_backward_right(fwd, bwd):
    assert_passes("dropout_backward", fwd, bwd)


def test_dropout_backward_float32_right():
    assert_passes("dropout_backward", drop_forward_float32,
                  lambda dout, cache: dout.astype(np.float32) * cache)


def drop_forward_keeps_rng(x, p, training, rng):
    out, cache = drop_forward(x, p, training, rng)
    return out, (cache, rng, x.shape)


def backward_new_mask(dout, cache):
    (_, p), rng, shape = cache
    return dout * (rng.random(shape) >= p) / (1 - p)


@pytest.mark.parametrize("bwd, hint, mistake", [
    (lambda dout, cache: dout * cache[0], "missing the scale", "not_scaled"),
    (lambda dout, cache: dout * cache[0] * (1 - cache[1]), "multiplied by (1 − p)", "times_keep_prob"),
    (lambda dout, cache: dout * cache[0] / cache[1], "divided by p", "divided_by_p"),
    (lambda dout, cache: dout / (1 - cache[1]), "ignores the mask", "no_mask"),
    (lambda dout, cache: dout, "straight through", "straight_through"),
    (lambda dout, cache: cache[0] / (1 - cache[1]), "multiplied by dout", "no_dout"),
    (lambda dout, cache: None, "None", None),
])
def test_dropout_backward_wrong(bwd, hint, mistake):
    assert_fails("dropout_backward", drop_forward, bwd, hint=hint, mistake=mistake and f"dropout_backward.{mistake}")


def test_dropout_backward_new_mask():
    assert_fails("dropout_backward", drop_forward_keeps_rng, backward_new_mask, hint="same mask",
                 mistake="dropout_backward.new_mask")
    assert_fails("dropout_backward", _drop_wrong("noscale"), drop_backward, hint="pass first")


# =========================================================================== more conventions and mistakes
def bn_forward_keepdims_update(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
    """keepdims statistics, `dict.update`, an inverse standard deviation in the cache."""
    if training:
        mu = np.mean(x, axis=0, keepdims=True)
        var = np.mean((x - mu) ** 2, axis=0, keepdims=True)
        n = x.shape[0]
        bn_state.update(running_mean=(1 - momentum) * bn_state["running_mean"] + momentum * mu.ravel(),
                        running_var=(1 - momentum) * bn_state["running_var"] + momentum * var.ravel() * n / (n - 1))
    else:
        mu, var = bn_state["running_mean"][None], bn_state["running_var"][None]
    inv = 1 / np.sqrt(var + eps)
    return (x - mu) * inv * gamma + beta, {"inv": inv}


def bn_forward_slices(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
    """std**2 for the variance; running statistics written through [:] in the lerp form."""
    if training:
        mu, var = x.mean(0), x.std(0) ** 2
        rm, rv = bn_state["running_mean"], bn_state["running_var"]
        rm[:] = rm + momentum * (mu - rm)
        rv[:] = rv + momentum * (np.var(x, 0, ddof=1) - rv)
    else:
        mu, var = bn_state["running_mean"], bn_state["running_var"]
    return gamma * (x - mu) / np.sqrt(var + eps) + beta, None


@pytest.mark.parametrize("fn", [bn_forward_keepdims_update, bn_forward_slices])
def test_bn_forward_more_right(fn):
    assert_passes("batchnorm_forward", fn, seeds=range(6))


@pytest.mark.parametrize("eps", [1e-3, 1e-8])
def test_bn_forward_wrong_default_eps(eps):
    def fwd(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=eps):
        return bn_forward(x, gamma, beta, bn_state, training, momentum, eps)

    assert_fails("batchnorm_forward", fwd, hint="the default eps is 1e-5", mistake="batchnorm_forward.default_eps")


def test_bn_forward_wrong_default_momentum():
    def fwd(x, gamma, beta, bn_state, training=True, momentum=0.9, eps=1e-5):
        return bn_forward(x, gamma, beta, bn_state, training, momentum, eps)

    assert_fails("batchnorm_forward", fwd, hint="momentum=0.1 by default", mistake="batchnorm_forward.momentum_swapped")


def bn_forward_cache_x(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
    out, _ = bn_forward(x, gamma, beta, bn_state, training, momentum, eps)
    return out, (x, gamma, eps)


def bn_backward_graph(dout, cache):
    """The computational graph, node by node, from x kept in the cache."""
    x, gamma, eps = cache
    N, D = x.shape
    mu = np.sum(x, axis=0) / N
    xmu = x - mu
    var = np.sum(xmu ** 2, axis=0) / N
    sqrtvar = np.sqrt(var + eps)
    ivar = 1 / sqrtvar
    xhat = xmu * ivar
    dxhat = dout * gamma
    dxmu1 = dxhat * ivar
    dvar = 0.5 / sqrtvar * (-1 / sqrtvar ** 2) * np.sum(dxhat * xmu, axis=0)
    dxmu2 = 2 * xmu * np.ones((N, D)) * dvar / N
    dmu = -np.sum(dxmu1 + dxmu2, axis=0)
    return [dxmu1 + dxmu2 + np.ones((N, D)) * dmu / N, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)]


def test_bn_backward_graph_right():
    assert_passes("batchnorm_backward", bn_forward_cache_x, bn_backward_graph, seeds=range(6))


def test_bn_backward_swapped_outputs():
    def bwd(dout, cache):
        dx, dgamma, dbeta = bn_backward_graph(dout, cache)
        return dx, dbeta, dgamma

    assert_fails("batchnorm_backward", bn_forward_cache_x, bwd, hint="dgamma and dbeta are swapped",
                 mistake="batchnorm_backward.dgamma_dbeta_swapped")


def test_bn_backward_eps_forgotten():
    assert_fails("batchnorm_backward", bn_forward_cache_x, lambda dout, cache: bn_backward_graph(
        dout, (cache[0], cache[1], 0.0)))


def drop_forward_choice(x, p, training, rng):
    if not training:
        return x.copy(), None
    mask = rng.choice([0.0, 1.0], size=x.shape, p=[p, 1 - p])
    return x * mask / (1 - p), mask


def drop_forward_where(x, p, training, rng):
    if training is False:
        return x, None
    keep = rng.uniform(0, 1, x.shape) < 1 - p
    return np.where(keep, x / (1 - p), 0.0), keep


def drop_forward_dropped_mask(x, p, training, rng):
    """A mask of the DROPPED units, drawn with binomial(1, p)."""
    if not training:
        return x, None
    dropped = rng.binomial(1, p, x.shape)
    return x * (1 - dropped) / (1 - p), (dropped, p)


@pytest.mark.parametrize("fn", [drop_forward_choice, drop_forward_where, drop_forward_dropped_mask])
def test_dropout_forward_more_right(fn):
    assert_passes("dropout_forward", fn, seeds=range(6))


def test_dropout_backward_dropped_mask_right():
    assert_passes("dropout_backward", drop_forward_dropped_mask,
                  lambda dout, cache: dout * (1 - cache[0]) / (1 - cache[1]), seeds=range(6))


def _drop_structured(kind):
    def fwd(x, p, training, rng):
        if not training:
            return x, None
        if kind == "shared":            # one mask for every sample
            mask = rng.random(x.shape[1:]) >= p
        elif kind == "per_sample":      # one draw per sample
            mask = rng.random((x.shape[0],) + (1,) * (x.ndim - 1)) >= p
        elif kind == "last_axis":       # one draw per feature
            mask = rng.random(x.shape[-1]) >= p
        else:                           # the right draws, sorted: dropped units in one block
            mask = (np.sort(rng.random(x.size)) >= p).reshape(x.shape)
        return x * mask / (1 - p), (mask, p)
    return fwd


@pytest.mark.parametrize("kind", ["shared", "per_sample", "last_axis", "block"])
def test_dropout_forward_not_independent(kind):
    # a shared mask drops about the right fraction; it used to slip through for some seeds
    for seed in range(12):  # assert_fails stops at its first seed
        assert_fails("dropout_forward", _drop_structured(kind), hint="not drawn independently", seeds=(seed,))


@pytest.mark.parametrize("kind", ["shared", "per_sample"])
def test_dropout_backward_not_independent(kind):
    for seed in range(12):
        assert_fails("dropout_backward", _drop_structured(kind), drop_backward, hint="pass first", seeds=(seed,))


# =========================================================================== caches of any kind
class BatchNormLayer:
    """A layer object as its own cache, the way some from-scratch libraries keep it."""

    def __init__(self, x_hat, std, gamma):
        self.x_hat, self.std, self.gamma = x_hat, std, gamma

    def backward(self, dout):
        N = dout.shape[0]
        dx = self.gamma / (N * self.std) * (N * dout - dout.sum(0) - self.x_hat * (dout * self.x_hat).sum(0))
        return dx, (dout * self.x_hat).sum(0), dout.sum(0)


def bn_forward_object_cache(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
    out, (x_hat, std, g) = bn_forward(x, gamma, beta, bn_state, training, momentum, eps)
    return out, BatchNormLayer(x_hat, std, g)


def bn_forward_namespace_cache(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
    out, (x_hat, std, g) = bn_forward(x, gamma, beta, bn_state, training, momentum, eps)
    return out, types.SimpleNamespace(x_hat=x_hat, std=std, gamma=g)


def bn_forward_scalar_cache(x, gamma, beta, bn_state, training=True, momentum=0.1, eps=1e-5):
    """A tuple with a float scalar in it: the batch size and eps as Python floats."""
    out, _ = bn_forward(x, gamma, beta, bn_state, training, momentum, eps)
    return out, (x, gamma, float(x.shape[0]), float(eps))


def bn_backward_scalar_cache(dout, cache):
    x, gamma, n, eps = cache
    std = np.sqrt(((x - x.mean(0)) ** 2).sum(0) / n + eps)
    x_hat = (x - x.mean(0)) / std
    dx = gamma / (n * std) * (n * dout - dout.sum(0) - x_hat * (dout * x_hat).sum(0))
    return dx, (dout * x_hat).sum(0), dout.sum(0)


@pytest.mark.parametrize("fwd, bwd", [
    (bn_forward_object_cache, lambda dout, cache: cache.backward(dout)),
    (bn_forward_namespace_cache, lambda dout, cache: bn_backward_simple(dout, (cache.x_hat, cache.std, cache.gamma))),
    (bn_forward_scalar_cache, bn_backward_scalar_cache),
])
def test_bn_backward_any_cache_right(fwd, bwd):
    assert_passes("batchnorm_backward", fwd, bwd)


def test_bn_forward_with_cache_objects_right():
    for fwd in (bn_forward_object_cache, bn_forward_namespace_cache, bn_forward_scalar_cache):
        assert_passes("batchnorm_forward", fwd)


def test_bn_backward_mutated_namespace_cache_fails():
    def bwd(dout, cache):
        cache.x_hat = cache.x_hat * 1.0 + 0.0
        cache.std *= 1.0
        cache.gamma = None
        return bn_backward_simple(dout, (cache.x_hat, cache.std, 1.0))

    assert_fails("batchnorm_backward", bn_forward_namespace_cache, bwd, hint="in place")
