"""Lesson 02: XOR and the multi-layer perceptron, backpropagation.

Exercises (:mod:`.checks`): ``xor_network``, ``dense_forward``, ``dense_backward``, ``mse_loss``,
``numerical_gradient``, ``two_layer_forward``, ``two_layer_backward``, ``train_xor``.
Network data (:mod:`.network`): the lecture's worked example (``LECTURE_X``, ``LECTURE_W1``, ``LECTURE_W2``,
``LECTURE_LR``), the XOR targets ``Y_XOR``, and :func:`record_training` (a training run with snapshots).
Pictures (:mod:`.plots`): :func:`plot_xor_views` (reducing four points to three; lifting to 3-D with x1·x2),
:func:`draw_network`, :func:`plot_decision_boundary`, :func:`plot_sigmoid_derivative`, and the widget
:func:`training_explorer` (a slider over the epochs of a training run).
"""
from . import checks
from .checks import LESSON, XOR_HAND_PARAMS
from .network import (LECTURE_LR, LECTURE_TARGET, LECTURE_W1, LECTURE_W2, LECTURE_X, PARAM_KEYS, Y_XOR,
                      record_training)
from .plots import (draw_network, plot_decision_boundary, plot_sigmoid_derivative, plot_xor_views,
                    training_explorer)

__all__ = [
    "checks", "LESSON", "XOR_HAND_PARAMS",
    "LECTURE_LR", "LECTURE_TARGET", "LECTURE_W1", "LECTURE_W2", "LECTURE_X", "PARAM_KEYS", "Y_XOR",
    "record_training",
    "draw_network", "plot_decision_boundary", "plot_sigmoid_derivative", "plot_xor_views", "training_explorer",
]
