"""Lesson 06 graders: right implementations pass (loops and vectorized, float32 and float64), wrong ones
fail with the hint a student should see."""
import math

import numpy as np
import pytest

from checkhelpers import assert_fails, assert_passes


# --------------------------------------------------------------------------- conv_output_size
def size_floor(n, kernel, stride=1, padding=0):
    return (n + 2 * padding - kernel) // stride + 1


def size_math(n, kernel, stride=1, padding=0):
    return int(math.floor((n + 2 * padding - kernel) / stride)) + 1


def size_numpy(n, kernel, stride=1, padding=0):
    return np.int64((n + 2 * padding - kernel) // stride + 1)


def size_count(n, kernel, stride=1, padding=0):
    """Count the window positions one by one."""
    count, start = 0, 0
    while start + kernel <= n + 2 * padding:
        count += 1
        start += stride
    return count


@pytest.mark.parametrize("fn", [size_floor, size_math, size_numpy, size_count])
def test_size_right(fn):
    assert_passes("conv_output_size", fn)


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda n, kernel, stride=1, padding=0: n + 2 * padding - kernel + 1, "stride is ignored", "conv_output_size.no_stride"),
    (lambda n, kernel, stride=1, padding=0: (n + 2 * padding - kernel) / stride + 1, "floor division", "conv_output_size.true_division"),
    (lambda n, kernel, stride=1, padding=0: math.ceil((n + 2 * padding - kernel) / stride) + 1, "rounded up", "conv_output_size.rounded_up"),
    (lambda n, kernel, stride=1, padding=0: round((n + 2 * padding - kernel) / stride) + 1, "rounded up", "conv_output_size.rounded_up"),
    (lambda n, kernel, stride=1, padding=0: (n + padding - kernel) // stride + 1, "both sides", "conv_output_size.padding_once"),
    (lambda n, kernel, stride=1, padding=0: (n - kernel) // stride + 1, "padding is ignored", "conv_output_size.no_padding"),
    (lambda n, kernel, stride=1, padding=0: (n + 2 * padding - kernel) // stride, "+ 1", "conv_output_size.no_plus_one"),
    (lambda n, kernel, stride=2, padding=0: (n + 2 * padding - kernel) // stride + 1, "default", None),
    (lambda n, kernel, stride=1, padding=0: [size_floor(n, kernel, stride, padding)], "number", None),
])
def test_size_wrong(fn, hint, mistake):
    assert_fails("conv_output_size", fn, hint=hint, mistake=mistake)


# --------------------------------------------------------------------------- conv2d_forward
def conv_naive(x, w, b, stride=1, padding=0):
    """Seven loops, one multiply-add at a time."""
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    xp = np.zeros((N, C, H + 2 * padding, W + 2 * padding))
    xp[:, :, padding:padding + H, padding:padding + W] = x
    Ho, Wo = (H + 2 * padding - KH) // stride + 1, (W + 2 * padding - KW) // stride + 1
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    s = b[f]
                    for c in range(C):
                        for u in range(KH):
                            for v in range(KW):
                                s += xp[n, c, i * stride + u, j * stride + v] * w[f, c, u, v]
                    out[n, f, i, j] = s
    return out, (x, w, b, stride, padding)


def conv_loops(x, w, b, stride=1, padding=0):
    """Four loops, a window at a time (the usual first version)."""
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Ho, Wo = (H + 2 * padding - KH) // stride + 1, (W + 2 * padding - KW) // stride + 1
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    win = xp[n, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
                    out[n, f, i, j] = np.sum(win * w[f]) + b[f]
    return out, (x, w, b, stride, padding)


def _windows(xp, KH, KW, stride):
    win = np.lib.stride_tricks.sliding_window_view(xp, (KH, KW), axis=(2, 3))
    return win[:, :, ::stride, ::stride]                       # (N, C, Ho, Wo, KH, KW)


def conv_strided(x, w, b, stride=1, padding=0):
    """Stride tricks and one einsum."""
    KH, KW = w.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = _windows(xp, KH, KW, stride)
    out = np.einsum("nchwij,fcij->nfhw", win, w) + b[None, :, None, None]
    return out, (x, w, b, stride, padding)


def conv_im2col(x, w, b, stride=1, padding=0):
    """im2col: every window as a row, then one matrix product."""
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = _windows(xp, KH, KW, stride)
    Ho, Wo = win.shape[2:4]
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, C * KH * KW)
    out = cols @ w.reshape(F, -1).T + b
    return out.reshape(N, Ho, Wo, F).transpose(0, 3, 1, 2), (x, w, b, stride, padding, cols)


def conv_float32(x, w, b, stride=1, padding=0):
    out, cache = conv_strided(x.astype(np.float32), w.astype(np.float32), b.astype(np.float32), stride, padding)
    return out.astype(np.float32), cache


@pytest.mark.parametrize("fn", [conv_naive, conv_loops, conv_strided, conv_im2col, conv_float32])
def test_conv_forward_right(fn):
    assert_passes("conv2d_forward", fn)


def conv_variant(flip=False, transpose=False, bias="ok", stride_mode="ok", pad_mode="ok"):
    def conv(x, w, b, stride=1, padding=0):
        p = padding
        if flip:
            w = w[..., ::-1, ::-1]
        if transpose:
            w = w.swapaxes(-1, -2)
        pads = None if pad_mode == "all" else {"ok": ((0, 0), (0, 0), (p, p), (p, p)), "none": ((0, 0),) * 4,
                "one_side": ((0, 0), (0, 0), (0, 2 * p), (0, 2 * p)), "one_side_once": ((0, 0), (0, 0), (0, p), (0, p)),
                "height": ((0, 0), (0, 0), (p, p), (0, 0)), "width": ((0, 0), (0, 0), (0, 0), (p, p)),
                "batch": ((p, p), (0, 0), (p, p), (p, p))}[pad_mode]
        if pad_mode == "all":
            xp = np.pad(x, p)
        else:
            xp = np.pad(x, pads)
        KH, KW = w.shape[2:]
        step = 1 if stride_mode in ("ignored", "window") else stride
        win = _windows(xp, KH, KW, step)
        if stride_mode == "window":
            Ho = (xp.shape[2] - KH) // stride + 1
            Wo = (xp.shape[3] - KW) // stride + 1
            win = win[:, :, :Ho, :Wo]
        out = np.einsum("nchwij,fcij->nfhw", win, w)
        if bias == "ok":
            out = out + b[:, None, None]
        elif bias == "inside":
            out = out + b[:, None, None] * w[0].size
        elif bias == "per_channel":
            out = out + b[:, None, None] * w.shape[1]
        elif bias == "width":
            out = out + b
        return out, None
    return conv


@pytest.mark.parametrize("kwargs, hint, mistake", [
    (dict(flip=True), "flipped", "conv2d_forward.flipped_kernel"),
    (dict(transpose=True), "transposed", "conv2d_forward.transposed_kernel"),
    (dict(bias="none"), "bias is missing", "conv2d_forward.no_bias"),
    (dict(bias="inside"), "inside the sum", "conv2d_forward.bias_in_sum"),
    (dict(bias="per_channel"), "once per input channel", "conv2d_forward.bias_per_channel"),
    (dict(bias="width"), "along the width", None),  # raises on broadcasting: the kind adds the sentence
    (dict(stride_mode="ignored"), "stride is ignored", "conv2d_forward.no_stride"),
    (dict(stride_mode="window"), "one pixel at a time", "conv2d_forward.window_step_one"),
    (dict(pad_mode="none"), "padding is ignored", "conv2d_forward.no_padding"),
    (dict(pad_mode="one_side"), "one side only", "conv2d_forward.one_side_padding"),
    (dict(pad_mode="one_side_once"), "one side only", "conv2d_forward.one_side_padding"),
    (dict(pad_mode="height"), "only the height", "conv2d_forward.height_only_padding"),
    (dict(pad_mode="width"), "only the width", "conv2d_forward.width_only_padding"),
    (dict(pad_mode="batch"), "batch axis is padded", "conv2d_forward.batch_padded"),
    (dict(pad_mode="all"), "np.pad(x, p) pads all four axes", None),
])
def test_conv_forward_wrong(kwargs, hint, mistake):
    assert_fails("conv2d_forward", conv_variant(**kwargs), hint=hint, mistake=mistake)


@pytest.mark.parametrize("fn", [conv_strided, conv_im2col])
def test_conv_forward_fast_right(fn):
    assert_passes("conv2d_forward_fast", fn)


def test_conv_forward_fast_wrong():
    assert_fails("conv2d_forward_fast", conv_variant(flip=True), hint="flipped", mistake="conv2d_forward_fast.flipped_kernel")
    assert_fails("conv2d_forward_fast", conv_variant(pad_mode="all"), hint="np.pad(x, p) pads all four axes")


def test_conv_forward_wrong_returns():
    assert_fails("conv2d_forward", lambda x, w, b, stride=1, padding=0: conv_strided(x, w, b, stride, padding)[0],
                 hint="two values")
    assert_fails("conv2d_forward", lambda x, w, b, stride=1, padding=0: None, hint="returned None")

    def uses_torch(x, w, b, stride=1, padding=0):
        import torch
        out = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), stride=stride,
                                         padding=padding)
        return out.numpy(), None

    assert_fails("conv2d_forward", uses_torch, hint="called torch")


