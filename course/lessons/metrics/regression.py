"""Exercise spec of lesson 07, regression: ``regression_metrics`` (MAE, MSE and RMSE in a dict).

The reference is torch's ``l1_loss`` and ``mse_loss``. The student's function returns a dict; the
check reads its three keys (a :class:`~course.checks.kinds.Training` kind with an outcome that only
reads the result) and compares each with the reference.
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, StudentError, register
from course.checks.kinds import Training

#: The keys of the dict ``regression_metrics`` returns.
REG_KEYS = ("mae", "mse", "rmse")


def _reference(ref, y_true, y_pred):
    F = ref.F
    y, p = y_true.double(), y_pred.double()
    mse = F.mse_loss(p, y)
    return {"mae": F.l1_loss(p, y), "mse": mse, "rmse": ref.torch.sqrt(mse)}


def _cases(rng):
    y = rng.normal(20, 8, size=50)
    y_out = rng.normal(0, 1, size=20)
    p_out = y_out + rng.normal(0, 0.3, size=20)
    p_out[7] += 25.0
    big = rng.normal(3e5, 1e5, size=30)
    return [
        Case("a small hand example", {"y_true": np.array([3.0, -0.5, 2.0, 7.0]),
                                      "y_pred": np.array([2.5, 0.0, 2.0, 8.0])}),
        Case("50 random targets", {"y_true": y, "y_pred": y + rng.normal(0, 3, size=50)}),
        Case("one outlier among 20 predictions", {"y_true": y_out, "y_pred": p_out}),
        Case("perfect predictions (zero error)", {"y_true": y[:10], "y_pred": y[:10].copy()}),
        Case("a batch of one sample", {"y_true": np.array([4.0]), "y_pred": np.array([1.5])}),
        Case("integer targets, float predictions", {"y_true": rng.integers(0, 10, size=12),
                                                    "y_pred": rng.normal(5, 3, size=12)}),
        Case("float32 inputs", {"y_true": y[:15].astype(np.float32),
                                "y_pred": (y[:15] + rng.normal(0, 2, size=15)).astype(np.float32)}),
        Case("large values (house prices in dollars)", {"y_true": big, "y_pred": big + rng.normal(0, 2e4, size=30)}),
    ]


def _read_dict(result):
    """The three numbers of the student's dict, or a StudentError saying what is wrong with it."""
    if result is None:
        raise StudentError("`regression_metrics` returned None; it should return a dict "
                           "{'mae': ..., 'mse': ..., 'rmse': ...}. Did you forget a `return` statement?")
    if not isinstance(result, dict):
        raise StudentError(f"`regression_metrics` should return a dict with the keys 'mae', 'mse' and 'rmse'; "
                           f"it returned {type(result).__name__}.")
    missing = [k for k in REG_KEYS if k not in result]
    if missing:
        have = ", ".join(repr(k) for k in result) or "no keys"
        raise StudentError(f"the dict returned by `regression_metrics` is missing the key(s) "
                           f"{', '.join(map(repr, missing))} (it has {have}); use the lower-case names "
                           f"'mae', 'mse' and 'rmse'.")
    return {k: result[k] for k in REG_KEYS}


def _errors(fn):
    """A wrong version written on the errors e = y_pred − y_true: ``fn(ref, e)`` -> the outputs it changes."""
    return lambda ref, y_true, y_pred: fn(ref, y_pred.double() - y_true.double())


def _more_than_one(y_true):
    return len(y_true) > 1


register(Exercise(
    name="regression_metrics",
    signature="regression_metrics(y_true, y_pred)",
    cases=_cases,
    reference=_reference,
    kind=Training(outcome=_read_dict),
    outputs=tuple(Output(k, scalar=True) for k in REG_KEYS),
    mistakes=(
        # Several outputs wrong at once first: they are the more specific matches.
        Mistake("var_and_std", "np.var and np.std subtract the mean error first (a constant bias would vanish): the "
                "MSE is mean(e\u00b2) and the RMSE its square root, not the variance and standard deviation of e.",
                _errors(lambda ref, e: {"mse": e.var(correction=0), "rmse": e.std(correction=0)})),
        Mistake("rmse_is_std", "np.std subtracts the mean error first: the RMSE is sqrt(mean(e\u00b2)), not the "
                "standard deviation of the errors.", _errors(lambda ref, e: {"rmse": e.std(correction=0)})),
        Mistake("divide_by_n_minus_1", "the MSE is a plain mean over the N samples: divide by N, not N \u2212 1.",
                _errors(lambda ref, e: {"mse": (e ** 2).sum() / (len(e) - 1),
                                        "rmse": ref.torch.sqrt((e ** 2).sum() / (len(e) - 1))}),
                when=_more_than_one),
        Mistake("rmse_mean_of_roots", "your RMSE is the mean of the per-sample roots sqrt(e²) = |e|, which is just "
                "the MAE: square, average, THEN take one square root of the mean.",
                _errors(lambda ref, e: {"rmse": e.abs().mean()})),
        Mistake("mae_signed", "the MAE needs absolute values: positive and negative errors cancel in the plain mean "
                "of y_pred − y_true.", _errors(lambda ref, e: {"mae": e.mean()})),
        Mistake("mae_signed", "the MAE needs absolute values: positive and negative errors cancel in the plain mean "
                "of y_true − y_pred.", _errors(lambda ref, e: {"mae": (-e).mean()})),
        Mistake("summed", "you summed the errors; MAE and MSE are MEANS over the samples (divide by N).",
                _errors(lambda ref, e: {"mae": e.abs().sum(), "mse": (e ** 2).sum()})),
        Mistake("summed_squares", "you summed the squared errors; the MSE is their MEAN (divide by N), and the RMSE "
                "its root.", _errors(lambda ref, e: {"mse": (e ** 2).sum(), "rmse": ref.torch.sqrt((e ** 2).sum())})),
        Mistake("half_mse", "the MSE here is the plain mean of the squared errors, without the 1/2 some cost "
                "functions use.", _errors(lambda ref, e: {"mse": (e ** 2).mean() / 2})),
        Mistake("rmse_of_mae", "the RMSE is the square root of the MSE, not of the MAE.",
                _errors(lambda ref, e: {"rmse": ref.torch.sqrt(e.abs().mean())})),
        Mistake("mse_is_mae_squared", "the MSE is the mean of the squared errors, not the square of the mean "
                "absolute error.", _errors(lambda ref, e: {"mse": e.abs().mean() ** 2})),
        Mistake("divide_by_n_minus_1", "the MSE is a plain mean over the N samples: divide by N, not N \u2212 1.",
                _errors(lambda ref, e: {"mse": (e ** 2).sum() / (len(e) - 1)}), when=_more_than_one),
        Mistake("mse_rmse_swapped", "'mse' and 'rmse' are swapped: mse = mean(e\u00b2), rmse = sqrt(mse).",
                _errors(lambda ref, e: {"mse": ref.torch.sqrt((e ** 2).mean()), "rmse": (e ** 2).mean()})),
    ),
    hint="with e = y_pred − y_true: mae = mean(|e|), mse = mean(e²), rmse = sqrt(mse); three single numbers "
         "in a dict.",
))
