"""Lesson 06 exercise specs for max pooling: ``maxpool2d_forward`` and ``maxpool2d_backward``.

The contract on ties is PyTorch's: when several entries of a window share its maximum, the window's
gradient goes to one of them, the first maximum in row-major order (the one ``F.max_pool2d`` picks and
``np.argmax`` finds); a mask ``window == window.max()`` sends it to all of them.
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, register
from course.checks.kinds import Layer

from .lecture import MAPS_4x4, out_len


def _pool_cases(rng, backward=False):
    def c(label, shape, k=None, s=None, negative=False):
        x = rng.normal(size=shape)
        if negative:
            x = -np.abs(x) - 1.0
        args = {"x": x}
        if k is not None:
            args["kernel_size"] = k
        if s is not None:
            args["stride"] = s
        return Case(label, args)

    cases = [] if backward else [
        Case("the lecture's two 4×4 feature maps (default 2×2, stride 2)", {"x": MAPS_4x4[None].copy()})]
    cases += [
        c("a batch of 2, 3 channels 6×6 (defaults)", (2, 3, 6, 6)),
        c("an odd size, 7×7: the last row and column are dropped", (2, 2, 7, 7)),
        c("a non-square input 4×8", (2, 1, 4, 8), k=2, s=2),
        c("3×3 windows with stride 3 on 6×9", (1, 2, 6, 9), k=3, s=3),
        c("overlapping 3×3 windows with stride 2 on 9×9 (AlexNet's pooling)", (1, 2, 9, 9), k=3, s=2),
        c("all values negative", (2, 2, 4, 4), negative=True),
        c("2×2 windows with stride 1 on 5×5 (heavy overlap)", (1, 1, 5, 5), k=2, s=1),
    ]
    return cases


def _settings(case):
    return case.args["x"], case.args.get("kernel_size", 2), case.args.get("stride", 2)


register(Exercise(
    name="maxpool2d_forward",
    signature="maxpool2d_forward(x, kernel_size=2, stride=2)",
    cases=_pool_cases,
    reference=lambda ref, x, kernel_size, stride: {"out": ref.F.max_pool2d(x, kernel_size, stride)},
    outputs=(Output("out"), Output("cache", kind="skip")),
    mistakes=(
        Mistake("average", "that is average pooling: take the maximum of each window, not its mean.",
                lambda ref, x, kernel_size, stride: {"out": ref.F.avg_pool2d(x, kernel_size, stride)}),
        Mistake("minimum", "that is the minimum of each window: take the maximum.",
                lambda ref, x, kernel_size, stride: {"out": -ref.F.max_pool2d(-x, kernel_size, stride)}),
        Mistake("max_starts_at_zero", "the maximum starts at 0, so negative windows give 0: start from the window's "
                "first value or use .max() on the window.",
                lambda ref, x, kernel_size, stride: {"out": ref.F.max_pool2d(x, kernel_size, stride).clamp(min=0)}),
        Mistake("no_stride", "the stride is ignored (windows step by kernel_size): windows start every `stride` "
                "pixels, and may overlap when stride < kernel_size.",
                lambda ref, x, kernel_size: {"out": ref.F.max_pool2d(x, kernel_size, kernel_size)}),
        Mistake("window_step_one", "the output has the right size but the window moves one pixel at a time: output "
                "(i, j) reads the window starting at (i·stride, j·stride).",
                lambda ref, x, kernel_size, stride: {"out": ref.F.max_pool2d(x, kernel_size, 1)[
                    ..., :out_len(x.shape[2], kernel_size, stride), :out_len(x.shape[3], kernel_size, stride)]}),
        Mistake("ceil_mode", "a window that runs past the edge is dropped (floor, as torch's default): the output "
                "size is (n - kernel_size) // stride + 1.",
                lambda ref, x, kernel_size, stride: {"out": ref.F.max_pool2d(x, kernel_size, stride, ceil_mode=True)}),
    ),
    hint="out[n, c, i, j] is the maximum of x[n, c, i·s:i·s+k, j·s:j·s+k]; the output size is (H - k) // s + 1.",
    points=2,
))


# =========================================================================== maxpool2d_backward
def _pool_bwd_cases(rng):
    """Random real values first (no ties), then windows whose maxima tie: the lecture's maps and a
    ReLU'd input with windows of zeros. On a tie the gradient goes to the first maximum, as in PyTorch."""
    cases = _pool_cases(rng, backward=True)
    relu = np.maximum(rng.normal(size=(2, 3, 6, 7)) - 0.5, 0.0)
    relu[0, 0, :2, :2] = 0.0                                  # a window of zeros, whatever the draw
    relu[1, 2, 2:4, 4:6] = [[1.25, 0.5], [0.0, 1.25]]          # two equal positive maxima
    ties = np.round(rng.normal(size=(1, 2, 6, 6)))             # small integers: ties in overlapping windows
    cases += [
        Case("the lecture's two 4×4 feature maps: windows whose maxima tie", {"x": MAPS_4x4[None].copy()}),
        Case("after a ReLU (6×7): windows of zeros tie, and one window has two equal maxima", {"x": relu}),
        Case("rounded values, overlapping 3×3 windows with stride 2: ties shared by windows",
             {"x": ties, "kernel_size": 3, "stride": 2}),
    ]
    for case in cases:
        x, k, s = _settings(case)
        case.data["dout"] = rng.normal(size=x.shape[:2] + (out_len(x.shape[2], k, s), out_len(x.shape[3], k, s)))
    return cases