# --------------------------------------------------------------------------- conv2d_backward
def conv_backward_loops(dout, cache):
    x, w, b, stride, padding = cache
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    _, _, Ho, Wo = dout.shape
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    sl = (n, slice(None), slice(i * stride, i * stride + KH), slice(j * stride, j * stride + KW))
                    dw[f] += dout[n, f, i, j] * xp[sl]
                    dxp[sl] += dout[n, f, i, j] * w[f]
    db = dout.sum(axis=(0, 2, 3))
    return dxp[:, :, padding:padding + H, padding:padding + W], dw, db


def conv_backward_vectorized(dout, cache):
    x, w, b, stride, padding, cols = cache
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    _, _, Ho, Wo = dout.shape
    d2 = dout.transpose(0, 2, 3, 1).reshape(-1, F)           # (N·Ho·Wo, F)
    dw = (d2.T @ cols).reshape(w.shape)
    dcols = (d2 @ w.reshape(F, -1)).reshape(N, Ho, Wo, C, KH, KW)
    dxp = np.zeros((N, C, H + 2 * padding, W + 2 * padding))
    for u in range(KH):                                       # col2im: a loop over the kernel only
        for v in range(KW):
            dxp[:, :, u:u + stride * Ho:stride, v:v + stride * Wo:stride] += dcols[..., u, v].transpose(0, 3, 1, 2)
    return dxp[:, :, padding:padding + H, padding:padding + W], dw, dout.sum(axis=(0, 2, 3))


