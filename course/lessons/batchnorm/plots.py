"""Figures and widgets of lesson 05: running statistics, a digit through dropout, validation curves, key terms."""
from __future__ import annotations

import numpy as np

from course.plots import plot_curves, widget

from .lecture import KEY_TERMS


def key_terms_html(terms=KEY_TERMS):
    """The lesson's key terms, English and Korean, as an HTML table."""
    rows = "".join(f"<tr><td>{en}</td><td>{ko}</td></tr>" for en, ko in terms)
    return f"<table><tr><th>English</th><th>한국어</th></tr>{rows}</table>"


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
        rm.append(float(np.ravel(state["running_mean"])[0]))
        rv.append(float(np.ravel(state["running_var"])[0]))
    return np.array(bm), np.array(bv), np.array(rm), np.array(rv)


def plot_running_stats(batchnorm_forward, momentum=0.1, batch_size=16, steps=60, axes=None):
    """The batch statistics (dots) and the running estimates (line) against the true values (dashed)."""
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(12, 3.4))
    true_mean, true_std = 3.0, 2.0
    bm, bv, rm, rv = running_stats_trace(batchnorm_forward, momentum, batch_size, steps, true_mean, true_std)
    t = np.arange(1, steps + 1)
    for ax, batch, run, true, name in ((axes[0], bm, rm, true_mean, "mean"),
                                       (axes[1], bv, rv, true_std ** 2, "variance")):
        ax.scatter(t, batch, s=10, color="tab:gray", alpha=0.6, label=f"batch {name}")
        ax.plot(t, run, color="tab:blue", lw=2, label=f"running_{name[:3]}")
        ax.axhline(true, color="tab:red", ls="--", label=f"true {name}")
        ax.set(xlabel="training step", title=f"{name}: momentum={momentum:g}, batch size {batch_size}")
        ax.legend(loc="lower right", fontsize=8)
    return axes


def running_stats_explorer(batchnorm_forward, momentum=0.1, batch_size=16):
    """Sliders for momentum and batch size; the running estimates of your batchnorm_forward follow."""
    import ipywidgets as widgets

    controls = {
        "momentum": widgets.FloatLogSlider(value=momentum, base=10, min=-2.5, max=0, step=0.05,
                                           description="momentum"),
        "batch_size": widgets.IntSlider(value=batch_size, min=2, max=128, step=2, description="batch size"),
    }
    return widget(lambda axes, momentum, batch_size: plot_running_stats(batchnorm_forward, momentum, batch_size,
                                                                        axes=axes),
                  controls, figsize=(11, 3.4), ncols=2, layout="top")


def dropout_explorer(dropout_forward, image, p=0.5, seed=0):
    """An image through your dropout_forward: sliders for p and the seed; training vs evaluation side by side."""
    import ipywidgets as widgets

    image = np.asarray(image, float)

    def draw(axes, p, seed):
        x = image + 1e-3  # no exact zeros, so a dropped pixel shows as 0
        train, _ = dropout_forward(x, p, True, np.random.default_rng(seed))
        evaluation, _ = dropout_forward(x, p, False, np.random.default_rng(seed))
        vmax = max(float(np.max(train)), 1e-9)
        for ax, img, title in zip(axes, (image, train, evaluation),
                                  ("input", f"training: {np.mean(np.asarray(train) == 0):.0%} dropped",
                                   "evaluation: identity")):
            ax.imshow(img, cmap="gray", vmin=0, vmax=vmax)
            ax.set(title=title, xticks=[], yticks=[])

    controls = {"p": widgets.FloatSlider(value=p, min=0.0, max=0.95, step=0.05, description="p (drop)"),
                "seed": widgets.IntSlider(value=seed, min=0, max=20, description="seed")}
    return widget(draw, controls, figsize=(9, 3.2), ncols=3, layout="top")


def plot_validation(histories, axes=None):
    """Train and validation loss per epoch of each run (name -> history), one panel per run, and the weight
    norms of all runs in a last panel."""
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, len(histories) + 1, figsize=(4.4 * (len(histories) + 1), 3.4))
    top = max(float(np.max(h["val"])) for h in histories.values())
    for ax, (name, h) in zip(axes, histories.items()):
        plot_curves({"train": h["train"], "validation": h["val"]}, ax=ax, ylabel="cross-entropy", title=name)
        ax.axvline(h["best_epoch"], color="tab:green", ls="--", lw=1)
        ax.set_ylim(0, top * 1.05)
    plot_curves({name: h["norm"] for name, h in histories.items()}, ax=axes[-1], ylabel="‖W‖ (weight norm)",
                title="size of the weights")
    return axes
