"""Lesson 03 exercise specs: the elementwise activations ``sigmoid``, ``tanh``, ``relu``, ``leaky_relu``,
``elu`` and ``mish`` (their derivatives are in :mod:`.derivatives`).

The references are ``torch`` functions in float64. Every function is graded on ordinary values, exact
zeros, several shapes and large inputs: up to ±1000 for sigmoid, tanh, ReLU and Leaky ReLU (the text
promises they are stable there), ±30 for ELU and ±20 for Mish. A sigmoid written as
``1 / (1 + np.exp(-x))`` overflows inside ``np.exp`` at x = -1000 but still returns the right value,
0; the check grades values, so it passes. A tanh written with ``e^x`` returns inf/inf = nan there,
and fails with a hint that names the overflow.
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, register

from .lecture import DEFAULT_ALPHA, LECTURE_LEAKY_ALPHA

#: The largest |x| each function is graded on (the derivatives share their function's).
LARGEST = {"sigmoid": 1000.0, "tanh": 1000.0, "relu": 1000.0, "leaky_relu": 1000.0, "elu": 30.0, "mish": 20.0}

#: The alphas given explicitly (the default is tried where alpha is left out).
OTHER_ALPHAS = {"leaky_relu": (0.1, 0.2, 0.3), "elu": (2.0, 0.5, 0.1)}


def elementwise_cases(name: str, rng) -> list:
    """Cases for an elementwise function or its derivative: ordinary values, exact zeros, shapes, large values.

    For ``leaky_relu`` and ``elu`` (and their derivatives) three cases leave alpha out (the default
    must be right), the others pass it by name, and one passes it by position. ELU gets an alpha
    above 1 on inputs near 0: there max(x, alpha(e^x - 1)) is not ELU any more.
    """
    base = name.replace("_grad", "")
    big = LARGEST[base]
    grid = np.concatenate([np.linspace(-5.0, 5.0, 11), rng.normal(scale=5.0 / 3, size=9)])
    xs = [
        ("values in [-5, 5] with 0 among them", grid),
        ("exact zeros and -0.0 among small values", np.array([0.0, -0.0, 1e-12, -1e-12, 0.5, -0.5, 0.0])),
        ("a (3, 4) matrix", rng.normal(scale=2.0, size=(3, 4))),
        ("a (2, 3, 2) array with zeros",
         np.where(rng.random((2, 3, 2)) < 0.3, 0.0, rng.normal(scale=3.0, size=(2, 3, 2)))),
        (f"large inputs, up to \u00b1{big:g}", np.array([-big, -big / 2, -10.0, 10.0, big / 2, big])),
        ("a single value", np.array([float(rng.normal())])),
    ]
    if base not in DEFAULT_ALPHA:
        return [Case(label, {"x": x}) for label, x in xs]
    others = OTHER_ALPHAS[base]
    cases = []
    for i, (label, x) in enumerate(xs):
        if i in (0, 1, 5):
            cases.append(Case(f"{label}, default alpha", {"x": x}))
        else:
            a = others[i % len(others)]
            cases.append(Case(f"{label}, alpha={a:g}", {"x": x, "alpha": a}))
    a = others[0]
    grid3 = np.concatenate([np.linspace(-3.0, 3.0, 11), rng.normal(scale=1.0, size=9)])
    cases.append(Case(f"values with zeros, alpha={a:g} passed by position", {"x": grid3, "alpha": a},
                      positional=True))
    return cases


def without_alpha(case) -> bool:
    """The case leaves alpha out, so the student's default is used."""
    return "alpha" not in case.inputs


def _cases(name):
    return lambda rng: elementwise_cases(name, rng)


# --------------------------------------------------------------------------- sigmoid
register(Exercise(
    name="sigmoid",
    signature="sigmoid(x)",
    cases=_cases("sigmoid"),
    reference=lambda ref, x: ref.torch.sigmoid(x),
    mistakes=(
        Mistake("negative_exponent", "you computed \u03c3(-x) = 1/(1 + e^{x}) = 1 - \u03c3(x): the exponent is -x, so "
                "\u03c3(x) = 1/(1 + e^{-x}).", lambda ref, x: ref.torch.sigmoid(-x)),
        Mistake("tanh", "you computed tanh(x); the sigmoid is 1/(1 + e^{-x}), between 0 and 1.",
                lambda ref, x: ref.torch.tanh(x)),
        Mistake("overflow", "e^x overflows for x > 709 (e^1000 = inf, and inf/inf = nan): e^x/(1 + e^x) is right on "
                "paper but not in float64. Use 1/(1 + e^{-x}) for x >= 0 and e^x/(1 + e^x) for x < 0, so that only "
                "e^{-|x|} <= 1 is ever computed.",
                lambda ref, x: ref.torch.exp(x) / (1 + ref.torch.exp(x))),
    ),
    hint="\u03c3(x) = 1/(1 + e^{-x}), elementwise; for x < 0 the same value is e^{x}/(1 + e^{x}).",
    points=1,
))


