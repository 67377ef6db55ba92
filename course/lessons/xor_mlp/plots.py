"""Pictures of lesson 02: the two views of XOR (:func:`plot_xor_views`), the geometry of one, two and three
layers (:func:`plot_geometry`), :func:`draw_network`, :func:`plot_decision_boundary`,
:func:`plot_sigmoid_derivative`, :func:`plot_depth_against_width`, and the widgets :func:`training_explorer`
(a slider over the epochs of a training run) and :func:`approximation_explorer` (a staircase of sigmoids)."""
from __future__ import annotations

import numpy as np

from course.plots import plot_curves, widget

from .experiments import staircase
from .lecture import TRUTH_TABLES, X_GATE


def _xor_points(ax, X=X_GATE, labels=None, table="XOR", annotate=True):
    target = TRUTH_TABLES[table]
    for (x1, x2), t in zip(X, target):
        ax.scatter(x1, x2, s=160, marker="o" if t else "X", color="tab:green" if t else "tab:red",
                   edgecolor="black", zorder=3)
    if annotate and labels is not None:
        for (x1, x2), lab in zip(X, labels):
            ax.annotate(lab, (x1, x2), textcoords="offset points", xytext=(10, -14), fontsize=9)


def plot_xor_views(figsize=(15, 4.6)):
    """The lecture's two ways to make XOR separable, side by side.

    Left: the input square with the OR and NAND lines. Middle: the same points in the hidden space
    (y1 = OR, y2 = NAND): (0, 1) and (1, 0) land on the same point, four points become three, and one
    AND line separates them. Right: the points lifted to 3-D with x3 = x1·x2, where a plane separates them.
    """
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize)
    ax1 = fig.add_subplot(1, 3, 1)
    ax2 = fig.add_subplot(1, 3, 2)
    ax3 = fig.add_subplot(1, 3, 3, projection="3d")
    names = ["(0,0)", "(0,1)", "(1,0)", "(1,1)"]
    xs = np.array([-0.5, 1.5])
    ax1.plot(xs, 0.5 - xs, color="tab:blue", lw=2, label="OR: x1 + x2 = 0.5")
    ax1.plot(xs, 1.5 - xs, color="tab:orange", lw=2, label="NAND: x1 + x2 = 1.5")
    ax1.fill_between(xs, 0.5 - xs, 1.5 - xs, color="#d6f5d6", alpha=0.6)
    _xor_points(ax1, labels=names)
    ax1.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), xlabel="$x_1$", ylabel="$x_2$", aspect="equal",
            title="Input space: two lines, XOR between them")
    ax1.legend(loc="upper right", fontsize=8)

    y1 = TRUTH_TABLES["OR"]
    y2 = TRUTH_TABLES["NAND"]
    hidden = np.stack([y1, y2], axis=1).astype(float)
    ax2.plot(xs, 1.5 - xs, color="tab:purple", lw=2, label="AND: y1 + y2 = 1.5")
    _xor_points(ax2, X=hidden, annotate=False)
    ax2.annotate("(0,0)", (0, 1), textcoords="offset points", xytext=(10, -14), fontsize=9)
    ax2.annotate("(0,1) and (1,0)", (1, 1), textcoords="offset points", xytext=(-40, 12), fontsize=9)
    ax2.annotate("(1,1)", (1, 0), textcoords="offset points", xytext=(10, -14), fontsize=9)
    ax2.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), xlabel="$y_1$ = x1 OR x2", ylabel="$y_2$ = x1 NAND x2",
            aspect="equal", title="Hidden space: 4 points become 3")
    ax2.legend(loc="lower left", fontsize=8)

    x3 = X_GATE[:, 0] * X_GATE[:, 1]
    t = TRUTH_TABLES["XOR"]
    for (a, b), c, ti in zip(X_GATE, x3, t):
        ax3.scatter(a, b, c, s=120, marker="o" if ti else "X", color="tab:green" if ti else "tab:red",
                    edgecolor="black", depthshade=False)
    g = np.linspace(-0.2, 1.2, 10)
    G1, G2 = np.meshgrid(g, g)
    # The plane x1 + x2 − 2·x3 = 0.5 separates XOR's 1s (above it) from its 0s.
    ax3.plot_surface(G1, G2, (G1 + G2 - 0.5) / 2, alpha=0.25, color="tab:blue")
    ax3.set(xlabel="$x_1$", ylabel="$x_2$", zlabel="$x_3 = x_1 x_2$", title="Lifted to 3-D: a plane separates")
    ax3.view_init(elev=18, azim=-60)
    fig.tight_layout()
    return fig


