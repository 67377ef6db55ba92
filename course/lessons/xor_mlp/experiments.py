"""Lesson 02's training runs and demos: a recorded XOR run, the delta rule on one neuron, a staircase of
sigmoids (universal approximation) and a deep, thin ReLU network against shallow, fat ones (all NumPy, fast)."""
from __future__ import annotations

import numpy as np

from .lecture import PARAM_KEYS, TRUTH_TABLES, X_GATE, Y_XOR


def record_training(forward, backward, loss, hidden=4, lr=2.0, epochs=3000, every=50, seed=0):
    """Train a 2-hidden-1 sigmoid network on XOR with full-batch gradient descent, keeping snapshots.

    ``forward``, ``backward`` and ``loss`` are the lesson's ``two_layer_forward``, ``two_layer_backward``
    and ``mse_loss``. Returns ``(snapshots, losses)``: a list of ``(epoch, params)`` taken every
    ``every`` epochs (and at the start and end), and the loss of every epoch.
    """
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(size=(2, hidden)), "b1": np.zeros(hidden),
              "W2": rng.normal(size=(hidden, 1)), "b2": np.zeros(1)}
    snapshots, losses = [(0, {k: v.copy() for k, v in params.items()})], []
    for epoch in range(1, epochs + 1):
        out, cache = forward(X_GATE, params)
        value, dout = loss(out, Y_XOR)
        grads = backward(dout, cache)
        for k in PARAM_KEYS:
            params[k] = params[k] - lr * grads[k]
        losses.append(float(value))
        if epoch % every == 0 or epoch == epochs:
            snapshots.append((epoch, {k: v.copy() for k, v in params.items()}))
    return snapshots, np.array(losses)


def delta_rule(gate="OR", activation="sigmoid", lr=0.5, epochs=200, seed=0):
    """One neuron trained sample by sample with the delta rule Δw = η (y − f) f′ x (bias as a weight on 1).

    ``activation``: "linear" (f′ = 1, Widrow–Hoff) or "sigmoid" (f′ = f (1 − f)). Returns ``(w, errors)``:
    the weights (bias last) and ½ Σ (y − f)² after each epoch.
    """
    X = np.hstack([X_GATE, np.ones((4, 1))])
    y = TRUTH_TABLES[gate].astype(float)
    w = np.random.default_rng(seed).normal(scale=0.1, size=3)
    errors = []
    for _ in range(epochs):
        for x_d, y_d in zip(X, y):
            s = x_d @ w
            f = 1 / (1 + np.exp(-s)) if activation == "sigmoid" else s
            slope = f * (1 - f) if activation == "sigmoid" else 1.0
            w = w + lr * (y_d - f) * slope * x_d
        s = X @ w
        f = 1 / (1 + np.exp(-s)) if activation == "sigmoid" else s
        errors.append(0.5 * float(((y - f) ** 2).sum()))
    return w, np.array(errors)


def staircase(target, n_units, steepness=200.0, lo=0.0, hi=1.0):
    """A one-hidden-layer sigmoid network built by hand that approximates ``target`` on [lo, hi].

    Unit i is a steep step σ(k (x − t_i)) at t_i; its output weight is the rise of the target there,
    so the network is a staircase through the target: the idea behind the universal approximation
    theorem. Returns ``forward(x)`` and the parameter count.
    """
    edges = np.linspace(lo, hi, n_units + 1)
    centers = (edges[:-1] + edges[1:]) / 2
    heights = target(centers)
    rises = np.diff(np.concatenate([[0.0], heights]))
    thresholds = edges[:-1]
    thresholds[0] = lo - 1.0  # the first step is already up at the left end

    def forward(x):
        z = steepness * (np.asarray(x, dtype=float)[:, None] - thresholds[None, :])
        return (1 / (1 + np.exp(-np.clip(z, -500, 500)))) @ rises

    return forward, 3 * n_units + 1


def sawtooth(x, layers):
    """The tent map t(x) = 2 relu(x) − 4 relu(x − ½) composed ``layers`` times: 2^(layers−1) teeth on [0, 1]."""
    x = np.asarray(x, dtype=float)
    for _ in range(layers):
        x = 2 * np.maximum(x, 0) - 4 * np.maximum(x - 0.5, 0)
    return x


def deep_thin_parameters(layers):
    """Parameters of the sawtooth as a network: 2 ReLU units per hidden layer, one linear output."""
    return (2 + 2) + (layers - 1) * (4 + 2) + (2 + 1)


def fit_shallow(x, y, hidden):
    """The best 1-hidden-layer ReLU network with ``hidden`` units whose kinks are spread evenly over [0, 1].

    Unit j is relu(x − j/hidden); the output layer (a weight per unit and a bias) is the least-squares
    solution, the best any training could reach with that hidden layer. Returns (prediction, mse, parameters).
    """
    kinks = np.arange(hidden) / hidden
    features = np.hstack([np.maximum(x[:, None] - kinks[None, :], 0), np.ones((len(x), 1))])
    coef, *_ = np.linalg.lstsq(features, y, rcond=None)
    pred = features @ coef
    return pred, float(np.mean((pred - y) ** 2)), 3 * hidden + 1


def depth_against_width(layers=5, widths=(10, 20, 32), points=513):
    """The sawtooth of ``layers`` tent maps: exact with a deep, thin network; fitted by shallow, fat ones.

    Returns ``x``, the target and a list of ``(label, prediction, parameters, mse)``.
    """
    x = np.linspace(0, 1, points)
    y = sawtooth(x, layers)
    rows = [(f"deep and thin: {layers} hidden layers of 2", sawtooth(x, layers), deep_thin_parameters(layers), 0.0)]
    for h in widths:
        pred, mse, n = fit_shallow(x, y, h)
        rows.append((f"shallow: 1 hidden layer of {h}", pred, n, mse))
    return x, y, rows
