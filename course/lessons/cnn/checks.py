"""Lesson 06 exercise specs: ``conv_output_size``, ``conv2d_forward``, ``conv2d_backward``,
``maxpool2d_forward``, ``maxpool2d_backward`` and ``lenet5`` (cases, torch references, known mistakes).

Also holds the lecture's example arrays (the 6×6 image, its two filters and their feature maps, the 7×7
padding example), which the cases use and the widget in :mod:`.plots` draws.
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Interval, Mistake, Output, StudentError, register, unpack
from course.checks import compare as cmp

LESSON = "06_cnn"

#: The lecture's 6×6 binary image.
IMAGE_6x6 = np.array([
    [1, 0, 0, 0, 0, 1],
    [0, 1, 0, 0, 1, 0],
    [0, 0, 1, 1, 0, 0],
    [1, 0, 0, 0, 1, 0],
    [0, 1, 0, 0, 1, 0],
    [0, 0, 1, 0, 1, 0],
], dtype=float)

#: The lecture's two 3×3 filters: filter 1 finds a diagonal, filter 2 a vertical line.
FILTER_1 = np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=float)
FILTER_2 = np.array([[-1, 1, -1], [-1, 1, -1], [-1, 1, -1]], dtype=float)
FILTERS = np.stack([FILTER_1, FILTER_2])[:, None]          # (2, 1, 3, 3): F, C, KH, KW

#: The two 4×4 feature maps the filters give at stride 1 (the lecture's "2 x 4 x 4").
MAPS_4x4 = np.array([
    [[3, -1, -3, -1], [-3, 1, 0, -3], [-3, -3, 0, 1], [3, -2, -2, -1]],
    [[-1, -1, -1, -1], [-1, -1, -2, 1], [-1, -1, -2, 1], [-1, 0, -4, 3]],
], dtype=float)

#: The lecture's 7×7 example for zero padding.
IMAGE_7x7 = np.array([
    [6, 3, 4, 4, 5, 0, 3],
    [4, 7, 4, 0, 4, 0, 4],
    [7, 0, 2, 3, 4, 5, 2],
    [3, 7, 5, 0, 3, 0, 7],
    [5, 8, 1, 2, 5, 4, 2],
    [8, 0, 1, 0, 6, 0, 0],
    [6, 4, 1, 3, 0, 4, 5],
], dtype=float)


def _out_len(n, k, s=1, p=0):
    return (n + 2 * p - k) // s + 1


# =========================================================================== conv_output_size
def _size_settings(case):
    n, k = case.args[:2]
    s = case.args[2] if len(case.args) > 2 else case.kwargs.get("stride", 1)
    p = case.args[3] if len(case.args) > 3 else case.kwargs.get("padding", 0)
    return n, k, s, p


def _size_ref(case, ref):
    n, k, s, p = _size_settings(case)
    torch = ref.torch
    x = torch.zeros(1, 1, n, dtype=ref.dtype, device=ref.device)
    w = torch.zeros(1, 1, k, dtype=ref.dtype, device=ref.device)
    return ref.F.conv1d(x, w, stride=s, padding=p).shape[-1]


def _size_cases(rng):
    names = ["n", "kernel", "stride", "padding"]
    fixed = [
        ("the lecture's 6×6 image and 3×3 filter (default stride and padding)", (6, 3), {}),
        ("the same with stride 2", (6, 3), {"stride": 2}),
        ("Keras example: 28×28 input, 3×3 filters", (28, 3), {}),
        ("Keras example: 2×2 max pooling of 26×26", (26, 2), {"stride": 2}),
        ("Keras example: 2×2 max pooling of 11×11 (11 - 2 is odd)", (11, 2), {"stride": 2}),
        ("the lecture's 7×7 image with full zero padding 2 and a 3×3 filter", (7, 3), {"padding": 2}),
        ("LeNet-5's first layer: 28×28, 5×5, padding 2", (28, 5), {"padding": 2}),
        ("AlexNet CONV1: 227, 11×11, stride 4, all four arguments by position", (227, 11, 4, 0), {}),
        ("AlexNet MAX POOL1: 55, 3×3, stride 2", (55, 3), {"stride": 2}),
        ("ResNet's stem: 224, 7×7, stride 2, padding 3 (224 + 6 - 7 is odd)", (224, 7), {"stride": 2, "padding": 3}),
        ("32, 3×3, stride 2, padding 1 (31 / 2 is not whole)", (32, 3, 2, 1), {}),
        ("28, 5×5, stride 3 (23 / 3 = 7.67)", (28, 5), {"stride": 3}),
    ]
    cases = [Case(lbl, a, kw, arg_names=names[:len(a)]) for lbl, a, kw in fixed]
    for i in range(4):
        k = int(rng.integers(1, 8))
        p = int(rng.integers(0, 4))
        s = int(rng.integers(2, 5))
        n = int(rng.integers(max(k - 2 * p, 1), 65))
        if (n + 2 * p - k) % s == 0:
            n += 1
        cases.append(Case(f"random sizes #{i + 1}: n={n}, kernel={k}, stride={s}, padding={p}",
                          (n, k), {"stride": s, "padding": p}, arg_names=names[:2]))
    return cases


def _size_mistake(fn):
    return lambda case, ref: fn(*_size_settings(case))


register(Exercise(
    name="conv_output_size",
    lesson=LESSON,
    signature="conv_output_size(n, kernel, stride=1, padding=0)",
    cases=_size_cases,
    reference=_size_ref,
    outputs=(Output("size", kind="int", scalar=True),),
    mistakes=(
        Mistake("the stride is ignored: divide (n + 2p - k) by the stride before adding 1.",
                _size_mistake(lambda n, k, s, p: n + 2 * p - k + 1)),
        Mistake("you divided with `/`, which gives a fraction: use floor division `//` (a window that does "
                "not fit is dropped).", _size_mistake(lambda n, k, s, p: (n + 2 * p - k) / s + 1)),
        Mistake("you rounded up (math.ceil or round): a window that runs past the edge is dropped, so round "
                "down with `//`.", _size_mistake(lambda n, k, s, p: -(-(n + 2 * p - k) // s) + 1)),
        Mistake("you rounded up (math.ceil or round): a window that runs past the edge is dropped, so round "
                "down with `//`.", _size_mistake(lambda n, k, s, p: int(np.round((n + 2 * p - k) / s)) + 1)),
        Mistake("the padding goes on both sides: add 2·padding to n, not padding once.",
                _size_mistake(lambda n, k, s, p: (n + p - k) // s + 1)),
        Mistake("the padding is ignored: the padded length is n + 2·padding.",
                _size_mistake(lambda n, k, s, p: (n - k) // s + 1)),
        Mistake("you forgot the + 1: the first window sits at position 0, then one more every `stride` steps.",
                _size_mistake(lambda n, k, s, p: (n + 2 * p - k) // s)),
    ),
    hint="the output length is floor((n + 2·padding - kernel) / stride) + 1.",
))


# =========================================================================== conv2d_forward
_CONV_NAMES = ["x", "w", "b"]


def _conv_settings(case):
    x, w, b = case.args
    return x, w, b, case.kwargs.get("stride", 1), case.kwargs.get("padding", 0)


def _conv_cases(rng, backward=False):
    """Small cases: a loop-per-pixel solution stays well inside the time limit."""
    def c(label, xs, ws, stride=None, padding=None, pixels=False, bias=True):
        x = rng.uniform(0, 255, size=xs) if pixels else rng.normal(size=xs)
        w = np.abs(rng.normal(size=ws)) if pixels else rng.normal(size=ws)
        b = rng.normal(size=ws[0]) if bias else np.zeros(ws[0])
        kw = {}
        if stride is not None:
            kw["stride"] = stride
        if padding is not None:
            kw["padding"] = padding
        return Case(label, (x, w, b), kw, arg_names=_CONV_NAMES)

    cases = []
    if not backward:
        cases += [
            Case("the lecture's 6×6 image and its two 3×3 filters, stride 1 (no bias)",
                 (IMAGE_6x6[None, None].copy(), FILTERS.copy(), np.zeros(2)), arg_names=_CONV_NAMES),
            Case("the lecture's 6×6 image and its two 3×3 filters, stride 2 (no bias)",
                 (IMAGE_6x6[None, None].copy(), FILTERS.copy(), np.zeros(2)), {"stride": 2}, arg_names=_CONV_NAMES),
        ]
    cases += [
        c("a batch of 2, 3 channels 7×7, four 3×3 filters with bias", (2, 3, 7, 7), (4, 3, 3, 3)),
        c("2 channels 6×5 and three 3×3 filters, so the output is 4×3", (2, 2, 6, 5), (3, 2, 3, 3)),
        c("padding 1, stride 1", (2, 3, 5, 5), (2, 3, 3, 3), padding=1),
        c("stride 2 and padding 1 on 8×8 (the last window does not fit)", (2, 2, 8, 8), (3, 2, 3, 3),
          stride=2, padding=1),
        c("a non-square input (5×9) and kernel (2×4), stride 3, padding 2", (2, 2, 5, 9), (3, 2, 2, 4),
          stride=3, padding=2),
        c("a batch of one, 1×1 kernels", (1, 4, 3, 3), (2, 4, 1, 1)),
        c("pixel values 0..255, positive 5×5 kernels with padding 2 (like LeNet's first layer)",
          (2, 1, 8, 8), (2, 1, 5, 5), padding=2, pixels=True),
    ]
    return cases


def _conv_ref(case, ref):
    x, w, b, s, p = _conv_settings(case)
    return {"out": ref.F.conv2d(ref.t(x), ref.t(w), ref.t(b), stride=s, padding=p)}


def _conv_wrong(fn):
    def outputs(case, ref):
        x, w, b, s, p = _conv_settings(case)
        return {"out": fn(ref.t(x), ref.t(w), ref.t(b), s, p, ref)}
    return outputs


def _padded(case):
    return _conv_settings(case)[4] > 0


def _conv_width_is_filters(case):
    x, w, b, s, p = _conv_settings(case)
    return _out_len(x.shape[3], w.shape[3], s, p) == w.shape[0]


def _conv_forward_mistakes():
    F = lambda ref: ref.F  # noqa: E731
    return (
        Mistake("your kernel is flipped: that is the convolution of mathematics. A CNN layer (and "
                "torch.nn.functional.conv2d) computes cross-correlation: multiply each window by w as it is, "
                "without flipping it.",
                _conv_wrong(lambda x, w, b, s, p, ref: F(ref).conv2d(x, w.flip(-1, -2), b, stride=s, padding=p))),
        Mistake("your kernel is transposed (w[f, c, j, i] instead of w[f, c, i, j]): rows of the window go "
                "with rows of the kernel.",
                _conv_wrong(lambda x, w, b, s, p, ref: F(ref).conv2d(x, w.transpose(-1, -2), b, stride=s,
                                                                      padding=p))),
        Mistake("the bias is missing: add b[f] to every output pixel of filter f.",
                _conv_wrong(lambda x, w, b, s, p, ref: F(ref).conv2d(x, w, None, stride=s, padding=p))),
        Mistake("the bias is added inside the sum, once per multiplied pixel: add b[f] once per output "
                "pixel, after summing over channels and the window.",
                _conv_wrong(lambda x, w, b, s, p, ref: F(ref).conv2d(x, w, b * w[0].numel(), stride=s,
                                                                      padding=p))),
        Mistake("the bias is added once per input channel: sum over the channels first, then add b[f] once.",
                _conv_wrong(lambda x, w, b, s, p, ref: F(ref).conv2d(x, w, b * w.shape[1], stride=s,
                                                                      padding=p))),
        Mistake("the bias is added per pixel along the width (out + b broadcasts b over the last axis): "
                "it belongs to the filter axis, out + b[None, :, None, None].",
                _conv_wrong(lambda x, w, b, s, p, ref: F(ref).conv2d(x, w, None, stride=s, padding=p) + b),
                applies=_conv_width_is_filters),
        Mistake("the stride is ignored: this is the stride-1 output. Windows start every `stride` pixels "
                "and the output size is (n + 2p - k) // stride + 1.",
                _conv_wrong(lambda x, w, b, s, p, ref: F(ref).conv2d(x, w, b, stride=1, padding=p))),
        Mistake("the output has the right size but the window moves one pixel at a time: output (i, j) "
                "reads the window starting at (i·stride, j·stride).",
                _conv_wrong(lambda x, w, b, s, p, ref: F(ref).conv2d(x, w, b, stride=1, padding=p)[
                    ..., :_out_len(x.shape[2], w.shape[2], s, p), :_out_len(x.shape[3], w.shape[3], s, p)])),
        Mistake("the padding is ignored: pad the height and width of x with `padding` zeros on every side first.",
                _conv_wrong(lambda x, w, b, s, p, ref: F(ref).conv2d(x, w, b, stride=s)), applies=_padded),
        Mistake("padding on one side only: pad `padding` zeros at the top and the bottom, on the left and the "
                "right, np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))).",
                _conv_wrong(lambda x, w, b, s, p, ref: F(ref).conv2d(F(ref).pad(x, (0, 2 * p, 0, 2 * p)), w, b,
                                                                      stride=s)), applies=_padded),
        Mistake("padding on one side only: pad `padding` zeros at the top and the bottom, on the left and the "
                "right, np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))).",
                _conv_wrong(lambda x, w, b, s, p, ref: F(ref).conv2d(F(ref).pad(x, (0, p, 0, p)), w, b,
                                                                      stride=s)), applies=_padded),
        Mistake("only the height is padded: pad the width too, np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))).",
                _conv_wrong(lambda x, w, b, s, p, ref: F(ref).conv2d(F(ref).pad(x, (0, 0, p, p)), w, b,
                                                                      stride=s)), applies=_padded),
        Mistake("only the width is padded: pad the height too, np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))).",
                _conv_wrong(lambda x, w, b, s, p, ref: F(ref).conv2d(F(ref).pad(x, (p, p, 0, 0)), w, b,
                                                                      stride=s)), applies=_padded),
        Mistake("the batch axis is padded too (you get 2·padding extra samples): pad only the last two axes, "
                "np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))).",
                _conv_wrong(lambda x, w, b, s, p, ref: F(ref).conv2d(
                    F(ref).pad(x, (p, p, p, p, 0, 0, p, p)), w, b, stride=s)), applies=_padded),
    )


_PAD_HINT = ("The cases without padding passed, so look at the padding: pad only the height and width, "
             "np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))) — np.pad(x, p) pads all four axes, the batch "
             "and the channels too.")


_BIAS_HINT = ("b has shape (F,): `out + b` lines it up with the last axis of out (N, F, Ho, Wo), the width, "
              "as if the bias were added along the width. It belongs to the filter axis: out + b[None, :, None, None].")


def _conv_forward_run(objects, case, call):
    try:
        result = call(objects[0], *case.args, what="conv2d_forward", names=_CONV_NAMES, **case.kwargs)
    except StudentError as e:
        n_filters = case.args[1].shape[0]
        if "broadcast" in str(e) and f"({n_filters},)" in str(e):
            raise StudentError(f"{e} {_BIAS_HINT}") from None
        if _padded(case):
            raise StudentError(f"{e} {_PAD_HINT}") from None
        raise
    out, cache = unpack(result, "conv2d_forward")
    return {"out": out, "cache": cache}


register(Exercise(
    name="conv2d_forward",
    lesson=LESSON,
    signature="conv2d_forward(x, w, b, stride=1, padding=0)",
    cases=_conv_cases,
    reference=_conv_ref,
    outputs=(Output("out"), Output("cache", kind="skip")),
    run=_conv_forward_run,
    mistakes=_conv_forward_mistakes(),
    time_limit=30.0,
    hint=("pad the height and width of x with zeros, then for every sample n, filter f and output pixel (i, j): "
          "out[n, f, i, j] = sum(x_pad[n, :, i·s:i·s+KH, j·s:j·s+KW] * w[f]) + b[f]."),
))


# =========================================================================== conv2d_backward
def _with_dout(cases, rng, out_shape):
    for case in cases:
        case.data["dout"] = rng.normal(size=out_shape(case))
    return cases


def _conv_out_shape(case):
    x, w, b, s, p = _conv_settings(case)
    return (x.shape[0], w.shape[0], _out_len(x.shape[2], w.shape[2], s, p), _out_len(x.shape[3], w.shape[3], s, p))


def _conv_bwd_cases(rng):
    first = Case("the lecture's 6×6 image and its two filters, stride 1",
                 (IMAGE_6x6[None, None].copy(), FILTERS.copy(), np.array([0.5, -0.5])), arg_names=_CONV_NAMES)
    return _with_dout([first] + _conv_cases(rng, backward=True), rng, _conv_out_shape)


def _conv_grads(x, w, b, s, p, dout, ref, *, upstream=None):
    xt, wt, bt = ref.t(x, grad=True), ref.t(w, grad=True), ref.t(b, grad=True)
    out = ref.F.conv2d(xt, wt, bt, stride=s, padding=p)
    out.backward(ref.t(dout) if upstream is None else upstream)
    return {"dx": xt.grad, "dw": wt.grad, "db": bt.grad}


def _conv_bwd_ref(case, ref):
    return _conv_grads(*_conv_settings(case), case.data["dout"], ref)


def _conv_bwd_wrong(fn):
    def outputs(case, ref):
        x, w, b, s, p = _conv_settings(case)
        return fn(x, w, b, s, p, case.data["dout"], ref)
    return outputs


def _last_sample(x, w, b, s, p, dout, ref):
    return _conv_grads(x[-1:], w, b, s, p, dout[-1:], ref)


def _dx_padded(x, w, b, s, p, dout, ref):
    xp = ref.F.pad(ref.t(x), (p, p, p, p)).requires_grad_(True)
    ref.F.conv2d(xp, ref.t(w), ref.t(b), stride=s).backward(ref.t(dout))
    return {"dx": xp.grad}


def _multi_sample(case):
    return case.args[0].shape[0] > 1


register(Exercise(
    name="conv2d_backward",
    lesson=LESSON,
    signature="conv2d_forward, conv2d_backward",
    objects=("conv2d_forward", "conv2d_backward"),
    cases=_conv_bwd_cases,
    reference=_conv_bwd_ref,
    outputs=(Output("dx"), Output("dw"), Output("db")),
    run=lambda objects, case, call: _backward_run(objects, case, call, "conv2d", ("dx", "dw", "db")),
    mistakes=(
        Mistake("dw holds only the last sample's gradient: the same filter is used on every sample, so "
                "accumulate dw over the batch (dw += ..., not dw = ...).",
                _conv_bwd_wrong(lambda *a: {"dw": _last_sample(*a)["dw"]}), applies=_multi_sample),
        Mistake("dw is averaged over the batch: sum the contributions of all samples, do not divide by N "
                "(the 1/N, if any, is already in dout).",
                _conv_bwd_wrong(lambda x, w, b, s, p, dout, ref: {
                    "dw": _conv_grads(x, w, b, s, p, dout, ref)["dw"] / x.shape[0]}), applies=_multi_sample),
        Mistake("db holds only the last sample's gradient: db[f] sums dout[:, f] over the batch and every "
                "pixel, dout.sum(axis=(0, 2, 3)).",
                _conv_bwd_wrong(lambda *a: {"db": _last_sample(*a)["db"]}), applies=_multi_sample),
        Mistake("db is averaged over the batch: db[f] is the sum of dout[:, f] over the batch and every pixel, "
                "dout.sum(axis=(0, 2, 3)).",
                _conv_bwd_wrong(lambda x, w, b, s, p, dout, ref: {
                    "db": ref.t(dout).sum(dim=(0, 2, 3)) / x.shape[0]}), applies=_multi_sample),
        Mistake("dx still has the padding: compute the gradient of the padded input, then cut `padding` "
                "rows and columns off each side.", _conv_bwd_wrong(_dx_padded)),
        Mistake("dx uses a flipped kernel: each window's gradient is dout[n, f, i, j] * w[f], added back "
                "at the window's place (no flip needed when you scatter window by window).",
                _conv_bwd_wrong(lambda x, w, b, s, p, dout, ref: {
                    "dx": _conv_grads(x, w[..., ::-1, ::-1].copy(), b, s, p, dout, ref)["dx"]})),
        Mistake("dw is flipped: dw[f] += dout[n, f, i, j] * (the window of x_pad at (i, j)), as it is.",
                _conv_bwd_wrong(lambda x, w, b, s, p, dout, ref: {
                    "dw": _conv_grads(x, w, b, s, p, dout, ref)["dw"].flip(-1, -2)})),
        Mistake("the gradients ignore dout: every term is multiplied by the upstream gradient dout[n, f, i, j].",
                _conv_bwd_wrong(lambda x, w, b, s, p, dout, ref: _conv_grads(
                    x, w, b, s, p, dout, ref, upstream=ref.torch.ones(dout.shape, dtype=ref.dtype,
                                                                      device=ref.device)))),
    ),
    time_limit=30.0,
    hint=("loop over the same windows as the forward pass: dw[f] += dout[n, f, i, j] · window, "
          "dx_pad[n, :, window] += dout[n, f, i, j] · w[f], db[f] = sum of dout[:, f]; then crop the padding "
          "off dx_pad."),
))


def _backward_run(objects, case, call, op, grad_names):
    """Run the student's forward (checked against torch first), then the backward on its cache."""
    from course.checks.reference import get_ref

    fwd, bwd = objects
    ref = get_ref()
    fname, bname = f"{op}_forward", f"{op}_backward"
    result = call(fwd, *case.args, what=fname, names=case.arg_names, **case.kwargs)
    out, cache = unpack(result, fname)
    expected = ref.np((_conv_ref if op == "conv2d" else _pool_ref)(case, ref)["out"])
    try:
        arr = cmp.as_array(out, f"the out of {fname}")
        ok = arr.shape == expected.shape and cmp.close(arr, expected, cmp.tolerance_for(arr))
    except ValueError:
        ok = False
    if not ok:
        raise StudentError(f"`{fname}` does not agree with torch on this case yet: make "
                           f"check({fname!r}, {fname}) pass first, then come back to the backward pass.")
    grads = call(bwd, case.data["dout"], cache, what=bname, names=["dout", "cache"])
    if len(grad_names) == 1:
        return {grad_names[0]: grads}
    return dict(zip(grad_names, unpack(grads, bname, grad_names)))


