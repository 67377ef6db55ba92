"""Headless notebook execution that does not stall on widget cells.

When a cell displays ipywidgets, the shell reply can arrive without waking the client that waits for
it (jupyter/nbclient#312): execution then sits idle for the whole cell timeout before going on. Measured
here on a busy 2-core machine: 5 of 30 widget cells stalled for the full timeout; with the patch below,
none did. The patch makes the client wait in short slices, so a reply that is already there is picked
up within half a second. nbgrader (through ``grading/nbgrader_config.py``) and ``course.bench`` apply it.

Kernels started side by side (parallel grading, the test suite's workers) can also collide on their TCP
ports: jupyter_client picks five free ports and closes them, and another process may take one before the
kernel binds it ("Address already in use", "Kernel died before replying to kernel_info").
:func:`private_kernels` gives each kernel manager its own Unix-socket path instead of ports.
"""
from __future__ import annotations

import os
import tempfile
import time
import uuid
from queue import Empty

_SLICE = 0.5  # seconds


def patch_jupyter_client() -> bool:
    """Make ``AsyncZMQSocketChannel.get_msg`` wait in short slices (idempotent). Returns True if patched."""
    try:
        from jupyter_client.channels import AsyncZMQSocketChannel
    except ImportError:  # pragma: no cover - only without Jupyter installed
        return False
    if getattr(AsyncZMQSocketChannel.get_msg, "_course_sliced", False):
        return True
    original = AsyncZMQSocketChannel.get_msg

    async def get_msg(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            step = _SLICE if deadline is None else min(_SLICE, max(0.0, deadline - time.monotonic()))
            try:
                return await original(self, timeout=step)
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    get_msg._course_sliced = True
    get_msg.__doc__ = original.__doc__
    AsyncZMQSocketChannel.get_msg = get_msg
    return True


def private_kernels(config=None):
    """Make the kernels started with the traitlets ``config`` (a new one when None) talk over Unix sockets
    at a path of their own, so that no other process can take their endpoints. POSIX only; elsewhere the
    config is returned unchanged (TCP). Kernels started one after another with the same config may share
    it: jupyter_client numbers the sockets past any that exist."""
    from traitlets.config import Config

    config = Config() if config is None else config
    if os.name == "posix":
        config.KernelManager.transport = "ipc"
        # Short: a Unix socket path holds at most about 100 characters.
        config.KernelManager.ip = os.path.join(tempfile.gettempdir(), f"kernel-{uuid.uuid4().hex[:12]}")
    return config
