"""Lesson 08 (k-means and DBSCAN): right implementations pass, plausible wrong ones fail with their hint;
the torch references agree with scikit-learn's KMeans and DBSCAN on many random sets."""
from __future__ import annotations

from collections import deque

import numpy as np
import pytest

from checkhelpers import assert_fails, assert_passes
from course.lessons.clustering import algorithms as A


# --------------------------------------------------------------------------- right implementations
def assign_vec(X, centroids):
    d = ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    return d.argmin(axis=1)


def assign_loops(X, centroids):
    labels = np.zeros(len(X), dtype=int)
    for i, x in enumerate(X):
        best = np.inf
        for k, c in enumerate(centroids):
            d = float(np.sum((x - c) ** 2))
            if d < best:
                best, labels[i] = d, k
    return labels


def assign_f32(X, centroids):
    return assign_vec(X.astype(np.float32), centroids.astype(np.float32))


def assign_norm(X, centroids):  # np.linalg.norm of the differences: the square root keeps the order and ties
    return np.linalg.norm(X[:, None, :] - centroids[None], axis=2).argmin(axis=1)


def update_vec(X, labels, centroids):
    new = centroids.astype(float).copy()
    for k in range(len(centroids)):
        members = X[labels == k]
        if len(members):
            new[k] = members.mean(axis=0)
    return new


def update_bincount(X, labels, centroids):
    K = len(centroids)
    sums = np.zeros(centroids.shape, dtype=X.dtype)
    np.add.at(sums, labels, X)
    counts = np.bincount(labels, minlength=K)[:, None]
    return np.where(counts > 0, sums / np.maximum(counts, 1), centroids).astype(X.dtype)


def update_f32(X, labels, centroids):
    return update_bincount(X.astype(np.float32), labels, centroids.astype(np.float32))


def kmeans_ok(X, centroids, max_iter=100, assign=assign_vec, update=update_vec):
    labels = assign(X, centroids)
    for _ in range(max_iter):
        centroids = update(X, labels, centroids)
        new = assign(X, centroids)
        if np.array_equal(new, labels):
            break
        labels = new
    inertia = float(((X - centroids[labels]) ** 2).sum())
    return centroids, labels, inertia


def kmeans_loops(X, centroids, max_iter=100):
    return kmeans_ok(X, centroids, max_iter, assign=assign_loops, update=update_bincount)


def kmeans_while(X, centroids, max_iter=100):
    labels, it = assign_vec(X, centroids), 0
    changed = True
    while changed and it < max_iter:
        centroids = update_bincount(X, labels, centroids)
        new = assign_vec(X, centroids)
        changed, labels, it = not np.array_equal(new, labels), new, it + 1
    d = ((X[:, None] - centroids[None]) ** 2).sum(-1)
    return centroids, labels, d.min(axis=1).sum()


def kmeans_f32(X, centroids, max_iter=100):
    C, lab, inertia = kmeans_ok(X.astype(np.float32), centroids.astype(np.float32), max_iter, update=update_bincount)
    return C, lab, np.float32(inertia)


