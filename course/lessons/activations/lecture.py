"""The lecture's fixed data for lesson 03: its small sigmoid network, the "this is a 6" example, the
defaults of the catalogue and the lecture's own choices.

The network is the deck's "Example of neural network" (Deep Learning for Applications – I): two
inputs and three fully connected layers of two sigmoid neurons each. The deck's figure with the
weights is lost in the text; these are the weights of that well-known example, and they give the
deck's numbers, f([1, -1]) = [0.62, 0.83] and f([0, 0]) = [0.51, 0.85] (the other deck's
[0.62, -0.83] is a transcription slip: a sigmoid cannot output a negative number).
"""
import numpy as np

#: The lecture's network: one (W, b) per layer, each layer computes a = sigmoid(W @ a + b).
LECTURE_NET = (
    (np.array([[1.0, -2.0], [-1.0, 1.0]]), np.array([1.0, 0.0])),
    (np.array([[2.0, -1.0], [-2.0, -1.0]]), np.array([0.0, 0.0])),
    (np.array([[3.0, -1.0], [-1.0, 4.0]]), np.array([-2.0, 2.0])),
)

#: The two inputs of the deck and the outputs it prints (two decimals).
LECTURE_INPUTS = (np.array([1.0, -1.0]), np.array([0.0, 0.0]))
LECTURE_OUTPUTS = (np.array([0.62, 0.83]), np.array([0.51, 0.85]))

#: The lecture's one-hot example, "this is a 6": the computed outputs y (illustrative: they add up to 2.3).
SIX_OUTPUTS = np.array([0.1, 0.2, 0.1, 0.3, 0.2, 0.1, 0.9, 0.2, 0.1, 0.1])
SIX_CLASS = 6

#: The catalogue's defaults (PyTorch's): leaky_relu(x, alpha=0.01), elu(x, alpha=1.0).
DEFAULT_ALPHA = {"leaky_relu": 0.01, "elu": 1.0}

#: The lecture plots Leaky ReLU as max(0.1x, x).
LECTURE_LEAKY_ALPHA = 0.1

