"""Tests of the chapter 4 exercise checks: right answers pass, stubs are "not done yet",
and every typical wrong answer gets its own message."""

import numpy as np
import pytest

from lrnn_utils import checks, theory
from lrnn_utils.checks import ch04

# ----------------------------------------------------------------------------
# stable_learning_rate: a student's version written from scratch
# ----------------------------------------------------------------------------


def _parts(a, b, c, s):
    k = theory.time_lags(len(s))
    p0, p1 = b**k, k * b ** np.maximum(k - 1, 0)
    p2 = k * (k - 1) * b ** np.maximum(k - 2, 0)
    r = s - c * a * p0
    J = np.stack([c * p0, c * a * p1, a * p0])
    G = J @ J.T
    R = np.zeros((3, 3))
    R[0, 1] = R[1, 0] = r @ (c * p1)
    R[0, 2] = R[2, 0] = r @ p0
    R[1, 2] = R[2, 1] = r @ (a * p1)
    R[1, 1] = r @ (c * a * p2)
    return G, R


def _right_lr(a, b, c, s):
    G, R = _parts(a, b, c, s)
    return 2 / np.linalg.eigvalsh(G - R)[-1]


def _stub(*args, **kwargs):
    raise NotImplementedError()


WRONG_LR = {
    "1/λ_max": lambda a, b, c, s: 0.5 * _right_lr(a, b, c, s),
    "smallest eigenvalue": lambda a, b, c, s: (
        2 / np.linalg.eigvalsh(np.subtract(*_parts(a, b, c, s)))[0]
    ),
    "Gauss–Newton part": lambda a, b, c, s: (
        2 / np.linalg.eigvalsh(_parts(a, b, c, s)[0])[-1]
    ),
    "residual part enters with the wrong sign": lambda a, b, c, s: (
        2 / np.linalg.eigvalsh(np.add(*_parts(a, b, c, s)))[-1]
    ),
    "Hessian of −E": lambda a, b, c, s: (
        2 / np.linalg.eigvalsh(-np.subtract(*_parts(a, b, c, s)))[-1]
    ),
    "limit 2/λ_max is positive": lambda a, b, c, s: -_right_lr(a, b, c, s),
    "largest in absolute value": lambda a, b, c, s: (
        2 / np.max(np.abs(np.linalg.eigvalsh(np.subtract(*_parts(a, b, c, s)))))
    ),
    "NaN at b = 0": lambda a, b, c, s: _raw_lr(a, b, c, s),
}


def _raw_lr(a, b, c, s):
    """The notebook's solution with b ** (k - 1) written without np.maximum."""
    k = theory.time_lags(len(s))
    with np.errstate(all="ignore"):
        p0, p1, p2 = b**k, k * b ** (k - 1.0), k * (k - 1) * b ** (k - 2.0)
        r = s - c * a * p0
        grad = np.stack([c * p0, c * a * p1, a * p0])
        R = np.zeros((3, 3))
        R[0, 1] = R[1, 0] = r @ (c * p1)
        R[0, 2] = R[2, 0] = r @ p0
        R[1, 2] = R[2, 1] = r @ (a * p1)
        R[1, 1] = r @ (c * a * p2)
        H = grad @ grad.T - R
    if not np.all(np.isfinite(H)):
        return float("nan")  # what eigvalsh of a NaN matrix leads to
    return 2.0 / np.linalg.eigvalsh(H)[-1]


def test_the_edges_are_what_they_claim():
    cases, edges = ch04._lr_cases()
    edges = dict(edges)
    assert edges["b = 0"]["b"] == 0.0
    lam = np.linalg.eigvalsh(theory.energy_hessian(**edges["λ_min < −λ_max"]))
    assert lam[-1] > 0 and -lam[0] > lam[-1]
    for case in cases:  # on the random cases 2/max|λ| is right: only the edge fails
        lam = np.linalg.eigvalsh(theory.energy_hessian(**case))
        assert lam[-1] > -lam[0]


@pytest.mark.parametrize("name", ["largest in absolute value", "NaN at b = 0"])
def test_mistakes_that_only_an_edge_reveals(name):
    res = checks.stable_learning_rate(WRONG_LR[name])
    assert "(edge case:" in res.message, res


def test_stable_learning_rate_right_answer_passes():
    res = checks.stable_learning_rate(_right_lr)
    assert res.passed, res
    assert repr(res).startswith("✔ stable_learning_rate")