def draw_network(sizes, ax=None, title=None):
    """A fully connected network drawn as circles and lines, with its weight and bias counts."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 * len(sizes) + 1, 3.2))
    top = max(sizes)
    pos = []
    for i, n in enumerate(sizes):
        ys = (np.arange(n) - (n - 1) / 2) * (1.0 if top < 12 else 12 / top)
        pos.append([(i, y) for y in ys])
    for a, b in zip(pos[:-1], pos[1:]):
        for (x0, y0) in a:
            for (x1, y1) in b:
                ax.plot([x0, x1], [y0, y1], color="0.75", lw=0.6, zorder=1)
    for i, layer in enumerate(pos):
        color = "tab:green" if i == 0 else ("tab:red" if i == len(pos) - 1 else "tab:blue")
        ax.scatter([p[0] for p in layer], [p[1] for p in layer], s=180, color=color, edgecolor="black", zorder=2)
        ax.annotate(str(sizes[i]), (i, -top / 2 - 0.9), ha="center", fontsize=10)
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    biases = sum(sizes[1:])
    ax.set_title(title or f"{'-'.join(map(str, sizes))}: {weights} weights + {biases} biases = "
                 f"{weights + biases} parameters", fontsize=10)
    ax.set_axis_off()
    ax.set_ylim(-top / 2 - 1.3, top / 2 + 0.6)
    return ax


def plot_decision_boundary(forward, params, ax=None, title=None, resolution=150):
    """The network's output over the plane (0 → red, 1 → green), its 0.5 contour and the XOR points.

    ``forward(X, params)`` returns ``(out, cache)`` as ``two_layer_forward`` does.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    g = np.linspace(-0.5, 1.5, resolution)
    G1, G2 = np.meshgrid(g, g)
    grid = np.stack([G1.ravel(), G2.ravel()], axis=1)
    out, _ = forward(grid, params)
    Z = np.asarray(out, dtype=float).reshape(G1.shape)
    ax.contourf(G1, G2, Z, levels=np.linspace(0, 1, 11), cmap="RdYlGn", alpha=0.55, vmin=0, vmax=1)
    if Z.min() < 0.5 < Z.max():
        ax.contour(G1, G2, Z, levels=[0.5], colors="black", linewidths=1.5)
    _xor_points(ax, annotate=False)
    ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), xlabel="$x_1$", ylabel="$x_2$", aspect="equal",
           title=title or "Network output")
    return ax


def training_explorer(snapshots, losses, forward):
    """A slider over the epochs of a training run: the decision boundary then, and the loss curve so far."""
    import ipywidgets as widgets

    controls = {"snapshot": widgets.IntSlider(value=len(snapshots) - 1, min=0, max=len(snapshots) - 1, step=1,
                                              description="snapshot", continuous_update=False)}

    def draw(axes, snapshot):
        ax1, ax2 = axes
        epoch, params = snapshots[snapshot]
        o, _ = forward(X_GATE, params)
        o = np.asarray(o, dtype=float).ravel()
        plot_decision_boundary(forward, params, ax=ax1, resolution=80,
                               title="outputs " + ", ".join(f"{v:.2f}" for v in o))
        plot_curves({"MSE loss": losses}, ax=ax2, ylabel="MSE loss", logy=True, title=f"loss at epoch {epoch}")
        if epoch:
            ax2.scatter([epoch], [losses[epoch - 1]], color="tab:red", zorder=3)
        return f"epoch {epoch}"

    return widget(draw, controls, figsize=(9, 3.8), ncols=2, layout="top")


def plot_sigmoid_derivative(max_layers=10, figsize=(11, 3.6)):
    """Left: σ and σ′ = σ(1 − σ), whose peak is 1/4 at z = 0. Right: (1/4)^L, the best case through L layers."""
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=figsize)
    z = np.linspace(-8, 8, 401)
    s = 1 / (1 + np.exp(-z))
    ax1.plot(z, s, lw=2, label="σ(z)")
    ax1.plot(z, s * (1 - s), lw=2, label="σ′(z) = σ(z)(1 − σ(z))")
    ax1.axhline(0.25, color="0.5", ls="--", lw=1)
    ax1.annotate("1/4", (6, 0.27))
    ax1.set(xlabel="z", title="The sigmoid and its derivative")
    ax1.legend(loc="center left", fontsize=9)
    L = np.arange(1, max_layers + 1)
    ax2.semilogy(L, 0.25 ** L, "o-")
    ax2.set(xlabel="number of sigmoid layers L", ylabel="largest possible ∏ σ′",
            title="The gradient shrinks at least 4× per layer")
    fig.tight_layout()
    return fig


def _region(grid, lines):
    """step(w·x + b) of one perceptron per line, on the points of ``grid`` (M, 2): an (M, len(lines)) 0/1 array."""
    return np.stack([(grid @ np.asarray(w, float) + b > 0) for w, b in lines], axis=1).astype(float)


