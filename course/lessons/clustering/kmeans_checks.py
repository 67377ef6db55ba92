"""Lesson 08 exercise specs for k-means: ``kmeans_assign``, ``kmeans_update``, ``kmeans``, ``kmeans_plus_plus``.

References: :mod:`.algorithms` in torch (direct squared differences, ``argmin`` with its first-index
ties, segment means by ``index_add_``). The edge cases are in the graded cases: exact ties, ties far
from the origin (where the expansion ‖x‖² − 2x·c + ‖c‖² breaks them), an empty cluster, duplicate
points, k equal to the number of points.
"""
from __future__ import annotations

import copy

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, register

from . import algorithms as A
from .lecture import SEEDS_TOY, X_TOY, blobs, tie_layout


# --------------------------------------------------------------------------- wrong versions, in torch
def _expansion(X, C):
    return (X ** 2).sum(1)[:, None] - 2 * X @ C.T + (C ** 2).sum(1)[None, :]


def _expansion_b(X, C):
    return (X ** 2).sum(1)[:, None] + (C ** 2).sum(1)[None, :] - 2 * X @ C.T


def _assign_with(dist):
    return lambda X, C: dist(X, C).argmin(dim=1)


def _ties_last(X, C):
    d = A.sq_dists(X, C)
    return C.shape[0] - 1 - d.flip(1).argmin(dim=1)


def _update_empty(value):
    def update(X, labels, C):
        import torch

        K = C.shape[0]
        sums = torch.zeros_like(C).index_add_(0, labels.long(), X)
        counts = torch.bincount(labels.long(), minlength=K).to(X.dtype)[:, None]
        return torch.where(counts > 0, sums / counts.clamp(min=1), torch.full_like(C, value))
    return update


EXPANSION_HINT = ("ties must go to the lowest index, but your distances break exact ties: compute Σ(x − c)² from "
                  "the differences X[:, None, :] − C[None, :, :], not by the expansion ‖x‖² − 2x·c + ‖c‖², whose "
                  "rounding makes two equal distances differ in the last digit.")


# --------------------------------------------------------------------------- kmeans_assign
def _assign_cases(rng):
    Xb, _ = blobs(rng, n=50)
    P, C = tie_layout()
    Xt = np.vstack([P, C[::3] + rng.normal(scale=0.1, size=(4, 2)) * [1, 0]])
    Xn = rng.normal(size=(7, 3))
    Xn = np.vstack([Xn, Xn[2:3]])  # a duplicate point
    return [
        Case("the worked example's eight points and two seeds", {"X": X_TOY.copy(), "centroids": SEEDS_TOY.copy()}),
        Case("three blobs (50, 2), three random centroids", {"X": Xb, "centroids": rng.normal(scale=2, size=(3, 2))}),
        Case("(40, 5) points, four centroids", {"X": rng.normal(size=(40, 5)), "centroids": rng.normal(size=(4, 5))}),
        Case("points exactly halfway between two centroids (ties go to the lowest index)",
             {"X": np.array([[1.0, 0.0], [1.0, 5.0], [0.0, 0.0], [2.0, 1.0], [3.0, 3.0]]),
              "centroids": np.array([[0.0, 0.0], [2.0, 0.0], [4.0, 0.0]])}),
        Case("ties far from the origin (x near 1234.6)", {"X": Xt, "centroids": C}),
        Case("k equal to the number of points: the points themselves, one duplicated",
             {"X": Xn, "centroids": Xn[rng.permutation(len(Xn))]}),
        Case("one point, one centroid", {"X": rng.normal(size=(1, 2)), "centroids": rng.normal(size=(1, 2))}),
    ]


