"""Demos of lesson 00: training error against model complexity, INT8 quantization measured (size, error,
agreement with ``torch.quantize_per_tensor``) and a linear MNIST classifier whose weights are quantized."""
from __future__ import annotations

import warnings

import numpy as np


def two_classes(n=200, seed=0):
    """Two classes that no straight line separates: a disc of one class inside a ring of the other, plus noise."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.5, 1.5, size=(n, 2))
    r = np.hypot(X[:, 0] - 0.2, X[:, 1] * 1.3)
    y = (r < 0.9).astype(int)
    flip = rng.random(n) < 0.05
    return X, np.where(flip, 1 - y, y)


def poly_features(X, degree):
    """All monomials x1^a · x2^b with a + b ≤ degree (the column of ones included)."""
    cols = [X[:, 0] ** a * X[:, 1] ** (d - a) for d in range(degree + 1) for a in range(d + 1)]
    return np.stack(cols, axis=1)


def fit_poly_classifier(X, y, degree, ridge=1e-6):
    """Least squares on ±1 targets over polynomial features: w such that sign(φ(x)·w) predicts the class."""
    F = poly_features(X, degree)
    t = 2.0 * y - 1
    return np.linalg.solve(F.T @ F + ridge * np.eye(F.shape[1]), F.T @ t)


def complexity_curve(degrees=range(1, 9), seed=0):
    """Training and test error of the polynomial classifier for each degree: ``(degrees, train_err, test_err)``."""
    X, y = two_classes(400, seed)
    Xtr, ytr, Xte, yte = X[:200], y[:200], X[200:], y[200:]
    train, test = [], []
    for d in degrees:
        w = fit_poly_classifier(Xtr, ytr, d)
        train.append(float(np.mean((poly_features(Xtr, d) @ w > 0) != ytr)))
        test.append(float(np.mean((poly_features(Xte, d) @ w > 0) != yte)))
    return list(degrees), train, test


def plot_complexity(degrees_shown=(1, 2, 6), seed=0):
    """The data with the boundary of three models, and the error against the degree."""
    import matplotlib.pyplot as plt

    X, y = two_classes(400, seed)
    Xtr, ytr = X[:200], y[:200]
    fig, axes = plt.subplots(1, len(degrees_shown) + 1, figsize=(4 * (len(degrees_shown) + 1), 3.6),
                             layout="constrained")
    xx, yy = np.meshgrid(np.linspace(-1.5, 1.5, 150), np.linspace(-1.5, 1.5, 150))
    grid = np.c_[xx.ravel(), yy.ravel()]
    for ax, d in zip(axes, degrees_shown):
        w = fit_poly_classifier(Xtr, ytr, d)
        zz = (poly_features(grid, d) @ w).reshape(xx.shape)
        ax.contourf(xx, yy, zz > 0, levels=[-0.5, 0.5, 1.5], colors=["#f6dede", "#dceeff"])
        ax.contour(xx, yy, zz, levels=[0], colors="black", linewidths=1)
        ax.scatter(*Xtr[ytr == 1].T, s=12, c="tab:blue")
        ax.scatter(*Xtr[ytr == 0].T, s=12, c="tab:red", marker="x")
        err = np.mean((poly_features(Xtr, d) @ w > 0) != ytr)
        ax.set(title=f"degree {d}{' (linear)' if d == 1 else ''}: {err:.0%} wrong", xticks=[], yticks=[])
    degrees, train, test = complexity_curve(seed=seed)
    axes[-1].plot(degrees, train, "o-", label="training error")
    axes[-1].plot(degrees, test, "s--", label="error on new points")
    axes[-1].set(xlabel="polynomial degree (model complexity)", ylabel="error rate", title="error vs complexity")
    axes[-1].legend()
    return fig


def quantization_report(x, quantize, dequantize):
    """Quantize float32 values with the student's functions and measure: sizes, errors, and how often
    ``torch.quantize_per_tensor`` (float32 arithmetic, same scale, zero point 0) gives another code."""
    import torch

    x = np.asarray(x, dtype=np.float32)
    q, scale = quantize(x.astype(np.float64))
    x_hat = dequantize(q, scale)
    with warnings.catch_warnings():  # torch 2.10+ deprecates its quantized tensors; the function still works
        warnings.simplefilter("ignore")
        tq = torch.quantize_per_tensor(torch.from_numpy(x), float(scale), 0, torch.qint8).int_repr().numpy()
    err = np.abs(x_hat - x.astype(np.float64))
    return {"float32 bytes": x.nbytes, "int8 bytes": np.asarray(q).nbytes, "ratio": x.nbytes / np.asarray(q).nbytes,
            "scale": float(scale), "max |error|": float(err.max()), "half a step": float(scale) / 2,
            "mean |error|": float(err.mean()), "codes unlike torch's": int(np.sum(tq != q)), "values": x.size}


def mnist_linear_int8(quantize, dequantize, n_train=8000, ridge=10.0):
    """A linear MNIST classifier by ridge least squares, its test accuracy with float32 weights and with
    the weights quantized to INT8 (and back): ``(acc_float, acc_int8, weights_bytes_float32, bytes_int8)``."""
    from course.data import mnist_split

    Xtr, ytr, Xte, yte = mnist_split(n_train=n_train)
    A = np.c_[Xtr.reshape(len(Xtr), -1) / 255.0, np.ones(len(Xtr))]
    B = np.c_[Xte.reshape(len(Xte), -1) / 255.0, np.ones(len(Xte))]
    T = np.eye(10)[ytr]
    W = np.linalg.solve(A.T @ A + ridge * np.eye(A.shape[1]), A.T @ T).astype(np.float32)
    q, scale = quantize(W.astype(np.float64))
    W8 = dequantize(q, scale)
    acc = float(np.mean((B @ W).argmax(1) == yte))
    acc8 = float(np.mean((B @ W8).argmax(1) == yte))
    return acc, acc8, W.nbytes, np.asarray(q).nbytes
