"""Lesson 03 exercise specs: the elementwise activations and their derivatives, ``softmax`` and
``cross_entropy`` (cases, torch references, mistakes with their hints).

The references are ``torch`` functions in float64; derivatives come from autograd. Where a function
has a kink (ReLU and Leaky ReLU at 0, ELU at 0 when alpha != 1) any value between the one-sided
derivatives passes.

A sigmoid written as ``1 / (1 + np.exp(-x))`` overflows inside ``np.exp`` for x = -1000 but still
returns the right value, 0; the check grades values, so it passes (the overflow warning is kept
out of the student's output).
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Interval, Mistake, Output, register

LESSON = "03_activations"

DEFAULT_ALPHA = {"leaky_relu": 0.01, "elu": 1.0}


# =========================================================================== torch versions
def _torch_fn(name, ref, alpha=None):
    """The activation ``name`` as a function of a tensor, from torch / torch.nn.functional."""
    torch, F = ref.torch, ref.F
    if name == "sigmoid":
        return torch.sigmoid
    if name == "tanh":
        return torch.tanh
    if name == "relu":
        return F.relu
    if name == "leaky_relu":
        return lambda x: F.leaky_relu(x, negative_slope=alpha)
    if name == "elu":
        return lambda x: F.elu(x, alpha=alpha)
    if name == "mish":
        return F.mish
    raise KeyError(name)


def _autograd(fn, x, ref):
    """Elementwise derivative of ``fn`` at ``x`` by autograd (the sum's gradient)."""
    t = ref.t(x, grad=True)
    y = fn(t)
    (g,) = ref.torch.autograd.grad(y.sum(), t)
    return g


#: One-sided derivatives (left, right) at the kink x = 0, as a function of alpha.
_KINKS = {
    "relu": lambda a: (0.0, 1.0),
    "leaky_relu": lambda a: (a, 1.0),
    "elu": lambda a: (a, 1.0),
}


def _alpha(case, name):
    return case.data.get("alpha", DEFAULT_ALPHA.get(name))


# =========================================================================== cases
def _grid(rng, scale):
    return np.concatenate([np.linspace(-scale, scale, 11), rng.normal(scale=scale / 3, size=9)])


def _cases_for(name, rng):
    """Cases for an elementwise function or derivative: ordinary values, exact zeros, shapes, large values."""
    base = name.replace("_grad", "")
    big = {"sigmoid": 1000.0, "relu": 1000.0, "leaky_relu": 1000.0, "elu": 30.0,
           "tanh": 20.0, "mish": 20.0}[base]
    if name == "sigmoid_grad":
        big = 40.0
    xs = [
        ("values in [-5, 5] with 0 among them", _grid(rng, 5.0)),
        ("exact zeros and -0.0 among small values", np.array([0.0, -0.0, 1e-12, -1e-12, 0.5, -0.5, 0.0])),
        ("a (3, 4) matrix", rng.normal(scale=2.0, size=(3, 4))),
        ("a (2, 3, 2) array with zeros", np.where(rng.random((2, 3, 2)) < 0.3, 0.0, rng.normal(scale=3.0, size=(2, 3, 2)))),
        (f"large inputs, up to \u00b1{big:g}", np.array([-big, -big / 2, -10.0, 10.0, big / 2, big])),
        ("a single value", np.array([float(rng.normal())])),
    ]
    if base not in DEFAULT_ALPHA:
        return [Case(label, (x,), arg_names=["x"]) for label, x in xs]
    default = DEFAULT_ALPHA[base]
    # ELU gets an alpha above 1 on inputs near 0: there max(x, alpha(e^x - 1)) is not ELU any more.
    others = {"leaky_relu": (0.1, 0.2, 0.3), "elu": (2.0, 0.5, 0.1)}[base]
    cases = []
    for i, (label, x) in enumerate(xs):
        if i in (0, 1, 5):  # called without alpha: the default must be right
            cases.append(Case(f"{label}, default alpha", (x,), arg_names=["x"],
                              data={"alpha": default, "default": True}))
        else:
            a = others[i % len(others)]
            cases.append(Case(f"{label}, alpha={a:g}", (x,), {"alpha": a}, arg_names=["x"], data={"alpha": a}))
    a = others[0]
    cases.append(Case(f"values with zeros, alpha={a:g} passed by position", (_grid(rng, 3.0), a),
                      arg_names=["x", "alpha"], data={"alpha": a}))
    return cases


# =========================================================================== references
def _value_ref(name):
    def reference(case, ref):
        return _torch_fn(name, ref, _alpha(case, name))(ref.t(case.args[0]))
    return reference


def _grad_ref(name):
    def reference(case, ref):
        x = np.asarray(case.args[0], dtype=float)
        a = _alpha(case, name)
        g = ref.np(_autograd(_torch_fn(name, ref, a), x, ref))
        if name in _KINKS and np.any(x == 0):
            left, right = _KINKS[name](a)
            low, high = g.copy(), g.copy()
            low[x == 0], high[x == 0] = min(left, right), max(left, right)
            return Interval(low, high)
        return g
    return reference


# =========================================================================== mistakes
def _m(hint, fn, applies=None):
    """A mistake given as fn(x_tensor, alpha, ref) -> tensor."""
    def outputs(case, ref):
        name_alpha = case.data.get("alpha")
        return fn(ref.t(case.args[0]), name_alpha, ref)
    return Mistake(hint, outputs, applies)


def _default_only(case):
    return bool(case.data.get("default"))


def _sig(x, ref):
    return ref.torch.sigmoid(x)


def _sp(x, ref):
    return ref.F.softplus(x)


MISTAKES = {
    "sigmoid": (
        _m("you computed \u03c3(-x) = 1/(1 + e^{x}) = 1 - \u03c3(x): the exponent is -x, so "
           "\u03c3(x) = 1/(1 + e^{-x}).",
           lambda x, a, ref: ref.torch.sigmoid(-x)),
        _m("you computed tanh(x); the sigmoid is 1/(1 + e^{-x}), between 0 and 1.",
           lambda x, a, ref: ref.torch.tanh(x)),
    ),
    "tanh": (
        _m("you computed 2\u03c3(x) - 1 = tanh(x/2): the identity is tanh(x) = 2\u03c3(2x) - 1, with 2x inside.",
           lambda x, a, ref: 2 * ref.torch.sigmoid(x) - 1),
        _m("you computed the sigmoid; tanh(x) = (e^x - e^{-x})/(e^x + e^{-x}) lies between -1 and 1.",
           lambda x, a, ref: ref.torch.sigmoid(x)),
        _m("you computed tanh(2x): tanh(x) = 2/(1 + e^{-2x}) - 1, and that formula already holds the 2.",
           lambda x, a, ref: ref.torch.tanh(2 * x)),
    ),
    "relu": (
        _m("negative inputs must give 0, not their absolute value: relu(x) = max(0, x).",
           lambda x, a, ref: x.abs()),
        _m("you kept the negative part, min(0, x); relu keeps the positive part, max(0, x).",
           lambda x, a, ref: ref.torch.clamp(x, max=0)),
        _m("you computed max(0, -x): the positive inputs pass through, the negative ones become 0.",
           lambda x, a, ref: ref.F.relu(-x)),
        _m("you returned the derivative (0/1) instead of max(0, x).",
           lambda x, a, ref: (x > 0).double()),
    ),
    "leaky_relu": (
        _m("alpha multiplies the negative inputs, not the positive ones: x for x >= 0, alpha\u00b7x for x < 0.",
           lambda x, a, ref: ref.torch.where(x >= 0, a * x, x)),
        _m("negative inputs become 0 as in relu: a leaky ReLU lets alpha\u00b7x through for x < 0.",
           lambda x, a, ref: ref.F.relu(x)),
        _m("the default alpha is 0.01 (as in PyTorch); the lecture's plot max(0.1x, x) uses 0.1.",
           lambda x, a, ref: ref.F.leaky_relu(x, 0.1), _default_only),
        _m("you ignored the alpha you were given and used 0.01 always: use the `alpha` argument.",
           lambda x, a, ref: ref.F.leaky_relu(x, 0.01)),
        _m("negative inputs should be alpha\u00b7x, you returned -alpha\u00b7x (or alpha\u00b7|x|).",
           lambda x, a, ref: ref.torch.where(x >= 0, x, -a * x)),
    ),
    "elu": (
        _m("for x < 0 ELU is alpha\u00b7(e^x - 1): you forgot the -1 (alpha\u00b7e^x jumps at 0).",
           lambda x, a, ref: ref.torch.where(x > 0, x, a * ref.torch.exp(x))),
        _m("alpha multiplies only the negative branch: x for x > 0, alpha\u00b7(e^x - 1) for x <= 0.",
           lambda x, a, ref: ref.torch.where(x > 0, a * x, a * ref.torch.expm1(x))),
        _m("you forgot alpha in the negative branch: alpha\u00b7(e^x - 1), not e^x - 1.",
           lambda x, a, ref: ref.torch.where(x > 0, x, ref.torch.expm1(x))),
        _m("you applied alpha\u00b7(e^x - 1) to every input: positive inputs pass through unchanged.",
           lambda x, a, ref: a * ref.torch.expm1(x)),
        _m("the default alpha is 1.0.", lambda x, a, ref: ref.F.elu(x, 0.1), _default_only),
        _m("max(x, alpha\u00b7(e^x - 1)) equals ELU only for alpha <= 1; for alpha > 1 it picks x just below 0. "
           "Choose the branch by the sign of x: np.where(x > 0, x, alpha\u00b7(e^x - 1)).",
           lambda x, a, ref: ref.torch.maximum(x, a * ref.torch.expm1(ref.torch.clamp(x, max=0)))),
    ),
    "mish": (
        _m("mish(x) = x\u00b7tanh(softplus(x)): you left out the factor x.",
           lambda x, a, ref: ref.torch.tanh(_sp(x, ref))),
        _m("softplus is log(1 + e^x), not log(e^x) = x: mish(x) = x\u00b7tanh(log(1 + e^x)).",
           lambda x, a, ref: x * ref.torch.tanh(x)),
        _m("you used the sigmoid where tanh belongs: mish(x) = x\u00b7tanh(softplus(x)) (x\u00b7\u03c3(x) is Swish/SiLU).",
           lambda x, a, ref: x * ref.torch.sigmoid(x)),
        _m("you used x\u00b7tanh(e^x): softplus is log(1 + e^x).",
           lambda x, a, ref: x * ref.torch.tanh(ref.torch.exp(x))),
    ),
    "sigmoid_grad": (
        _m("you wrote \u03c3(x)(1 - x): the derivative is \u03c3(x)(1 - \u03c3(x)), with \u03c3(x) in both places.",
           lambda x, a, ref: _sig(x, ref) * (1 - x)),
        _m("you applied s(1 - s) to the input x itself; first compute s = \u03c3(x), then s(1 - s).",
           lambda x, a, ref: x * (1 - x)),
        _m("you wrote 1 - \u03c3(x)\u00b2, the pattern of tanh's derivative; the sigmoid's is \u03c3(x)(1 - \u03c3(x)).",
           lambda x, a, ref: 1 - _sig(x, ref) ** 2),
        _m("you returned \u03c3(x) itself, not its derivative \u03c3(x)(1 - \u03c3(x)).",
           lambda x, a, ref: _sig(x, ref)),
        _m("you returned \u03c3(x)\u00b2; the derivative is \u03c3(x)(1 - \u03c3(x)).",
           lambda x, a, ref: _sig(x, ref) ** 2),
    ),
    "tanh_grad": (
        _m("you wrote 1 - x\u00b2: the derivative is 1 - tanh(x)\u00b2, square tanh(x), not x.",
           lambda x, a, ref: 1 - x ** 2),
        _m("you wrote 1 - tanh(x): the tanh must be squared, 1 - tanh(x)\u00b2.",
           lambda x, a, ref: 1 - ref.torch.tanh(x)),
        _m("you wrote tanh(x)(1 - tanh(x)), the sigmoid's pattern; tanh's derivative is 1 - tanh(x)\u00b2.",
           lambda x, a, ref: ref.torch.tanh(x) * (1 - ref.torch.tanh(x))),
        _m("you returned tanh(x)\u00b2 - 1: the sign is flipped, 1 - tanh(x)\u00b2.",
           lambda x, a, ref: ref.torch.tanh(x) ** 2 - 1),
        _m("you returned tanh(x) itself, not its derivative 1 - tanh(x)\u00b2.",
           lambda x, a, ref: ref.torch.tanh(x)),
    ),
    "relu_grad": (
        _m("ReLU's derivative is 0 for negative inputs (the function is flat there), not 1.",
           lambda x, a, ref: ref.torch.ones_like(x)),
        _m("ReLU's derivative is 0 for negative inputs, not -1 (you returned the sign of x).",
           lambda x, a, ref: ref.torch.sign(x)),
        _m("you returned relu(x) itself; its derivative is 1 for x > 0 and 0 for x < 0.",
           lambda x, a, ref: ref.F.relu(x)),
        _m("the derivative is inverted: 1 for x > 0, 0 for x < 0.",
           lambda x, a, ref: (x < 0).double()),
    ),
    "leaky_relu_grad": (
        _m("the derivative is 1 for x > 0 and alpha for x < 0; you swapped them.",
           lambda x, a, ref: ref.torch.where(x > 0, a * ref.torch.ones_like(x), ref.torch.ones_like(x))),
        _m("for x < 0 the derivative is alpha, not 0 (that is ReLU's).",
           lambda x, a, ref: (x > 0).double()),
        _m("you returned leaky_relu(x) itself; its derivative is 1 for x > 0 and alpha for x < 0.",
           lambda x, a, ref: ref.F.leaky_relu(x, a)),
        _m("the default alpha is 0.01 (as in PyTorch); the lecture's plot uses 0.1.",
           lambda x, a, ref: ref.torch.where(x > 0, ref.torch.ones_like(x), 0.1 * ref.torch.ones_like(x)),
           _default_only),
        _m("you ignored the alpha you were given and used 0.01 always: use the `alpha` argument.",
           lambda x, a, ref: ref.torch.where(x > 0, ref.torch.ones_like(x), 0.01 * ref.torch.ones_like(x))),
        _m("for x < 0 the derivative is alpha, not alpha\u00b7x.",
           lambda x, a, ref: ref.torch.where(x > 0, ref.torch.ones_like(x), a * x)),
    ),
    "elu_grad": (
        _m("for x < 0 the derivative of alpha\u00b7(e^x - 1) is alpha\u00b7e^x: the -1 disappears when you differentiate.",
           lambda x, a, ref: ref.torch.where(x > 0, ref.torch.ones_like(x), a * ref.torch.expm1(x))),
        _m("for x < 0 the derivative is alpha\u00b7e^x: you forgot alpha.",
           lambda x, a, ref: ref.torch.where(x > 0, ref.torch.ones_like(x), ref.torch.exp(x))),
        _m("for x > 0 ELU is x, so its derivative there is 1, not alpha\u00b7e^x.",
           lambda x, a, ref: a * ref.torch.exp(x)),
        _m("for x < 0 the derivative is alpha\u00b7e^x, not 0.",
           lambda x, a, ref: (x > 0).double()),
        _m("you returned elu(x) itself, not its derivative.",
           lambda x, a, ref: ref.F.elu(x, a)),
        _m("the default alpha is 1.0.",
           lambda x, a, ref: ref.torch.where(x > 0, ref.torch.ones_like(x), 0.1 * ref.torch.exp(x)), _default_only),
    ),
    "mish_grad": (
        _m("mish is a product, x\u00b7tanh(softplus(x)): by the product rule its derivative is "
           "tanh(sp) + x\u00b7(1 - tanh(sp)\u00b2)\u00b7\u03c3(x); you kept only the first term.",
           lambda x, a, ref: ref.torch.tanh(_sp(x, ref))),
        _m("the chain rule through softplus is missing: d/dx softplus(x) = \u03c3(x) multiplies the second term.",
           lambda x, a, ref: ref.torch.tanh(_sp(x, ref)) + x * (1 - ref.torch.tanh(_sp(x, ref)) ** 2)),
        _m("the derivative of tanh(u) is 1 - tanh(u)\u00b2: you wrote 1 - tanh(u) (the square is missing).",
           lambda x, a, ref: ref.torch.tanh(_sp(x, ref)) + x * (1 - ref.torch.tanh(_sp(x, ref))) * _sig(x, ref)),
        _m("you kept only the second term of the product rule; add tanh(softplus(x)).",
           lambda x, a, ref: x * (1 - ref.torch.tanh(_sp(x, ref)) ** 2) * _sig(x, ref)),
        _m("d/dx softplus(x) is \u03c3(x) = 1/(1 + e^{-x}), not e^x or 1/(1 + e^x).",
           lambda x, a, ref: ref.torch.tanh(_sp(x, ref)) + x * (1 - ref.torch.tanh(_sp(x, ref)) ** 2) * _sig(-x, ref)),
        _m("you returned mish(x) itself, not its derivative.",
           lambda x, a, ref: ref.F.mish(x)),
    ),
}

HINTS = {
    "sigmoid": "\u03c3(x) = 1/(1 + e^{-x}), elementwise; for x < 0 the same value is e^{x}/(1 + e^{x}).",
    "tanh": "tanh(x) = (e^x - e^{-x})/(e^x + e^{-x}) = 2/(1 + e^{-2x}) - 1, elementwise (np.tanh is fine).",
    "relu": "relu(x) = max(0, x), elementwise, same shape as x (np.maximum, not np.max).",
    "leaky_relu": "leaky_relu(x) = x for x >= 0 and alpha\u00b7x for x < 0, with alpha from the argument (default 0.01).",
    "elu": "elu(x) = x for x > 0 and alpha\u00b7(e^x - 1) for x <= 0 (default alpha 1.0).",
    "mish": "mish(x) = x\u00b7tanh(softplus(x)) with softplus(x) = log(1 + e^x).",
    "sigmoid_grad": "\u03c3'(x) = \u03c3(x)(1 - \u03c3(x)): compute s = \u03c3(x) first.",
    "tanh_grad": "tanh'(x) = 1 - tanh(x)\u00b2.",
    "relu_grad": "relu'(x) = 1 for x > 0 and 0 for x < 0; at 0 any value in [0, 1] is accepted.",
    "leaky_relu_grad": "leaky_relu'(x) = 1 for x > 0 and alpha for x < 0; at 0 anything between alpha and 1.",
    "elu_grad": "elu'(x) = 1 for x > 0 and alpha\u00b7e^x for x < 0; at 0 anything between alpha and 1.",
    "mish_grad": ("mish'(x) = tanh(sp) + x\u00b7(1 - tanh(sp)\u00b2)\u00b7\u03c3(x) with sp = softplus(x) "
                  "(product rule, then the chain rule through tanh and softplus)."),
}

ELEMENTWISE = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "mish")