def _draw_lines(ax, lines, color, xs=np.array([-0.5, 1.5])):
    for w, b in lines:
        w1, w2 = float(w[0]), float(w[1])
        if abs(w2) > 1e-12:
            ax.plot(xs, -(w1 * xs + b) / w2, color=color, lw=1.2, ls="--")
        else:
            ax.axvline(-b / w1, color=color, lw=1.2, ls="--")


def plot_geometry(figsize=(13, 4.3)):
    """What one, two and three layers of step perceptrons can carve out of the plane.

    One layer: a half-plane (OR's line cannot isolate XOR's 1s). Two layers: the AND of half-planes, a
    convex region (the band between OR and NAND is exactly XOR). Three layers: the OR of convex regions,
    any region (here two separate triangles, one around each of XOR's 1s).
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=figsize, layout="constrained")
    g = np.linspace(-0.5, 1.5, 241)
    G1, G2 = np.meshgrid(g, g)
    grid = np.stack([G1.ravel(), G2.ravel()], axis=1)
    one = [((1.0, 1.0), -0.5)]
    two = [((1.0, 1.0), -0.5), ((-1.0, -1.0), 1.5)]
    tri_a = [((1.0, 0.0), 0.2), ((0.0, -1.0), 1.2), ((-1.0, 1.0), -0.6)]         # around (0, 1)
    tri_b = [((0.0, 1.0), 0.2), ((-1.0, 0.0), 1.2), ((1.0, -1.0), -0.6)]         # around (1, 0)
    regions = [
        (_region(grid, one)[:, 0], one, "1 layer: a half-plane"),
        ((_region(grid, two).sum(1) > 1.5).astype(float), two, "2 layers: a convex region (AND of half-planes)"),
        (((_region(grid, tri_a).sum(1) > 2.5) | (_region(grid, tri_b).sum(1) > 2.5)).astype(float), tri_a + tri_b,
         "3 layers: any region (OR of convex ones)"),
    ]
    for ax, (inside, lines, title) in zip(axes, regions):
        ax.contourf(G1, G2, inside.reshape(G1.shape), levels=[-0.5, 0.5, 1.5], colors=["#f3f3f3", "#d6f5d6"])
        _draw_lines(ax, lines, "tab:blue")
        ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), xlabel="$x_1$", ylabel="$x_2$", aspect="equal", title=title)
    _xor_points(axes[0], annotate=False)
    _xor_points(axes[1], annotate=False)
    _xor_points(axes[2], annotate=False)
    axes[0].text(-0.45, -0.45, "no line isolates XOR's 1s", fontsize=9)
    axes[1].text(-0.45, -0.45, "the band between OR and NAND is XOR", fontsize=9)
    axes[2].text(-0.45, -0.45, "two separate triangles around XOR's 1s", fontsize=9)
    return fig


def approximation_explorer(target=None, max_units=60):
    """Sliders for the number of hidden sigmoid units and their steepness; the staircase follows the target."""
    import ipywidgets as widgets

    target = target or (lambda x: np.sin(2 * np.pi * x) + 0.5 * x)
    x = np.linspace(0, 1, 400)
    y = target(x)
    controls = {
        "units": widgets.IntSlider(value=8, min=1, max=max_units, step=1, description="hidden units",
                                   continuous_update=False),
        "steepness": widgets.FloatLogSlider(value=100, base=10, min=0.5, max=3.5, step=0.25, description="steepness",
                                            continuous_update=False),
    }

    def draw(ax, units, steepness):
        forward, n = staircase(target, units, steepness)
        pred = forward(x)
        ax.plot(x, y, color="0.3", lw=2, ls="--", label="target")
        ax.plot(x, pred, color="tab:blue", lw=1.6, label=f"{units} sigmoid units")
        ax.set(xlabel="x", ylabel="f(x)", ylim=(y.min() - 0.4, y.max() + 0.4),
               title="one hidden layer of steep sigmoids: a staircase")
        ax.legend(loc="lower left", fontsize=8)
        return f"{n} parameters; largest error {np.abs(pred - y).max():.3f}"

    return widget(draw, controls, figsize=(6, 3.6), layout="top")


def plot_depth_against_width(x, y, rows, figsize=(13, 3.4)):
    """One panel per network of :func:`experiments.depth_against_width`: its fit, its parameters and its error."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(rows), figsize=figsize, sharey=True, layout="constrained")
    for ax, (label, pred, n, mse) in zip(np.atleast_1d(axes), rows):
        ax.plot(x, y, color="0.3", lw=2, ls="--", label="target")
        ax.plot(x, pred, color="tab:blue", lw=1.5, label="network")
        ax.set(xlabel="x", title=f"{label}\n{n} parameters, MSE {mse:.2g}")
        ax.title.set_fontsize(10)
    np.atleast_1d(axes)[0].legend(loc="upper right", fontsize=8)
    return fig
