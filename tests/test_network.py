"""Tests of lrnn_utils.network: unrolled form, BPTT, training, aligned modes."""

import numpy as np
import pytest

from lrnn_utils import TrainingDivergedError, engine, network, tasks, theory


def train_bptt(*args, **kwargs):
    """The reference trainer: engine.train with method="bptt"."""
    return engine.train(*args, method="bptt", **kwargs)


def random_net(rng, Nx, Nh, Ny, scale=0.5):
    return (
        rng.standard_normal((Nh, Nx)) * scale,
        rng.standard_normal((Nh, Nh)) * scale / np.sqrt(Nh),
        rng.standard_normal((Ny, Nh)) * scale,
    )


@pytest.mark.parametrize("seed", range(5))
def test_recurrence_equals_unrolled_sum(seed):
    """Paper eq (3): h_{t+1} = Σ_{i<=t} W_h^{t-i} W_x x_i, for random shapes."""
    rng = np.random.default_rng(seed)
    Nx, Nh, Ny, T, P = rng.integers(1, 6, size=5)
    Wx, Wh, Wy = random_net(rng, Nx, Nh, Ny)
    X = rng.standard_normal((P, T, Nx))
    H = network.hidden_states(Wx, Wh, Wy, X)
    np.testing.assert_array_equal(H[:, 0], 0.0)
    for t in range(1, T + 1):
        unrolled = sum(
            X[:, i - 1] @ (np.linalg.matrix_power(Wh, t - i) @ Wx).T
            for i in range(1, t + 1)
        )
        np.testing.assert_allclose(H[:, t], unrolled, rtol=1e-12, atol=1e-12)
    M = network.effective_maps(Wx, Wh, Wy, T)
    np.testing.assert_allclose(
        network.forward(Wx, Wh, Wy, X), np.einsum("toi,pti->po", M, X), atol=1e-12
    )


def test_loss_definition():
    rng = np.random.default_rng(0)
    Wx, Wh, Wy = random_net(rng, 3, 4, 2)
    X, Y = rng.standard_normal((9, 5, 3)), rng.standard_normal((9, 2))
    Yhat = network.forward(Wx, Wh, Wy, X)
    assert network.loss(Wx, Wh, Wy, X, Y) == pytest.approx(
        np.sum((Y - Yhat) ** 2) / (2 * 9), rel=1e-14
    )


@pytest.mark.parametrize("seed", range(4))
def test_gradients_match_central_finite_differences(seed):
    rng = np.random.default_rng(10 + seed)
    Nx, Nh, Ny, T, P = rng.integers(1, 5, size=5) + np.array([0, 0, 0, 1, 2])
    W = list(random_net(rng, Nx, Nh, Ny, scale=0.8))
    X, Y = rng.standard_normal((P, T, Nx)), rng.standard_normal((P, Ny))
    grads = network.gradients(*W, X, Y)
    eps = 1e-6
    for k in range(3):
        num = np.zeros_like(W[k])
        for idx in np.ndindex(W[k].shape):
            Wp = [w.copy() for w in W]
            Wm = [w.copy() for w in W]
            Wp[k][idx] += eps
            Wm[k][idx] -= eps
            num[idx] = (network.loss(*Wp, X, Y) - network.loss(*Wm, X, Y)) / (2 * eps)
        np.testing.assert_allclose(grads[k], num, rtol=1e-6, atol=1e-8)


def test_train_takes_plain_gradient_steps_and_records():
    rng = np.random.default_rng(4)
    Wx, Wh, Wy = random_net(rng, 2, 3, 2)
    X, Y = rng.standard_normal((6, 3, 2)), rng.standard_normal((6, 2))
    hist = train_bptt(Wx, Wh, Wy, X, Y, lr=0.1, steps=7, record_every=3)
    np.testing.assert_array_equal(hist.steps, [0, 3, 6, 7])
    W = [Wx, Wh, Wy]
    for _ in range(3):
        g = network.gradients(*W, X, Y)
        W = [w - 0.1 * d for w, d in zip(W, g)]
    np.testing.assert_allclose(hist.Wx[1], W[0], atol=1e-14)
    np.testing.assert_allclose(hist.Wh[1], W[1], atol=1e-14)
    np.testing.assert_allclose(hist.Wy[1], W[2], atol=1e-14)
    assert hist.loss[1] == pytest.approx(network.loss(*W, X, Y), rel=1e-13)
    np.testing.assert_array_equal(hist.Wx[0], Wx)  # inputs are not modified


