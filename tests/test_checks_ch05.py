"""Tests of chapter 5's exercise checks: right answers pass, stubs are 'not done yet',
and each typical mistake gets its own message."""

import numpy as np
import pytest

from lrnn_utils import checks, tasks, theory


def _stub(*args, **kwargs):
    raise NotImplementedError()


# --- regularization_term ------------------------------------------
def reg_right(a, b, c, T):
    b2 = b**2
    with np.errstate(divide="ignore", invalid="ignore"):
        S = np.where(b2 == 1.0, float(T), (1 - b2**T) / (1 - b2))
    return 0.5 * (a * c) ** 2 * S


def test_regularization_term_right_and_stub():
    assert checks.regularization_term(reg_right).passed
    assert checks.regularization_term(theory.regularization_term).passed
    res = checks.regularization_term(_stub)
    assert res.status == "not done yet" and not res.done


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda a, b, c, T: 2 * reg_right(a, b, c, T), "missing the factor ½"),
        (lambda a, b, c, T: reg_right(a, b, c, T + 1), "one power too many"),
        (lambda a, b, c, T: reg_right(a, b, c, T - 1), "one power too few"),
        (
            lambda a, b, c, T: 0.5 * (a * c) ** 2 * sum(b**k for k in range(T)),
            "powers of b instead of b²",
        ),
        (lambda a, b, c, T: reg_right(1.0, b, 1.0, T) + 0 * a, "c² a² is missing"),
        (
            lambda a, b, c, T: 0.5 * (a * c) ** 2 * (1 - b ** (2 * T)) / (1 - b**2),
            "not finite at b = ±1",
        ),
        (lambda a, b, c, T: -reg_right(a, b, c, T), "wrong sign"),
    ],
)
def test_regularization_term_mistakes(wrong, message):
    with np.errstate(divide="ignore", invalid="ignore"):
        res = checks.regularization_term(wrong)
    assert res.status == "failed"
    assert message in res.message, res.message


# --- dirac_euler_step ------------------------------------------
def step_right(a, b, c, beta, kappa, T, lr):
    s = tasks.dirac_singular_values(T, beta, kappa)
    da, db, dc = theory.mode_gradients(a, b, c, s)
    return a + lr * da, b + lr * db, c + lr * dc


def step_uphill(a, b, c, beta, kappa, T, lr):
    return step_right(a, b, c, beta, kappa, T, -lr)


def step_no_lag(a, b, c, beta, kappa, T, lr):
    # ḃ without the (T - i) factor, written the way a student would
    s = tasks.dirac_singular_values(T, beta, kappa)
    out = list(step_right(a, b, c, beta, kappa, T, lr))
    db = 0.0
    for i in range(1, T):
        r = s[..., i - 1] - a * c * b ** (T - i)
        db = db + a * c * b ** (T - i - 1) * r
    out[1] = b + lr * db
    return tuple(out)


def step_shift(a, b, c, beta, kappa, T, lr):
    s = tasks.dirac_singular_values(T, beta, kappa)
    da = db = dc = 0.0
    for i in range(1, T + 1):
        r = s[..., i - 1] - a * c * b ** (T - i + 1)
        da = da + c * b ** (T - i + 1) * r
        db = db + (T - i + 1) * a * c * b ** (T - i) * r
        dc = dc + a * b ** (T - i + 1) * r
    return a + lr * da, b + lr * db, c + lr * dc


def step_reversed(a, b, c, beta, kappa, T, lr):
    return step_right(a, b, c, kappa, beta, T, lr)


def step_sequential(a, b, c, beta, kappa, T, lr):
    s = tasks.dirac_singular_values(T, beta, kappa)
    a = a + lr * theory.mode_gradients(a, b, c, s)[0]
    b = b + lr * theory.mode_gradients(a, b, c, s)[1]
    c = c + lr * theory.mode_gradients(a, b, c, s)[2]
    return a, b, c


def test_dirac_euler_step_right_and_stub():
    assert checks.dirac_euler_step(step_right).passed
    assert checks.dirac_euler_step(_stub).status == "not done yet"


@pytest.mark.parametrize(
    "wrong, message",
    [
        (step_uphill, "stepped uphill"),
        (step_no_lag, "factor (T − i)"),
        (step_shift, "off by one in the time index"),
        (step_reversed, "time runs backwards"),
        (step_sequential, "OLD (a, b, c)"),
        (lambda **kw: step_right(**kw)[:2], "returned 2 values"),
    ],
)
def test_dirac_euler_step_mistakes(wrong, message):
    res = checks.dirac_euler_step(wrong)
    assert res.status == "failed"
    assert message in res.message, res.message


# --- critical_beta_T3 ------------------------------------------
def test_critical_beta_T3():
    assert checks.critical_beta_T3(1 / np.sqrt(2)).passed
    assert checks.critical_beta_T3(...).status == "not done yet"
    assert "printed in App. H" in checks.critical_beta_T3(np.sqrt(2)).message
    assert "β² = s_1/s_T" in checks.critical_beta_T3(0.5).message
    assert "T ≥ 4" in checks.critical_beta_T3(1.0).message
    assert checks.critical_beta_T3(0.9).status == "failed"


def test_critical_beta_T3_accepts_a_function():
    assert checks.critical_beta_T3(lambda: 2**-0.5).passed
    assert checks.critical_beta_T3(_stub).status == "not done yet"
    assert checks.critical_beta_T3(lambda: 1 / 0).status == "failed"
    assert "expected a number" in checks.critical_beta_T3("x").message
