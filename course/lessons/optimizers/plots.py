"""Figures and widgets of lesson 04: gradient descent on the one-weight cost, the race on 2-D surfaces,
the raw-feature learning curve beside the scaled ones, the batch-size memory table.

Widgets are built with :func:`course.plots.widget`; training curves with :func:`course.plots.plot_curves`.
"""
from __future__ import annotations

import numpy as np

from course.plots import plot_curves, widget

from .landscapes import SURFACES, race, torch_optimizers
from .lecture import MEMORY_EXAMPLES, TOY_X, describe_learning_rate, gradient_descent_1d, memory_bytes, toy_cost


# =========================================================================== pictures: one weight
def plot_cost_curve(lr=0.05, W0=3.0, steps=15, axes=None):
    """The bowl cost(W) with the path of gradient descent on it, and the cost per iteration."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    path = gradient_descent_1d(lr, W0, steps)
    lo, hi = min(-1.0, path.min() - 0.3), max(3.0, path.max() + 0.3)
    lo, hi = max(lo, -6), min(hi, 8)
    Ws = np.linspace(lo, hi, 400)
    ax = axes[0]
    ax.plot(Ws, toy_cost(Ws), color="0.3", lw=2)
    shown = path[(path >= lo) & (path <= hi)]
    ax.plot(shown, toy_cost(shown), "o-", color="tab:red", ms=4, lw=1, alpha=0.8)
    ax.scatter([path[0]], [toy_cost(path[0])], s=80, color="tab:blue", zorder=3, label=f"start W = {W0:g}")
    ax.axvline(1.0, color="tab:green", ls=":", label="minimum W = 1")
    ax.set(xlabel="W", ylabel="cost(W)", title=f"gradient descent, lr = {lr:.3g}",
           ylim=(-0.5, max(toy_cost(np.array([lo, hi]))) * 1.05))
    ax.legend(loc="upper center", fontsize=8)
    ax = axes[1]
    ax.semilogy(np.arange(len(path)), np.maximum(toy_cost(path), 1e-16), "o-", color="tab:red", ms=3)
    c = 2 * np.mean(TOY_X ** 2)
    regime = "straight downhill" if lr < 1 / c else ("zigzags, converges" if lr < 2 / c else "diverges")
    ax.set(xlabel="iteration", ylabel="cost (log scale)", title=f"cost per iteration: {regime}")
    return axes


def learning_rate_widget(lr=0.05, W0=3.0, steps=15):
    """A log-scale learning-rate slider (and start, steps) that redraws the path on the cost bowl."""
    import ipywidgets as widgets

    controls = {
        "lr": widgets.FloatLogSlider(value=lr, base=10, min=-3, max=np.log10(0.3), step=0.02, description="lr",
                                     readout_format=".4f"),
        "W0": widgets.FloatSlider(value=W0, min=-3, max=5, step=0.1, description="start W"),
        "steps": widgets.IntSlider(value=steps, min=1, max=50, description="steps"),
    }

    def draw(axes, lr, W0, steps):
        plot_cost_curve(lr, W0, steps, axes=axes)
        return f"<b>{describe_learning_rate(lr)}</b>"

    return widget(draw, controls, figsize=(10, 3.6), layout="top", ncols=2)


# =========================================================================== pictures: 2-D surfaces and the race
_COLORS = {"SGD": "tab:blue", "Momentum": "tab:orange", "Nesterov": "tab:green", "AdaGrad": "tab:red",
           "RMSProp": "tab:purple", "Adam": "tab:brown"}


def plot_surface(surface, ax=None):
    """Filled contours of a surface on its view, log-spaced so that valleys show."""
    import matplotlib.pyplot as plt

    surface = SURFACES[surface] if isinstance(surface, str) else surface
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    xs = np.linspace(*surface.xlim, 300)
    ys = np.linspace(*surface.ylim, 300)
    X, Y = np.meshgrid(xs, ys)
    Z = surface.f(X, Y) - surface.f_min
    levels = np.geomspace(max(Z.min(), 1e-3), Z.max(), 25)
    ax.contourf(X, Y, np.maximum(Z, 1e-3), levels=levels, cmap="Greys_r", norm=_log_norm())
    ax.contour(X, Y, np.maximum(Z, 1e-3), levels=levels, colors="white", linewidths=0.3)
    ax.set(xlim=surface.xlim, ylim=surface.ylim, xlabel="x", ylabel="y", title=surface.name)
    return ax


def _log_norm():
    from matplotlib.colors import LogNorm

    return LogNorm()


def plot_race(surface, results, axes=None):
    """Paths on the contour plot (left) and f − f_min per step on a log scale (right)."""
    import matplotlib.pyplot as plt

    surface = SURFACES[surface] if isinstance(surface, str) else surface
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    plot_surface(surface, axes[0])
    for i, (name, (path, losses)) in enumerate(results.items()):
        color = _COLORS.get(name, f"C{i}")
        axes[0].plot(path[:, 0], path[:, 1], "-", color=color, lw=1.6, label=name)
        axes[0].plot(path[-1, 0], path[-1, 1], "o", color=color, ms=5)
        gap = np.maximum(losses - surface.f_min, 1e-12)
        axes[1].semilogy(gap, color=color, label=f"{name}: {losses[-1]:.3g}" +
                         (" (stopped: diverged)" if len(losses) < _race_steps(results) else ""))
    axes[0].plot(*surface.start, "*", color="gold", ms=14, mec="black")
    axes[0].legend(fontsize=8, loc="lower right")
    axes[1].set(xlabel="step", ylabel="f − f_min (log scale)", title="loss along the way (final f in the legend)")
    axes[1].legend(fontsize=8)
    return axes


def _race_steps(results):
    return max(len(losses) for _, losses in results.values())


def race_widget(optimizers=None, surface="ill-conditioned quadratic", steps=150):
    """Pick optimizers, a surface, the learning rate and the start; see the paths and the loss curves.

    optimizers: dict name -> class with step(w, grad) (your classes); by default :func:`torch_optimizers`.
    Choosing a surface moves the start and the learning rate to that surface's suggestions.
    """
    import ipywidgets as widgets

    optimizers = optimizers or torch_optimizers()
    surf = SURFACES[surface]
    controls = {
        "surface": widgets.Dropdown(options=list(SURFACES), value=surface, description="surface"),
        "chosen": widgets.SelectMultiple(options=list(optimizers), value=tuple(optimizers), description="optimizers",
                                         rows=len(optimizers)),
        "lr": widgets.FloatLogSlider(value=surf.lr, base=10, min=-4, max=0, step=0.05, description="lr",
                                     readout_format=".4f"),
        "x0": widgets.FloatSlider(value=surf.start[0], min=surf.xlim[0], max=surf.xlim[1], step=0.05,
                                  description="start x"),
        "y0": widgets.FloatSlider(value=surf.start[1], min=surf.ylim[0], max=surf.ylim[1], step=0.05,
                                  description="start y", readout_format=".3f"),
        "steps": widgets.IntSlider(value=steps, min=10, max=1000, step=10, description="steps"),
    }

    def on_surface(change):  # observed before the widget's own redraw, so that it draws the new surface once moved
        s = SURFACES[change["new"]]
        x0, y0 = controls["x0"], controls["y0"]
        x0.min, x0.max, y0.min, y0.max = -1e9, 1e9, -1e9, 1e9  # widen first, so that setting a value never clips
        x0.value, y0.value, controls["lr"].value = s.start[0], s.start[1], s.lr
        x0.min, x0.max = s.xlim
        y0.min, y0.max = s.ylim

    controls["surface"].observe(on_surface, names="value")

    def draw(axes, surface, chosen, lr, x0, y0, steps):
        s = SURFACES[surface]
        results = race(s, {k: optimizers[k] for k in chosen}, lr=lr, start=(x0, y0), steps=steps)
        plot_race(s, results, axes=axes)
        return f"<i>{s.note}.</i> Suggested lr: {s.lr:g}."

    return widget(draw, controls, figsize=(12, 4.2), layout="top", ncols=2)


def plot_scaling(histories, raw_iterations, title="mini-batch SGD, lr = 0.01, batch size 32"):
    """The raw-feature run on its own axes, loss per iteration (it diverges by ~100 orders of magnitude within
    an epoch), and the per-epoch curves of ``histories`` (the scaled features) beside it."""
    from course.plots import new_figure

    fig, axes = new_figure((11, 3.4), 1, 2)
    plot_curves({"raw features": raw_iterations}, ax=axes[0], xlabel="iteration", logy=True,
                ylabel="mini-batch MSE (log scale)", title="raw features: the loss explodes")
    plot_curves(histories, ax=axes[1], ylabel="training MSE (log scale)", logy=True, title=f"scaled features: {title}")
    return fig


def memory_table_html():
    """The deck's batch-size memory example recomputed: bytes for 50,000 float32 samples held at once."""
    rows = []
    for what, numbers, deck in MEMORY_EXAMPLES:
        b = memory_bytes(numbers)
        rows.append(f"<tr><td>{what}</td><td>{numbers:,}</td><td>{b:,}</td><td>{b / 1e6:,.1f} MB = {b / 1e9:.2f} GB"
                    f"</td><td>{b / 2 ** 30:.2f} GiB</td><td>{deck}</td></tr>")
    return ("<table><tr><th>data</th><th>numbers per sample</th><th>bytes (× 50,000 × 4)</th><th>decimal</th>"
            "<th>binary</th><th>the deck</th></tr>" + "".join(rows) + "</table>")
