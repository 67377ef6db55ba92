"""Lesson 04 exercise specs: ``linreg_loss_and_grad`` and ``minibatches``."""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, StudentError, register
from course.checks.compare import as_array, describe
from course.checks.kinds import Training


# =========================================================================== linear regression
def _mse_grads(ref, X, y, w, b, with_bias=True):
    """loss = mean((X @ w + b − y)²) and its gradients by autograd, and N."""
    wt, bt = w.detach().clone().requires_grad_(True), ref.t(b, grad=True)
    pred = X @ wt + (bt if with_bias else 0.0 * bt)
    loss = ((pred - y) ** 2).mean()
    dw, db = ref.torch.autograd.grad(loss, (wt, bt))
    return loss.detach(), dw, db


def _linreg_ref(ref, X, y, w, b):
    loss, dw, db = _mse_grads(ref, X, y, w, b)
    return {"loss": loss, "dw": dw, "db": db}


def _linreg_cases(rng):
    x_toy = np.array([[1.0], [2.0], [3.0]])
    X = rng.normal(size=(20, 4))
    w_true = rng.normal(size=4)
    X_fit = rng.normal(size=(6, 3))
    w_fit = rng.normal(size=3)
    X_big = rng.normal(loc=300.0, scale=150.0, size=(12, 3))
    return [
        Case("the lecture's toy data x = 1, 2, 3 and y = 1, 2, 3 with W = 0.5, b = 0",
             {"X": x_toy, "y": np.array([1.0, 2.0, 3.0]), "w": np.array([0.5]), "b": 0.0}),
        Case("random X (20, 4), noisy targets",
             {"X": X, "y": X @ w_true + 0.5 + rng.normal(scale=0.3, size=20), "w": rng.normal(size=4),
              "b": float(rng.normal())}),
        Case("a batch of one sample, X (1, 5)",
             {"X": rng.normal(size=(1, 5)), "y": rng.normal(size=1), "w": rng.normal(size=5), "b": 0.7}),
        Case("fewer samples than features, X (3, 7), b an integer",
             {"X": rng.normal(size=(3, 7)), "y": rng.normal(size=3), "w": rng.normal(size=7), "b": 2}),
        Case("an exact fit: zero loss and zero gradients", {"X": X_fit, "y": X_fit @ w_fit - 1.5, "w": w_fit, "b": -1.5}),
        Case("large feature values (like Boston's TAX), b a NumPy number",
             {"X": X_big, "y": rng.normal(loc=20, scale=5, size=12), "w": rng.normal(scale=0.01, size=3),
              "b": np.float64(-3.0)}),
    ]


def _scaled(loss=1.0, grads=1.0, by_n=False):
    """The reference with its loss and gradients multiplied (by N with ``by_n``); a factor None leaves it out."""
    def wrong(ref, X, y, w, b):
        l, dw, db = _mse_grads(ref, X, y, w, b)
        n = X.shape[0] if by_n else 1.0
        out = {}
        if loss is not None:
            out["loss"] = l * (n if loss == "n" else loss)
        if grads is not None:
            out["dw"], out["db"] = dw * (n if grads == "n" else grads), db * (n if grads == "n" else grads)
        return out
    return wrong


register(Exercise(
    name="linreg_loss_and_grad",
    signature="linreg_loss_and_grad(X, y, w, b)",
    cases=_linreg_cases,
    reference=_linreg_ref,
    outputs=(Output("loss", scalar=True), Output("dw"), Output("db", scalar=True)),
    mistakes=(
        Mistake("half_mse", "you used half the mean squared error (½·mean(r²), gradients without the 2); the cost "
                "here is mean((X @ w + b − y)²), whose gradients carry the factor 2.", _scaled(0.5, 0.5)),
        Mistake("no_two", "the gradients are missing the 2 from the derivative of the square: dw = (2/N)·Xᵀ(Xw + b − y) "
                "(the lecture's update folds that 2 into η; the gradient itself has it).", _scaled(None, 0.5)),
        Mistake("summed_grads", "the gradients are summed over the samples instead of averaged: divide by N, the loss "
                "is a mean.", _scaled(None, "n", by_n=True)),
        Mistake("summed_loss", "the loss is a sum of squares; it should be the mean over the N samples.",
                _scaled("n", None, by_n=True)),
        Mistake("rmse", "you return the root of the mean squared error (RMSE); the loss here is the MSE itself.",
                lambda ref, X, y, w, b: {"loss": _mse_grads(ref, X, y, w, b)[0].sqrt()}),
        Mistake("wrong_sign", "the gradients have the wrong sign: the residual is prediction − target, "
                "(X @ w + b) − y.", _scaled(None, -1.0)),
        Mistake("db_summed", "db is summed over the samples; like dw it is a mean: db = (2/N)·Σ(Xw + b − y).",
                lambda ref, X, y, w, b: {"db": _mse_grads(ref, X, y, w, b)[2] * X.shape[0]}),
        Mistake("db_zero", "db should be the mean of 2·residual, not zero or missing.",
                lambda ref, X, y, w, b: {"db": 0.0 * _mse_grads(ref, X, y, w, b)[2]}),
        Mistake("no_bias", "the prediction leaves out the bias: it is X @ w + b.",
                lambda ref, X, y, w, b: dict(zip(("loss", "dw"), _mse_grads(ref, X, y, w, b, with_bias=False)))),
    ),
    hint="with r = X @ w + b − y: loss = mean(r²), dw = (2/N)·Xᵀr (shape (D,)), db = (2/N)·Σr (a number).",
    points=2,
))