register(Exercise(
    name="kmeans_assign",
    signature="kmeans_assign(X, centroids)",
    cases=_assign_cases,
    reference=lambda ref, X, centroids: A.assign(X, centroids),
    outputs=(Output("labels", kind="int"),),
    mistakes=(
        Mistake("expansion_ties", EXPANSION_HINT, lambda ref, X, centroids: _assign_with(_expansion)(X, centroids)),
        Mistake("expansion_ties", EXPANSION_HINT, lambda ref, X, centroids: _assign_with(_expansion_b)(X, centroids)),
        Mistake("ties_last", "a point exactly as far from two centroids goes to the lower index (np.argmin does that; "
                "a loop that updates on `<=` keeps the last one).", lambda ref, X, centroids: _ties_last(X, centroids)),
        Mistake("argmax", "you picked the farthest centroid: the label is the argmin of the distances.",
                lambda ref, X, centroids: A.sq_dists(X, centroids).argmax(dim=1)),
        Mistake("manhattan", "the distance is Euclidean, Σ(x − c)², not the sum of absolute differences.",
                lambda ref, X, centroids: (X[:, None, :] - centroids[None]).abs().sum(-1).argmin(dim=1)),
    ),
    hint="for each point, the index of the centroid with the smallest Σ(x − c)²; shape (N,), ties to the lowest index.",
    points=2,
))


# --------------------------------------------------------------------------- kmeans_update
def _update_cases(rng):
    Xb, _ = blobs(rng, n=60)
    C3 = rng.normal(size=(3, 2))
    Xd = np.repeat(rng.normal(size=(4, 2)), [3, 1, 2, 2], axis=0)
    Xk = rng.normal(size=(6, 3))
    return [
        Case("the worked example after the first assignment",
             {"X": X_TOY.copy(), "labels": np.array([0, 0, 1, 1, 1, 1, 1, 0]), "centroids": SEEDS_TOY.copy()}),
        Case("three blobs (60, 2) with random labels", {"X": Xb, "labels": rng.integers(0, 3, 60), "centroids": C3}),
        Case("an empty cluster (no point has label 2) keeps its centroid",
             {"X": Xb[:20], "labels": rng.integers(0, 2, 20), "centroids": rng.normal(size=(4, 2))}),
        Case("duplicate points", {"X": Xd, "labels": np.array([0, 0, 0, 1, 1, 2, 2, 2]),
                                  "centroids": rng.normal(size=(3, 2))}),
        Case("k equal to the number of points: each point alone",
             {"X": Xk, "labels": rng.permutation(6), "centroids": rng.normal(size=(6, 3))}),
        Case("labels as int32, (30, 4)", {"X": rng.normal(size=(30, 4)), "labels": rng.integers(0, 5, 30).astype(np.int32),
                                          "centroids": rng.normal(size=(5, 4))}),
    ]


register(Exercise(
    name="kmeans_update",
    signature="kmeans_update(X, labels, centroids)",
    cases=_update_cases,
    reference=lambda ref, X, labels, centroids: A.update(X, labels, centroids),
    outputs=(Output("centroids"),),
    mistakes=(
        Mistake("empty_nan", "an empty cluster gives NaN (the mean of no points): keep its centroid from `centroids`.",
                lambda ref, X, labels, centroids: _update_empty(float("nan"))(X, labels, centroids)),
        Mistake("empty_zero", "an empty cluster's centroid was set to 0: keep its centroid from `centroids`.",
                lambda ref, X, labels, centroids: _update_empty(0.0)(X, labels, centroids)),
        Mistake("sum_not_mean", "each centroid is the mean of its points: divide the sum by the cluster's count.",
                lambda ref, X, labels, centroids: ref.torch.where(
                    ref.torch.bincount(labels, minlength=centroids.shape[0])[:, None] > 0,
                    ref.torch.zeros_like(centroids).index_add_(0, labels, X), centroids)),
        Mistake("divided_by_n", "divide each cluster's sum by the number of points in that cluster, not by N.",
                lambda ref, X, labels, centroids: ref.torch.where(
                    ref.torch.bincount(labels, minlength=centroids.shape[0])[:, None] > 0,
                    ref.torch.zeros_like(centroids).index_add_(0, labels, X) / X.shape[0], centroids)),
    ),
    hint="row k is the mean of the points with label k; a cluster with no points keeps row k of `centroids`.",
    points=2,
))


