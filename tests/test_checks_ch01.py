"""The chapter 1 exercise checks: right answers pass, stubs are "not done yet", and
each typical wrong answer (written as a student would write it) gets its own message."""

import numpy as np
import pytest

from lrnn_utils.checks import ch01

mp = np.linalg.matrix_power


# ---------------------------------------------------------------- unrolled output
def _output(Wx, Wh, Wy, X, power, Wh_used=None):
    Wh_used = Wh if Wh_used is None else Wh_used
    P, T, _ = X.shape
    y = np.zeros((P, Wy.shape[0]))
    for i in range(1, T + 1):
        y += X[:, i - 1] @ (Wy @ mp(Wh_used, power(T, i)) @ Wx).T
    return y


def right_output(Wx, Wh, Wy, X):
    T = X.shape[1]
    M = np.stack([Wy @ mp(Wh, T - i) @ Wx for i in range(1, T + 1)])
    return np.einsum("toi,pti->po", M, X)


def stub_output(Wx, Wh, Wy, X):
    raise NotImplementedError()


WRONG_OUTPUTS = {
    "one too high": lambda Wx, Wh, Wy, X: _output(
        Wx, Wh, Wy, X, lambda T, i: T - i + 1
    ),
    "one too low": lambda Wx, Wh, Wy, X: _output(Wx, Wh, Wy, X, lambda T, i: T - i - 1),
    "wrong way in time": lambda Wx, Wh, Wy, X: _output(
        Wx, Wh, Wy, X, lambda T, i: i - 1
    ),
    "W_h is transposed": lambda Wx, Wh, Wy, X: _output(
        Wx, Wh, Wy, X, lambda T, i: T - i, Wh_used=Wh.T
    ),
    "only the last input": lambda Wx, Wh, Wy, X: X[:, -1] @ (Wy @ Wx).T,
    "summed over the samples": lambda Wx, Wh, Wy, X: np.einsum(
        "toi,pti->pto",
        np.stack([Wy @ mp(Wh, X.shape[1] - i) @ Wx for i in range(1, X.shape[1] + 1)]),
        X,
    ).sum(axis=0),
    "must be summed": lambda Wx, Wh, Wy, X: np.einsum(
        "toi,pti->pto",
        np.stack([Wy @ mp(Wh, X.shape[1] - i) @ Wx for i in range(1, X.shape[1] + 1)]),
        X,
    ),
    "hidden state h_(T+1)": lambda Wx, Wh, Wy, X: sum(
        X[:, i - 1] @ (mp(Wh, X.shape[1] - i) @ Wx).T for i in range(1, X.shape[1] + 1)
    ),
    "one row per sample": lambda Wx, Wh, Wy, X: right_output(Wx, Wh, Wy, X).T,
    "wrong sign": lambda Wx, Wh, Wy, X: -right_output(Wx, Wh, Wy, X),
}


def test_unrolled_output_right_answer_passes():
    result = ch01.unrolled_output(right_output)
    assert result.passed
    assert repr(result) == (
        "✔ unrolled_output: matches the reference on 3 random cases and 1 edge case "
        "(T = 1)"
    )


def test_unrolled_output_stub_is_not_done():
    result = ch01.unrolled_output(stub_output)
    assert not result.done
    assert "NotImplementedError" in repr(result)


@pytest.mark.parametrize("expected", list(WRONG_OUTPUTS))
def test_unrolled_output_wrong_answers_are_named(expected):
    result = ch01.unrolled_output(WRONG_OUTPUTS[expected])
    assert result.done and not result.passed
    assert expected in result.message, result.message


def test_unrolled_output_messages_are_distinct():
    messages = {ch01.unrolled_output(f).message for f in WRONG_OUTPUTS.values()}
    assert len(messages) == len(WRONG_OUTPUTS)


def test_unrolled_output_crash_is_reported():
    def crash(Wx, Wh, Wy, X):
        return Wx @ X  # shapes do not fit

    result = ch01.unrolled_output(crash)
    assert result.status == "failed" and "raised ValueError" in result.message


