"""Lesson 06 exercise spec for ``lenet5``: the student's ``build_lenet5()`` is built and run on a random
batch; its layers, feature-map shapes and parameter count are compared with PyTorch's LeNet-5."""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Output, StudentError, register
from course.checks import compare as cmp
from course.checks.kinds import Training

from .lecture import LENET_PARAMS


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
            out = call(model, x, what="your model's forward pass") if call else model(x)
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


def _lenet_ref(case):
    import torch

    torch.manual_seed(0)
    info, _, _ = _inspect_lenet(_reference_lenet(), _lenet_batch(case))
    return info


def _lenet_outcome(result, call, case):
    """The layers, shapes and parameter count of the student's model: the outputs compared."""
    import torch

    model = result
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
    signature="build_lenet5()",
    cases=_lenet_cases,
    reference=lambda case: _lenet_ref(case),
    outputs=(Output("logits shape", kind="int"), Output("parameters", kind="int", scalar=True),
             Output("convolutions", kind="int"), Output("linear layers", kind="int"),
             Output("feature maps", kind="int")),
    kind=Training(outcome=_lenet_outcome),
    points=2,
    hidden_seeds=(),  # the same model whatever the seed: one check is enough
    numpy_only=False,
    time_limit=20.0,
    hint=("LeNet-5 is conv(1→6, 5×5, padding 2) → pool 2×2 → conv(6→16, 5×5) → pool 2×2 → flatten (400) → "
          "linear 120 → linear 84 → linear 10, with an activation between the layers."),
))