# =========================================================================== mini-batches
_MAX_EXTRA_BATCHES = 5


def _minibatch_cases(rng):
    def problem(n, shape, labels):
        X = rng.normal(size=(n, *shape))
        ids = rng.permutation(n)
        X.reshape(n, -1)[:, 0] = ids  # an exact row id in the first entry (exact in float32 too)
        X = X[np.argsort(ids)]  # row i carries id i
        y = rng.integers(0, 3, size=n) if labels else rng.normal(size=n)
        return X, y

    specs = [
        ("N = 10, batch_size = 3: the last batch holds one sample", 10, (3,), 3, False),
        ("N = 12, batch_size = 4: no partial batch", 12, (2,), 4, False),
        ("N = 23, batch_size = 5, integer labels", 23, (4,), 5, True),
        ("batch_size = 1 (stochastic gradient descent), N = 11", 11, (2,), 1, False),
        ("batch_size larger than N (batch gradient descent): one batch of 7", 7, (3,), 10, False),
        ("image-like X (16, 1, 4, 4), batch_size = 6", 16, (1, 4, 4), 6, True),
        ("a single sample", 1, (3,), 2, False),
    ]
    cases = []
    for label, n, shape, bs, labels in specs:
        X, y = problem(n, shape, labels)
        seed_a, seed_b, seed_c = (int(s) for s in rng.integers(0, 2**31, size=3))
        cases.append(Case(label, {"X": X, "y": y, "batch_size": bs, "rng": np.random.default_rng(seed_a)},
                          data={"seeds": (seed_a, seed_b, seed_c)}))
    return cases


def _batch_sizes(ref, X, batch_size, drop_last=False):
    """The sizes of torch's batches over N samples (a BatchSampler, as a DataLoader cuts them)."""
    from torch.utils.data import BatchSampler, SequentialSampler

    sampler = BatchSampler(SequentialSampler(range(len(X))), batch_size, drop_last=drop_last)
    return ref.torch.tensor([len(b) for b in sampler], dtype=ref.torch.int64)


