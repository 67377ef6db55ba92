"""Small PyTorch training helpers shared by the lessons' experiments and the labs."""
from __future__ import annotations


def train_epoch(net, opt, loss_fn, X, y, batch_size: int, generator=None) -> float:
    """One pass of mini-batch training over the tensors ``X`` (N, ...) and ``y`` (N,) in a random order.

    ``loss_fn(net(X_batch)[:, 0], y_batch)`` is minimised with ``opt``; the order comes from
    ``generator`` (a ``torch.Generator``). Returns the mean loss over the samples of the pass.
    """
    import torch

    net.train()
    perm = torch.randperm(len(X), generator=generator).to(X.device)
    total = 0.0
    for k in range(0, len(perm), batch_size):
        idx = perm[k:k + batch_size]
        loss = loss_fn(net(X[idx])[:, 0], y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += float(loss.detach()) * len(idx)
    return total / len(X)