def conv_backward_float32(dout, cache):
    return tuple(g.astype(np.float32) for g in conv_backward_loops(dout.astype(np.float32), cache))


@pytest.mark.parametrize("fwd, bwd", [(conv_loops, conv_backward_loops), (conv_im2col, conv_backward_vectorized),
                                      (conv_float32, conv_backward_float32)])
def test_conv_backward_right(fwd, bwd):
    assert_passes("conv2d_backward", fwd, bwd)


def conv_backward_variant(dw_mode="ok", db_mode="ok", crop=True, flip_dx=False, flip_dw=False, ones=False):
    def backward(dout, cache):
        x, w, b, stride, padding = cache
        N, C, H, W = x.shape
        F, _, KH, KW = w.shape
        if ones:
            dout = np.ones_like(dout)
        wk = w[..., ::-1, ::-1] if flip_dx else w
        xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
        dxp, dw = np.zeros_like(xp), np.zeros_like(w)
        _, _, Ho, Wo = dout.shape
        for n in range(N):
            dw_n = np.zeros_like(w)
            for f in range(F):
                for i in range(Ho):
                    for j in range(Wo):
                        sl = (n, slice(None), slice(i * stride, i * stride + KH), slice(j * stride, j * stride + KW))
                        dw_n[f] += dout[n, f, i, j] * xp[sl]
                        dxp[sl] += dout[n, f, i, j] * wk[f]
            dw = dw_n if dw_mode == "last" else dw + dw_n
        if dw_mode == "mean":
            dw = dw / N
        if flip_dw:
            dw = dw[..., ::-1, ::-1]
        db = {"ok": dout.sum(axis=(0, 2, 3)), "last": dout[-1].sum(axis=(1, 2)),
              "mean": dout.sum(axis=(0, 2, 3)) / N, "no_batch": dout.sum(axis=(2, 3))}[db_mode]
        dx = dxp[:, :, padding:padding + H, padding:padding + W] if crop else dxp
        return dx, dw, db
    return backward


