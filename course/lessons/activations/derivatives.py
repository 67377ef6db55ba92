"""Lesson 03 exercise specs: the derivatives ``sigmoid_grad`` … ``mish_grad`` of the elementwise activations.

The references are the derivatives torch's autograd gives of the torch functions, in float64. Where a
function has a kink (ReLU and Leaky ReLU at 0, ELU at 0 when alpha != 1) any value between the
one-sided derivatives passes. The cases are those of :mod:`.elementwise`: sigmoid_grad and tanh_grad
are graded up to x = ±1000, where e^{-x}/(1 + e^{-x})² and a tanh built from e^x give inf/inf = nan.
"""
from __future__ import annotations

from course.checks import Exercise, Interval, Mistake, register

from .elementwise import elementwise_cases, naive_tanh, without_alpha
from .lecture import DEFAULT_ALPHA, LECTURE_LEAKY_ALPHA


def autograd_derivative(ref, x, f, kink=None):
    """f'(x) elementwise by autograd; where x == 0 and ``kink`` = (left, right), any value between them."""
    t = x.detach().clone().requires_grad_(True)
    (g,) = ref.torch.autograd.grad(f(t).sum(), t)
    if kink is None or not bool((x == 0).any()):
        return g
    low, high = ref.np(g), ref.np(g)
    at = ref.np(x == 0).astype(bool)
    low[at], high[at] = min(kink), max(kink)
    return Interval(low, high)


def _ones(ref, x):
    return ref.torch.ones_like(x)


def _cases(name):
    return lambda rng: elementwise_cases(name, rng)


# --------------------------------------------------------------------------- sigmoid_grad
_SIGMOID_OVERFLOW = ("e^{-x} overflows for x < -709 (e^1000 = inf, and inf/inf = nan): e^{-x}/(1 + e^{-x})\u00b2 is "
                     "right on paper but not in float64. Compute s = \u03c3(x) with a stable sigmoid, then return s(1 - s).")

register(Exercise(
    name="sigmoid_grad",
    signature="sigmoid_grad(x)",
    cases=_cases("sigmoid_grad"),
    reference=lambda ref, x: autograd_derivative(ref, x, ref.torch.sigmoid),
    mistakes=(
        Mistake("one_minus_x", "you wrote \u03c3(x)(1 - x): the derivative is \u03c3(x)(1 - \u03c3(x)), with \u03c3(x) in "
                "both places.", lambda ref, x: ref.torch.sigmoid(x) * (1 - x)),
        Mistake("applied_to_input", "you applied s(1 - s) to the input x itself; first compute s = \u03c3(x), then "
                "s(1 - s).", lambda ref, x: x * (1 - x)),
        Mistake("tanh_pattern", "you wrote 1 - \u03c3(x)\u00b2, the pattern of tanh's derivative; the sigmoid's is "
                "\u03c3(x)(1 - \u03c3(x)).", lambda ref, x: 1 - ref.torch.sigmoid(x) ** 2),
        Mistake("returned_sigmoid", "you returned \u03c3(x) itself, not its derivative \u03c3(x)(1 - \u03c3(x)).",
                lambda ref, x: ref.torch.sigmoid(x)),
        Mistake("sigmoid_squared", "you returned \u03c3(x)\u00b2; the derivative is \u03c3(x)(1 - \u03c3(x)).",
                lambda ref, x: ref.torch.sigmoid(x) ** 2),
        Mistake("overflow", _SIGMOID_OVERFLOW,
                lambda ref, x: ref.torch.exp(-x) / (1 + ref.torch.exp(-x)) ** 2),
        Mistake("overflow", _SIGMOID_OVERFLOW.replace("x < -709", "x > 709").replace("e^{-x}", "e^{x}"),
                lambda ref, x: ref.torch.exp(x) / (1 + ref.torch.exp(x)) ** 2),
    ),
    hint="\u03c3'(x) = \u03c3(x)(1 - \u03c3(x)): compute s = \u03c3(x) first.",
    points=1,
))


# --------------------------------------------------------------------------- tanh_grad
_TANH_OVERFLOW = ("e^x overflows for |x| > 709 (e^1000 = inf, and inf/inf = nan): a tanh built from e^x is right on "
                  "paper but not in float64. Use 1 - np.tanh(x)**2, which is stable.")

