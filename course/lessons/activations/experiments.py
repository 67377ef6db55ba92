"""Lesson 03 experiments in torch: gradient norms per layer of a deep MLP (the vanishing and the exploding
gradient), the sigmoid chain's bound, gradient clipping, and the dying-ReLU training runs.

Tiny CPU networks run on one torch thread (:func:`course.checks.reference.one_thread`): faster than
several for these sizes, and immune to a busy machine.
"""
from __future__ import annotations

import numpy as np

from course.checks.reference import one_thread

# --------------------------------------------------------------------------- vanishing gradient
def deep_mlp(activation, depth=20, width=64, d_in=784, d_out=10, init="kaiming", seed=0, gain=1.0):
    """A plain deep MLP: ``depth`` hidden Linear layers of ``width`` units, each followed by ``activation``
    (a name from :data:`.plots.NAMES`), and a Linear output layer. ``init="kaiming"`` draws the weights with
    He's normal initialisation (times ``gain``) and zero biases; ``"default"`` keeps PyTorch's."""
    import torch
    from torch import nn

    acts = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "leaky_relu": nn.LeakyReLU,
            "elu": nn.ELU, "mish": nn.Mish}
    torch.manual_seed(seed)
    layers, d = [], d_in
    for _ in range(depth):
        lin = nn.Linear(d, width)
        if init == "kaiming":
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
            with torch.no_grad():
                lin.weight.mul_(gain)
            nn.init.zeros_(lin.bias)
        layers += [lin, acts[activation]()]
        d = width
    layers.append(nn.Linear(d, d_out))
    return nn.Sequential(*layers)


def gradient_norms(activation, X, y, depth=20, width=64, init="kaiming", seed=0, device=None, gain=1.0):
    """The norm of the loss gradient with respect to each Linear layer's weights, first layer first,
    for one cross-entropy backward pass of :func:`deep_mlp` on (X, y)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    from course import device as course_device

    dev = device or course_device()
    with one_thread(dev.type == "cpu"):
        model = deep_mlp(activation, depth, width, X.shape[1], int(y.max()) + 1, init, seed, gain).to(dev)
        Xt = torch.as_tensor(X, dtype=torch.float32, device=dev)
        yt = torch.as_tensor(y, dtype=torch.int64, device=dev)
        F.cross_entropy(model(Xt), yt).backward()
    return np.array([m.weight.grad.norm().item() for m in model if isinstance(m, nn.Linear)])


def sigmoid_chain_bound(L):
    """The lecture's chain of L one-neuron sigmoid layers: the product of the L-1 factors S'(h_i) is at
    most (1/4)^(L-1)."""
    return 0.25 ** (np.asarray(L) - 1)


# --------------------------------------------------------------------------- exploding gradient, clipping
def clipping_experiment(X, y, gain=1.5, clips=(None, 1.0), steps=40, lr=0.01, batch_size=64, depth=20, seed=0,
                        progress=True):
    """SGD on the 20-layer ReLU MLP whose He weights are multiplied by ``gain`` (each layer then amplifies its
    input about ``gain`` times): once without clipping and once with ``clip_grad_norm_(max_norm=clip)`` per
    clip. Returns {clip: {"loss": [...], "grad_norm": [...]}}, the loss and the gradient's norm before
    clipping at every step (nan once the weights have blown up)."""
    import torch
    import torch.nn.functional as F
    from tqdm.auto import tqdm

    from course import device as course_device

    dev = course_device()
    Xt = torch.as_tensor(X, dtype=torch.float32, device=dev)
    yt = torch.as_tensor(y, dtype=torch.int64, device=dev)
    runs = {}
    with one_thread(dev.type == "cpu"):
        for clip in tqdm(clips, desc="runs", disable=not progress):
            model = deep_mlp("relu", depth, 64, Xt.shape[1], int(yt.max()) + 1, "kaiming", seed, gain).to(dev)
            opt = torch.optim.SGD(model.parameters(), lr=lr)
            gen = torch.Generator().manual_seed(seed)
            losses, norms = [], []
            for _ in range(steps):
                idx = torch.randint(0, len(Xt), (batch_size,), generator=gen).to(dev)
                loss = F.cross_entropy(model(Xt[idx]), yt[idx])
                opt.zero_grad()
                loss.backward()
                limit = float("inf") if clip is None else clip
                norm = torch.nn.utils.clip_grad_norm_(model.parameters(), limit)
                opt.step()
                losses.append(loss.item())
                norms.append(norm.item())
            runs[clip] = {"loss": losses, "grad_norm": norms}
    return runs


# --------------------------------------------------------------------------- dying ReLU
def dead_relu_experiment(X, y, lrs=(0.03, 0.1, 0.3, 1.0, 3.0), epochs=2, hidden=128, batch_size=64, seed=0,
                         activation="relu", progress=True):
    """Train a 784-128-128-10 network with SGD at each learning rate; report, per learning rate, the share
    of hidden units that output 0 for EVERY training sample (dead: they get no gradient again) and the
    training accuracy. Returns a list of dicts."""
    import torch
    from torch import nn
    from tqdm.auto import tqdm

    from course import device as course_device

    dev = course_device()
    acts = {"relu": nn.ReLU, "leaky_relu": nn.LeakyReLU}
    Xt = torch.as_tensor(X, dtype=torch.float32, device=dev)
    yt = torch.as_tensor(y, dtype=torch.int64, device=dev)
    results = []
    with one_thread(dev.type == "cpu"):
        for lr in tqdm(lrs, desc="learning rates", disable=not progress):
            results.append(_train_and_count(Xt, yt, lr, epochs, hidden, batch_size, seed, acts[activation]))
    return results


def _train_and_count(Xt, yt, lr, epochs, hidden, batch_size, seed, act):
    """One SGD run of a two-hidden-layer network; the share of dead units per layer and the accuracy."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    dev = Xt.device
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(Xt.shape[1], hidden), act(), nn.Linear(hidden, hidden), act(),
                          nn.Linear(hidden, 10)).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        perm = torch.randperm(len(Xt), device=dev)
        for i in range(0, len(Xt), batch_size):
            idx = perm[i:i + batch_size]
            loss = F.cross_entropy(model(Xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        h1 = model[1](model[0](Xt))
        h2 = model[3](model[2](h1))
        dead = [float(((h > 0).sum(0) == 0).float().mean()) for h in (h1, h2)]
        acc = float((model(Xt).argmax(1) == yt).float().mean())
    return {"lr": lr, "dead layer 1": dead[0], "dead layer 2": dead[1], "train accuracy": acc}