# --------------------------------------------------------------------------- kmeans
def _lloyd_variant(X, centroids, max_iter, *, assign_fn=A.assign, update_fn=A.update, stale_labels=False):
    """Lloyd's loop with one part swapped; ``stale_labels``: the labels from before the last update."""
    import torch

    C, labels = centroids, assign_fn(X, centroids)
    before = labels
    for _ in range(max_iter):
        C = update_fn(X, labels, C)
        new = assign_fn(X, C)
        if torch.equal(new, labels):
            before = labels
            break
        before, labels = labels, new
    if stale_labels:  # the inertia of such code varies: compare the centroids and labels only
        return {"centroids": C, "labels": before}
    return {"centroids": C, "labels": labels, "inertia": A.inertia(X, C, labels)}


def _kmeans_cases(rng):
    Xb, _ = blobs(rng, n=90)
    P, C = tie_layout()
    Xt = np.vstack([P, C])[rng.permutation(15)]
    Xe, _ = blobs(rng, n=40, centers=((0.0, 0.0), (3.0, 3.0)))
    Xn = rng.normal(size=(5, 2))
    return [
        Case("the worked example from its two seeds", {"X": X_TOY.copy(), "centroids": SEEDS_TOY.copy()}),
        Case("three blobs (90, 2) from three of the points", {"X": Xb, "centroids": Xb[rng.choice(90, 3, replace=False)]}),
        Case("(60, 3) points, k = 4, max_iter=1 (stops before converging)",
             {"X": rng.normal(size=(60, 3)), "centroids": rng.normal(size=(4, 3)), "max_iter": 1}),
        Case("max_iter=0: the given centroids and their assignment",
             {"X": Xb[:30], "centroids": Xb[:3].copy(), "max_iter": 0}),
        Case("a far centroid that never gets a point (an empty cluster stays)",
             {"X": Xe, "centroids": np.array([[0.5, 0.5], [2.5, 2.5], [40.0, -40.0]])}),
        Case("ties far from the origin: halfway points go to the lower centroid", {"X": Xt, "centroids": C}),
        Case("k equal to the number of points", {"X": Xn, "centroids": Xn[::-1].copy(), "max_iter": 10}),
    ]


register(Exercise(
    name="kmeans",
    signature="kmeans(X, centroids, max_iter=100)",
    cases=_kmeans_cases,
    reference=lambda ref, X, centroids, max_iter: A.lloyd(X, centroids, max_iter)[:3],
    outputs=(Output("centroids"), Output("labels", kind="int"), Output("inertia", scalar=True)),
    mistakes=(
        Mistake("expansion_ties", EXPANSION_HINT, lambda ref, X, centroids, max_iter: _lloyd_variant(
            X, centroids, max_iter, assign_fn=_assign_with(_expansion))),
        Mistake("expansion_ties", EXPANSION_HINT, lambda ref, X, centroids, max_iter: _lloyd_variant(
            X, centroids, max_iter, assign_fn=_assign_with(_expansion_b))),
        Mistake("empty_zero", "an empty cluster's centroid was set to 0: keep its previous centroid.",
                lambda ref, X, centroids, max_iter: _lloyd_variant(X, centroids, max_iter, update_fn=_update_empty(0.0))),
        Mistake("empty_nan", "an empty cluster gives NaN (the mean of no points): keep its previous centroid.",
                lambda ref, X, centroids, max_iter: _lloyd_variant(X, centroids, max_iter,
                                                                   update_fn=_update_empty(float("nan")))),
        Mistake("stale_labels", "when max_iter stops the loop, return the assignment to the last centroids (assign once "
                "more after the last update), not the one from before it.",
                lambda ref, X, centroids, max_iter: _lloyd_variant(X, centroids, max_iter, stale_labels=True)),
        Mistake("inertia_mean", "the inertia is the sum of the squared distances, not their mean.",
                lambda ref, X, centroids, max_iter: {"inertia": A.lloyd(X, centroids, max_iter)[2] / X.shape[0]}),
        Mistake("inertia_not_squared", "the inertia sums the squared distances Σ‖x − c‖², not the distances.",
                lambda ref, X, centroids, max_iter: {"inertia": (lambda C, lab: ref.torch.sqrt(
                    A.sq_dists(X, C).gather(1, lab[:, None])).sum())(*A.lloyd(X, centroids, max_iter)[:2])}),
    ),
    hint=("assign, then repeat (update, assign) until the labels stop changing or max_iter updates have run; return "
          "the last centroids, the labels for them and Σ of the squared distances to them."),
    points=3,
))


