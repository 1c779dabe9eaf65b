"""Tests of lrnn_utils.kernels (Jacobian, NTK, kernel distance, batched training) and of
network.unaligned_init."""

import numpy as np
import pytest

from lrnn_utils import feature_learning, kernels, network


def random_net(rng, Nx, Nh, Ny, scale=0.7):
    return (
        rng.normal(size=(Nh, Nx)) * scale,
        rng.normal(size=(Nh, Nh)) * scale / np.sqrt(Nh),
        rng.normal(size=(Ny, Nh)) * scale,
    )


def fd_jacobian(Wx, Wh, Wy, X, eps=1e-6):
    shapes = [w.shape for w in (Wx, Wh, Wy)]
    theta = np.concatenate([w.ravel() for w in (Wx, Wh, Wy)])

    def f(th):
        parts, k = [], 0
        for s in shapes:
            n = int(np.prod(s))
            parts.append(th[k : k + n].reshape(s))
            k += n
        return network.forward(*parts, X).ravel()

    cols = []
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = eps
        cols.append((f(theta + e) - f(theta - e)) / (2 * eps))
    return np.stack(cols, axis=1)


@pytest.mark.parametrize("seed", range(6))
def test_jacobian_matches_central_finite_differences(seed):
    rng = np.random.default_rng(seed)
    Nx, Nh, Ny, P, T = (int(v) for v in rng.integers(1, 5, size=5))
    W = random_net(rng, Nx, Nh, Ny)
    X = rng.normal(size=(P, T, Nx))
    J = kernels.jacobian(*W, X)
    assert J.shape == (P * Ny, Nh * Nx + Nh * Nh + Ny * Nh)
    np.testing.assert_allclose(J, fd_jacobian(*W, X), atol=1e-7, rtol=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_ntk_symmetric_psd_and_equal_to_kronecker_form(seed):
    rng = np.random.default_rng(20 + seed)
    Nx, Nh, Ny, P, T = (int(v) for v in rng.integers(1, 5, size=5))
    W = random_net(rng, Nx, Nh, Ny)
    X = rng.normal(size=(P, T, Nx))
    K = kernels.ntk(*W, X)
    np.testing.assert_allclose(K, K.T, atol=1e-12)
    assert np.linalg.eigvalsh(K).min() > -1e-10 * np.abs(K).max()
    np.testing.assert_allclose(kernels.ntk_kronecker(*W, X), K, atol=1e-11, rtol=1e-11)
    np.testing.assert_allclose(kernels._ntk_batched(*W, X), K, atol=1e-11, rtol=1e-11)


def test_kernel_distance_zero_for_identical_and_rescaled_kernels():
    rng = np.random.default_rng(3)
    A = rng.normal(size=(6, 6))
    K = A @ A.T
    assert kernels.kernel_distance(K, K) == pytest.approx(0.0, abs=1e-15)
    assert kernels.kernel_distance(K, 7.5 * K) == pytest.approx(0.0, abs=1e-15)
    B = rng.normal(size=(6, 6))
    d = kernels.kernel_distance(K, B @ B.T)
    assert 0 < d <= 1


def test_kernel_distance_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        kernels.kernel_distance(np.eye(2), np.eye(3))
    with pytest.raises(ValueError, match="zero kernel"):
        kernels.kernel_distance(np.zeros((2, 2)), np.eye(2))


@pytest.mark.parametrize("seed", range(3))
def test_one_step_linearisation(seed):
    """ŷ(θ − η∇L) − ŷ(θ) = −η K (ŷ − y)/P + O(η²)."""
    rng = np.random.default_rng(40 + seed)
    Nx, Nh, Ny, P, T = 2, 3, 2, 5, 4
    W = random_net(rng, Nx, Nh, Ny)
    X, Y = rng.normal(size=(P, T, Nx)), rng.normal(size=(P, Ny))
    K = kernels.ntk(*W, X)
    y0 = network.forward(*W, X)
    pred = -(K @ (y0 - Y).ravel()).reshape(P, Ny) / P
    errs = []
    for lr in (1e-3, 1e-4):
        g = network.gradients(*W, X, Y)
        W1 = [w - lr * dw for w, dw in zip(W, g)]
        errs.append(np.abs(network.forward(*W1, X) - y0 - lr * pred).max())
    assert errs[1] < 1e-6 * np.abs(pred).max() + 1e-12
    assert errs[0] / errs[1] == pytest.approx(100, rel=0.05)  # second order in η


def test_backward_maps():
    rng = np.random.default_rng(5)
    W = random_net(rng, 2, 3, 2)
    G = kernels.backward_maps(*W, 4)
    for t in range(1, 5):
        np.testing.assert_allclose(
            G[t - 1], W[2] @ np.linalg.matrix_power(W[1], 4 - t), atol=1e-14
        )


def test_batched_jacobian_matches_per_network_and_zero_padding():
    """The batched kernel (one rollout for a stack) equals each network alone; inputs
    padded with zeros at the start leave h at 0, so the shorter network's NTK."""
    rng = np.random.default_rng(6)
    Nx, Nh, Ny, P = 2, 3, 2, 5
    nets = [random_net(rng, Nx, Nh, Ny, scale=0.4) for _ in range(2)]
    X = rng.normal(size=(P, 2, Nx))
    Xp = np.zeros((P, 4, Nx))
    Xp[:, 2:] = X
    Wb = [np.array(w) for w in zip(*nets)]
    Kb = kernels.ntk_batch(*Wb, np.stack([Xp, Xp]))
    for k, W in enumerate(nets):
        np.testing.assert_allclose(Kb[k], kernels.ntk(*W, X), atol=1e-12)
        np.testing.assert_allclose(
            kernels._ntk_batched(*Wb, np.stack([Xp, Xp]))[k],
            kernels.ntk(*W, X),
            atol=1e-12,
        )


def test_run_grid_aligned_feedforward_kernel_only_rescales():
    """T = 1, aligned, equal modes: K ∝ XᵀX ⊗ I at every step, so D = 0."""
    g = feature_learning.run_grid(
        [1, 2, 4], 0.2, init="aligned", steps=400, rng=np.random.default_rng(8)
    )
    assert g.distance[0] < 1e-12
    assert 0.1 < g.distance[1] < g.distance[2] < 1
    assert np.all(g.loss < 1e-6)
    with pytest.raises(ValueError, match="init"):
        feature_learning.run_grid(1, 0.1, init="random", rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng"):
        feature_learning.run_grid(1, 0.1, rng=0)


def test_unaligned_init_statistics_and_errors():
    rng = np.random.default_rng(9)
    Wx, Wh, Wy = network.unaligned_init(50, 200, 30, 0.5, rng)
    assert Wx.shape == (200, 50) and Wh.shape == (200, 200) and Wy.shape == (30, 200)
    assert Wx.std() == pytest.approx(0.5 / np.sqrt(50), rel=0.05)
    assert Wh.std() == pytest.approx(0.5 / np.sqrt(200), rel=0.05)
    assert Wy.std() == pytest.approx(0.5 / np.sqrt(200), rel=0.05)
    rho = np.abs(np.linalg.eigvals(Wh)).max()
    assert rho == pytest.approx(0.5, rel=0.1)  # circular law
    with pytest.raises(TypeError, match="rng"):
        network.unaligned_init(2, 2, 2, 0.1, 0)
    with pytest.raises(ValueError, match="scale"):
        network.unaligned_init(2, 2, 2, -0.1, rng)
    with pytest.raises(ValueError, match="n_hidden"):
        network.unaligned_init(2, 0, 2, 0.1, rng)


def test_relative_weight_change_errors():
    W = (np.ones((2, 2)), np.ones((2, 2)), np.ones((1, 2)))
    with pytest.raises(ValueError, match="tuple"):
        kernels.relative_weight_change(W[:2], W)
    with pytest.raises(ValueError, match="all-zero"):
        kernels.relative_weight_change(tuple(0 * w for w in W), W)


def test_matrix_power_refuses_negative_exponents():
    W = np.array([[2.0, 1.0], [0.0, 3.0]])
    np.testing.assert_allclose(kernels.matrix_power(W, 3), W @ W @ W)
    np.testing.assert_allclose(kernels.matrix_power(W, 0), np.eye(2))
    with pytest.raises(ValueError, match="n must be >= 0"):
        kernels.matrix_power(W, -1)
    with pytest.raises(ValueError, match="square"):
        kernels.matrix_power(np.ones((2, 3)), 1)
    with pytest.raises(TypeError, match="n must be an int"):
        kernels.matrix_power(W, 1.0)


def _recurrent_gram(Wx, Wh, Wy, X):
    n0 = Wx.size
    Jh = kernels.jacobian(Wx, Wh, Wy, X)[:, n0 : n0 + Wh.size]
    return Jh @ Jh.T


def test_paper_recurrent_block_exact_only_where_the_paper_is():
    rng = np.random.default_rng(21)
    for T in (2, 3, 5):
        Wx, Wh, Wy = network.unaligned_init(2, 3, 2, 0.9, rng)
        X = rng.normal(size=(4, T, 2))
        Kh = _recurrent_gram(Wx, Wh, Wy, X)
        ok = np.allclose(kernels.paper_recurrent_block(Wx, Wh, Wy, X), Kh, atol=1e-10)
        assert ok == (T == 2)  # right for T = 2 only, for a random W_h
        Wi = 0.6 * np.eye(3)  # W_h ∝ I: exact for any W_x, W_y
        np.testing.assert_allclose(
            kernels.paper_recurrent_block(Wx, Wi, Wy, X),
            _recurrent_gram(Wx, Wi, Wy, X),
            atol=1e-12,
        )
        if T >= 3:  # eq. (133)'s printed range needs W_h^{-1}
            with pytest.raises(ValueError, match="n must be >= 0"):
                kernels.paper_recurrent_block(Wx, Wh, Wy, X, r_range="eq133")
    with pytest.raises(ValueError, match="r_range"):
        kernels.paper_recurrent_block(Wx, Wh, Wy, X, r_range="eq999")


def test_run_grid_draws_and_wide_networks():
    g = feature_learning.run_grid(
        [[1], [3]],
        [0.1, 0.2],
        init="unaligned",
        steps=50,
        draws=3,
        rng=np.random.default_rng(23),
    )
    assert g.distance.shape == (2, 2, 3) and g.loss_history.shape == (2, 2, 2, 3)
    assert np.all(np.isfinite(g.distance)) and np.ptp(g.distance[1, 0]) > 0
    w = feature_learning.run_grid(
        2, 0.2, init="unaligned", n_hidden=40, steps=20, rng=np.random.default_rng(24)
    )
    assert w.distance.shape == () and 0 < w.distance < 1
    with pytest.raises(ValueError, match="draws"):
        feature_learning.run_grid(1, 0.1, draws=0, rng=np.random.default_rng(0))


def test_relative_weight_change_is_a_norm_ratio():
    """‖θ₁ − θ₀‖ / ‖θ₀‖, not its square: tripling every weight gives 2 (squared: 4)."""
    rng = np.random.default_rng(11)
    W0 = random_net(rng, 2, 3, 2, scale=0.7)
    assert float(kernels.relative_weight_change(W0, tuple(3 * w for w in W0))) == (
        pytest.approx(2.0, rel=1e-14)
    )
    W1 = (W0[0] + 0.1, W0[1], W0[2])
    norm0 = np.sqrt(sum(np.sum(w**2) for w in W0))
    expected = 0.1 * np.sqrt(W0[0].size) / norm0
    assert float(kernels.relative_weight_change(W0, W1)) == pytest.approx(
        expected, rel=1e-12
    )
    stack = tuple(np.stack([w, w]) for w in W0)
    change = kernels.relative_weight_change(stack, tuple(1.5 * w for w in stack))
    np.testing.assert_allclose(change, [0.5, 0.5], rtol=1e-14)