# =========================================================================== maxpool2d_forward
_POOL_NAMES = ["x"]


def _pool_settings(case):
    return case.args[0], case.kwargs.get("kernel_size", 2), case.kwargs.get("stride", 2)


def _pool_cases(rng, backward=False):
    def c(label, shape, k=None, s=None, negative=False):
        x = rng.normal(size=shape)
        if negative:
            x = -np.abs(x) - 1.0
        kw = {}
        if k is not None:
            kw["kernel_size"] = k
        if s is not None:
            kw["stride"] = s
        return Case(label, (x,), kw, arg_names=_POOL_NAMES)

    cases = [] if backward else [
        Case("the lecture's two 4×4 feature maps (default 2×2, stride 2)", (MAPS_4x4[None].copy(),),
             arg_names=_POOL_NAMES)]
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


def _pool_ref(case, ref):
    x, k, s = _pool_settings(case)
    return {"out": ref.F.max_pool2d(ref.t(x), k, s)}


def _pool_wrong(fn):
    def outputs(case, ref):
        x, k, s = _pool_settings(case)
        return {"out": fn(ref.t(x), k, s, ref)}
    return outputs


def _pool_out(x, k, s):
    return _out_len(x.shape[2], k, s), _out_len(x.shape[3], k, s)


register(Exercise(
    name="maxpool2d_forward",
    lesson=LESSON,
    signature="maxpool2d_forward(x, kernel_size=2, stride=2)",
    cases=_pool_cases,
    reference=_pool_ref,
    outputs=(Output("out"), Output("cache", kind="skip")),
    mistakes=(
        Mistake("that is average pooling: take the maximum of each window, not its mean.",
                _pool_wrong(lambda x, k, s, ref: ref.F.avg_pool2d(x, k, s))),
        Mistake("that is the minimum of each window: take the maximum.",
                _pool_wrong(lambda x, k, s, ref: -ref.F.max_pool2d(-x, k, s))),
        Mistake("the maximum starts at 0, so negative windows give 0: start from the window's first value "
                "or use .max() on the window.",
                _pool_wrong(lambda x, k, s, ref: ref.F.max_pool2d(x, k, s).clamp(min=0))),
        Mistake("the stride is ignored (windows step by kernel_size): windows start every `stride` pixels, "
                "and may overlap when stride < kernel_size.",
                _pool_wrong(lambda x, k, s, ref: ref.F.max_pool2d(x, k, k))),
        Mistake("the output has the right size but the window moves one pixel at a time: output (i, j) "
                "reads the window starting at (i·stride, j·stride).",
                _pool_wrong(lambda x, k, s, ref: ref.F.max_pool2d(x, k, 1)[..., :_pool_out(x, k, s)[0],
                                                                            :_pool_out(x, k, s)[1]])),
        Mistake("a window that runs past the edge is dropped (floor, as torch's default): the output size "
                "is (n - kernel_size) // stride + 1.",
                _pool_wrong(lambda x, k, s, ref: ref.F.max_pool2d(x, k, s, ceil_mode=True))),
    ),
    hint="out[n, c, i, j] is the maximum of x[n, c, i·s:i·s+k, j·s:j·s+k]; the output size is (H - k) // s + 1.",
))