@pytest.mark.parametrize("kwargs, hint, mistake", [
    (dict(dw_mode="last"), "dw holds only the last sample", "conv2d_backward.dw_last_sample"),
    (dict(dw_mode="mean"), "dw is averaged", "conv2d_backward.dw_averaged"),
    (dict(db_mode="last"), "db holds only the last sample", "conv2d_backward.db_last_sample"),
    (dict(db_mode="mean"), "db is averaged", "conv2d_backward.db_averaged"),
    (dict(db_mode="no_batch"), "shape", None),
    (dict(crop=False), "still has the padding", "conv2d_backward.dx_not_cropped"),
    (dict(flip_dx=True), "flipped kernel", "conv2d_backward.dx_flipped_kernel"),
    (dict(flip_dw=True), "dw is flipped", "conv2d_backward.dw_flipped"),
    (dict(ones=True), "ignore dout", "conv2d_backward.ignores_dout"),
])
def test_conv_backward_wrong(kwargs, hint, mistake):
    assert_fails("conv2d_backward", conv_loops, conv_backward_variant(**kwargs), hint=hint, mistake=mistake)


def test_conv_backward_needs_a_right_forward():
    def forward_without_bias(x, w, b, stride=1, padding=0):
        out, cache = conv_loops(x, w, b, stride, padding)
        return out - b[:, None, None], cache

    assert_fails("conv2d_backward", forward_without_bias, conv_backward_loops, hint="pass first")


# --------------------------------------------------------------------------- maxpool2d
def pool_loops(x, kernel_size=2, stride=2):
    N, C, H, W = x.shape
    Ho, Wo = (H - kernel_size) // stride + 1, (W - kernel_size) // stride + 1
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, c, i, j] = x[n, c, i * stride:i * stride + kernel_size,
                                        j * stride:j * stride + kernel_size].max()
    return out, (x, kernel_size, stride)


def pool_strided(x, kernel_size=2, stride=2):
    win = np.lib.stride_tricks.sliding_window_view(x, (kernel_size, kernel_size), axis=(2, 3))
    win = win[:, :, ::stride, ::stride]
    return win.max(axis=(-1, -2)), (x, kernel_size, stride)


def pool_float32(x, kernel_size=2, stride=2):
    out, cache = pool_strided(x.astype(np.float32), kernel_size, stride)
    return out, cache


@pytest.mark.parametrize("fn", [pool_loops, pool_strided, pool_float32])
def test_pool_forward_right(fn):
    assert_passes("maxpool2d_forward", fn)


def pool_variant(mode):
    def pool(x, kernel_size=2, stride=2):
        k, s = kernel_size, stride
        if mode == "ceil":
            H, W = x.shape[2:]
            Ho, Wo = -(-(H - k) // s) + 1, -(-(W - k) // s) + 1
            xp = np.full(x.shape[:2] + ((Ho - 1) * s + k, (Wo - 1) * s + k), -np.inf)
            xp[:, :, :H, :W] = x
            x = xp
        step = k if mode == "stride_k" else 1 if mode == "window" else s
        win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::step, ::step]
        if mode == "window":
            win = win[:, :, :(x.shape[2] - k) // s + 1, :(x.shape[3] - k) // s + 1]
        if mode == "mean":
            return win.mean(axis=(-1, -2)), None
        if mode == "min":
            return win.min(axis=(-1, -2)), None
        out = win.max(axis=(-1, -2))
        if mode == "zero":
            out = np.maximum(out, 0)
        return out, None
    return pool


@pytest.mark.parametrize("mode, hint, mistake", [
    ("mean", "average pooling", "average"), ("min", "minimum", "minimum"), ("zero", "starts at 0", "max_starts_at_zero"),
    ("stride_k", "stride is ignored", "no_stride"), ("window", "one pixel at a time", "window_step_one"),
    ("ceil", "runs past the edge", "ceil_mode"),
])
def test_pool_forward_wrong(mode, hint, mistake):
    assert_fails("maxpool2d_forward", pool_variant(mode), hint=hint, mistake=f"maxpool2d_forward.{mistake}")


def pool_backward_loops(dout, cache):
    x, k, s = cache
    dx = np.zeros_like(x)
    N, C, Ho, Wo = dout.shape
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    win = x[n, c, i * s:i * s + k, j * s:j * s + k]
                    u, v = np.unravel_index(np.argmax(win), win.shape)
                    dx[n, c, i * s + u, j * s + v] += dout[n, c, i, j]
    return dx


def pool_backward_mask(dout, cache):
    """A mask of where each window equals its maximum, accumulated with a loop over the kernel only."""
    x, k, s = cache
    dx = np.zeros_like(x)
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
    Ho, Wo = dout.shape[2:]
    mask = win == win.max(axis=(-1, -2), keepdims=True)
    for u in range(k):
        for v in range(k):
            dx[:, :, u:u + s * Ho:s, v:v + s * Wo:s] += mask[..., u, v] * dout
    return dx


def pool_backward_even_split(dout, cache):
    """Ties share dout evenly (any split among tied maxima is a valid subgradient)."""
    x, k, s = cache
    dx = np.zeros_like(x)
    Ho, Wo = dout.shape[2:]
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * s:i * s + k, j * s:j * s + k]
            m = win == win.max(axis=(2, 3), keepdims=True)
            dx[:, :, i * s:i * s + k, j * s:j * s + k] += m / m.sum(axis=(2, 3), keepdims=True) * \
                dout[:, :, i, j][:, :, None, None]
    return dx


