"""Headless execution does not idle on widget cells (jupyter/nbclient#312)."""
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from course.execution import patch_jupyter_client, private_kernels

WIDGET_CELL = ("from course.lessons import perceptron as L01\n"
               "L01.gate_explorer(gate='AND', w1=1.0, w2=1.0, b=-1.5)")


def test_patch_is_idempotent():
    from jupyter_client.channels import AsyncZMQSocketChannel

    assert patch_jupyter_client() and patch_jupyter_client()
    assert AsyncZMQSocketChannel.get_msg._course_sliced


def test_widget_cells_finish_well_inside_the_cell_timeout():
    patch_jupyter_client()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(WIDGET_CELL) for _ in range(12)]
    timeout = 30
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", config=private_kernels())
    slowest = 0.0
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            start = time.perf_counter()
            client.execute_cell(cell, i)
            slowest = max(slowest, time.perf_counter() - start)
    # A stalled cell waits for the whole timeout; a working one takes a fraction of a second.
    assert slowest < timeout / 2, f"a widget cell took {slowest:.1f} s"
    assert all(any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in c.outputs)
               for c in nb.cells)


def test_kernels_started_side_by_side_use_private_sockets(tmp_path):
    """Parallel grading starts kernels at the same moment; TCP ports picked by each process could collide."""
    import os
    import threading

    configs = [private_kernels() for _ in range(3)]
    if os.name == "posix":
        assert {c.KernelManager.transport for c in configs} == {"ipc"}
        assert len({c.KernelManager.ip for c in configs}) == 3
        assert all(os.path.isabs(c.KernelManager.ip) and len(c.KernelManager.ip) < 90 for c in configs)
    books = [nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"print({k} * 7)")]) for k in range(3)]
    errors = []

    def run(nb, config):
        try:
            client = NotebookClient(nb, timeout=60, kernel_name="python3", config=config)
            with client.setup_kernel():
                if os.name == "posix":
                    assert client.km.transport == "ipc" and client.km.ip == config.KernelManager.ip
                    assert Path(f"{client.km.ip}-{client.km.shell_port}").is_socket()
                client.execute_cell(nb.cells[0], 0)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=pair) for pair in zip(books, configs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert [nb.cells[0].outputs[0]["text"] for nb in books] == ["0\n", "7\n", "14\n"]
    if os.name == "posix":  # the sockets are removed when the kernels shut down
        assert not [p for c in configs for p in Path(c.KernelManager.ip).parent.glob(Path(c.KernelManager.ip).name + "-*")]
