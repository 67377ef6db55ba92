"""The exercise specs of lesson 04: ``linreg_loss_and_grad``, ``minibatches`` and the six optimizer classes.

Each spec holds its cases, its torch reference, its run (for the generator and the classes) and the known
mistakes with their hints; importing this module registers them with the check engine.
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, StudentError, register
from course.checks.compare import as_array, describe

LESSON = "04_optimizers"


# =========================================================================== linear regression
def _linreg_torch(X, y, w, b, ref, *, with_bias=True):
    Xt, yt = ref.t(X), ref.t(y)
    wt, bt = ref.t(w, grad=True), ref.t(b, grad=True)
    pred = Xt @ wt + (bt if with_bias else 0.0 * bt)
    residual = pred - yt
    loss = (residual ** 2).mean()
    dw, db = ref.torch.autograd.grad(loss, (wt, bt))
    return {"loss": loss.detach(), "dw": dw, "db": db, "N": Xt.shape[0], "residual": residual.detach(), "X": Xt}


def _linreg_ref(case, ref):
    r = _linreg_torch(*case.args, ref)
    return {"loss": r["loss"], "dw": r["dw"], "db": r["db"]}


def _linreg_cases(rng):
    names = ["X", "y", "w", "b"]
    x_toy = np.array([[1.0], [2.0], [3.0]])
    X = rng.normal(size=(20, 4))
    w_true = rng.normal(size=4)
    X_fit = rng.normal(size=(6, 3))
    w_fit = rng.normal(size=3)
    X_big = rng.normal(loc=300.0, scale=150.0, size=(12, 3))
    return [
        Case("the lecture's toy data x = 1, 2, 3 and y = 1, 2, 3 with W = 0.5, b = 0",
             (x_toy, np.array([1.0, 2.0, 3.0]), np.array([0.5]), 0.0), arg_names=names),
        Case("random X (20, 4), noisy targets", (X, X @ w_true + 0.5 + rng.normal(scale=0.3, size=20),
                                                 rng.normal(size=4), float(rng.normal())), arg_names=names),
        Case("a batch of one sample, X (1, 5)", (rng.normal(size=(1, 5)), rng.normal(size=1), rng.normal(size=5),
                                                 0.7), arg_names=names),
        Case("fewer samples than features, X (3, 7), b an integer",
             (rng.normal(size=(3, 7)), rng.normal(size=3), rng.normal(size=7), 2), arg_names=names),
        Case("an exact fit: zero loss and zero gradients", (X_fit, X_fit @ w_fit - 1.5, w_fit, -1.5),
             arg_names=names),
        Case("large feature values (like Boston's TAX), b a NumPy number",
             (X_big, rng.normal(loc=20, scale=5, size=12), rng.normal(scale=0.01, size=3), np.float64(-3.0)),
             arg_names=names),
    ]


def _linreg_mistake(fn):
    return lambda case, ref: fn(_linreg_torch(*case.args, ref))


register(Exercise(
    name="linreg_loss_and_grad",
    lesson=LESSON,
    signature="linreg_loss_and_grad(X, y, w, b)",
    cases=_linreg_cases,
    reference=_linreg_ref,
    outputs=(Output("loss", scalar=True), Output("dw"), Output("db", scalar=True)),
    mistakes=(
        Mistake("you used half the mean squared error (½·mean(r²), gradients without the 2); the cost here is "
                "mean((X @ w + b − y)²), whose gradients carry the factor 2.",
                _linreg_mistake(lambda r: {"loss": r["loss"] / 2, "dw": r["dw"] / 2, "db": r["db"] / 2})),
        Mistake("the gradients are missing the 2 from the derivative of the square: dw = (2/N)·Xᵀ(Xw + b − y) "
                "(the lecture's update folds that 2 into η; the gradient itself has it).",
                _linreg_mistake(lambda r: {"dw": r["dw"] / 2, "db": r["db"] / 2})),
        Mistake("the gradients are summed over the samples instead of averaged: divide by N, the loss is a mean.",
                _linreg_mistake(lambda r: {"dw": r["dw"] * r["N"], "db": r["db"] * r["N"]})),
        Mistake("the loss is a sum of squares; it should be the mean over the N samples.",
                _linreg_mistake(lambda r: {"loss": r["loss"] * r["N"]})),
        Mistake("you return the root of the mean squared error (RMSE); the loss here is the MSE itself.",
                _linreg_mistake(lambda r: {"loss": r["loss"].sqrt()})),
        Mistake("the gradients have the wrong sign: the residual is prediction − target, (X @ w + b) − y.",
                _linreg_mistake(lambda r: {"dw": -r["dw"], "db": -r["db"]})),
        Mistake("db is summed over the samples; like dw it is a mean: db = (2/N)·Σ(Xw + b − y).",
                _linreg_mistake(lambda r: {"db": r["db"] * r["N"]})),
        Mistake("db should be the mean of 2·residual, not zero or missing.",
                _linreg_mistake(lambda r: {"db": 0.0 * r["db"]})),
        Mistake("the prediction leaves out the bias: it is X @ w + b.",
                lambda case, ref: {k: v for k, v in _linreg_torch(*case.args, ref, with_bias=False).items()
                                   if k in ("loss", "dw")}),
    ),
    hint="with r = X @ w + b − y: loss = mean(r²), dw = (2/N)·Xᵀr (shape (D,)), db = (2/N)·Σr (a number).",
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
        seeds = [int(s) for s in rng.integers(0, 2**31, size=3)]
        cases.append(Case(label, (X, y, bs), data={"seeds": seeds}, arg_names=["X", "y", "batch_size"]))
    return cases


def _batch_sizes_ref(case, ref, drop_last=False):
    from torch.utils.data import BatchSampler, SequentialSampler

    n, bs = len(case.args[0]), case.args[2]
    sizes = [len(b) for b in BatchSampler(SequentialSampler(range(n)), bs, drop_last=drop_last)]
    return ref.torch.tensor(sizes, dtype=ref.torch.int64)


def _batch_sizes_split(case, ref):
    """The sizes np.array_split / torch.tensor_split give when asked for ceil(N / batch_size) parts."""
    n, bs = len(case.args[0]), case.args[2]
    parts = ref.torch.tensor_split(ref.torch.arange(n), -(-n // bs))
    return ref.torch.tensor([len(p) for p in parts], dtype=ref.torch.int64)


def _collect_batches(fn, X, y, bs, seed, call):
    """Call the student's minibatches inside the guard and read all it yields (a bounded number)."""
    limit = len(X) + _MAX_EXTRA_BATCHES

    def consume(X, y, batch_size, rng):
        out = fn(X, y, batch_size, rng)
        if out is None:
            return None
        try:
            it = iter(out)
        except TypeError:
            return ("not iterable", out)
        batches = []
        for item in it:
            batches.append(item)
            if len(batches) > limit:
                return ("too many", batches)
        return ("ok", batches)

    result = call(consume, X, y, bs, np.random.default_rng(seed), what="minibatches",
                  names=["X", "y", "batch_size", "rng"])
    if result is None:
        raise StudentError("`minibatches` returned None: `yield` each (X_batch, y_batch) pair, or return a list of them.")
    status, batches = result
    if status == "not iterable":
        raise StudentError(f"`minibatches` returned {describe(batches)}; it should yield (X_batch, y_batch) pairs "
                           f"(a generator with `yield`, or a list of pairs).")
    if status == "too many":
        raise StudentError(f"`minibatches` yielded more than {limit} batches for {len(X)} samples: does the loop "
                           f"stop after the last sample?")
    return batches


