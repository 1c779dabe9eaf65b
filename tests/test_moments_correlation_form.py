"""Tests of lrnn_utils.moments: the loss and gradients through Σ^{YX_t}."""

import numpy as np
import pytest

from lrnn_utils import moments, network, tasks, theory


def _weights(rng, Nh, Nx, Ny, scale=0.5):
    return (
        scale * rng.standard_normal((Nh, Nx)),
        scale * rng.standard_normal((Nh, Nh)) / np.sqrt(Nh),
        scale * rng.standard_normal((Ny, Nh)),
    )


def _whitened(rng, P, T, Nx):
    return tasks.whiten(rng.standard_normal((P, T * Nx))).reshape(P, T, Nx)


def test_loss_is_correlation_loss_plus_offset_for_any_weights_and_targets():
    rng = np.random.default_rng(3)
    T, Nx, Ny, Nh, P = 5, 3, 2, 4, 40
    X = _whitened(rng, P, T, Nx)
    Y = rng.standard_normal((P, Ny))  # not a linear function of X
    sigma = moments.correlations(X, Y)
    off = moments.loss_offset(X, Y)
    assert off > 0.1
    for _ in range(3):
        W = _weights(rng, Nh, Nx, Ny)
        assert network.loss(*W, X, Y) == pytest.approx(
            moments.correlation_loss(*W, sigma) + off, rel=1e-12
        )


def test_offset_vanishes_for_linear_teacher_and_loss_is_mode_energy():
    rng = np.random.default_rng(4)
    s = np.stack(
        [
            tasks.task_singular_values("exponential", 6, 1.0, 0.9),
            tasks.task_singular_values("inverse_exponential", 6, 0.7, 1.1),
        ],
        axis=1,
    )
    task = tasks.make_task(s, P=24, rng=rng, n_in=3, n_out=2)
    assert abs(moments.loss_offset(task.X, task.Y)) < 1e-13
    a, b, c = np.array([0.3, -0.4]), np.array([0.9, 1.05]), np.array([0.5, 0.8])
    Wx, Wh, Wy, _ = network.aligned_init(task, a, b, c, rng, n_hidden=3)
    E = theory.energy(a, b, c, task.s).sum()
    assert moments.correlation_loss(
        Wx, Wh, Wy, moments.correlations(task.X, task.Y)
    ) == pytest.approx(E, rel=1e-12)


def test_formula_fails_without_whitening():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((30, 4, 3))
    Y = rng.standard_normal((30, 2))
    W = _weights(rng, 3, 3, 2)
    L = network.loss(*W, X, Y)
    assert (
        abs(
            moments.correlation_loss(*W, moments.correlations(X, Y))
            + moments.loss_offset(X, Y)
            - L
        )
        > 1e-3
    )


@pytest.mark.parametrize("T", [1, 2, 5])
def test_correlation_gradients_equal_bptt_on_whitened_inputs(T):
    rng = np.random.default_rng(10 + T)
    Nx, Ny, Nh = 3, 2, 4
    X = _whitened(rng, 4 * T * Nx, T, Nx)
    Y = rng.standard_normal((X.shape[0], Ny))
    W = _weights(rng, Nh, Nx, Ny, scale=0.9)
    cg = moments.correlation_gradients(*W, moments.correlations(X, Y))
    for got, want in zip(cg, network.gradients(*W, X, Y)):
        np.testing.assert_allclose(got, want, atol=1e-12)
    if T == 1:
        assert np.all(cg[1] == 0)  # eq 24's double sum is empty: no recurrent gradient


def test_correlations_from_svd_matches_make_task():
    rng = np.random.default_rng(6)
    task = tasks.make_task(rng.uniform(0.5, 2, (4, 2)), P=50, rng=rng, n_in=3, n_out=2)
    np.testing.assert_allclose(
        moments.correlations(task.X, task.Y),
        moments.correlations_from_svd(task.U, task.s, task.V),
        atol=1e-12,
    )


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda W: moments.correlation_loss(*W, np.zeros((3, 3, 4))),
            "sigma_yx must have shape",
        ),
        (
            lambda W: moments.correlation_gradients(*W, np.zeros((4, 3))),
            "3-dimensional",
        ),
        (lambda W: moments.correlation_gradients(*W, np.zeros((0, 4, 3))), "T >= 1"),
        (
            lambda W: moments.correlation_loss(*W, np.full((2, 4, 3), np.nan)),
            "non-finite",
        ),
        (
            lambda W: moments.loss_offset(np.zeros((4, 2, 1)), np.zeros((3, 1))),
            "same number of samples",
        ),
        (
            lambda W: moments.correlations_from_svd(
                np.eye(2), np.ones((3, 3)), np.eye(2)
            ),
            "share the number of modes",
        ),
    ],
)
def test_bad_input_raises(call, match):
    W = _weights(np.random.default_rng(0), 2, 3, 4)
    with pytest.raises(ValueError, match=match):
        call(W)