MODE_SETTINGS = {
    # kind: list of (delta, lam) for the K modes
    "constant": [(1.0, 1.0), (0.6, 1.0), (1.3, 1.0)],
    "inverse_exponential": [(1.0, 0.8), (0.7, 0.9), (1.2, 1.05)],
    "exponential": [(1.0, 0.9), (0.8, 1.1), (0.5, 1.05)],
}


@pytest.mark.parametrize("kind", tasks.TASK_KINDS)
def test_full_matrix_training_equals_mode_dynamics(kind):
    """Aligned weights, exactly whitened task: GD on matrices == Euler on modes."""
    rng = np.random.default_rng(7)
    T, K, steps, lr = 5, 3, 1500, 0.02
    S = np.stack(
        [tasks.task_singular_values(kind, T, d, l) for d, l in MODE_SETTINGS[kind]], 1
    )
    task = tasks.make_task(S, P=T * (K + 1) + 4, rng=rng, n_in=K + 1, n_out=K + 2)
    a0, b0, c0 = (
        np.array([0.2, 0.3, 0.25]),
        np.array([0.1, 0.4, 0.2]),
        np.array([0.3, 0.2, 0.25]),
    )
    Wx, Wh, Wy, R = network.aligned_init(task, a0, b0, c0, rng, n_hidden=K + 1)
    hist = train_bptt(Wx, Wh, Wy, task.X, task.Y, lr=lr, steps=steps, record_every=1)
    a, b, c = network.modes(hist.Wx, hist.Wh, hist.Wy, task, R)
    traj = theory.simulate_modes(a0, b0, c0, task.s, lr=lr, steps=steps, record_every=1)
    assert a.shape == traj.a.shape == (steps + 1, K)
    dev = max(
        np.abs(a - traj.a).max(), np.abs(b - traj.b).max(), np.abs(c - traj.c).max()
    )
    assert dev <= 1e-10, dev
    # the weights stay in the aligned subspace: nothing leaks out of the modes
    rebuilt = R[:, :K] @ (traj.a[-1][:, None] * task.V.T)
    np.testing.assert_allclose(hist.Wx[-1], rebuilt, atol=1e-10)
    # and the loss is the summed energy plus a data constant
    const = 0.5 * np.mean(np.sum(task.Y**2, axis=1)) - 0.5 * np.sum(S**2)
    np.testing.assert_allclose(hist.loss, traj.energy.sum(axis=1) + const, atol=1e-10)
    # training has made real progress, so the comparison is not vacuous
    assert traj.energy[-1].sum() < 0.2 * traj.energy[0].sum()


def test_aligned_init_gives_requested_modes():
    rng = np.random.default_rng(2)
    task = tasks.make_task(np.ones((3, 2)), P=10, rng=rng, n_in=3, n_out=4)
    Wx, Wh, Wy, R = network.aligned_init(
        task, [0.1, 0.2], 0.5, [0.3, 0.4], rng, n_hidden=3
    )
    np.testing.assert_allclose(R.T @ R, np.eye(3), atol=1e-12)
    a, b, c = network.modes(Wx, Wh, Wy, task, R)
    np.testing.assert_allclose(a, [0.1, 0.2])
    np.testing.assert_allclose(b, [0.5, 0.5])
    np.testing.assert_allclose(c, [0.3, 0.4])
    # Assumption 3 makes W_y W_h^k W_x = U C B^k A Vᵀ
    M = network.effective_maps(Wx, Wh, Wy, 3)
    for i in range(3):
        expected = task.U @ np.diag(np.array([0.03, 0.08]) * 0.5 ** (2 - i)) @ task.V.T
        np.testing.assert_allclose(M[i], expected, atol=1e-12)


def test_training_divergence_raises_naming_the_step():
    rng = np.random.default_rng(0)
    task = tasks.make_task(tasks.task_singular_values("constant", 4, 3.0), P=8, rng=rng)
    Wx, Wh, Wy, _ = network.aligned_init(task, 1.0, 1.0, 1.0, rng)
    with pytest.raises(TrainingDivergedError, match=r"diverged at step \d+") as info:
        train_bptt(Wx, Wh, Wy, task.X, task.Y, lr=5.0, steps=200)
    assert 1 <= info.value.step <= 200


