"""Pictures and widgets of lesson 07: ROC and precision–recall curves at a decision threshold (with a
slider), k-fold layouts, error against model complexity and against the amount of data.

The confusion matrix is drawn by the course's :func:`course.plots.plot_confusion`, the training
curves by :func:`course.plots.plot_curves`, the slider by :func:`course.plots.widget`.
"""
from __future__ import annotations

import numpy as np

from course.plots import plot_confusion, widget


def binary_curves(scores, y):
    """The ROC and precision–recall curves of a scorer, one point per distinct threshold.

    scores: (N,) higher means "more positive"; y: (N,) 0/1. Predicting positive where scores >= t for every
    distinct score t (and for +inf, where nothing is positive) gives a dict of arrays: thresholds, tp, fp,
    fn, tn, tpr (recall), fpr, precision (1 when nothing is predicted positive), and the ROC AUC.
    """
    scores = np.asarray(scores, dtype=float)
    y = np.asarray(y).astype(bool)
    order = np.argsort(-scores, kind="stable")
    s, yy = scores[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]  # last index of each distinct score
    tp = np.r_[0, np.cumsum(yy)[last]]
    fp = np.r_[0, np.cumsum(~yy)[last]]
    P, N = int(y.sum()), int((~y).sum())
    fn, tn = P - tp, N - fp
    tpr = tp / max(P, 1)
    fpr = fp / max(N, 1)
    with np.errstate(all="ignore"):
        precision = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1), 1.0)
    auc = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    return {"thresholds": np.r_[np.inf, s[last]], "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "tpr": tpr, "fpr": fpr, "precision": precision, "recall": tpr, "auc": auc}


def threshold_metrics(scores, y, threshold):
    """Confusion counts and metrics of the rule "positive where score >= threshold"."""
    scores = np.asarray(scores, dtype=float)
    y = np.asarray(y).astype(bool)
    pred = scores >= threshold
    tp, fp = int(np.sum(pred & y)), int(np.sum(pred & ~y))
    fn, tn = int(np.sum(~pred & y)), int(np.sum(~pred & ~y))

    def div(a, b):
        return a / b if b else 0.0

    p, r = div(tp, tp + fp), div(tp, tp + fn)
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": p, "recall": r,
            "specificity": div(tn, tn + fp), "f1": div(2 * tp, 2 * tp + fp + fn),
            "accuracy": div(tp + tn, len(y)), "fpr": div(fp, fp + tn)}


