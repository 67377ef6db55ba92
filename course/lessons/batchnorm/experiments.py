"""Training runs and demos of lesson 05: the lecture's Keras model in PyTorch, its training, a small overfitting
network trained with and without dropout and weight decay, and the batch-norm backward demo.

:func:`build_lecture_model` and :func:`keras_summary`, :func:`train_classifier`, :func:`accuracy`,
:func:`train_with_validation`, :func:`weight_norm`, :func:`backward_demo`.
"""
from __future__ import annotations

import time

import numpy as np

from course.checks.reference import one_thread

from .lecture import LECTURE_CONVS


# --------------------------------------------------------------------------- the lecture's Keras model
def build_lecture_model(batchnorm=True):
    """The lecture's Keras model in PyTorch: six 2×2 convolutions with sigmoid (each followed by
    BatchNorm2d when ``batchnorm``), Flatten, Dense(128, sigmoid), Dense(10).

    The last layer returns logits: Keras's softmax is inside ``F.cross_entropy`` here.
    """
    import torch.nn as nn

    layers, channels = [], 1
    for filters, stride in LECTURE_CONVS:
        layers += [nn.Conv2d(channels, filters, kernel_size=2, stride=stride), nn.Sigmoid()]
        if batchnorm:
            layers.append(nn.BatchNorm2d(filters))
        channels = filters
    layers += [nn.Flatten(), nn.Linear(128 * 5 * 5, 128), nn.Sigmoid(), nn.Linear(128, 10)]
    return nn.Sequential(*layers)


def keras_summary(model, input_shape=(1, 28, 28)):
    """A Keras-style table of a Sequential model and its totals.

    "Param #" counts parameters plus running statistics (what Keras shows); returns a dict with
    ``total``, ``trainable``, ``non_trainable`` (Keras's three lines) and ``buffers`` (every buffer
    PyTorch keeps, ``num_batches_tracked`` included).
    """
    import torch

    rows, x = [], torch.zeros(1, *input_shape)
    totals = {"trainable": 0, "non_trainable": 0, "buffers": 0}
    with torch.no_grad():
        model.eval()
        for i, layer in enumerate(model):
            x = layer(x)
            if isinstance(layer, torch.nn.Sigmoid):
                continue
            trainable = sum(p.numel() for p in layer.parameters() if p.requires_grad)
            stats = sum(b.numel() for n, b in layer.named_buffers() if n.startswith("running_"))
            totals["trainable"] += trainable
            totals["non_trainable"] += stats
            totals["buffers"] += sum(b.numel() for b in layer.buffers())
            rows.append((f"{i}: {type(layer).__name__}", str(tuple(["N", *x.shape[1:]])).replace("'", ""),
                         trainable + stats))
        model.train()
    print(f"{'Layer (type)':<24}{'Output shape':<22}{'Param #':>10}")
    print("=" * 56)
    for name, shape, n in rows:
        print(f"{name:<24}{shape:<22}{n:>10,}")
    print("=" * 56)
    totals["total"] = totals["trainable"] + totals["non_trainable"]
    print(f"Total params: {totals['total']:,}\nTrainable params: {totals['trainable']:,}\n"
          f"Non-trainable params: {totals['non_trainable']:,}")
    return totals


