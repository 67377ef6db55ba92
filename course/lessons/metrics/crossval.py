"""Exercise spec of lesson 07, validation: ``kfold_indices(n, k, rng=None)``.

Any valid partition passes (folds in any order, any valid assignment of samples to folds), so the
check grades the folds by their outcome (a :class:`~course.checks.kinds.Training` kind): the outcome
reads the student's k (train_idx, val_idx) pairs, says exactly which part of the contract is broken,
calls the function again to see that the folds are reproducible (and shuffled only when a Generator
is given), and returns what every right answer shares with the torch reference: the validation
fold sizes, largest first, and how often each sample is validated (once).
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Output, StudentError, register
from course.checks.kinds import Training


def _reference(ref, n, k):
    torch = ref.torch
    sizes = torch.tensor([len(f) for f in torch.arange(n, device=ref.device).tensor_split(k)], device=ref.device)
    return {"val_sizes": torch.sort(sizes, descending=True).values,
            "val_coverage": torch.ones(n, dtype=torch.int64, device=ref.device)}


def _cases(rng):
    def case(label, n, k, seed=None):
        args = {"n": n, "k": k} if seed is None else {"n": n, "k": k, "rng": np.random.default_rng(seed)}
        return Case(label, args, data={"seed": seed})

    s = [int(x) for x in rng.integers(0, 2 ** 31, size=4)]
    return [
        case("n=10, k=5, no rng", 10, 5),
        case("n=10, k=3 (not divisible), no rng", 10, 3),
        case("n=23, k=4, no rng", 23, 4),
        case("k = n = 7 (leave-one-out)", 7, 7),
        case("n=6, k=2", 6, 2),
        case("n=20, k=5, shuffled with a Generator", 20, 5, s[0]),
        case("n=103, k=10, shuffled with a Generator", 103, 10, s[1]),
        case("n=9, k=9, shuffled with a Generator", 9, 9, s[2]),
        case("n=50, k=3, shuffled with a Generator", 50, 3, s[3]),
    ]
def _as_index_array(a, what, n):
    if type(a).__module__.split(".")[0] == "torch":
        raise StudentError(f"{what} is a torch tensor; return NumPy integer arrays.")
    if isinstance(a, (list, tuple, range)):
        raise StudentError(f"{what} is a Python {type(a).__name__}; return a NumPy integer array "
                           f"(np.array(...) or np.arange(...)).")
    if not isinstance(a, np.ndarray):
        raise StudentError(f"{what} is {type(a).__name__}; it should be a NumPy array of integer indices.")
    if a.dtype == np.bool_:
        raise StudentError(f"{what} is a boolean mask; return the integer INDICES (np.flatnonzero(mask) "
                           f"or np.where(mask)[0]).")
    if not np.issubdtype(a.dtype, np.integer):
        raise StudentError(f"{what} has dtype {a.dtype}; indices must be integers (np.arange gives int64; "
                           f"use .astype(int) if you built them with floats).")
    if a.ndim != 1:
        raise StudentError(f"{what} has shape {a.shape}; it should be a flat (1-D) array of indices.")
    if a.size and (a.min() < 0 or a.max() >= n):
        raise StudentError(f"{what} holds the index {int(a.min() if a.min() < 0 else a.max())}, outside "
                           f"range(n) = 0 … {n - 1}.")
    return a.astype(np.int64)


def _kfold_folds(result, n, k):
    """The student's folds as a list of (train, val) int64 arrays, or a StudentError."""
    if result is None:
        raise StudentError("`kfold_indices` returned None; it should return a list of k (train_idx, val_idx) "
                           "pairs. Did you forget a `return` statement?")
    if isinstance(result, np.ndarray) or not isinstance(result, (list, tuple)):
        raise StudentError(f"`kfold_indices` should return a list of k (train_idx, val_idx) pairs; it returned "
                           f"{type(result).__name__}.")
    if len(result) != k:
        raise StudentError(f"`kfold_indices` returned {len(result)} folds for k = {k}; there must be exactly k "
                           f"(train_idx, val_idx) pairs, one per fold.")
    folds = []
    for i, pair in enumerate(result):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise StudentError(f"Fold {i} is not a pair (train_idx, val_idx); it is {type(pair).__name__}"
                               f"{' of length ' + str(len(pair)) if isinstance(pair, (tuple, list)) else ''}.")
        train = _as_index_array(pair[0], f"train_idx of fold {i}", n)
        val = _as_index_array(pair[1], f"val_idx of fold {i}", n)
        folds.append((train, val))
    return folds


