"""Headless execution does not idle on widget cells (jupyter/nbclient#312)."""
import time

import nbformat
from nbclient import NotebookClient

from course.execution import patch_jupyter_client

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
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3")
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
