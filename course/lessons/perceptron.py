"""Lesson 01: the perceptron and logic gates.

Exercises: ``step``, ``perceptron_predict``, ``gate_weights``, ``perceptron_train``.
Pictures: :func:`plot_gate` (a gate's points and decision boundary) and :func:`gate_explorer`
(sliders for w1, w2, b that redraw the line and the truth table).
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, StudentError, register, unpack
from course.checks.compare import as_array

LESSON = "01_perceptron"

#: The four inputs of a two-input gate, in truth-table order.
X_GATE = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)

#: Each gate's truth table, the outputs for the rows of ``X_GATE``.
TRUTH_TABLES = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "NAND": np.array([1, 1, 1, 0]),
    "NOR": np.array([1, 0, 0, 0]),
    "XOR": np.array([0, 1, 1, 0]),
}

GATES = ("AND", "OR", "NAND", "NOR")


# --------------------------------------------------------------------------- step
def _step_ref(z, ref):
    zero = ref.torch.zeros((), dtype=ref.dtype, device=ref.device)
    return ref.torch.heaviside(ref.t(z), zero)


def _step_cases(rng):
    return [
        Case("a few numbers, zero among them", (np.array([-2.0, -0.5, 0.0, 0.5, 3.0]),), arg_names=["z"]),
        Case("a (4, 3) matrix", (rng.normal(size=(4, 3)),), arg_names=["z"]),
        Case("exact zeros, -0.0 and tiny values", (np.array([[0.0, -0.0, 1e-300], [-1e-300, 0.0, 2.0]]),),
             arg_names=["z"]),
        Case("a 3-D array with large values", (rng.normal(scale=1e3, size=(2, 3, 4)),), arg_names=["z"]),
        Case("a single number in a 0-d array", (np.array(rng.normal()),), arg_names=["z"]),
        Case("integer inputs", (rng.integers(-3, 4, size=7),), arg_names=["z"]),
    ]


register(Exercise(
    name="step",
    lesson=LESSON,
    signature="step(z)",
    cases=_step_cases,
    reference=lambda case, ref: _step_ref(case.args[0], ref),
    outputs=(Output("out", kind="int"),),
    mistakes=(
        Mistake("step(0) must be 0: the step fires only for z > 0 (you used z >= 0).",
                lambda case, ref: (ref.t(case.args[0]) >= 0).double()),
        Mistake("you return -1 for negative inputs (that is np.sign); the step gives 0 there.",
                lambda case, ref: ref.torch.sign(ref.t(case.args[0]))),
        Mistake("the output is inverted: 1 where z > 0, else 0.",
                lambda case, ref: (ref.t(case.args[0]) <= 0).double()),
        Mistake("you return 1 for negative inputs too (|z| > 0 or z != 0); the step is 1 only where z > 0.",
                lambda case, ref: (ref.t(case.args[0]) != 0).double()),
    ),
    hint="the step is 1 where z > 0 and 0 elsewhere, elementwise, with the shape of z.",
))


# --------------------------------------------------------------------------- predict
def _predict_ref(X, w, b, ref):
    zero = ref.torch.zeros((), dtype=ref.dtype, device=ref.device)
    return ref.torch.heaviside(ref.t(X) @ ref.t(w) + float(b), zero)


def _predict_cases(rng):
    X3 = rng.normal(size=(6, 3))
    # Integer rows, three of which give x · (1, -1, 2) = 0 exactly whatever the seed, in random places.
    Xi = np.vstack([rng.integers(-2, 3, size=(5, 3)), [[1, 1, 0], [2, 0, -1], [0, 2, 1]]])
    Xi = Xi[rng.permutation(len(Xi))].astype(float)
    return [
        Case("the AND gate with the lecture's weights (1, 1), -1.5", (X_GATE.copy(), np.array([1.0, 1.0]), -1.5)),
        Case("the NAND gate with the lecture's weights (-0.5, -0.5), 0.6",
             (X_GATE.copy(), np.array([-0.5, -0.5]), 0.6)),
        Case("random X (6, 3)", (X3, rng.normal(size=3), float(rng.normal()))),
        Case("sums that land exactly on 0", (Xi, np.array([1.0, -1.0, 2.0]), 0.0)),
        Case("a batch of one sample", (rng.normal(size=(1, 4)), rng.normal(size=4), 0.25)),
        Case("bias as a NumPy number", (X3[:, :2], np.array([2.0, -1.0]), np.float64(-0.5))),
    ]


def _predict_mistakes():
    def wrong(fn):
        return lambda case, ref: fn(ref.t(case.args[0]), ref.t(case.args[1]), float(case.args[2]), ref)

    return (
        Mistake("the bias is subtracted: the pre-activation is X @ w + b.",
                wrong(lambda X, w, b, ref: ((X @ w - b) > 0).double())),
        Mistake("the bias is missing: add b to X @ w.",
                wrong(lambda X, w, b, ref: ((X @ w) > 0).double())),
        Mistake("a sum of exactly 0 must give 0 (z > 0, not z >= 0).",
                wrong(lambda X, w, b, ref: ((X @ w + b) >= 0).double())),
        Mistake("you return the weighted sum X @ w + b itself: apply the step to it.",
                wrong(lambda X, w, b, ref: X @ w + b)),
        Mistake("you return -1 for negative sums (that is np.sign); the step gives 0 there.",
                wrong(lambda X, w, b, ref: ref.torch.sign(X @ w + b))),
        Mistake("you apply the sigmoid, which gives fractions; the perceptron applies the step: 1 where "
                "X @ w + b > 0, else 0.",
                wrong(lambda X, w, b, ref: ref.torch.sigmoid(X @ w + b))),
    )


register(Exercise(
    name="perceptron_predict",
    lesson=LESSON,
    signature="perceptron_predict(X, w, b)",
    cases=lambda rng: [Case(c.label, c.args, arg_names=["X", "w", "b"]) for c in _predict_cases(rng)],
    reference=lambda case, ref: _predict_ref(*case.args, ref),
    outputs=(Output("y_hat", kind="int"),),
    mistakes=_predict_mistakes(),
    hint="each row's prediction is step(x · w + b): one 0/1 value per sample, shape (N,).",
))


# --------------------------------------------------------------------------- gate weights
def _gate_tables_ref(ref):
    a = ref.torch.tensor(X_GATE[:, 0] > 0, device=ref.device)
    b = ref.torch.tensor(X_GATE[:, 1] > 0, device=ref.device)
    land, lor = ref.torch.logical_and(a, b), ref.torch.logical_or(a, b)
    return {"AND": land, "OR": lor, "NAND": ~land, "NOR": ~lor}


def _gate_outputs(weights, ref):
    """The truth table each gate's (w, b) produces, or a StudentError saying why it can't."""
    if not isinstance(weights, dict):
        raise StudentError(f"gate_weights should be a dict {{'AND': (w, b), ...}}; it is {type(weights).__name__}.")
    missing = [g for g in GATES if g not in weights]
    if missing:
        raise StudentError(f"gate_weights is missing the key(s) {', '.join(map(repr, missing))}.")
    out = {}
    zero = ref.torch.zeros((), dtype=ref.dtype, device=ref.device)
    for g in GATES:
        pair = weights[g]
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
        out[g] = ref.np(ref.torch.heaviside(ref.t(X_GATE) @ ref.t(w) + float(b), zero))
    return out


def _gate_mistakes():
    def student_is(gate_src, target_table_name):
        return lambda case, ref: {gate_src: ref.torch.tensor(TRUTH_TABLES[target_table_name], device=ref.device)}

    hints = []
    for g, other, hint in [
        ("AND", "OR", "your AND weights compute OR: make b more negative so that one input alone is not enough."),
        ("OR", "AND", "your OR weights compute AND: raise b so that one input alone is enough."),
        ("NAND", "AND", "your NAND weights compute AND: NAND is NOT AND, so negate the AND weights and bias."),
        ("NOR", "OR", "your NOR weights compute OR: NOR is NOT OR, so negate the OR weights and bias."),
        ("NAND", "NOR", "your NAND weights compute NOR: NAND is 0 only when both inputs are 1."),
        ("NOR", "NAND", "your NOR weights compute NAND: NOR is 1 only when both inputs are 0."),
    ]:
        hints.append(Mistake(hint, student_is(g, other)))
    hints.append(Mistake(
        "your OR outputs 1 for (0, 0): the lecture's table compares H = w·x + b with 0.5, but our step "
        "compares with 0, so subtract 0.5 from the lecture's b.",
        lambda case, ref: {"OR": ref.torch.ones(4, dtype=ref.dtype, device=ref.device)}))
    return tuple(hints)


def _gate_run(objects, case, call):
    from course.checks.reference import get_ref

    return _gate_outputs(objects[0], get_ref())


register(Exercise(
    name="gate_weights",
    lesson=LESSON,
    signature="gate_weights",
    objects=("gate_weights",),
    cases=lambda rng: [Case("the four truth tables")],
    reference=lambda case, ref: _gate_tables_ref(ref),
    outputs=tuple(Output(g, kind="int") for g in GATES),
    run=_gate_run,
    mistakes=_gate_mistakes(),
    hint=("for each gate, check every row of its truth table by hand: the output is 1 exactly where "
          "w1·x1 + w2·x2 + b > 0. A row that lands exactly on 0 gives 0."),
))


# --------------------------------------------------------------------------- training
def _train_ref(X, y, lr, epochs, ref):
    """Rosenblatt's rule as SGD on the perceptron criterion -(y - ŷ)(w·x + b), with torch.optim."""
    torch = ref.torch
    Xt, yt = ref.t(X), ref.t(y)
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