def _kfold_properties(folds, n, k):
    """Check the k-fold contract and say precisely which part is broken."""
    seen = np.full(n, -1)
    for i, (_, val) in enumerate(folds):
        if len(val) == 0:
            raise StudentError(f"The validation fold {i} is empty; every fold needs n // k or n // k + 1 samples.")
        uniq, counts = np.unique(val, return_counts=True)
        if (counts > 1).any():
            raise StudentError(f"The validation fold {i} holds the sample {int(uniq[counts > 1][0])} more than once.")
        again = val[seen[val] >= 0]
        if again.size:
            j = int(seen[again[0]])
            raise StudentError(f"The validation folds overlap: sample {int(again[0])} is in fold {j} and in fold "
                               f"{i}. Each sample must be validated exactly once (split one permutation of "
                               f"range(n) into k consecutive pieces).")
        seen[val] = i
    dropped = np.flatnonzero(seen < 0)
    if dropped.size:
        raise StudentError(f"The validation folds drop {dropped.size} sample(s), e.g. {int(dropped[0])}: together "
                           f"they must cover all of range(n) — with n = {n}, k = {k} the n % k = {n % k} leftover "
                           f"samples must go somewhere (np.array_split does it for you).")
    sizes = [len(v) for _, v in folds]
    if max(sizes) - min(sizes) > 1:
        share = (f"every fold gets n // k = {n // k} samples" if n % k == 0 else
                 f"the first n % k = {n % k} folds get n // k + 1 = {n // k + 1} samples and the others "
                 f"n // k = {n // k}")
        raise StudentError(f"The fold sizes are {sizes}: they may differ by at most one. With n = {n}, k = {k} "
                           f"{share} (np.array_split does exactly this).")
    for i, (train, val) in enumerate(folds):
        uniq, counts = np.unique(train, return_counts=True)
        if (counts > 1).any():
            raise StudentError(f"The train_idx of fold {i} holds the sample {int(uniq[counts > 1][0])} more than once.")
        leak = np.intersect1d(train, val)
        if leak.size:
            raise StudentError(f"The train_idx of fold {i} contains validation samples (e.g. {int(leak[0])}): the model "
                               f"would be validated on data it was trained on. train_idx must be all samples NOT "
                               f"in val_idx.")
        rest = np.setdiff1d(np.arange(n), val)
        if len(train) != len(rest) or not np.array_equal(np.sort(train), rest):
            missing = np.setdiff1d(rest, train)
            raise StudentError(f"The train_idx of fold {i} has {len(train)} samples, but it must be all the other "
                               f"{len(rest)} (it misses e.g. {int(missing[0]) if missing.size else '?'}): "
                               f"train_idx = the samples of the other k − 1 folds.")


def _same_folds(a, b):
    return all(np.array_equal(ta, tb) and np.array_equal(va, vb) for (ta, va), (tb, vb) in zip(a, b))


def _val_sets(folds):
    return [frozenset(v.tolist()) for _, v in folds]


def _outcome(result, call, objects, case, n, k, seed):
    fn = objects[0]

    def again(seeded=True):
        kwargs = {"rng": np.random.default_rng(seed)} if seeded and seed is not None else {}
        return _kfold_folds(call(fn, *case.args, what="kfold_indices", names=case.arg_names, **kwargs), n, k)

    folds = _kfold_folds(result, n, k)
    try:
        _kfold_properties(folds, n, k)
    except StudentError as problem:
        try:
            _kfold_properties([(v, t) for t, v in folds], n, k)
        except StudentError:
            raise problem from None
        raise StudentError("Each pair must be (train_idx, val_idx), in that order: yours are (val_idx, train_idx) "
                           "— the small validation fold comes second.") from None
    if not _same_folds(folds, again()):
        if seed is None:
            raise StudentError("With rng=None two calls gave different folds: without a Generator, don't shuffle "
                               "(use np.arange(n) in order).")
        raise StudentError("Two calls with Generators made from the same seed gave different folds: shuffle with "
                           "the Generator you are given (rng.permutation(n)), not with np.random.")
    if seed is not None and n >= 8 and _val_sets(folds) == _val_sets(again(seeded=False)):
        raise StudentError("With a Generator the folds must be shuffled: draw order = rng.permutation(n) and split "
                           "that, instead of splitting range(n) in order.")
    sizes = np.sort(np.array([len(v) for _, v in folds]))[::-1]
    coverage = np.bincount(np.concatenate([v for _, v in folds]), minlength=n)
    return {"val_sizes": sizes, "val_coverage": coverage}


register(Exercise(
    name="kfold_indices",
    signature="kfold_indices(n, k, rng=None)",
    cases=_cases,
    reference=_reference,
    kind=Training(outcome=_outcome),
    outputs=(Output("val_sizes", kind="int"), Output("val_coverage", kind="int")),
    hint="take idx = np.arange(n) (or rng.permutation(n) when rng is given), split it into k pieces whose "
         "sizes differ by at most one (np.array_split), and pair each piece (validation) with the rest "
         "(training).",
    points=2,
))