# --------------------------------------------------------------------------- training
def train_classifier(model, X, y, steps=40, batch_size=32, lr=1e-3, seed=0, device=None, desc="training"):
    """Adam on cross-entropy for ``steps`` mini-batches drawn from (X, y); returns the loss of each step.

    X: float (N, 1, 28, 28) array or tensor, y: int labels (N,). Runs on ``device`` (default course.device()).
    """
    import torch
    from tqdm.auto import tqdm

    from course import device as course_device

    dev = device or course_device()
    torch.manual_seed(seed)
    model.to(dev).train()
    X = torch.as_tensor(X, dtype=torch.float32, device=dev)
    y = torch.as_tensor(y, dtype=torch.int64, device=dev)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    losses = []
    with one_thread(dev.type == "cpu"):
        for _ in tqdm(range(steps), desc=desc):
            idx = torch.randint(len(y), (batch_size,), generator=gen).to(dev)
            loss = torch.nn.functional.cross_entropy(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return np.array(losses)


def accuracy(model, X, y, device=None, batch_size=500):
    """The fraction of (X, y) the model classifies right, in evaluation mode."""
    import torch

    from course import device as course_device

    dev = device or course_device()
    model.to(dev).eval()
    right = 0
    with torch.no_grad(), one_thread(dev.type == "cpu"):
        for i in range(0, len(y), batch_size):
            xb = torch.as_tensor(X[i:i + batch_size], dtype=torch.float32, device=dev)
            right += int((model(xb).argmax(1).cpu().numpy() == np.asarray(y[i:i + batch_size])).sum())
    model.train()
    return right / len(y)



def train_with_validation(model, X_train, y_train, X_val, y_val, epochs=100, lr=1e-3, weight_decay=0.0,
                          seed=0, device=None, desc="epochs"):
    """Full-batch Adam for ``epochs``, with L2 ``weight_decay`` (λ: the gradient gets + λ·w, as
    ``torch.optim.Adam(weight_decay=λ)`` does); returns per-epoch ``train`` and ``val`` losses and accuracies,
    the weight norm after each epoch (``norm``) and the epoch of the lowest validation loss (``best_epoch``)."""
    import torch

    from course import device as course_device

    dev = device or course_device()
    torch.manual_seed(seed)
    model.to(dev)
    Xt, yt = (torch.as_tensor(a, device=dev) for a in (np.asarray(X_train, np.float32), np.asarray(y_train)))
    Xv, yv = (torch.as_tensor(a, device=dev) for a in (np.asarray(X_val, np.float32), np.asarray(y_val)))
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    hist = {"train": [], "val": [], "train_acc": [], "val_acc": [], "norm": []}
    with one_thread(dev.type == "cpu"):
        _epochs(model, opt, Xt, yt, Xv, yv, epochs, hist, desc)
    hist = {k: np.array(v) for k, v in hist.items()}
    hist["best_epoch"] = int(np.argmin(hist["val"])) + 1
    return hist


def _epochs(model, opt, Xt, yt, Xv, yv, epochs, hist, desc):
    import torch
    from tqdm.auto import tqdm

    F = torch.nn.functional
    for _ in tqdm(range(epochs), desc=desc):
        model.train()
        loss = F.cross_entropy(model(Xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            lt, lv = model(Xt), model(Xv)
            hist["train"].append(F.cross_entropy(lt, yt).item())
            hist["val"].append(F.cross_entropy(lv, yv).item())
            hist["train_acc"].append((lt.argmax(1) == yt).float().mean().item())
            hist["val_acc"].append((lv.argmax(1) == yv).float().mean().item())
            hist["norm"].append(weight_norm(model))


def weight_norm(model):
    """The Euclidean norm of all weight matrices of a model (biases and batch-norm parameters left out)."""
    return float(sum(float((p.detach() ** 2).sum()) for n, p in model.named_parameters() if n.endswith("weight")
                     and p.dim() > 1) ** 0.5)


def _one_line_backward(x, gamma, dout, eps=1e-5):
    """The one-line batch-norm backward, from the forward's inputs (so it needs nobody's cache)."""
    m = x.shape[0]
    std = np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) / std
    dx = gamma / (m * std) * (m * dout - dout.sum(0) - x_hat * (dout * x_hat).sum(0))
    return dx, (dout * x_hat).sum(0), dout.sum(0)


def backward_demo(batchnorm_forward, batchnorm_backward, n=512, d=256, seed=1):
    """Your backward (on the cache your forward built, whatever it holds) and the one-line form, against autograd.

    Returns one row per method: (name, milliseconds, max |dx − autograd|, max |dgamma − autograd|).
    """
    import torch

    rng = np.random.default_rng(seed)
    x, dout = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    gamma, beta = rng.uniform(0.5, 2, d), rng.normal(size=d)
    state = {"running_mean": np.zeros(d), "running_var": np.ones(d)}
    _, cache = batchnorm_forward(x, gamma, beta, state)
    xt, gt, bt = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    with one_thread():
        torch.nn.functional.batch_norm(xt, None, None, gt, bt, training=True).backward(torch.tensor(dout))
    rows = []
    for name, fn in (("yours", lambda: batchnorm_backward(dout, cache)),
                     ("one line", lambda: _one_line_backward(x, gamma, dout))):
        start = time.perf_counter()
        dx, dgamma, _ = fn()
        ms = 1000 * (time.perf_counter() - start)
        rows.append((name, ms, float(np.abs(dx - xt.grad.numpy()).max()),
                     float(np.abs(dgamma - gt.grad.numpy()).max())))
    return rows
