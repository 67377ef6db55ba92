"""Lesson 03 pictures: the activations and their derivatives (from torch), the lecture's table, the
interactive explorer (on :func:`course.plots.widget`), and the figures for the vanishing and exploding
gradient, gradient clipping, dying ReLU and cross-entropy vs MSE."""
from __future__ import annotations

import numpy as np

from .lecture import DEFAULT_ALPHA

# --------------------------------------------------------------------------- activations
NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "mish")

#: The lecture's table of advantages and disadvantages, with the newer rows added.
TABLE = {
    "sigmoid": ("outputs in (0, 1), read as a probability", "vanishing gradient (\u03c3' \u2264 1/4), not zero-centred, exp is costly"),
    "tanh": ("zero-centred, outputs in (-1, 1)", "vanishing gradient for large |x| (saturates)"),
    "relu": ("cheap, no saturation for x > 0, sparse activations", "dying ReLU: a unit stuck at x < 0 gets no gradient"),
    "leaky_relu": ("negative inputs keep a small gradient alpha", "one more hyper-parameter, negative outputs not bounded"),
    "elu": ("smooth for alpha = 1, mean output closer to 0", "exp is costly; saturates at -alpha"),
    "mish": ("smooth, non-monotonic, used in YOLOv4", "costly (exp, log, tanh)"),
}


def torch_activation(name, alpha=None):
    """``name`` as a function of a torch tensor (torch.nn.functional), alpha for leaky_relu / elu."""
    import torch
    import torch.nn.functional as F

    if alpha is None:
        alpha = DEFAULT_ALPHA.get(name)
    return {
        "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu, "mish": F.mish,
        "leaky_relu": lambda x: F.leaky_relu(x, alpha), "elu": lambda x: F.elu(x, alpha),
    }[name]


def f_and_grad(name, x, alpha=None):
    """(f(x), f'(x)) as NumPy arrays, with torch and autograd."""
    import torch

    t = torch.as_tensor(np.asarray(x, dtype=float)).requires_grad_(True)
    y = torch_activation(name, alpha)(t)
    (g,) = torch.autograd.grad(y.sum(), t)
    return y.detach().numpy(), g.numpy()


def plot_activation(name, ax_f=None, ax_df=None, alpha=None, xlim=(-5, 5)):
    """f on one axis and f' on another (both from torch), with the axes through the origin."""
    import matplotlib.pyplot as plt

    if ax_f is None or ax_df is None:
        _, (ax_f, ax_df) = plt.subplots(1, 2, figsize=(8, 3))
    x = np.linspace(*xlim, 801)
    y, g = f_and_grad(name, x, alpha)
    label = name + (f" (alpha={alpha if alpha is not None else DEFAULT_ALPHA[name]:g})" if name in DEFAULT_ALPHA else "")
    ax_f.plot(x, y, color="tab:blue", lw=2)
    ax_df.plot(x, g, color="tab:orange", lw=2)
    for ax, t in ((ax_f, f"{label}: f(x)"), (ax_df, f"f'(x)")):
        ax.axhline(0, color="gray", lw=0.6)
        ax.axvline(0, color="gray", lw=0.6)
        ax.set(title=t, xlabel="x")
    return ax_f, ax_df


def plot_activation_table(names=NAMES):
    """The lecture's table as a picture: one row per activation, f and f' side by side."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, len(names), figsize=(2.6 * len(names), 5), sharex=True)
    for j, name in enumerate(names):
        plot_activation(name, axes[0, j], axes[1, j])
        axes[0, j].set_title(name)
        axes[1, j].set_title(f"{name}'")
    fig.tight_layout()
    return fig


def transform_stats(name, mean=0.0, std=1.0, alpha=None, n=20000, seed=0):
    """Draw x ~ N(mean, std²), apply the activation; return x, f(x), f'(x) and a few summaries."""
    x = np.random.default_rng(seed).normal(mean, std, size=n)
    y, g = f_and_grad(name, x, alpha)
    stats = {"mean f(x)": float(y.mean()), "std f(x)": float(y.std()),
             "mean f'(x)": float(g.mean()),
             "share with f'(x) < 0.01": float(np.mean(np.abs(g) < 0.01))}
    return x, y, g, stats


