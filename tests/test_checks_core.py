"""The shared machinery of the exercise checks: verdicts and mistake diagnosis."""

import numpy as np
import pytest

from lrnn_utils.checks import CheckResult, Mistake, check_function, check_value


def _ref(x, P):
    return x.sum(axis=0) / P


CASES = [
    {"x": np.random.default_rng(k).standard_normal((4, 3)), "P": 4} for k in range(3)
]
MISTAKES = [Mistake("missing the 1/P factor", lambda x, P: x.sum(axis=0))]


def run(fn):
    return check_function("mean", fn, _ref, CASES, MISTAKES, labels=("m",))


def test_right_answer_passes():
    r = run(lambda x, P: x.mean(axis=0))
    assert r.passed and r.done and repr(r).startswith("✔ mean:")


def test_stub_is_not_done_yet():
    def stub(x, P):
        raise NotImplementedError()

    r = run(stub)
    assert not r.passed and not r.done and repr(r).startswith("… mean:")


@pytest.mark.parametrize(
    "fn, message",
    [
        (lambda x, P: x.sum(axis=0), "missing the 1/P factor"),
        (lambda x, P: -x.mean(axis=0), "wrong sign"),
        (lambda x, P: x.mean(axis=1), "m has shape (4,), expected (3,)"),
        (lambda x, P: None, "returned None"),
        (lambda x, P: 2 * x.mean(axis=0), "yours are 2 times the reference"),
        (lambda x, P: x.mean(axis=0) + 1, "differs from the reference"),
        (lambda x, P: x.mean(axis=0) * np.nan, "contains NaN or inf"),
        (lambda x, P: 1 / 0, "raised ZeroDivisionError"),
        (lambda x, P: (x.mean(axis=0), 1), "returned 2 values, expected 1"),
    ],
)
def test_each_wrong_answer_gets_its_own_message(fn, message):
    r = run(fn)
    assert r.status == "failed" and message in r.message, r.message


def test_student_input_is_not_modified_in_place():
    def mutating(x, P):
        x[:] = 0
        return x.mean(axis=0)

    run(mutating)
    assert np.any(CASES[0]["x"] != 0)


def test_check_value():
    assert check_value("v", ..., 1.0).status == "not done yet"
    assert check_value("v", None, 1.0).status == "not done yet"
    assert check_value("v", np.array([1.0, 2.0]), [1.0, 2.0]).passed
    assert "forgot" in check_value("v", 0.5, 1.0, [("forgot it", 0.5)]).message
    assert "shape" in check_value("v", [1.0], [1.0, 2.0]).message


def test_student_must_be_callable():
    with pytest.raises(TypeError, match="student must be a function"):
        check_function("x", 3, _ref, CASES)


def test_repr_is_one_line():
    r = CheckResult("n", "failed", "what is wrong")
    assert repr(r) == str(r) == "✘ n: what is wrong"