for _name in ELEMENTWISE + tuple(f"{n}_grad" for n in ELEMENTWISE):
    _base = _name.replace("_grad", "")
    _sig_txt = f"{_name}(x, alpha={DEFAULT_ALPHA[_base]})" if _base in DEFAULT_ALPHA else f"{_name}(x)"
    register(Exercise(
        name=_name,
        lesson=LESSON,
        signature=_sig_txt,
        cases=(lambda n: (lambda rng: _cases_for(n, rng)))(_name),
        reference=_grad_ref(_base) if _name.endswith("_grad") else _value_ref(_base),
        outputs=(Output("out"),),
        mistakes=MISTAKES[_name],
        hint=HINTS[_name],
    ))


# =========================================================================== softmax
def _softmax_cases(rng):
    square = rng.normal(size=(4, 4))
    mixed = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -999.0, -1001.0], [0.5, -0.5, 0.0]])
    cases = [
        ("the lecture's network output [0.62, -0.83] and a row of zeros", np.array([[0.62, -0.83], [0.0, 0.0]])),
        ("random logits (5, 3)", rng.normal(size=(5, 3))),
        ("a square (4, 4) batch", square),
        ("logits in the thousands", rng.normal(scale=1000.0, size=(6, 4))),
        ("one row in the thousands, one around -1000", mixed),
        ("a batch of one, 10 classes", rng.normal(scale=3.0, size=(1, 10))),
        ("a (3, 1) batch: one class", rng.normal(size=(3, 1))),
    ]
    return [Case(label, (z,), arg_names=["z"]) for label, z in cases]


