"""Small plotting helpers shared by the lessons."""
from __future__ import annotations


def show(fig=None):
    """Display a figure (default: the current one) and free it.

    Use it inside an ipywidgets ``Output`` that a widget redraws: ``plt.show()`` there can leave the
    output area blank in JupyterLab, while displaying the figure object always renders.
    """
    import matplotlib.pyplot as plt
    from IPython.display import display

    fig = fig if fig is not None else plt.gcf()
    display(fig)
    plt.close(fig)
