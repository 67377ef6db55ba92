"""Lesson 02: XOR and the multi-layer perceptron, backpropagation.

Exercises: ``xor_network`` (:mod:`.perceptrons`); ``dense_forward``, ``dense_backward``, ``mse_loss``
(:mod:`.dense`); ``numerical_gradient`` (:mod:`.gradcheck`); ``two_layer_forward``,
``two_layer_backward``, ``train_xor`` (:mod:`.two_layer`).
The lecture's data (:mod:`.lecture`): XOR's tables, the forward-pass example ([2, 3] → 0.191), the weights
of the backpropagation example (learning rate 0.05), the parameter-count examples.
Runs and demos (:mod:`.experiments`): :func:`record_training`, :func:`delta_rule`, :func:`staircase`,
:func:`depth_against_width`.
Pictures (:mod:`.plots`): :func:`plot_xor_views`, :func:`plot_geometry`, :func:`draw_network`,
:func:`plot_decision_boundary`, :func:`plot_sigmoid_derivative`, :func:`plot_depth_against_width`, and the
widgets :func:`training_explorer` and :func:`approximation_explorer`.
"""
LESSON = "02_xor_mlp"

from . import perceptrons, dense, gradcheck, two_layer  # noqa: E402,F401,I001  (register the exercises, in lesson order)
from .experiments import (delta_rule, depth_against_width, record_training, sawtooth,  # noqa: E402
                          staircase)
from .lecture import (CHAIN_RULE_EXAMPLES, GEOMETRY, LECTURE_HIDDEN, LECTURE_LR, LECTURE_OUTPUT,  # noqa: E402
                      LECTURE_TARGET, LECTURE_W1, LECTURE_W1_NEW, LECTURE_W2, LECTURE_W2_NEW, LECTURE_X,
                      PARAM_COUNT_EXAMPLES, PARAM_KEYS, XOR_HAND_PARAMS, XOR_PERCEPTRONS, Y_XOR,
                      count_parameters)
from .plots import (approximation_explorer, draw_network, plot_decision_boundary, plot_depth_against_width,  # noqa: E402
                    plot_geometry, plot_sigmoid_derivative, plot_xor_views, training_explorer)

__all__ = [
    "LESSON", "CHAIN_RULE_EXAMPLES", "GEOMETRY", "LECTURE_HIDDEN", "LECTURE_LR", "LECTURE_OUTPUT", "LECTURE_TARGET",
    "LECTURE_W1", "LECTURE_W1_NEW", "LECTURE_W2", "LECTURE_W2_NEW", "LECTURE_X", "PARAM_COUNT_EXAMPLES",
    "PARAM_KEYS", "XOR_HAND_PARAMS", "XOR_PERCEPTRONS", "Y_XOR", "count_parameters",
    "delta_rule", "depth_against_width", "record_training", "sawtooth", "staircase",
    "approximation_explorer", "draw_network", "plot_decision_boundary", "plot_depth_against_width", "plot_geometry",
    "plot_sigmoid_derivative", "plot_xor_views", "training_explorer",
]
