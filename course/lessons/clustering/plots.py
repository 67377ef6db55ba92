"""Pictures of lesson 08: clusters and centroids, a k-means step-through, a DBSCAN explorer (core, border,
noise), the elbow and k-distance plots. The widgets run the student's own functions."""
from __future__ import annotations

import numpy as np

from .lecture import POINT_KINDS, blobs, moons, rings

PALETTE = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink",
           "tab:olive", "tab:cyan", "gold")


def _axes(ax, figsize=(4.5, 4)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def shapes(name, seed=0):
    """A named 2-D data set of the lesson: ``"blobs"``, ``"moons"``, ``"rings"`` or ``"uniform"``."""
    rng = np.random.default_rng(seed)
    if name == "blobs":
        return blobs(rng, n=150)[0]
    if name == "moons":
        return moons(rng, n=200)[0]
    if name == "rings":
        return rings(rng, n=240)[0]
    if name == "uniform":
        return rng.uniform(0, 4, size=(150, 2))
    raise ValueError(f"unknown data set {name!r}")


def plot_clusters(X, labels=None, centroids=None, ax=None, title=None, s=18):
    """Points coloured by cluster (grey where ``labels`` is None, grey crosses for −1) and centroids as stars."""
    ax = _axes(ax)
    X = np.asarray(X)
    if labels is None:
        ax.scatter(X[:, 0], X[:, 1], s=s, c="lightgray", edgecolor="gray", lw=0.3)
    else:
        labels = np.asarray(labels)
        noise = labels < 0
        ax.scatter(X[noise, 0], X[noise, 1], s=s, c="gray", marker="x", lw=0.8)
        for lab in np.unique(labels[~noise]):  # cluster k in colour k, like its centroid
            m = labels == lab
            ax.scatter(X[m, 0], X[m, 1], s=s, color=PALETTE[int(lab) % len(PALETTE)], edgecolor="black", lw=0.2)
    if centroids is not None:
        C = np.asarray(centroids)
        ax.scatter(C[:, 0], C[:, 1], marker="*", s=260, c=[PALETTE[i % len(PALETTE)] for i in range(len(C))],
                   edgecolor="black", lw=1.2, zorder=4)
    ax.set(aspect="equal", title=title or "")
    return ax


def _inertia(X, C, labels):
    return float(((X - C[labels]) ** 2).sum())


def kmeans_stepper(assign, update, k=3, data="blobs", seed=0):
    """k-means one step per click: **assign** (your ``kmeans_assign``) colours the points by their nearest
    centroid, **update** (your ``kmeans_update``) moves each centroid to its points' mean; **re-seed**
    draws k new seed points. Change the data or k to start again."""
    import ipywidgets as widgets

    from course.plots import widget

    state = {"key": None, "seed": seed, "history": []}
    b_assign = widgets.Button(description="assign", button_style="info")
    b_update = widgets.Button(description="update", button_style="warning")
    b_seed = widgets.Button(description="re-seed")
    controls = {"data": widgets.Dropdown(options=["blobs", "moons", "rings", "uniform"], value=data,
                                         description="data"),
                "k": widgets.IntSlider(value=k, min=1, max=8, description="k"),
                "assign": b_assign, "update": b_update, "reseed": b_seed}

    def reset(data, k):
        rng = np.random.default_rng(state["seed"])
        X = shapes(data, seed=0)
        state.update(key=(data, k, state["seed"]), X=X, C=X[rng.choice(len(X), k, replace=False)].copy(),
                     labels=None, old=None, history=[], note="seed points drawn: press assign")

    def draw(ax, data, k):
        if state["key"] != (data, k, state["seed"]):
            reset(data, k)
        X, C, labels = state["X"], state["C"], state["labels"]
        plot_clusters(X, labels, C, ax=ax, title=f"k = {k}, step {len(state['history'])}")
        if state["old"] is not None:
            for a, b in zip(state["old"], C):
                ax.annotate("", xy=b, xytext=a, arrowprops=dict(arrowstyle="->", lw=1.5))
        hist = ", ".join(f"{v:.1f}" for v in state["history"][-6:])
        return f"{state['note']}<br>inertia after each assign: {hist or '—'}"

    def on_assign(_):
        X, C = state["X"], state["C"]
        new = np.asarray(assign(X, C))
        same = state["labels"] is not None and np.array_equal(new, state["labels"])
        state.update(labels=new, old=None, note="no point changed cluster: converged" if same
                     else "each point joined its nearest centroid: press update")
        state["history"].append(_inertia(X, C, new))
        box.redraw()

    def on_update(_):
        if state["labels"] is None:
            state["note"] = "assign first: update needs each point's cluster"
        else:
            state["old"] = state["C"].copy()
            state["C"] = np.asarray(update(state["X"], state["labels"], state["C"]), dtype=float)
            state["note"] = "each centroid moved to the mean of its points (arrows): press assign"
        box.redraw()

    def on_seed(_):
        state["seed"] += 1
        box.redraw()

    b_assign.on_click(on_assign)
    b_update.on_click(on_update)
    b_seed.on_click(on_seed)
    box = widget(draw, controls, figsize=(4.8, 4.4))
    return box


def point_kinds(X, eps, min_samples, labels):
    """"core", "border" or "noise" for each point: core has ≥ min_samples points within eps (itself counted)."""
    X = np.asarray(X, dtype=float)
    d2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    core = (np.sqrt(d2) <= eps).sum(1) >= min_samples
    labels = np.asarray(labels)
    return np.where(core, "core", np.where(labels >= 0, "border", "noise"))


def plot_dbscan(X, labels, kinds, ax=None, title=None):
    """Clusters by colour; core points large, border points small with a cyan ring, noise as grey crosses."""
    ax = _axes(ax)
    X, labels, kinds = np.asarray(X), np.asarray(labels), np.asarray(kinds)
    names = [lab for lab in np.unique(labels) if lab >= 0]
    for j, lab in enumerate(names):
        color = PALETTE[j % len(PALETTE)]
        for kind, size, edge in (("core", 30, "black"), ("border", 14, POINT_KINDS["border"])):
            m = (labels == lab) & (kinds == kind)
            ax.scatter(X[m, 0], X[m, 1], s=size, color=color, edgecolor=edge, lw=0.9)
    m = kinds == "noise"
    ax.scatter(X[m, 0], X[m, 1], s=20, c=POINT_KINDS["noise"], marker="x")
    ax.set(aspect="equal", title=title or "")
    return ax


def dbscan_explorer(dbscan, data="moons", eps=0.2, min_samples=5):
    """Sliders for ε and MinPts over your ``dbscan``: core points (large), border points (ringed), noise (×)."""
    import ipywidgets as widgets

    from course.plots import widget

    cache = {}
    controls = {"data": widgets.Dropdown(options=["moons", "rings", "blobs", "uniform"], value=data,
                                         description="data"),
                "eps": widgets.FloatSlider(value=eps, min=0.02, max=1.0, step=0.02, description="ε"),
                "min_samples": widgets.IntSlider(value=min_samples, min=1, max=20, description="MinPts")}

    def draw(ax, data, eps, min_samples):
        if data not in cache:
            cache[data] = shapes(data, seed=1)
        X = cache[data]
        labels = np.asarray(dbscan(X, eps, min_samples))
        kinds = point_kinds(X, eps, min_samples, labels)
        n_clusters = len(set(labels.tolist()) - {-1})
        plot_dbscan(X, labels, kinds, ax=ax, title=f"ε = {eps:.2f}, MinPts = {min_samples}: {n_clusters} clusters")
        counts = {k: int((kinds == k).sum()) for k in ("core", "border", "noise")}
        return " · ".join(f"{k}: <b>{v}</b>" for k, v in counts.items())

    return widget(draw, controls, figsize=(4.8, 4.4))


def plot_kdistance(X, min_samples, ax=None, eps=None):
    """Each point's distance to its min_samples-th nearest point (itself counted first), sorted: the knee
    is a good ε; ``eps`` draws a line at a chosen value."""
    ax = _axes(ax, (5, 3.2))
    X = np.asarray(X, dtype=float)
    d = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    kd = np.sort(np.sort(d, axis=1)[:, min(min_samples, len(X)) - 1])
    ax.plot(kd)
    if eps is not None:
        ax.axhline(eps, ls="--", color="tab:red", label=f"ε = {eps:g}")
        ax.legend()
    ax.set(xlabel="points, sorted", ylabel=f"distance to the {min_samples}-th nearest",
           title="k-distance plot (choose ε at the knee)")
    return ax


def plot_elbow(ks, inertias, ax=None):
    """Inertia against k: the bend ("elbow") suggests a k beyond which more clusters gain little."""
    ax = _axes(ax, (5, 3.2))
    ax.plot(list(ks), inertias, "o-")
    ax.set(xlabel="k", ylabel="inertia (sum of squared distances)", title="elbow plot", xticks=list(ks))
    return ax
