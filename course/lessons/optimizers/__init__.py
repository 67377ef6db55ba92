"""Lesson 04: gradient descent, linear regression and optimizers.

Exercises: ``linreg_loss_and_grad``, ``minibatches``, ``sgd``, ``momentum``, ``nesterov``, ``adagrad``,
``rmsprop``, ``adam``.

How the optimizers are graded
-----------------------------
Each optimizer is a class whose instance holds the state of one parameter array; ``step(w, grad)``
returns the new ``w``. The check constructs the student's class (``Adam(lr)`` or with keyword
settings), then runs it for 20 to 40 steps on a fixed differentiable function ``f`` and compares
the whole trajectory of ``w`` with ``torch.optim`` run on the same ``f`` from the same start, in
float64. The gradient handed to the student at every step is ``∇f`` taken at the student's *own*
current ``w``, not a pre-drawn random sequence, because

* that is how an optimizer is used: a wrong state (a velocity with the wrong scale, a missing bias
  correction) feeds back into where the next gradient is taken, so a small error grows into a
  visibly different path instead of staying one constant offset that a loose tolerance could hide;
* the function is fixed and deterministic, so the same wrong rule always gives the same wrong
  trajectory, and the known mistakes can be recognised by simulating them on the same ``f``;
* only the trajectory is compared, never the internal state: the lecture's velocity form
  ``v ← αv − εg, w ← w + v`` and torch's ``b ← μb + g, w ← w − lr·b`` pass alike, since with a
  constant learning rate ``v = −lr·b`` at every step. So do the heavy-ball form
  ``w ← w − lr·g + μ(w − w_prev)`` and the Bengio form of Nesterov's method.

The settings form a grid (ARENA style): the contract's defaults (constructed with ``lr`` only),
other hyper-parameters by keyword, functions with coupled coordinates, exact-zero gradients, tiny
gradients (where the place of ``eps`` shows), non-square and 3-D ``w``, a ``(1,)`` ``w``, and two
instances stepped in turn (state kept per instance, not shared).

The package
-----------
* :mod:`.checks`: the exercise specs (cases, torch references, runs, known mistakes); importing the
  package registers them.
* :mod:`.landscapes`: the lecture's one-weight cost (:data:`TOY_X`, :data:`TOY_Y`, :func:`toy_cost`,
  :func:`gradient_descent_1d`), the 2-D surfaces :data:`SURFACES`, ``torch.optim`` behind the
  ``step(w, grad)`` interface (:func:`torch_optimizers`) and :func:`race` (optimizers side by side).
* :mod:`.plots`: pictures and widgets, :func:`plot_cost_curve` and :func:`learning_rate_widget` (gradient
  descent on the one-weight cost), :func:`plot_race` and :func:`race_widget` (the race on a surface),
  :func:`plot_loss_curves`.
"""
from . import checks
from .checks import LESSON
from .landscapes import (SURFACES, TOY_X, TOY_Y, Surface, TorchOptimizer, describe_learning_rate,
                         gradient_descent_1d, race, torch_optimizers, toy_cost, toy_gradient)
from .plots import learning_rate_widget, plot_cost_curve, plot_loss_curves, plot_race, plot_surface, race_widget

__all__ = [
    "LESSON", "SURFACES", "TOY_X", "TOY_Y", "Surface", "TorchOptimizer", "checks", "describe_learning_rate",
    "gradient_descent_1d", "learning_rate_widget", "plot_cost_curve", "plot_loss_curves", "plot_race",
    "plot_surface", "race", "race_widget", "torch_optimizers", "toy_cost", "toy_gradient",
]