def _net():
    rng = np.random.default_rng(0)
    return (
        random_net(rng, 2, 3, 2),
        rng.standard_normal((5, 4, 2)),
        rng.standard_normal((5, 2)),
    )


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda W, X, Y: network.forward(W[0], W[1][:2], W[2], X),
            "Wh must have shape",
        ),
        (
            lambda W, X, Y: network.forward(W[0], W[1], W[2][:, :2], X),
            "Wy must have shape",
        ),
        (
            lambda W, X, Y: network.forward(W[0], W[1], W[2], X[..., :1]),
            "X must have shape",
        ),
        (lambda W, X, Y: network.forward(W[0], W[1], W[2], X[:, :0]), "T >= 1"),
        (lambda W, X, Y: network.forward(W[0], W[1], W[2], X[0]), "3-dimensional"),
        (lambda W, X, Y: network.loss(W[0], W[1], W[2], X, Y[:4]), "Y must have shape"),
        (lambda W, X, Y: network.loss(W[0] * np.nan, W[1], W[2], X, Y), "non-finite"),
        (
            lambda W, X, Y: network.gradients(W[0], W[1], W[2], X * np.inf, Y),
            "non-finite",
        ),
        (lambda W, X, Y: train_bptt(*W, X, Y, lr=-0.1, steps=3), "lr must be > 0"),
        (
            lambda W, X, Y: train_bptt(*W, X, Y, lr=0.1, steps=-1),
            "steps must be >= 0",
        ),
        (
            lambda W, X, Y: train_bptt(*W, X, Y, lr=0.1, steps=3, record_every=0),
            "record_every",
        ),
        (lambda W, X, Y: network.effective_maps(*W, T=0), "T must be >= 1"),
    ],
)
def test_bad_input_raises(call, match):
    W, X, Y = _net()
    with pytest.raises(ValueError, match=match):
        call(W, X, Y)


def test_aligned_init_bad_input():
    rng = np.random.default_rng(0)
    task = tasks.make_task(np.ones((2, 2)), P=6, rng=rng)
    with pytest.raises(ValueError, match="shape \\(2,\\)"):
        network.aligned_init(task, [1.0, 2.0, 3.0], 0.1, 0.1, rng)
    with pytest.raises(ValueError, match="n_hidden must be >= K"):
        network.aligned_init(task, 0.1, 0.1, 0.1, rng, n_hidden=1)
    with pytest.raises(ValueError, match="Task"):
        network.aligned_init("task", 0.1, 0.1, 0.1, rng)


def test_modes_refuse_fewer_hidden_units_than_modes():
    # one hidden unit cannot carry two modes: both read-outs said nothing before

    rng = np.random.default_rng(0)
    task = tasks.make_task(np.ones((3, 2)), 12, rng)
    Wx, Wh, Wy = np.ones((1, task.V.shape[0])), np.eye(1), np.ones((task.U.shape[0], 1))
    with pytest.raises(ValueError, match="R must be a square"):
        network.modes(Wx, Wh, Wy, task, np.eye(1))
    with pytest.raises(ValueError, match="fewer than the K = 2"):
        network.read_modes(Wx, Wh, Wy, task.U, task.V)


def test_train_on_divergence_mask_stops_and_fills_nan():
    """ "mask": the records from the diverged step on are NaN, earlier ones are those
    of the run that raises; the step is the one the raising run names."""
    X = np.ones((1, 2, 1))
    Y = np.ones((1, 1))
    W = np.full((1, 1), 0.5), np.full((1, 1), 0.5), np.full((1, 1), 0.5)
    with pytest.raises(TrainingDivergedError) as info:
        train_bptt(*W, X, Y, lr=50.0, steps=40)
    h = train_bptt(*W, X, Y, lr=50.0, steps=40, on_divergence="mask")
    assert h.diverged_step == info.value.step >= 1
    before = h.steps < h.diverged_step
    assert np.all(np.isfinite(h.loss[before])) and np.all(np.isnan(h.loss[~before]))
    assert np.all(np.isnan(h.Wh[~before])) and np.all(np.isfinite(h.Wh[before]))
    ok = train_bptt(*W, X, Y, lr=0.1, steps=40, on_divergence="mask")
    assert ok.diverged_step == -1 and np.all(np.isfinite(ok.loss))
    with pytest.raises(ValueError, match="on_divergence"):
        train_bptt(*W, X, Y, lr=0.1, steps=1, on_divergence="ignore")


def test_train_catches_huge_weights_with_a_small_loss():
    """Weights past 1e150 diverge even when the loss stays small (W_y ⟂ the state)."""
    X, Y = np.ones((1, 1, 1)), np.zeros((1, 2))
    Wx, Wh = np.ones((2, 1)), np.zeros((2, 2))
    Wy = np.array([[0.0, 1e149], [0.0, 0.0]])
    Wx[1] = 0.0  # the huge column of W_y never sees a state: loss 0
    with pytest.raises(TrainingDivergedError, match="Wy") as info:
        train_bptt(Wx, Wh, 20 * Wy, X, Y, lr=0.1, steps=3)
    assert info.value.step == 1 and info.value.value == pytest.approx(2e150)
