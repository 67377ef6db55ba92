"""Lesson 06 training runs and demos: MNIST tensors, a training loop with a progress bar, accuracy,
a timing helper, and a random Go position in the lecture's encoding."""
from __future__ import annotations

import time

import numpy as np


def to_tensor(images, device=None):
    """MNIST images (N, 28, 28) of 0..255 as a standardized float32 tensor (N, 1, 28, 28) on ``device``."""
    import torch

    x = (torch.tensor(np.asarray(images), dtype=torch.float32) / 255 - 0.1307) / 0.3081
    return x.unsqueeze(1).to(device)


def predict(model, X, batch_size=2000):
    """The predicted class of every row of X (the model in eval mode, no gradients)."""
    import torch

    model.eval()
    with torch.no_grad():
        return torch.cat([model(X[i:i + batch_size]).argmax(1) for i in range(0, len(X), batch_size)])


def accuracy(model, X, y):
    return (predict(model, X) == y).float().mean().item()


def train(model, X, y, epochs=5, lr=3e-3, batch_size=64, augment=None, desc="training", seed=0):
    """Adam with a one-cycle schedule over mini-batches, a tqdm bar showing the loss; returns the model.

    ``augment``, if given, transforms each batch first. The model moves to X's device.
    """
    import torch
    import torch.nn.functional as F
    from tqdm.auto import tqdm

    torch.manual_seed(seed)
    model = model.to(X.device)
    steps = (len(X) + batch_size - 1) // batch_size
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * steps)
    bar = tqdm(total=epochs * steps, desc=desc)
    losses = []
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(X), device=X.device)
        for i in range(0, len(X), batch_size):
            idx = order[i:i + batch_size]
            xb = X[idx] if augment is None else augment(X[idx])
            loss = F.cross_entropy(model(xb), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            schedule.step()
            bar.update(1)
            losses.append(loss.item())
        bar.set_postfix(epoch=epoch + 1, loss=f"{loss.item():.3f}")
    bar.close()
    model.losses = losses
    return model


def best_time(fn, repeat=3):
    """The best wall time of ``repeat`` calls of fn, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def new_head(model, classes):
    """Replace the model's last linear layer by a fresh one with ``classes`` outputs (transfer learning)."""
    import torch.nn as nn

    name = [n for n, m in model.named_modules() if isinstance(m, nn.Linear)][-1]
    *parent, last = name.split(".")
    owner = model.get_submodule(".".join(parent)) if parent else model
    setattr(owner, last, nn.Linear(getattr(owner, last).in_features, classes))
    return model


def random_board(stones=60, seed=0, size=19):
    """A random Go position in the lecture's encoding: black 1, white −1, empty 0 (alternating moves)."""
    rng = np.random.default_rng(seed)
    board = np.zeros((size, size), dtype=int)
    points = rng.choice(size * size, size=stones, replace=False)
    for k, p in enumerate(points):
        board[divmod(int(p), size)] = 1 if k % 2 == 0 else -1
    return board


def board_planes(board):
    """Three of AlphaGo's 48 input planes: the player's stones, the opponent's, the empty points (19×19 each)."""
    board = np.asarray(board)
    return np.stack([board == 1, board == -1, board == 0]).astype(np.float32)