def _read_batches(batches, X, y):
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


def _minibatches_run(objects, case, call):
    fn = objects[0]
    X, y, bs = case.args
    n = len(X)
    seed_a, seed_b, seed_c = case.data["seeds"]
    ids = _read_batches(_collect_batches(fn, X, y, bs, seed_a, call), X, y)
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
    if _consecutive_blocks(ids, n) and all(
            _consecutive_blocks(_read_batches(_collect_batches(fn, X, y, bs, s, call), X, y), n, shuffled=False)
            for s in (seed_b, seed_c)):
        raise StudentError(
            "every batch holds consecutive rows of X (X[start:start + batch_size]); only the order of the batches "
            "is shuffled. Shuffle the samples themselves: idx = rng.permutation(len(X)), then cut idx into slices.")
    again = _read_batches(_collect_batches(fn, X, y, bs, seed_a, call), X, y)
    if len(again) != len(ids) or any(not np.array_equal(a, b) for a, b in zip(again, ids)):
        raise StudentError(
            "two generators with the same seed gave different batches: the order must come from the `rng` "
            "argument (rng.permutation(len(X))), not from np.random.shuffle, np.random.permutation or a new "
            "generator made inside the function.")
    if n >= 10:
        others = [np.concatenate(_read_batches(_collect_batches(fn, X, y, bs, s, call), X, y))
                  for s in (seed_b, seed_c)]
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
    lesson=LESSON,
    signature="minibatches(X, y, batch_size, rng)",
    cases=_minibatch_cases,
    reference=lambda case, ref: _batch_sizes_ref(case, ref),
    outputs=(Output("batch_sizes", kind="int"),),
    run=_minibatches_run,
    mistakes=(
        Mistake("the last, smaller batch is dropped: keep it, so that every sample is used once per epoch "
                "(loop `for start in range(0, N, batch_size)`).",
                lambda case, ref: _batch_sizes_ref(case, ref, drop_last=True)),
        Mistake("np.array_split spreads the samples evenly over the batches; here every batch is full "
                "(batch_size samples) but the last: slice idx[start:start + batch_size].",
                _batch_sizes_split),
    ),
    hint=("idx = rng.permutation(len(X)); for start in range(0, len(X), batch_size): take "
          "b = idx[start:start + batch_size] and yield X[b], y[b]."),
))


