"""Lesson 01 exercise specs: ``step``, ``perceptron_predict``, ``gate_weights``, ``perceptron_train``."""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, StudentError, register
from course.checks.compare import as_array, require_keys
from course.checks.kinds import Value

from .lecture import GATES, TRUTH_TABLES, X_GATE


def _heaviside(ref, z):
    return ref.torch.heaviside(z, ref.torch.zeros((), dtype=z.dtype, device=ref.device)).double()


# --------------------------------------------------------------------------- step
def _step_cases(rng):
    return [
        Case("a few numbers, zero among them", {"z": np.array([-2.0, -0.5, 0.0, 0.5, 3.0])}),
        Case("a (4, 3) matrix", {"z": rng.normal(size=(4, 3))}),
        Case("exact zeros, -0.0 and tiny values", {"z": np.array([[0.0, -0.0, 1e-300], [-1e-300, 0.0, 2.0]])}),
        Case("a 3-D array with large values", {"z": rng.normal(scale=1e3, size=(2, 3, 4))}),
        Case("a single number in a 0-d array", {"z": np.array(rng.normal())}),
        Case("integer inputs", {"z": rng.integers(-3, 4, size=7)}),
    ]


register(Exercise(
    name="step",
    signature="step(z)",
    cases=_step_cases,
    reference=_heaviside,
    outputs=(Output("out", kind="int"),),
    mistakes=(
        Mistake("ge_zero", "step(0) must be 0: the step fires only for z > 0 (you used z >= 0).",
                lambda ref, z: (z >= 0).double()),
        Mistake("sign", "you return -1 for negative inputs (that is np.sign); the step gives 0 there.",
                lambda ref, z: ref.torch.sign(z).double()),
        Mistake("inverted", "the output is inverted: 1 where z > 0, else 0.",
                lambda ref, z: (z <= 0).double()),
        Mistake("nonzero", "you return 1 for negative inputs too (|z| > 0 or z != 0); the step is 1 only where z > 0.",
                lambda ref, z: (z != 0).double()),
    ),
    hint="the step is 1 where z > 0 and 0 elsewhere, elementwise, with the shape of z.",
))


# --------------------------------------------------------------------------- predict
def _predict_cases(rng):
    X3 = rng.normal(size=(6, 3))
    # Integer rows, three of which give x · (1, -1, 2) = 0 exactly whatever the seed, in random places.
    Xi = np.vstack([rng.integers(-2, 3, size=(5, 3)), [[1, 1, 0], [2, 0, -1], [0, 2, 1]]])
    Xi = Xi[rng.permutation(len(Xi))].astype(float)
    return [
        Case("the AND gate with the lecture's weights (1, 1), -1.5",
             {"X": X_GATE.copy(), "w": np.array([1.0, 1.0]), "b": -1.5}),
        Case("the NAND gate with the lecture's weights (-0.5, -0.5), 0.6",
             {"X": X_GATE.copy(), "w": np.array([-0.5, -0.5]), "b": 0.6}),
        Case("random X (6, 3)", {"X": X3, "w": rng.normal(size=3), "b": float(rng.normal())}),
        Case("sums that land exactly on 0", {"X": Xi, "w": np.array([1.0, -1.0, 2.0]), "b": 0.0}),
        Case("a batch of one sample", {"X": rng.normal(size=(1, 4)), "w": rng.normal(size=4), "b": 0.25}),
        Case("bias as a NumPy number", {"X": X3[:, :2], "w": np.array([2.0, -1.0]), "b": np.float64(-0.5)}),
    ]