# =========================================================================== maxpool2d_backward
def _pool_out_shape(case):
    x, k, s = _pool_settings(case)
    return x.shape[:2] + _pool_out(x, k, s)


def _pool_bwd_cases(rng):
    """Random real values first: no two entries of a window are equal, so the maximum is unique.

    Then windows with ties (non-overlapping, so each entry belongs to one window): the lecture's maps
    and a ReLU'd input with windows of zeros. With a tie, any split of dout among the tied maxima is a
    valid subgradient (torch sends all of it to the first maximum it meets; np.argmax does the same,
    an even split is as right); what is checked there is that nothing goes elsewhere and that the
    window's share adds up to dout once."""
    cases = _pool_cases(rng, backward=True)
    for case in cases:
        x = case.args[0]
        assert np.unique(x).size == x.size
    relu = np.maximum(rng.normal(size=(2, 3, 6, 7)) - 0.5, 0.0)
    relu[0, 0, :2, :2] = 0.0                                  # a window of zeros, whatever the draw
    relu[1, 2, 2:4, 4:6] = [[1.25, 0.5], [0.0, 1.25]]          # two equal positive maxima
    cases += [
        Case("the lecture's two 4×4 feature maps: windows whose maxima tie", (MAPS_4x4[None].copy(),),
             data={"ties": True}, arg_names=_POOL_NAMES),
        Case("after a ReLU (6×7): windows of zeros tie, and one window has two equal maxima", (relu,),
             data={"ties": True}, arg_names=_POOL_NAMES),
    ]
    return _with_dout(cases, rng, _pool_out_shape)