def _train_variant(X, y, lr, epochs, ref, *, ge=False, batch=False, sign=1.0, bias=True,
                   count_after=False, fraction=False, bias_lr=True, cumulative=False, pm=False, frozen=False,
                   target_only=False):
    """Plausible wrong versions of the rule, in torch, for naming mistakes."""
    torch = ref.torch
    Xt, yt = ref.t(X), ref.t(y)
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


def _train_settings(case):
    X, y = case.args[:2]
    lr = case.kwargs.get("lr", 1.0)
    epochs = case.kwargs.get("epochs", 10)
    return X, y, lr, epochs


def _train_cases(rng):
    cases = []
    for gate, lr, epochs in [("AND", 1.0, 10), ("OR", 1.0, 10), ("NAND", 0.5, 8), ("NOR", 0.1, 6)]:
        kw = {} if (lr, epochs) == (1.0, 10) else {"lr": lr, "epochs": epochs}
        cases.append(Case(f"{gate} from zero weights" + (f", lr={lr}, epochs={epochs}" if kw else " (default lr, epochs)"),
                          (X_GATE.copy(), TRUTH_TABLES[gate].astype(float)), kw, arg_names=["X", "y"]))
    # Separable points in 3-D with a margin, in random order.
    w_true = rng.normal(size=3)
    X = rng.normal(size=(80, 3))
    z = X @ w_true + 0.3
    keep = np.abs(z) > 0.3
    X, y = X[keep][:24], (z[keep][:24] > 0).astype(float)
    cases.append(Case("24 separable points in 3-D, lr=0.5", (X, y), {"lr": 0.5, "epochs": 12}, arg_names=["X", "y"]))
    cases.append(Case("XOR (never converges), lr=1.0", (X_GATE.copy(), TRUTH_TABLES["XOR"].astype(float)),
                      {"lr": 1.0, "epochs": 5}, arg_names=["X", "y"]))
    cases.append(Case("one epoch, integer labels", (X_GATE.copy(), TRUTH_TABLES["OR"].copy()),
                      {"lr": 0.25, "epochs": 1}, arg_names=["X", "y"]))
    return cases


