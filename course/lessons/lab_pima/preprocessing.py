"""Exercise spec of lab 2's missing values: ``impute_zeros``, medians from the training rows only."""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, register

from .lecture import ZERO_COLUMNS


def _median_nonzero(ref, v):
    """np.median of the non-zero values (the mean of the two middle ones for an even count)."""
    return ref.torch.quantile(v[v != 0], 0.5)


def _impute(ref, X_train, X, columns, *, stat=None, source="train", every=False):
    out = X.clone()
    cols = range(X.shape[1]) if every else [int(c) for c in columns]
    for c in cols:
        base = {"train": X_train[:, c], "X": X[:, c], "all": ref.torch.cat([X_train[:, c], X[:, c]])}[source]
        fill = stat(ref, base) if stat else _median_nonzero(ref, base)
        out[:, c] = ref.torch.where(X[:, c] == 0, fill, X[:, c])
    return out


def _cases(rng):
    from course import data

    Xp, _, _ = data.load_pima()
    perm = rng.permutation(len(Xp))
    train, test = Xp[perm[:576]], Xp[perm[576:]]
    Xtr = rng.integers(1, 30, size=(20, 4)).astype(float)
    Xtr[rng.choice(20, 5, replace=False), 0] = 0.0
    Xtr[rng.choice(20, 3, replace=False), 2] = 0.0
    X = rng.integers(1, 30, size=(9, 4)).astype(float)
    X[[0, 3, 4], 0] = 0.0
    X[[1, 5], 1] = 0.0  # column 1 is not listed: its zeros stay
    X[[2, 6, 7], 2] = 0.0
    return [
        Case("192 held-out Pima women, medians from 576 training rows",
             {"X_train": train, "X": test, "columns": list(ZERO_COLUMNS)}),
        Case("9 rows of small counts, columns [0, 2] listed (column 1's zeros stay)",
             {"X_train": Xtr, "X": X, "columns": [0, 2]}),
        Case("imputing the training rows themselves", {"X_train": train, "X": train[:50], "columns": [1, 5]}),
        Case("one listed column, a batch of one row", {"X_train": Xtr, "X": X[:1], "columns": [0]}),
    ]


register(Exercise(
    name="impute_zeros",
    signature="impute_zeros(X_train, X, columns)",
    cases=_cases,
    reference=lambda ref, X_train, X, columns: _impute(ref, X_train, X, columns),
    outputs=(Output("X_imputed"),),
    mistakes=(
        Mistake("medians_of_x", "the medians come from the rows you are filling (X): fitted on test rows, that is "
                "a leak. Take each median from X_train's non-zero values.",
                lambda ref, X_train, X, columns: _impute(ref, X_train, X, columns, source="X")),
        Mistake("medians_of_all_rows", "the medians come from all the rows (training and the rows you fill): a leak. "
                "Take each median from X_train's non-zero values only.",
                lambda ref, X_train, X, columns: _impute(ref, X_train, X, columns, source="all")),
        Mistake("mean", "you filled with the mean; use the median of the non-zero training values (np.median), "
                "which a few extreme insulin readings cannot drag.",
                lambda ref, X_train, X, columns: _impute(ref, X_train, X, columns, stat=lambda r, v: v[v != 0].mean())),
        Mistake("mean_with_zeros", "you filled with the mean of the column, zeros included; use the median of its "
                "non-zero training values.",
                lambda ref, X_train, X, columns: _impute(ref, X_train, X, columns, stat=lambda r, v: v.mean())),
        Mistake("median_with_zeros", "the median counts the zeros, which are missing values, not measurements: "
                "take the median of the non-zero training values.",
                lambda ref, X_train, X, columns: _impute(ref, X_train, X, columns,
                                                         stat=lambda r, v: r.torch.quantile(v, 0.5))),
        Mistake("every_column", "you replaced zeros in every column; only the listed ones (a 0 in Pregnancies is a "
                "real count).", lambda ref, X_train, X, columns: _impute(ref, X_train, X, columns, every=True),
                when=lambda X_train: bool((X_train != 0).any(dim=0).all())),
    ),
    hint="copy X; for each listed column c, m = np.median(X_train[X_train[:, c] != 0, c]) and X[X[:, c] == 0, c] = m.",
    points=2,
))
