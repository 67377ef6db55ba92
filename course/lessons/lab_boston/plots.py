"""Pictures of lab 1: the censored target, a feature explorer, predictions, residuals, learning curves."""
from __future__ import annotations

import numpy as np

from .lecture import FEATURES, MEDV_CAP


def _ax(ax, figsize=(5, 3.5)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_medv(y, ax=None):
    """A histogram of MEDV with the cap at 50 marked: the tracts piled up there are censored."""
    ax = _ax(ax)
    y = np.asarray(y)
    ax.hist(y, bins=np.arange(0, 52.5, 2.5), color="tab:blue", edgecolor="white")
    n_cap = int(np.sum(y >= MEDV_CAP))
    ax.axvline(MEDV_CAP, color="tab:red", ls="--")
    ax.annotate(f"{n_cap} tracts at the cap of 50", (MEDV_CAP, ax.get_ylim()[1] * 0.8), ha="right",
                color="tab:red")
    ax.set(xlabel="MEDV (median home value, $1000s)", ylabel="tracts", title="The target is censored at 50")
    return ax


def feature_explorer(X, y, names):
    """A dropdown over the features: MEDV against the chosen one, its correlation and a fitted line."""
    import ipywidgets as widgets

    from course.plots import widget

    controls = {
        "feature": widgets.Dropdown(options=list(names), value="LSTAT" if "LSTAT" in names else names[0],
                                    description="feature"),
        "mark_cap": widgets.Checkbox(value=True, description="mark MEDV = 50"),
    }

    def draw(ax, feature, mark_cap):
        j = list(names).index(feature)
        x = X[:, j]
        capped = y >= MEDV_CAP
        ax.scatter(x[~capped], y[~capped], s=10, alpha=0.6, color="tab:blue")
        ax.scatter(x[capped], y[capped], s=14, color="tab:red" if mark_cap else "tab:blue",
                   label="censored at 50" if mark_cap else None)
        slope, icpt = np.polyfit(x, y, 1)
        xs = np.linspace(x.min(), x.max(), 2)
        ax.plot(xs, slope * xs + icpt, color="black", lw=1.5)
        r = np.corrcoef(x, y)[0, 1]
        ax.set(xlabel=feature, ylabel="MEDV ($1000s)", title=f"{feature}: r = {r:+.2f}")
        if mark_cap:
            ax.legend(loc="best")
        return f"<b>{feature}</b>: {FEATURES.get(feature, '')}"

    return widget(draw, controls, figsize=(5, 3.6))


def plot_predictions(y_true, predictions: dict, ax=None):
    """Predicted against true price, one colour per model, with the diagonal."""
    ax = _ax(ax, (4.5, 4.5))
    for name, pred in predictions.items():
        ax.scatter(y_true, pred, s=12, alpha=0.7, label=name)
    ax.plot([0, 52], [0, 52], color="gray", lw=1)
    ax.set(xlabel="true MEDV ($1000s)", ylabel="predicted", aspect="equal", xlim=(0, 52), ylim=(0, 52))
    ax.legend()
    return ax


def plot_residuals(y_true, predictions: dict, ax=None):
    """Residuals (true − predicted) against the prediction: structure left in them is what a model missed."""
    ax = _ax(ax, (6, 3.5))
    for name, pred in predictions.items():
        ax.scatter(pred, np.asarray(y_true) - pred, s=12, alpha=0.7, label=name)
    ax.axhline(0, color="gray", lw=1)
    ax.set(xlabel="predicted MEDV ($1000s)", ylabel="residual (true − predicted)", title="Residuals on the test rows")
    ax.legend()
    return ax


def plot_learning_curves(sizes, curves: dict, ax=None, ylabel="MAE ($1000s)"):
    """Training and validation error against the number of training rows, for each model in ``curves``
    (name -> {"train": [...], "val": [...]})."""
    ax = _ax(ax, (6, 3.5))
    colors = ("tab:blue", "tab:orange", "tab:green", "tab:red")
    for (name, c), color in zip(curves.items(), colors):
        ax.plot(sizes, c["train"], "--o", color=color, ms=4, label=f"{name}, training rows")
        ax.plot(sizes, c["val"], "-o", color=color, ms=4, label=f"{name}, validation rows")
    ax.set(xlabel="training rows", ylabel=ylabel, title="Learning curves")
    ax.legend(fontsize=8)
    return ax
