"""Lesson 03 experiments in torch: gradient norms per layer of a deep MLP (the vanishing gradient), the
sigmoid chain's bound, and the dying-ReLU training runs."""
from __future__ import annotations

import numpy as np

# --------------------------------------------------------------------------- vanishing gradient
class _one_thread_on_cpu:
    """Run tiny CPU networks on one thread (faster than several for these sizes, and immune to a busy
    machine); the previous setting is restored afterwards."""

    def __init__(self, dev):
        self.cpu = dev.type == "cpu"

    def __enter__(self):
        import torch

        self.before = torch.get_num_threads()
        if self.cpu:
            torch.set_num_threads(1)

    def __exit__(self, *exc):
        import torch

        torch.set_num_threads(self.before)


def deep_mlp(activation, depth=20, width=64, d_in=784, d_out=10, init="kaiming", seed=0):
    """A plain deep MLP: ``depth`` hidden Linear layers of ``width`` units, each followed by ``activation``
    (a name from :data:`.plots.NAMES`), and a Linear output layer. ``init="kaiming"`` draws the weights with
    He's normal initialisation and zero biases; ``"default"`` keeps PyTorch's."""
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
            nn.init.zeros_(lin.bias)
        layers += [lin, acts[activation]()]
        d = width
    layers.append(nn.Linear(d, d_out))
    return nn.Sequential(*layers)


def gradient_norms(activation, X, y, depth=20, width=64, init="kaiming", seed=0, device=None):
    """The norm of the loss gradient with respect to each Linear layer's weights, first layer first,
    for one cross-entropy backward pass of :func:`deep_mlp` on (X, y)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    from course import device as course_device

    dev = device or course_device()
    with _one_thread_on_cpu(dev):
        model = deep_mlp(activation, depth, width, X.shape[1], int(y.max()) + 1, init, seed).to(dev)
        Xt = torch.as_tensor(X, dtype=torch.float32, device=dev)
        yt = torch.as_tensor(y, dtype=torch.int64, device=dev)
        F.cross_entropy(model(Xt), yt).backward()
    return np.array([m.weight.grad.norm().item() for m in model if isinstance(m, nn.Linear)])


def sigmoid_chain_bound(L):
    """The lecture's chain of L one-neuron sigmoid layers: the product of the L-1 factors S'(h_i) is at
    most (1/4)^(L-1)."""
    return 0.25 ** (np.asarray(L) - 1)


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
    with _one_thread_on_cpu(dev):
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
