"""Figures and widgets of lesson 04: gradient descent on the one-weight cost, the race on 2-D surfaces,
loss curves."""
from __future__ import annotations

import numpy as np

from .landscapes import (SURFACES, TOY_X, describe_learning_rate, gradient_descent_1d, race, toy_cost,
                         torch_optimizers)


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
    import matplotlib.pyplot as plt
    from IPython.display import display

    lr_s = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=np.log10(0.3), step=0.02, description="lr",
                                  readout_format=".4f")
    w0_s = widgets.FloatSlider(value=W0, min=-3, max=5, step=0.1, description="start W")
    n_s = widgets.IntSlider(value=steps, min=1, max=50, description="steps")
    out = widgets.Output()
    note = widgets.HTML()

    def redraw(*_):
        note.value = f"<b>{describe_learning_rate(lr_s.value)}</b>"
        with out:
            out.clear_output(wait=True)
            fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
            plot_cost_curve(lr_s.value, w0_s.value, n_s.value, axes=axes)
            fig.tight_layout()
            display(fig)
            plt.close(fig)

    for s in (lr_s, w0_s, n_s):
        s.observe(redraw, names="value")
    redraw()
    box = widgets.VBox([widgets.HBox([lr_s, w0_s, n_s]), note, out])
    display(box)



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
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    optimizers = optimizers or torch_optimizers()
    surf = SURFACES[surface]
    pick = widgets.SelectMultiple(options=list(optimizers), value=tuple(optimizers), description="optimizers",
                                  rows=len(optimizers))
    choice = widgets.Dropdown(options=list(SURFACES), value=surface, description="surface")
    lr_s = widgets.FloatLogSlider(value=surf.lr, base=10, min=-4, max=0, step=0.05, description="lr",
                                  readout_format=".4f")
    x0 = widgets.FloatSlider(value=surf.start[0], min=surf.xlim[0], max=surf.xlim[1], step=0.05, description="start x")
    y0 = widgets.FloatSlider(value=surf.start[1], min=surf.ylim[0], max=surf.ylim[1], step=0.05, description="start y",
                             readout_format=".3f")
    n_s = widgets.IntSlider(value=steps, min=10, max=1000, step=10, description="steps")
    note = widgets.HTML()
    out = widgets.Output()
    busy = {"on": False}

    def on_surface(change):
        s = SURFACES[change["new"]]
        busy["on"] = True
        try:
            x0.min, x0.max = -1e9, 1e9  # widen first, so that setting the value never clips
            y0.min, y0.max = -1e9, 1e9
            x0.value, y0.value = s.start
            x0.min, x0.max = s.xlim
            y0.min, y0.max = s.ylim
            lr_s.value = s.lr
        finally:
            busy["on"] = False
        redraw()

    def redraw(*_):
        if busy["on"]:
            return
        s = SURFACES[choice.value]
        note.value = f"<i>{s.note}.</i> Suggested lr: {s.lr:g}."
        chosen = {k: optimizers[k] for k in pick.value}
        with out:
            out.clear_output(wait=True)
            results = race(s, chosen, lr=lr_s.value, start=(x0.value, y0.value), steps=n_s.value)
            fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
            plot_race(s, results, axes=axes)
            fig.tight_layout()
            display(fig)
            plt.close(fig)

    choice.observe(on_surface, names="value")
    for w in (pick, lr_s, x0, y0, n_s):
        w.observe(redraw, names="value")
    redraw()
    controls = widgets.HBox([widgets.VBox([choice, pick]), widgets.VBox([lr_s, x0, y0, n_s])])
    display(widgets.VBox([controls, note, out]))


def plot_loss_curves(histories, ax=None, xlabel="epoch", ylabel="training MSE", title=None, logy=True):
    """One line per entry of ``histories`` (dict label -> sequence of losses)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for label, losses in histories.items():
        losses = np.asarray(losses, dtype=float)
        ax.plot(np.arange(1, len(losses) + 1), losses, label=label, lw=1.5)
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(fontsize=8)
    return ax
