"""Tests of chapter 5's exercise checks: right answers pass, stubs are 'not done yet',
and each typical mistake gets its own message."""

import numpy as np
import pytest
import sympy as sp

from lrnn_utils import checks, tasks, theory


def _stub(*args, **kwargs):
    raise NotImplementedError()


# --- regularization_gradient ------------------------------------------
def reg_grad_right(a, b, c, T):
    """∂R/∂b by the derivative of the closed form, with its limit at b² = 1."""
    b = np.asarray(b, dtype=float)
    x = b**2
    with np.errstate(divide="ignore", invalid="ignore"):
        dS = (1 - T * x ** (T - 1) + (T - 1) * x**T) / (1 - x) ** 2  # d/dx Σ x^k
    dS = np.where(x == 1.0, T * (T - 1) / 2, dS)
    return 0.5 * (a * c) ** 2 * dS * 2 * b


def reg_grad_loop(a, b, c, T):
    return (a * c) ** 2 * sum(k * b ** (2 * k - 1) for k in range(1, T)) + 0 * a


def test_regularization_gradient_right_and_stub():
    assert checks.regularization_gradient(reg_grad_right).passed
    assert checks.regularization_gradient(reg_grad_loop).passed
    res = checks.regularization_gradient(_stub)
    assert res.status == "not done yet" and not res.done


def _closed_no_limit(a, b, c, T):
    x = b**2
    dS = (1 - T * x ** (T - 1) + (T - 1) * x**T) / (1 - x) ** 2
    return (a * c) ** 2 * dS * b


@pytest.mark.parametrize(
    "wrong, message",
    [
        (
            lambda a, b, c, T: (
                (a * c) ** 2 * sum(k * b ** (2.0 * k - 1) for k in range(T))
            ),
            "NaN at b = 0",
        ),
        (lambda a, b, c, T: 0.5 * reg_grad_right(a, b, c, T), "factor 2 is missing"),
        (
            lambda a, b, c, T: (
                0.5 * (a * c) ** 2 * sum(k * b ** (2 * k - 2) for k in range(1, T))
            ),
            "∂R/∂(b²)",
        ),
        (lambda a, b, c, T: reg_grad_right(a, b, c, T + 1), "one power too many"),
        (lambda a, b, c, T: reg_grad_right(a, b, c, T - 1), "one power too few"),
        (
            lambda a, b, c, T: a * c * sum(b ** (2 * k) for k in range(T)),
            "∂R/∂u",
        ),
        (lambda a, b, c, T: reg_grad_right(1.0, b, 1.0, T) + 0 * a, "c²a² is missing"),
        (_closed_no_limit, "not finite at b = ±1"),
        (lambda a, b, c, T: -reg_grad_right(a, b, c, T), "wrong sign"),
    ],
)
def test_regularization_gradient_mistakes(wrong, message):
    with np.errstate(divide="ignore", invalid="ignore"):
        res = checks.regularization_gradient(wrong)
    assert res.status == "failed"
    assert message in res.message, res.message


# --- dirac_euler_step ------------------------------------------
def step_right(a, b, c, beta, kappa, T, lr):
    s = tasks.dirac_singular_values(T, beta, kappa)
    da, db, dc = theory.mode_flows(a, b, c, s)
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
    a = a + lr * theory.mode_flows(a, b, c, s)[0]
    b = b + lr * theory.mode_flows(a, b, c, s)[1]
    c = c + lr * theory.mode_flows(a, b, c, s)[2]
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


# --- landau_quadratic ------------------------------------------
def landau_sympy(s):
    """The b² coefficient of 2E*(b) by sympy's series, one profile at a time."""
    b = sp.Symbol("b")
    out = []
    for row in np.atleast_2d(s):
        T = len(row)
        S = sum(b ** (2 * k) for k in range(T))
        N = sum(float(v) * b ** (T - 1 - i) for i, v in enumerate(row)) ** 2
        ser = sp.series(float(np.sum(row**2)) - N / S, b, 0, 3).removeO()
        out.append(float(ser.coeff(b, 2)))
    return np.array(out).reshape(np.shape(s)[:-1])


def landau_closed(s):
    T = s.shape[-1]
    if T == 1:
        return np.zeros(s.shape[:-1])
    prev2 = s[..., -3] if T > 2 else 0.0
    return s[..., -1] ** 2 - s[..., -2] ** 2 - 2 * s[..., -1] * prev2


def test_landau_quadratic_right_and_stub():
    assert checks.landau_quadratic(landau_closed).passed
    assert checks.landau_quadratic(landau_sympy).passed
    assert checks.landau_quadratic(_stub).status == "not done yet"


def test_landau_quadratic_is_one_over_beta_squared_minus_two_at_T3():
    beta = np.array([0.5, 2**-0.5, 1.5])
    s = np.zeros((3, 3))
    s[:, 0], s[:, -1] = beta, 1 / beta
    np.testing.assert_allclose(landau_closed(s), 1 / beta**2 - 2, atol=1e-12)


def _no_inverse(s):
    return landau_closed(s) - (s[..., -1] ** 2 if s.shape[-1] > 1 else 0)


def _no_square(s):
    return landau_closed(s) + (s[..., -2] ** 2 if s.shape[-1] > 1 else 0)


def _one_cross(s):
    extra = s[..., -1] * s[..., -3] if s.shape[-1] > 2 else 0
    return landau_closed(s) + extra


def _constant_beta(s):  # the T = 3 answer typed in for every profile
    return 1 / s[..., 0] ** 2 - 2


@pytest.mark.parametrize(
    "wrong, message",
    [
        (_no_inverse, "1/S(b)"),
        (_no_square, "−s_{T−1}² is missing"),
        (_one_cross, "the 2 is missing"),
        (lambda s: 0.5 * landau_closed(s), "coefficient of E*"),
        (lambda s: landau_closed(s[..., ::-1]), "time runs backwards"),
        (_constant_beta, "differs"),
        (lambda s: -landau_closed(s), "wrong sign"),
    ],
)
def test_landau_quadratic_mistakes(wrong, message):
    with np.errstate(divide="ignore", invalid="ignore"):
        res = checks.landau_quadratic(wrong)
    assert res.status == "failed"
    assert message in res.message, res.message


def test_the_new_checks_draw_the_answer_and_nothing_for_the_stub():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for check, right in (
        (checks.landau_quadratic, landau_closed),
        (checks.regularization_gradient, reg_grad_right),
    ):
        plt.close("all")
        assert check(right).plot() is not None and len(plt.get_fignums()) == 1
        plt.close("all")
        assert check(_stub).plot() is None and plt.get_fignums() == []
