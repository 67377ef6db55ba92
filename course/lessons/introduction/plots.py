"""Pictures of lesson 00: the AI timeline, ILSVRC errors, the workflow, data-set sizes, FP16's grid,
transfer learning; widgets for the credit rule and for fitting the drug-dose line by eye."""
from __future__ import annotations

import numpy as np

from .lecture import AI_WINTERS, DATASETS, HUMAN_TOP5, ILSVRC, ILSVRC_RUNNER_UP, TIMELINE, WORKFLOW, customers, drug_doses


def _axes(ax, figsize):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_timeline(ax=None):
    """The lecture's milestones on one time axis, labels above and below, the AI winters shaded."""
    ax = _axes(ax, (11, 3.6))
    years = [t[0] for t in TIMELINE]
    ax.axhline(0, color="black", lw=1.5)
    for a, b in AI_WINTERS:
        ax.axvspan(a, b, color="#cfe2f3", alpha=0.8)
        ax.text((a + b) / 2, 2.35, "AI winter", ha="center", va="center", fontsize=8, color="tab:blue")
    for i, (year, _, label) in enumerate(TIMELINE):
        up = 1 if i % 2 == 0 else -1
        h = up * (0.9 + 0.6 * ((i // 2) % 2))
        ax.plot([year, year], [0, h], color="gray", lw=0.8)
        ax.scatter([year], [0], color="tab:red", zorder=3, s=25)
        ax.text(year, h + 0.12 * up, f"{year}\n{label}" if up > 0 else f"{label}\n{year}", ha="center",
                va="bottom" if up > 0 else "top", fontsize=8)
    ax.set(xlim=(min(years) - 4, max(years) + 4), ylim=(-2.6, 2.6), yticks=[], xlabel="year",
           title="A timeline of AI: from a threshold neuron to large language models")
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    return ax


def plot_ilsvrc(ax=None):
    """ILSVRC winners' top-5 error by year (VGG, 2014's runner-up, hollow) and a human's error."""
    ax = _axes(ax, (8, 3.6))
    years = [r[0] for r in ILSVRC]
    errs = [r[2] for r in ILSVRC]
    deep = [y >= 2012 for y in years]
    ax.bar(years, errs, color=["tab:orange" if d else "tab:gray" for d in deep])
    for y, name, e in ILSVRC:
        ax.text(y, e + 0.6, f"{name}\n{e:g}%", ha="center", fontsize=8)
    y, name, e = ILSVRC_RUNNER_UP
    ax.bar([y + 0.3], [e], width=0.3, fill=False, edgecolor="tab:orange", hatch="//")
    ax.text(y + 0.45, e / 2, name, fontsize=7, rotation=90, va="center")
    ax.axhline(HUMAN_TOP5, ls="--", color="tab:green")
    ax.text(2009.6, HUMAN_TOP5 + 0.4, f"human ≈ {HUMAN_TOP5}%", ha="left", color="tab:green", fontsize=8)
    ax.set(xlabel="year", ylabel="top-5 error (%)", ylim=(0, 33), xticks=years,
           title="ImageNet (ILSVRC) winners: grey before deep learning, orange after AlexNet")
    return ax


def _box(ax, xy, text, color, w=0.17, h=0.34):
    from matplotlib.patches import FancyBboxPatch

    x, y = xy
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.01", fc=color, ec="black"))
    ax.text(x, y, text, ha="center", va="center", fontsize=8, wrap=True)


def _arrow(ax, a, b):
    ax.annotate("", xy=b, xytext=a, arrowprops=dict(arrowstyle="->", lw=1.5))


def plot_workflow(ax=None):
    """The deep-learning workflow as boxes and arrows: the four steps of training, then inference."""
    ax = _axes(ax, (11, 2.6))
    notes = ("classification, detection,\nsegmentation, captions, ...", "MNIST, CIFAR-10,\nImageNet; labels",
             "an architecture,\nthen training", "FP16, INT8,\ntransfer learning", "the trained model\nanswers new inputs")
    colors = ("#fde9d9", "#e2efda", "#ddebf7", "#fff2cc", "#e4dfec")
    xs = np.linspace(0.1, 0.9, len(WORKFLOW))
    titles = ("1) problem\ndefinition", "2) data set preparation\n& annotation", "3) model selection\n& training",
              "4) optimization", "inference")
    assert len(titles) == len(WORKFLOW)
    for x, step, note, c in zip(xs, titles, notes, colors):
        _box(ax, (x, 0.55), f"{step}\n\n{note}", c, h=0.5)
    for a, b in zip(xs[:-1], xs[1:]):
        _arrow(ax, (a + 0.09, 0.55), (b - 0.09, 0.55))
    ax.text(0.4, 0.08, "TRAINING: an untrained network learns from labelled data", ha="center", fontsize=9)
    ax.text(0.9, 0.08, "INFERENCE", ha="center", fontsize=9)
    ax.set(xlim=(0, 1), ylim=(0, 1), title="The deep-learning workflow")
    ax.axis("off")
    return ax


def plot_datasets(ax=None):
    """Images and bytes (uint8 and float32) of the workflow's data sets, on log scales."""
    ax = _axes(ax, (8, 3.2))
    names = list(DATASETS)
    n = np.array([d["train"] + d["test"] for d in DATASETS.values()], dtype=float)
    per = np.array([np.prod(d["shape"]) for d in DATASETS.values()], dtype=float)
    x = np.arange(len(names))
    ax.bar(x - 0.2, n, width=0.4, label="images", color="tab:blue")
    ax.bar(x + 0.2, n * per * 4 / 1e6, width=0.4, label="MB as float32", color="tab:orange")
    for i, (nm, d) in enumerate(DATASETS.items()):
        h, w, c = d["shape"]
        top = max(n[i], n[i] * per[i] * 4 / 1e6)
        ax.text(i, top * 1.6, f"{h}×{w}×{c}, {d['classes']} classes", ha="center", fontsize=8)
    ax.set_yscale("log")
    ax.set(xticks=x, xticklabels=names, ylim=(10, 1e7 * 3), title="Data sets of the workflow: images and megabytes")
    ax.legend(loc="upper left", fontsize=8)
    return ax


def plot_fp16_grid(ax=None):
    """The float16 numbers around 1 (one every 2⁻¹⁰ ≈ 9.77e-4) and around 1000 (one every 0.5)."""
    import matplotlib.pyplot as plt  # noqa: F401  (only for the default axes)

    ax = _axes(ax, (9, 2.2))
    for row, (lo, n) in enumerate(((1.0, 8), (1000.0, 8))):
        v = [np.float16(lo)]
        for _ in range(n):
            v.append(np.nextafter(v[-1], np.float16(np.inf)))
        v = np.array(v, dtype=np.float64)
        ax.scatter((v - lo) / (v[-1] - lo), np.full(len(v), row), s=30)
        ax.text(1.02, row, f"from {lo:g}: spacing {v[1] - v[0]:.3g}", va="center", fontsize=9)
    ax.set(yticks=[], xticks=[], xlim=(-0.05, 1.6), ylim=(-0.7, 1.7),
           title="float16: the same number of values in [1, 1.008) as in [1000, 1004)")
    return ax


def plot_transfer(ax=None):
    """Transfer learning in one picture: a network trained on ImageNet, its layers kept, a new head trained."""
    ax = _axes(ax, (10, 2.8))
    for i, name in enumerate(("conv", "conv", "conv", "conv")):
        _box(ax, (0.12 + 0.12 * i, 0.7), f"{name}\n(ImageNet)", "#ddebf7", w=0.09, h=0.28)
        _box(ax, (0.12 + 0.12 * i, 0.25), f"{name}\nfrozen", "#d9d9d9", w=0.09, h=0.28)
    _box(ax, (0.66, 0.7), "1000-class\nhead", "#ddebf7", w=0.12, h=0.28)
    _box(ax, (0.66, 0.25), "new head:\napple / pear", "#fff2cc", w=0.12, h=0.28)
    for i in range(3):
        _arrow(ax, (0.165 + 0.12 * i, 0.7), (0.195 + 0.12 * i, 0.7))
        _arrow(ax, (0.165 + 0.12 * i, 0.25), (0.195 + 0.12 * i, 0.25))
    _arrow(ax, (0.525, 0.7), (0.6, 0.7))
    _arrow(ax, (0.525, 0.25), (0.6, 0.25))
    ax.annotate("copy the weights", xy=(0.3, 0.41), xytext=(0.3, 0.55), ha="center", fontsize=8,
                arrowprops=dict(arrowstyle="->", color="tab:blue"))
    ax.text(0.78, 0.7, "trained on ~1M images", fontsize=9, va="center")
    ax.text(0.78, 0.25, "only the head is trained,\non a few hundred images", fontsize=9, va="center")
    ax.set(xlim=(0, 1), ylim=(0, 1), title="Transfer learning: reuse what a big network learned")
    ax.axis("off")
    return ax


def plot_customers(rule, theta1, theta2, ax=None, income=None, savings=None, risk=None):
    """Customers (● low risk, ✕ high risk) and the rectangle where ``rule`` says low risk; returns the error rate."""
    if income is None:
        income, savings, risk = customers()
    ax = _axes(ax, (5, 4))
    pred = np.asarray(rule(income, savings, theta1, theta2)).astype(int)
    ax.axvspan(theta1, 105, ymin=(theta2 + 3) / 66, ymax=1, color="#d6e9ff")
    ax.axvline(theta1, color="tab:blue", lw=1)
    ax.axhline(theta2, color="tab:blue", lw=1)
    wrong = pred != risk
    for r, marker, c in ((1, "o", "tab:green"), (0, "X", "tab:red")):
        m = risk == r
        ax.scatter(income[m], savings[m], marker=marker, c=c, edgecolor="black", lw=0.4, s=36)
    ax.scatter(income[wrong], savings[wrong], facecolor="none", edgecolor="black", s=120, lw=1.2)
    ax.set(xlim=(5, 105), ylim=(-3, 63), xlabel="income (thousands)", ylabel="savings (thousands)",
           title=f"θ₁ = {theta1:.0f}, θ₂ = {theta2:.0f}: {wrong.mean():.1%} misclassified")
    return float(wrong.mean())


def credit_explorer(rule, theta1=30.0, theta2=40.0):
    """Sliders for θ₁ (income) and θ₂ (savings); the customers and the low-risk rectangle of ``rule`` follow."""
    import ipywidgets as widgets

    from course.plots import widget

    income, savings, risk = customers()
    controls = {"theta1": widgets.FloatSlider(value=theta1, min=10, max=100, step=1, description="θ₁ income"),
                "theta2": widgets.FloatSlider(value=theta2, min=0, max=60, step=1, description="θ₂ savings")}

    def draw(ax, theta1, theta2):
        err = plot_customers(rule, theta1, theta2, ax=ax, income=income, savings=savings, risk=risk)
        return (f"<b>{err:.1%}</b> of {len(risk)} customers misclassified (circled). "
                "Green ● turned out low risk, red ✕ high risk.")

    return widget(draw, controls, figsize=(5, 4))


def plot_dose(beta0, beta1, ax=None, x=None, y=None):
    """The drug-dose data, the line y = β₀ + β₁x and its residuals; returns the mean squared error."""
    if x is None:
        x, y = drug_doses()
    ax = _axes(ax, (5, 3.6))
    fit = beta0 + beta1 * x
    ax.vlines(x, y, fit, color="tab:red", lw=0.8, alpha=0.7)
    ax.scatter(x, y, color="tab:blue", zorder=3)
    xs = np.linspace(0, 11, 2)
    ax.plot(xs, beta0 + beta1 * xs, color="black")
    mse = float(np.mean((y - fit) ** 2))
    ax.set(xlim=(0, 11), ylim=(0, 12), xlabel="dose x (mg)", ylabel="duration of effect y (h)",
           title=f"y = {beta0:.2f} + {beta1:.2f}·x   MSE = {mse:.3f}")
    return mse


def dose_explorer(beta0=3.0, beta1=0.3):
    """Sliders for β₀ and β₁: fit the drug-dose line by eye and watch the mean squared error."""
    import ipywidgets as widgets

    from course.plots import widget

    x, y = drug_doses()
    controls = {"beta0": widgets.FloatSlider(value=beta0, min=-2, max=6, step=0.05, description="β₀"),
                "beta1": widgets.FloatSlider(value=beta1, min=-0.5, max=2, step=0.01, description="β₁")}

    def draw(ax, beta0, beta1):
        mse = plot_dose(beta0, beta1, ax=ax, x=x, y=y)
        return f"mean squared error <b>{mse:.3f}</b> (the red segments are the residuals y − ŷ)"

    return widget(draw, controls, figsize=(5, 3.6))
