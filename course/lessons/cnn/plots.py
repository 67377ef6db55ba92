"""Lesson 06 pictures (feature maps, filters, digits, a Go board's encoding) and the convolution widget.

The confusion matrix and training curves are the course's (:func:`course.plots.plot_confusion`,
:func:`course.plots.plot_curves`).
"""
from __future__ import annotations

import numpy as np

from .lecture import FILTER_1, FILTER_2, IMAGE_6x6, out_len


def _cmap_limits(a):
    lim = float(np.abs(a).max()) or 1.0
    return -lim, lim


def plot_maps(maps, titles=None, cmap="RdBu_r", annotate=None, axes=None, suptitle=None, size=2.2):
    """Show 2-D arrays side by side as images (numbers written in when small, or when ``annotate``)."""
    import matplotlib.pyplot as plt

    maps = [np.asarray(m, dtype=float) for m in maps]
    if axes is None:
        fig, axes = plt.subplots(1, len(maps), figsize=(size * len(maps), size), squeeze=False)
        axes = axes[0]
    for i, (ax, m) in enumerate(zip(axes, maps)):
        vmin, vmax = _cmap_limits(m) if cmap == "RdBu_r" else (m.min(), m.max())
        ax.imshow(m, cmap=cmap, vmin=vmin, vmax=vmax)
        if annotate if annotate is not None else m.size <= 64:
            for (r, c), v in np.ndenumerate(m):
                ax.text(c, r, f"{v:g}", ha="center", va="center", fontsize=9,
                        color="white" if abs(v) > 0.6 * max(abs(vmin), abs(vmax)) else "black")
        ax.set(xticks=[], yticks=[])
        if titles is not None:
            ax.set_title(titles[i], fontsize=10)
    if suptitle:
        axes[0].figure.suptitle(suptitle)
    return axes


def plot_filters(weights, title="filters", ncols=8, size=1.1):
    """Show conv weights (F, C, KH, KW) as images, one per filter (the first input channel)."""
    import matplotlib.pyplot as plt

    w = np.asarray(weights)[:, 0]
    n = len(w)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.4), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for i, ax in enumerate(axes.ravel()[:n]):
        ax.imshow(w[i], cmap="RdBu_r", vmin=_cmap_limits(w[i])[0], vmax=_cmap_limits(w[i])[1])
        ax.set_title(str(i), fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_digits(images, titles=None, ncols=10, size=1.0, title=None):
    """A grid of grayscale digits with optional titles."""
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    n = len(images)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, (size + 0.25) * nrows + 0.3), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for i, ax in enumerate(axes.ravel()[:n]):
        ax.imshow(images[i].reshape(images.shape[-2:]), cmap="gray_r")
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_misclassified(images, y_true, y_pred, n=20):
    """The first ``n`` misclassified digits, titled 'true → predicted'."""
    wrong = np.flatnonzero(np.asarray(y_true) != np.asarray(y_pred))[:n]
    return plot_digits(np.asarray(images)[wrong], [f"{y_true[i]} → {y_pred[i]}" for i in wrong],
                       title=f"misclassified test digits (true → predicted), {len(wrong)} shown")


# =========================================================================== widget
def _explorer_state(filter_name, stride, padding, position):
    import torch
    import torch.nn.functional as F

    w = {"filter 1 (diagonal)": FILTER_1, "filter 2 (vertical line)": FILTER_2}[filter_name]
    img = np.pad(IMAGE_6x6, padding)
    n_out = out_len(6, 3, stride, padding)
    out = F.conv2d(torch.tensor(IMAGE_6x6)[None, None], torch.tensor(w)[None, None],
                   stride=stride, padding=padding)[0, 0].numpy()
    position = min(position, n_out * n_out - 1)
    i, j = divmod(position, n_out)
    return w, img, out, (i, j), n_out


