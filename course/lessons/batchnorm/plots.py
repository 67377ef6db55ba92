"""Figures and widgets: feature scaling, running statistics, dropout, loss curves and early stopping."""
from __future__ import annotations

import numpy as np

from course.plots import show

from .experiments import early_stopping_epoch


def plot_scaling(X, names, cols=(0, 1), axes=None):
    """Two features raw, standardized and min-max normalized, as scatter plots with the same aspect."""
    import matplotlib.pyplot as plt

    X = np.asarray(X, float)[:, list(cols)]
    std = (X - X.mean(0)) / X.std(0)
    mm = (X - X.min(0)) / (X.max(0) - X.min(0))
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for ax, data, title in zip(axes, (X, std, mm), ("raw", "standardized: (x − μ)/σ",
                                                       "min-max: (x − min)/(max − min)")):
        ax.scatter(data[:, 0], data[:, 1], s=6, alpha=0.5)
        ax.set(title=title, xlabel=names[cols[0]], ylabel=names[cols[1]])
        ax.set_aspect("equal", adjustable="datalim")
    plt.tight_layout()
    return axes


def running_stats_trace(batchnorm_forward, momentum, batch_size, steps=60, true_mean=3.0, true_std=2.0, seed=0):
    """Feed batches of one feature drawn from N(true_mean, true_std²) through the student's function.

    Returns (batch_means, batch_vars, running_means, running_vars), each of length ``steps``.
    """
    rng = np.random.default_rng(seed)
    state = {"running_mean": np.zeros(1), "running_var": np.ones(1)}
    bm, bv, rm, rv = [], [], [], []
    for _ in range(steps):
        x = rng.normal(true_mean, true_std, size=(batch_size, 1))
        batchnorm_forward(x, np.ones(1), np.zeros(1), state, training=True, momentum=momentum)
        bm.append(x.mean())
        bv.append(x.var(ddof=1))
        rm.append(float(state["running_mean"][0]))
        rv.append(float(state["running_var"][0]))
    return np.array(bm), np.array(bv), np.array(rm), np.array(rv)


def plot_running_stats(batchnorm_forward, momentum=0.1, batch_size=16, steps=60, axes=None):
    """The batch statistics (dots) and the running estimates (line) against the true values (dashed)."""
    import matplotlib.pyplot as plt

    true_mean, true_std = 3.0, 2.0
    bm, bv, rm, rv = running_stats_trace(batchnorm_forward, momentum, batch_size, steps, true_mean, true_std)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 3.4))
    t = np.arange(1, steps + 1)
    for ax, batch, run, true, name in ((axes[0], bm, rm, true_mean, "mean"),
                                       (axes[1], bv, rv, true_std ** 2, "variance")):
        ax.scatter(t, batch, s=10, color="tab:gray", alpha=0.6, label=f"batch {name}")
        ax.plot(t, run, color="tab:blue", lw=2, label=f"running_{name[:3]}")
        ax.axhline(true, color="tab:red", ls="--", label=f"true {name}")
        ax.set(xlabel="training step", title=f"{name}: momentum={momentum:g}, batch size {batch_size}")
        ax.legend(loc="lower right", fontsize=8)
    plt.tight_layout()
    return axes


def running_stats_explorer(batchnorm_forward, momentum=0.1, batch_size=16):
    """Sliders for momentum and batch size; the running estimates of your batchnorm_forward follow."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    mom = widgets.FloatLogSlider(value=momentum, base=10, min=-2.5, max=0, step=0.05, description="momentum")
    bs = widgets.IntSlider(value=batch_size, min=2, max=128, step=2, description="batch size")
    out = widgets.Output()

    def redraw(*_):
        with out:
            out.clear_output(wait=True)
            plot_running_stats(batchnorm_forward, mom.value, bs.value)
            show()

    for w in (mom, bs):
        w.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([mom, bs]), out])


def dropout_explorer(dropout_forward, image, p=0.5, seed=0):
    """An image through your dropout_forward: sliders for p and the seed; training vs evaluation side by side."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    image = np.asarray(image, float)
    ps = widgets.FloatSlider(value=p, min=0.0, max=0.95, step=0.05, description="p (drop)")
    seeds = widgets.IntSlider(value=seed, min=0, max=20, description="seed")
    out = widgets.Output()

    def redraw(*_):
        with out:
            out.clear_output(wait=True)
            x = image + 1e-3  # no exact zeros, so a dropped pixel shows as 0
            train, _ = dropout_forward(x, ps.value, True, np.random.default_rng(seeds.value))
            evaluation, _ = dropout_forward(x, ps.value, False, np.random.default_rng(seeds.value))
            fig, axes = plt.subplots(1, 3, figsize=(9, 3.2))
            vmax = max(float(np.max(train)), 1e-9)
            for ax, img, title in zip(axes, (image, train, evaluation),
                                      ("input", f"training: {np.mean(train == 0):.0%} dropped",
                                       "evaluation: identity")):
                ax.imshow(img, cmap="gray", vmin=0, vmax=vmax)
                ax.set(title=title, xticks=[], yticks=[])
            show()

    for w in (ps, seeds):
        w.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([ps, seeds]), out])


def plot_losses(histories, smooth=5, ax=None, title="training loss"):
    """Loss curves, one per name in ``histories`` (a dict name -> losses), raw and smoothed."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for (name, losses), color in zip(histories.items(), ("tab:blue", "tab:orange", "tab:green", "tab:red")):
        losses = np.asarray(losses)
        ax.plot(losses, color=color, alpha=0.3)
        if len(losses) >= smooth:
            kernel = np.ones(smooth) / smooth
            ax.plot(np.arange(smooth - 1, len(losses)), np.convolve(losses, kernel, "valid"), color=color, label=name)
    ax.set(xlabel="step", ylabel="cross-entropy", title=title)
    ax.legend()
    return ax


def plot_early_stopping(histories, patience=10, axes=None):
    """Train and validation loss per epoch for each run in ``histories`` (name -> history), with the
    epoch early stopping would keep."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, len(histories), figsize=(6 * len(histories), 3.6), squeeze=False)
        axes = axes[0]
    for ax, (name, h) in zip(axes, histories.items()):
        ax.plot(h["train"], label="train")
        ax.plot(h["val"], label="validation")
        stop, best = early_stopping_epoch(h["val"], patience)
        ax.axvline(best, color="tab:green", ls="--", label=f"best epoch {best}")
        ax.axvline(stop, color="tab:red", ls=":", label=f"stop (patience {patience}) at {stop}")
        ax.set(xlabel="epoch", ylabel="cross-entropy", title=name)
        ax.legend(fontsize=8)
    plt.tight_layout()
    return axes