def _train_run(objects, case, call):
    result = call(objects[0], *case.args, what="perceptron_train", names=["X", "y"], **case.kwargs)
    w, b, errors = unpack(result, "perceptron_train", ("w", "b", "errors"))
    if isinstance(errors, list):
        errors = np.asarray(errors) if all(isinstance(e, (int, float, np.number)) for e in errors) else errors
    return {"w": w, "b": b, "errors": errors}


def _train_mistake(**kw):
    return lambda case, ref: _train_variant(*_train_settings(case), ref, **kw)


register(Exercise(
    name="perceptron_train",
    lesson=LESSON,
    signature="perceptron_train(X, y, lr=1.0, epochs=10)",
    cases=_train_cases,
    reference=lambda case, ref: _train_ref(*_train_settings(case), ref),
    outputs=(Output("w"), Output("b", scalar=True), Output("errors", kind="int")),
    run=_train_run,
    mistakes=(
        Mistake("the prediction uses z >= 0; from zero weights that predicts 1 for every sample at first. "
                "The step is 1 only for z > 0.", _train_mistake(ge=True)),
        Mistake("you update once per pass with the summed error (batch learning); Rosenblatt's rule "
                "updates right after each misclassified sample.", _train_mistake(batch=True)),
        Mistake("the update has the wrong sign: w += lr·(y − ŷ)·x, target minus prediction.",
                _train_mistake(sign=-1.0)),
        Mistake("the bias is never updated: b += lr·(y − ŷ) after each mistake, like a weight whose input is 1.",
                _train_mistake(bias=False)),
        Mistake("errors[e] should count the mistakes made during pass e, as they happen; you counted them "
                "after the pass with the final weights.", _train_mistake(count_after=True)),
        Mistake("errors[e] should be a count of misclassified samples, not a fraction.",
                _train_mistake(fraction=True)),
        Mistake("the bias update is missing the learning rate: b += lr·(y − ŷ), like the weights.",
                _train_mistake(bias_lr=False)),
        Mistake("the update uses the target alone, lr·y·x; it must use the error: w += lr·(y − ŷ)·x and "
                "b += lr·(y − ŷ), which pushes the weights down when ŷ = 1 and y = 0.",
                _train_mistake(target_only=True)),
        Mistake("errors holds a running total; errors[e] is the number of mistakes made during pass e alone "
                "(reset the count at the start of each pass).", _train_mistake(cumulative=True)),
        Mistake("you used the ±1 form (t = 2y − 1, update when t·(x·w + b) ≤ 0); here the rule is Rosenblatt's "
                "0/1 form: predict ŷ = step(x·w + b), which is 0 at z = 0, and update only when ŷ ≠ y.",
                _train_mistake(pm=True)),
        Mistake("the weights never change: from w = 0 and b = 0 every sample gets ŷ = 0, so each sample with "
                "y = 1 is a mistake and must trigger w += lr·(y − ŷ)·x and b += lr·(y − ŷ).",
                lambda case, ref: {k: v for k, v in _train_variant(*_train_settings(case), ref, frozen=True).items()
                                   if k != "errors"}),
    ),
    hint=("start from w = 0 and b = 0; for each epoch, visit the samples in order; predict with step(x·w + b); "
          "if wrong, w += lr·(y − ŷ)·x and b += lr·(y − ŷ); count the mistakes of each pass; run exactly "
          "`epochs` passes (no early stop)."),
))


