"""The lecture's data and model, and the training helpers of the lesson's experiments.

:data:`LECTURE_BATCH` (the digits the lecture normalizes), :func:`build_lecture_model` and
:func:`keras_summary` (the lecture's Keras model in PyTorch), :func:`train_classifier`, :func:`accuracy`,
:func:`train_with_validation` and :func:`early_stopping_epoch`.
"""
from __future__ import annotations

import contextlib

import numpy as np

#: The 10×10 table of digits the lecture normalizes, read as a batch of 10 samples with 10 features.
LECTURE_BATCH = np.array([
    [3, 4, 2, 1, 9, 5, 6, 2, 1, 8],
    [8, 9, 1, 2, 3, 0, 0, 6, 6, 4],
    [6, 7, 0, 1, 6, 3, 6, 3, 7, 0],
    [3, 7, 7, 9, 4, 6, 6, 1, 8, 2],
    [2, 9, 3, 4, 3, 9, 8, 7, 2, 5],
    [1, 5, 9, 8, 3, 6, 5, 7, 2, 3],
    [9, 3, 1, 9, 1, 5, 8, 0, 8, 4],
    [5, 6, 2, 6, 8, 5, 8, 8, 9, 9],
    [3, 7, 7, 0, 9, 4, 8, 5, 4, 3],
    [7, 9, 6, 4, 1, 0, 6, 9, 2, 3],
], dtype=float)


@contextlib.contextmanager
def _one_thread(active=True):
    """Run small CPU work on one thread, then restore the setting.

    Tiny tensors gain nothing from a thread pool, and on a busy machine the pool's threads wait for
    each other: a (6, 4) batch norm can take 0.1 s instead of 10 µs, a small training step 10× longer.
    """
    import torch

    before = torch.get_num_threads()
    change = active and before != 1
    if change:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if change:
            torch.set_num_threads(before)


# --------------------------------------------------------------------------- the lecture's Keras model
#: (filters, stride) of the six 2×2 convolutions in the lecture's model.
LECTURE_CONVS = ((32, 1), (64, 1), (128, 2), (32, 1), (64, 1), (128, 2))


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
    with _one_thread(dev.type == "cpu"):
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
    with torch.no_grad(), _one_thread(dev.type == "cpu"):
        for i in range(0, len(y), batch_size):
            xb = torch.as_tensor(X[i:i + batch_size], dtype=torch.float32, device=dev)
            right += int((model(xb).argmax(1).cpu().numpy() == np.asarray(y[i:i + batch_size])).sum())
    model.train()
    return right / len(y)



def train_with_validation(model, X_train, y_train, X_val, y_val, epochs=100, lr=1e-3, weight_decay=0.0,
                          seed=0, device=None, desc="epochs"):
    """Full-batch Adam for ``epochs``; returns a dict of per-epoch ``train`` and ``val`` losses and accuracies,
    and the weights of the epoch with the lowest validation loss (``best_state``, ``best_epoch``)."""
    import torch

    from course import device as course_device

    dev = device or course_device()
    torch.manual_seed(seed)
    model.to(dev)
    Xt, yt = (torch.as_tensor(a, device=dev) for a in (np.asarray(X_train, np.float32), np.asarray(y_train)))
    Xv, yv = (torch.as_tensor(a, device=dev) for a in (np.asarray(X_val, np.float32), np.asarray(y_val)))
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    hist = {"train": [], "val": [], "train_acc": [], "val_acc": []}
    with _one_thread(dev.type == "cpu"):
        best_epoch, best_state = _epochs(model, opt, Xt, yt, Xv, yv, epochs, hist, desc)
    hist = {k: np.array(v) for k, v in hist.items()}
    hist["best_epoch"], hist["best_state"] = best_epoch, best_state
    return hist


def _epochs(model, opt, Xt, yt, Xv, yv, epochs, hist, desc):
    import copy

    import torch
    from tqdm.auto import tqdm

    best, best_epoch, best_state = float("inf"), 0, None
    for epoch in tqdm(range(epochs), desc=desc):
        model.train()
        loss = torch.nn.functional.cross_entropy(model(Xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            lt, lv = model(Xt), model(Xv)
            hist["train"].append(torch.nn.functional.cross_entropy(lt, yt).item())
            hist["val"].append(torch.nn.functional.cross_entropy(lv, yv).item())
            hist["train_acc"].append((lt.argmax(1) == yt).float().mean().item())
            hist["val_acc"].append((lv.argmax(1) == yv).float().mean().item())
        if hist["val"][-1] < best:
            best, best_epoch, best_state = hist["val"][-1], epoch, copy.deepcopy(model.state_dict())
    return best_epoch, best_state


def early_stopping_epoch(val_losses, patience=10):
    """The epoch training would stop at: the first time the validation loss has not improved for
    ``patience`` epochs (or the last epoch); returns (stop_epoch, best_epoch)."""
    best, best_epoch = float("inf"), 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return epoch, best_epoch
    return len(val_losses) - 1, best_epoch