def draw_explorer(axes, filter_name="filter 1 (diagonal)", stride=1, padding=0, position=0):
    """One frame of :func:`conv_explorer` on three axes: the (padded) image with the window, the filter, the map."""
    from matplotlib.patches import Rectangle

    w, img, out, (i, j), n_out = _explorer_state(filter_name, stride, padding, position)
    plot_maps([img], cmap="Greys", annotate=True, axes=[axes[0]])
    axes[0].add_patch(Rectangle((j * stride - 0.5, i * stride - 0.5), 3, 3, fill=False, lw=3, ec="tab:orange"))
    if padding:
        axes[0].add_patch(Rectangle((padding - 0.5, padding - 0.5), 6, 6, fill=False, lw=1, ls="--", ec="tab:blue"))
    axes[0].set_title(f"image, padding {padding}: {img.shape[0]}×{img.shape[1]}", fontsize=10)
    plot_maps([w], annotate=True, axes=[axes[1]])
    axes[1].set_title(filter_name, fontsize=10)
    plot_maps([out], annotate=True, axes=[axes[2]])
    axes[2].add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, lw=3, ec="tab:orange"))
    window = img[i * stride:i * stride + 3, j * stride:j * stride + 3]
    axes[2].set_title(f"output {n_out}×{n_out}; at ({i}, {j}): {float((window * w).sum()):g}", fontsize=10)
    axes[0].figure.suptitle(f"output size = (6 + 2·{padding} − 3) // {stride} + 1 = {n_out}", fontsize=11)
    return (f"window at rows {i * stride}–{i * stride + 2}, columns {j * stride}–{j * stride + 2} of the padded "
            f"image → output ({i}, {j})")


def conv_explorer():
    """Choose a filter, the stride and the padding, and slide the window over the lecture's 6×6 image."""
    import ipywidgets as widgets

    from course.plots import widget

    controls = {
        "filter_name": widgets.Dropdown(options=["filter 1 (diagonal)", "filter 2 (vertical line)"],
                                        description="filter"),
        "stride": widgets.IntSlider(value=1, min=1, max=3, description="stride"),
        "padding": widgets.IntSlider(value=0, min=0, max=2, description="padding"),
        "position": widgets.IntSlider(value=0, min=0, max=15, description="position"),
    }

    def draw(axes, filter_name, stride, padding, position):
        n_out = out_len(6, 3, stride, padding)
        controls["position"].max = n_out * n_out - 1     # the slider follows the output's size
        return draw_explorer(axes, filter_name, stride, padding, min(position, n_out * n_out - 1))

    return widget(draw, controls, figsize=(10, 3.6), ncols=3, layout="top")


def plot_board(board, ax=None, title="a Go position"):
    """A 19×19 board encoded as the lecture does: black 1, white −1, empty 0."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(3.6, 3.6))
    board = np.asarray(board)
    n = board.shape[0]
    ax.set_facecolor("#dcb35c")
    for k in range(n):
        ax.plot([0, n - 1], [k, k], color="black", lw=0.5)
        ax.plot([k, k], [0, n - 1], color="black", lw=0.5)
    for (r, c), v in np.ndenumerate(board):
        if v:
            ax.scatter(c, r, s=70, color="black" if v > 0 else "white", edgecolor="black", zorder=3)
    ax.set(xlim=(-1, n), ylim=(n, -1), xticks=[], yticks=[], aspect="equal", title=title)
    return ax


def augmentation_explorer(images, seed=0):
    """Sliders for rotation, shift and scale: one digit and eight random draws of the augmentation.

    images: (N, 28, 28) array; the ``image`` slider picks which one is shown.
    """
    import ipywidgets as widgets
    import torch
    from torchvision.transforms import v2

    from course.plots import widget

    controls = {
        "image": widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="image"),
        "degrees": widgets.FloatSlider(value=15, min=0, max=45, step=5, description="rotate ±°"),
        "shift": widgets.FloatSlider(value=0.1, min=0, max=0.3, step=0.05, description="shift ±"),
        "scale": widgets.FloatSlider(value=0.1, min=0, max=0.3, step=0.05, description="scale ±"),
    }

    def draw(axes, image, degrees, shift, scale):
        torch.manual_seed(seed)
        augment = v2.RandomAffine(degrees=degrees, translate=(shift, shift), scale=(1 - scale, 1 + scale))
        x = torch.as_tensor(np.asarray(images[image], dtype=np.float32))[None]
        shown = [x] + [augment(x) for _ in range(8)]
        for k, (ax, img) in enumerate(zip(axes.ravel(), shown)):
            ax.imshow(img[0].numpy(), cmap="gray_r")
            ax.set(xticks=[], yticks=[], title="original" if k == 0 else f"draw {k}")

    return widget(draw, controls, figsize=(9, 2.2), ncols=9, layout="top")