def pool_backward_last_max(dout, cache):
    """Ties: the last maximum of the window gets dout."""
    x, k, s = cache
    dx = np.zeros_like(x)
    N, C, Ho, Wo = dout.shape
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    win = x[n, c, i * s:i * s + k, j * s:j * s + k].ravel()
                    u, v = divmod(win.size - 1 - int(np.argmax(win[::-1])), k)
                    dx[n, c, i * s + u, j * s + v] += dout[n, c, i, j]
    return dx


def pool_reshape(x, kernel_size=2, stride=2):
    """Non-overlapping windows by a reshape (crop first); strided windows otherwise."""
    N, C, H, W = x.shape
    k, s = kernel_size, stride
    if k != s:
        return pool_strided(x, k, s)
    Ho, Wo = H // k, W // k
    return x[:, :, :Ho * k, :Wo * k].reshape(N, C, Ho, k, Wo, k).max(axis=(3, 5)), (x, k, s)


def test_pool_forward_reshape_right():
    assert_passes("maxpool2d_forward", pool_reshape)


def pool_backward_argmax_vectorized(dout, cache):
    """np.argmax over every window at once (the first maximum), then one np.add.at."""
    x, k, s = cache
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
    Ho, Wo = dout.shape[2:]
    win = win[:, :, :Ho, :Wo]
    u, v = np.divmod(win.reshape(*win.shape[:4], k * k).argmax(axis=-1), k)
    n, c, i, j = np.indices(dout.shape)
    dx = np.zeros_like(x)
    np.add.at(dx, (n, c, i * s + u, j * s + v), dout)
    return dx


def pool_backward_first_mask(dout, cache):
    """A mask of the maxima, then keep only the first one of each window (cumsum trick)."""
    x, k, s = cache
    dx = np.zeros_like(x)
    N, C, Ho, Wo = dout.shape
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * s:i * s + k, j * s:j * s + k].reshape(N, C, k * k)
            m = win == win.max(axis=2, keepdims=True)
            first = m & (np.cumsum(m, axis=2) == 1)
            dx[:, :, i * s:i * s + k, j * s:j * s + k] += (first * dout[:, :, i, j][:, :, None]).reshape(N, C, k, k)
    return dx


@pytest.mark.parametrize("fwd, bwd", [(pool_loops, pool_backward_loops), (pool_strided, pool_backward_argmax_vectorized),
                                      (pool_reshape, pool_backward_first_mask),
                                      (pool_float32, lambda d, c: pool_backward_loops(d.astype(np.float32), c))])
def test_pool_backward_right(fwd, bwd):
    assert_passes("maxpool2d_backward", fwd, bwd)


@pytest.mark.parametrize("bwd, mistake", [(pool_backward_mask, "ties_mask"), (pool_backward_even_split, "ties_split"),
                                          (pool_backward_last_max, "ties_last")])
