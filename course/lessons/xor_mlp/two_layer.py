"""Lesson 02 exercise specs: ``two_layer_forward``, ``two_layer_backward`` (a forward/backward pair over a
dict of parameters) and ``train_xor`` (graded by what the trained network computes)."""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, StudentError, register, unpack
from course.checks.spec import Signature
from course.checks.compare import as_array, require_keys, tolerance_for, value_report
from course.checks.kinds import Layer, Training

from .lecture import LECTURE_W1, LECTURE_W2, LECTURE_X, PARAM_KEYS, TRUTH_TABLES, X_GATE, XOR_HAND_PARAMS


FORWARD = "two_layer_forward(X, params)"


def network(ref, X, params, *, t1=False, t2=False, hidden_sigmoid=True, output_sigmoid=True, biases=True,
            flipped=False, bias_after=False):
    """σ(σ(X W1 + b1) W2 + b2) in torch; the flags give the plausible wrong versions of the forward pass."""
    def act(z):
        return ref.torch.sigmoid(-z if flipped else z)

    W1 = params["W1"].T if t1 else params["W1"]
    W2 = params["W2"].T if t2 else params["W2"]
    if bias_after:  # σ(X @ W1) + b1, then σ(h @ W2) + b2
        return act((act(X @ W1) + params["b1"]) @ W2) + params["b2"]
    z1 = X @ W1 + (params["b1"] if biases else 0)
    h = act(z1) if hidden_sigmoid else z1
    z2 = h @ W2 + (params["b2"] if biases else 0)
    return act(z2) if output_sigmoid else z2


def _random_params(rng, D, H, C, scale=1.0):
    return {"W1": rng.normal(scale=scale, size=(D, H)), "b1": rng.normal(scale=0.5, size=H),
            "W2": rng.normal(scale=scale, size=(H, C)), "b2": rng.normal(scale=0.5, size=C)}


def _two_cases(rng):
    lecture = {"W1": LECTURE_W1.copy(), "b1": np.zeros(2), "W2": LECTURE_W2.copy(), "b2": np.zeros(1)}
    # Square weights come first, so that a transposed weight is named rather than met with a shape error;
    # the lecture's network comes later: a single sample with a 1-by-1 output tells mistakes apart poorly
    # (a 1-by-1 array is its own transpose), so a failure is named on a general case first.
    return [
        Case("square weights: X (5, 3), W1 (3, 3), W2 (3, 3)",
             {"X": rng.normal(size=(5, 3)), "params": _random_params(rng, 3, 3, 3)}, data={"dout": rng.normal(size=(5, 3))}),
        Case("X (6, 3), H = 4, C = 2", {"X": rng.normal(size=(6, 3)), "params": _random_params(rng, 3, 4, 2)},
             data={"dout": rng.normal(size=(6, 2))}),
        Case("the lecture's network with sigmoids, x = [[2, 3]], zero biases", {"X": LECTURE_X.copy(), "params": lecture},
             data={"dout": np.array([[-0.6]])}),
        Case("the four XOR inputs, a hand-made 2-2-1 network (OR and NAND units, then AND)",
             {"X": X_GATE.copy(), "params": {k: v.copy() for k, v in XOR_HAND_PARAMS.items()}},
             data={"dout": rng.normal(size=(4, 1))}),
        Case("a batch of one sample, X (1, 5), H = 3, C = 1",
             {"X": rng.normal(size=(1, 5)), "params": _random_params(rng, 5, 3, 1)}, data={"dout": rng.normal(size=(1, 1))}),
        Case("large pre-activations (up to about ±30), X (4, 2), H = 3, C = 2",
             {"X": rng.normal(scale=3, size=(4, 2)), "params": _random_params(rng, 2, 3, 2, scale=4)},
             data={"dout": rng.normal(size=(4, 2))}),
    ]


