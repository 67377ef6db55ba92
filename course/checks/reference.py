"""The referee's side: PyTorch in float64 on ``course.device()``, TF32 off."""
from __future__ import annotations

import contextlib

import numpy as np


class Ref:
    """Handed to every reference and mistake: torch, its functional API and converters.

    ``ref.t(x)`` makes a float64 tensor on the reference device; ``ref.t(x, grad=True)`` one that
    records gradients; ``ref.long(y)`` an int64 tensor; ``ref.np(t)`` brings a result back.
    """

    def __init__(self):
        import torch
        import torch.nn.functional as F

        from course._device import reference_device

        self.torch = torch
        self.F = F
        self.device = reference_device()
        self.dtype = torch.float64

    def t(self, x, grad: bool = False):
        t = self.torch.as_tensor(np.asarray(x, dtype=np.float64), dtype=self.dtype, device=self.device).clone()
        return t.requires_grad_(grad)

    def long(self, x):
        return self.torch.as_tensor(np.asarray(x), dtype=self.torch.int64, device=self.device)

    def np(self, value):
        """Tensors (and dicts/tuples of them) back to NumPy float64; numbers to 0-d arrays."""
        torch = self.torch
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu()
            return value.numpy().astype(np.float64) if value.is_floating_point() else value.numpy()
        if isinstance(value, dict):
            return {k: self.np(v) for k, v in value.items()}
        if isinstance(value, (tuple, list)):
            return type(value)(self.np(v) for v in value)
        return value


@contextlib.contextmanager
def strict_precision():
    """TF32 off (so a GPU never loosens a comparison) and one CPU thread, restored afterwards.

    References work on tiny tensors: a thread pool only adds waiting, and on a busy machine a
    (6, 4) operation can take 0.1 s instead of microseconds.
    """
    import torch

    cuda_mm = torch.backends.cuda.matmul.allow_tf32
    cudnn = torch.backends.cudnn.allow_tf32
    threads = torch.get_num_threads()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    if threads != 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32 = cuda_mm
        torch.backends.cudnn.allow_tf32 = cudnn
        if threads != 1:
            torch.set_num_threads(threads)


@contextlib.contextmanager
def one_thread(active: bool = True):
    """Run small CPU work on one torch thread, then restore the setting.

    Tiny tensors gain nothing from a thread pool, and on a busy 2-core machine the pool's threads
    wait for each other: a (6, 4) batch norm can take 0.1 s instead of 10 µs.
    """
    import torch

    before = torch.get_num_threads()
    change = active and before != 1
    if change:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if change:
            torch.set_num_threads(before)


_REF = None


def get_ref() -> Ref:
    global _REF
    if _REF is None:
        _REF = Ref()
    return _REF
