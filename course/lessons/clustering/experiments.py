"""Runs of lesson 08 on the student's functions: inertia step by step, several starts, the elbow, and
clustering MNIST digits (embedded with PCA) measured against the labels clustering never saw."""
from __future__ import annotations

import numpy as np


def inertia_steps(X, centroids, assign, update, max_iter=20):
    """Inertia after every half-step (assign, update, assign, ...) of Lloyd's algorithm, until nothing changes."""
    C = np.asarray(centroids, dtype=float)
    labels = assign(X, C)
    trace = [("assign", float(((X - C[labels]) ** 2).sum()))]
    for _ in range(max_iter):
        C = update(X, labels, C)
        trace.append(("update", float(((X - C[labels]) ** 2).sum())))
        new = assign(X, C)
        trace.append(("assign", float(((X - C[new]) ** 2).sum())))
        if np.array_equal(new, labels):
            break
        labels = new
    return trace


def several_starts(X, k, kmeans, n_starts=8, seed=0, init=None):
    """Final inertia of ``kmeans`` from ``n_starts`` seedings: random points, or ``init(X, k, rng)`` (k-means++)."""
    rng = np.random.default_rng(seed)
    results = []
    for _ in range(n_starts):
        C0 = init(X, k, rng) if init is not None else X[rng.choice(len(X), k, replace=False)]
        C, labels, inertia = kmeans(X, C0)
        results.append((float(inertia), C, labels))
    return results


def elbow(X, ks, kmeans, init, seed=0, n_starts=3):
    """The best inertia over ``n_starts`` k-means++ starts for each k."""
    return [min(r[0] for r in several_starts(X, k, kmeans, n_starts, seed, init)) for k in ks]


def mnist_embedding(n_components=2, seed=0):
    """The 10,000 embedded MNIST digits projected on their first principal components:
    ``(Z, y, explained)`` with Z (10000, n_components), y the digits, explained the variance share."""
    from course.data import load_mnist

    images, y = load_mnist()
    X = images.reshape(len(images), -1).astype(np.float64) / 255.0
    Xc = X - X.mean(axis=0)
    cov = Xc.T @ Xc / len(X)
    vals, vecs = np.linalg.eigh(cov)
    order = np.argsort(vals)[::-1][:n_components]
    Z = Xc @ vecs[:, order]
    return Z, y, float(vals[order].sum() / vals.sum())


def contingency(y, clusters):
    """(classes, clusters) counts: how many points of each true class fell in each cluster."""
    y, clusters = np.asarray(y), np.asarray(clusters)
    _, ci = np.unique(clusters, return_inverse=True)
    table = np.zeros((y.max() + 1, ci.max() + 1), dtype=int)
    np.add.at(table, (y, ci), 1)
    return table


def purity(y, clusters):
    """The share of points whose cluster's most common class is their own class."""
    table = contingency(y, clusters)
    return float(table.max(axis=0).sum() / table.sum())


def adjusted_rand(y, clusters):
    """The adjusted Rand index: 1 for the same partition, about 0 for a random one (Hubert & Arabie, 1985)."""
    table = contingency(y, clusters)
    comb = lambda n: n * (n - 1) / 2  # noqa: E731
    index = comb(table).sum()
    a, b, n = comb(table.sum(1)).sum(), comb(table.sum(0)).sum(), comb(table.sum())
    expected = a * b / n
    return float((index - expected) / ((a + b) / 2 - expected))