# --------------------------------------------------------------------------- two_layer_forward
register(Exercise(
    name="two_layer_forward",
    signature=FORWARD,
    cases=_two_cases,
    reference=lambda ref, X, params: {"out": network(ref, X, params)},
    outputs=(Output("out"), Output("cache", kind="skip")),
    mistakes=(
        Mistake("both_transposed", "the weights are used transposed: W1 is (D, H) and W2 is (H, C), so the products "
                "are X @ W1 and h @ W2.", lambda ref, X, params: {"out": network(ref, X, params, t1=True, t2=True)}),
        Mistake("w1_transposed", "W1 is used transposed: W1 has shape (D, H), so the hidden pre-activation is "
                "X @ W1 + b1.", lambda ref, X, params: {"out": network(ref, X, params, t1=True)}),
        Mistake("w2_transposed", "W2 is used transposed: W2 has shape (H, C), so the output pre-activation is "
                "h @ W2 + b2.", lambda ref, X, params: {"out": network(ref, X, params, t2=True)}),
        Mistake("no_output_sigmoid", "the output layer has no sigmoid: out = σ(h @ W2 + b2).",
                lambda ref, X, params: {"out": network(ref, X, params, output_sigmoid=False)}),
        Mistake("no_hidden_sigmoid", "the hidden layer has no sigmoid: h = σ(X @ W1 + b1).",
                lambda ref, X, params: {"out": network(ref, X, params, hidden_sigmoid=False)}),
        Mistake("no_biases", "the biases are missing: add b1 and b2 before each sigmoid.",
                lambda ref, X, params: {"out": network(ref, X, params, biases=False)}),
        Mistake("sigmoid_sign", "the sigmoid has the wrong sign in the exponent: σ(z) = 1 / (1 + exp(−z)).",
                lambda ref, X, params: {"out": network(ref, X, params, flipped=True)}),
        Mistake("biases_after_sigmoid", "the biases are added after the sigmoids; they belong inside: "
                "h = σ(X @ W1 + b1), out = σ(h @ W2 + b2).",
                lambda ref, X, params: {"out": network(ref, X, params, bias_after=True)}),
    ),
    hint=("h = σ(X @ W1 + b1) is (N, H), out = σ(h @ W2 + b2) is (N, C), σ(z) = 1 / (1 + exp(−z)); with W1 (D, H) "
          "and W2 (H, C) no transposes are needed; return (out, cache)."),
))


# --------------------------------------------------------------------------- two_layer_backward
def _gradients(ref, X, params, dout):
    """The right gradients, by autograd."""
    leaves = {k: params[k].detach().clone().requires_grad_(True) for k in PARAM_KEYS}
    grads = ref.torch.autograd.grad(network(ref, X, leaves), [leaves[k] for k in PARAM_KEYS], dout)
    return dict(zip(PARAM_KEYS, grads))


def _backprop(ref, X, params, dout, *, deriv="out", hidden_deriv=None, output_derivative=True,
              hidden_derivative=True, W2_not_transposed=False):
    """Backpropagation written out in torch with one slip, where autograd cannot express it.

    deriv: how σ′ is computed: "out" a(1 − a) (right), "pre" z(1 − z), "twice" σ(a)(1 − σ(a)).
    """
    sig = ref.torch.sigmoid

    def d_act(z, a, how):
        return {"out": a * (1 - a), "pre": z * (1 - z), "twice": sig(a) * (1 - sig(a))}[how]

    z1 = X @ params["W1"] + params["b1"]
    a1 = sig(z1)
    z2 = a1 @ params["W2"] + params["b2"]
    a2 = sig(z2)
    dz2 = dout * d_act(z2, a2, deriv) if output_derivative else dout
    da1 = dz2 @ (params["W2"] if W2_not_transposed else params["W2"].T)
    dz1 = da1 * d_act(z1, a1, hidden_deriv or deriv) if hidden_derivative else da1
    return {"W1": X.T @ dz1, "b1": dz1.sum(0), "W2": a1.T @ dz2, "b2": dz2.sum(0), "dz1": dz1, "dz2": dz2}


def _slip(**kw):
    """The four gradients of a backward pass with the slip ``kw``."""
    return lambda ref, X, params, dout: {k: v for k, v in _backprop(ref, X, params, dout, **kw).items()
                                         if k in PARAM_KEYS}


