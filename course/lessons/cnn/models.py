"""Lesson 06 models from the lectures, built in PyTorch and counted without data, and small helpers
for inspecting them (parameter counts, a Keras-style summary, saved size, INT8 quantization)."""
from __future__ import annotations


def count_parameters(model) -> int:
    """The number of trainable numbers in a model (works on the meta device too)."""
    return int(sum(p.numel() for p in model.parameters() if p.requires_grad))


def keras_mnist_cnn():
    """The lecture's Keras CNN: 25 3×3 filters, pool, 50 3×3 filters, pool, flatten (1,250), dense 100, dense 10."""
    import torch.nn as nn

    return nn.Sequential(
        nn.Conv2d(1, 25, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(25, 50, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1250, 100), nn.ReLU(), nn.Linear(100, 10))


def flower_cnn():
    """The lecture's flower classifier (180×180×3 in, 5 classes): 3,989,285 parameters, as in its Keras summary."""
    import torch.nn as nn

    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.2), nn.Linear(22 * 22 * 64, 128), nn.ReLU(), nn.Linear(128, 5))


def alphago_policy(k: int = 192):
    """AlphaGo's policy network from the Nature paper's description, for k filters per layer.

    19×19×48 input; 5×5 conv (pad 2) with k filters and ReLU; eleven 3×3 convs (pad 1) with k filters
    and ReLU; a 1×1 conv with one filter and no shared bias, then a separate bias for each of the 361
    points; softmax over the 361 moves (left to the loss, as usual).
    """
    import torch
    import torch.nn as nn

    class PositionBias(nn.Module):
        def __init__(self, size=19):
            super().__init__()
            self.bias = nn.Parameter(torch.zeros(size * size))

        def forward(self, z):
            return z.flatten(1) + self.bias

    layers = [nn.Conv2d(48, k, 5, padding=2), nn.ReLU()]
    for _ in range(11):
        layers += [nn.Conv2d(k, k, 3, padding=1), nn.ReLU()]
    layers += [nn.Conv2d(k, 1, 1, bias=False), PositionBias()]
    return nn.Sequential(*layers)


def layer_summary(model, input_shape):
    """A Keras-style table (layer, output shape, parameters) from one forward pass on zeros."""
    import torch

    rows = []
    hooks = [m.register_forward_hook(lambda m, i, o, name=name: rows.append(
        (f"{name} ({type(m).__name__})", tuple(o.shape[1:]), count_parameters(m))))
        for name, m in model.named_children()]
    try:
        with torch.no_grad():
            model.eval()(torch.zeros(1, *input_shape))
    finally:
        for h in hooks:
            h.remove()
    width = max(len(r[0]) for r in rows) + 2
    lines = [f"{'Layer (type)':<{width}}{'Output shape':<18}{'Param #':>10}", "-" * (width + 28)]
    lines += [f"{n:<{width}}{str(s):<18}{p:>10,}" for n, s, p in rows]
    lines += ["-" * (width + 28), f"Total params: {count_parameters(model):,}"]
    return "\n".join(lines)


#: The lecture's family of CNNs, as torchvision builds them (year, nominal depth in weight layers).
CNN_FAMILY = [
    ("alexnet", "AlexNet", 2012, 8),
    ("vgg16", "VGG-16", 2014, 16),
    ("vgg19", "VGG-19", 2014, 19),
    ("googlenet", "GoogLeNet", 2014, 22),
    ("resnet18", "ResNet-18", 2015, 18),
    ("resnet50", "ResNet-50", 2015, 50),
    ("resnet152", "ResNet-152", 2015, 152),
    ("densenet121", "DenseNet-121", 2017, 121),
]


def torchvision_family(names=None):
    """Rows (name, year, depth, conv layers, linear layers, parameters) for torchvision's models.

    The models are built with ``weights=None`` on PyTorch's "meta" device: every layer and shape exists
    but no memory is allocated and nothing is initialised or downloaded, so even VGG's 138 million
    parameters cost milliseconds.
    """
    import torch
    from torchvision import models

    rows = []
    for key, label, year, depth in CNN_FAMILY:
        if names is not None and key not in names:
            continue
        kwargs = {"aux_logits": False, "init_weights": False} if key == "googlenet" else {}
        with torch.device("meta"):
            model = getattr(models, key)(weights=None, **kwargs)
        convs = sum(isinstance(m, torch.nn.Conv2d) for m in model.modules())
        linears = sum(isinstance(m, torch.nn.Linear) for m in model.modules())
        rows.append((label, year, depth, convs, linears, count_parameters(model)))
    return rows


def model_size_bytes(model) -> int:
    """The size of a model's saved state_dict (what a file on disk would take)."""
    import io

    import torch

    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    return buf.getbuffer().nbytes


def quantize_int8(model):
    """INT8 dynamic quantization of a model's Linear layers (weights stored as int8, CPU inference).

    ``torch.ao.quantization`` announces its move to the ``torchao`` package with deprecation warnings;
    they are silenced here so the notebook stays readable.
    """
    import copy
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.ao.quantization import quantize_dynamic

        return quantize_dynamic(copy.deepcopy(model).cpu().eval(), {torch.nn.Linear}, dtype=torch.qint8)


def run_quiet(fn, *args, **kwargs):
    """Call ``fn`` with warnings silenced (used for the quantized model, whose kernels warn when they run)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)
