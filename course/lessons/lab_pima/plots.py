"""Pictures of lab 2: the zeros that mean "not measured", the ROC curve with a threshold widget, and the
spread of fold scores."""
from __future__ import annotations

import numpy as np

from .lecture import ZERO_COLUMNS


def plot_missing(X, names, ax=None):
    """How many rows hold a 0 in each column; the columns where a 0 is impossible are red."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 3))
    zeros = (np.asarray(X) == 0).sum(axis=0)
    colors = ["tab:red" if j in ZERO_COLUMNS else "tab:gray" for j in range(len(names))]
    bars = ax.bar(range(len(names)), zeros, color=colors)
    ax.bar_label(bars)
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.set(ylabel="rows with a 0", title="Zeros per column (red: a 0 there means 'not measured')")
    return ax


def roc_points(y_true, scores):
    """The ROC curve's (FPR, TPR) points, one per distinct score from the highest down, from (0, 0)."""
    y = np.asarray(y_true) == 1
    s = np.asarray(scores, dtype=float)
    thresholds = np.unique(s)[::-1]
    P, N = y.sum(), (~y).sum()
    tpr = [0.0] + [float((y & (s >= t)).sum() / P) for t in thresholds]
    fpr = [0.0] + [float((~y & (s >= t)).sum() / N) for t in thresholds]
    return np.array(fpr), np.array(tpr)


def roc_threshold_widget(y_true, scores, auc=None, label="model"):
    """A slider for the decision threshold: the ROC curve with the operating point, the confusion matrix
    (``course.plots.plot_confusion``) and precision, recall, F1 and accuracy beside the majority baseline."""
    import ipywidgets as widgets

    from course.plots import plot_confusion, widget

    y = np.asarray(y_true).astype(int)
    s = np.asarray(scores, dtype=float)
    fpr, tpr = roc_points(y, s)
    base = max(np.mean(y == 0), np.mean(y == 1))
    controls = {"threshold": widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.01, description="threshold")}

    def draw(axes, threshold):
        ax_roc, ax_cm = axes
        pred = (s >= threshold).astype(int)
        tp, fp = int(((pred == 1) & (y == 1)).sum()), int(((pred == 1) & (y == 0)).sum())
        fn, tn = int(((pred == 0) & (y == 1)).sum()), int(((pred == 0) & (y == 0)).sum())
        ax_roc.plot(fpr, tpr, color="tab:blue", label=f"{label}" + (f" (AUC {auc:.3f})" if auc is not None else ""))
        ax_roc.plot([0, 1], [0, 1], color="gray", ls="--", lw=1, label="chance (AUC 0.5)")
        ax_roc.scatter([fp / max(fp + tn, 1)], [tp / max(tp + fn, 1)], color="tab:red", zorder=3, s=50,
                       label=f"threshold {threshold:.2f}")
        ax_roc.set(xlabel="false positive rate (1 − specificity)", ylabel="true positive rate (recall)",
                   title="ROC curve", aspect="equal", xlim=(0, 1), ylim=(0, 1.01))
        ax_roc.legend(loc="lower right", fontsize=8)
        plot_confusion(np.array([[tn, fp], [fn, tp]]), ["negative", "positive"], ax=ax_cm,
                       title=f"threshold {threshold:.2f}")
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        acc = (tp + tn) / len(y)
        return (f"accuracy <b>{acc:.3f}</b> (majority baseline {base:.3f}) · precision {precision:.3f} · "
                f"recall {recall:.3f} · F1 {f1:.3f}")

    return widget(draw, controls, figsize=(8.5, 3.8), ncols=2, layout="top")


def plot_fold_scores(scores: dict, ax=None, ylabel="AUC", baseline=None):
    """One box of fold scores per model (name -> array), each fold a dot, the mean ± std in the label."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 3.5))
    names = list(scores)
    ax.boxplot([scores[n] for n in names], widths=0.5)
    rng = np.random.default_rng(0)
    for i, n in enumerate(names, 1):
        v = np.asarray(scores[n])
        ax.scatter(i + rng.uniform(-0.12, 0.12, len(v)), v, s=10, alpha=0.6, color="tab:blue")
    ax.set_xticks(range(1, len(names) + 1),
                  [f"{n}\n{np.mean(scores[n]):.3f} ± {np.std(scores[n]):.3f}" for n in names])
    if baseline is not None:
        ax.axhline(baseline, color="tab:red", ls="--", lw=1, label=f"majority baseline {baseline:.3f}")
        ax.legend(loc="lower right", fontsize=8)
    ax.set(ylabel=ylabel, title=f"{ylabel} over the folds")
    return ax
