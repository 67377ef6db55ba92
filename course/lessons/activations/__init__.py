"""Lesson 03: activation functions, softmax and cross-entropy.

Exercises: the activations ``sigmoid``, ``tanh``, ``relu``, ``leaky_relu``, ``elu``, ``mish`` (in
:mod:`.elementwise`), their derivatives ``sigmoid_grad`` … ``mish_grad`` (in :mod:`.derivatives`),
``softmax`` and ``cross_entropy`` (in :mod:`.losses`).
The lecture's data (in :mod:`.lecture`): its small sigmoid network, the "this is a 6" example, the defaults.
Pictures (in :mod:`.plots`): :func:`plot_activation_table`, :func:`activation_explorer` (choose an
activation, see f, f' and what it does to a distribution of inputs), :func:`plot_gradient_norms`,
:func:`plot_clipping`, :func:`plot_dead_relu`, :func:`plot_ce_vs_mse`.
Experiments (in :mod:`.experiments`): :func:`gradient_norms` (the measured vanishing and exploding
gradient), :func:`sigmoid_chain_bound`, :func:`clipping_experiment`, :func:`dead_relu_experiment`.
"""
LESSON = "03_activations"

from . import derivatives, elementwise, losses  # noqa: E402  (register the exercises)
from .experiments import (  # noqa: E402
    clipping_experiment,
    dead_relu_experiment,
    deep_mlp,
    gradient_norms,
    sigmoid_chain_bound,
)
from .lecture import (  # noqa: E402
    DEFAULT_ALPHA,
    LECTURE_INPUTS,
    LECTURE_LEAKY_ALPHA,
    LECTURE_NET,
    LECTURE_OUTPUTS,
    SIX_CLASS,
    SIX_OUTPUTS,
)
from .plots import (  # noqa: E402
    NAMES,
    TABLE,
    activation_explorer,
    f_and_grad,
    plot_activation,
    plot_activation_table,
    plot_ce_vs_mse,
    plot_clipping,
    plot_dead_relu,
    plot_gradient_norms,
    torch_activation,
    transform_stats,
)

__all__ = [
    "LESSON", "DEFAULT_ALPHA", "LECTURE_INPUTS", "LECTURE_LEAKY_ALPHA", "LECTURE_NET", "LECTURE_OUTPUTS", "SIX_CLASS",
    "SIX_OUTPUTS", "NAMES", "TABLE", "activation_explorer", "f_and_grad", "plot_activation", "plot_activation_table",
    "plot_ce_vs_mse", "plot_clipping", "plot_dead_relu", "plot_gradient_norms", "torch_activation", "transform_stats",
    "clipping_experiment", "dead_relu_experiment", "deep_mlp", "gradient_norms", "sigmoid_chain_bound",
    "derivatives", "elementwise", "losses",
]