# ---------------------------------------------------------------- BPTT gradients
def student_bptt(
    Wx,
    Wh,
    Wy,
    X,
    Y,
    divide_by_P=True,
    error_sign=1.0,
    back=lambda Wh: Wh.T,
    state_after=False,
    transpose_dWh=False,
    all_steps=True,
    time_average=False,
):
    """BPTT written with column vectors, as in the chapter; switches = mistakes."""
    P, T, _ = X.shape
    H = np.zeros((P, T + 1, Wh.shape[0]))
    for t in range(T):
        H[:, t + 1] = H[:, t] @ Wh.T + X[:, t] @ Wx.T
    e = error_sign * (H[:, T] @ Wy.T - Y)  # rows: e_p^T
    n = P if divide_by_P else 1
    dWy = e.T @ H[:, T] / n
    g = Wy.T @ e.T / n  # columns: g_(T+1) per sample
    dWx, dWh = np.zeros_like(Wx), np.zeros_like(Wh)
    steps = range(T, 0, -1) if all_steps else [T]
    for t in steps:
        dWx += g @ X[:, t - 1]
        h = H[:, t] if state_after else H[:, t - 1]
        dWh += (g @ h).T if transpose_dWh else g @ h
        g = back(Wh) @ g
    if time_average:
        dWx, dWh = dWx / T, dWh / T
    return dWx, dWh, dWy


def stub_bptt(Wx, Wh, Wy, X, Y):
    raise NotImplementedError()


WRONG_BPTT = {
    "P times too large": lambda **c: student_bptt(**c, divide_by_P=False),
    "wrong sign": lambda **c: student_bptt(**c, error_sign=-1.0),
    "instead of W_h^T": lambda **c: student_bptt(**c, back=lambda Wh: Wh),
    "state after the step": lambda **c: student_bptt(**c, state_after=True),
    "dW_h is transposed": lambda **c: student_bptt(**c, transpose_dWh=True),
    "only the last time step": lambda **c: student_bptt(**c, all_steps=False),
    "T times too small": lambda **c: student_bptt(**c, time_average=True),
    "dWx has shape (Nx, Nh)": lambda **c: (
        student_bptt(**c)[0].T,
        *student_bptt(**c)[1:],
    ),
    "dWy has shape (Nh, Ny)": lambda **c: (
        *student_bptt(**c)[:2],
        student_bptt(**c)[2].T,
    ),
    "returned 2 values": lambda **c: student_bptt(**c)[:2],
}


def test_bptt_right_answer_passes():
    result = ch01.bptt_gradients(
        lambda Wx, Wh, Wy, X, Y: student_bptt(Wx, Wh, Wy, X, Y)
    )
    assert result.passed
    assert repr(result) == (
        "✔ bptt_gradients: matches the reference on 3 random cases and 1 edge case "
        "(T = 1)"
    )


def test_bptt_stub_is_not_done():
    result = ch01.bptt_gradients(stub_bptt)
    assert not result.done
    assert repr(result).startswith("… bptt_gradients")


@pytest.mark.parametrize("expected", list(WRONG_BPTT))
def test_bptt_wrong_answers_are_named(expected):
    wrong = WRONG_BPTT[expected]
    result = ch01.bptt_gradients(
        lambda Wx, Wh, Wy, X, Y: wrong(Wx=Wx, Wh=Wh, Wy=Wy, X=X, Y=Y)
    )
    assert result.done and not result.passed
    assert expected in result.message, result.message


def test_bptt_messages_are_distinct():
    messages = {
        ch01.bptt_gradients(
            lambda Wx, Wh, Wy, X, Y, f=f: f(Wx=Wx, Wh=Wh, Wy=Wy, X=X, Y=Y)
        ).message
        for f in WRONG_BPTT.values()
    }
    assert len(messages) == len(WRONG_BPTT)


def test_checks_are_deterministic():
    wrong = WRONG_BPTT["instead of W_h^T"]

    def f(Wx, Wh, Wy, X, Y):
        return wrong(Wx=Wx, Wh=Wh, Wy=Wy, X=X, Y=Y)

    assert repr(ch01.bptt_gradients(f)) == repr(ch01.bptt_gradients(f))
    assert repr(ch01.unrolled_output(right_output)) == repr(
        ch01.unrolled_output(right_output)
    )


def test_student_function_must_be_callable():
    with pytest.raises(TypeError):
        ch01.unrolled_output(np.zeros(3))
