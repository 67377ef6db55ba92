"""Training runs of lab 1: the same network in PyTorch, one Adam step of ``nn.Sequential`` from given
weights, and drivers for k-fold cross-validation and learning curves that take the student's functions."""
from __future__ import annotations

import numpy as np

from course.training import train_epoch


def _sequential(sizes):
    import torch.nn as nn

    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def torch_adam_step(params: dict, X, y, lr=1e-3):
    """One Adam step of ``nn.Sequential(Linear, ReLU, ..., Linear)`` on the MSE, from the given weights.

    ``params``: ``W1`` (D, H1), ``b1``, ``W2``, ... as the NumPy network keeps them (W as in @ W).
    Returns ``(loss, new_params)``: the loss before the step and the weights after it, in NumPy, float64.
    """
    import torch

    n = len([k for k in params if k.startswith("W")])
    sizes = [params["W1"].shape[0]] + [params[f"W{i}"].shape[1] for i in range(1, n + 1)]
    net = _sequential(sizes).double()
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for i, lin in enumerate(linears, 1):
            lin.weight.copy_(torch.as_tensor(params[f"W{i}"]).T)
            lin.bias.copy_(torch.as_tensor(params[f"b{i}"]))
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    out = net(torch.as_tensor(X, dtype=torch.float64))[:, 0]
    loss = torch.nn.functional.mse_loss(out, torch.as_tensor(y, dtype=torch.float64))
    opt.zero_grad()
    loss.backward()
    opt.step()
    new = {}
    for i, lin in enumerate(linears, 1):
        new[f"W{i}"] = lin.weight.detach().T.numpy().copy()
        new[f"b{i}"] = lin.bias.detach().numpy().copy()
    return float(loss.detach()), new


def train_torch_mlp(X_train, y_train, X_val, y_val, hidden=64, lr=3e-3, epochs=300, batch_size=32,
                    patience=30, seed=0, device=None, progress=True):
    """The lab's network in PyTorch: 2 hidden ReLU layers, Adam on the MSE of standardized prices,
    mini-batches, early stopping on the validation MAE (the best weights are kept).

    X arrays are already standardized; y in $1000s. Returns ``(predict, history)``: ``predict(X)`` gives
    prices in $1000s as NumPy, ``history`` holds ``train_mae``, ``val_mae`` per epoch and ``best_epoch``.
    """
    import torch
    from tqdm.auto import tqdm

    import course

    device = device or course.device()
    torch.manual_seed(seed)
    y_mean, y_std = float(np.mean(y_train)), float(np.std(y_train))
    t = lambda a: torch.as_tensor(np.asarray(a), dtype=torch.float32, device=device)  # noqa: E731
    Xt, yt, Xv = t(X_train), t((np.asarray(y_train) - y_mean) / y_std), t(X_val)
    net = _sequential([Xt.shape[1], hidden, hidden, 1]).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    history = {"train_mae": [], "val_mae": []}
    best, best_state, wait = np.inf, None, 0

    def predict(X):
        with torch.no_grad():
            return net(t(X))[:, 0].cpu().numpy().astype(np.float64) * y_std + y_mean

    bar = tqdm(range(epochs), desc="PyTorch MLP", disable=not progress, leave=False)
    for epoch in bar:
        train_epoch(net, opt, torch.nn.functional.mse_loss, Xt, yt, batch_size, gen)
        net.eval()
        train_mae = float(np.mean(np.abs(predict(X_train) - y_train)))
        val_mae = float(np.mean(np.abs(predict(X_val) - y_val)))
        history["train_mae"].append(train_mae)
        history["val_mae"].append(val_mae)
        bar.set_postfix(val_mae=f"{val_mae:.2f}")
        if val_mae < best:
            best, wait, history["best_epoch"] = val_mae, 0, epoch + 1
            best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        else:
            wait += 1
            if wait > patience:
                break
    bar.close()
    net.load_state_dict(best_state)
    return predict, history


def cross_validate(fit_predict, X, y, folds, metrics, progress=True, desc="k-fold"):
    """Run ``fit_predict(X_tr, y_tr, X_val) -> predictions`` on every ``(train_idx, val_idx)`` of ``folds``
    and score it with ``metrics(y_true, y_pred) -> dict``. Returns a dict of arrays, one value per fold."""
    from tqdm.auto import tqdm

    scores = {}
    for train_idx, val_idx in tqdm(folds, desc=desc, disable=not progress, leave=False):
        pred = fit_predict(X[train_idx], y[train_idx], X[val_idx])
        for k, v in metrics(y[val_idx], pred).items():
            scores.setdefault(k, []).append(float(v))
    return {k: np.array(v) for k, v in scores.items()}


def learning_curve(fit_predict, X, y, X_val, y_val, sizes, metric, seed=0, progress=True, desc="learning curve"):
    """Train on the first ``n`` of a shuffled copy of ``(X, y)`` for each ``n`` in ``sizes``; return
    ``{"train": [...], "val": [...]}`` of ``metric(y_true, y_pred)`` on the rows used and on ``X_val``."""
    from tqdm.auto import tqdm

    perm = np.random.default_rng(seed).permutation(len(X))
    out = {"train": [], "val": []}
    for n in tqdm(sizes, desc=desc, disable=not progress, leave=False):
        idx = perm[:n]
        both = fit_predict(X[idx], y[idx], np.vstack([X[idx], X_val]))
        out["train"].append(float(metric(y[idx], both[:n])))
        out["val"].append(float(metric(y_val, both[n:])))
    return out