# --------------------------------------------------------------------------- tanh
def naive_tanh(ref, x):
    """(e^x - e^{-x}) / (e^x + e^{-x}) as written on paper: inf/inf = nan beyond |x| = 709."""
    return (ref.torch.exp(x) - ref.torch.exp(-x)) / (ref.torch.exp(x) + ref.torch.exp(-x))


register(Exercise(
    name="tanh",
    signature="tanh(x)",
    cases=_cases("tanh"),
    reference=lambda ref, x: ref.torch.tanh(x),
    mistakes=(
        Mistake("half_argument", "you computed 2\u03c3(x) - 1 = tanh(x/2): the identity is tanh(x) = 2\u03c3(2x) - 1, "
                "with 2x inside.", lambda ref, x: 2 * ref.torch.sigmoid(x) - 1),
        Mistake("sigmoid", "you computed the sigmoid; tanh(x) = (e^x - e^{-x})/(e^x + e^{-x}) lies between -1 and 1.",
                lambda ref, x: ref.torch.sigmoid(x)),
        Mistake("double_argument", "you computed tanh(2x): tanh(x) = 2/(1 + e^{-2x}) - 1, and that formula already "
                "holds the 2.", lambda ref, x: ref.torch.tanh(2 * x)),
        Mistake("overflow", "e^x overflows for |x| > 709 (e^1000 = inf, and inf/inf = nan): (e^x - e^{-x})/(e^x + e^{-x}) "
                "and sinh(x)/cosh(x) are right on paper but not in float64. Use np.tanh, or 2\u03c3(2x) - 1 with a "
                "stable sigmoid.", naive_tanh),
    ),
    hint="tanh(x) = (e^x - e^{-x})/(e^x + e^{-x}) = 2/(1 + e^{-2x}) - 1, elementwise (np.tanh is fine).",
    points=1,
))


# --------------------------------------------------------------------------- relu
register(Exercise(
    name="relu",
    signature="relu(x)",
    cases=_cases("relu"),
    reference=lambda ref, x: ref.F.relu(x),
    mistakes=(
        Mistake("absolute_value", "negative inputs must give 0, not their absolute value: relu(x) = max(0, x).",
                lambda ref, x: x.abs()),
        Mistake("negative_part", "you kept the negative part, min(0, x); relu keeps the positive part, max(0, x).",
                lambda ref, x: ref.torch.clamp(x, max=0)),
        Mistake("negated_input", "you computed max(0, -x): the positive inputs pass through, the negative ones "
                "become 0.", lambda ref, x: ref.F.relu(-x)),
        Mistake("returned_derivative", "you returned the derivative (0/1) instead of max(0, x).",
                lambda ref, x: (x > 0).double()),
    ),
    hint="relu(x) = max(0, x), elementwise, same shape as x (np.maximum, not np.max).",
    points=1,
))


# --------------------------------------------------------------------------- leaky relu
register(Exercise(
    name="leaky_relu",
    signature=f"leaky_relu(x, alpha={DEFAULT_ALPHA['leaky_relu']})",
    cases=_cases("leaky_relu"),
    reference=lambda ref, x, alpha: ref.F.leaky_relu(x, alpha),
    mistakes=(
        Mistake("alpha_on_positive", "alpha multiplies the negative inputs, not the positive ones: x for x >= 0, "
                "alpha\u00b7x for x < 0.", lambda ref, x, alpha: ref.torch.where(x >= 0, alpha * x, x)),
        Mistake("relu", "negative inputs become 0 as in relu: a leaky ReLU lets alpha\u00b7x through for x < 0.",
                lambda ref, x: ref.F.relu(x)),
        Mistake("wrong_default_alpha", f"the default alpha is 0.01 (PyTorch's); {LECTURE_LEAKY_ALPHA:g} is the slope of "
                "the lecture's plot max(0.1x, x). Write `alpha=0.01` in the signature.",
                lambda ref, x: ref.F.leaky_relu(x, LECTURE_LEAKY_ALPHA), when=without_alpha),
        Mistake("wrong_default_alpha", "the default alpha is 0.01 (PyTorch's); 0.2 is TensorFlow's "
                "(tf.nn.leaky_relu). Write `alpha=0.01` in the signature.",
                lambda ref, x: ref.F.leaky_relu(x, 0.2), when=without_alpha),
        Mistake("wrong_default_alpha", "the default alpha is 0.01 (PyTorch's); 0.3 is Keras's "
                "(keras.layers.LeakyReLU). Write `alpha=0.01` in the signature.",
                lambda ref, x: ref.F.leaky_relu(x, 0.3), when=without_alpha),
        Mistake("ignored_alpha", "you ignored the alpha you were given and used 0.01 always: use the `alpha` argument.",
                lambda ref, x: ref.F.leaky_relu(x, 0.01)),
        Mistake("negated_slope", "negative inputs should be alpha\u00b7x, you returned -alpha\u00b7x (or alpha\u00b7|x|).",
                lambda ref, x, alpha: ref.torch.where(x >= 0, x, -alpha * x)),
    ),
    hint="leaky_relu(x) = x for x >= 0 and alpha\u00b7x for x < 0, with alpha from the argument (default 0.01).",
    points=1,
))


