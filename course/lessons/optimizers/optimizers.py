"""Lesson 04 exercise specs: the six optimizer classes ``SGD``, ``Momentum``, ``Nesterov``, ``AdaGrad``,
``RMSProp`` and ``Adam``, each compared with its ``torch.optim`` twin by the trajectory of ``w``.

How they are graded (:class:`course.checks.kinds.Optimizer`): the check constructs the student's
class with the case's arguments, runs it for 20 to 40 steps on a fixed differentiable function and
compares the whole trajectory with ``torch.optim`` on the same function from the same start, in
float64. The gradient handed over at every step is taken at the student's *own* current ``w``, so
a wrong state feeds back into where the next gradient is taken and grows into a visibly different
path; only the trajectory is compared, never the internal state (the lecture's velocity form of
momentum and torch's buffer form pass alike). The known mistakes are wrong update rules, in torch,
run the same way (:func:`course.checks.kinds.simulate`).
"""
from __future__ import annotations

from course.checks import Exercise, Mistake, Output, register
from course.checks.kinds import Optimizer, simulate

from .optimizer_cases import optimizer_cases

_OUTPUTS = (Output("w_after_step_1"), Output("trajectory"))


def _zeros(state, key, like):
    if key not in state:
        state[key] = like * 0.0
    return state[key]


# --- the update rules of the plausible versions, in torch (the right one of each is the shared-state base) ---
def _momentum_rule(state, w, g, s, *, damp=False, ascent=False, lr_twice=False, old_velocity=False, reset=False,
                   nesterov=False):
    mu, lr = s["momentum"], s["lr"]
    if reset:
        state.pop("b", None)
    b_old = _zeros(state, "b", w)
    b = mu * b_old + ((1 - mu) * g if damp else g)
    state["b"] = b
    d = g + mu * b if nesterov else (b_old if old_velocity else b)
    step = lr * d * (lr if lr_twice else 1.0)
    return w + step if ascent else w - step


def _adagrad_rule(state, w, g, s, *, plain=False, eps_inside=False, before=False, mean=False, no_sqrt=False,
                  reset=False):
    if reset:
        state.pop("r", None)
    r_old = _zeros(state, "r", w)
    r = r_old + (g if plain else g * g)
    state["r"] = r
    acc = r_old if before else (r / state["t"] if mean else r)
    if no_sqrt:
        denom = acc + s["eps"]
    elif eps_inside:
        denom = (acc + s["eps"]).sqrt()
    else:
        denom = acc.sqrt() + s["eps"]
    return w - s["lr"] * g / denom


def _rmsprop_rule(state, w, g, s, *, no_decay=False, adagrad=False, swapped=False, eps_inside=False,
                  bias_correct=False, init_square=False, no_sqrt=False):
    a = s["alpha"]
    if init_square and "r" not in state:
        state["r"] = g * g
    r_old = _zeros(state, "r", w)
    if adagrad:
        r = r_old + g * g
    elif no_decay:
        r = r_old + (1 - a) * g * g
    elif swapped:
        r = (1 - a) * r_old + a * g * g
    else:
        r = a * r_old + (1 - a) * g * g
    state["r"] = r
    acc = r / (1 - a ** state["t"]) if bias_correct else r
    if no_sqrt:
        denom = acc + s["eps"]
    elif eps_inside:
        denom = (acc + s["eps"]).sqrt()
    else:
        denom = acc.sqrt() + s["eps"]
    return w - s["lr"] * g / denom