def _pool_tie_parts(case, ref):
    """For non-overlapping windows (kernel_size == stride): where each window's maxima are, how many
    there are, and dout spread back onto the input grid, all as (N, C, H, W) arrays (0 outside windows)."""
    torch, F = ref.torch, ref.F
    x, k, s = _pool_settings(case)
    assert k == s
    xt = ref.t(x)
    N, C, H, W = x.shape
    Ho, Wo = _pool_out(x, k, s)

    def spread(t):
        t = t.repeat_interleave(k, dim=2).repeat_interleave(k, dim=3)
        return F.pad(t, (0, W - Wo * k, 0, H - Ho * k))

    inside = spread(torch.ones(N, C, Ho, Wo, dtype=ref.dtype, device=ref.device)) > 0
    is_max = (xt == spread(F.max_pool2d(xt, k, s))) & inside
    count = spread(F.avg_pool2d(is_max.to(ref.dtype), k, s) * k * k)
    return ref.np(is_max), ref.np(count), ref.np(spread(ref.t(case.data["dout"])))


def _pool_bwd_ref(case, ref):
    if not case.data.get("ties"):
        return {"dx": _pool_grad(case, ref)}
    is_max, count, d = _pool_tie_parts(case, ref)
    unique = is_max & (count == 1)
    tied = is_max & (count > 1)
    low = np.where(unique, d, np.where(tied, np.minimum(d, 0.0), 0.0))
    high = np.where(unique, d, np.where(tied, np.maximum(d, 0.0), 0.0))
    return {"dx": Interval(low, high)}


