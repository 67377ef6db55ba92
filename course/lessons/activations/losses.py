"""Lesson 03 exercise specs: ``softmax`` and ``cross_entropy``.

References: ``F.softmax(z, dim=1)``; ``F.cross_entropy`` (the mean over the batch) and its gradient by
autograd. Both are graded on logits in the thousands, where an unshifted ``np.exp`` gives inf/inf = nan
and ``np.log`` of an underflowed probability gives -inf.
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, register

from .lecture import LECTURE_OUTPUTS, SIX_CLASS, SIX_OUTPUTS


# --------------------------------------------------------------------------- softmax
def _softmax_cases(rng):
    mixed = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -999.0, -1001.0], [0.5, -0.5, 0.0]])
    return [
        Case("the lecture's network output [0.62, 0.83] and a row of zeros",
             {"z": np.array([LECTURE_OUTPUTS[0], [0.0, 0.0]])}),
        Case("random logits (5, 3)", {"z": rng.normal(size=(5, 3))}),
        Case("a square (4, 4) batch", {"z": rng.normal(size=(4, 4))}),
        Case("logits in the thousands", {"z": rng.normal(scale=1000.0, size=(6, 4))}),
        Case("one row in the thousands, one around -1000", {"z": mixed}),
        Case("a batch of one, 10 classes", {"z": rng.normal(scale=3.0, size=(1, 10))}),
        Case("a (3, 1) batch: one class", {"z": rng.normal(size=(3, 1))}),
    ]


def _exp_shifted(ref, z):
    return ref.torch.exp(z - z.max(dim=1, keepdim=True).values)


def _square(z):
    return z.shape[0] == z.shape[1]


register(Exercise(
    name="softmax",
    signature="softmax(z)",
    cases=_softmax_cases,
    reference=lambda ref, z: ref.F.softmax(z, dim=1),
    outputs=(Output("probs"),),
    mistakes=(
        Mistake("wrong_axis", "softmax over the wrong axis: each ROW (one sample) must sum to 1, so reduce with axis=1 "
                "(keepdims=True).", lambda ref, z: ref.F.softmax(z, dim=0)),
        Mistake("no_max_shift", "e^z overflows for large logits (e^1000 = inf, inf/inf = nan): subtract each row's "
                "maximum first, m = max(z), softmax(z) = e^{z-m}/\u03a3e^{z-m}.",
                lambda ref, z: ref.torch.exp(z) / ref.torch.exp(z).sum(dim=1, keepdim=True)),
        Mistake("global_max_shift", "you subtracted the maximum of the whole array; a row far below it underflows to "
                "0/0. Subtract each row's own maximum: z.max(axis=1, keepdims=True).",
                lambda ref, z: ref.torch.exp(z - z.max()) / ref.torch.exp(z - z.max()).sum(dim=1, keepdim=True)),
        Mistake("max_without_keepdims", "the row maximum is broadcast along the wrong axis: use "
                "z.max(axis=1, keepdims=True) so that it has shape (N, 1).",
                lambda ref, z: ref.F.softmax(z - z.max(dim=1).values[None, :], dim=1), when=_square),
        Mistake("sum_without_keepdims", "the row sums are broadcast along the wrong axis: use "
                ".sum(axis=1, keepdims=True) so that they have shape (N, 1).",
                lambda ref, z: _exp_shifted(ref, z) / _exp_shifted(ref, z).sum(dim=1)[None, :], when=_square),
        Mistake("batch_sum", "you normalized by the sum over the whole batch; each row must be divided by its own sum.",
                lambda ref, z: _exp_shifted(ref, z) / _exp_shifted(ref, z).sum()),
        Mistake("not_normalized", "you returned e^{z - max}: divide by the row sums so that each row adds up to 1.",
                _exp_shifted),
    ),
    hint=("for each row: subtract its maximum, exponentiate, divide by the row's sum "
          "(axis=1, keepdims=True). The result has the shape of z and every row sums to 1."),
    points=2,
))


# --------------------------------------------------------------------------- cross-entropy
def _ce_cases(rng):
    def labels(n, c, dtype=np.int64):
        return rng.integers(0, c, size=n).astype(dtype)

    # The lecture's "this is a 6": the logarithms of its outputs as logits.
    six = np.log(SIX_OUTPUTS)[None, :]
    big = rng.normal(scale=1000.0, size=(5, 4))
    y_big = np.argsort(big, axis=1)[:, 0]  # the smallest logit is the answer: -log p is huge
    return [
        Case("the lecture's 'this is a 6' (a batch of one)", {"logits": six, "y": np.array([SIX_CLASS])}),
        Case("random logits (6, 4), int64 labels", {"logits": rng.normal(size=(6, 4)), "y": labels(6, 4)}),
        Case("a (8, 3) batch, int32 labels", {"logits": rng.normal(scale=2.0, size=(8, 3)), "y": labels(8, 3, np.int32)}),
        Case("logits in the thousands, the answer is each row's smallest logit", {"logits": big, "y": y_big}),
        Case("logits in the thousands, uint8 labels",
             {"logits": rng.normal(scale=1000.0, size=(4, 3)), "y": labels(4, 3, np.uint8)}),
        Case("two classes, int16 labels", {"logits": rng.normal(size=(5, 2)), "y": labels(5, 2, np.int16)}),
        Case("a square (4, 4) batch", {"logits": rng.normal(size=(4, 4)), "y": np.array([3, 0, 1, 3])}),
    ]


def _ce_reference(ref, logits, y):
    z = logits.detach().clone().requires_grad_(True)
    loss = ref.F.cross_entropy(z, y)
    (dz,) = ref.torch.autograd.grad(loss, z)
    return {"loss": loss.detach(), "dlogits": dz}


def _onehot(ref, logits, y):
    return ref.F.one_hot(y, logits.shape[1]).to(logits.dtype)


def _true_class(values, y):
    """values[i, y_i] for every row i."""
    return values.gather(1, y[:, None]).squeeze(1)


def _unshifted(ref, z):
    return ref.torch.exp(z) / ref.torch.exp(z).sum(1, keepdim=True)


def _mean_nll(ref, logp, y):
    return -_true_class(logp, y).mean()


_NO_SHIFT = ("e^logits overflows for large logits (e^1000 = inf, inf/inf = nan): subtract each row's maximum before "
             "exponentiating (log-sum-exp).")
_EVERY_CLASS = ("you took -log p of EVERY class; the loss uses only the true class's log-probability in each row: "
                "logp[np.arange(N), y] (or onehot\u00b7logp), then the mean over the N samples.")
_LOG_OF_SOFTMAX = ("log(softmax) of a tiny probability underflows to log(0) = -inf (and 0\u00b7(-inf) = nan in "
                   "onehot\u00b7log p) for large logits: compute log-probabilities directly, "
                   "log p = z - m - log \u03a3 e^{z-m} (log-sum-exp).")
_CLIPPED = ("you clipped the probability before the log (log(p + eps) or np.clip(p, eps, 1)): for large logits the true "
            "class's probability underflows to 0 and the clip caps the loss at -log(eps), far below the real loss. "
            "Compute log-probabilities directly: log p = z - m - log \u03a3 e^{z-m} (log-sum-exp).")
#: The usual choices of eps in log(p + eps) and np.clip(p, eps, 1).
CLIP_EPSILONS = (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-12, 1e-15, 1e-16, 1e-20, 1e-30, 1e-100, 1e-300,
                 float(np.finfo(np.float64).eps), float(np.finfo(np.float32).eps), float(np.finfo(np.float64).tiny))


def _clipped_loss(eps, clip):
    """The loss of log(p + eps) (clip False) or log(np.clip(p, eps, 1)) (clip True): right but for large logits."""
    def wrong(ref, logits, y):
        p_true = _true_class(ref.F.softmax(logits, dim=1), y)
        return {"loss": -ref.torch.log(p_true.clamp(min=eps) if clip else p_true + eps).mean()}
    return wrong


register(Exercise(
    name="cross_entropy",
    signature="cross_entropy(logits, y)",
    cases=_ce_cases,
    reference=_ce_reference,
    outputs=(Output("loss", scalar=True), Output("dlogits")),
    mistakes=(
        Mistake("softmax_twice", "you applied softmax twice: F.cross_entropy takes LOGITS and applies the (log-)softmax "
                "itself; pass the logits, not probabilities.",
                lambda ref, logits, y: {"loss": _mean_nll(ref, ref.F.log_softmax(ref.F.softmax(logits, 1), 1), y)}),
        Mistake("softmax_twice_in_gradient", "you applied softmax twice in the gradient: dlogits = "
                "(softmax(logits) - onehot)/N.", lambda ref, logits, y: {
                    "dlogits": (ref.F.softmax(ref.F.softmax(logits, 1), 1) - _onehot(ref, logits, y)) / len(y)}),
        Mistake("summed_loss", "the loss is the MEAN over the batch: divide the summed -log p by N.",
                lambda ref, logits, y: {"loss": -_true_class(ref.F.log_softmax(logits, 1), y).sum()}),
        Mistake("gradient_without_n", "dlogits is missing the 1/N: the loss is a mean over the batch, so its gradient is "
                "(softmax - onehot)/N.",
                lambda ref, logits, y: {"dlogits": ref.F.softmax(logits, 1) - _onehot(ref, logits, y)}),
        Mistake("mean_over_classes", "you averaged over the classes too (N\u00b7C terms); average over the N samples only.",
                lambda ref, logits, y: {"loss": -_true_class(ref.F.log_softmax(logits, 1), y).sum() / logits.numel()}),
        Mistake("gradient_without_onehot", "dlogits must subtract the one-hot target: (softmax(logits) - onehot)/N.",
                lambda ref, logits, y: {"dlogits": ref.F.softmax(logits, 1) / len(y)}),
        Mistake("gradient_sign", "dlogits has the wrong sign: it is (softmax - onehot)/N, prediction minus target.",
                lambda ref, logits, y: {"dlogits": (_onehot(ref, logits, y) - ref.F.softmax(logits, 1)) / len(y)}),
        Mistake("loss_wrong_axis", "the softmax inside the loss is taken over the wrong axis: each row (sample) is one "
                "distribution, axis=1.", lambda ref, logits, y: {"loss": _mean_nll(ref, ref.F.log_softmax(logits, 0), y)}),
        Mistake("gradient_wrong_axis", "the softmax in dlogits is taken over the wrong axis: normalize each row, axis=1.",
                lambda ref, logits, y: {"dlogits": (ref.F.softmax(logits, 0) - _onehot(ref, logits, y)) / len(y)}),
        Mistake("no_max_shift", _NO_SHIFT, lambda ref, logits, y: {
            "loss": -(_onehot(ref, logits, y) * ref.torch.log(_unshifted(ref, logits))).sum() / len(y),
            "dlogits": (_unshifted(ref, logits) - _onehot(ref, logits, y)) / len(y)}),
        Mistake("no_max_shift", _NO_SHIFT, lambda ref, logits, y: {
            "loss": _mean_nll(ref, ref.torch.log(_unshifted(ref, logits)), y),
            "dlogits": (_unshifted(ref, logits) - _onehot(ref, logits, y)) / len(y)}),
        Mistake("no_max_shift", _NO_SHIFT.split(" (e^1000")[0] + ": subtract each row's maximum before exponentiating.",
                lambda ref, logits, y: {"dlogits": (_unshifted(ref, logits) - _onehot(ref, logits, y)) / len(y)}),
        Mistake("log_of_softmax", _LOG_OF_SOFTMAX, lambda ref, logits, y: {
            "loss": -(_onehot(ref, logits, y) * ref.torch.log(ref.F.softmax(logits, 1))).sum() / len(y)}),
        Mistake("block_index", "you indexed the probabilities with p[:, y] (an N\u00d7N block); pick one entry per row "
                "with p[np.arange(N), y].",
                lambda ref, logits, y: {"loss": -ref.F.log_softmax(logits, 1)[:, y].mean()}),
        Mistake("every_class", _EVERY_CLASS, lambda ref, logits: {"loss": -ref.F.log_softmax(logits, 1).mean()}),
        Mistake("every_class", _EVERY_CLASS,
                lambda ref, logits: {"loss": -ref.F.log_softmax(logits, 1).sum() / logits.shape[0]}),
        *(Mistake("clipped_log", _CLIPPED, _clipped_loss(eps, clip)) for eps in CLIP_EPSILONS for clip in (False, True)),
    ),
    hint=("loss = mean over the batch of -log softmax(logits)[i, y_i], computed stably as "
          "-(z_y - m - log \u03a3 e^{z-m}) with m the row's maximum (np.log of a softmax probability can "
          "underflow to log(0) = -inf for large logits); dlogits = (softmax(logits) - onehot(y)) / N."),
    points=3,
))