def plot_threshold(scores, y, threshold=0.5, axes=None, names=("negative", "positive")):
    """Four panels at one threshold: the 2×2 confusion matrix, the score histograms, ROC and PR curves."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 4, figsize=(16, 3.8))
    scores = np.asarray(scores, dtype=float)
    y = np.asarray(y).astype(int)
    m = threshold_metrics(scores, y, threshold)
    curves = binary_curves(scores, y)
    cm = np.array([[m["tn"], m["fp"]], [m["fn"], m["tp"]]])
    plot_confusion(cm, names, ax=axes[0],
                   title=f"t = {threshold:.2f}: P = {m['precision']:.2f}, R = {m['recall']:.2f}, F1 = {m['f1']:.2f}")
    bins = np.linspace(scores.min(), scores.max(), 31)
    axes[1].hist(scores[y == 0], bins=bins, alpha=0.6, color="tab:blue", label=names[0])
    axes[1].hist(scores[y == 1], bins=bins, alpha=0.6, color="tab:red", label=names[1])
    axes[1].axvline(threshold, color="black", lw=2)
    axes[1].set(xlabel="score", ylabel="count", title="scores; positive right of the line")
    axes[1].legend(fontsize=8)
    axes[2].plot(curves["fpr"], curves["tpr"], color="tab:purple")
    axes[2].plot([0, 1], [0, 1], ls=":", color="gray")
    axes[2].scatter([m["fpr"]], [m["recall"]], s=70, color="black", zorder=3)
    axes[2].set(xlabel="false positive rate (1 − specificity)", ylabel="true positive rate (recall)",
                title=f"ROC curve, AUC = {curves['auc']:.3f}", xlim=(-0.02, 1.02), ylim=(-0.02, 1.02))
    axes[3].plot(curves["recall"][1:], curves["precision"][1:], color="tab:green")
    axes[3].axhline(y.mean(), ls=":", color="gray", label=f"base rate {y.mean():.2f}")
    axes[3].scatter([m["recall"]], [m["precision"]], s=70, color="black", zorder=3)
    axes[3].set(xlabel="recall", ylabel="precision", title="precision–recall curve", xlim=(-0.02, 1.02),
                ylim=(-0.02, 1.02))
    axes[3].legend(fontsize=8, loc="lower left")
    return axes


def threshold_explorer(scores, y, threshold=0.5, names=("negative", "positive"), figsize=(14, 3.4), dpi=72):
    """A slider for the decision threshold; the confusion matrix, the metrics and the curves follow it."""
    import ipywidgets as widgets

    scores = np.asarray(scores, dtype=float)
    lo, hi = float(scores.min()), float(scores.max())
    slider = widgets.FloatSlider(value=float(np.clip(threshold, lo, hi)), min=lo, max=hi, step=(hi - lo) / 200,
                                 description="threshold", readout_format=".3f", continuous_update=False,
                                 layout=widgets.Layout(width="60%"))
    keys = ("accuracy", "precision", "recall", "specificity", "f1")

    def draw(axes, threshold):
        plot_threshold(scores, y, threshold, axes=axes, names=names)
        m = threshold_metrics(scores, y, threshold)
        return ("<table><tr>" + "".join(f"<th>{k if k != 'f1' else 'F1'}</th>" for k in keys) + "</tr><tr>"
                + "".join(f"<td>{m[k]:.3f}</td>" for k in keys) + "</tr></table>")

    return widget(draw, {"threshold": slider}, figsize=figsize, layout="top", ncols=4, dpi=dpi)


def plot_fold_layout(folds, n=None, ax=None, title="k-fold cross-validation"):
    """One row per fold: validation samples dark, training samples light."""
    import matplotlib.pyplot as plt

    n = n if n is not None else sum(len(v) for _, v in folds)
    grid = np.zeros((len(folds), n))
    for i, (train, val) in enumerate(folds):
        grid[i, np.asarray(train)] = 1
        grid[i, np.asarray(val)] = 2
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.35 * len(folds) + 1))
    from matplotlib.colors import ListedColormap

    ax.imshow(grid, aspect="auto", cmap=ListedColormap(["white", "#c6dbef", "#08519c"]), vmin=0, vmax=2,
              interpolation="nearest")
    ax.set(xlabel="sample index", ylabel="fold", yticks=range(len(folds)), title=title)
    return ax


def plot_complexity(complexity, train_err, val_err, ax=None, xlabel="model complexity", ylabel="error",
                    best=True, logy=True):
    """Training and validation error against model complexity, with the best validation point marked."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(complexity, train_err, "o-", label="training")
    ax.plot(complexity, val_err, "o-", label="validation")
    if best:
        i = int(np.argmin(val_err))
        ax.axvline(complexity[i], ls=":", color="gray")
        ax.annotate("best on validation", (complexity[i], val_err[i]), textcoords="offset points", xytext=(8, 12))
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.legend()
    return ax


def plot_data_amount(sizes, best_degrees, curves, degrees, ax=None):
    """Validation error against polynomial degree for several training-set sizes, each U's bottom marked.

    ``curves``: size -> validation MSE per degree (from :func:`.experiments.data_amount_sweep`).
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for n in sizes:
        line, = ax.plot(degrees, curves[n], "o-", ms=3, label=f"N = {n}: best degree {best_degrees[n]}")
        i = list(degrees).index(best_degrees[n])
        ax.scatter([degrees[i]], [curves[n][i]], s=90, color=line.get_color(), edgecolor="black", zorder=3)
    low = min(float(np.min(curves[n])) for n in sizes)
    ax.set_yscale("log")
    ax.set_ylim(0.7 * low, 50 * low)  # the smallest set's wall goes off the chart: it is the point
    ax.set(xlabel="polynomial degree", ylabel="validation MSE (median of the draws)",
           title="more data moves the U to the right")
    ax.legend(fontsize=8)
    return ax
