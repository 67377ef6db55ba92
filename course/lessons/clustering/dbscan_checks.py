"""Lesson 08 exercise spec for DBSCAN: ``dbscan``, graded up to renaming of the clusters.

The student's labels are accepted when they are a valid DBSCAN labelling for (X, eps, min_samples):
the noise points are exactly the reference's, the core points fall into the reference's clusters
(one label per cluster, different clusters different labels), and every border point carries the
label of one of its core neighbours (a border point next to two clusters may go to either). A valid
labelling is then reported as the reference's; any other is compared after renaming its clusters
by first appearance, which is also how the known mistakes are written.
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, StudentError, register
from course.checks.compare import as_array
from course.checks.kinds import Training

from . import algorithms as A
from .lecture import blobs, moons, with_noise


def _canon(ref, labels):
    return ref.torch.as_tensor(A.canonical(ref.np(labels)), device=ref.device)


def _reference(ref, X, eps, min_samples):
    return _canon(ref, A.dbscan(X, eps, min_samples))


def _valid(labels, core, nb, expected) -> bool:
    """Is ``labels`` (NumPy ints) a DBSCAN labelling with this core mask and neighbour matrix?"""
    noise = expected == -1
    if not np.array_equal(labels == -1, noise) or np.any(labels[~noise] < 0):
        return False
    for c in np.unique(expected[core]):  # one label per reference cluster, distinct across clusters
        if len(np.unique(labels[core & (expected == c)])) != 1:
            return False
    if len(np.unique(labels[core])) != len(np.unique(expected[core])):
        return False
    for i in np.flatnonzero(~core & ~noise):  # a border point: the label of one of its core neighbours
        if labels[i] not in set(labels[nb[i] & core].tolist()):
            return False
    return True


def _outcome(ref, result, X, eps, min_samples):
    if result is None:
        raise StudentError("`dbscan` returned None; it should return the labels, an array of shape (N,). "
                           "Did you forget a `return`?")
    try:
        arr = as_array(result, "the labels")
    except ValueError as e:
        raise StudentError(str(e)) from None
    N = X.shape[0]
    if arr.shape != (N,) or arr.dtype.kind not in "iuf" or not np.all(np.isfinite(arr)) \
            or not np.all(arr == np.round(arr)):
        return arr  # the engine says what is wrong with its shape or values
    labels = arr.astype(np.int64)
    core, nb, expected = (ref.np(t) for t in A.dbscan_parts(ref.t(X), eps, min_samples))
    if _valid(labels, core.astype(bool), nb.astype(bool), expected):
        return A.canonical(expected)
    return A.canonical(labels)


def _variant(**kw):
    return lambda ref, X, eps, min_samples: _canon(ref, A.dbscan(X, eps, min_samples, **kw))


def _border_as_noise(ref, X, eps, min_samples):
    core, _, labels = A.dbscan_parts(X, eps, min_samples)
    return _canon(ref, ref.torch.where(core, labels, ref.torch.full_like(labels, -1)))


def _chains_through_border(ref, X, eps, min_samples):
    core, nb, labels = A.dbscan_parts(X, eps, min_samples)
    links = nb & (core[:, None] | core[None, :])
    comp = A.components(links)
    return _canon(ref, ref.torch.where(labels >= 0, comp, ref.torch.full_like(comp, -1)))


def _noise_as_cluster(ref, X, eps, min_samples):
    labels = A.dbscan(X, eps, min_samples)
    return _canon(ref, ref.torch.where(labels >= 0, labels, ref.torch.full_like(labels, 10**6)))


def _cases(rng):
    Xb, _ = blobs(rng, n=90, scale=0.35)
    Xb, _ = with_noise(rng, Xb, np.zeros(len(Xb), int), n_noise=12)
    Xm, _ = moons(rng, n=120, noise=0.05)
    chain = np.c_[np.arange(6.0), np.zeros(6)]
    tri = np.array([[0.0, 0.0], [0.3, 0.0], [0.0, 0.3], [5.0, 5.0], [5.3, 5.0], [9.0, 0.0]])
    left = np.array([[-1.0, 0.0], [-1.2, 0.0], [-1.1, 0.1], [-1.1, -0.1]])
    bridge = np.vstack([[0.0, 0.0], left, -left])
    spread = rng.uniform(0, 10, size=(15, 2))
    dup = np.vstack([np.repeat([[2.0, 2.0]], 5, axis=0), rng.uniform(5, 9, size=(6, 2))])
    return [
        Case("three blobs and uniform noise (102, 2), eps=0.5", {"X": Xb, "eps": 0.5, "min_samples": 5}),
        Case("two moons (120, 2), eps=0.2", {"X": Xm, "eps": 0.2, "min_samples": 4}),
        Case("min_samples counts the point itself: three points within eps of each other, min_samples=3",
             {"X": tri, "eps": 0.5, "min_samples": 3}),
        Case("points exactly eps = 1 apart on a line, min_samples=3",
             {"X": chain, "eps": 1.0, "min_samples": 3}),
        Case("a border point exactly eps from two clusters (either is right)",
             {"X": bridge, "eps": 1.0, "min_samples": 4}),
        Case("all noise: eps smaller than any gap", {"X": spread, "eps": 0.01, "min_samples": 2}),
        Case("five copies of one point (duplicates count), default min_samples", {"X": dup, "eps": 0.1}),
        Case("min_samples=1: every point is a core point", {"X": rng.normal(size=(25, 2)), "eps": 0.4,
                                                            "min_samples": 1}),
    ]


register(Exercise(
    name="dbscan",
    signature="dbscan(X, eps, min_samples=5)",
    cases=_cases,
    reference=_reference,
    kind=Training(outcome=_outcome),
    outputs=(Output("labels", kind="int"),),
    mistakes=(
        Mistake("eps_strict", "the ε-neighbourhood holds the points at distance ≤ eps: a point exactly eps away "
                "is a neighbour (you used <).", _variant(strict=True)),
        Mistake("min_samples_excludes_self", "a core point has at least min_samples points within eps, counting "
                "itself: count ≥ min_samples with the point included (you left it out, or required more than "
                "min_samples).", _variant(count_self=False)),
        Mistake("border_as_noise", "a non-core point within eps of a core point is a border point: it joins that "
                "core point's cluster; only points near no core point are noise (−1).", _border_as_noise),
        Mistake("chains_through_border", "clusters grow only from core points: a border point joins a cluster but "
                "its own neighbours are not added through it (you expanded from border points too).",
                _chains_through_border),
        Mistake("noise_as_cluster", "noise points get the label −1, not a cluster id of their own.", _noise_as_cluster),
    ),
    hint=("neighbours: distance ≤ eps, the point itself included; core: at least min_samples neighbours; grow each "
          "cluster from an unvisited core point through core neighbours, adding their border neighbours; the rest −1."),
    points=3,
    time_limit=20.0,
))