register(Exercise(
    name="two_layer_backward",
    signature=FORWARD,
    kind=Layer(backward="two_layer_backward(dout, cache)", returns="dict",
               grads={"W1": "params.W1", "b1": "params.b1", "W2": "params.W2", "b2": "params.b2"}),
    cases=_two_cases,
    reference=lambda ref, X, params: network(ref, X, params),
    outputs=tuple(Output(k) for k in PARAM_KEYS),
    mistakes=(
        Mistake("derivative_of_pre_activation", "the sigmoid's derivative is applied to the pre-activation, "
                "z(1 − z); it is a(1 − a) with a = σ(z), the layer's output (keep it in the cache).", _slip(deriv="pre")),
        Mistake("hidden_derivative_of_pre_activation", "the hidden layer's sigmoid derivative uses the "
                "pre-activation, z1(1 − z1); it is h(1 − h) with h = σ(z1).", _slip(hidden_deriv="pre")),
        Mistake("sigmoid_twice", "σ is applied twice in the derivative, σ(a)(1 − σ(a)) with a already σ(z); the "
                "derivative is a(1 − a).", _slip(deriv="twice")),
        Mistake("dout_ignored", "dout is ignored: the upstream gradient multiplies everything, "
                "dz2 = dout · out(1 − out).",
                lambda ref, X, params, dout: _gradients(ref, X, params, ref.torch.ones_like(dout))),
        Mistake("no_output_derivative", "the output sigmoid's derivative is missing: dz2 = dout · out(1 − out).",
                _slip(output_derivative=False)),
        Mistake("no_hidden_derivative", "the hidden sigmoid's derivative is missing: dz1 = (dz2 @ W2.T) · h(1 − h).",
                _slip(hidden_derivative=False)),
        Mistake("w2_not_transposed", "the gradient flowing to the hidden layer uses W2 where W2.T belongs: "
                "dh = dz2 @ W2.T.", _slip(W2_not_transposed=True),
                when=lambda params: params["W2"].shape[0] == params["W2"].shape[1]),
        Mistake("divided_by_n", "the gradients are divided by N: the backward pass does not average (any 1/N "
                "belongs to the loss, and dout already carries it).",
                lambda ref, X, params, dout: {k: g / X.shape[0] for k, g in _gradients(ref, X, params, dout).items()}),
        Mistake("db1_wrong_axis", "a bias gradient is summed over the wrong axis: db = dz.sum(axis=0), one entry per "
                "unit, summed over the samples.",
                lambda ref, X, params, dout: {"b1": _backprop(ref, X, params, dout)["dz1"].sum(1)}),
        Mistake("db2_wrong_axis", "a bias gradient is summed over the wrong axis: db = dz.sum(axis=0), one entry per "
                "unit, summed over the samples.",
                lambda ref, X, params, dout: {"b2": _backprop(ref, X, params, dout)["dz2"].sum(1)}),
        Mistake("dw1_transposed", "a weight gradient is transposed: dW1 = X.T @ dz1 has the shape of W1, (D, H).",
                lambda ref, X, params, dout: {"W1": _gradients(ref, X, params, dout)["W1"].T}),
        Mistake("dw2_transposed", "a weight gradient is transposed: dW2 = h.T @ dz2 has the shape of W2, (H, C).",
                lambda ref, X, params, dout: {"W2": _gradients(ref, X, params, dout)["W2"].T}),
    ),
    hint=("dz2 = dout · out(1 − out); dW2 = h.T @ dz2; db2 = dz2.sum(axis=0); dz1 = (dz2 @ W2.T) · h(1 − h); "
          "dW1 = X.T @ dz1; db1 = dz1.sum(axis=0). Return a dict with keys W1, b1, W2, b2."),
    points=2,
))


# --------------------------------------------------------------------------- train_xor
def _train_cases(rng):
    seed = int(rng.integers(0, 1000))
    return [Case(f"train_xor(seed={seed}), then the network on the four XOR inputs", {"seed": seed})]


def _params_arrays(params, what):
    """The student's params as float arrays of a 2-H-1 network, or a StudentError saying what is wrong."""
    try:
        require_keys(params, PARAM_KEYS, what)
    except ValueError as e:
        raise StudentError(str(e)) from None
    arrays = {}
    for k in PARAM_KEYS:
        try:
            arrays[k] = as_array(params[k], f"params[{k!r}]")
        except ValueError as e:
            raise StudentError(str(e)) from None
        if not np.all(np.isfinite(arrays[k])):
            raise StudentError(f"params[{k!r}] holds inf or NaN: training diverged. Lower the learning rate.")
    W1 = arrays["W1"]
    if W1.ndim != 2 or W1.shape[0] != 2 or W1.shape[1] < 1:
        raise StudentError(f"params['W1'] has shape {W1.shape}; it should be (2, H): 2 inputs, H hidden units.")
    H = W1.shape[1]
    for k, want in (("b1", (H,)), ("W2", (H, 1)), ("b2", (1,))):
        if arrays[k].shape != want:
            raise StudentError(f"params[{k!r}] has shape {arrays[k].shape}; with W1 of shape {W1.shape} it should be "
                               f"{want} (2 inputs, {H} hidden units, 1 output).")
    return arrays


