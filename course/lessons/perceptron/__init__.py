"""Lesson 01: the perceptron and logic gates.

Exercises (in :mod:`.checks`): ``step``, ``perceptron_predict``, ``gate_weights``, ``perceptron_train``.
The lecture's data (in :mod:`.lecture`): the gate inputs and truth tables, the lecture's traces.
Pictures (in :mod:`.plots`): :func:`plot_gate`, :func:`gate_explorer`, :func:`plot_errors`.
"""
LESSON = "01_perceptron"

from . import checks  # noqa: E402  (registers the exercises)
from .lecture import GATES, LECTURE_NAND, LECTURE_OR, TRUTH_TABLES, X_GATE, lecture_trace  # noqa: E402
from .plots import boundary_points, gate_explorer, plot_errors, plot_gate, truth_table_html  # noqa: E402

__all__ = ["LESSON", "GATES", "LECTURE_NAND", "LECTURE_OR", "lecture_trace", "TRUTH_TABLES", "X_GATE", "boundary_points", "gate_explorer", "plot_errors",
           "plot_gate", "truth_table_html", "checks"]