register(Exercise(
    name="perceptron_predict",
    signature="perceptron_predict(X, w, b)",
    cases=_predict_cases,
    reference=lambda ref, X, w, b: _heaviside(ref, X @ w + float(b)),
    outputs=(Output("y_hat", kind="int"),),
    mistakes=(
        Mistake("bias_subtracted", "the bias is subtracted: the pre-activation is X @ w + b.",
                lambda ref, X, w, b: ((X @ w - float(b)) > 0).double()),
        Mistake("no_bias", "the bias is missing: add b to X @ w.", lambda ref, X, w: ((X @ w) > 0).double()),
        Mistake("ge_zero", "a sum of exactly 0 must give 0 (z > 0, not z >= 0).",
                lambda ref, X, w, b: ((X @ w + float(b)) >= 0).double()),
        Mistake("no_step", "you return the weighted sum X @ w + b itself: apply the step to it.",
                lambda ref, X, w, b: X @ w + float(b)),
        Mistake("sign", "you return -1 for negative sums (that is np.sign); the step gives 0 there.",
                lambda ref, X, w, b: ref.torch.sign(X @ w + float(b))),
        Mistake("sigmoid", "you apply the sigmoid, which gives fractions; the perceptron applies the step: 1 where "
                "X @ w + b > 0, else 0.", lambda ref, X, w, b: ref.torch.sigmoid(X @ w + float(b))),
    ),
    hint="each row's prediction is step(x · w + b): one 0/1 value per sample, shape (N,).",
))


# --------------------------------------------------------------------------- gate weights
def _gate_tables_ref(ref):
    a = ref.torch.tensor(X_GATE[:, 0] > 0, device=ref.device)
    b = ref.torch.tensor(X_GATE[:, 1] > 0, device=ref.device)
    land, lor = ref.torch.logical_and(a, b), ref.torch.logical_or(a, b)
    return {"AND": land, "OR": lor, "NAND": ~land, "NOR": ~lor}


def _gate_outputs(ref, value):
    """The truth table each gate's (w, b) produces, or a StudentError saying why it can't."""
    try:
        require_keys(value, GATES, "gate_weights")
    except ValueError as e:
        raise StudentError(str(e)) from None
    out = {}
    for g in GATES:
        pair = value[g]
        if pair is None or isinstance(pair, (tuple, list)) and any(v is None for v in pair):
            raise StudentError(f"gate_weights[{g!r}] is not filled in yet: replace the None by a pair (w, b).")
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise StudentError(f"gate_weights[{g!r}] should be a pair (w, b); it is {pair!r}.")
        try:
            w = pair[0]
            if isinstance(w, (list, tuple)) and all(isinstance(v, (int, float, np.number)) for v in w):
                w = np.asarray(w, dtype=float)
            w = as_array(w, f"the w of {g}")
            b = as_array(pair[1], f"the b of {g}", scalar=True)
        except ValueError as e:
            raise StudentError(str(e)) from None
        if w.shape != (2,):
            raise StudentError(f"the w of {g} has shape {w.shape}; it should have shape (2,), one weight per input.")
        if b.shape != ():
            raise StudentError(f"the b of {g} should be a single number; it has shape {b.shape}.")
        if not (np.all(np.isfinite(w)) and np.isfinite(b)):
            raise StudentError(f"the weights of {g} are not finite numbers.")
        out[g] = ref.np(_heaviside(ref, ref.t(X_GATE) @ ref.t(w) + float(b)))
    return out


def _computes(gate, table):
    return lambda ref: {gate: ref.torch.tensor(TRUTH_TABLES[table], device=ref.device)}


register(Exercise(
    name="gate_weights",
    signature="gate_weights",
    cases=lambda rng: [Case("the four truth tables")],
    reference=_gate_tables_ref,
    kind=Value(read=_gate_outputs),
    outputs=tuple(Output(g, kind="int") for g in GATES),
    mistakes=(
        Mistake("and_is_or", "your AND weights compute OR: make b more negative so that one input alone is not "
                "enough.", _computes("AND", "OR")),
        Mistake("or_is_and", "your OR weights compute AND: raise b so that one input alone is enough.",
                _computes("OR", "AND")),
        Mistake("nand_is_and", "your NAND weights compute AND: NAND is NOT AND, so negate the AND weights and bias.",
                _computes("NAND", "AND")),
        Mistake("nor_is_or", "your NOR weights compute OR: NOR is NOT OR, so negate the OR weights and bias.",
                _computes("NOR", "OR")),
        Mistake("nand_is_nor", "your NAND weights compute NOR: NAND is 0 only when both inputs are 1.",
                _computes("NAND", "NOR")),
        Mistake("nor_is_nand", "your NOR weights compute NAND: NOR is 1 only when both inputs are 0.",
                _computes("NOR", "NAND")),
        Mistake("lecture_threshold", "your OR outputs 1 for (0, 0): the lecture's table compares H = w·x + b with "
                "0.5, but our step compares with 0, so subtract 0.5 from the lecture's b.",
                lambda ref: {"OR": ref.torch.ones(4, dtype=ref.dtype, device=ref.device)}),
    ),
    hint=("for each gate, check every row of its truth table by hand: the output is 1 exactly where "
          "w1·x1 + w2·x2 + b > 0. A row that lands exactly on 0 gives 0."),
    points=2,
    hidden_seeds=(),  # one case, the same for every seed
))