_TIE_HINT = ("where several entries of a window tie for the maximum, dout[n, c, i, j] must be handed out once "
             "in all: give it to one of them (np.argmax picks the first) or split it, but the tied entries "
             "together must get dout, not dout each (a mask `window == window.max()` gives it to every one).")


def _pool_bwd_run(objects, case, call):
    got = _backward_run(objects, case, call, "maxpool2d", ("dx",))
    if not case.data.get("ties"):
        return got
    from course.checks.reference import get_ref, strict_precision

    ref = get_ref()
    dx = got["dx"]
    x, k, s = _pool_settings(case)
    if not (isinstance(dx, np.ndarray) and dx.shape == x.shape and dx.dtype.kind in "fiu"
            and np.all(np.isfinite(dx))):
        return got
    with strict_precision():
        expected = _pool_bwd_ref(case, ref)["dx"]
    if not cmp.value_report(dx, expected, cmp.tolerance_for(dx))[0]:
        return got  # the usual message, and the known mistakes, say what is wrong
    Ho, Wo = _pool_out(x, k, s)
    N, C = x.shape[:2]
    sums = dx[:, :, :Ho * k, :Wo * k].astype(float).reshape(N, C, Ho, k, Wo, k).sum(axis=(3, 5))
    tol = cmp.tolerance_for(dx)
    if not cmp.close(sums, case.data["dout"], tol):
        raise StudentError(_TIE_HINT)
    return got


