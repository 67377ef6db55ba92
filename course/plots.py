"""Plotting helpers shared by the lessons: the widget floor, confusion matrices, training curves.

Every interactive figure of the course is built with :func:`widget`: controls, and a function that
draws into a fresh figure. The figure is not one of pyplot's (so the inline backend never draws it
a second time from another thread), it is rendered to PNG by the widget alone and shown in an
``Image`` widget, which renders on first show in JupyterLab 4, Notebook 7 and Colab (ipywidgets 7
and 8). A control's value coming back from the browser unchanged but for rounding (a slider's
echo, ``-0.19999999999999996`` for ``-0.2``) does not redraw.
"""
from __future__ import annotations

import io
import math

import numpy as np


def show(fig=None):
    """Display a figure (default: pyplot's current one) and free it."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    fig = fig if fig is not None else plt.gcf()
    display(fig)
    plt.close(fig)


def new_figure(figsize=(5, 4), nrows=1, ncols=1, **subplot_kw):
    """A figure that pyplot does not manage, and its axes (an array of them when there are several)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True, **subplot_kw)
    return fig, axes


def png(fig, dpi=90) -> bytes:
    """A figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _changed(old, new) -> bool:
    if isinstance(old, float) or isinstance(new, float):
        try:
            return not math.isclose(float(old), float(new), rel_tol=1e-9, abs_tol=1e-12)
        except (TypeError, ValueError):
            return True
    if isinstance(old, tuple) and isinstance(new, tuple) and len(old) == len(new):
        return any(_changed(a, b) for a, b in zip(old, new))
    return old != new


def widget(draw, controls: dict, figsize=(5, 4), layout: str = "left", nrows=1, ncols=1, dpi=90,
           subplot_kw=None):
    """An interactive figure: ``controls`` (name -> ipywidget) and ``draw(ax, **values)``.

    ``draw`` gets the axes of a fresh figure (an array of them for ``nrows`` x ``ncols`` > 1) and
    every control's value by name; it may return an HTML string (a table, a readout) shown under
    the figure. ``layout``: ``"left"`` (controls beside the figure) or ``"top"``.
    Returns the box; ``box.redraw()`` draws again (for buttons and state kept by the caller),
    ``box.image`` is the ``Image`` widget holding the PNG.
    """
    import ipywidgets as widgets

    image = widgets.Image(format="png")
    html = widgets.HTML()
    values = {name: c.value for name, c in controls.items() if hasattr(c, "value")}

    def redraw(*_):
        fig, axes = new_figure(figsize, nrows, ncols, **(subplot_kw or {}))
        extra = draw(axes, **{name: c.value for name, c in controls.items() if hasattr(c, "value")})
        image.value = png(fig, dpi)
        html.value = extra if isinstance(extra, str) else ""

    def on_change(change):
        key = next((k for k, c in controls.items() if c is change["owner"]), None)
        if key is None or not _changed(values.get(key), change["new"]):
            return  # an echo of the value we already drew
        values[key] = change["new"]
        redraw()

    for c in controls.values():
        if hasattr(c, "value"):
            c.observe(on_change, names="value")
    redraw()
    panel = widgets.VBox([image, html])
    boxed = list(controls.values())
    box = widgets.HBox([widgets.VBox(boxed), panel]) if layout == "left" else widgets.VBox(
        [widgets.HBox(boxed, layout=widgets.Layout(flex_flow="row wrap")), panel])
    box.redraw = redraw
    box.image = image
    return box


def plot_confusion(cm, class_names=None, ax=None, title=None, cmap="Blues", xlabel="predicted", ylabel="true"):
    """Draw a confusion matrix with its counts; rows are the true class, columns the predicted one."""
    cm = np.asarray(cm)
    K = cm.shape[0]
    names = list(class_names) if class_names is not None else [str(i) for i in range(K)]
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(1.1 * K + 1.6, 1.1 * K + 1.2))
    top = max(float(cm.max()), 1.0)
    ax.imshow(cm, cmap=cmap, vmin=0, vmax=top)
    for i in range(K):
        for j in range(K):
            v = cm[i, j]
            txt = f"{v:.2f}" if cm.dtype.kind == "f" and v != int(v) else f"{int(v)}"
            ax.text(j, i, txt, ha="center", va="center", color="white" if v > 0.6 * top else "black", fontsize=11)
    ax.set(xticks=range(K), yticks=range(K), xticklabels=names, yticklabels=names, xlabel=xlabel, ylabel=ylabel)
    if title:
        ax.set_title(title)
    return ax


def plot_curves(histories: dict, ax=None, xlabel="epoch", ylabel="loss", title=None, logy=False, smooth=1):
    """Training curves: one line per name in ``histories`` (name -> list of values).

    With ``smooth`` > 1 the raw values are drawn faintly and a moving average over ``smooth``
    points on top.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 3.5))
    colors = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:gray")
    for i, (name, values) in enumerate(histories.items()):
        values = np.asarray(values, dtype=float)
        color = colors[i % len(colors)]
        if smooth > 1 and len(values) >= smooth:
            ax.plot(values, color=color, alpha=0.3)
            kernel = np.ones(smooth) / smooth
            ax.plot(np.arange(smooth - 1, len(values)), np.convolve(values, kernel, "valid"), color=color, label=name)
        else:
            ax.plot(np.arange(1, len(values) + 1) if xlabel == "epoch" else np.arange(len(values)), values,
                    color=color, label=name)
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if title:
        ax.set_title(title)
    if histories:
        ax.legend()
    return ax