# --------------------------------------------------------------------------- pictures
def boundary_points(w, b, xlim=(-0.5, 1.5)):
    """Two points of the line w1·x1 + w2·x2 + b = 0 within ``xlim`` (x2 = -(w1/w2)·x1 - b/w2)."""
    w1, w2 = float(w[0]), float(w[1])
    if abs(w2) > 1e-12:
        x1 = np.array(xlim, dtype=float)
        return x1, -(w1 / w2) * x1 - b / w2
    if abs(w1) > 1e-12:  # a vertical line x1 = -b / w1
        return np.full(2, -b / w1), np.array(xlim, dtype=float)
    return None


def plot_gate(w, b, gate="AND", ax=None, title=None):
    """Draw the four inputs coloured by the gate's truth table, the decision line and the half-plane z > 0."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    w = np.asarray(w, dtype=float)
    target = TRUTH_TABLES[gate]
    xx, yy = np.meshgrid(np.linspace(-0.5, 1.5, 200), np.linspace(-0.5, 1.5, 200))
    zz = w[0] * xx + w[1] * yy + b
    ax.contourf(xx, yy, (zz > 0).astype(float), levels=[-0.5, 0.5, 1.5], colors=["#f3f3f3", "#d6e9ff"])
    line = boundary_points(w, b)
    if line is not None:
        ax.plot(*line, color="tab:blue", lw=2, label="w·x + b = 0")
    for (x1, x2), t in zip(X_GATE, target):
        ax.scatter(x1, x2, s=160, marker="o" if t else "X", color="tab:green" if t else "tab:red",
                   edgecolor="black", zorder=3)
    ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), xlabel="$x_1$", ylabel="$x_2$", aspect="equal",
           title=title or f"{gate}: w = ({w[0]:.2f}, {w[1]:.2f}), b = {b:.2f}")
    return ax


def truth_table_html(w, b, gate="AND"):
    """The truth table of step(w·x + b) next to the gate's, as an HTML table with ✓ and ✗."""
    w = np.asarray(w, dtype=float)
    z = X_GATE @ w + b
    rows = "".join(
        f"<tr><td>{int(x1)}</td><td>{int(x2)}</td><td>{zi:+.2f}</td><td>{int(zi > 0)}</td><td>{t}</td>"
        f"<td>{'&#10003;' if int(zi > 0) == t else '&#10007;'}</td></tr>"
        for (x1, x2), zi, t in zip(X_GATE, z, TRUTH_TABLES[gate]))
    return ("<table><tr><th>x1</th><th>x2</th><th>z = w·x + b</th><th>step(z)</th>"
            f"<th>{gate}</th><th></th></tr>{rows}</table>")


