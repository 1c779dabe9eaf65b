"""Tests of lrnn_utils.moments (chapter 1 infrastructure)."""

import numpy as np
import pytest

from lrnn_utils import moments, network, tasks


def _weights(rng, Nx=3, Nh=4, Ny=2, scale=0.5):
    Wx = rng.standard_normal((Nh, Nx)) / np.sqrt(Nx)
    Wh = scale * rng.standard_normal((Nh, Nh)) / np.sqrt(Nh)
    Wy = rng.standard_normal((Ny, Nh)) / np.sqrt(Nh)
    return Wx, Wh, Wy


def test_apply_maps_and_impulse_response():
    rng = np.random.default_rng(1)
    Wx, Wh, Wy = _weights(rng)
    T = 6
    X = rng.standard_normal((9, T, 3))
    M = network.effective_maps(Wx, Wh, Wy, T)
    np.testing.assert_allclose(
        network.apply_maps(M, X), network.forward(Wx, Wh, Wy, X), atol=1e-12
    )
    np.testing.assert_allclose(network.impulse_response(Wx, Wh, Wy, T), M, atol=1e-13)


def test_input_correlations_whitened_task():
    rng = np.random.default_rng(2)
    task = tasks.make_task(np.ones((4, 2)), P=40, rng=rng, n_in=3)
    flat = moments.input_correlations(task.X, flat=True)
    np.testing.assert_allclose(flat, np.eye(12), atol=1e-12)
    full = moments.input_correlations(task.X)
    assert full.shape == (4, 3, 4, 3)  # the layout of Moments.sigma_xx
    np.testing.assert_allclose(full[1, :, 2], 0, atol=1e-12)
    np.testing.assert_allclose(full[2, :, 2], np.eye(3), atol=1e-12)
    sxx = moments.moments(task.X, task.Y, False).sigma_xx
    np.testing.assert_allclose(full, sxx, rtol=0, atol=1e-12)


def test_loss_formulas():
    rng = np.random.default_rng(3)
    T, K = 4, 2
    task = tasks.make_task(rng.uniform(0.5, 2, (T, K)), P=50, rng=rng, n_in=3, n_out=2)
    Wx, Wh, Wy = _weights(rng)
    M = network.effective_maps(Wx, Wh, Wy, T)
    Syx = moments.correlations(task.X, task.Y)
    tyy = moments.output_second_moment(task.Y)
    L = network.loss(Wx, Wh, Wy, task.X, task.Y)
    Sxx = moments.input_correlations(task.X)
    assert moments.loss_from_moments(M, Syx, Sxx, tyy) == pytest.approx(L, rel=1e-12)
    # raw inputs: the general formula stays exact, the whitened one does not
    X = rng.standard_normal((30, T, 3))
    Y = rng.standard_normal((30, 2))
    L = network.loss(Wx, Wh, Wy, X, Y)
    Syx = moments.correlations(X, Y)
    tyy = moments.output_second_moment(Y)
    Sxx = moments.input_correlations(X)
    assert moments.loss_from_moments(M, Syx, Sxx, tyy) == pytest.approx(L, rel=1e-12)


def test_hidden_norm_theory_exact_for_whitened_inputs():
    rng = np.random.default_rng(4)
    T, Nx, Nh = 12, 2, 5
    X = tasks.whiten(rng.standard_normal((60, T * Nx))).reshape(60, T, Nx)
    Wx = rng.standard_normal((Nh, Nx))
    Wh = 1.05 * tasks.random_orthonormal(Nh, Nh, rng)
    H = network.hidden_states(Wx, Wh, np.zeros((1, Nh)), X)
    np.testing.assert_allclose(
        network.hidden_norm_rms(H), network.hidden_norm_theory(Wx, Wh, T), rtol=1e-12
    )
    geo = np.sqrt(
        np.sum(Wx**2) * np.concatenate([[0], np.cumsum(1.05 ** (2 * np.arange(T)))])
    )
    np.testing.assert_allclose(network.hidden_norm_theory(Wx, Wh, T), geo, rtol=1e-12)


def test_finite_difference_gradients():
    rng = np.random.default_rng(5)
    T = 5
    task = tasks.make_task(rng.uniform(0.5, 2, (T, 2)), P=30, rng=rng, n_in=3, n_out=2)
    Wx, Wh, Wy = _weights(rng, scale=0.9)
    g = network.gradients(Wx, Wh, Wy, task.X, task.Y)
    fd = network.finite_difference_gradients(Wx, Wh, Wy, task.X, task.Y)
    for a, b in zip(g, fd):
        np.testing.assert_allclose(b, a, atol=1e-8)


def test_ar1_inputs_and_population_moments():
    rng = np.random.default_rng(6)
    X = moments.ar1_inputs(200_000, 3, 2, 0.6, rng)
    S = moments.input_correlations(X)
    np.testing.assert_allclose(S, moments.ar1_correlations(3, 2, 0.6), atol=0.01)
    A = rng.standard_normal((3, 2, 2))
    Y = network.apply_maps(A, X)
    Syx, tyy = moments.population_moments(A, moments.ar1_correlations(3, 2, 0.6))
    np.testing.assert_allclose(moments.correlations(X, Y), Syx, atol=0.03)
    assert moments.output_second_moment(Y) == pytest.approx(tyy, rel=0.02)
    # exact identity with the sample moments
    Syx_s, tyy_s = moments.population_moments(A, S)
    np.testing.assert_allclose(moments.correlations(X, Y), Syx_s, atol=1e-10)
    assert moments.output_second_moment(Y) == pytest.approx(tyy_s, rel=1e-10)


def test_errors():
    rng = np.random.default_rng(7)
    Wx, Wh, Wy = _weights(rng)
    with pytest.raises(ValueError):
        network.apply_maps(np.zeros((3, 2, 2)), np.zeros((4, 2, 2)))
    with pytest.raises(ValueError):
        network.impulse_response(Wx, Wh, Wy, 0)
    with pytest.raises(ValueError):
        moments.input_correlations(np.zeros((3, 2)))
    with pytest.raises(ValueError):
        moments.output_second_moment(np.zeros(3))
    with pytest.raises(ValueError):
        moments.loss_from_moments(
            np.zeros((2, 2, 2)), np.zeros((2, 2, 2)), np.zeros((2, 2, 2, 3)), 0.0
        )
    with pytest.raises(ValueError):
        network.hidden_norm_rms(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="Wh"):
        network.hidden_norm_theory(Wx, np.eye(3), 4)
    with pytest.raises(ValueError, match="Wx"):
        network.hidden_norm_theory(np.ones(3), np.eye(3), 4)
    with pytest.raises(ValueError, match="T"):
        network.hidden_norm_theory(Wx, Wh, 0)
    with pytest.raises(ValueError):
        network.finite_difference_gradients(
            Wx, Wh, Wy, np.zeros((2, 3, 3)), np.zeros((2, 2)), eps=0
        )
    with pytest.raises(ValueError):
        moments.ar1_inputs(5, 3, 2, 1.0, rng)
    with pytest.raises(ValueError):
        moments.ar1_inputs(5, 3, 2, 0.5, 0)
    with pytest.raises(ValueError):
        moments.ar1_correlations(3, 2, -1.5)
    with pytest.raises(ValueError):
        moments.population_moments(np.zeros((2, 2, 2)), np.zeros((3, 3, 2, 2)))