def _adam_rule(state, w, g, s, *, correct1=True, correct2=True, t0=False, t_fixed=False, eps_inside=False,
               efficient=False, swapped=False, betas_swapped=False, overwrite=""):
    b1, b2 = (s["beta2"], s["beta1"]) if betas_swapped else (s["beta1"], s["beta2"])
    m_old, v_old = _zeros(state, "m", w), _zeros(state, "v", w)
    if swapped:
        m, v = (1 - b1) * m_old + b1 * g, (1 - b2) * v_old + b2 * g * g
    else:
        m, v = b1 * m_old + (1 - b1) * g, b2 * v_old + (1 - b2) * g * g
    state["m"], state["v"] = m, v
    t = 1 if t_fixed else (state["t"] - 1 if t0 else state["t"])
    c1, c2 = 1 - b1 ** t, 1 - b2 ** t
    if efficient:
        return w - s["lr"] * (c2 ** 0.5) / c1 * m / (v.sqrt() + s["eps"])
    m_hat = m / c1 if correct1 else m
    v_hat = v / c2 if correct2 else v
    if "m" in overwrite:
        state["m"] = m_hat
    if "v" in overwrite:
        state["v"] = v_hat
    denom = (v_hat + s["eps"]).sqrt() if eps_inside else v_hat.sqrt() + s["eps"]
    return w - s["lr"] * m_hat / denom


def _nesterov_damped(state, w, g, s):
    mu = s["momentum"]
    b = mu * _zeros(state, "b", w) + (1 - mu) * g
    state["b"] = b
    return w - s["lr"] * (g + mu * b)


def _rule(rule, **options):
    """A mistake's ``wrong``: the plausible rule ``rule`` with ``options``, simulated like a student's class."""
    return simulate(lambda state, w, g, s: rule(state, w, g, s, **options))


_SHARED_HINT = ("your instances share their state (a class attribute or a global): keep the state of each parameter "
                "array in its own instance, in `self`, created in __init__ or on the first step.")


def _optimizer(name, signature, reference, right_rule, mistakes, hint, points):
    """Register one optimizer class; ``right_rule`` (None for a class without state) names shared state."""
    shared = () if right_rule is None else (
        Mistake("shared_state", _SHARED_HINT, simulate(right_rule, shared=True), when=lambda pair: pair),)
    register(Exercise(
        name=name,
        signature=signature,
        cases=optimizer_cases(name),
        reference=reference,
        kind=Optimizer(),
        outputs=_OUTPUTS,
        mistakes=(*shared, *mistakes),
        hint=hint,
        points=points,
    ))


# ---------------------------------------------------------------- SGD
_optimizer("sgd", "SGD(lr)", lambda ref, params, lr: ref.torch.optim.SGD(params, lr=lr), None, (
    Mistake("ascent", "w moves uphill: gradient descent subtracts, w − lr·grad.",
            simulate(lambda st, w, g, s: w + s["lr"] * g)),
    Mistake("returns_update", "step returns the update −lr·grad; it should return the new w, w − lr·grad.",
            simulate(lambda st, w, g, s: -s["lr"] * g)),
    Mistake("no_lr", "the learning rate is missing: w − lr·grad.", simulate(lambda st, w, g, s: w - g)),
), hint="step(w, grad) returns w − lr·grad; SGD keeps no state besides lr.", points=1)

# ---------------------------------------------------------------- Momentum
_optimizer("momentum", "Momentum(lr, momentum=0.9)",
           lambda ref, params, lr, momentum: ref.torch.optim.SGD(params, lr=lr, momentum=momentum), _momentum_rule, (
    Mistake("dampened", "the velocity adds (1 − momentum)·grad (the running-average form); torch.optim.SGD adds the "
            "whole gradient: v = momentum·v + grad, w = w − lr·v (the lecture's v = αv − εg, w = w + v is the same).",
            _rule(_momentum_rule, damp=True)),
    Mistake("ascent", "w moves uphill: with the lecture's velocity v = αv − lr·g the update is w = w + v; with "
            "torch's v = μv + g it is w = w − lr·v. Check the sign where v meets w.", _rule(_momentum_rule, ascent=True)),
    Mistake("lr_twice", "the learning rate is applied twice: either put lr in the velocity (v = αv − lr·g, w = w + v) "
            "or in the update (v = μv + g, w = w − lr·v), not both.", _rule(_momentum_rule, lr_twice=True)),
    Mistake("old_velocity", "w moves with the velocity of the previous step: update v first (v = μv + g), then move "
            "w with the new v (your first step does not move w at all).", _rule(_momentum_rule, old_velocity=True)),
    Mistake("no_state", "the velocity does not survive from one step to the next, so every step is plain SGD: "
            "keep v in `self` (start it at zeros) and update it in place of a local variable.",
            _rule(_momentum_rule, reset=True)),
    Mistake("nesterov", "this is Nesterov's step (grad + momentum·v); plain momentum moves w by lr·v alone.",
            _rule(_momentum_rule, nesterov=True)),
), hint="torch.optim.SGD with momentum: v = momentum·v + grad (v starts at 0), then w = w − lr·v.", points=2)