def _softmax_mistakes():
    def m(hint, fn):
        return Mistake(hint, lambda case, ref: fn(ref.t(case.args[0]), ref))

    return (
        m("softmax over the wrong axis: each ROW (one sample) must sum to 1, so reduce with axis=1 "
          "(keepdims=True).", lambda z, ref: ref.F.softmax(z, dim=0)),
        m("e^z overflows for large logits (e^1000 = inf, inf/inf = nan): subtract each row's maximum "
          "first, m = max(z), softmax(z) = e^{z-m}/\u03a3e^{z-m}.",
          lambda z, ref: ref.torch.exp(z) / ref.torch.exp(z).sum(dim=1, keepdim=True)),
        m("you subtracted the maximum of the whole array; a row far below it underflows to 0/0. "
          "Subtract each row's own maximum: z.max(axis=1, keepdims=True).",
          lambda z, ref: ref.torch.exp(z - z.max()) / ref.torch.exp(z - z.max()).sum(dim=1, keepdim=True)),
        m("the row maximum is broadcast along the wrong axis: use z.max(axis=1, keepdims=True) so that "
          "it has shape (N, 1).",
          lambda z, ref: ref.F.softmax(z - z.max(dim=1).values[None, :], dim=1)
          if z.shape[0] == z.shape[1] else _nan_like(z, ref)),
        m("the row sums are broadcast along the wrong axis: use .sum(axis=1, keepdims=True) so that they "
          "have shape (N, 1).",
          lambda z, ref: _exp_shift(z, ref) / _exp_shift(z, ref).sum(dim=1)[None, :]
          if z.shape[0] == z.shape[1] else _nan_like(z, ref)),
        m("you normalized by the sum over the whole batch; each row must be divided by its own sum.",
          lambda z, ref: _exp_shift(z, ref) / _exp_shift(z, ref).sum()),
        m("you returned e^{z - max}: divide by the row sums so that each row adds up to 1.",
          lambda z, ref: _exp_shift(z, ref)),
    )


