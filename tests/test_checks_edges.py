"""The failures issue 17 reported, one test each: crashes on odd return values,
misleading diagnoses, and wrong answers that passed because no case reached an edge."""

from __future__ import annotations

import numpy as np
import pytest

from lrnn_utils import checks, network
from lrnn_utils.checks import ch05


# ------------------------------------------------------------------ never crash
@pytest.mark.parametrize(
    "check, ref",
    [
        (checks.bptt_gradients, network.gradients),
        (checks.unrolled_output, network.forward),
    ],
)
def test_a_list_of_arrays_gets_a_verdict(check, ref):
    res = check(lambda **kw: [np.asarray(x) for x in np.atleast_1d(ref(**kw))])
    assert res.status in ("passed", "failed")  # before: a raw numpy ValueError


def test_three_right_arrays_in_a_list_pass():
    assert checks.bptt_gradients(lambda **kw: list(network.gradients(**kw))).passed


def test_a_ragged_list_of_gradients_is_a_verdict():
    res = checks.bptt_gradients(
        lambda **kw: [g.tolist() for g in network.gradients(**kw)]
    )
    assert res.status == "failed" and "not a numpy array" in res.message, res


# ------------------------------------------------------------------ never mislead
def test_which_output_differs_is_named():
    def student(**kw):
        dWx, dWh, dWy = network.gradients(**kw)
        return dWx, dWh + 0.01 * np.sign(dWh) * dWh**2, dWy

    res = checks.bptt_gradients(student)
    assert res.message.startswith("dWh "), res
    assert "dWx and dWy match" in res.message, res


def test_a_dropped_cross_term_is_not_called_a_factor():
    def student(X, u, w):  # the per-trial cross-time terms dropped, mean kept
        err = np.einsum("t,pti->pi", w - u, X)
        return 0.5 * np.mean(np.sum(err**2, axis=-1)) * (1 + 1e-3 * X.shape[1] % 7)

    res = checks.sensory_test_loss(student)
    assert res.status == "failed" and "constant factor" not in res.message, res


def test_a_scalar_is_never_a_constant_factor_on_one_value():
    res = checks.check_value("root", 0.7071, 2**-0.5)
    assert res.message == "close: relative error 1e-5 — rounded by hand?", res
    assert "times" not in checks.check_value("root", 0.9, 2**-0.5).message


def test_a_scalar_factor_needs_the_same_ratio_in_every_case():
    ref = checks.ch04._stable_lr_reference
    res = checks.stable_learning_rate(lambda **kw: 3 * ref(**kw))
    assert "3 times the reference in all 6 cases" in res.message, res
    res = checks.stable_learning_rate(lambda **kw: ref(**kw) + 0.3)
    assert "constant factor" not in res.message, res


def test_a_ratio_near_one_is_a_near_miss():
    res = checks.unrolled_output(lambda **kw: 1.0004 * network.forward(**kw))
    assert "close but 1.0004 times" in res.message, res


# ------------------------------------------------------------------ edges
def _dirac_raw(a, b, c, beta, kappa, T, lr):
    s = np.zeros(np.shape(a) + (T,))
    s[..., 0], s[..., -1] = beta, kappa
    lag = T - np.arange(1, T + 1)
    bb = b[..., None]
    pw = bb**lag
    r = s - (a * c)[..., None] * pw
    with np.errstate(all="ignore"):
        db = a * c * np.sum(lag * bb ** (lag - 1.0) * r, axis=-1)
    return (
        a + lr * c * np.sum(pw * r, axis=-1),
        b + lr * db,
        c + lr * a * np.sum(pw * r, axis=-1),
    )


def test_b_to_the_lag_minus_one_fails_at_b_zero():
    res = checks.dirac_euler_step(_dirac_raw)
    assert res.status == "failed" and res.message.startswith("NaN at b = 0"), res
    assert res.message.endswith("(edge case: b = 0)")
    assert checks.dirac_euler_step(ch05._step).passed


def _modes_unstacked(Wx, Wh, Wy, U, V):
    drive = Wx @ V
    a = np.linalg.norm(drive, axis=0)
    r = drive / a
    return a, np.einsum("hk,hg,gk->k", r, Wh, r), np.einsum("ok,oh,hk->k", U, Wy, r)


def _modes_flattened(Wx, Wh, Wy, U, V):
    if Wx.ndim == 2:
        return network.read_modes(Wx, Wh, Wy, U, V)
    return network.read_modes(Wx[0, 0], Wh[0, 0], Wy[0, 0], U, V)


@pytest.mark.parametrize("student", [_modes_unstacked, _modes_flattened])
def test_the_mode_read_out_must_handle_stacks(student):
    res = checks.unaligned_modes(student)
    assert res.status == "failed", res
    assert "stack" in res.message, res
    assert checks.unaligned_modes(network.read_modes).passed


def test_the_stacked_edge_is_a_stack():
    rng = np.random.default_rng(0)
    case = checks.ch07._mode_case(rng, stack=(2, 3))
    a, b, c = network.read_modes(**case)
    assert a.shape == b.shape == c.shape == (2, 3, 4)


def test_t_equal_one_is_checked():
    def no_recurrence_needed(Wx, Wh, Wy, X):  # wrong for T > 1 only
        return X[:, -1] @ (Wy @ Wx).T

    res = checks.unrolled_output(no_recurrence_needed)
    assert res.status == "failed"

    def breaks_at_one(Wx, Wh, Wy, X):
        if X.shape[1] == 1:
            return np.zeros((X.shape[0], Wy.shape[0]))
        return network.forward(Wx, Wh, Wy, X)

    res = checks.unrolled_output(breaks_at_one)
    assert res.message == "yours is all zeros (edge case: T = 1)", res


def test_the_seed_changes_the_cases_not_the_default_verdict():
    f = ch05._reg_grad_ref
    assert repr(checks.regularization_gradient(f)) == (
        "✔ regularization_gradient: matches the reference on 3 random cases and 3 "
        "edge cases (b = 0; b = ±1; T = 1)"
    )
    assert checks.regularization_gradient(f, seed=1).passed
    a = ch05._reg_cases(1)[0][1]["a"]
    assert not np.allclose(a, ch05._reg_cases()[0][1]["a"])