# --------------------------------------------------------------------------- elu
register(Exercise(
    name="elu",
    signature=f"elu(x, alpha={DEFAULT_ALPHA['elu']})",
    cases=_cases("elu"),
    reference=lambda ref, x, alpha: ref.F.elu(x, alpha),
    mistakes=(
        Mistake("no_minus_one", "for x < 0 ELU is alpha\u00b7(e^x - 1): you forgot the -1 (alpha\u00b7e^x jumps at 0).",
                lambda ref, x, alpha: ref.torch.where(x > 0, x, alpha * ref.torch.exp(x))),
        Mistake("alpha_on_positive", "alpha multiplies only the negative branch: x for x > 0, alpha\u00b7(e^x - 1) "
                "for x <= 0.", lambda ref, x, alpha: ref.torch.where(x > 0, alpha * x, alpha * ref.torch.expm1(x))),
        Mistake("no_alpha", "you forgot alpha in the negative branch: alpha\u00b7(e^x - 1), not e^x - 1.",
                lambda ref, x: ref.torch.where(x > 0, x, ref.torch.expm1(x))),
        Mistake("every_input", "you applied alpha\u00b7(e^x - 1) to every input: positive inputs pass through unchanged.",
                lambda ref, x, alpha: alpha * ref.torch.expm1(x)),
        Mistake("wrong_default_alpha", "the default alpha is 1.0 (PyTorch's and Keras's); 0.01 is Leaky ReLU's default. "
                "Write `alpha=1.0` in the signature.", lambda ref, x: ref.F.elu(x, 0.01), when=without_alpha),
        Mistake("wrong_default_alpha", "the default alpha is 1.0 (PyTorch's and Keras's); 0.1 is the lecture's Leaky "
                "ReLU slope. Write `alpha=1.0` in the signature.", lambda ref, x: ref.F.elu(x, 0.1), when=without_alpha),
        Mistake("wrong_default_alpha", "the default alpha is 1.0 (PyTorch's and Keras's); 1.6733 is SELU's alpha, "
                "which also multiplies by a scale of 1.0507. Write `alpha=1.0` in the signature.",
                lambda ref, x: ref.F.elu(x, 1.6732632423543772), when=without_alpha),
        Mistake("max_form", "max(x, alpha\u00b7(e^x - 1)) equals ELU only for alpha <= 1; for alpha > 1 it picks x just "
                "below 0. Choose the branch by the sign of x: np.where(x > 0, x, alpha\u00b7(e^x - 1)).",
                lambda ref, x, alpha: ref.torch.maximum(x, alpha * ref.torch.expm1(ref.torch.clamp(x, max=0)))),
    ),
    hint="elu(x) = x for x > 0 and alpha\u00b7(e^x - 1) for x <= 0 (default alpha 1.0).",
    points=1,
))


# --------------------------------------------------------------------------- mish
register(Exercise(
    name="mish",
    signature="mish(x)",
    cases=_cases("mish"),
    reference=lambda ref, x: ref.F.mish(x),
    mistakes=(
        Mistake("no_factor_x", "mish(x) = x\u00b7tanh(softplus(x)): you left out the factor x.",
                lambda ref, x: ref.torch.tanh(ref.F.softplus(x))),
        Mistake("softplus_is_x", "softplus is log(1 + e^x), not log(e^x) = x: mish(x) = x\u00b7tanh(log(1 + e^x)).",
                lambda ref, x: x * ref.torch.tanh(x)),
        Mistake("swish", "you used the sigmoid where tanh belongs: mish(x) = x\u00b7tanh(softplus(x)) (x\u00b7\u03c3(x) is "
                "Swish/SiLU).", lambda ref, x: x * ref.torch.sigmoid(x)),
        Mistake("tanh_of_exp", "you used x\u00b7tanh(e^x): softplus is log(1 + e^x).",
                lambda ref, x: x * ref.torch.tanh(ref.torch.exp(x))),
    ),
    hint="mish(x) = x\u00b7tanh(softplus(x)) with softplus(x) = log(1 + e^x).",
    points=1,
))