def _pool_grad(case, ref, op=None, upstream=None):
    x, k, s = _pool_settings(case)
    xt = ref.t(x, grad=True)
    out = (op or (lambda t: ref.F.max_pool2d(t, k, s)))(xt)
    out.backward(ref.t(case.data["dout"]) if upstream is None else upstream)
    return xt.grad


def _pool_assign(case, ref):
    """Overlapping windows with `dx[...] = ...` instead of `+=`: the last window to pick an entry wins."""
    x, k, s = _pool_settings(case)
    _, idx = ref.F.max_pool2d(ref.t(x), k, s, return_indices=True)
    idx = ref.np(idx)
    dout = case.data["dout"]
    N, C, H, W = x.shape
    dx = np.zeros((N, C, H * W))
    for n in range(N):
        for c in range(C):
            for i, v in zip(idx[n, c].ravel(), dout[n, c].ravel()):
                dx[n, c, i] = v
    return dx.reshape(x.shape)


def _overlapping(case):
    _, k, s = _pool_settings(case)
    return s < k


register(Exercise(
    name="maxpool2d_backward",
    lesson=LESSON,
    signature="maxpool2d_forward, maxpool2d_backward",
    objects=("maxpool2d_forward", "maxpool2d_backward"),
    cases=_pool_bwd_cases,
    reference=_pool_bwd_ref,
    outputs=(Output("dx"),),
    run=_pool_bwd_run,
    mistakes=(
        Mistake("the gradient goes to every element of the window: only the maximum influenced the output, "
                "so only it gets dout (the others get 0).",
                lambda case, ref: {"dx": _pool_grad(case, ref, op=lambda t: ref.F.avg_pool2d(
                    t, _pool_settings(case)[1], _pool_settings(case)[2]) * _pool_settings(case)[1] ** 2)}),
        Mistake("dout is spread evenly over the window (average pooling's gradient): max pooling sends all "
                "of it to the position of the maximum.",
                lambda case, ref: {"dx": _pool_grad(case, ref, op=lambda t: ref.F.avg_pool2d(
                    t, _pool_settings(case)[1], _pool_settings(case)[2]))}),
        Mistake("the gradient goes to the minimum of the window: send it to the maximum.",
                lambda case, ref: {"dx": _pool_grad(case, ref, op=lambda t: -ref.F.max_pool2d(
                    -t, _pool_settings(case)[1], _pool_settings(case)[2]))}),
        Mistake("dx is 1 at each maximum: multiply the mask by dout[n, c, i, j].",
                lambda case, ref: {"dx": _pool_grad(case, ref, upstream=ref.torch.ones(
                    _pool_out_shape(case), dtype=ref.dtype, device=ref.device))}),
        Mistake("where windows overlap, one entry can be the maximum of several windows: add their "
                "gradients (dx[...] += ...), do not overwrite.",
                lambda case, ref: {"dx": _pool_assign(case, ref)}, applies=_overlapping),
    ),
    hint=("for each window, find the position of its maximum and add dout[n, c, i, j] to dx there; "
          "every other entry of the window gets nothing from it."),
))