# ---------------------------------------------------------------- Nesterov
_optimizer("nesterov", "Nesterov(lr, momentum=0.9)",
           lambda ref, params, lr, momentum: ref.torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=True),
           lambda st, w, g, s: _momentum_rule(st, w, g, s, nesterov=True), (
    Mistake("plain_momentum", "this is plain momentum (w = w − lr·v; grad + momentum·v with the velocity from before "
            "this step's update is the same thing): Nesterov's step looks ahead along the velocity, first "
            "v = momentum·v + grad, then w = w − lr·(grad + momentum·v) with that new v.", simulate(_momentum_rule)),
    Mistake("dampened", "the velocity adds (1 − momentum)·grad (the running-average form); torch's buffer adds the "
            "whole gradient: v = momentum·v + grad.", simulate(_nesterov_damped)),
    Mistake("no_state", "the velocity does not survive from one step to the next: keep v in `self`.",
            _rule(_momentum_rule, nesterov=True, reset=True)),
), hint=("torch.optim.SGD(nesterov=True): v = momentum·v + grad (v starts at 0), then "
         "w = w − lr·(grad + momentum·v)."), points=2)

# ---------------------------------------------------------------- AdaGrad
_optimizer("adagrad", "AdaGrad(lr, eps=1e-10)",
           lambda ref, params, lr, eps: ref.torch.optim.Adagrad(params, lr=lr, eps=eps), _adagrad_rule, (
    Mistake("sums_grads", "AdaGrad accumulates the squares of the gradients, r = r + grad², not the gradients "
            "themselves.", _rule(_adagrad_rule, plain=True)),
    Mistake("eps_inside", "eps belongs outside the square root: w = w − lr·grad / (sqrt(r) + eps), as in the "
            "lecture's Algorithm 8.4 and torch.optim.Adagrad.", _rule(_adagrad_rule, eps_inside=True)),
    Mistake("add_after", "add grad² to r before you divide: the current gradient is part of the sum it is scaled by.",
            _rule(_adagrad_rule, before=True)),
    Mistake("mean", "AdaGrad sums the squared gradients; you average them over the steps.",
            _rule(_adagrad_rule, mean=True)),
    Mistake("no_sqrt", "divide by the square root of r (plus eps), not by r itself.", _rule(_adagrad_rule, no_sqrt=True)),
    Mistake("no_state", "the sum of squares does not survive from one step to the next: keep r in `self` "
            "(start it at zeros).", _rule(_adagrad_rule, reset=True)),
), hint="torch.optim.Adagrad: r = r + grad² (r starts at 0), then w = w − lr·grad / (sqrt(r) + eps).", points=1)

