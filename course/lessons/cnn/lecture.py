"""The lecture's fixed data for lesson 06: the 6×6 image and its filters, the two 4×4 maps, the 7×7 padding
example, LeNet-5's layers, the flower model's and AlphaGo's parameter counts, AlexNet's layer shapes."""
import numpy as np

#: The lecture's 6×6 binary image.
IMAGE_6x6 = np.array([
    [1, 0, 0, 0, 0, 1],
    [0, 1, 0, 0, 1, 0],
    [0, 0, 1, 1, 0, 0],
    [1, 0, 0, 0, 1, 0],
    [0, 1, 0, 0, 1, 0],
    [0, 0, 1, 0, 1, 0],
], dtype=float)

#: The lecture's two 3×3 filters: filter 1 finds a diagonal, filter 2 a vertical line.
FILTER_1 = np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=float)
FILTER_2 = np.array([[-1, 1, -1], [-1, 1, -1], [-1, 1, -1]], dtype=float)
FILTERS = np.stack([FILTER_1, FILTER_2])[:, None]          # (2, 1, 3, 3): F, C, KH, KW

#: The two 4×4 feature maps the filters give at stride 1 (the lecture's "2 x 4 x 4").
MAPS_4x4 = np.array([
    [[3, -1, -3, -1], [-3, 1, 0, -3], [-3, -3, 0, 1], [3, -2, -2, -1]],
    [[-1, -1, -1, -1], [-1, -1, -2, 1], [-1, -1, -2, 1], [-1, 0, -4, 3]],
], dtype=float)

#: The lecture's 7×7 example for zero padding.
IMAGE_7x7 = np.array([
    [6, 3, 4, 4, 5, 0, 3],
    [4, 7, 4, 0, 4, 0, 4],
    [7, 0, 2, 3, 4, 5, 2],
    [3, 7, 5, 0, 3, 0, 7],
    [5, 8, 1, 2, 5, 4, 2],
    [8, 0, 1, 0, 6, 0, 0],
    [6, 4, 1, 3, 0, 4, 5],
], dtype=float)

#: LeNet-5's convolutions as (in, out, kh, kw, stride, padding) and its linear layers as (in, out).
LENET_CONVS = [[1, 6, 5, 5, 1, 2], [6, 16, 5, 5, 1, 0]]
LENET_LINEARS = [[400, 120], [120, 84], [84, 10]]
LENET_PARAMS = 61_706

#: The flower classifier's parameter count in the lecture's Keras summary.
FLOWER_PARAMS = 3_989_285

#: The numbers of filters AlphaGo's policy network was trained with (192 in the match version).
ALPHAGO_K = (128, 192, 256, 384)

#: AlexNet's layers as the lecture lists them: (layer, output H×W×C, what it is).
ALEXNET_LAYERS = [
    ("INPUT", "227×227×3", ""),
    ("CONV1", "55×55×96", "96 11×11 filters at stride 4, pad 0"),
    ("MAX POOL1", "27×27×96", "3×3 filters at stride 2"),
    ("NORM1", "27×27×96", "local response normalization"),
    ("CONV2", "27×27×256", "256 5×5 filters at stride 1, pad 2"),
    ("MAX POOL2", "13×13×256", "3×3 filters at stride 2"),
    ("NORM2", "13×13×256", "local response normalization"),
    ("CONV3", "13×13×384", "384 3×3 filters at stride 1, pad 1"),
    ("CONV4", "13×13×384", "384 3×3 filters at stride 1, pad 1"),
    ("CONV5", "13×13×256", "256 3×3 filters at stride 1, pad 1"),
    ("MAX POOL3", "6×6×256", "3×3 filters at stride 2"),
    ("FC6", "4096", "4096 neurons"),
    ("FC7", "4096", "4096 neurons"),
    ("FC8", "1000", "1000 neurons (class scores)"),
]


def out_len(n, k, s=1, p=0):
    """The output length of a window of size k at stride s over n values padded with p on both sides."""
    return (n + 2 * p - k) // s + 1


def alphago_params(k):
    """AlphaGo's policy network's parameters by hand: 5×5 layer, eleven 3×3 layers, the 1×1 filter, 361 biases."""
    return 48 * 25 * k + k + 11 * (9 * k * k + k) + k + 361
