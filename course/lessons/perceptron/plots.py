"""Pictures of lesson 01: a gate's points and decision boundary, the gate explorer, mistakes per epoch."""
from __future__ import annotations

import numpy as np

from .lecture import TRUTH_TABLES, X_GATE


def boundary_points(w, b, xlim=(-0.5, 1.5)):
    """Two points of the line w1·x1 + w2·x2 + b = 0 within ``xlim`` (x2 = -(w1/w2)·x1 - b/w2)."""
    w1, w2 = float(w[0]), float(w[1])
    if abs(w2) > 1e-12:
        x1 = np.array(xlim, dtype=float)
        return x1, -(w1 / w2) * x1 - b / w2
    if abs(w1) > 1e-12:  # a vertical line x1 = -b / w1
        return np.full(2, -b / w1), np.array(xlim, dtype=float)
    return None


def plot_gate(w, b, gate="AND", ax=None, title=None):
    """Draw the four inputs coloured by the gate's truth table, the decision line and the half-plane z > 0."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(4, 4))
    w = np.asarray(w, dtype=float)
    target = TRUTH_TABLES[gate]
    xx, yy = np.meshgrid(np.linspace(-0.5, 1.5, 200), np.linspace(-0.5, 1.5, 200))
    zz = w[0] * xx + w[1] * yy + b
    ax.contourf(xx, yy, (zz > 0).astype(float), levels=[-0.5, 0.5, 1.5], colors=["#f3f3f3", "#d6e9ff"])
    line = boundary_points(w, b)
    if line is not None:
        ax.plot(*line, color="tab:blue", lw=2, label="w·x + b = 0")
    for (x1, x2), t in zip(X_GATE, target):
        ax.scatter(x1, x2, s=160, marker="o" if t else "X", color="tab:green" if t else "tab:red",
                   edgecolor="black", zorder=3)
    ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), xlabel="$x_1$", ylabel="$x_2$", aspect="equal",
           title=title or f"{gate}: w = ({w[0]:.2f}, {w[1]:.2f}), b = {b:.2f}")
    return ax


def truth_table_html(w, b, gate="AND"):
    """The truth table of step(w·x + b) next to the gate's, as an HTML table with ✓ and ✗."""
    w = np.asarray(w, dtype=float)
    z = X_GATE @ w + b
    rows = "".join(
        f"<tr><td>{int(x1)}</td><td>{int(x2)}</td><td>{zi:+.2f}</td><td>{int(zi > 0)}</td><td>{t}</td>"
        f"<td>{'&#10003;' if int(zi > 0) == t else '&#10007;'}</td></tr>"
        for (x1, x2), zi, t in zip(X_GATE, z, TRUTH_TABLES[gate]))
    return ("<table><tr><th>x1</th><th>x2</th><th>z = w·x + b</th><th>step(z)</th>"
            f"<th>{gate}</th><th></th></tr>{rows}</table>")


def gate_explorer(gate="AND", w1=0.5, w2=0.5, b=-0.2):
    """Sliders for w1, w2 and b and a choice of gate; the line and the truth table follow live."""
    import ipywidgets as widgets

    from course.plots import widget

    controls = {"gate": widgets.Dropdown(options=list(TRUTH_TABLES), value=gate, description="gate")}
    for name, v in (("w1", w1), ("w2", w2), ("b", b)):
        controls[name] = widgets.FloatSlider(value=v, min=-2, max=2, step=0.05, description=name)

    def draw(ax, gate, w1, w2, b):
        plot_gate((w1, w2), b, gate, ax=ax)
        return truth_table_html((w1, w2), b, gate)

    return widget(draw, controls, figsize=(4, 4))


def plot_errors(errors, ax=None, title="Mistakes per epoch"):
    """A bar chart of the mistakes the perceptron made in each pass (whole numbers on both axes)."""
    from matplotlib.ticker import MaxNLocator

    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 2.5))
    errors = np.asarray(errors)
    ax.bar(np.arange(1, len(errors) + 1), errors, color="tab:blue")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel="epoch", ylabel="misclassified", title=title)
    return ax