# ---------------------------------------------------------------- RMSProp
_optimizer("rmsprop", "RMSProp(lr, alpha=0.99, eps=1e-8)",
           lambda ref, params, lr, alpha, eps: ref.torch.optim.RMSprop(params, lr=lr, alpha=alpha, eps=eps),
           _rmsprop_rule, (
    Mistake("no_decay", "the average of squares is never decayed: multiply the old one by alpha, "
            "r = alpha·r + (1 − alpha)·grad².", _rule(_rmsprop_rule, no_decay=True)),
    Mistake("adagrad", "this accumulates like AdaGrad (r = r + grad²); RMSProp keeps a decaying average, "
            "r = alpha·r + (1 − alpha)·grad².", _rule(_rmsprop_rule, adagrad=True)),
    Mistake("alpha_swapped", "alpha and 1 − alpha are swapped: alpha weighs the old average, "
            "r = alpha·r + (1 − alpha)·grad².", _rule(_rmsprop_rule, swapped=True)),
    Mistake("eps_inside", "eps is inside the square root, sqrt(r + eps), as the lecture's Algorithm 8.5 writes it; "
            "torch.optim.RMSprop adds it outside: w = w − lr·grad / (sqrt(r) + eps).",
            _rule(_rmsprop_rule, eps_inside=True)),
    Mistake("bias_corrected", "RMSProp has no bias correction: divide by sqrt(r) + eps with r as it is.",
            _rule(_rmsprop_rule, bias_correct=True)),
    Mistake("init_square", "r starts at zero, not at the first grad²: torch.optim.RMSprop initialises the average "
            "with zeros.", _rule(_rmsprop_rule, init_square=True)),
    Mistake("no_sqrt", "divide by the square root of r (plus eps), not by r itself.", _rule(_rmsprop_rule, no_sqrt=True)),
), hint=("torch.optim.RMSprop: r = alpha·r + (1 − alpha)·grad² (r starts at 0), "
         "then w = w − lr·grad / (sqrt(r) + eps)."), points=2)

# ---------------------------------------------------------------- Adam
_STORES_HINT = ("the bias-corrected m̂ or v̂ is stored back into m or v (m = m / (1 − beta1^t)), so the next step "
                "averages corrected values: keep m and v as the plain running averages and compute m̂ and v̂ in local "
                "variables.")

_optimizer("adam", "Adam(lr, beta1=0.9, beta2=0.999, eps=1e-8)",
           lambda ref, params, lr, beta1, beta2, eps: ref.torch.optim.Adam(params, lr=lr, betas=(beta1, beta2), eps=eps),
           _adam_rule, (
    Mistake("no_bias_correction", "the bias correction is missing: use m̂ = m / (1 − beta1^t) and "
            "v̂ = v / (1 − beta2^t), with t = 1 on the first step.", _rule(_adam_rule, correct1=False, correct2=False)),
    Mistake("m_uncorrected", "only v is bias-corrected: correct m too, m̂ = m / (1 − beta1^t).",
            _rule(_adam_rule, correct1=False)),
    Mistake("v_uncorrected", "only m is bias-corrected: correct v too, v̂ = v / (1 − beta2^t).",
            _rule(_adam_rule, correct2=False)),
    Mistake("t_from_zero", "t starts at 0, so the first step divides by 1 − beta^0 = 0: count t from 1 (increment it "
            "before the bias correction).", _rule(_adam_rule, t0=True)),
    Mistake("t_fixed", "t never grows: increment the step count t in `self` on every step.",
            _rule(_adam_rule, t_fixed=True)),
    Mistake("eps_inside", "eps is inside the square root, sqrt(v̂ + eps); torch.optim.Adam (and the lecture's "
            "Algorithm 8.7) adds it outside: m̂ / (sqrt(v̂) + eps).", _rule(_adam_rule, eps_inside=True)),
    Mistake("folded_eps", "you folded the bias corrections into the step size (lr·sqrt(1 − beta2^t)/(1 − beta1^t)), "
            "which also scales eps; torch.optim.Adam adds eps to sqrt(v̂): compute m̂ / (sqrt(v̂) + eps).",
            _rule(_adam_rule, efficient=True)),
    Mistake("weights_swapped", "the weights of the running averages are swapped: m = beta1·m + (1 − beta1)·grad and "
            "v = beta2·v + (1 − beta2)·grad².", _rule(_adam_rule, swapped=True)),
    Mistake("betas_swapped", "beta1 and beta2 are swapped: beta1 belongs to the average of gradients m, beta2 to the "
            "average of squares v.", _rule(_adam_rule, betas_swapped=True)),
    *(Mistake("stores_corrected", _STORES_HINT, _rule(_adam_rule, overwrite=which)) for which in ("mv", "m", "v")),
), hint=("torch.optim.Adam: t = t + 1; m = beta1·m + (1 − beta1)·grad; v = beta2·v + (1 − beta2)·grad²; "
         "m̂ = m/(1 − beta1^t); v̂ = v/(1 − beta2^t); w = w − lr·m̂/(sqrt(v̂) + eps)."), points=2)
