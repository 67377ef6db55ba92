"""Training runs of lab 2: stratified folds from the student's ``kfold_indices``, repeated k-fold
cross-validation, and the same models in PyTorch (logistic regression, a small network with dropout and
weight decay)."""
from __future__ import annotations

import numpy as np

from course.training import train_epoch


def stratified_folds(y, k, kfold_indices, rng):
    """k ``(train_idx, val_idx)`` pairs whose validation folds keep the class shares of ``y``: the student's
    ``kfold_indices`` splits each class's rows, and fold i joins the classes' i-th parts."""
    y = np.asarray(y)
    parts = []
    for c in np.unique(y):
        rows = np.flatnonzero(y == c)
        parts.append([(rows[np.asarray(tr, dtype=int)], rows[np.asarray(va, dtype=int)])
                      for tr, va in kfold_indices(len(rows), k, rng)])
    folds = []
    for i in range(k):
        val = np.sort(np.concatenate([p[i][1] for p in parts]))
        train = np.setdiff1d(np.arange(len(y)), val)
        folds.append((train, val))
    return folds


def repeated_cv(fit_proba, X, y, k, repeats, kfold_indices, scorers: dict, seed=0, progress=True, desc="CV"):
    """Repeated stratified k-fold: ``fit_proba(X_tr, y_tr, X_val) -> probabilities``, scored by each
    ``scorers[name](y_true, p)``. Returns name -> array of k · repeats fold scores."""
    from tqdm.auto import tqdm

    rng = np.random.default_rng(seed)
    folds = [f for _ in range(repeats) for f in stratified_folds(y, k, kfold_indices, rng)]
    scores = {name: [] for name in scorers}
    for train, val in tqdm(folds, desc=desc, disable=not progress, leave=False):
        p = fit_proba(X[train], y[train], X[val])
        for name, fn in scorers.items():
            scores[name].append(float(fn(y[val], p)))
    return {name: np.array(v) for name, v in scores.items()}


def _tensor(a, device):
    import torch

    return torch.as_tensor(np.asarray(a), dtype=torch.float32, device=device)


def train_torch_logistic(X, y, lr=0.1, epochs=500, device=None):
    """Logistic regression in PyTorch: ``nn.Linear(D, 1)`` from zeros, full-batch SGD on
    ``binary_cross_entropy_with_logits``. Returns ``predict_proba(X) -> (M,)`` in NumPy."""
    import torch

    import course

    device = device or course.device()
    lin = torch.nn.Linear(X.shape[1], 1).to(device)
    torch.nn.init.zeros_(lin.weight)
    torch.nn.init.zeros_(lin.bias)
    opt = torch.optim.SGD(lin.parameters(), lr=lr)
    Xt, yt = _tensor(X, device), _tensor(y, device)
    for _ in range(epochs):
        loss = torch.nn.functional.binary_cross_entropy_with_logits(lin(Xt)[:, 0], yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return lambda Xn: torch.sigmoid(lin(_tensor(Xn, device))[:, 0]).detach().cpu().numpy().astype(np.float64)


def train_torch_mlp(X, y, hidden=16, dropout=0.2, weight_decay=1e-3, lr=3e-3, epochs=60, batch_size=32, seed=0,
                    device=None, progress=True):
    """A small network in PyTorch: Linear(D, hidden), ReLU, Dropout, Linear(hidden, 1), Adam with weight decay
    on the cross-entropy, mini-batches. Returns ``(predict_proba, losses)``, the mean loss of each epoch."""
    import torch
    from tqdm.auto import tqdm

    import course

    device = device or course.device()
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(X.shape[1], hidden), torch.nn.ReLU(), torch.nn.Dropout(dropout),
                              torch.nn.Linear(hidden, 1)).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=weight_decay)
    Xt, yt = _tensor(X, device), _tensor(y, device)
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for _ in tqdm(range(epochs), desc="PyTorch network", disable=not progress, leave=False):
        losses.append(train_epoch(net, opt, torch.nn.functional.binary_cross_entropy_with_logits, Xt, yt,
                                  batch_size, gen))
    net.eval()

    def predict_proba(Xn):
        with torch.no_grad():
            return torch.sigmoid(net(_tensor(Xn, device))[:, 0]).cpu().numpy().astype(np.float64)

    return predict_proba, losses
