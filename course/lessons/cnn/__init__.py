"""Lesson 06: convolutional networks.

- :mod:`.checks`: the exercises ``conv_output_size``, ``conv2d_forward``, ``conv2d_backward``,
  ``maxpool2d_forward``, ``maxpool2d_backward``, ``lenet5``, and the lecture's example arrays
  (:data:`IMAGE_6x6`, :data:`FILTER_1`, :data:`FILTER_2`, :data:`FILTERS`, :data:`IMAGE_7x7`).
- :mod:`.models`: models from the lectures (built in PyTorch, counted without data): :func:`keras_mnist_cnn`,
  :func:`flower_cnn`, :func:`alphago_policy`, :func:`torchvision_family`; with :func:`count_parameters`,
  :func:`layer_summary`, :func:`model_size_bytes`, :func:`quantize_int8`, :func:`run_quiet`.
- :mod:`.plots`: pictures :func:`plot_maps`, :func:`plot_filters`, :func:`plot_confusion`,
  :func:`plot_misclassified`, :func:`plot_digits`; widget :func:`conv_explorer` (slide a filter over the
  lecture's 6×6 image).
"""
from . import checks
from .checks import (FILTER_1, FILTER_2, FILTERS, IMAGE_6x6, IMAGE_7x7, LENET_CONVS, LENET_LINEARS, LENET_PARAMS,
                     LESSON, MAPS_4x4)
from .models import (CNN_FAMILY, alphago_policy, count_parameters, flower_cnn, keras_mnist_cnn, layer_summary,
                     model_size_bytes, quantize_int8, run_quiet, torchvision_family)
from .plots import (conv_explorer, draw_explorer, plot_confusion, plot_digits, plot_filters, plot_maps,
                    plot_misclassified)

__all__ = [
    "checks",
    "LESSON", "IMAGE_6x6", "FILTER_1", "FILTER_2", "FILTERS", "MAPS_4x4", "IMAGE_7x7",
    "LENET_CONVS", "LENET_LINEARS", "LENET_PARAMS",
    "count_parameters", "keras_mnist_cnn", "flower_cnn", "alphago_policy", "layer_summary", "CNN_FAMILY",
    "torchvision_family", "model_size_bytes", "quantize_int8", "run_quiet",
    "plot_maps", "plot_filters", "plot_digits", "plot_misclassified", "plot_confusion", "draw_explorer",
    "conv_explorer",
]
