"""Lesson 06: convolutional networks.

LESSON = "06_cnn"; two notebooks in solutions/06_cnn/: ``06_cnn.ipynb`` (convolution by hand → LeNet-5, the
graded exercises) and ``06_cnn_families.ipynb`` (the CNN family, AlphaGo, transfer learning, augmentation).

- :mod:`.lecture`: the lecture's data (the 6×6 image, its filters, the 4×4 maps, the 7×7 padding example,
  LeNet-5's layers, AlexNet's layer table, the flower model's and AlphaGo's parameter counts).
- :mod:`.conv`: ``conv_output_size``, ``conv2d_forward``, ``conv2d_forward_fast``, ``conv2d_backward``.
- :mod:`.pool`: ``maxpool2d_forward``, ``maxpool2d_backward``.   :mod:`.lenet`: ``lenet5``.
- :mod:`.models`: the lectures' models in PyTorch (counted on the meta device) and the family's blocks.
- :mod:`.plots`: feature maps, filters, digits, a Go board; the widget :func:`conv_explorer`.
- :mod:`.experiments`: MNIST tensors, the training loop, accuracy, timing, a Go position's encoding.
"""
LESSON = "06_cnn"

from . import conv, lenet, pool  # noqa: E402  (register the exercises)
from .experiments import (accuracy, best_time, board_planes, new_head, predict, random_board,  # noqa: E402
                          to_tensor, train)
from .lecture import (ALEXNET_LAYERS, ALPHAGO_K, FILTER_1, FILTER_2, FILTERS, FLOWER_PARAMS, IMAGE_6x6,  # noqa: E402
                      IMAGE_7x7, LENET_CONVS, LENET_LINEARS, LENET_PARAMS, MAPS_4x4, alphago_params, out_len)
from .models import (CNN_FAMILY, alphago_policy, bottleneck_block, count_parameters, dense_block,  # noqa: E402
                     flower_cnn, inception_module, keras_mnist_cnn, layer_summary, residual_block,
                     torchvision_family, torchvision_model)
from .plots import (augmentation_explorer, conv_explorer, draw_explorer, plot_board, plot_digits, plot_filters, plot_maps,  # noqa: E402
                    plot_misclassified)

__all__ = [
    "LESSON", "conv", "pool", "lenet",
    "IMAGE_6x6", "FILTER_1", "FILTER_2", "FILTERS", "MAPS_4x4", "IMAGE_7x7", "LENET_CONVS", "LENET_LINEARS",
    "LENET_PARAMS", "FLOWER_PARAMS", "ALPHAGO_K", "ALEXNET_LAYERS", "alphago_params", "out_len",
    "count_parameters", "keras_mnist_cnn", "flower_cnn", "alphago_policy", "layer_summary", "CNN_FAMILY",
    "torchvision_family", "torchvision_model", "inception_module", "residual_block", "bottleneck_block",
    "dense_block",
    "plot_maps", "plot_filters", "plot_digits", "plot_misclassified", "plot_board", "draw_explorer", "conv_explorer", "augmentation_explorer",
    "to_tensor", "predict", "accuracy", "train", "best_time", "new_head", "random_board", "board_planes",
]