def test_pool_backward_ties_go_to_the_first_maximum(bwd, mistake):
    """PyTorch's contract on ties: the window's gradient goes to one element, its first maximum. A mask
    `window == window.max()` gives dout to every tied maximum (after a ReLU, whole windows of zeros); an even
    split and the last maximum are valid subgradients but not this contract."""
    msg = assert_fails("maxpool2d_backward", pool_strided, bwd, hint="the first maximum, as in PyTorch",
                       mistake=f"maxpool2d_backward.{mistake}")
    assert "tie" in msg

    def split_wrong(dout, cache):  # twice to the first maximum, minus once to the second: sums right, not a subgradient
        x, k, s = cache
        dx = np.zeros_like(x)
        N, C, Ho, Wo = dout.shape
        for n in range(N):
            for c in range(C):
                for i in range(Ho):
                    for j in range(Wo):
                        win = x[n, c, i * s:i * s + k, j * s:j * s + k]
                        idx = np.flatnonzero(win.ravel() == win.max())
                        if len(idx) > 1:
                            for t, w in zip(idx[:2], (2.0, -1.0)):
                                u, v = divmod(int(t), k)
                                dx[n, c, i * s + u, j * s + v] += w * dout[n, c, i, j]
                        else:
                            u, v = divmod(int(idx[0]), k)
                            dx[n, c, i * s + u, j * s + v] += dout[n, c, i, j]
        return dx

    assert_fails("maxpool2d_backward", pool_loops, split_wrong, hint="first maximum")


def pool_backward_variant(mode):
    def backward(dout, cache):
        x, k, s = cache
        if mode == "ones":
            dout = np.ones_like(dout)
        dx = np.zeros_like(x)
        N, C, Ho, Wo = dout.shape
        for n in range(N):
            for c in range(C):
                for i in range(Ho):
                    for j in range(Wo):
                        sl = (n, c, slice(i * s, i * s + k), slice(j * s, j * s + k))
                        win = x[sl]
                        if mode == "all":
                            dx[sl] += dout[n, c, i, j]
                        elif mode == "mean":
                            dx[sl] += dout[n, c, i, j] / (k * k)
                        else:
                            pick = np.argmin(win) if mode == "min" else np.argmax(win)
                            u, v = np.unravel_index(pick, win.shape)
                            if mode == "assign":
                                dx[n, c, i * s + u, j * s + v] = dout[n, c, i, j]
                            else:
                                dx[n, c, i * s + u, j * s + v] += dout[n, c, i, j]
        return dx
    return backward


@pytest.mark.parametrize("mode, hint, mistake", [
    ("all", "every element of the window", "whole_window"), ("mean", "spread evenly", "spread_evenly"),
    ("min", "minimum", "to_minimum"), ("ones", "multiply the mask by dout", "ignores_dout"),
    ("assign", "do not overwrite", "overwrites"),
])
def test_pool_backward_wrong(mode, hint, mistake):
    assert_fails("maxpool2d_backward", pool_loops, pool_backward_variant(mode), hint=hint,
                 mistake=f"maxpool2d_backward.{mistake}")


# --------------------------------------------------------------------------- lenet5
def lenet_sequential():
    import torch.nn as nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10))


def lenet_class():
    import torch.nn as nn
    import torch.nn.functional as F

    class LeNet5(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding="same")
            self.conv2 = nn.Conv2d(6, 16, kernel_size=(5, 5))
            self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.flatten(1)
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))

    return LeNet5()


@pytest.mark.parametrize("fn", [lenet_sequential, lenet_class])
def test_lenet_right(fn):
    assert_passes("lenet5", fn)