def _not_learned(values, arrays, said):
    """A sentence for a network that has not learned XOR, when its outputs say why; else None."""
    W1, b1 = arrays["W1"], arrays["b1"]
    if W1.shape[1] > 1 and np.allclose(W1, W1[:, :1]) and np.allclose(b1, b1[0]):
        return (f"{said}, and all hidden units have identical weights: start from small random weights "
                "(e.g. rng.normal), not zeros or a constant, so the hidden units can learn different features.")
    if np.all((values > 1 - 1e-6) | (values < 1e-6)) and np.ptp(values) < 0.25:
        return (f"{said}: the sigmoids are saturated, which usually means the learning rate is far too large "
                "(the weights blew up). Lower it, e.g. to between 0.5 and 5.")
    if np.ptp(values) < 0.25:
        return (f"{said}: nearly the same for every input, so the network has not learned yet. Train for more "
                "epochs, raise the learning rate, or use a few more hidden units.")
    return None


def _xor_outcome(result, call, objects, ref):
    """Run the trained network (the student's two_layer_forward and PyTorch's) on the four XOR inputs."""
    arrays = _params_arrays(result, "What `train_xor` returned")
    expected = ref.np(network(ref, ref.t(X_GATE), {k: ref.t(v) for k, v in arrays.items()}))
    raw = call(objects[1], X_GATE.copy(), result, what="two_layer_forward", names=Signature.parse(FORWARD).params)
    out, _cache = unpack(raw, "two_layer_forward")
    try:
        out = as_array(out, "the output of your two_layer_forward")
    except ValueError as e:
        raise StudentError(str(e)) from None
    if out.shape != expected.shape:
        raise StudentError(f"on your trained params, two_layer_forward returns shape {out.shape}; the network's "
                           f"output is {expected.shape}. Make two_layer_forward pass its own check first.")
    ok, report = value_report(out, expected, tolerance_for(out))
    if not ok:
        raise StudentError("on your trained params, your two_layer_forward disagrees with PyTorch's "
                           f"σ(σ(X W1 + b1) W2 + b2): {report} Make two_layer_forward pass its own check first.")
    values = expected.reshape(4)
    pred = np.round(values)
    if not np.array_equal(pred, TRUTH_TABLES["XOR"]):
        said = (f"The network's outputs on the four inputs are {', '.join(f'{v:.3f}' for v in values)} "
                f"(rounded {pred.astype(int).tolist()}; XOR is [0, 1, 1, 0])")
        problem = _not_learned(values, arrays, said)
        if problem:
            raise StudentError(problem)
    return {"xor": pred}


def _table(bits):
    return lambda ref: ref.torch.tensor(bits, dtype=ref.dtype, device=ref.device)


_NOT_YET = "Train for more epochs, raise the learning rate, or use a few more hidden units."

register(Exercise(
    name="train_xor",
    signature=("train_xor(seed=0)", FORWARD),
    kind=Training(outcome=_xor_outcome),
    cases=_train_cases,
    reference=lambda ref: ref.torch.tensor(TRUTH_TABLES["XOR"], dtype=ref.dtype, device=ref.device),
    outputs=(Output("xor", kind="int"),),
    time_limit=120.0,
    mistakes=(
        Mistake("all_zero", f"the network gives class 0 for every input: it has not learned yet. {_NOT_YET}",
                _table([0, 0, 0, 0])),
        Mistake("all_one", f"the network gives class 1 for every input: it has not learned yet. {_NOT_YET}",
                _table([1, 1, 1, 1])),
        Mistake("inverted", "the outputs are inverted (XNOR): check the targets [0, 1, 1, 0] and the sign of the "
                "update, params -= lr · grads.", _table([1, 0, 0, 1])),
        Mistake("computes_or", "the network computes OR: (1, 1) is still wrong. Train longer, with a larger learning "
                "rate or more hidden units, and check the gradients with numerical_gradient.", _table([0, 1, 1, 1])),
        Mistake("computes_and", "the network computes AND. Train longer, with a larger learning rate or more hidden "
                "units, and check the gradients with numerical_gradient.", _table([0, 0, 0, 1])),
    ),
    hint=("train a 2-H-1 sigmoid network on the four XOR inputs with gradient descent (mse_loss, "
          "two_layer_backward, params[k] -= lr · grads[k]) until every rounded output matches [0, 1, 1, 0]; "
          "start from small random weights drawn with np.random.default_rng(seed)."),
    points=2,
))