def gate_explorer(gate="AND", w1=0.5, w2=0.5, b=-0.2):
    """Sliders for w1, w2 and b and a choice of gate; the line and the truth table follow live."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import HTML, display

    sliders = {name: widgets.FloatSlider(value=v, min=-2, max=2, step=0.05, description=name,
                                         continuous_update=True)
               for name, v in (("w1", w1), ("w2", w2), ("b", b))}
    choice = widgets.Dropdown(options=list(TRUTH_TABLES), value=gate, description="gate")
    out = widgets.Output()

    def redraw(*_):
        with out:
            out.clear_output(wait=True)
            w = (sliders["w1"].value, sliders["w2"].value)
            fig, ax = plt.subplots(figsize=(4, 4))
            plot_gate(w, sliders["b"].value, choice.value, ax=ax)
            display(fig, HTML(truth_table_html(w, sliders["b"].value, choice.value)))
            plt.close(fig)

    for s in (*sliders.values(), choice):
        s.observe(redraw, names="value")
    redraw()
    return widgets.HBox([widgets.VBox([choice, *sliders.values()]), out])


def plot_errors(errors, ax=None, title="Mistakes per epoch"):
    """A bar chart of the mistakes the perceptron made in each pass."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 2.5))
    errors = np.asarray(errors)
    ax.bar(np.arange(1, len(errors) + 1), errors, color="tab:blue")
    ax.set(xlabel="epoch", ylabel="misclassified", title=title)
    return ax
