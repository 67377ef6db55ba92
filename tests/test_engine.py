"""The check engine's guards: every way student code can misbehave becomes one clear AssertionError."""
import sys

import numpy as np
import pytest

import course
from checkhelpers import assert_fails, assert_passes, run_quietly
from course.checks import CheckFailed
from course.checks.engine import get_exercise

CATALOGUE = """
step perceptron_predict gate_weights perceptron_train
xor_network dense_forward dense_backward mse_loss numerical_gradient two_layer_forward two_layer_backward train_xor
sigmoid tanh relu mish leaky_relu elu sigmoid_grad tanh_grad relu_grad mish_grad leaky_relu_grad elu_grad
softmax cross_entropy
linreg_loss_and_grad minibatches sgd momentum nesterov adagrad rmsprop adam
batchnorm_forward batchnorm_backward dropout_forward dropout_backward
conv_output_size conv2d_forward conv2d_backward maxpool2d_forward maxpool2d_backward lenet5
confusion_matrix accuracy precision_recall_f1 regression_metrics kfold_indices
""".split()


def good_step(z):
    return (z > 0).astype(float)


def test_catalogue_is_registered():
    missing = sorted(set(CATALOGUE) - set(course.exercises()))
    assert not missing, f"exercises missing from the registry: {missing}"


def test_exercises_are_listed_in_lesson_order():
    names = course.exercises()
    lessons = [get_exercise(n).lesson for n in names]
    assert lessons == sorted(lessons)


def test_pass_prints_one_line_and_returns_a_result(capsys):
    result = course.check("step", good_step)
    out, err = capsys.readouterr()
    assert result.passed and bool(result) and result.cases >= 5
    assert out.startswith("\u2713 step:") and out.count("\n") == 1
    assert err == ""


def test_failure_is_an_assertion_error_without_chained_traceback():
    with pytest.raises(AssertionError) as info:
        course.check("step", lambda z: z)
    assert isinstance(info.value, CheckFailed)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_unknown_exercise_suggests_a_name():
    with pytest.raises(AssertionError, match="Did you mean .step."):
        course.check("stepp", good_step)


def test_wrong_number_of_objects():
    assert_fails("step", good_step, good_step, hint="takes 1 object")
    assert_fails("batchnorm_backward", good_step, hint="batchnorm_forward, batchnorm_backward")


def test_unknown_option():
    with pytest.raises(AssertionError, match="seed="):
        course.check("step", good_step, seeds=3)


def test_none_object():
    assert_fails("step", None, hint="run the cell that defines it")


def test_not_callable():
    assert_fails("step", 3.0, hint="should be a function")


def test_returns_none():
    assert_fails("step", lambda z: None, hint="forget a `return`")


def test_returns_list():
    assert_fails("step", lambda z: (z > 0).astype(float).tolist(), hint="Python list")


def test_returns_torch_tensor():
    import torch

    t = torch.zeros(3)  # made outside the call, so only the return type is wrong
    assert_fails("step", lambda z: t, hint="torch tensor")


def test_calls_torch():
    def step(z):
        import torch

        return (torch.as_tensor(z) > 0).double().numpy()

    assert_fails("step", step, hint="called torch")


def test_wrong_shape():
    assert_fails("step", lambda z: good_step(z).reshape(-1), hint="shape")
    assert_fails("step", lambda z: float(np.sum(z > 0)), hint="shape")


def test_nan_is_reported():
    assert_fails("perceptron_train", lambda X, y, lr=1.0, epochs=10: (np.full(X.shape[1], np.nan), 0.0,
                                                                      np.zeros(epochs, int)), hint="nan")


def test_exception_names_type_and_student_line():
    def step(z):
        return z.no_such_method()

    message = assert_fails("step", step, hint="AttributeError")
    assert "z.no_such_method()" in message and "line" in message


def test_not_implemented_stub():
    def step(z):
        # YOUR CODE HERE
        raise NotImplementedError()

    assert_fails("step", step, hint="has not been written yet")


def test_mutating_an_input():
    def step(z):
        z[z <= 0] = 0
        z[z > 0] = 1
        return z

    assert_fails("step", step, hint="changed its input `z` in place")


def test_endless_loop_is_stopped(monkeypatch):
    monkeypatch.setattr(get_exercise("step"), "time_limit", 0.5)

    def step(z):
        while True:
            pass

    assert_fails("step", step, hint="still running after 0.5 s")


def test_endless_loop_that_swallows_exceptions_is_still_stopped(monkeypatch):
    monkeypatch.setattr(get_exercise("step"), "time_limit", 0.5)

    def step(z):
        while True:
            try:
                pass
            except Exception:
                pass

    assert_fails("step", step, hint="still running")


def test_student_stderr_and_warnings_do_not_leak():
    def step(z):
        print("debugging", file=sys.stderr)
        with np.errstate(over="warn"):
            np.exp(np.array([1000.0]))
        import warnings

        warnings.warn("a student's warning")
        return good_step(z)

    assert_passes("step", step)


def test_warnings_are_mentioned_when_the_check_fails():
    def step(z):
        return 1 / (1 + np.exp(-1e6 * np.asarray(z, float))) * 0 + (z >= 0)

    message = assert_fails("step", step)
    assert "overflow" in message


def test_checker_bug_never_passes(monkeypatch):
    ex = get_exercise("step")

    def broken(case, ref):
        raise RuntimeError("boom")

    monkeypatch.setattr(ex, "reference", broken)
    assert_fails("step", good_step, hint="the checker itself failed")


def test_global_state_is_restored():
    import warnings

    import torch

    before = (np.geterr(), list(warnings.filters), torch.backends.cuda.matmul.allow_tf32,
              torch.backends.cudnn.allow_tf32, torch.get_num_threads())
    run_quietly("step", good_step)
    run_quietly("step", lambda z: None)
    after = (np.geterr(), list(warnings.filters), torch.backends.cuda.matmul.allow_tf32,
             torch.backends.cudnn.allow_tf32, torch.get_num_threads())
    assert before == after


def test_reference_runs_on_the_course_device():
    from course.checks.reference import get_ref

    ref = get_ref()
    expected = course.device()
    assert ref.device.type == ("cpu" if expected.type == "mps" else expected.type)
    assert ref.dtype.is_floating_point and ref.dtype.itemsize == 8


def test_seed_changes_the_cases():
    ex = get_exercise("perceptron_train")
    a = [c.bind(ex.sig) for c in ex.cases(np.random.default_rng(0))]
    b = [c.bind(ex.sig) for c in ex.cases(np.random.default_rng(1))]
    assert any(not np.array_equal(x.named["X"], y.named["X"]) for x, y in zip(a, b))


def test_importing_course_is_light():
    import subprocess

    code = "import sys, course; print(sorted(m for m in ('torch', 'matplotlib', 'ipywidgets') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_doctor_reports(capsys):
    report = course.doctor()
    out = capsys.readouterr().out
    for key in ("torch", "numpy", "device", "float64 references", "nbgrader", "exercises"):
        assert key in report and key in out
    assert report["float64 references"].startswith("yes")
    assert any(k.startswith("data: ") for k in report)
