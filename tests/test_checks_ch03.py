"""Tests of the chapter 3 exercise checks: right answers pass, stubs are "not done
yet", and each typical wrong answer gets its own message."""

from math import factorial

import numpy as np
import pytest

from lrnn_utils.checks import ch03


def _stub(*args, **kwargs):
    raise NotImplementedError()


# --------------------------------------------------------------------------------------
# u_frozen_b (eq. 47)
# --------------------------------------------------------------------------------------
def _u_student(lag_shift=0, reverse=False, rate=2.0, swap=False, square=True):
    def f(t, u0, b, s):
        T = len(s)
        lags = np.arange(T - 1, -1, -1) + lag_shift
        if reverse:
            lags = lags[::-1]
        w = b**lags
        S1, S2 = np.sum(w * s), np.sum(w**2 if square else w)
        if swap:
            S1, S2 = S2, S1
        g = np.exp(rate * S1 * t)
        return g * S1 / (S1 / u0 - S2 + g * S2)

    return f


def test_u_frozen_b_right_answer_passes():
    res = ch03.u_frozen_b(_u_student())
    assert res.passed and "matches the reference" in repr(res)


def test_u_frozen_b_rearranged_form_passes():
    def f(t, u0, b, s):
        w = b ** np.arange(len(s) - 1, -1, -1)
        S1, S2 = w @ s, w @ w
        return S1 / (S2 + (S1 / u0 - S2) * np.exp(-2 * S1 * t))

    assert ch03.u_frozen_b(f).passed


def test_u_frozen_b_stub_is_not_done():
    res = ch03.u_frozen_b(_stub)
    assert res.status == "not done yet"


@pytest.mark.parametrize(
    "kwargs, text",
    [
        (dict(rate=1.0), "lacks the factor 2"),
        (dict(rate=-2.0), "wrong sign"),
        (dict(swap=True), "swapped"),
        (dict(lag_shift=1), "b^{T−i+1}"),
        (dict(reverse=True), "wrong way in time"),
        (dict(square=False), "squared weights"),
    ],
)
def test_u_frozen_b_typical_mistakes(kwargs, text):
    res = ch03.u_frozen_b(_u_student(**kwargs))
    assert not res.passed and text in res.message, res


def test_u_frozen_b_wrong_shape_and_crash():
    res = ch03.u_frozen_b(lambda t, u0, b, s: 1.0)
    assert not res.passed and "shape" in res.message
    res = ch03.u_frozen_b(lambda t, u0, b, s: undefined_name)  # noqa: F821
    assert not res.passed and "NameError" in res.message


# --------------------------------------------------------------------------------------
# window_factor
# --------------------------------------------------------------------------------------
def _factor_student(first=0, extra=0, sign=-1.0, fact=True):
    def f(x, order):
        return (
            sum(
                (sign * x) ** n / (factorial(n) if fact else 1)
                for n in range(first, order + 1 + extra)
            )
            + 0 * x
        )

    return f


def test_window_factor_right_answer_passes():
    assert ch03.window_factor(_factor_student()).passed


def test_window_factor_polyval_form_passes():
    def f(x, order):
        coef = [(-1) ** n / factorial(n) for n in range(order, -1, -1)]
        return np.polyval(coef, x)

    assert ch03.window_factor(f).passed


def test_window_factor_stub_is_not_done():
    assert ch03.window_factor(_stub).status == "not done yet"


@pytest.mark.parametrize(
    "kwargs, text",
    [
        (dict(extra=-1), "one term early"),
        (dict(extra=1), "one term too many"),
        (dict(sign=1.0), "wrong sign of x"),
        (dict(fact=False), "divided by n!"),
        (dict(first=1), "n = 0 term"),
    ],
)
def test_window_factor_typical_mistakes(kwargs, text):
    res = ch03.window_factor(_factor_student(**kwargs))
    assert not res.passed and text in res.message, res


# --------------------------------------------------------------------------------------
# feedforward_fraction_time
# --------------------------------------------------------------------------------------
def _ff_student(kind="norm", extra=0, rate=2.0, late="right"):
    @np.errstate(all="ignore")  # the off-by-one mistakes meet T = 0
    def f(delta, lam, T, u0, f):
        lag = np.arange(T - 1 + extra, -1, -1)  # T - t for t = 1..T (+ extra)
        s = delta[:, None] * lam[:, None] ** lag
        sigma = {
            "norm": np.linalg.norm(s, axis=-1),
            "square": np.sum(s**2, axis=-1),
            "sum": np.sum(s, axis=-1),
            "last": delta,
        }[kind]
        u = f * sigma
        if late == "way":
            u = u0 + f * (sigma - u0)
        term = {
            "right": np.log(sigma / u - 1),
            "way": np.log(sigma / u - 1),
            "half": 0.0,
            "flipped": -np.log(sigma / u - 1),
            "no_minus_one": np.log(sigma / u),
        }[late]
        return (np.log(sigma / u0 - 1) - term) / (rate * sigma)

    return f


def test_feedforward_fraction_time_right_answer_passes():
    assert ch03.feedforward_fraction_time(_ff_student()).passed


def test_feedforward_fraction_time_geometric_sum_passes():
    def g(delta, lam, T, u0, f):
        sigma = delta * np.sqrt((1 - lam ** (2 * T)) / (1 - lam**2))
        return np.log((sigma / u0 - 1) * f / (1 - f)) / (2 * sigma)

    assert ch03.feedforward_fraction_time(g).passed


def test_feedforward_fraction_time_stub_is_not_done():
    assert ch03.feedforward_fraction_time(_stub).status == "not done yet"


@pytest.mark.parametrize(
    "kwargs, text",
    [
        (dict(late="half"), "half-time for every f"),
        (dict(late="flipped"), "sign of log(1/f − 1)"),
        (dict(late="no_minus_one"), "not 1/f"),
        (dict(late="way"), "fraction f of the WAY"),
        (dict(kind="last"), "only the last singular value"),
        (dict(kind="square"), "square root"),
        (dict(kind="sum"), "S₁ at b = 1"),
        (dict(extra=1), "T steps, s_t"),
        (dict(extra=-1), "sums T − 1"),
        (dict(rate=1.0), "factor 2"),
    ],
)
def test_feedforward_fraction_time_typical_mistakes(kwargs, text):
    res = ch03.feedforward_fraction_time(_ff_student(**kwargs))
    assert not res.passed and text in res.message, res


def test_feedforward_fraction_time_draws_the_answer_not_the_stub():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    assert ch03.feedforward_fraction_time(_ff_student()).plot() is not None
    plt.close("all")
    assert ch03.feedforward_fraction_time(_stub).plot() is None
    assert plt.get_fignums() == []


def test_checks_are_deterministic():
    f = _u_student(rate=1.0)
    assert repr(ch03.u_frozen_b(f)) == repr(ch03.u_frozen_b(f))