def _exp_shift(z, ref):
    return ref.torch.exp(z - z.max(dim=1, keepdim=True).values)


def _nan_like(z, ref):
    return ref.torch.full((1,), float("nan"), dtype=ref.dtype, device=ref.device)


register(Exercise(
    name="softmax",
    lesson=LESSON,
    signature="softmax(z)",
    cases=_softmax_cases,
    reference=lambda case, ref: ref.F.softmax(ref.t(case.args[0]), dim=1),
    outputs=(Output("probs"),),
    mistakes=_softmax_mistakes(),
    hint=("for each row: subtract its maximum, exponentiate, divide by the row's sum "
          "(axis=1, keepdims=True). The result has the shape of z and every row sums to 1."),
))


# =========================================================================== cross-entropy
def _ce_cases(rng):
    def labels(n, c, dtype=np.int64):
        return rng.integers(0, c, size=n).astype(dtype)

    # The lecture's "this is a 6": logits whose softmax puts most mass on class 6.
    six = np.log(np.array([[0.1, 0.2, 0.1, 0.3, 0.2, 0.1, 0.9, 0.2, 0.1, 0.1]]))
    big = rng.normal(scale=1000.0, size=(5, 4))
    y_big = np.argsort(big, axis=1)[:, 0]  # the smallest logit is the answer: -log p is huge
    cases = [
        ("the lecture's 'this is a 6' (a batch of one)", six, np.array([6])),
        ("random logits (6, 4), int64 labels", rng.normal(size=(6, 4)), labels(6, 4)),
        ("a (8, 3) batch, int32 labels", rng.normal(scale=2.0, size=(8, 3)), labels(8, 3, np.int32)),
        ("logits in the thousands, the answer is each row's smallest logit", big, y_big),
        ("logits in the thousands, uint8 labels", rng.normal(scale=1000.0, size=(4, 3)), labels(4, 3, np.uint8)),
        ("two classes, int16 labels", rng.normal(size=(5, 2)), labels(5, 2, np.int16)),
        ("a square (4, 4) batch", rng.normal(size=(4, 4)), np.array([3, 0, 1, 3])),
    ]
    return [Case(label, (z, y), arg_names=["logits", "y"]) for label, z, y in cases]


