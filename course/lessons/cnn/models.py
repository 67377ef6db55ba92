"""Lesson 06 models from the lectures, built in PyTorch and counted without data (the meta device), the
family's building blocks (Inception module, residual and bottleneck blocks, a dense block), and helpers
for inspecting them (parameter counts, a Keras-style summary)."""
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


def layer_summary(model, input_shape, device=None):
    """A Keras-style table (layer, output shape, parameters) from one forward pass on zeros.

    ``device="meta"`` runs the pass on PyTorch's meta device: shapes only, no memory, no arithmetic.
    """
    import torch

    rows = []
    hooks = [m.register_forward_hook(lambda m, i, o, name=name: rows.append(
        (f"{name} ({type(m).__name__})", tuple(o.shape[1:]), count_parameters(m))))
        for name, m in model.named_children()]
    try:
        with torch.no_grad():
            model.eval()(torch.zeros(1, *input_shape, device=device))
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

    rows = []
    for key, label, year, depth in CNN_FAMILY:
        if names is not None and key not in names:
            continue
        model = torchvision_model(key)
        convs = sum(isinstance(m, torch.nn.Conv2d) for m in model.modules())
        linears = sum(isinstance(m, torch.nn.Linear) for m in model.modules())
        rows.append((label, year, depth, convs, linears, count_parameters(model)))
    return rows


def inception_module(in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj):
    """GoogLeNet's Inception module: 1×1, 1×1→3×3, 1×1→5×5 and 3×3 max pool→1×1 side by side, concatenated.

    The 1×1 "reduce" convolutions shrink the channels before the expensive 3×3 and 5×5 filters.
    """
    import torch
    import torch.nn as nn

    def conv(i, o, k):
        return [nn.Conv2d(i, o, k, padding=k // 2), nn.ReLU()]

    class Inception(nn.Module):
        def __init__(self):
            super().__init__()
            self.branches = nn.ModuleList([
                nn.Sequential(*conv(in_channels, c1, 1)),
                nn.Sequential(*conv(in_channels, c3_reduce, 1), *conv(c3_reduce, c3, 3)),
                nn.Sequential(*conv(in_channels, c5_reduce, 1), *conv(c5_reduce, c5, 5)),
                nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), *conv(in_channels, pool_proj, 1)),
            ])

        def forward(self, x):
            return torch.cat([b(x) for b in self.branches], dim=1)

    return Inception()


def residual_block(channels):
    """ResNet's basic block: two 3×3 convolutions with batch norm, plus the shortcut, relu(F(x) + x)."""
    import torch.nn as nn
    import torch.nn.functional as F

    class ResidualBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.f = nn.Sequential(
                nn.Conv2d(channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels), nn.ReLU(),
                nn.Conv2d(channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels))

        def forward(self, x):
            return F.relu(self.f(x) + x)

    return ResidualBlock()


def bottleneck_block(channels, width):
    """ResNet-50's bottleneck: 1×1 down to ``width`` channels, 3×3 at that width, 1×1 back up, plus the shortcut."""
    import torch.nn as nn
    import torch.nn.functional as F

    class Bottleneck(nn.Module):
        def __init__(self):
            super().__init__()
            self.f = nn.Sequential(
                nn.Conv2d(channels, width, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
                nn.Conv2d(width, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
                nn.Conv2d(width, channels, 1, bias=False), nn.BatchNorm2d(channels))

        def forward(self, x):
            return F.relu(self.f(x) + x)

    return Bottleneck()


def dense_block(in_channels, growth, layers):
    """DenseNet's block: each layer sees the concatenation of the block's input and every earlier layer's output."""
    import torch
    import torch.nn as nn

    class DenseBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([
                nn.Sequential(nn.BatchNorm2d(in_channels + i * growth), nn.ReLU(),
                              nn.Conv2d(in_channels + i * growth, growth, 3, padding=1, bias=False))
                for i in range(layers)])

        def forward(self, x):
            features = [x]
            for layer in self.layers:
                features.append(layer(torch.cat(features, dim=1)))
            return torch.cat(features, dim=1)

    return DenseBlock()


def torchvision_model(key, device="meta"):
    """One of torchvision's models, without weights, on the meta device (shapes only, nothing allocated)."""
    import torch
    from torchvision import models

    kwargs = {"aux_logits": False, "init_weights": False} if key == "googlenet" else {}
    with torch.device(device):
        return getattr(models, key)(weights=None, **kwargs)
