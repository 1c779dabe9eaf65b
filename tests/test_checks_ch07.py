"""Tests of the chapter-7 exercise checks: right answers pass, stubs are 'not done',
each typical mistake gets its own message."""

import numpy as np
import pytest

from lrnn_utils import sensory
from lrnn_utils.checks import ch07


def stub(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize(
    "check, right",
    [
        (ch07.target_weights, sensory.target_weights),
        (ch07.unaligned_modes, sensory.read_modes),
        (ch07.sensory_test_loss, ch07._extrapolation_reference),
    ],
)
def test_right_answer_passes_and_stub_is_not_done(check, right):
    assert check(right).passed
    res = check(stub)
    assert not res.done and "NotImplementedError" in res.message


def _w(target, T):
    return sensory.target_weights(target, T)


@pytest.mark.parametrize(
    "wrong, text",
    [
        (
            lambda target, T: 0.1 * np.arange(T) if target == "late" else _w(target, T),
            "t = 1..T",
        ),
        (lambda target, T: _w(target, T)[::-1], "reversed in time"),
        (
            lambda target, T: 10 * _w(target, T) if target == "late" else _w(target, T),
            "factor 0.1",
        ),
        (
            lambda target, T: np.ones(T) if target == "mean" else _w(target, T),
            "divides the sum by T",
        ),
    ],
)
def test_target_weights_mistakes(wrong, text):
    res = ch07.target_weights(wrong)
    assert not res.passed and text in res.message


@pytest.mark.parametrize(
    "wrong, text",
    [
        (
            lambda Wx, Wh, Wy, U, V: tuple(
                np.linalg.svd(W, compute_uv=False)[:4] for W in (Wx, Wh, Wy)
            ),
            "sorted singular values",
        ),
        (
            lambda Wx, Wh, Wy, U, V: (
                np.linalg.norm(Wx @ V, axis=0),
                np.einsum("hk,hg,gk->k", Wx @ V, Wh, Wx @ V),
                np.einsum("ok,oh,hk->k", U, Wy, Wx @ V),
            ),
            "normalise the hidden direction",
        ),
        (
            lambda Wx, Wh, Wy, U, V: sensory.read_modes(Wx, Wh, Wy, V, V),
            "OUTPUT singular vectors",
        ),
        (
            lambda Wx, Wh, Wy, U, V: sensory.read_modes(Wx, Wh, Wy, U, U),
            "INPUT singular vectors",
        ),
    ],
)
def test_read_modes_mistakes(wrong, text):
    res = ch07.unaligned_modes(wrong)
    assert not res.passed and text in res.message


@pytest.mark.parametrize(
    "wrong, text",
    [
        (
            lambda X, u, w: 0.5 * np.einsum("t,pti->", (w - u) ** 2, X**2) / len(X),
            "cross-time",
        ),
        (lambda X, u, w: 2 * ch07._extrapolation_reference(X, u, w), "factor 1/2"),
        (
            lambda X, u, w: len(X) * ch07._extrapolation_reference(X, u, w),
            "divide by P",
        ),
    ],
)
def test_extrapolation_loss_mistakes(wrong, text):
    res = ch07.sensory_test_loss(wrong)
    assert not res.passed and text in res.message
