"""Lesson 04: gradient descent, linear regression and optimizers.

Exercises: ``linreg_loss_and_grad`` and ``minibatches`` (in :mod:`.regression`); the six optimizer
classes ``SGD``, ``Momentum``, ``Nesterov``, ``AdaGrad``, ``RMSProp``, ``Adam`` (in :mod:`.optimizers`,
their cases in :mod:`.optimizer_cases`), each compared with ``torch.optim`` by its trajectory.
The lecture's data (in :mod:`.lecture`): the one-weight toy cost, the nine-row optimizer table, the
batch-size memory arithmetic, the hyper-parameters, the key terms in English and Korean.
Experiments (in :mod:`.landscapes`): the 2-D surfaces, ``torch.optim`` behind ``step(w, grad)``, the race.
Pictures (in :mod:`.plots`): :func:`plot_cost_curve`, :func:`learning_rate_widget`, :func:`plot_race`,
:func:`race_widget`, :func:`plot_scaling`, :func:`memory_table_html`.
"""
LESSON = "04_optimizers"

from . import regression  # noqa: E402  (registers the exercises, in the notebook's order)
from . import optimizers  # noqa: E402, I001
from .landscapes import SURFACES, Surface, TorchOptimizer, race, torch_optimizers  # noqa: E402
from .lecture import (BATCH_TRADEOFFS, HYPERPARAMETERS, KEY_TERMS, MEMORY_EXAMPLES, OPTIMIZER_TABLE,  # noqa: E402
                      TOY_X, TOY_Y, describe_learning_rate, gradient_descent_1d, memory_bytes, toy_cost,
                      toy_gradient)
from .plots import (learning_rate_widget, memory_table_html, plot_cost_curve, plot_race, plot_scaling,  # noqa: E402
                    plot_surface, race_widget)

__all__ = [
    "LESSON", "BATCH_TRADEOFFS", "HYPERPARAMETERS", "KEY_TERMS", "MEMORY_EXAMPLES", "OPTIMIZER_TABLE", "SURFACES",
    "Surface", "TOY_X", "TOY_Y", "TorchOptimizer", "describe_learning_rate", "gradient_descent_1d",
    "learning_rate_widget", "memory_bytes", "memory_table_html", "optimizers", "plot_cost_curve", "plot_race",
    "plot_scaling", "plot_surface", "race", "race_widget", "regression", "torch_optimizers", "toy_cost",
    "toy_gradient",
]
