"""Exercise specs of lab 1's preprocessing and baseline: ``fit_standardizer``, ``apply_standardizer``,
``least_squares``.

The statistics are fitted on the training rows only: ``apply_standardizer`` is graded with a mean and
std fitted on *other* rows, so a version that refits on the rows it is given fails by name.
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, register

from .lecture import SPLIT_SEED, TEST_SIZE


def _boston_rows(rng, n=None):
    """Rows of the real table (B dropped), a random subset of ``n`` when given."""
    from course import data

    X, y, _ = data.load_boston()
    if n is not None:
        idx = rng.choice(len(X), size=n, replace=False)
        X, y = X[idx], y[idx]
    return X.copy(), y.copy()


# --------------------------------------------------------------------------- fit_standardizer
def _fit_cases(rng):
    Xb, _ = _boston_rows(rng, 120)
    X = rng.normal(loc=rng.uniform(-5, 5, size=4), scale=rng.uniform(0.5, 3, size=4), size=(30, 4))
    const = rng.normal(size=(12, 5))
    const[:, 1] = 0.0
    const[:, 3] = 3.0
    return [
        Case("120 Boston tracts, raw units (TAX in hundreds, NOX below 1)", {"X": Xb}),
        Case("30 rows of 4 shifted, scaled columns", {"X": X}),
        Case("constant columns (all 0 and all 3) among ordinary ones", {"X": const}),
        Case("a single row: every column is constant", {"X": rng.normal(size=(1, 3))}),
        Case("integer-valued counts", {"X": rng.integers(0, 9, size=(15, 3)).astype(float)}),
        Case("a square 4 x 4 block (rows and columns alike in number)", {"X": rng.normal(loc=1.0, size=(4, 4))}),
    ]


def _std(ref, X, correction=0):
    return X.std(dim=0, correction=correction) if X.shape[0] > correction else ref.torch.zeros(X.shape[1], dtype=X.dtype, device=X.device)


def _ones_where_zero(ref, s):
    return ref.torch.where(s == 0, ref.torch.ones_like(s), s)


register(Exercise(
    name="fit_standardizer",
    signature="fit_standardizer(X)",
    cases=_fit_cases,
    reference=lambda ref, X: (X.mean(dim=0), _ones_where_zero(ref, _std(ref, X))),
    outputs=(Output("mean"), Output("std")),
    mistakes=(
        Mistake("ddof_1", "the std uses ddof=1 (N − 1, pandas' default); the standardizer uses the population std, "
                "ddof=0 (np.std's default), as torch's std(correction=0).",
                lambda ref, X: {"std": _ones_where_zero(ref, _std(ref, X, 1)) if X.shape[0] > 1
                                else ref.torch.ones(X.shape[1], dtype=X.dtype, device=X.device)}),
        Mistake("constant_zero", "a constant column has std 0, so (X − mean) / std gives inf and nan: return 1.0 "
                "for it instead (np.where(std == 0, 1.0, std)).",
                lambda ref, X: {"std": _std(ref, X)}),
        Mistake("variance", "you return the variance; the standardizer divides by the standard deviation, its "
                "square root.", lambda ref, X: {"std": _ones_where_zero(ref, X.var(dim=0, correction=0))}),
        Mistake("over_rows", "the statistics run over the wrong axis: one mean and one std per column, axis=0.",
                lambda ref, X: {"mean": X.mean(dim=1)}, when=lambda X: X.shape[0] == X.shape[1]),
    ),
    hint="mean = X.mean(axis=0), std = X.std(axis=0) (ddof=0), and std = 1.0 wherever it is 0.",
    points=2,
))


# --------------------------------------------------------------------------- apply_standardizer
def _apply_cases(rng):
    Xb, _ = _boston_rows(rng)
    perm = rng.permutation(len(Xb))
    train, test = Xb[perm[:400]], Xb[perm[400:]]
    m, s = train.mean(axis=0), train.std(axis=0)
    X = rng.normal(loc=2.0, scale=3.0, size=(20, 4))
    m2, s2 = rng.normal(size=4), rng.uniform(0.5, 2.0, size=4)
    return [
        Case("106 held-out Boston tracts with the training rows' mean and std", {"X": test, "mean": m, "std": s}),
        Case("20 rows with a mean and std fitted elsewhere", {"X": X, "mean": m2, "std": s2}),
        Case("a batch of one row", {"X": X[:1], "mean": m2, "std": s2}),
        Case("a column whose std was set to 1.0 (constant in training)",
             {"X": X[:, :3], "mean": np.array([0.0, 3.0, 1.0]), "std": np.array([1.0, 1.0, 2.0])}),
    ]


register(Exercise(
    name="apply_standardizer",
    signature="apply_standardizer(X, mean, std)",
    cases=_apply_cases,
    reference=lambda ref, X, mean, std: (X - mean) / std,
    outputs=(Output("X_std"),),
    mistakes=(
        Mistake("refits_on_x", "you standardized X with its own mean and std: that fits the statistics on the rows "
                "being transformed (test rows included, a leak). Use the mean and std you were given, fitted on the "
                "training rows.", lambda ref, X: (X - X.mean(dim=0)) / _ones_where_zero(ref, _std(ref, X)),
                when=lambda X: X.shape[0] > 1),
        Mistake("times_std", "you multiplied by std; standardizing divides: (X − mean) / std.",
                lambda ref, X, mean, std: (X - mean) * std),
        Mistake("no_centering", "you divided by std without subtracting the mean: (X − mean) / std.",
                lambda ref, X, std: X / std),
        Mistake("precedence", "X − mean / std divides only the mean: write (X − mean) / std with parentheses.",
                lambda ref, X, mean, std: X - mean / std),
    ),
    hint="(X − mean) / std, with the mean and std you are given (broadcast over the rows).",
    points=1,
))


# --------------------------------------------------------------------------- least_squares
def _lsq_cases(rng):
    Xb, yb = _boston_rows(rng, 200)
    Xs = (Xb - Xb.mean(axis=0)) / Xb.std(axis=0)
    X = rng.normal(size=(40, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 4.0 + rng.normal(scale=0.3, size=40)
    return [
        Case("200 standardized Boston tracts and their MEDV", {"X": Xs, "y": yb}),
        Case("40 noisy points of y = 1.5 x1 − 2 x2 + 0.5 x3 + 4", {"X": X, "y": y}),
        Case("one feature, far from the origin (the intercept matters)",
             {"X": rng.uniform(10, 20, size=(25, 1)), "y": rng.normal(loc=50, size=25)}),
        Case("as many rows as unknowns, an exact fit", {"X": rng.normal(size=(4, 3)), "y": rng.normal(size=4)}),
    ]


def _lstsq(ref, X, y, intercept=True):
    A = ref.torch.cat([X, ref.torch.ones(X.shape[0], 1, dtype=X.dtype, device=X.device)], dim=1) if intercept else X
    # 'gelsd' (SVD) is CPU-only; the default driver on CUDA handles full-rank tall systems.
    sol = ref.torch.linalg.lstsq(A.cpu(), y.cpu()[:, None], driver="gelsd").solution[:, 0].to(X.device)
    return (sol[:-1], sol[-1]) if intercept else (sol, ref.torch.zeros((), dtype=X.dtype, device=X.device))


def _uncentered_intercept(ref, X, y):
    w, _ = _lstsq(ref, X, y, intercept=False)
    return {"w": w, "b": y.mean() - X.mean(dim=0) @ w}


def _split_the_other_way(ref, X, y):
    w, b = _lstsq(ref, X, y)
    return {"w": ref.torch.cat([b[None], w[:-1]]), "b": w[-1]}


register(Exercise(
    name="least_squares",
    signature="least_squares(X, y)",
    cases=_lsq_cases,
    reference=lambda ref, X, y: _lstsq(ref, X, y),
    outputs=(Output("w"), Output("b", scalar=True)),
    mistakes=(
        Mistake("no_intercept", "there is no intercept: you solved X w ≈ y alone. Append a column of ones, "
                "A = [X, 1], solve A θ ≈ y, and split θ into w = θ[:-1] and b = θ[-1].",
                lambda ref, X, y: _lstsq(ref, X, y, intercept=False)),
        Mistake("intercept_after", "you fitted w without an intercept and set b afterwards; w and b must be solved "
                "together, from [X, 1].", _uncentered_intercept),
        Mistake("ones_first", "the column of ones came first, A = [1, X], so θ[0] is b and θ[1:] is w; you split "
                "θ the other way.", _split_the_other_way),
    ),
    hint="solve [X, 1] θ ≈ y in the least-squares sense (np.linalg.lstsq), then w = θ[:-1], b = θ[-1].",
    points=2,
))