def _split_sizes(ref, X, batch_size):
    """The sizes np.array_split / torch.tensor_split give when asked for ceil(N / batch_size) parts."""
    n = len(X)
    parts = ref.torch.tensor_split(ref.torch.arange(n), -(-n // batch_size))
    return ref.torch.tensor([len(p) for p in parts], dtype=ref.torch.int64)


def _consume(result, n):
    """Read what the student's minibatches gave, a bounded number of items: (status, items)."""
    if result is None:
        return "none", None
    try:
        it = iter(result)
    except TypeError:
        return "not iterable", result
    batches = []
    for item in it:
        batches.append(item)
        if len(batches) > n + _MAX_EXTRA_BATCHES:
            return "too many", batches
    return "ok", batches


def _batches(read, n):
    """The batches of one pass from ``_consume``'s (status, items), or a StudentError saying what is wrong."""
    status, items = read
    if status == "none":
        raise StudentError("`minibatches` returned None: `yield` each (X_batch, y_batch) pair, or return a list of them.")
    if status == "not iterable":
        raise StudentError(f"`minibatches` returned {describe(items)}; it should yield (X_batch, y_batch) pairs "
                           f"(a generator with `yield`, or a list of pairs).")
    if status == "too many":
        raise StudentError(f"`minibatches` yielded more than {n + _MAX_EXTRA_BATCHES} batches for {n} samples: "
                           f"does the loop stop after the last sample?")
    return items


def _row_ids(batches, X, y):
    """Row ids (from the first entry of each row) of every batch, after checking types, shapes and alignment."""
    n = len(X)
    ids_per_batch = []
    for k, item in enumerate(batches):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise StudentError(f"batch {k} is {describe(item)}; every item should be a pair (X_batch, y_batch).")
        try:
            xb = as_array(item[0], f"X_batch of batch {k}")
            yb = as_array(item[1], f"y_batch of batch {k}")
        except ValueError as e:
            raise StudentError(str(e)) from None
        if xb.ndim != X.ndim or xb.shape[1:] != X.shape[1:]:
            raise StudentError(f"X_batch of batch {k} has shape {xb.shape}; it should be (batch, "
                               f"{', '.join(map(str, X.shape[1:]))}): whole rows of X, X[idx].")
        if yb.shape != (len(xb),):
            raise StudentError(f"y_batch of batch {k} has shape {yb.shape} for {len(xb)} rows of X_batch; "
                               f"it should be ({len(xb)},): y[idx] with the same idx as X[idx].")
        if len(xb) == 0:
            raise StudentError(f"batch {k} is empty: yield only batches that hold samples.")
        first = xb.reshape(len(xb), -1)[:, 0].astype(np.float64)
        ids = np.rint(first).astype(np.int64)
        if np.any(ids != first) or np.any(ids < 0) or np.any(ids >= n) or \
                not np.allclose(xb.astype(np.float64), X[ids], rtol=1e-6, atol=1e-6):
            raise StudentError(f"a row of X_batch in batch {k} is not a row of X: take whole rows with X[idx].")
        if not np.allclose(yb.astype(np.float64), y[ids].astype(np.float64), rtol=1e-6, atol=1e-6):
            raise StudentError(
                f"X_batch and y_batch in batch {k} are not aligned: a row of X_batch comes with the y of another "
                f"sample. Index X and y with the same index array (X[idx], y[idx]), one permutation for both.")
        ids_per_batch.append(ids)
    return ids_per_batch


def _consecutive_blocks(ids, n, shuffled=True):
    """True when every batch (of two or more) is a run of consecutive rows in their original order (and, with
    ``shuffled``, the batches are not in their original order): only the batches were shuffled."""
    blocks = [i for i in ids if len(i) >= 2]
    if shuffled and np.array_equal(np.concatenate(ids), np.arange(n)):
        return False
    return (len(blocks) >= 2
            and all(np.array_equal(i, np.arange(i[0], i[0] + len(i))) for i in blocks))


def _batches_outcome(result, call, objects, case, X, y, batch_size, seeds):
    """The batch sizes of one pass, after checking that it is one shuffled pass drawn from ``rng``."""
    n = len(X)

    def again(seed):  # the student's function once more, with a generator of another seed
        read = call(lambda X, y, batch_size, rng: _consume(objects[0](X, y, batch_size, rng), n),
                    X, y, batch_size, np.random.default_rng(seed), what="minibatches", names=case.arg_names)
        return _row_ids(_batches(read, n), X, y)

    # a generator's body runs while it is read: read it inside the guard too
    ids = _row_ids(_batches(call(lambda: _consume(result, n), what="minibatches"), n), X, y)
    sizes = np.array([len(i) for i in ids], dtype=np.int64)
    order = np.concatenate(ids) if ids else np.zeros(0, np.int64)
    counts = np.bincount(order, minlength=n)
    if np.any(counts > 1):
        k = int(np.argmax(counts))
        raise StudentError(
            f"sample {k} appears {counts[k]} times in one pass (and {int(np.sum(counts == 0))} samples never "
            f"appear): draw ONE permutation of the indices (rng.permutation(len(X))) and cut it into slices; "
            f"don't draw each batch at random (that samples with replacement).")
    if np.any(counts == 0):
        return {"batch_sizes": sizes}  # the sizes, compared with torch's, say what is missing
    seed_a, seed_b, seed_c = seeds
    if _consecutive_blocks(ids, n) and all(_consecutive_blocks(again(s), n, shuffled=False) for s in (seed_b, seed_c)):
        raise StudentError(
            "every batch holds consecutive rows of X (X[start:start + batch_size]); only the order of the batches "
            "is shuffled. Shuffle the samples themselves: idx = rng.permutation(len(X)), then cut idx into slices.")
    repeat = again(seed_a)
    if len(repeat) != len(ids) or any(not np.array_equal(a, b) for a, b in zip(repeat, ids)):
        raise StudentError(
            "two generators with the same seed gave different batches: the order must come from the `rng` "
            "argument (rng.permutation(len(X))), not from np.random.shuffle, np.random.permutation or a new "
            "generator made inside the function.")
    if n >= 10:
        others = [np.concatenate(again(s)) for s in (seed_b, seed_c)]
        if all(np.array_equal(o, order) for o in others):
            if np.array_equal(order, np.arange(n)):
                raise StudentError(
                    "the samples come in their original order for every seed: shuffle them, with an order drawn "
                    "from rng (idx = rng.permutation(len(X))), before cutting the batches.")
            raise StudentError(
                "generators with different seeds gave the same order: draw the order from the `rng` you are "
                "given (rng.permutation(len(X))), not from a fixed seed.")
    return {"batch_sizes": sizes}


register(Exercise(
    name="minibatches",
    signature="minibatches(X, y, batch_size, rng)",
    cases=_minibatch_cases,
    reference=_batch_sizes,
    kind=Training(outcome=_batches_outcome),
    outputs=(Output("batch_sizes", kind="int"),),
    mistakes=(
        Mistake("drop_last", "the last, smaller batch is dropped: keep it, so that every sample is used once per "
                "epoch (loop `for start in range(0, N, batch_size)`).",
                lambda ref, X, batch_size: _batch_sizes(ref, X, batch_size, drop_last=True)),
        Mistake("array_split", "np.array_split spreads the samples evenly over the batches; here every batch is full "
                "(batch_size samples) but the last: slice idx[start:start + batch_size].", _split_sizes),
    ),
    hint=("idx = rng.permutation(len(X)); for start in range(0, len(X), batch_size): take "
          "b = idx[start:start + batch_size] and yield X[b], y[b]."),
    points=2,
))
