"""The lecture's fixed data for lesson 08: a worked k-means example and the shapes the lesson clusters.

The lecture gives k-means as four steps (seed points, assign each point to the nearest seed, move
each seed to the mean of its points, repeat until no assignment changes) and DBSCAN by ε, MinPts
and core / border / noise points. The worked example below is small enough to follow by hand.
"""
import numpy as np

#: Eight points of the worked example (two groups of four) and the two seed points it starts from.
X_TOY = np.array([[1.0, 1.0], [1.5, 2.0], [3.0, 4.0], [5.0, 7.0],
                  [3.5, 5.0], [4.5, 5.0], [3.5, 4.5], [2.0, 1.0]])
SEEDS_TOY = np.array([[1.0, 1.0], [5.0, 7.0]])

#: DBSCAN's three kinds of point, with the colours the lesson draws them in.
POINT_KINDS = {"core": "tab:blue", "border": "tab:cyan", "noise": "tab:gray"}


def blobs(rng, n=150, centers=((0.0, 0.0), (4.0, 0.5), (1.5, 3.5)), scale=0.6):
    """Round Gaussian clusters around ``centers``: ``(X, y)`` with ``n`` points split evenly."""
    centers = np.asarray(centers, dtype=float)
    k = len(centers)
    y = np.arange(n) % k
    X = centers[y] + rng.normal(scale=scale, size=(n, centers.shape[1]))
    order = rng.permutation(n)
    return X[order], y[order]


def moons(rng, n=200, noise=0.08):
    """Two interleaved half circles (the shape k-means cannot separate): ``(X, y)``."""
    n1 = n // 2
    t1 = rng.uniform(0, np.pi, n1)
    t2 = rng.uniform(0, np.pi, n - n1)
    X = np.vstack([np.c_[np.cos(t1), np.sin(t1)], np.c_[1 - np.cos(t2), 0.5 - np.sin(t2)]])
    X += rng.normal(scale=noise, size=X.shape)
    y = np.r_[np.zeros(n1, int), np.ones(n - n1, int)]
    order = rng.permutation(n)
    return X[order], y[order]


def rings(rng, n=240, radii=(1.0, 3.0), noise=0.12):
    """Concentric rings: ``(X, y)``."""
    k = len(radii)
    y = np.arange(n) % k
    t = rng.uniform(0, 2 * np.pi, n)
    r = np.asarray(radii)[y] + rng.normal(scale=noise, size=n)
    X = np.c_[r * np.cos(t), r * np.sin(t)]
    order = rng.permutation(n)
    return X[order], y[order]


def with_noise(rng, X, y, n_noise=20, pad=1.0):
    """Add uniform noise points over the bounding box (label −1 in ``y``)."""
    lo, hi = X.min(0) - pad, X.max(0) + pad
    Z = rng.uniform(lo, hi, size=(n_noise, X.shape[1]))
    return np.vstack([X, Z]), np.r_[y, -np.ones(n_noise, int)]


#: A tie that the expansion ‖x‖² − 2x·c + ‖c‖² breaks: far from the origin, points exactly halfway
#: between two centroids one apart (all values exact in binary, so the direct differences are ±0.5).
TIE_OFFSET = 1234.56789


def tie_layout(pairs=5, gap=10.0):
    """Centroids ``m, m + 1`` for each of ``pairs`` pairs (``gap`` apart, on the x axis) and the point
    ``m + 0.5`` halfway between each pair: ``(points, centroids)``, every distance exact (0.5 or more)."""
    m = TIE_OFFSET + gap * np.arange(pairs)
    C = np.c_[np.c_[m, m + 1].reshape(-1), np.zeros(2 * pairs)]
    P = np.c_[m + 0.5, np.zeros(pairs)]
    return P, C