def _ce_ref(case, ref):
    z = ref.t(case.args[0], grad=True)
    loss = ref.F.cross_entropy(z, ref.long(case.args[1]))
    (dz,) = ref.torch.autograd.grad(loss, z)
    return {"loss": loss.detach(), "dlogits": dz}


def _ce_parts(case, ref):
    torch, F = ref.torch, ref.F
    z = ref.t(case.args[0])
    y = ref.long(case.args[1])
    n, c = z.shape
    onehot = F.one_hot(y, c).to(ref.dtype)
    p = F.softmax(z, dim=1)
    return torch, F, z, y, n, c, onehot, p


def _ce_mistake(hint, fn):
    return Mistake(hint, lambda case, ref: fn(*_ce_parts(case, ref)))


def _unshifted(torch, z):
    return torch.exp(z) / torch.exp(z).sum(1, keepdim=True)


def _nll(torch, logp, y):
    return -logp.gather(1, y[:, None]).squeeze(1)


CE_MISTAKES = (
    _ce_mistake("you applied softmax twice: F.cross_entropy takes LOGITS and applies the (log-)softmax itself; "
                "pass the logits, not probabilities.",
                lambda torch, F, z, y, n, c, oh, p: {"loss": _nll(torch, F.log_softmax(p, dim=1), y).mean()}),
    _ce_mistake("you applied softmax twice in the gradient: dlogits = (softmax(logits) - onehot)/N.",
                lambda torch, F, z, y, n, c, oh, p: {"dlogits": (F.softmax(p, dim=1) - oh) / n}),
    _ce_mistake("the loss is the MEAN over the batch: divide the summed -log p by N.",
                lambda torch, F, z, y, n, c, oh, p: {"loss": _nll(torch, F.log_softmax(z, dim=1), y).sum()}),
    _ce_mistake("dlogits is missing the 1/N: the loss is a mean over the batch, so its gradient is "
                "(softmax - onehot)/N.",
                lambda torch, F, z, y, n, c, oh, p: {"dlogits": p - oh}),
    _ce_mistake("you averaged over the classes too (N\u00b7C terms); average over the N samples only.",
                lambda torch, F, z, y, n, c, oh, p: {"loss": _nll(torch, F.log_softmax(z, dim=1), y).sum() / (n * c)}),
    _ce_mistake("dlogits must subtract the one-hot target: (softmax(logits) - onehot)/N.",
                lambda torch, F, z, y, n, c, oh, p: {"dlogits": p / n}),
    _ce_mistake("dlogits has the wrong sign: it is (softmax - onehot)/N, prediction minus target.",
                lambda torch, F, z, y, n, c, oh, p: {"dlogits": (oh - p) / n}),
    _ce_mistake("the softmax inside the loss is taken over the wrong axis: each row (sample) is one "
                "distribution, axis=1.",
                lambda torch, F, z, y, n, c, oh, p: {"loss": _nll(torch, F.log_softmax(z, dim=0), y).mean()}),
    _ce_mistake("the softmax in dlogits is taken over the wrong axis: normalize each row, axis=1.",
                lambda torch, F, z, y, n, c, oh, p: {"dlogits": (F.softmax(z, dim=0) - oh) / n}),
    _ce_mistake("e^logits overflows for large logits (e^1000 = inf, inf/inf = nan): subtract each row's "
                "maximum before exponentiating (log-sum-exp).",
                lambda torch, F, z, y, n, c, oh, p: {
                    "loss": -(oh * torch.log(_unshifted(torch, z))).sum() / n,
                    "dlogits": (_unshifted(torch, z) - oh) / n}),
    _ce_mistake("e^logits overflows for large logits (e^1000 = inf, inf/inf = nan): subtract each row's "
                "maximum before exponentiating (log-sum-exp).",
                lambda torch, F, z, y, n, c, oh, p: {
                    "loss": _nll(torch, torch.log(_unshifted(torch, z)), y).mean(),
                    "dlogits": (_unshifted(torch, z) - oh) / n}),
    _ce_mistake("e^logits overflows for large logits: subtract each row's maximum before exponentiating.",
                lambda torch, F, z, y, n, c, oh, p: {"dlogits": (_unshifted(torch, z) - oh) / n}),
    _ce_mistake("log(softmax) of a tiny probability underflows to log(0) = -inf (and 0\u00b7(-inf) = nan in "
                "onehot\u00b7log p) for large logits: compute log-probabilities directly, "
                "log p = z - m - log \u03a3 e^{z-m} (log-sum-exp).",
                lambda torch, F, z, y, n, c, oh, p: {"loss": -(oh * torch.log(p)).sum() / n}),
    _ce_mistake("you indexed the probabilities with p[:, y] (an N\u00d7N block); pick one entry per row with "
                "p[np.arange(N), y].",
                lambda torch, F, z, y, n, c, oh, p: {"loss": -F.log_softmax(z, dim=1)[:, y].mean()}),
    _ce_mistake("you took -log p of EVERY class; the loss uses only the true class's log-probability in each row: "
                "logp[np.arange(N), y] (or onehot\u00b7logp), then the mean over the N samples.",
                lambda torch, F, z, y, n, c, oh, p: {"loss": -F.log_softmax(z, dim=1).mean()}),
    _ce_mistake("you took -log p of EVERY class; the loss uses only the true class's log-probability in each row: "
                "logp[np.arange(N), y] (or onehot\u00b7logp), then the mean over the N samples.",
                lambda torch, F, z, y, n, c, oh, p: {"loss": -F.log_softmax(z, dim=1).sum() / n}),
) + tuple(
    # log(p + eps) or log(np.clip(p, eps, 1)) for the usual choices of eps: right for ordinary logits,
    # capped at -log(eps) where the true class's probability underflows.
    _ce_mistake("you clipped the probability before the log (log(p + eps) or np.clip(p, eps, 1)): for large logits "
                "the true class's probability underflows to 0 and the clip caps the loss at -log(eps), far below "
                "the real loss. Compute log-probabilities directly: log p = z - m - log \u03a3 e^{z-m} (log-sum-exp).",
                (lambda e, clip: lambda torch, F, z, y, n, c, oh, p: {
                    "loss": -torch.log(p.gather(1, y[:, None]).clamp(min=e) if clip
                                       else p.gather(1, y[:, None]) + e).mean()})(eps, clip))
    for eps in (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-12, 1e-15, 1e-16, 1e-20, 1e-30, 1e-100, 1e-300,
                float(np.finfo(np.float64).eps), float(np.finfo(np.float32).eps), float(np.finfo(np.float64).tiny))
    for clip in (False, True)
)


register(Exercise(
    name="cross_entropy",
    lesson=LESSON,
    signature="cross_entropy(logits, y)",
    cases=_ce_cases,
    reference=_ce_ref,
    outputs=(Output("loss", scalar=True), Output("dlogits")),
    mistakes=CE_MISTAKES,
    hint=("loss = mean over the batch of -log softmax(logits)[i, y_i], computed stably as "
          "-(z_y - m - log \u03a3 e^{z-m}) with m the row's maximum (np.log of a softmax probability can "
          "underflow to log(0) = -inf for large logits); dlogits = (softmax(logits) - onehot(y)) / N."),
))
