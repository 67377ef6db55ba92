"""Pictures of lab 3: sample X-rays, the threshold widget (children missed, children sent for treatment),
the ROC curve with the operating point, the first layer's filters and saliency maps."""
from __future__ import annotations

import numpy as np

from course.plots import new_figure, plot_confusion, show, widget

from .lecture import CLASS_NAMES


def table_html(rows: list) -> str:
    """A list of dicts as a small HTML table (one row per dict, its keys the header)."""
    head = "".join(f"<th>{k}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{v:.3f}</td>" if isinstance(v, float) else f"<td>{v}</td>"
                                    for v in r.values()) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def plot_samples(images, labels, per_class=6, seed=0):
    """A few images of each class, normal in the top row and pneumonia below."""
    rng = np.random.default_rng(seed)
    fig, axes = new_figure((1.3 * per_class, 3.0), 2, per_class)
    for row, c in enumerate((0, 1)):
        idx = rng.choice(np.flatnonzero(labels == c), size=per_class, replace=False)
        for ax, i in zip(axes[row], idx):
            ax.imshow(images[i], cmap="gray", vmin=0, vmax=255)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[row, 0].set_ylabel(CLASS_NAMES[c])
    show(fig)


def _counts(y, p, t):
    pred = p >= t
    tp, fn = int(np.sum(pred & (y == 1))), int(np.sum(~pred & (y == 1)))
    tn, fp = int(np.sum(~pred & (y == 0))), int(np.sum(pred & (y == 0)))
    return tp, fn, tn, fp


def roc_points(y, p):
    """(false-positive rate, true-positive rate) at every distinct score, from the highest threshold down."""
    ts = np.r_[np.inf, np.unique(p)[::-1]]
    P, N = np.sum(y == 1), np.sum(y == 0)
    tpr = np.array([np.sum((p >= t) & (y == 1)) / P for t in ts])
    fpr = np.array([np.sum((p >= t) & (y == 0)) / N for t in ts])
    return fpr, tpr


def plot_roc(curves: dict, points: dict | None = None, ax=None, title="ROC curve"):
    """ROC curves (name -> (y, p)) and operating points (name -> (fpr, tpr)), the diagonal as chance."""
    own = ax is None
    if own:
        fig, ax = new_figure((4.6, 4.2))
    for name, (y, p) in curves.items():
        fpr, tpr = roc_points(np.asarray(y), np.asarray(p))
        ax.plot(fpr, tpr, label=name)
    for name, (fx, ty) in (points or {}).items():
        ax.plot([fx], [ty], "o", ms=8, label=name)
    ax.plot([0, 1], [0, 1], ":", color="gray", lw=1)
    ax.set(xlabel="1 − specificity (healthy sent for treatment)", ylabel="sensitivity (sick found)",
           xlim=(0, 1), ylim=(0, 1.01), title=title)
    ax.legend(loc="lower right", fontsize=8)
    if own:
        show(fig)
    return ax


def threshold_widget(y, p, t0=0.5, split="test"):
    """Move the threshold: the confusion matrix, how many sick children are missed and how many healthy
    ones are sent for treatment, sensitivity and specificity."""
    import ipywidgets as widgets

    y, p = np.asarray(y), np.asarray(p)
    slider = widgets.FloatSlider(value=float(t0), min=0.0, max=1.0, step=0.01, description="threshold",
                                 readout_format=".2f", continuous_update=False)

    def draw(axes, threshold):
        tp, fn, tn, fp = _counts(y, p, threshold)
        plot_confusion(np.array([[tn, fp], [fn, tp]]), CLASS_NAMES, ax=axes[0], title=f"{split}, t = {threshold:.2f}")
        fpr, tpr = roc_points(y, p)
        axes[1].plot(fpr, tpr)
        axes[1].plot([fp / max(fp + tn, 1)], [tp / max(tp + fn, 1)], "o", ms=9, color="tab:red")
        axes[1].plot([0, 1], [0, 1], ":", color="gray", lw=1)
        axes[1].set(xlabel="1 − specificity", ylabel="sensitivity", title="the operating point")
        sens, spec = tp / max(tp + fn, 1), tn / max(tn + fp, 1)
        return (f"<b>{fn}</b> of {tp + fn} sick children missed (sensitivity {sens:.3f}); "
                f"<b>{fp}</b> of {tn + fp} healthy children sent for treatment (specificity {spec:.3f}); "
                f"accuracy {(tp + tn) / len(y):.3f}")

    return widget(draw, {"threshold": slider}, figsize=(8, 3.6), ncols=2, layout="top")


def plot_filters(model):
    """The first convolution's 3 x 3 filters, one small image each."""
    w = next(model.parameters()).detach().cpu().numpy()[:, 0]
    n = len(w)
    fig, axes = new_figure((1.0 * n, 1.3), 1, n)
    top = np.abs(w).max()
    for ax, k in zip(np.atleast_1d(axes), w):
        ax.imshow(k, cmap="RdBu_r", vmin=-top, vmax=top)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("first-layer filters (red positive, blue negative)", fontsize=9)
    show(fig)


def plot_saliency(images, maps, labels, probs):
    """Each image above its saliency map |d logit / d pixel|, with its label and the model's probability."""
    n = len(images)
    fig, axes = new_figure((1.6 * n, 3.4), 2, n)
    for j in range(n):
        axes[0, j].imshow(images[j], cmap="gray", vmin=0, vmax=255)
        axes[0, j].set_title(f"{CLASS_NAMES[int(labels[j])]}\np = {probs[j]:.2f}", fontsize=8)
        axes[1, j].imshow(images[j], cmap="gray", vmin=0, vmax=255)
        axes[1, j].imshow(maps[j], cmap="inferno", alpha=0.6, vmin=0, vmax=1)
        for ax in axes[:, j]:
            ax.set_xticks([])
            ax.set_yticks([])
    axes[1, 0].set_ylabel("saliency")
    show(fig)