def lenet_variant(mode):
    def build():
        import torch.nn as nn
        pad1 = 0 if mode == "no_pad" else 2
        pad2 = 2 if mode == "pad2" else 0
        flat = {"no_pad_fixed": 256}.get(mode, 400)
        if mode == "no_pad_fixed":
            pad1 = 0
        layers = [nn.Conv2d(1, 6, 5, padding=pad1), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Conv2d(6, 16, 5, padding=pad2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                  nn.Linear(flat, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)]
        if mode == "bn":
            layers.insert(1, nn.BatchNorm2d(6))
        if mode == "no_bias":
            layers[-1] = nn.Linear(84, 10, bias=False)
        if mode == "softmax_cls":
            layers[-1] = nn.Linear(84, 2)
        if mode == "extra_fc":
            layers += [nn.ReLU(), nn.Linear(10, 10)]
        return nn.Sequential(*layers)
    return build


@pytest.mark.parametrize("mode, hint", [
    ("no_pad", "padding=2"),
    ("no_pad_fixed", "16·5·5 = 400"),
    ("pad2", "nn.Linear(400, 120)"),
    ("bn", "BatchNorm2d"),
    ("no_bias", "bias=False"),
    ("softmax_cls", "(4, 10)"),
    ("extra_fc", "3 linear layers"),
])
def test_lenet_wrong(mode, hint):
    assert_fails("lenet5", lenet_variant(mode), hint=hint)


def test_lenet_not_a_module():
    assert_fails("lenet5", lambda: "LeNet", hint="torch.nn.Module")
    assert_fails("lenet5", lambda: None, hint="torch.nn.Module")


def test_exercise_names():
    from course import exercises
    assert {"conv_output_size", "conv2d_forward", "conv2d_forward_fast", "conv2d_backward", "maxpool2d_forward",
            "maxpool2d_backward", "lenet5"} <= set(exercises())


# --------------------------------------------------------------------------- more conventions and mistakes
def conv_shift_add(x, w, b, stride=1, padding=0):
    """A loop over the kernel offsets only: shift the input, multiply, add."""
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Ho, Wo = (H + 2 * padding - KH) // stride + 1, (W + 2 * padding - KW) // stride + 1
    out = np.zeros((N, F, Ho, Wo)) + b.reshape(1, -1, 1, 1)
    for u in range(KH):
        for v in range(KW):
            patch = xp[:, :, u:u + stride * (Ho - 1) + 1:stride, v:v + stride * (Wo - 1) + 1:stride]
            out += np.tensordot(patch, w[:, :, u, v], axes=([1], [1])).transpose(0, 3, 1, 2)
    return out, (x, w, b, stride, padding)


def conv_backward_transposed(dout, cache):
    """dx as the full correlation of the dilated dout with the flipped kernel, dw as an einsum."""
    x, w, b, s, p = cache
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    _, _, Ho, Wo = dout.shape
    Hp, Wp = H + 2 * p, W + 2 * p
    dil = np.zeros((N, F, (Ho - 1) * s + 1, (Wo - 1) * s + 1))
    dil[:, :, ::s, ::s] = dout
    full = np.pad(dil, ((0, 0), (0, 0), (KH - 1, KH - 1 + Hp - ((Ho - 1) * s + KH)),
                        (KW - 1, KW - 1 + Wp - ((Wo - 1) * s + KW))))
    win = np.lib.stride_tricks.sliding_window_view(full, (KH, KW), axis=(2, 3))
    dxp = np.einsum("nfhwij,fcij->nchw", win, w[:, :, ::-1, ::-1])
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    winx = _windows(xp, KH, KW, s)[:, :, :Ho, :Wo]
    dw = np.einsum("nchwij,nfhw->fcij", winx, dout)
    return dxp[:, :, p:p + H, p:p + W], dw, dout.sum((0, 2, 3))


def test_conv_more_right():
    assert_passes("conv2d_forward", conv_shift_add, seeds=range(5))
    assert_passes("conv2d_backward", conv_shift_add, conv_backward_transposed, seeds=range(5))
    assert_passes("conv2d_backward", conv_loops, lambda d, c: list(conv_backward_loops(d, c)))


def test_conv_more_wrong():
    def edge_padding(x, w, b, stride=1, padding=0):
        xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), mode="edge")
        return np.einsum("nchwij,fcij->nfhw", _windows(xp, *w.shape[2:], stride), w) + b[:, None, None], None

    def stride_height_only(x, w, b, stride=1, padding=0):
        xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
        win = np.lib.stride_tricks.sliding_window_view(xp, w.shape[2:], axis=(2, 3))[:, :, ::stride]
        win = win[:, :, :, :(x.shape[3] + 2 * padding - w.shape[3]) // stride + 1]
        return np.einsum("nchwij,fcij->nfhw", win, w) + b[:, None, None], None

    assert_fails("conv2d_forward", edge_padding)
    assert_fails("conv2d_forward", stride_height_only)

    def dx_ignores_stride(dout, cache):
        x, w, b, s, p = cache
        _, dw, db = conv_backward_loops(dout, cache)
        N, C, H, W = x.shape
        KH, KW = w.shape[2:]
        dxp = np.zeros((N, C, H + 2 * p, W + 2 * p))
        for n in range(N):
            for f in range(w.shape[0]):
                for i in range(dout.shape[2]):
                    for j in range(dout.shape[3]):
                        dxp[n, :, i:i + KH, j:j + KW] += dout[n, f, i, j] * w[f]
        return dxp[:, :, p:p + H, p:p + W], dw, db

    def crop_top_left(dout, cache):
        x, w, b, s, p = cache
        _, dw, db = conv_backward_variant(crop=False)(dout, cache)
        return conv_backward_variant(crop=False)(dout, cache)[0][:, :, :x.shape[2], :x.shape[3]], dw, db

    assert_fails("conv2d_backward", conv_loops, dx_ignores_stride)
    assert_fails("conv2d_backward", conv_loops, crop_top_left)
    assert_fails("conv2d_backward", conv_loops, lambda d, c: (conv_backward_loops(d, c)[0],
                                                              conv_backward_loops(d, c)[1].swapaxes(2, 3),
                                                              conv_backward_loops(d, c)[2]))


def lenet_zero_pad_module():
    """Pads the 28×28 image to LeNet's original 32×32 with a layer, then a conv without padding."""
    import torch.nn as nn
    return nn.Sequential(
        nn.ZeroPad2d(2), nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10))