def pp_ok(X, k, rng):
    N = len(X)
    chosen = [X[rng.integers(N)]]
    D2 = ((X - chosen[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        i = rng.choice(N, p=D2 / D2.sum())
        chosen.append(X[i])
        D2 = np.minimum(D2, ((X - X[i]) ** 2).sum(axis=1))
    return np.array(chosen)


def pp_recompute(X, k, rng):  # D² recomputed against every chosen centroid, float32
    X32 = X.astype(np.float32)
    C = X32[[rng.integers(len(X))]]
    while len(C) < k:
        D2 = ((X32[:, None] - C[None]) ** 2).sum(-1).min(axis=1)
        C = np.vstack([C, X32[rng.choice(len(X), p=D2 / D2.sum())]])
    return C


def dbscan_bfs(X, eps, min_samples=5):
    N = len(X)
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    nb = [np.flatnonzero(D[i] <= eps) for i in range(N)]
    core = np.array([len(n) >= min_samples for n in nb])
    labels = np.full(N, -1)
    c = 0
    for i in range(N):
        if labels[i] != -1 or not core[i]:
            continue
        labels[i] = c
        queue = deque([i])
        while queue:
            j = queue.popleft()
            for q in nb[j]:
                if labels[q] == -1:
                    labels[q] = c
                    if core[q]:
                        queue.append(q)
        c += 1
    return labels


def dbscan_reverse(X, eps, min_samples=5):
    """Clusters seeded from the last point, ids counting from 7 with a step of 3: any renaming is fine,
    and a border point next to two clusters goes to the one found first (here the later one)."""
    N = len(X)
    D2 = ((X[:, None] - X[None]) ** 2).sum(-1)
    nb = D2 <= eps ** 2
    core = nb.sum(1) >= min_samples
    labels = np.full(N, -1)
    c = 7
    for i in reversed(range(N)):
        if labels[i] != -1 or not core[i]:
            continue
        stack = [i]
        labels[i] = c
        while stack:
            j = stack.pop()
            if not core[j]:
                continue
            for q in np.flatnonzero(nb[j]):
                if labels[q] == -1:
                    labels[q] = c
                    stack.append(q)
        c += 3
    return labels


def dbscan_f32(X, eps, min_samples=5):
    return dbscan_bfs(X.astype(np.float32), np.float32(eps), min_samples).astype(np.int32)


@pytest.mark.parametrize("fn", [assign_vec, assign_loops, assign_f32, assign_norm])
def test_kmeans_assign_right(fn):
    assert_passes("kmeans_assign", fn)


@pytest.mark.parametrize("fn", [update_vec, update_bincount, update_f32])
def test_kmeans_update_right(fn):
    assert_passes("kmeans_update", fn)


@pytest.mark.parametrize("fn", [kmeans_ok, kmeans_loops, kmeans_while, kmeans_f32])
def test_kmeans_right(fn):
    assert_passes("kmeans", fn)


@pytest.mark.parametrize("fn", [pp_ok, pp_recompute])
def test_kmeans_plus_plus_right(fn):
    assert_passes("kmeans_plus_plus", fn)


@pytest.mark.parametrize("fn", [dbscan_bfs, dbscan_reverse, dbscan_f32])
def test_dbscan_right(fn):
    assert_passes("dbscan", fn)


# --------------------------------------------------------------------------- wrong implementations
def assign_expansion(X, centroids):
    d = (X ** 2).sum(1)[:, None] - 2 * X @ centroids.T + (centroids ** 2).sum(1)[None, :]
    return d.argmin(axis=1)


def assign_expansion_b(X, centroids):
    d = (X ** 2).sum(1)[:, None] + (centroids ** 2).sum(1)[None, :] - 2 * X @ centroids.T
    return d.argmin(axis=1)


def assign_le(X, centroids):
    labels = np.zeros(len(X), dtype=int)
    for i, x in enumerate(X):
        best = np.inf
        for k, c in enumerate(centroids):
            d = np.sum((x - c) ** 2)
            if d <= best:
                best, labels[i] = d, k
    return labels


def test_kmeans_assign_wrong():
    assert_fails("kmeans_assign", assign_expansion, hint="expansion", mistake="kmeans_assign.expansion_ties")
    assert_fails("kmeans_assign", assign_expansion_b, hint="expansion", mistake="kmeans_assign.expansion_ties")
    assert_fails("kmeans_assign", assign_le, hint="lower index", mistake="kmeans_assign.ties_last")
    assert_fails("kmeans_assign", lambda X, centroids: ((X[:, None] - centroids[None]) ** 2).sum(-1).argmax(1),
                 hint="farthest", mistake="kmeans_assign.argmax")
    assert_fails("kmeans_assign", lambda X, centroids: np.abs(X[:, None] - centroids[None]).sum(-1).argmin(1),
                 hint="absolute", mistake="kmeans_assign.manhattan")
    assert_fails("kmeans_assign", lambda X, centroids: None, hint="None")
    assert_fails("kmeans_assign", lambda X, centroids: ((X[:, None] - centroids[None]) ** 2).sum(-1).argmin(0),
                 hint="shape")


def update_nan(X, labels, centroids):
    return np.array([X[labels == k].mean(axis=0) for k in range(len(centroids))])


def update_zero(X, labels, centroids):
    return np.array([X[labels == k].mean(axis=0) if np.any(labels == k) else np.zeros(X.shape[1])
                     for k in range(len(centroids))])


def update_sum(X, labels, centroids):
    new = centroids.copy()
    for k in np.unique(labels):
        new[k] = X[labels == k].sum(axis=0)
    return new


def update_over_n(X, labels, centroids):
    new = centroids.copy()
    for k in np.unique(labels):
        new[k] = X[labels == k].sum(axis=0) / len(X)
    return new


def test_kmeans_update_wrong():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_fails("kmeans_update", update_nan, hint="keep its centroid", mistake="kmeans_update.empty_nan")
    assert_fails("kmeans_update", update_zero, hint="set to 0", mistake="kmeans_update.empty_zero")
    assert_fails("kmeans_update", update_sum, hint="divide the sum", mistake="kmeans_update.sum_not_mean")
    assert_fails("kmeans_update", update_over_n, hint="not by N", mistake="kmeans_update.divided_by_n")


def kmeans_expansion(X, centroids, max_iter=100):
    return kmeans_ok(X, centroids, max_iter, assign=assign_expansion)


def kmeans_empty_zero(X, centroids, max_iter=100):
    return kmeans_ok(X, centroids, max_iter, update=update_zero)


def kmeans_stale(X, centroids, max_iter=100):
    labels = assign_vec(X, centroids)
    for _ in range(max_iter):
        labels = assign_vec(X, centroids)
        new = update_vec(X, labels, centroids)
        if np.allclose(new, centroids, rtol=0, atol=0):
            break
        centroids = new
    return centroids, labels, float(((X - centroids[labels]) ** 2).sum())


def kmeans_mean_inertia(X, centroids, max_iter=100):
    C, lab, _ = kmeans_ok(X, centroids, max_iter)
    return C, lab, float(((X - C[lab]) ** 2).sum(1).mean())


def kmeans_dist_inertia(X, centroids, max_iter=100):
    C, lab, _ = kmeans_ok(X, centroids, max_iter)
    return C, lab, float(np.sqrt(((X - C[lab]) ** 2).sum(1)).sum())


def test_kmeans_wrong():
    assert_fails("kmeans", kmeans_expansion, hint="expansion", mistake="kmeans.expansion_ties")
    assert_fails("kmeans", kmeans_empty_zero, hint="set to 0", mistake="kmeans.empty_zero")
    assert_fails("kmeans", kmeans_stale, hint="from before it", mistake="kmeans.stale_labels")
    assert_fails("kmeans", kmeans_mean_inertia, hint="not their mean", mistake="kmeans.inertia_mean")
    assert_fails("kmeans", kmeans_dist_inertia, hint="not the distances", mistake="kmeans.inertia_not_squared")
    assert_fails("kmeans", lambda X, centroids, max_iter=100: kmeans_ok(X, centroids, max_iter)[:2], hint="three values")


def pp_with(power=2, last_only=False, farthest=False, uniform=False, first_zero=False):
    def pp(X, k, rng):
        N = len(X)
        chosen = [0 if first_zero else rng.integers(N)]
        D2 = ((X - X[chosen[0]]) ** 2).sum(axis=1)
        for _ in range(1, k):
            w = np.sqrt(D2) if power == 1 else D2
            i = rng.choice(N) if uniform else (int(np.argmax(D2)) if farthest else rng.choice(N, p=w / w.sum()))
            chosen.append(i)
            d = ((X - X[i]) ** 2).sum(axis=1)
            D2 = d if last_only else np.minimum(D2, d)
        return X[chosen]
    return pp


def test_kmeans_plus_plus_wrong():
    assert_fails("kmeans_plus_plus", pp_with(power=1), hint="D²", mistake="kmeans_plus_plus.d_not_squared")
    assert_fails("kmeans_plus_plus", pp_with(last_only=True), hint="running minimum",
                 mistake="kmeans_plus_plus.distance_to_last")
    assert_fails("kmeans_plus_plus", pp_with(farthest=True), hint="farthest", mistake="kmeans_plus_plus.farthest_point")
    assert_fails("kmeans_plus_plus", pp_with(uniform=True), hint="not uniformly", mistake="kmeans_plus_plus.uniform")
    assert_fails("kmeans_plus_plus", pp_with(first_zero=True), hint="not X[0]", mistake="kmeans_plus_plus.first_is_x0")


def dbscan_with(strict=False, exclude_self=False, border_noise=False, chain=False, noise_zero=False):
    def db(X, eps, min_samples=5):
        N = len(X)
        D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
        nb = D < eps if strict else D <= eps
        core = nb.sum(1) - (1 if exclude_self else 0) >= min_samples
        labels = np.full(N, -1)
        c = 0
        for i in range(N):
            if labels[i] != -1 or not core[i]:
                continue
            labels[i] = c
            stack = [i]
            while stack:
                j = stack.pop()
                for q in np.flatnonzero(nb[j]):
                    if labels[q] == -1 and (core[q] or not border_noise):
                        labels[q] = c
                        if core[q] or chain:
                            stack.append(q)
            c += 1
        return labels + 1 if noise_zero else labels
    return db


def test_dbscan_wrong():
    assert_fails("dbscan", dbscan_with(strict=True), hint="exactly eps away", mistake="dbscan.eps_strict")
    assert_fails("dbscan", dbscan_with(exclude_self=True), hint="counting itself",
                 mistake="dbscan.min_samples_excludes_self")
    assert_fails("dbscan", dbscan_with(border_noise=True), hint="border point", mistake="dbscan.border_as_noise")
    assert_fails("dbscan", dbscan_with(chain=True), hint="through it", mistake="dbscan.chains_through_border")
    assert_fails("dbscan", dbscan_with(noise_zero=True), hint="−1", mistake="dbscan.noise_as_cluster")
    assert_fails("dbscan", lambda X, eps, min_samples=5: None, hint="None")
    assert_fails("dbscan", lambda X, eps, min_samples=5: np.zeros(len(X) + 1, int), hint="shape")
    assert_fails("dbscan", lambda X, eps, min_samples=5: np.full(len(X), 0.5), hint="fractions")


def test_dbscan_accepts_either_cluster_for_a_shared_border_point():
    """The bridge case: the point in the middle is exactly eps from a core point of each cluster."""
    import torch

    from course.lessons.clustering.dbscan_checks import _cases  # noqa: PLC2701  (the test reads the case)

    case = next(c for c in _cases(np.random.default_rng(0)) if "border point" in c.label)
    X, eps, m = case.args["X"], case.args["eps"], case.args["min_samples"]
    a, b = dbscan_bfs(X, eps, m), dbscan_reverse(X, eps, m)
    assert a[0] != -1 and b[0] != -1
    assert a[0] == a[1] and b[0] == b[5], "the two orders put the middle point in different clusters"
    ref = A.dbscan(torch.tensor(X), eps, m).numpy()
    assert A.same_partition(ref, a) and not A.same_partition(ref, b)


# --------------------------------------------------------------------------- the references against scikit-learn
SK_SETS = 300


def _tensor(a):
    import torch

    return torch.tensor(a, dtype=torch.float64)


def test_kmeans_reference_agrees_with_scikit_learn():
    """KMeans(init=centroids, n_init=1, algorithm="lloyd", tol=0) on random sets where no cluster empties:
    labels equal up to renaming, centroids and inertia to float64 precision."""
    sklearn = pytest.importorskip("sklearn.cluster")
    rng = np.random.default_rng(2024)
    compared = skipped = disagreements = 0
    worst_c = worst_i = 0.0
    while compared < SK_SETS:
        N, D, K = int(rng.integers(5, 150)), int(rng.integers(1, 6)), int(rng.integers(1, 8))
        K = min(K, N)
        X = rng.normal(size=(N, D)) + 3 * rng.integers(0, 4, size=(N, 1))
        C0 = X[rng.choice(N, K, replace=False)] + rng.normal(scale=0.1, size=(K, D))
        max_iter = int(rng.choice([1, 2, 5, 300]))
        C, lab, inertia, _ = A.lloyd(_tensor(X), _tensor(C0), max_iter)
        # the reference never emptied a cluster on the way (scikit-learn would move it)
        Ci, emptied = _tensor(C0), False
        labels = A.assign(_tensor(X), Ci)
        for _ in range(max_iter):
            emptied |= len(np.unique(labels.numpy())) < K
            Ci = A.update(_tensor(X), labels, Ci)
            new = A.assign(_tensor(X), Ci)
            if bool((new == labels).all()):
                break
            labels = new
        if emptied:
            skipped += 1
            continue
        km = sklearn.KMeans(K, init=C0, n_init=1, algorithm="lloyd", tol=0, max_iter=max_iter).fit(X)
        compared += 1
        dc = float(np.abs(C.numpy() - km.cluster_centers_).max())
        di = abs(float(inertia) - km.inertia_) / max(km.inertia_, 1e-300)
        worst_c, worst_i = max(worst_c, dc), max(worst_i, di)
        if not A.same_partition(lab.numpy(), km.labels_) or dc > 1e-9 or di > 1e-9:
            disagreements += 1
    print(f"\nk-means vs scikit-learn: {compared} sets compared ({skipped} skipped: a cluster emptied), "
          f"{disagreements} disagreements; largest centroid difference {worst_c:.2e}, "
          f"largest relative inertia difference {worst_i:.2e}")
    assert disagreements == 0


def test_dbscan_reference_agrees_with_scikit_learn():
    """DBSCAN(eps, min_samples) on random sets, some on integer grids where distances land exactly on eps:
    labels equal up to renaming (and, with clusters numbered by their first core point, equal)."""
    sklearn = pytest.importorskip("sklearn.cluster")
    rng = np.random.default_rng(7)
    disagreements = exact = 0
    for s in range(SK_SETS):
        N, D = int(rng.integers(1, 150)), int(rng.integers(1, 4))
        if s % 3 == 0:  # integer points, integer eps: ties at exactly eps
            X = rng.integers(0, 8, size=(N, D)).astype(float)
            eps = float(rng.integers(1, 3))
        else:
            X = rng.normal(size=(N, D)) + 2.5 * rng.integers(0, 3, size=(N, 1))
            eps = float(rng.uniform(0.05, 1.2))
        m = int(rng.integers(1, 9))
        ours = A.dbscan(_tensor(X), eps, m).numpy()
        theirs = sklearn.DBSCAN(eps=eps, min_samples=m).fit(X).labels_
        disagreements += not A.same_partition(ours, theirs)
        exact += bool(np.array_equal(ours, theirs))
    print(f"\nDBSCAN vs scikit-learn: {SK_SETS} sets, {disagreements} disagreements up to renaming, "
          f"{exact} identical labellings")
    assert disagreements == 0