def test_stable_learning_rate_stub_is_not_done():
    res = checks.stable_learning_rate(_stub)
    assert res.status == "not done yet" and not res.passed


@pytest.mark.parametrize("expected, wrong", list(WRONG_LR.items()))
def test_stable_learning_rate_names_each_mistake(expected, wrong):
    res = checks.stable_learning_rate(wrong)
    assert res.status == "failed"
    assert expected in res.message, res.message


def test_stable_learning_rate_messages_are_distinct():
    msgs = {
        checks.stable_learning_rate(w).message.split(" (case")[0]
        for w in WRONG_LR.values()
    }
    assert len(msgs) == len(WRONG_LR)


def test_stable_learning_rate_shape_and_crash():
    res = checks.stable_learning_rate(lambda a, b, c, s: np.ones(3))
    assert res.status == "failed" and "shape" in res.message
    res = checks.stable_learning_rate(lambda a, b, c, s: 1 / 0)
    assert res.status == "failed" and "ZeroDivisionError" in res.message


# ----------------------------------------------------------------------------
# extrapolation_loss
# ----------------------------------------------------------------------------


def _right_ext(delta, lam, T, T_test, lag_shift=0, use_T=False, half=0.5):
    b_star, u_star = 1 / lam, delta * lam**T
    t = np.arange(1, T_test + 1)
    s = delta[:, None] * lam[:, None] ** t
    lag = (T if use_T else T_test) - t + lag_shift
    w = u_star[:, None] * b_star[:, None] ** lag
    return half * np.sum((s - w) ** 2, axis=1)


def _relative(delta, lam, T, T_test):
    t = np.arange(1, T_test + 1)
    s = delta[:, None] * lam[:, None] ** t
    return _right_ext(delta, lam, T, T_test) / (0.5 * np.sum(s**2, axis=1))


def _retrained(delta, lam, T, T_test):
    return _right_ext(delta, lam, T_test, T_test)


def _train_inputs(delta, lam, T, T_test):
    b_star, u_star = 1 / lam, delta * lam**T
    t = np.arange(1, T + 1)
    s = delta[:, None] * lam[:, None] ** t
    w = u_star[:, None] * b_star[:, None] ** (T_test - t)
    return 0.5 * np.sum((s - w) ** 2, axis=1)


WRONG_EXT = {
    "zero (training length in the power)": lambda d, l, T, Tt: _right_ext(
        d, l, T, Tt, use_T=True
    ),
    "off by one (+1)": lambda d, l, T, Tt: _right_ext(d, l, T, Tt, lag_shift=1),
    "off by one (−1)": lambda d, l, T, Tt: _right_ext(d, l, T, Tt, lag_shift=-1),
    "missing the factor 1/2": lambda d, l, T, Tt: _right_ext(d, l, T, Tt, half=1.0),
    "relative error": _relative,
    "zero (solution for length T′)": _retrained,
    "over the T′ inputs": _train_inputs,
}


def _expected_text(key):
    if key.startswith("zero"):
        return "your test loss is zero"
    return "off by one in the time index" if key.startswith("off by one") else key


def test_extrapolation_loss_right_answer_passes():
    res = checks.extrapolation_loss(
        lambda delta, lam, T, T_test: _right_ext(delta, lam, T, T_test)
    )
    assert res.passed, res


def test_extrapolation_loss_stub_is_not_done():
    res = checks.extrapolation_loss(_stub)
    assert res.status == "not done yet"
    assert repr(res).startswith("… extrapolation_loss")


@pytest.mark.parametrize("key", list(WRONG_EXT))
def test_extrapolation_loss_names_each_mistake(key):
    wrong = WRONG_EXT[key]
    res = checks.extrapolation_loss(
        lambda delta, lam, T, T_test: wrong(delta, lam, T, T_test)
    )
    assert res.status == "failed"
    assert _expected_text(key) in res.message, res.message


def test_extrapolation_loss_shape_problem():
    res = checks.extrapolation_loss(lambda delta, lam, T, T_test: 0.0)
    assert res.status == "failed" and "shape" in res.message


def test_checks_are_deterministic():
    a = repr(checks.extrapolation_loss(WRONG_EXT["relative error"]))
    b = repr(checks.extrapolation_loss(WRONG_EXT["relative error"]))
    assert a == b
    wrong = WRONG_LR["Gauss–Newton part"]
    assert repr(checks.stable_learning_rate(wrong)) == repr(
        checks.stable_learning_rate(wrong)
    )