# --------------------------------------------------------------------------- kmeans_plus_plus
def _pp_variant(X, k, rng, *, power=2.0, last_only=False, farthest=False, uniform=False, first_zero=False):
    import torch

    g = copy.deepcopy(rng)
    N = X.shape[0]
    chosen = [0 if first_zero else int(g.integers(N))]
    best = A.sq_dists(X, X[chosen])[:, 0]
    for _ in range(1, k):
        if uniform:
            i = int(g.choice(N))
        elif farthest:
            i = int(best.argmax())
        else:
            w = best ** (power / 2)
            i = int(g.choice(N, p=(w / w.sum()).cpu().numpy()))
        chosen.append(i)
        d = A.sq_dists(X, X[i:i + 1])[:, 0]
        best = d if last_only else torch.minimum(best, d)
    return X[chosen]


def _pp_cases(rng):
    Xb, _ = blobs(rng, n=60)
    Xd = np.vstack([np.repeat(rng.normal(size=(3, 2)), 4, axis=0), rng.normal(scale=3, size=(6, 2))])
    seeds = rng.integers(0, 2**31, size=6)
    g = np.random.default_rng
    return [
        Case("(50, 4) points, k = 6", {"X": rng.normal(size=(50, 4)), "k": 6, "rng": g(seeds[2])}),
        Case("three blobs (60, 2), k = 3", {"X": Xb, "k": 3, "rng": g(seeds[0])}),
        Case("the worked example, k = 2", {"X": X_TOY.copy(), "k": 2, "rng": g(seeds[1])}),
        Case("k = 1: one uniformly drawn point", {"X": Xb[:10], "k": 1, "rng": g(seeds[3])}),
        Case("duplicate points (a chosen point's copies have D = 0)", {"X": Xd, "k": 4, "rng": g(seeds[4])}),
        Case("k equal to the number of (distinct) points", {"X": rng.normal(size=(6, 2)), "k": 6, "rng": g(seeds[5])}),
    ]


register(Exercise(
    name="kmeans_plus_plus",
    signature="kmeans_plus_plus(X, k, rng)",
    cases=_pp_cases,
    reference=lambda ref, X, k, rng: A.plus_plus(X, k, rng),
    outputs=(Output("centroids"),),
    mistakes=(
        Mistake("d_not_squared", "draw with probability proportional to D², the squared distance, not to D.",
                lambda ref, X, k, rng: _pp_variant(X, k, rng, power=1.0)),
        Mistake("distance_to_last", "D is the distance to the nearest centroid chosen so far, not to the last one: keep "
                "the running minimum.", lambda ref, X, k, rng: _pp_variant(X, k, rng, last_only=True)),
        Mistake("farthest_point", "k-means++ draws the next centroid at random with p = D² / ΣD²; taking the farthest "
                "point is a different (deterministic) rule.", lambda ref, X, k, rng: _pp_variant(X, k, rng, farthest=True)),
        Mistake("uniform", "the next centroids are drawn with p = D² / ΣD² (rng.choice(N, p=...)), not uniformly.",
                lambda ref, X, k, rng: _pp_variant(X, k, rng, uniform=True)),
        Mistake("first_is_x0", "the first centroid is drawn, X[rng.integers(N)], not X[0].",
                lambda ref, X, k, rng: _pp_variant(X, k, rng, first_zero=True)),
    ),
    hint=("first X[rng.integers(N)]; then k − 1 times X[rng.choice(N, p=D² / D².sum())], D the distance of every point "
          "to its nearest chosen centroid; exactly these calls on rng, in this order."),
    points=2,
))
