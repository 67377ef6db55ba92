"""The one place that decides where PyTorch runs."""
from __future__ import annotations

import functools


@functools.lru_cache(maxsize=None)
def device():
    """The device for PyTorch work: CUDA when available, then Apple's MPS, else the CPU.

    Returns a ``torch.device``. Set ``CUDA_VISIBLE_DEVICES=""`` to force the CPU.
    """
    import torch

    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def reference_device():
    """Where float64 references run: ``device()``, except MPS (no float64 there) falls back to the CPU."""
    import torch

    d = device()
    return torch.device("cpu") if d.type == "mps" else d
