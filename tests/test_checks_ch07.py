"""Tests of the chapter-7 exercise checks: right answers pass, stubs are 'not done',
each typical mistake gets its own message."""

import numpy as np
import pytest

from lrnn_utils import network, stimuli
from lrnn_utils.checks import ch07


def stub(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize(
    "check, right",
    [
        (ch07.estimate_weights, ch07._lstsq_ref),
        (ch07.unaligned_modes, network.read_modes),
        (ch07.sensory_test_loss, ch07._extrapolation_reference),
    ],
)
def test_right_answer_passes_and_stub_is_not_done(check, right):
    assert check(right).passed
    res = check(stub)
    assert not res.done and "NotImplementedError" in res.message


def _normal_equations(X, Y):
    P, T, N = X.shape
    A = X.transpose(0, 2, 1).reshape(P * N, T)
    return np.linalg.solve(A.T @ A, A.T @ Y.ravel())


def test_estimate_weights_normal_equations_pass_and_recover_w():
    assert ch07.estimate_weights(_normal_equations).passed
    rng = np.random.default_rng(3)
    w = stimuli.target_weights("early", 5)
    case = ch07._trials(rng, 12, 5, w, noise=0.0)
    np.testing.assert_allclose(_normal_equations(**case), w, atol=1e-10)


@pytest.mark.parametrize(
    "wrong, text",
    [
        (
            lambda X, Y: np.einsum("pti,pi->t", X, Y) / np.einsum("pti,pti->t", X, X),
            "each time step on its own",
        ),
        (
            lambda X, Y: np.linalg.lstsq(X[:, :, 0], Y[:, 0], rcond=None)[0],
            "use every channel",
        ),
        (
            lambda X, Y: X.transpose(0, 2, 1).reshape(-1, X.shape[1]).T @ Y.ravel(),
            "normal equations",
        ),
        (
            lambda X, Y: np.stack(
                [np.linalg.lstsq(X[:, :, i], Y[:, i], rcond=None)[0] for i in range(4)]
            ),
            "one w for all 4 channels",
        ),
        (lambda X, Y: _normal_equations(X, Y)[::-1], "differs"),
    ],
)
def test_estimate_weights_mistakes(wrong, text):
    res = ch07.estimate_weights(wrong)
    assert not res.passed and text in res.message, res


def test_estimate_weights_draws_the_answer_not_the_stub():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    assert ch07.estimate_weights(_normal_equations).plot() is not None
    plt.close("all")
    assert ch07.estimate_weights(stub).plot() is None and plt.get_fignums() == []


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
            lambda Wx, Wh, Wy, U, V: network.read_modes(Wx, Wh, Wy, V, V),
            "OUTPUT singular vectors",
        ),
        (
            lambda Wx, Wh, Wy, U, V: network.read_modes(Wx, Wh, Wy, U, U),
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