register(Exercise(
    name="tanh_grad",
    signature="tanh_grad(x)",
    cases=_cases("tanh_grad"),
    reference=lambda ref, x: autograd_derivative(ref, x, ref.torch.tanh),
    mistakes=(
        Mistake("one_minus_x_squared", "you wrote 1 - x\u00b2: the derivative is 1 - tanh(x)\u00b2, square tanh(x), not x.",
                lambda ref, x: 1 - x ** 2),
        Mistake("not_squared", "you wrote 1 - tanh(x): the tanh must be squared, 1 - tanh(x)\u00b2.",
                lambda ref, x: 1 - ref.torch.tanh(x)),
        Mistake("sigmoid_pattern", "you wrote tanh(x)(1 - tanh(x)), the sigmoid's pattern; tanh's derivative is "
                "1 - tanh(x)\u00b2.", lambda ref, x: ref.torch.tanh(x) * (1 - ref.torch.tanh(x))),
        Mistake("sign_flipped", "you returned tanh(x)\u00b2 - 1: the sign is flipped, 1 - tanh(x)\u00b2.",
                lambda ref, x: ref.torch.tanh(x) ** 2 - 1),
        Mistake("returned_tanh", "you returned tanh(x) itself, not its derivative 1 - tanh(x)\u00b2.",
                lambda ref, x: ref.torch.tanh(x)),
        Mistake("overflow", _TANH_OVERFLOW, lambda ref, x: 1 - naive_tanh(ref, x) ** 2),
        Mistake("overflow", _TANH_OVERFLOW.replace("a tanh built from e^x", "4e^{-2x}/(1 + e^{-2x})\u00b2"),
                lambda ref, x: 4 * ref.torch.exp(-2 * x) / (1 + ref.torch.exp(-2 * x)) ** 2),
    ),
    hint="tanh'(x) = 1 - tanh(x)\u00b2.",
    points=1,
))


# --------------------------------------------------------------------------- relu_grad
register(Exercise(
    name="relu_grad",
    signature="relu_grad(x)",
    cases=_cases("relu_grad"),
    reference=lambda ref, x: autograd_derivative(ref, x, ref.F.relu, kink=(0.0, 1.0)),
    mistakes=(
        Mistake("ones", "ReLU's derivative is 0 for negative inputs (the function is flat there), not 1.",
                _ones),
        Mistake("sign", "ReLU's derivative is 0 for negative inputs, not -1 (you returned the sign of x).",
                lambda ref, x: ref.torch.sign(x)),
        Mistake("returned_relu", "you returned relu(x) itself; its derivative is 1 for x > 0 and 0 for x < 0.",
                lambda ref, x: ref.F.relu(x)),
        Mistake("inverted", "the derivative is inverted: 1 for x > 0, 0 for x < 0.",
                lambda ref, x: (x < 0).double()),
    ),
    hint="relu'(x) = 1 for x > 0 and 0 for x < 0; at 0 any value in [0, 1] is accepted.",
    points=1,
))


# --------------------------------------------------------------------------- leaky_relu_grad
def _leaky_slope(ref, x, slope):
    return ref.torch.where(x > 0, _ones(ref, x), slope * _ones(ref, x))


register(Exercise(
    name="leaky_relu_grad",
    signature=f"leaky_relu_grad(x, alpha={DEFAULT_ALPHA['leaky_relu']})",
    cases=_cases("leaky_relu_grad"),
    reference=lambda ref, x, alpha: autograd_derivative(ref, x, lambda t: ref.F.leaky_relu(t, alpha),
                                                        kink=(alpha, 1.0)),
    mistakes=(
        Mistake("swapped", "the derivative is 1 for x > 0 and alpha for x < 0; you swapped them.",
                lambda ref, x, alpha: ref.torch.where(x > 0, alpha * _ones(ref, x), _ones(ref, x))),
        Mistake("relu_grad", "for x < 0 the derivative is alpha, not 0 (that is ReLU's).",
                lambda ref, x: (x > 0).double()),
        Mistake("returned_leaky_relu", "you returned leaky_relu(x) itself; its derivative is 1 for x > 0 and alpha "
                "for x < 0.", lambda ref, x, alpha: ref.F.leaky_relu(x, alpha)),
        Mistake("wrong_default_alpha", f"the default alpha is 0.01 (PyTorch's); {LECTURE_LEAKY_ALPHA:g} is the slope "
                "of the lecture's plot max(0.1x, x). Write `alpha=0.01` in the signature.",
                lambda ref, x: _leaky_slope(ref, x, LECTURE_LEAKY_ALPHA), when=without_alpha),
        Mistake("wrong_default_alpha", "the default alpha is 0.01 (PyTorch's); 0.2 is TensorFlow's "
                "(tf.nn.leaky_relu). Write `alpha=0.01` in the signature.",
                lambda ref, x: _leaky_slope(ref, x, 0.2), when=without_alpha),
        Mistake("wrong_default_alpha", "the default alpha is 0.01 (PyTorch's); 0.3 is Keras's "
                "(keras.layers.LeakyReLU). Write `alpha=0.01` in the signature.",
                lambda ref, x: _leaky_slope(ref, x, 0.3), when=without_alpha),
        Mistake("ignored_alpha", "you ignored the alpha you were given and used 0.01 always: use the `alpha` argument.",
                lambda ref, x: _leaky_slope(ref, x, 0.01)),
        Mistake("alpha_times_x", "for x < 0 the derivative is alpha, not alpha\u00b7x.",
                lambda ref, x, alpha: ref.torch.where(x > 0, _ones(ref, x), alpha * x)),
    ),
    hint="leaky_relu'(x) = 1 for x > 0 and alpha for x < 0; at 0 anything between alpha and 1.",
    points=1,
))


