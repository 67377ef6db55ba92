"""The measured experiments of lesson 07: polynomial fits of growing degree on noisy samples of a curve.

:func:`degree_sweep` fits one training sample with every degree and measures training and validation
MSE (the bias–variance picture); :func:`data_amount_sweep` repeats that for several training-set
sizes, over many random draws, and reports where each validation U has its bottom.
"""
from __future__ import annotations

import numpy as np


def truth(x):
    """The smooth curve behind the samples: sin(2πx) on [0, 1]."""
    return np.sin(2 * np.pi * x)


def noisy_samples(rng, n, noise=0.25):
    """n points x ~ U(0, 1) with y = truth(x) + N(0, noise²), sorted by x."""
    x = np.sort(rng.uniform(0, 1, n))
    return x, truth(x) + rng.normal(0, noise, n)


def mse(y, p):
    return float(np.mean((np.asarray(p) - np.asarray(y)) ** 2))


def degree_sweep(x_fit, y_fit, x_val, y_val, degrees):
    """Least-squares polynomials of each degree: (training MSE, validation MSE, the fitted polynomials)."""
    train, val, fits = [], [], {}
    for d in degrees:
        poly = np.polynomial.Polynomial.fit(x_fit, y_fit, int(d))
        train.append(mse(y_fit, poly(x_fit)))
        val.append(mse(y_val, poly(x_val)))
        fits[int(d)] = poly
    return np.array(train), np.array(val), fits


def data_amount_sweep(sizes=(15, 40, 200), degrees=tuple(range(0, 13)), repeats=40, noise=0.25, n_val=500,
                      seed=0):
    """For each training-set size N: the median validation MSE per degree over ``repeats`` random draws.

    Returns ``(curves, best)``: size -> array of validation MSE per degree, and size -> the degree
    with the lowest median validation MSE (the bottom of that size's U).
    """
    rng = np.random.default_rng(seed)
    x_val = rng.uniform(0, 1, n_val)
    y_val = truth(x_val) + rng.normal(0, noise, n_val)
    curves, best = {}, {}
    for n in sizes:
        runs = []
        for _ in range(repeats):
            x, y = noisy_samples(rng, n, noise)
            runs.append([mse(y_val, np.polynomial.Polynomial.fit(x, y, d)(x_val)) if d < n else np.inf
                         for d in degrees])
        curves[n] = np.median(np.array(runs), axis=0)
        best[n] = int(np.asarray(degrees)[int(np.argmin(curves[n]))])
    return curves, best