# =========================================================================== optimizers
# The functions the optimizers descend: fixed, differentiable, written in torch so that autograd gives
# the reference gradient. Each acts on the flattened parameter.
def _objective(spec, w, torch):
    """f(w) for the function described by ``spec`` (w a float64 tensor of any shape)."""
    kind, p = spec["kind"], spec
    flat = w.reshape(-1)
    if kind == "quadratic":
        a, c = p["a"], p["c"]
        val = 0.5 * (a * (flat - c) ** 2).sum()
    elif kind == "lsq":
        r = p["A"] @ flat - p["t"]
        val = 0.5 * (r ** 2).mean()
    elif kind == "logcosh":
        r = p["A"] @ flat - p["t"]
        val = torch.log(torch.cosh(r)).mean() + 0.05 * (flat ** 2).sum()
    elif kind == "rosenbrock":
        x, y = flat[0], flat[1]
        val = (1 - x) ** 2 + 100 * (y - x ** 2) ** 2
    else:  # pragma: no cover - the cases only use the kinds above
        raise ValueError(kind)
    return p.get("scale", 1.0) * val


def _tensors(spec, ref):
    return {k: (ref.t(v) if isinstance(v, np.ndarray) else v) for k, v in spec.items()}


def _grad_at(spec_t, w, ref):
    """∇f at w (a torch float64 tensor, no grad) as a tensor of w's shape."""
    wt = w.detach().clone().requires_grad_(True)
    (g,) = ref.torch.autograd.grad(_objective(spec_t, wt, ref.torch), wt)
    return g


