"""Lesson 03: activation functions, softmax and cross-entropy.

Exercises (in :mod:`.checks`): ``sigmoid``, ``tanh``, ``relu``, ``leaky_relu``, ``elu``, ``mish``, their
derivatives ``sigmoid_grad`` … ``mish_grad``, ``softmax`` and ``cross_entropy``.

The references are ``torch`` functions in float64; derivatives come from autograd. Where a function
has a kink (ReLU and Leaky ReLU at 0, ELU at 0 when alpha != 1) any value between the one-sided
derivatives passes.

A sigmoid written as ``1 / (1 + np.exp(-x))`` overflows inside ``np.exp`` for x = -1000 but still
returns the right value, 0; the check grades values, so it passes (the overflow warning is kept
out of the student's output). The notebook explains why the two-branch form is the better habit.

Pictures (in :mod:`.plots`): :func:`plot_activation_table`, :func:`activation_explorer` (choose an
activation, see f, f' and what it does to a distribution of inputs), :func:`plot_gradient_norms`,
:func:`plot_dead_relu`, :func:`plot_ce_vs_mse`.

Experiments (in :mod:`.experiments`): :func:`gradient_norms` (the measured vanishing gradient),
:func:`sigmoid_chain_bound`, :func:`dead_relu_experiment`.
"""
from . import checks
from .checks import CE_MISTAKES, DEFAULT_ALPHA, ELEMENTWISE, HINTS, LESSON, MISTAKES
from .experiments import dead_relu_experiment, deep_mlp, gradient_norms, sigmoid_chain_bound
from .plots import (
    NAMES,
    TABLE,
    activation_explorer,
    f_and_grad,
    plot_activation,
    plot_activation_table,
    plot_ce_vs_mse,
    plot_dead_relu,
    plot_gradient_norms,
    torch_activation,
    transform_stats,
)