def lenet_functional_pad():
    """F.pad in forward, view to flatten, sigmoid, one activation module used everywhere, log_softmax out."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class LeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1, self.c2 = nn.Conv2d(1, 6, 5), nn.Conv2d(6, 16, 5)
            self.f1, self.f2, self.f3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)
            self.act, self.pool = nn.Sigmoid(), nn.MaxPool2d(2, 2)

        def forward(self, x):
            x = self.pool(self.act(self.c1(F.pad(x, (2, 2, 2, 2)))))
            x = self.pool(self.act(self.c2(x)))
            x = x.view(x.size(0), -1)
            return torch.log_softmax(self.f3(self.act(self.f2(self.act(self.f1(x))))), dim=1)

    return LeNet()


def lenet_inplace_dropout():
    import torch.nn as nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(inplace=True), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(inplace=True), nn.Dropout(0.5),
        nn.Linear(120, 84), nn.ReLU(inplace=True), nn.Linear(84, 10))


@pytest.mark.parametrize("fn", [lenet_zero_pad_module, lenet_functional_pad, lenet_inplace_dropout])
def test_lenet_more_right(fn):
    assert_passes("lenet5", fn)


def _lenet_layers(act=True, fc_act=True, tail=None):
    def build():
        import torch.nn as nn
        a = (lambda: [nn.ReLU()]) if act else (lambda: [])
        f = (lambda: [nn.ReLU()]) if fc_act else (lambda: [])
        layers = [nn.Conv2d(1, 6, 5, padding=2), *a(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), *a(), nn.MaxPool2d(2),
                  nn.Flatten(), nn.Linear(400, 120), *f(), nn.Linear(120, 84), *f(), nn.Linear(84, 10)]
        if tail is not None:
            layers.append(tail())
        return nn.Sequential(*layers)
    return build


def test_lenet_more_wrong():
    import torch.nn as nn
    assert_fails("lenet5", _lenet_layers(act=False, fc_act=False), hint="no activation between convolution 1")
    assert_fails("lenet5", _lenet_layers(fc_act=False), hint="no activation between linear layer 1")
    assert_fails("lenet5", _lenet_layers(tail=lambda: nn.Softmax(dim=1)), hint="softmax at the end")
    assert_fails("lenet5", _lenet_layers(tail=nn.ReLU), hint="return the logits")
    assert_fails("lenet5", _lenet_layers(tail=nn.Sigmoid), hint="return the logits")

    def padded_twice():
        return nn.Sequential(nn.ZeroPad2d(2), *_lenet_layers()())

    assert_fails("lenet5", padded_twice)