# --------------------------------------------------------------------------- training
def _train_ref(ref, X, y, lr, epochs):
    """Rosenblatt's rule as SGD on the perceptron criterion -(y - ŷ)(w·x + b), with torch.optim."""
    torch = ref.torch
    Xt, yt = X.double(), y.double()
    w = torch.zeros(Xt.shape[1], dtype=ref.dtype, device=ref.device, requires_grad=True)
    b = torch.zeros((), dtype=ref.dtype, device=ref.device, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    zero = torch.zeros((), dtype=ref.dtype, device=ref.device)
    errors = []
    for _ in range(epochs):
        wrong = 0
        for x_i, y_i in zip(Xt, yt):
            z = x_i @ w + b
            y_hat = torch.heaviside(z.detach(), zero)
            if y_hat != y_i:
                wrong += 1
                opt.zero_grad()
                (-(y_i - y_hat) * z).backward()
                opt.step()
        errors.append(wrong)
    return {"w": w.detach(), "b": b.detach(), "errors": torch.tensor(errors, device=ref.device)}


def _train_variant(ref, X, y, lr, epochs, *, ge=False, batch=False, sign=1.0, bias=True,
                   count_after=False, fraction=False, bias_lr=True, cumulative=False, pm=False, frozen=False,
                   target_only=False):
    """Plausible wrong versions of the rule, in torch, for naming mistakes."""
    torch = ref.torch
    Xt, yt = X.double(), y.double()
    w = torch.zeros(Xt.shape[1], dtype=ref.dtype, device=ref.device)
    b = torch.zeros((), dtype=ref.dtype, device=ref.device)

    def predict(x):
        z = x @ w + b
        return ((z >= 0) if ge else (z > 0)).double()

    errors, total = [], 0
    for _ in range(epochs):
        wrong = 0
        if frozen:  # never updates: w and b stay 0
            wrong = int((predict(Xt) != yt).sum())
        elif pm:  # the ±1 textbook form: t = 2y − 1, update when t·z ≤ 0
            for x_i, y_i in zip(Xt, yt):
                t_i = 2 * y_i - 1
                if t_i * (x_i @ w + b) <= 0:
                    wrong += 1
                    w = w + lr * t_i * x_i
                    b = b + lr * t_i
        elif batch:
            d = yt - predict(Xt)
            wrong = int((d != 0).sum())
            w = w + sign * lr * (d @ Xt)
            if bias:
                b = b + sign * lr * d.sum()
        else:
            for x_i, y_i in zip(Xt, yt):
                d = y_i - predict(x_i)
                wrong += int(d != 0)
                if target_only and d != 0:
                    d = y_i
                w = w + sign * lr * d * x_i
                if bias:
                    b = b + sign * (lr if bias_lr else 1.0) * d
        if count_after:
            wrong = int((predict(Xt) != yt).sum())
        total += wrong
        errors.append(wrong / len(Xt) if fraction else (total if cumulative else wrong))
    return {"w": w, "b": b, "errors": torch.tensor(errors, dtype=ref.dtype, device=ref.device)}


def _train_cases(rng):
    cases = []
    for gate, lr, epochs in [("AND", 1.0, 10), ("OR", 1.0, 10), ("NAND", 0.5, 8), ("NOR", 0.1, 6)]:
        kw = {} if (lr, epochs) == (1.0, 10) else {"lr": lr, "epochs": epochs}
        cases.append(Case(f"{gate} from zero weights" + (f", lr={lr}, epochs={epochs}" if kw else " (default lr, epochs)"),
                          {"X": X_GATE.copy(), "y": TRUTH_TABLES[gate].astype(float), **kw}))
    # Separable points in 3-D with a margin, in random order.
    w_true = rng.normal(size=3)
    X = rng.normal(size=(80, 3))
    z = X @ w_true + 0.3
    keep = np.abs(z) > 0.3
    X, y = X[keep][:24], (z[keep][:24] > 0).astype(float)
    cases.append(Case("24 separable points in 3-D, lr=0.5", {"X": X, "y": y, "lr": 0.5, "epochs": 12}))
    cases.append(Case("XOR (never converges), lr=1.0", {"X": X_GATE.copy(), "y": TRUTH_TABLES["XOR"].astype(float), "lr": 1.0, "epochs": 5}))
    cases.append(Case("one epoch, integer labels", {"X": X_GATE.copy(), "y": TRUTH_TABLES["OR"].copy(), "lr": 0.25, "epochs": 1}))
    return cases


def _variant(**kw):
    return lambda ref, X, y, lr, epochs: _train_variant(ref, X, y, lr, epochs, **kw)


register(Exercise(
    name="perceptron_train",
    signature="perceptron_train(X, y, lr=1.0, epochs=10)",
    cases=_train_cases,
    reference=_train_ref,
    outputs=(Output("w"), Output("b", scalar=True), Output("errors", kind="int", sequence=True)),
    mistakes=(
        Mistake("ge_zero", "the prediction uses z >= 0; from zero weights that predicts 1 for every sample at first. "
                "The step is 1 only for z > 0.", _variant(ge=True)),
        Mistake("batch_update", "you update once per pass with the summed error (batch learning); Rosenblatt's rule "
                "updates right after each misclassified sample.", _variant(batch=True)),
        Mistake("wrong_sign", "the update has the wrong sign: w += lr·(y − ŷ)·x, target minus prediction.",
                _variant(sign=-1.0)),
        Mistake("bias_not_updated", "the bias is never updated: b += lr·(y − ŷ) after each mistake, like a weight whose input is 1.",
                _variant(bias=False)),
        Mistake("counted_after_pass", "errors[e] should count the mistakes made during pass e, as they happen; you counted them "
                "after the pass with the final weights.", _variant(count_after=True)),
        Mistake("fraction", "errors[e] should be a count of misclassified samples, not a fraction.",
                _variant(fraction=True)),
        Mistake("bias_without_lr", "the bias update is missing the learning rate: b += lr·(y − ŷ), like the weights.",
                _variant(bias_lr=False)),
        Mistake("target_only", "the update uses the target alone, lr·y·x; it must use the error: w += lr·(y − ŷ)·x and "
                "b += lr·(y − ŷ), which pushes the weights down when ŷ = 1 and y = 0.",
                _variant(target_only=True)),
        Mistake("running_total", "errors holds a running total; errors[e] is the number of mistakes made during pass e alone "
                "(reset the count at the start of each pass).", _variant(cumulative=True)),
        Mistake("plus_minus_form", "you used the ±1 form (t = 2y − 1, update when t·(x·w + b) ≤ 0); here the rule is Rosenblatt's "
                "0/1 form: predict ŷ = step(x·w + b), which is 0 at z = 0, and update only when ŷ ≠ y.",
                _variant(pm=True)),
        Mistake("never_updates", "the weights never change: from w = 0 and b = 0 every sample gets ŷ = 0, so each sample with "
                "y = 1 is a mistake and must trigger w += lr·(y − ŷ)·x and b += lr·(y − ŷ).",
                lambda ref, X, y, lr, epochs: {k: v for k, v in _train_variant(ref, X, y, lr, epochs, frozen=True).items()
                                               if k != "errors"}),
    ),
    points=3,
    hint=("start from w = 0 and b = 0; for each epoch, visit the samples in order; predict with step(x·w + b); "
          "if wrong, w += lr·(y − ŷ)·x and b += lr·(y − ŷ); count the mistakes of each pass; run exactly "
          "`epochs` passes (no early stop)."),
))