# --------------------------------------------------------------------------- elu_grad
def _elu_slope(ref, x, alpha):
    return ref.torch.where(x > 0, _ones(ref, x), alpha * ref.torch.exp(x))


register(Exercise(
    name="elu_grad",
    signature=f"elu_grad(x, alpha={DEFAULT_ALPHA['elu']})",
    cases=_cases("elu_grad"),
    reference=lambda ref, x, alpha: autograd_derivative(ref, x, lambda t: ref.F.elu(t, alpha), kink=(alpha, 1.0)),
    mistakes=(
        Mistake("kept_minus_one", "for x < 0 the derivative of alpha\u00b7(e^x - 1) is alpha\u00b7e^x: the -1 "
                "disappears when you differentiate.",
                lambda ref, x, alpha: ref.torch.where(x > 0, _ones(ref, x), alpha * ref.torch.expm1(x))),
        Mistake("no_alpha", "for x < 0 the derivative is alpha\u00b7e^x: you forgot alpha.",
                lambda ref, x: _elu_slope(ref, x, 1.0)),
        Mistake("exp_everywhere", "for x > 0 ELU is x, so its derivative there is 1, not alpha\u00b7e^x.",
                lambda ref, x, alpha: alpha * ref.torch.exp(x)),
        Mistake("zero_for_negative", "for x < 0 the derivative is alpha\u00b7e^x, not 0.",
                lambda ref, x: (x > 0).double()),
        Mistake("returned_elu", "you returned elu(x) itself, not its derivative.",
                lambda ref, x, alpha: ref.F.elu(x, alpha)),
        Mistake("wrong_default_alpha", "the default alpha is 1.0 (PyTorch's and Keras's); 0.01 is Leaky ReLU's default. "
                "Write `alpha=1.0` in the signature.", lambda ref, x: _elu_slope(ref, x, 0.01), when=without_alpha),
        Mistake("wrong_default_alpha", "the default alpha is 1.0 (PyTorch's and Keras's); 0.1 is the lecture's Leaky "
                "ReLU slope. Write `alpha=1.0` in the signature.", lambda ref, x: _elu_slope(ref, x, 0.1),
                when=without_alpha),
        Mistake("wrong_default_alpha", "the default alpha is 1.0 (PyTorch's and Keras's); 1.6733 is SELU's alpha, "
                "which also multiplies by a scale of 1.0507. Write `alpha=1.0` in the signature.",
                lambda ref, x: _elu_slope(ref, x, 1.6732632423543772), when=without_alpha),
    ),
    hint="elu'(x) = 1 for x > 0 and alpha\u00b7e^x for x < 0; at 0 anything between alpha and 1.",
    points=1,
))


# --------------------------------------------------------------------------- mish_grad
def _sp_tanh(ref, x):
    return ref.torch.tanh(ref.F.softplus(x))


register(Exercise(
    name="mish_grad",
    signature="mish_grad(x)",
    cases=_cases("mish_grad"),
    reference=lambda ref, x: autograd_derivative(ref, x, ref.F.mish),
    mistakes=(
        Mistake("first_term_only", "mish is a product, x\u00b7tanh(softplus(x)): by the product rule its derivative is "
                "tanh(sp) + x\u00b7(1 - tanh(sp)\u00b2)\u00b7\u03c3(x); you kept only the first term.", _sp_tanh),
        Mistake("no_softplus_chain", "the chain rule through softplus is missing: d/dx softplus(x) = \u03c3(x) multiplies "
                "the second term.", lambda ref, x: _sp_tanh(ref, x) + x * (1 - _sp_tanh(ref, x) ** 2)),
        Mistake("tanh_not_squared", "the derivative of tanh(u) is 1 - tanh(u)\u00b2: you wrote 1 - tanh(u) (the square "
                "is missing).",
                lambda ref, x: _sp_tanh(ref, x) + x * (1 - _sp_tanh(ref, x)) * ref.torch.sigmoid(x)),
        Mistake("second_term_only", "you kept only the second term of the product rule; add tanh(softplus(x)).",
                lambda ref, x: x * (1 - _sp_tanh(ref, x) ** 2) * ref.torch.sigmoid(x)),
        Mistake("wrong_softplus_derivative", "d/dx softplus(x) is \u03c3(x) = 1/(1 + e^{-x}), not e^x or 1/(1 + e^x).",
                lambda ref, x: _sp_tanh(ref, x) + x * (1 - _sp_tanh(ref, x) ** 2) * ref.torch.sigmoid(-x)),
        Mistake("returned_mish", "you returned mish(x) itself, not its derivative.",
                lambda ref, x: ref.F.mish(x)),
    ),
    hint=("mish'(x) = tanh(sp) + x\u00b7(1 - tanh(sp)\u00b2)\u00b7\u03c3(x) with sp = softplus(x) "
          "(product rule, then the chain rule through tanh and softplus)."),
    points=1,
))
