"""Lesson 06 exercise specs for convolution: ``conv_output_size``, ``conv2d_forward`` (and its vectorized
twin ``conv2d_forward_fast``) and ``conv2d_backward``."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, StudentError, register
from course.checks.kinds import Function, Layer

from .lecture import FILTERS, IMAGE_6x6, out_len


# =========================================================================== conv_output_size
def _size_ref(ref, n, kernel, stride, padding):
    x = ref.torch.zeros(1, 1, n, dtype=ref.dtype, device=ref.device)
    w = ref.torch.zeros(1, 1, kernel, dtype=ref.dtype, device=ref.device)
    return ref.F.conv1d(x, w, stride=stride, padding=padding).shape[-1]


def _size_cases(rng):
    fixed = [
        ("the lecture's 6×6 image and 3×3 filter (default stride and padding)", {"n": 6, "kernel": 3}),
        ("the same with stride 2", {"n": 6, "kernel": 3, "stride": 2}),
        ("Keras example: 28×28 input, 3×3 filters", {"n": 28, "kernel": 3}),
        ("Keras example: 2×2 max pooling of 26×26", {"n": 26, "kernel": 2, "stride": 2}),
        ("Keras example: 2×2 max pooling of 11×11 (11 - 2 is odd)", {"n": 11, "kernel": 2, "stride": 2}),
        ("the lecture's 7×7 image with full zero padding 2 and a 3×3 filter", {"n": 7, "kernel": 3, "padding": 2}),
        ("LeNet-5's first layer: 28×28, 5×5, padding 2", {"n": 28, "kernel": 5, "padding": 2}),
        ("ResNet's stem: 224, 7×7, stride 2, padding 3 (224 + 6 - 7 is odd)",
         {"n": 224, "kernel": 7, "stride": 2, "padding": 3}),
        ("28, 5×5, stride 3 (23 / 3 = 7.67)", {"n": 28, "kernel": 5, "stride": 3}),
    ]
    cases = [Case(label, args) for label, args in fixed]
    cases.insert(7, Case("AlexNet CONV1: 227, 11×11, stride 4, all four arguments by position",
                         {"n": 227, "kernel": 11, "stride": 4, "padding": 0}, positional=True))
    cases.insert(8, Case("AlexNet MAX POOL1: 55, 3×3, stride 2", {"n": 55, "kernel": 3, "stride": 2}))
    cases.append(Case("32, 3×3, stride 2, padding 1 (31 / 2 is not whole), by position",
                      {"n": 32, "kernel": 3, "stride": 2, "padding": 1}, positional=True))
    for i in range(4):
        k, p, s = int(rng.integers(1, 8)), int(rng.integers(0, 4)), int(rng.integers(2, 5))
        n = int(rng.integers(max(k - 2 * p, 1), 65))
        if (n + 2 * p - k) % s == 0:
            n += 1
        cases.append(Case(f"random sizes #{i + 1}: n={n}, kernel={k}, stride={s}, padding={p}",
                          {"n": n, "kernel": k, "stride": s, "padding": p}))
    return cases


_ROUNDED_UP = ("you rounded up (math.ceil or round): a window that runs past the edge is dropped, so round "
               "down with `//`.")

register(Exercise(
    name="conv_output_size",
    signature="conv_output_size(n, kernel, stride=1, padding=0)",
    cases=_size_cases,
    reference=_size_ref,
    outputs=(Output("size", kind="int", scalar=True),),
    mistakes=(
        Mistake("no_stride", "the stride is ignored: divide (n + 2p - k) by the stride before adding 1.",
                lambda ref, n, kernel, padding: _size_ref(ref, n, kernel, 1, padding)),
        Mistake("true_division", "you divided with `/`, which gives a fraction: use floor division `//` (a window "
                "that does not fit is dropped).",
                lambda n, kernel, stride, padding: (n + 2 * padding - kernel) / stride + 1),
        Mistake("rounded_up", _ROUNDED_UP,
                lambda ref, n, kernel, stride, padding: _size_ref(ref, n + stride - 1, kernel, stride, padding)),
        Mistake("rounded_up", _ROUNDED_UP,
                lambda n, kernel, stride, padding: int(np.round((n + 2 * padding - kernel) / stride)) + 1),
        Mistake("padding_once", "the padding goes on both sides: add 2·padding to n, not padding once.",
                lambda ref, n, kernel, stride, padding: _size_ref(ref, n + padding, kernel, stride, 0)),
        Mistake("no_padding", "the padding is ignored: the padded length is n + 2·padding.",
                lambda ref, n, kernel, stride: _size_ref(ref, n, kernel, stride, 0)),
        Mistake("no_plus_one", "you forgot the + 1: the first window sits at position 0, then one more every "
                "`stride` steps.", lambda ref, n, kernel, stride, padding: _size_ref(ref, n, kernel, stride, padding) - 1),
    ),
    hint="the output length is floor((n + 2·padding - kernel) / stride) + 1.",
    points=1,
))


# =========================================================================== conv2d_forward
def _conv_cases(rng, backward=False):
    """Small cases: a loop-per-pixel solution stays well inside the time limit."""
    def c(label, xs, ws, stride=None, padding=None, pixels=False):
        args = {"x": rng.uniform(0, 255, size=xs) if pixels else rng.normal(size=xs),
                "w": np.abs(rng.normal(size=ws)) if pixels else rng.normal(size=ws),
                "b": rng.normal(size=ws[0])}
        if stride is not None:
            args["stride"] = stride
        if padding is not None:
            args["padding"] = padding
        return Case(label, args)

    if backward:
        cases = [Case("the lecture's 6×6 image and its two filters, stride 1",
                      {"x": IMAGE_6x6[None, None].copy(), "w": FILTERS.copy(), "b": np.array([0.5, -0.5])})]
    else:
        cases = [
            Case("the lecture's 6×6 image and its two 3×3 filters, stride 1 (no bias)",
                 {"x": IMAGE_6x6[None, None].copy(), "w": FILTERS.copy(), "b": np.zeros(2)}),
            Case("the lecture's 6×6 image and its two 3×3 filters, stride 2 (no bias)",
                 {"x": IMAGE_6x6[None, None].copy(), "w": FILTERS.copy(), "b": np.zeros(2), "stride": 2}),
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
    if backward:
        for case in cases:
            x, w, a = case.args["x"], case.args["w"], case.args
            s, p = a.get("stride", 1), a.get("padding", 0)
            case.data["dout"] = rng.normal(size=(x.shape[0], w.shape[0], out_len(x.shape[2], w.shape[2], s, p),
                                                 out_len(x.shape[3], w.shape[3], s, p)))
    return cases


def _conv(ref, x, w, b, stride, padding):
    return ref.F.conv2d(x, w, b, stride=stride, padding=padding)


def _padded_conv(pad):
    """A mistake that pads x its own way (F.pad's order: left, right, top, bottom, then earlier axes)."""
    return lambda ref, x, w, b, stride, padding: {
        "out": ref.F.conv2d(ref.F.pad(x, pad(padding)), w, b, stride=stride)}


_ONE_SIDE = ("padding on one side only: pad `padding` zeros at the top and the bottom, on the left and the "
             "right, np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))).")
_PADDED = lambda padding: padding > 0  # noqa: E731

CONV_FORWARD_MISTAKES = (
    Mistake("flipped_kernel", "your kernel is flipped: that is the convolution of mathematics. A CNN layer (and "
            "torch.nn.functional.conv2d) computes cross-correlation: multiply each window by w as it is, "
            "without flipping it.",
            lambda ref, x, w, b, stride, padding: {"out": _conv(ref, x, w.flip(-1, -2), b, stride, padding)}),
    Mistake("transposed_kernel", "your kernel is transposed (w[f, c, j, i] instead of w[f, c, i, j]): rows of the "
            "window go with rows of the kernel.",
            lambda ref, x, w, b, stride, padding: {"out": _conv(ref, x, w.transpose(-1, -2), b, stride, padding)}),
    Mistake("no_bias", "the bias is missing: add b[f] to every output pixel of filter f.",
            lambda ref, x, w, stride, padding: {"out": _conv(ref, x, w, None, stride, padding)}),
    Mistake("bias_in_sum", "the bias is added inside the sum, once per multiplied pixel: add b[f] once per output "
            "pixel, after summing over channels and the window.",
            lambda ref, x, w, b, stride, padding: {"out": _conv(ref, x, w, b * w[0].numel(), stride, padding)}),
    Mistake("bias_per_channel", "the bias is added once per input channel: sum over the channels first, then add "
            "b[f] once.",
            lambda ref, x, w, b, stride, padding: {"out": _conv(ref, x, w, b * w.shape[1], stride, padding)}),
    Mistake("bias_along_width", "the bias is added per pixel along the width (out + b broadcasts b over the last "
            "axis): it belongs to the filter axis, out + b[None, :, None, None].",
            lambda ref, x, w, b, stride, padding: {"out": _conv(ref, x, w, None, stride, padding) + b},
            when=lambda x, w, stride, padding: out_len(x.shape[3], w.shape[3], stride, padding) == w.shape[0]),
    Mistake("no_stride", "the stride is ignored: this is the stride-1 output. Windows start every `stride` pixels "
            "and the output size is (n + 2p - k) // stride + 1.",
            lambda ref, x, w, b, padding: {"out": _conv(ref, x, w, b, 1, padding)}),
    Mistake("window_step_one", "the output has the right size but the window moves one pixel at a time: output "
            "(i, j) reads the window starting at (i·stride, j·stride).",
            lambda ref, x, w, b, stride, padding: {"out": _conv(ref, x, w, b, 1, padding)[
                ..., :out_len(x.shape[2], w.shape[2], stride, padding),
                :out_len(x.shape[3], w.shape[3], stride, padding)]}),
    Mistake("no_padding", "the padding is ignored: pad the height and width of x with `padding` zeros on every "
            "side first.", lambda ref, x, w, b, stride: {"out": _conv(ref, x, w, b, stride, 0)}, when=_PADDED),
    Mistake("one_side_padding", _ONE_SIDE, _padded_conv(lambda p: (0, 2 * p, 0, 2 * p)), when=_PADDED),
    Mistake("one_side_padding", _ONE_SIDE, _padded_conv(lambda p: (0, p, 0, p)), when=_PADDED),
    Mistake("height_only_padding", "only the height is padded: pad the width too, "
            "np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))).", _padded_conv(lambda p: (0, 0, p, p)), when=_PADDED),
    Mistake("width_only_padding", "only the width is padded: pad the height too, "
            "np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))).", _padded_conv(lambda p: (p, p, 0, 0)), when=_PADDED),
    Mistake("batch_padded", "the batch axis is padded too (you get 2·padding extra samples): pad only the last two "
            "axes, np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))).",
            _padded_conv(lambda p: (p, p, p, p, 0, 0, p, p)), when=_PADDED),
)

_PAD_HINT = ("The cases without padding passed, so look at the padding: pad only the height and width, "
             "np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))) — np.pad(x, p) pads all four axes, the batch "
             "and the channels too.")
_BIAS_HINT = ("b has shape (F,): `out + b` lines it up with the last axis of out (N, F, Ho, Wo), the width, "
              "as if the bias were added along the width. It belongs to the filter axis: out + b[None, :, None, None].")


@dataclass
class ConvFunction(Function):
    """A single function whose errors get a sentence on the two usual causes: np.pad(x, p) and out + b."""

    def run(self, ex, objects, case, call, ref) -> dict:
        try:
            return super().run(ex, objects, case, call, ref)
        except StudentError as e:
            n_filters = case.named["w"].shape[0]
            if "broadcast" in str(e) and f"({n_filters},)" in str(e):
                raise StudentError(f"{e} {_BIAS_HINT}") from None
            if case.named["padding"]:
                raise StudentError(f"{e} {_PAD_HINT}") from None
            raise


_FORWARD_HINT = ("pad the height and width of x with zeros, then for every sample n, filter f and output pixel "
                 "(i, j): out[n, f, i, j] = sum(x_pad[n, :, i·s:i·s+KH, j·s:j·s+KW] * w[f]) + b[f].")

for _name, _points in (("conv2d_forward", 3), ("conv2d_forward_fast", 2)):
    register(Exercise(
        name=_name,
        signature=f"{_name}(x, w, b, stride=1, padding=0)",
        cases=_conv_cases,
        reference=lambda ref, x, w, b, stride, padding: {"out": _conv(ref, x, w, b, stride, padding)},
        outputs=(Output("out"), Output("cache", kind="skip")),
        kind=ConvFunction(),
        mistakes=CONV_FORWARD_MISTAKES,
        time_limit=30.0,
        hint=_FORWARD_HINT,
        points=_points,
    ))


# =========================================================================== conv2d_backward
def _grads(ref, x, w, b, stride, padding, dout):
    """The gradients of conv2d by autograd (for the mistakes, on variants of the inputs)."""
    x, w, b = (t.detach().clone().requires_grad_(True) for t in (x, w, b))
    dx, dw, db = ref.torch.autograd.grad(_conv(ref, x, w, b, stride, padding), (x, w, b), dout)
    return {"dx": dx, "dw": dw, "db": db}


def _dx_padded(ref, x, w, b, stride, padding, dout):
    xp = ref.F.pad(x, (padding,) * 4).requires_grad_(True)
    (dxp,) = ref.torch.autograd.grad(ref.F.conv2d(xp, w, b, stride=stride), (xp,), dout)
    return {"dx": dxp}


_BATCH = lambda x: x.shape[0] > 1  # noqa: E731

register(Exercise(
    name="conv2d_backward",
    signature="conv2d_forward(x, w, b, stride=1, padding=0)",
    kind=Layer(backward="conv2d_backward(dout, cache)", grads={"dx": "x", "dw": "w", "db": "b"}),
    cases=lambda rng: _conv_cases(rng, backward=True),
    reference=lambda ref, x, w, b, stride, padding: _conv(ref, x, w, b, stride, padding),
    outputs=(Output("dx"), Output("dw"), Output("db")),
    mistakes=(
        Mistake("dw_last_sample", "dw holds only the last sample's gradient: the same filter is used on every "
                "sample, so accumulate dw over the batch (dw += ..., not dw = ...).",
                lambda ref, x, w, b, stride, padding, dout: {
                    "dw": _grads(ref, x[-1:], w, b, stride, padding, dout[-1:])["dw"]}, when=_BATCH),
        Mistake("dw_averaged", "dw is averaged over the batch: sum the contributions of all samples, do not divide "
                "by N (the 1/N, if any, is already in dout).",
                lambda ref, x, w, b, stride, padding, dout: {
                    "dw": _grads(ref, x, w, b, stride, padding, dout)["dw"] / x.shape[0]}, when=_BATCH),
        Mistake("db_last_sample", "db holds only the last sample's gradient: db[f] sums dout[:, f] over the batch "
                "and every pixel, dout.sum(axis=(0, 2, 3)).",
                lambda ref, x, w, b, stride, padding, dout: {
                    "db": _grads(ref, x[-1:], w, b, stride, padding, dout[-1:])["db"]}, when=_BATCH),
        Mistake("db_averaged", "db is averaged over the batch: db[f] is the sum of dout[:, f] over the batch and "
                "every pixel, dout.sum(axis=(0, 2, 3)).",
                lambda x, dout: {"db": dout.sum(dim=(0, 2, 3)) / x.shape[0]}, when=_BATCH),
        Mistake("dx_not_cropped", "dx still has the padding: compute the gradient of the padded input, then cut "
                "`padding` rows and columns off each side.", _dx_padded),
        Mistake("dx_flipped_kernel", "dx uses a flipped kernel: each window's gradient is dout[n, f, i, j] * w[f], "
                "added back at the window's place (no flip needed when you scatter window by window).",
                lambda ref, x, w, b, stride, padding, dout: {
                    "dx": _grads(ref, x, w.flip(-1, -2), b, stride, padding, dout)["dx"]}),
        Mistake("dw_flipped", "dw is flipped: dw[f] += dout[n, f, i, j] * (the window of x_pad at (i, j)), as it is.",
                lambda ref, x, w, b, stride, padding, dout: {
                    "dw": _grads(ref, x, w, b, stride, padding, dout)["dw"].flip(-1, -2)}),
        Mistake("ignores_dout", "the gradients ignore dout: every term is multiplied by the upstream gradient "
                "dout[n, f, i, j].",
                lambda ref, x, w, b, stride, padding, dout: _grads(ref, x, w, b, stride, padding,
                                                                   ref.torch.ones_like(dout))),
    ),
    time_limit=30.0,
    hint=("loop over the same windows as the forward pass: dw[f] += dout[n, f, i, j] · window, "
          "dx_pad[n, :, window] += dout[n, f, i, j] · w[f], db[f] = sum of dout[:, f]; then crop the padding "
          "off dx_pad."),
    points=3,
))