def _cols(ref, x, k, s):
    """Every window of x as a column: (N·C, k·k, L), L the windows in row-major order."""
    N, C, H, W = x.shape
    return ref.F.unfold(x.reshape(N * C, 1, H, W), k, stride=s)


def _fold(ref, cols, x, k, s):
    """Columns of window gradients added back onto x's grid (overlaps summed)."""
    N, C, H, W = x.shape
    return ref.F.fold(cols, (H, W), k, stride=s).reshape(N, C, H, W)


def _to_mask(ref, x, kernel_size, stride, dout, share):
    """dx when each window hands dout to the entries of ``share(cols)`` (weights per window entry)."""
    cols = _cols(ref, x, kernel_size, stride)
    d = dout.reshape(cols.shape[0], 1, -1)
    return {"dx": _fold(ref, share(cols) * d, x, kernel_size, stride)}


def _ties_to_all(cols):
    return (cols == cols.max(dim=1, keepdim=True).values).to(cols.dtype)


def _ties_split(cols):
    m = _ties_to_all(cols)
    return m / m.sum(dim=1, keepdim=True)


def _last_maximum(cols):
    kk = cols.shape[1]
    last = kk - 1 - cols.flip(1).argmax(dim=1)                # argmax gives the first maximum of the flipped window
    return (last.unsqueeze(1) == cols.new_tensor(range(kk)).view(1, -1, 1)).to(cols.dtype)


def _overwrite(ref, x, kernel_size, stride, dout):
    """Overlapping windows with `dx[...] = ...` instead of `+=`: the last window to pick an entry wins."""
    torch = ref.torch
    _, idx = ref.F.max_pool2d(x, kernel_size, stride, return_indices=True)
    N, C, H, W = x.shape
    idx, d = idx.reshape(N * C, -1), dout.reshape(N * C, -1)
    order = torch.arange(idx.shape[1], device=idx.device).expand_as(idx)
    winner = torch.full((N * C, H * W), -1, dtype=torch.long, device=idx.device)
    winner = winner.scatter_reduce(1, idx, order, reduce="amax")
    dx = torch.gather(d, 1, winner.clamp(min=0)) * (winner >= 0)
    return {"dx": dx.reshape(x.shape)}


_TIES = ("ties: the gradient goes to one element, the first maximum, as in PyTorch; a mask window == window.max() "
         "sends it to all of them.")

register(Exercise(
    name="maxpool2d_backward",
    signature="maxpool2d_forward(x, kernel_size=2, stride=2)",
    kind=Layer(backward="maxpool2d_backward(dout, cache)", grads={"dx": "x"}),
    cases=_pool_bwd_cases,
    reference=lambda ref, x, kernel_size, stride: ref.F.max_pool2d(x, kernel_size, stride),
    outputs=(Output("dx"),),
    mistakes=(
        Mistake("whole_window", "the gradient goes to every element of the window: only the maximum influenced the "
                "output, so only it gets dout (the others get 0).",
                lambda ref, x, kernel_size, stride, dout: _to_mask(ref, x, kernel_size, stride, dout,
                                                                   lambda cols: ref.torch.ones_like(cols))),
        Mistake("spread_evenly", "dout is spread evenly over the window (average pooling's gradient): max pooling "
                "sends all of it to the position of the maximum.",
                lambda ref, x, kernel_size, stride, dout: _to_mask(
                    ref, x, kernel_size, stride, dout, lambda cols: ref.torch.ones_like(cols) / cols.shape[1])),
        Mistake("to_minimum", "the gradient goes to the minimum of the window: send it to the maximum.",
                lambda ref, x, kernel_size, stride, dout: _to_mask(
                    ref, -x, kernel_size, stride, dout, _ties_to_all)),
        Mistake("ignores_dout", "dx is 1 at each maximum: multiply the mask by dout[n, c, i, j].",
                lambda ref, x, kernel_size, stride, dout: _to_mask(
                    ref, x, kernel_size, stride, ref.torch.ones_like(dout), _ties_to_all)),
        Mistake("overwrites", "where windows overlap, one entry can be the maximum of several windows: add their "
                "gradients (dx[...] += ...), do not overwrite.", _overwrite,
                when=lambda kernel_size, stride: stride < kernel_size),
        Mistake("ties_mask", _TIES, lambda ref, x, kernel_size, stride, dout: _to_mask(
            ref, x, kernel_size, stride, dout, _ties_to_all)),
        Mistake("ties_split", "you split dout evenly among tied maxima (a valid subgradient, but not the contract "
                "here): " + _TIES,
                lambda ref, x, kernel_size, stride, dout: _to_mask(ref, x, kernel_size, stride, dout, _ties_split)),
        Mistake("ties_last", "on a tie your gradient goes to the last maximum of the window; " + _TIES +
                " np.argmax on the window finds the first.",
                lambda ref, x, kernel_size, stride, dout: _to_mask(ref, x, kernel_size, stride, dout, _last_maximum)),
    ),
    hint=("for each window, find the position of its maximum and add dout[n, c, i, j] to dx there; every other "
          "entry of the window gets nothing from it. " + _TIES[0].upper() + _TIES[1:]),
    points=2,
))
