"""Tests of chapter 8's exercise checks: right answers pass, stubs are 'not done yet',
and each typical mistake gets its own message."""

import numpy as np
import pytest

from lrnn_utils import checks, t_output


def _stub(*args, **kwargs):
    raise NotImplementedError()


# --- t_output_loss ---------------------------------------------------------------
def loss_loop(Wx, Wh, Wy, X, Y):
    """A student's loop over samples and times."""
    P, T, _ = X.shape
    total = 0.0
    for p in range(P):
        h = np.zeros(Wh.shape[0])
        for t in range(T):
            h = Wh @ h + Wx @ X[p, t]
            total += np.sum((Y[p, t] - Wy @ h) ** 2)
    return total / (2 * P)


def loss_last_only(Wx, Wh, Wy, X, Y):
    P, T, _ = X.shape
    total = 0.0
    for p in range(P):
        h = np.zeros(Wh.shape[0])
        for t in range(T):
            h = Wh @ h + Wx @ X[p, t]
        total += np.sum((Y[p, -1] - Wy @ h) ** 2)
    return total / (2 * P)


def loss_reads_h_t(Wx, Wh, Wy, X, Y):
    P, T, _ = X.shape
    total = 0.0
    for p in range(P):
        h = np.zeros(Wh.shape[0])
        for t in range(T):
            total += np.sum((Y[p, t] - Wy @ h) ** 2)  # read out before the update
            h = Wh @ h + Wx @ X[p, t]
    return total / (2 * P)


def test_t_output_loss_right_and_stub():
    assert checks.t_output_loss(loss_loop).passed
    assert checks.t_output_loss(t_output.loss).passed
    assert checks.t_output_loss(_stub).status == "not done yet"


@pytest.mark.parametrize(
    "wrong, message",
    [
        (loss_last_only, "single-output loss of the last step"),
        (lambda **k: loss_loop(**k) / k["X"].shape[1], "divided by T"),
        (loss_reads_h_t, "off by one in time"),
        (lambda **k: loss_loop(**k) * k["X"].shape[0], "1/P is missing"),
        (lambda **k: 2 * loss_loop(**k), "factor ½ is missing"),
        (lambda **k: None, "returned None"),
    ],
)
def test_t_output_loss_names_the_mistake(wrong, message):
    res = checks.t_output_loss(wrong)
    assert res.status == "failed" and message in res.message, res.message


# --- t_output_flows --------------------------------------------------------------
def flows_loop(a, b, c, s):
    """A student's double loop over output and input times."""
    T = s.shape[-1]
    da, db, dc = 0.0, 0.0, 0.0
    for t in range(1, T + 1):
        for i in range(1, t + 1):
            k = t - i
            r = s[..., t - 1, i - 1] - c * b**k * a
            da = da + c * b**k * r
            dc = dc + a * b**k * r
            if k > 0:
                db = db + k * c * a * b ** (k - 1) * r
    shape = np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(c), s.shape[:-2])
    return tuple(np.broadcast_to(x, shape) * 1.0 for x in (da, db, dc))


def flows_variant(a, b, c, s, lag="t-i", upper=False, factor=True, sign=1.0):
    """flows_loop with one typical mistake (the lag, the range of i, ...)."""
    T = s.shape[-1]
    da, db, dc = 0.0, 0.0, 0.0
    for t in range(1, T + 1):
        for i in range(1, (T if upper else t) + 1):
            k = t - i if lag == "t-i" else T - i
            r = s[..., t - 1, i - 1] - c * b ** float(k) * a
            da = da + c * b ** float(k) * r
            dc = dc + a * b ** float(k) * r
            if k > 0:
                db = db + (k if factor else 1) * c * a * b ** (k - 1.0) * r
    shape = np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(c), s.shape[:-2])
    return tuple(sign * np.broadcast_to(x, shape) for x in (da, db, dc))


def flows_last_row(a, b, c, s):
    from lrnn_utils import theory

    return theory.mode_flows(a, b, c, s[..., -1, :])


def test_t_output_flows_right_and_stub():
    assert checks.t_output_flows(flows_loop).passed
    assert checks.t_output_flows(t_output.mode_flows).passed
    assert checks.t_output_flows(_stub).status == "not done yet"


@pytest.mark.parametrize(
    "wrong, message",
    [
        (flows_last_row, "single-output flow of the last output time"),
        (lambda a, b, c, s: flows_variant(a, b, c, s, lag="T-i"), "lag is t − i"),
        (lambda a, b, c, s: flows_variant(a, b, c, s, upper=True), "i ≤ t only"),
        (lambda a, b, c, s: flows_variant(a, b, c, s, factor=False), "factor (t − i)"),
        (lambda a, b, c, s: flows_variant(a, b, c, s, sign=-1.0), "wrong sign"),
        (lambda a, b, c, s: flows_loop(a, b, c, s)[:2], "returned 2 values"),
    ],
)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_t_output_flows_names_the_mistake(wrong, message):
    res = checks.t_output_flows(wrong)
    assert res.status == "failed" and message in res.message, res.message