def _problem(rng, kind, shape, *, scale=1.0, zero_grads=False, start_scale=1.0):
    n = int(np.prod(shape))
    spec = {"kind": kind, "scale": scale}
    if kind == "quadratic":
        a = np.exp(rng.uniform(np.log(0.05), np.log(4.0), size=n))
        if zero_grads:
            a[rng.permutation(n)[: max(1, n // 3)]] = 0.0
        spec.update(a=a, c=rng.normal(size=n))
    elif kind in ("lsq", "logcosh"):
        m = n + 3
        spec.update(A=rng.normal(size=(m, n)) / np.sqrt(n), t=rng.normal(size=m))
    w0 = rng.normal(scale=start_scale, size=shape)
    if kind == "rosenbrock":
        w0 = np.array([-1.2, 1.0]) + rng.normal(scale=0.05, size=2)
    return {"spec": spec, "w0": w0}


class _OptimizerInfo:
    """What the checks need to know about one optimizer class: its torch twin and its settings."""

    def __init__(self, name, cls_name, torch_name, defaults, torch_kwargs):
        self.name, self.cls_name, self.torch_name = name, cls_name, torch_name
        self.defaults = defaults  # the contract's keyword defaults (lr has none)
        self.torch_kwargs = torch_kwargs  # settings dict -> torch.optim keyword arguments

    def settings(self, kwargs):
        full = dict(self.defaults)
        full.update(kwargs)
        return full


_INFO = {
    "sgd": _OptimizerInfo("sgd", "SGD", "SGD", {}, lambda s: {"lr": s["lr"]}),
    "momentum": _OptimizerInfo("momentum", "Momentum", "SGD", {"momentum": 0.9},
                               lambda s: {"lr": s["lr"], "momentum": s["momentum"]}),
    "nesterov": _OptimizerInfo("nesterov", "Nesterov", "SGD", {"momentum": 0.9},
                               lambda s: {"lr": s["lr"], "momentum": s["momentum"], "nesterov": True}),
    "adagrad": _OptimizerInfo("adagrad", "AdaGrad", "Adagrad", {"eps": 1e-10},
                              lambda s: {"lr": s["lr"], "eps": s["eps"]}),
    "rmsprop": _OptimizerInfo("rmsprop", "RMSProp", "RMSprop", {"alpha": 0.99, "eps": 1e-8},
                              lambda s: {"lr": s["lr"], "alpha": s["alpha"], "eps": s["eps"]}),
    "adam": _OptimizerInfo("adam", "Adam", "Adam", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
                           lambda s: {"lr": s["lr"], "betas": (s["beta1"], s["beta2"]), "eps": s["eps"]}),
}

# The grid of settings per optimizer: (label, lr, keyword settings, problem kind, shape, options, steps).
_GRID = {
    "sgd": [
        ("SGD(lr=0.3), an ill-conditioned quadratic on w of shape (3, 5)", 0.3, {}, "quadratic", (3, 5), {}, 25),
        ("SGD(lr=0.1), least squares with coupled entries, w (4, 2)", 0.1, {}, "lsq", (4, 2), {}, 25),
        ("SGD(lr=0.5), w of shape (1,)", 0.5, {}, "quadratic", (1,), {}, 20),
        ("SGD(lr=0.001), Rosenbrock from near (-1.2, 1)", 0.001, {}, "rosenbrock", (2,), {}, 30),
    ],
    "momentum": [
        ("Momentum(lr=0.05) with the default momentum (0.9), quadratic on w (3, 5)", 0.05, {}, "quadratic",
         (3, 5), {}, 40),
        ("Momentum(lr=0.1, momentum=0.5), least squares, w (4, 2)", 0.1, {"momentum": 0.5}, "lsq", (4, 2), {}, 30),
        ("Momentum(lr=0.02, momentum=0.99), log-cosh regression, w (2, 3, 2)", 0.02, {"momentum": 0.99},
         "logcosh", (2, 3, 2), {}, 30),
        ("Momentum(lr=0.2, momentum=0.7), w of shape (1,)", 0.2, {"momentum": 0.7}, "quadratic", (1,), {}, 30),
        ("Momentum(lr=0.0005), Rosenbrock", 0.0005, {}, "rosenbrock", (2,), {}, 40),
    ],
    "adagrad": [
        ("AdaGrad(lr=0.5) with the default eps (1e-10), quadratic with some exactly-zero gradients, w (3, 4)",
         0.5, {}, "quadratic", (3, 4), {"zero_grads": True}, 30),
        ("AdaGrad(lr=0.3, eps=1e-10), least squares, w (5, 2)", 0.3, {"eps": 1e-10}, "lsq", (5, 2), {}, 30),
        ("AdaGrad(lr=0.1) with the default eps (1e-10), tiny gradients (f scaled by 1e-6), w (6,)", 0.1, {}, "quadratic", (6,),
         {"scale": 1e-6}, 25),
        ("AdaGrad(lr=0.2, eps=0.1), log-cosh regression, w (2, 3, 2)", 0.2, {"eps": 0.1}, "logcosh", (2, 3, 2),
         {}, 25),
        ("AdaGrad(lr=1.0), w of shape (1,)", 1.0, {}, "quadratic", (1,), {}, 20),
    ],
    "rmsprop": [
        ("RMSProp(lr=0.01) with the defaults alpha=0.99, eps=1e-8, quadratic, w (3, 5)", 0.01, {}, "quadratic",
         (3, 5), {}, 40),
        ("RMSProp(lr=0.03, alpha=0.9), least squares, w (4, 2)", 0.03, {"alpha": 0.9}, "lsq", (4, 2), {}, 20),
        ("RMSProp(lr=0.01, alpha=0.5), tiny gradients (f scaled by 1e-6), some exactly zero, w (6,)", 0.01,
         {"alpha": 0.5}, "quadratic", (6,), {"scale": 1e-6, "zero_grads": True}, 30),
        ("RMSProp(lr=0.03, alpha=0.8, eps=0.01), log-cosh regression, w (2, 3, 2)", 0.03,
         {"alpha": 0.8, "eps": 0.01}, "logcosh", (2, 3, 2), {}, 30),
        ("RMSProp(lr=0.1), w of shape (1,)", 0.1, {}, "quadratic", (1,), {}, 20),
    ],
    "adam": [
        ("Adam(lr=0.04) with the defaults beta1=0.9, beta2=0.999, eps=1e-8, quadratic, w (3, 5)", 0.04, {},
         "quadratic", (3, 5), {}, 30),
        ("Adam(lr=0.05, beta1=0.8, beta2=0.99), least squares, w (4, 2)", 0.05, {"beta1": 0.8, "beta2": 0.99},
         "lsq", (4, 2), {}, 30),
        ("Adam(lr=0.01) with the default eps (1e-8), tiny gradients (f scaled by 1e-6), some exactly zero, w (6,)", 0.01, {}, "quadratic",
         (6,), {"scale": 1e-6, "zero_grads": True}, 30),
        ("Adam(lr=0.05, beta1=0.5, beta2=0.9, eps=0.001), log-cosh regression, w (2, 3, 2)", 0.05,
         {"beta1": 0.5, "beta2": 0.9, "eps": 1e-3}, "logcosh", (2, 3, 2), {}, 30),
        ("Adam(lr=0.05), w of shape (1,)", 0.05, {}, "quadratic", (1,), {}, 20),
        ("Adam(lr=0.05), Rosenbrock", 0.05, {}, "rosenbrock", (2,), {}, 40),
    ],
}
_GRID["nesterov"] = [(label.replace("Momentum", "Nesterov"), *rest) for label, *rest in _GRID["momentum"]]

_PAIR_SETTINGS = {"sgd": (0.2, {}), "momentum": (0.05, {"momentum": 0.8}), "nesterov": (0.05, {"momentum": 0.8}),
                  "adagrad": (0.3, {}), "rmsprop": (0.02, {}), "adam": (0.05, {})}


def _optimizer_cases(name):
    info = _INFO[name]

    def cases(rng):
        out = []
        for label, lr, kwargs, kind, shape, options, steps in _GRID[name]:
            problem = _problem(rng, kind, shape, **options)
            out.append(Case(label + f", {steps} steps", data={
                "lr": lr, "kwargs": dict(kwargs), "problems": [problem], "steps": steps}))
        lr, kwargs = _PAIR_SETTINGS[name]
        pair = [_problem(rng, "quadratic", (2, 3)) for _ in range(2)]
        settings = ", ".join([f"lr={lr}"] + [f"{k}={v}" for k, v in kwargs.items()])
        out.append(Case(f"two {info.cls_name}({settings}) instances, one per parameter array (2, 3), stepped in "
                        f"turn, 20 steps each", data={"lr": lr, "kwargs": dict(kwargs), "problems": pair,
                                                      "steps": 20, "pair": True}))
        return out

    return cases


def _pack(trajectories, pair):
    """The outputs from one list of w's per problem (NumPy arrays or torch tensors): w after the first
    step, and w after every step (axis 0 the step; with two instances, axis 1 the instance)."""
    if isinstance(trajectories[0][0], np.ndarray):
        stacked = [np.stack(t) for t in trajectories]
        traj = np.stack(stacked, axis=1) if pair else stacked[0]
    else:
        import torch

        stacked = [torch.stack(t) for t in trajectories]
        traj = torch.stack(stacked, dim=1) if pair else stacked[0]
    return {"w_after_step_1": traj[0], "trajectory": traj}


def _optimizer_ref(name):
    info = _INFO[name]

    def reference(case, ref):
        torch = ref.torch
        settings = info.settings(dict(case.data["kwargs"], lr=case.data["lr"]))
        params, opts, specs = [], [], []
        for problem in case.data["problems"]:
            p = ref.t(problem["w0"], grad=True)
            params.append(p)
            opts.append(getattr(torch.optim, info.torch_name)([p], **info.torch_kwargs(settings)))
            specs.append(_tensors(problem["spec"], ref))
        trajectories = [[] for _ in params]
        for _ in range(case.data["steps"]):
            for p, opt, spec, traj in zip(params, opts, specs, trajectories):
                opt.zero_grad()
                _objective(spec, p, torch).backward()
                opt.step()
                traj.append(p.detach().clone())
        return _pack(trajectories, case.data.get("pair", False))

    return reference


def _simulate(name, rule, *, shared=False):
    """A Mistake's outputs: ``rule(state, w, g, s)`` -> new w, run (in torch) the way the check runs a student.

    ``state`` is a dict kept per instance (or one for all instances with ``shared``); it holds ``t``, the
    number of the current step counted from 1; ``s`` the settings with the contract's defaults.
    """
    info = _INFO[name]

    def outputs(case, ref):
        settings = info.settings(dict(case.data["kwargs"], lr=case.data["lr"]))
        problems = case.data["problems"]
        specs = [_tensors(p["spec"], ref) for p in problems]
        ws = [ref.t(p["w0"]) for p in problems]
        common = {"t": 0}
        states = [common if shared else {"t": 0} for _ in problems]
        trajectories = [[] for _ in problems]
        for _ in range(case.data["steps"]):
            for i, spec in enumerate(specs):
                g = _grad_at(spec, ws[i], ref)
                states[i]["t"] += 1
                ws[i] = rule(states[i], ws[i], g, settings)
                trajectories[i].append(ws[i].clone())
        return _pack(trajectories, case.data.get("pair", False))

    return outputs


def _zeros(state, key, like):
    if key not in state:
        state[key] = like * 0.0
    return state[key]


def _validate_class(cls_name):
    def validate(obj):
        if obj is None:
            raise StudentError(f"`{cls_name}` is None: run the cell that defines the class first.")
        if not isinstance(obj, type):
            if hasattr(obj, "step"):
                raise StudentError(f"pass the class `{cls_name}` itself, not an instance: "
                                   f"check(..., {cls_name}), not check(..., {cls_name}(0.1)).")
            raise StudentError(f"`{cls_name}` should be a class with a `step(w, grad)` method; "
                               f"it is {type(obj).__name__}.")
        if not callable(getattr(obj, "step", None)):
            raise StudentError(f"the class `{cls_name}` has no method `step(self, w, grad)`.")

    return validate


def _check_w(value, shape, what, k):
    if value is None:
        raise StudentError(f"`{what}` returned None on step {k}: it should return the new w "
                           f"(`return w - ...`), even when it updates w in place.")
    try:
        arr = as_array(value, f"what `{what}` returned on step {k}")
    except ValueError as e:
        raise StudentError(str(e)) from None
    if arr.shape != tuple(shape):
        raise StudentError(f"`{what}` returned an array of shape {arr.shape} on step {k}; the new w should "
                           f"have the shape of w, {tuple(shape)}.")
    return np.array(arr, dtype=arr.dtype if arr.dtype.kind == "f" else np.float64, copy=True)


def _optimizer_run(name):
    info = _INFO[name]

    def run(objects, case, call):
        from course.checks.reference import get_ref

        ref = get_ref()
        cls = objects[0]
        lr, kwargs = case.data["lr"], case.data["kwargs"]
        problems = case.data["problems"]
        instances = []
        for _ in problems:
            opt = call(cls, lr, what=info.cls_name, names=["lr"], **kwargs)
            if opt is None or not callable(getattr(opt, "step", None)):
                raise StudentError(f"`{info.cls_name}(...)` did not give an object with a `step` method.")
            instances.append(opt)
        specs = [_tensors(p["spec"], ref) for p in problems]
        ws = [np.array(p["w0"], copy=True) for p in problems]
        trajectories = [[] for _ in problems]
        for k in range(1, case.data["steps"] + 1):
            for i, (opt, spec) in enumerate(zip(instances, specs)):
                g = ref.np(_grad_at(spec, ref.t(ws[i]), ref))
                try:
                    new = call(opt.step, ws[i].copy(), g, what=f"{info.cls_name}.step", names=["w", "grad"],
                               mutable=("w",))
                except StudentError as e:
                    if "broadcast" not in str(e):
                        raise
                    raise StudentError(
                        f"{e} The state has a shape other than w's: if it comes from an earlier instance, your "
                        f"instances share their state (a class attribute or a global); keep it in `self`, "
                        f"created in __init__ or on the first step with the shape of w.") from None
                ws[i] = _check_w(new, problems[i]["w0"].shape, f"{info.cls_name}.step", k)
                trajectories[i].append(ws[i])
        return _pack(trajectories, case.data.get("pair", False))

    return run


_OPT_OUTPUTS = (Output("w_after_step_1"), Output("trajectory"))


def _register_optimizer(name, signature, mistakes, hint):
    info = _INFO[name]
    shared = Mistake(
        "your instances share their state (a class attribute or a global): keep the state of each parameter "
        "array in its own instance, in `self`, created in __init__ or on the first step.",
        _simulate(name, _RULES[name], shared=True), applies=lambda case: case.data.get("pair", False))
    register(Exercise(
        name=name,
        lesson=LESSON,
        signature=signature,
        objects=(info.cls_name,),
        cases=_optimizer_cases(name),
        reference=_optimizer_ref(name),
        outputs=_OPT_OUTPUTS,
        run=_optimizer_run(name),
        mistakes=(shared, *mistakes),
        hint=hint,
        validate=_validate_class(info.cls_name),
    ))


# --- the update rules of the plausible versions, in torch (right ones are here only to share state) ---
def _sgd_rule(state, w, g, s):
    return w - s["lr"] * g


def _momentum_rule(state, w, g, s, *, damp=False, ascent=False, lr_twice=False, old_velocity=False, reset=False,
                   nesterov=False):
    mu, lr = s["momentum"], s["lr"]
    if reset:
        state.pop("b", None)
    b_old = _zeros(state, "b", w)
    b = mu * b_old + ((1 - mu) * g if damp else g)
    state["b"] = b
    if nesterov:
        d = g + mu * b
    elif old_velocity:
        d = b_old
    else:
        d = b
    step = lr * d * (lr if lr_twice else 1.0)
    return w + step if ascent else w - step


def _adagrad_rule(state, w, g, s, *, plain=False, eps_inside=False, before=False, mean=False, no_sqrt=False,
                  reset=False):
    if reset:
        state.pop("r", None)
    r_old = _zeros(state, "r", w)
    r = r_old + (g if plain else g * g)
    state["r"] = r
    acc = r_old if before else (r / state["t"] if mean else r)
    if no_sqrt:
        denom = acc + s["eps"]
    elif eps_inside:
        denom = (acc + s["eps"]).sqrt()
    else:
        denom = acc.sqrt() + s["eps"]
    return w - s["lr"] * g / denom


def _rmsprop_rule(state, w, g, s, *, no_decay=False, adagrad=False, swapped=False, eps_inside=False,
                  bias_correct=False, init_square=False, no_sqrt=False):
    a = s["alpha"]
    if init_square and "r" not in state:
        state["r"] = g * g
    r_old = _zeros(state, "r", w)
    if adagrad:
        r = r_old + g * g
    elif no_decay:
        r = r_old + (1 - a) * g * g
    elif swapped:
        r = (1 - a) * r_old + a * g * g
    else:
        r = a * r_old + (1 - a) * g * g
    state["r"] = r
    acc = r / (1 - a ** state["t"]) if bias_correct else r
    if no_sqrt:
        denom = acc + s["eps"]
    elif eps_inside:
        denom = (acc + s["eps"]).sqrt()
    else:
        denom = acc.sqrt() + s["eps"]
    return w - s["lr"] * g / denom


def _adam_rule(state, w, g, s, *, correct1=True, correct2=True, t0=False, t_fixed=False, eps_inside=False,
               efficient=False, swapped=False, betas_swapped=False, overwrite=""):
    b1, b2 = (s["beta2"], s["beta1"]) if betas_swapped else (s["beta1"], s["beta2"])
    m_old, v_old = _zeros(state, "m", w), _zeros(state, "v", w)
    if swapped:
        m, v = (1 - b1) * m_old + b1 * g, (1 - b2) * v_old + b2 * g * g
    else:
        m, v = b1 * m_old + (1 - b1) * g, b2 * v_old + (1 - b2) * g * g
    state["m"], state["v"] = m, v
    t = 1 if t_fixed else (state["t"] - 1 if t0 else state["t"])
    c1, c2 = 1 - b1 ** t, 1 - b2 ** t
    if efficient:
        return w - s["lr"] * (c2 ** 0.5) / c1 * m / (v.sqrt() + s["eps"])
    m_hat = m / c1 if correct1 else m
    v_hat = v / c2 if correct2 else v
    if "m" in overwrite:
        state["m"] = m_hat
    if "v" in overwrite:
        state["v"] = v_hat
    denom = (v_hat + s["eps"]).sqrt() if eps_inside else v_hat.sqrt() + s["eps"]
    return w - s["lr"] * m_hat / denom


_RULES = {
    "sgd": _sgd_rule,
    "momentum": _momentum_rule,
    "nesterov": lambda state, w, g, s: _momentum_rule(state, w, g, s, nesterov=True),
    "adagrad": _adagrad_rule,
    "rmsprop": _rmsprop_rule,
    "adam": _adam_rule,
}


def _m(name, hint, rule, **kw):
    return Mistake(hint, _simulate(name, lambda st, w, g, s: rule(st, w, g, s, **kw)))


# ---------------------------------------------------------------- SGD
_register_optimizer("sgd", "SGD(lr)", (
    Mistake("w moves uphill: gradient descent subtracts, w − lr·grad.",
            _simulate("sgd", lambda st, w, g, s: w + s["lr"] * g)),
    Mistake("step returns the update −lr·grad; it should return the new w, w − lr·grad.",
            _simulate("sgd", lambda st, w, g, s: -s["lr"] * g)),
    Mistake("the learning rate is missing: w − lr·grad.",
            _simulate("sgd", lambda st, w, g, s: w - g)),
), hint="step(w, grad) returns w − lr·grad; SGD keeps no state besides lr.")

# ---------------------------------------------------------------- Momentum
_register_optimizer("momentum", "Momentum(lr, momentum=0.9)", (
    _m("momentum", "the velocity adds (1 − momentum)·grad (the running-average form); torch.optim.SGD adds the "
       "whole gradient: v = momentum·v + grad, w = w − lr·v (the lecture's v = αv − εg, w = w + v is the same).",
       _momentum_rule, damp=True),
    _m("momentum", "w moves uphill: with the lecture's velocity v = αv − lr·g the update is w = w + v; with "
       "torch's v = μv + g it is w = w − lr·v. Check the sign where v meets w.", _momentum_rule, ascent=True),
    _m("momentum", "the learning rate is applied twice: either put lr in the velocity (v = αv − lr·g, w = w + v) "
       "or in the update (v = μv + g, w = w − lr·v), not both.", _momentum_rule, lr_twice=True),
    _m("momentum", "w moves with the velocity of the previous step: update v first (v = μv + g), then move w "
       "with the new v (your first step does not move w at all).", _momentum_rule, old_velocity=True),
    _m("momentum", "the velocity does not survive from one step to the next, so every step is plain SGD: "
       "keep v in `self` (start it at zeros) and update it in place of a local variable.",
       _momentum_rule, reset=True),
    _m("momentum", "this is Nesterov's step (grad + momentum·v); plain momentum moves w by lr·v alone.",
       _momentum_rule, nesterov=True),
), hint="torch.optim.SGD with momentum: v = momentum·v + grad (v starts at 0), then w = w − lr·v.")

# ---------------------------------------------------------------- Nesterov
_register_optimizer("nesterov", "Nesterov(lr, momentum=0.9)", (
    _m("nesterov", "this is plain momentum (w = w − lr·v; grad + momentum·v with the velocity from before this "
       "step's update is the same thing): Nesterov's step looks ahead along the velocity, first "
       "v = momentum·v + grad, then w = w − lr·(grad + momentum·v) with that new v.", _momentum_rule),
    _m("nesterov", "the velocity adds (1 − momentum)·grad (the running-average form); torch's buffer adds the "
       "whole gradient: v = momentum·v + grad.",
       lambda st, w, g, s, **k: _nesterov_damped(st, w, g, s)),
    _m("nesterov", "the velocity does not survive from one step to the next: keep v in `self`.",
       lambda st, w, g, s: _momentum_rule(st, w, g, s, nesterov=True, reset=True)),
), hint=("torch.optim.SGD(nesterov=True): v = momentum·v + grad (v starts at 0), then "
         "w = w − lr·(grad + momentum·v)."))


def _nesterov_damped(state, w, g, s):
    mu = s["momentum"]
    b = mu * _zeros(state, "b", w) + (1 - mu) * g
    state["b"] = b
    return w - s["lr"] * (g + mu * b)


# ---------------------------------------------------------------- AdaGrad
_register_optimizer("adagrad", "AdaGrad(lr, eps=1e-10)", (
    _m("adagrad", "AdaGrad accumulates the squares of the gradients, r = r + grad², not the gradients "
       "themselves.", _adagrad_rule, plain=True),
    _m("adagrad", "eps belongs outside the square root: w = w − lr·grad / (sqrt(r) + eps), as in the lecture's "
       "Algorithm 8.4 and torch.optim.Adagrad.", _adagrad_rule, eps_inside=True),
    _m("adagrad", "add grad² to r before you divide: the current gradient is part of the sum it is scaled by.",
       _adagrad_rule, before=True),
    _m("adagrad", "AdaGrad sums the squared gradients; you average them over the steps.", _adagrad_rule, mean=True),
    _m("adagrad", "divide by the square root of r (plus eps), not by r itself.", _adagrad_rule, no_sqrt=True),
    _m("adagrad", "the sum of squares does not survive from one step to the next: keep r in `self` "
       "(start it at zeros).", _adagrad_rule, reset=True),
), hint="torch.optim.Adagrad: r = r + grad² (r starts at 0), then w = w − lr·grad / (sqrt(r) + eps).")

# ---------------------------------------------------------------- RMSProp
_register_optimizer("rmsprop", "RMSProp(lr, alpha=0.99, eps=1e-8)", (
    _m("rmsprop", "the average of squares is never decayed: multiply the old one by alpha, "
       "r = alpha·r + (1 − alpha)·grad².", _rmsprop_rule, no_decay=True),
    _m("rmsprop", "this accumulates like AdaGrad (r = r + grad²); RMSProp keeps a decaying average, "
       "r = alpha·r + (1 − alpha)·grad².", _rmsprop_rule, adagrad=True),
    _m("rmsprop", "alpha and 1 − alpha are swapped: alpha weighs the old average, r = alpha·r + (1 − alpha)·grad².",
       _rmsprop_rule, swapped=True),
    _m("rmsprop", "eps is inside the square root, sqrt(r + eps), as the lecture's Algorithm 8.5 writes it; "
       "torch.optim.RMSprop adds it outside: w = w − lr·grad / (sqrt(r) + eps).", _rmsprop_rule, eps_inside=True),
    _m("rmsprop", "RMSProp has no bias correction: divide by sqrt(r) + eps with r as it is.",
       _rmsprop_rule, bias_correct=True),
    _m("rmsprop", "r starts at zero, not at the first grad²: torch.optim.RMSprop initialises the average "
       "with zeros.", _rmsprop_rule, init_square=True),
    _m("rmsprop", "divide by the square root of r (plus eps), not by r itself.", _rmsprop_rule, no_sqrt=True),
), hint=("torch.optim.RMSprop: r = alpha·r + (1 − alpha)·grad² (r starts at 0), "
         "then w = w − lr·grad / (sqrt(r) + eps)."))

# ---------------------------------------------------------------- Adam
_register_optimizer("adam", "Adam(lr, beta1=0.9, beta2=0.999, eps=1e-8)", (
    _m("adam", "the bias correction is missing: use m̂ = m / (1 − beta1^t) and v̂ = v / (1 − beta2^t), with t = 1 "
       "on the first step.", _adam_rule, correct1=False, correct2=False),
    _m("adam", "only v is bias-corrected: correct m too, m̂ = m / (1 − beta1^t).", _adam_rule, correct1=False),
    _m("adam", "only m is bias-corrected: correct v too, v̂ = v / (1 − beta2^t).", _adam_rule, correct2=False),
    _m("adam", "t starts at 0, so the first step divides by 1 − beta^0 = 0: count t from 1 (increment it before "
       "the bias correction).", _adam_rule, t0=True),
    _m("adam", "t never grows: increment the step count t in `self` on every step.", _adam_rule, t_fixed=True),
    _m("adam", "eps is inside the square root, sqrt(v̂ + eps); torch.optim.Adam (and the lecture's Algorithm 8.7) "
       "adds it outside: m̂ / (sqrt(v̂) + eps).", _adam_rule, eps_inside=True),
    _m("adam", "you folded the bias corrections into the step size (lr·sqrt(1 − beta2^t)/(1 − beta1^t)), which "
       "also scales eps; torch.optim.Adam adds eps to sqrt(v̂): compute m̂ / (sqrt(v̂) + eps).",
       _adam_rule, efficient=True),
    _m("adam", "the weights of the running averages are swapped: m = beta1·m + (1 − beta1)·grad and "
       "v = beta2·v + (1 − beta2)·grad².", _adam_rule, swapped=True),
    _m("adam", "beta1 and beta2 are swapped: beta1 belongs to the average of gradients m, beta2 to the average "
       "of squares v.", _adam_rule, betas_swapped=True),
    *(_m("adam", "the bias-corrected m̂ or v̂ is stored back into m or v (m = m / (1 − beta1^t)), so the next "
         "step averages corrected values: keep m and v as the plain running averages and compute m̂ and v̂ in "
         "local variables.", _adam_rule, overwrite=which) for which in ("mv", "m", "v")),
), hint=("torch.optim.Adam: t = t + 1; m = beta1·m + (1 − beta1)·grad; v = beta2·v + (1 − beta2)·grad²; "
         "m̂ = m/(1 − beta1^t); v̂ = v/(1 − beta2^t); w = w − lr·m̂/(sqrt(v̂) + eps)."))