# =========================================================================== lenet5
#: LeNet-5's convolutions as (in, out, kh, kw, stride, padding) and its linear layers as (in, out).
LENET_CONVS = [[1, 6, 5, 5, 1, 2], [6, 16, 5, 5, 1, 0]]
LENET_LINEARS = [[400, 120], [120, 84], [84, 10]]
LENET_PARAMS = 61_706


def _reference_lenet():
    import torch.nn as nn

    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def _inspect_lenet(model, x, call=None):
    """Shapes and layer settings of a model on a batch x: the outputs the check compares."""
    import torch

    seen, tensors = [], []

    def record(m, i, o):
        seen.append((m, tuple(i[0].shape), tuple(o.shape)))
        # copies: an in-place activation (nn.ReLU(inplace=True)) changes `o` after this hook has run
        tensors.append((m, i[0].detach().clone(), o.detach().clone()))

    hooks = [m.register_forward_hook(record)
             for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    try:
        with torch.no_grad():
            out = call(model, x, what="your model's forward pass", names=["x"]) if call else model(x)
    finally:
        for h in hooks:
            h.remove()
    if type(out).__module__.split(".")[0] != "torch" or not isinstance(out, torch.Tensor):
        raise StudentError(f"the model's output should be a torch tensor of logits; it is {cmp.describe(out)}.")
    convs = [m for m, _, _ in seen if isinstance(m, torch.nn.Conv2d)]
    linears = [m for m, _, _ in seen if isinstance(m, torch.nn.Linear)]

    def pair(v):
        return tuple(v) if isinstance(v, (tuple, list)) else (v, v)

    conv_rows = []
    for m in convs:
        if isinstance(m.padding, str):
            pad = 2 if m.padding == "same" else 0
        else:
            pad = pair(m.padding)[0]
        conv_rows.append([m.in_channels, m.out_channels, *pair(m.kernel_size), pair(m.stride)[0], pad])
    maps = [list(i[1:]) for m, i, o in seen if isinstance(m, torch.nn.Conv2d)]
    outside = _zero_padding_before(tensors, x)
    if outside and conv_rows:
        # nn.ZeroPad2d(2) or F.pad(x, (2, 2, 2, 2)) before a conv without padding: the same layer
        conv_rows[0][5] += outside
        maps[0] = list(x.shape[1:])
    maps += [list(o[1:]) for m, i, o in seen if isinstance(m, torch.nn.Conv2d)]
    first_linear_in = [i[-1] for m, i, o in seen if isinstance(m, torch.nn.Linear)][:1]
    return {
        "logits shape": np.array(tuple(out.shape)),
        "parameters": int(sum(p.numel() for p in model.parameters())),
        "convolutions": np.array(conv_rows, dtype=np.int64).reshape(-1, 6),
        "linear layers": np.array([[m.in_features, m.out_features] for m in linears], dtype=np.int64).reshape(-1, 2),
        "feature maps": np.array([v for shape in maps for v in shape] + first_linear_in, dtype=np.int64),
    }, out, tensors


def _zero_padding_before(tensors, x):
    """How many rows of zeros were put around the input before the first convolution (0 if none)."""
    import torch

    first = next((i for m, i, o in tensors if isinstance(m, torch.nn.Conv2d)), None)
    if first is None or first.dim() != 4 or first.shape[:2] != x.shape[:2]:
        return 0
    d = (first.shape[2] - x.shape[2]) // 2
    if d <= 0 or first.shape[2] != x.shape[2] + 2 * d or first.shape[3] != x.shape[3] + 2 * d:
        return 0
    inner = first[:, :, d:-d, d:-d]
    border = first.clone()
    border[:, :, d:-d, d:-d] = 0
    if torch.equal(inner, x.to(first.dtype)) and not border.any():
        return d
    return 0


def _missing_activation(tensors):
    """The pair of layers with no nonlinearity between them, as a phrase, or None.

    Between two linear layers the next one's input would be the previous output unchanged; between a
    convolution and what follows, it would be the output max- or average-pooled 2×2 and nothing else.
    """
    import torch
    import torch.nn.functional as F

    counters = {}
    labelled = []
    for m, i, o in tensors:
        kind = "convolution" if isinstance(m, torch.nn.Conv2d) else "linear layer"
        counters[kind] = counters.get(kind, 0) + 1
        labelled.append((f"{kind} {counters[kind]}", i, o))
    for (name_a, _, out_a), (name_b, in_b, _) in zip(labelled, labelled[1:]):
        candidates = [out_a]
        if out_a.dim() == 4 and min(out_a.shape[2:]) >= 2:
            candidates += [F.max_pool2d(out_a, 2), F.avg_pool2d(out_a, 2)]
        for c in candidates:
            if c.numel() == in_b.numel() and torch.allclose(c.reshape(in_b.shape), in_b, rtol=1e-5, atol=1e-6):
                return f"{name_a} and {name_b}"
    return None


def _lenet_cases(rng):
    return [Case(f"a batch of {n} random 1×28×28 image{'s' if n > 1 else ''}", data={"n": n,
                 "seed": int(rng.integers(1 << 30))}) for n in (4, 1)]


def _lenet_batch(case):
    import torch

    g = torch.Generator().manual_seed(case.data["seed"])
    return torch.rand(case.data["n"], 1, 28, 28, generator=g)


def _lenet_ref(case, ref):
    import torch

    torch.manual_seed(0)
    info, _, _ = _inspect_lenet(_reference_lenet(), _lenet_batch(case))
    return info


def _lenet_run(objects, case, call):
    import torch

    build = objects[0]
    model = call(build, what="build_lenet5")
    if not isinstance(model, torch.nn.Module):
        raise StudentError(f"`build_lenet5()` should return a torch.nn.Module (e.g. an nn.Sequential); "
                           f"it returned {cmp.describe(model)}.")
    dtypes = {p.dtype for p in model.parameters()}
    devices = {p.device.type for p in model.parameters()}
    if dtypes - {torch.float32} or devices - {"cpu"}:
        raise StudentError("build the model in float32 on the CPU (the defaults); move it with .to(device) "
                           "after building, outside build_lenet5.")
    model.eval()
    try:
        info, out, tensors = _inspect_lenet(model, _lenet_batch(case), call)
    except StudentError as e:
        text = str(e)
        if "256" in text and "400" in text:
            text += (" The flattened size is 256 = 16·4·4 instead of 400 = 16·5·5: the first convolution "
                     "needs padding=2 so that the 28×28 image stays 28×28.")
        elif "mat1 and mat2" in text:
            text += (" The flattened feature maps do not match the first linear layer: after conv-pool-conv-pool "
                     "LeNet-5 has 16 maps of 5×5, so nn.Linear(16 * 5 * 5, 120) = nn.Linear(400, 120).")
        raise StudentError(text) from None
    if tuple(out.shape) != (case.data["n"], 10):
        raise StudentError(f"the model maps a ({case.data['n']}, 1, 28, 28) batch to shape {tuple(out.shape)}; "
                           f"it should give ({case.data['n']}, 10): one logit per digit (no softmax needed).")
    if len(info["convolutions"]) != 2 or len(info["linear layers"]) != 3:
        raise StudentError(f"LeNet-5 has 2 convolutions and 3 linear layers (conv-pool-conv-pool-fc-fc-fc); "
                           f"yours has {len(info['convolutions'])} and {len(info['linear layers'])}.")
    n = info["parameters"]
    if n != LENET_PARAMS:
        extra = [type(m).__name__ for m in model.modules()
                 if list(m.parameters(recurse=False)) and not isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
        why = ""
        if extra:
            why = f" Layers other than Conv2d and Linear hold parameters ({', '.join(sorted(set(extra)))}): remove them."
        elif any(m.bias is None for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))):
            why = " A layer has bias=False: every convolution and linear layer of LeNet-5 has a bias."
        elif info["linear layers"][0][0] != 400:
            why = (f" The first linear layer takes {info['linear layers'][0][0]} inputs; it should take "
                   f"16·5·5 = 400 (16 maps of 5×5 after the second pooling).")
        else:
            why = (" Count them layer by layer: conv 6@5×5 → 156, conv 16@5×5 → 2,416, 400→120 → 48,120, "
                   "120→84 → 10,164, 84→10 → 850.")
        raise StudentError(f"the model has {n:,} parameters; LeNet-5 as specified has {LENET_PARAMS:,}.{why}")
    missing = _missing_activation(tensors)
    if missing:
        raise StudentError(f"there is no activation between {missing}: LeNet-5 puts a nonlinearity (tanh, "
                           f"sigmoid or ReLU) after each convolution and each hidden linear layer; without it "
                           f"stacked layers collapse into one linear map.")
    last = [o for m, i, o in tensors if isinstance(m, torch.nn.Linear)][-1]
    shift = out.detach().to(last.dtype) - last
    if shift.shape != last.shape or not torch.allclose(shift, shift[:, :1].expand_as(shift), rtol=0, atol=1e-5):
        probs = bool(((out >= 0) & (out <= 1)).all()) and torch.allclose(out.sum(1), torch.ones(len(out)),
                                                                         atol=1e-4)
        what = ("probabilities (a softmax at the end)" if probs else
                "something computed from the last linear layer's output (an activation after it?)")
        raise StudentError(f"the model returns {what}; it should return the logits, the output of the last "
                           f"nn.Linear(84, 10) as it is (F.cross_entropy applies the softmax itself).")
    return info


register(Exercise(
    name="lenet5",
    lesson=LESSON,
    signature="build_lenet5()",
    cases=_lenet_cases,
    reference=_lenet_ref,
    outputs=(Output("logits shape", kind="int"), Output("parameters", kind="int", scalar=True),
             Output("convolutions", kind="int"), Output("linear layers", kind="int"),
             Output("feature maps", kind="int")),
    run=_lenet_run,
    numpy_only=False,
    time_limit=20.0,
    hint=("LeNet-5 is conv(1→6, 5×5, padding 2) → pool 2×2 → conv(6→16, 5×5) → pool 2×2 → flatten (400) → "
          "linear 120 → linear 84 → linear 10, with an activation between the layers."),
))