def activation_explorer(name="sigmoid", mean=0.0, std=2.0):
    """Choose an activation (and alpha), and the mean and spread of its inputs; see f, f' and what it
    does to the distribution of the inputs."""
    import ipywidgets as widgets

    from course.plots import widget

    controls = {
        "name": widgets.Dropdown(options=list(NAMES), value=name, description="activation"),
        "alpha": widgets.FloatSlider(value=0.1, min=0.0, max=2.0, step=0.01, description="alpha"),
        "mean": widgets.FloatSlider(value=mean, min=-6, max=6, step=0.1, description="input mean"),
        "std": widgets.FloatLogSlider(value=std, base=10, min=-1, max=1.3, step=0.05, description="input std"),
    }

    def draw(axes, name, alpha, mean, std):
        controls["alpha"].disabled = name not in DEFAULT_ALPHA
        a = alpha if name in DEFAULT_ALPHA else None
        plot_activation(name, axes[0], axes[1], alpha=a, xlim=(-6, 6))
        x, y, g, stats = transform_stats(name, mean, std, a)
        bins = np.linspace(min(x.min(), y.min()), max(x.max(), y.max()), 80)
        axes[2].hist(x, bins=bins, alpha=0.5, density=True, label="inputs x")
        axes[2].hist(y, bins=bins, alpha=0.6, density=True, label="outputs f(x)")
        axes[2].set(title="distribution before and after", xlabel="value")
        axes[2].legend(fontsize=8)
        for ax in axes[:2]:
            ax.axvspan(mean - std, mean + std, color="tab:green", alpha=0.1)
        rows = "".join(f"<tr><td>{k}</td><td>{v:.3f}</td></tr>" for k, v in stats.items())
        good, bad = TABLE[name]
        return f"<table>{rows}</table><p><b>+</b> {good}<br><b>&minus;</b> {bad}</p>"

    # Controls above the wide three-panel figure, so nothing is cropped in a narrow notebook.
    return widget(draw, controls, figsize=(13, 3.2), ncols=3, layout="top")


# --------------------------------------------------------------------------- vanishing gradient
def plot_gradient_norms(norms: dict, ax=None, title="Gradient norm per layer"):
    """``norms`` maps a label to an array of per-layer gradient norms; a log-scale line per label."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    for label, v in norms.items():
        ax.semilogy(np.arange(1, len(v) + 1), v, marker="o", ms=3, label=label)
    ax.set(xlabel="layer (1 = next to the input)", ylabel="\u2016\u2202L/\u2202W\u2016", title=title)
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    return ax


def plot_clipping(runs, axes=None):
    """Left: the loss per SGD step of each run of :func:`.experiments.clipping_experiment` (a run that blew up
    stops where its loss became nan or inf). Right: the gradient's norm before clipping, log scale."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.2))
    for clip, run in runs.items():
        label = "no clipping" if clip is None else f"clip_grad_norm_(max_norm={clip:g})"
        steps = np.arange(1, len(run["loss"]) + 1)
        axes[0].semilogy(steps, run["loss"], marker="o", ms=3, label=label)
        axes[1].semilogy(steps, run["grad_norm"], marker="o", ms=3, label=label)
    axes[0].set(xlabel="SGD step", ylabel="loss (log scale)", title="Training loss")
    axes[1].set(xlabel="SGD step", ylabel="\u2016gradient\u2016 before clipping", title="Gradient norm")
    for ax in axes:
        ax.legend(fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
    return axes


# --------------------------------------------------------------------------- dying ReLU
def plot_dead_relu(results, ax=None):
    """Bars: the share of dead units in each hidden layer per learning rate; the accuracy as a line."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2))
    k = np.arange(len(results))
    ax.bar(k - 0.18, [r["dead layer 1"] for r in results], 0.36, label="dead units, layer 1")
    ax.bar(k + 0.18, [r["dead layer 2"] for r in results], 0.36, label="dead units, layer 2")
    ax.plot(k, [r["train accuracy"] for r in results], "k-o", label="training accuracy")
    ax.set(xticks=k, xticklabels=[f"lr={r['lr']:g}" for r in results], ylim=(0, 1.05), ylabel="share",
           title="Dying ReLU: large learning rates kill units")
    ax.legend(fontsize=8, loc="center left")
    return ax


# --------------------------------------------------------------------------- losses
def plot_ce_vs_mse(axes=None):
    """Left: the loss of the right class as a function of its probability p, cross-entropy -log p vs
    squared error (1-p)², on a log scale. Right: the gradient each gives to the logit of a sigmoid
    output that is confidently wrong."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.4))
    p = np.linspace(1e-4, 1, 500)
    axes[0].semilogy(p, -np.log(p), label="cross-entropy  -log p")
    axes[0].semilogy(p, (1 - p) ** 2, label="squared error  (1 - p)\u00b2")
    axes[0].set(xlabel="probability given to the right class, p", ylabel="loss (log scale)",
                title="How hard each loss punishes a wrong answer", ylim=(1e-4, 20))
    axes[0].legend()
    z = np.linspace(-10, 10, 500)
    s = 1 / (1 + np.exp(-z))
    axes[1].plot(z, np.abs(s - 1), label="cross-entropy: |\u03c3(z) - 1|")
    axes[1].plot(z, np.abs(2 * (s - 1) * s * (1 - s)), label="squared error: |2(\u03c3(z) - 1)\u03c3'(z)|")
    axes[1].set(xlabel="logit z of a sample whose target is 1", ylabel="|\u2202loss/\u2202z|",
                title="Gradient on the logit (target 1)")
    axes[1].legend()
    return axes
