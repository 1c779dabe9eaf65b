"""Tests of lrnn_utils.decoupling (chapter 2 helpers)."""

import numpy as np
import pytest

from lrnn_utils import (
    TrainingDivergedError,
    decoupling,
    moments,
    network,
    tasks,
    theory,
)


def _task(T=4, K=2, seed=0, n_in=None, n_out=None, kind="inverse_exponential"):
    rng = np.random.default_rng(seed)
    S = tasks.task_singular_values(kind, T, np.linspace(0.5, 1.5, K), 0.8)  # (K, T)
    return tasks.make_task(
        S.T, P=8 * T * (n_in or K), rng=rng, n_in=n_in, n_out=n_out
    ), rng


def _random_weights(rng, Nh, Nx, Ny, scale=0.4):
    return (
        scale * rng.standard_normal((Nh, Nx)),
        scale * rng.standard_normal((Nh, Nh)),
        scale * rng.standard_normal((Ny, Nh)),
    )


def test_aligned_blocks_and_misalignment():
    task, rng = _task(K=3)
    a0, b0, c0 = (
        np.array([0.1, 0.2, 0.3]),
        np.array([0.4, 0.5, 0.6]),
        np.array([0.7, 0.8, 0.9]),
    )
    Wx, Wh, Wy, R = network.aligned_init(task, a0, b0, c0, rng)
    Ax, Ah, Ay = network.aligned_blocks(Wx, Wh, Wy, task, R)
    np.testing.assert_allclose(Ax, np.diag(a0), atol=1e-14)
    np.testing.assert_allclose(Ah, np.diag(b0), atol=1e-14)
    np.testing.assert_allclose(Ay, np.diag(c0), atol=1e-14)
    assert network.misalignment(Wx, Wh, Wy, task, R) < 1e-14
    # stacked input keeps leading dims
    stack = network.misalignment(
        np.stack([Wx, Wx]), np.stack([Wh, Wh + 0.1]), np.stack([Wy, Wy]), task, R
    )
    assert stack.shape == (2,)
    assert stack[0] < 1e-14 and stack[1] > 0.05


def test_misalignment_sees_components_outside_the_task_directions():
    # N_x > K and N_y > K: parts of W_x, W_y outside span(V), span(U) are invisible
    # to aligned_blocks but must count as misalignment
    task, rng = _task(K=2, n_in=4, n_out=3)
    Wx, Wh, Wy, R = network.aligned_init(task, 0.3, 0.5, 0.7, rng)
    assert network.misalignment(Wx, Wh, Wy, task, R) < 1e-14
    v_perp = np.linalg.svd(np.eye(4) - task.V @ task.V.T)[0][
        :, 0
    ]  # unit vector orthogonal to V
    u_perp = np.linalg.svd(np.eye(3) - task.U @ task.U.T)[0][:, 0]
    np.testing.assert_allclose(task.V.T @ v_perp, 0, atol=1e-12)
    bump_x = Wx + 0.2 * np.outer(R[:, 0], v_perp)
    bump_y = Wy + 0.3 * np.outer(u_perp, R[:, 1])
    # the aligned blocks do not change ...
    for new, old in zip(
        network.aligned_blocks(bump_x, Wh, bump_y, task, R),
        network.aligned_blocks(Wx, Wh, Wy, task, R),
    ):
        np.testing.assert_allclose(new, old, atol=1e-14)
    # ... but the misalignment does
    np.testing.assert_allclose(
        network.misalignment(bump_x, Wh, Wy, task, R),
        0.2 * np.max(np.abs(np.outer(R[:, 0], v_perp))),
        rtol=1e-12,
    )
    assert network.misalignment(Wx, Wh, bump_y, task, R) > 0.05
    # a full-matrix run keeps the out-of-span parts at zero
    run = decoupling.run_aligned(
        task, 0.1, 0.2, 0.15, lr=0.02, steps=200, rng=rng, record_every=50
    )
    assert np.max(run.misalignment) < 1e-12


def test_aligned_blocks_validation():
    task, rng = _task()
    Wx, Wh, Wy, R = network.aligned_init(task, 0.1, 0.1, 0.1, rng)
    with pytest.raises(TypeError, match="task"):
        network.aligned_blocks(Wx, Wh, Wy, "not a task", R)
    with pytest.raises(ValueError):
        network.aligned_blocks(Wx, Wh, Wy, task, np.eye(3))
    with pytest.raises(ValueError):
        network.aligned_blocks(Wx, Wh, Wy, task, np.ones((2, 3)))


def test_two_basis_init_only_matches_for_one_recurrent_step():
    task, rng = _task(T=4, K=3)
    a0, b0, c0 = 0.5, np.array([0.6, 0.7, 0.8]), 0.9
    Wx, Wh, Wy, Rx, Ry = decoupling.two_basis_init(task, a0, b0, c0, rng)
    np.testing.assert_allclose(Ry, Rx.T, atol=1e-12)
    M = network.effective_maps(Wx, Wh, Wy, task.T)  # M[T-1-k] has W_h^k
    for k in range(task.T):
        target = task.U @ np.diag(0.9 * b0**k * 0.5) @ task.V.T
        err = np.max(np.abs(M[task.T - 1 - k] - target))
        if k == 1:
            assert err < 1e-12
        else:
            assert err > 1e-3


def test_two_basis_init_validation():
    task, rng = _task(T=3, K=2)
    with pytest.raises(TypeError, match="rng"):
        decoupling.two_basis_init(task, 0.1, 0.1, 0.1, rng=0)
    with pytest.raises(TypeError, match="task"):
        decoupling.two_basis_init(None, 0.1, 0.1, 0.1, rng)
    with pytest.raises(ValueError, match="b0"):
        decoupling.two_basis_init(task, 0.1, [0.1, 0.2, 0.3], 0.1, rng)


def test_teacher_task_has_inverse_exponential_correlations():
    rng = np.random.default_rng(3)
    sx, sh, sy = np.array([1.0, 0.5]), np.array([0.9, 0.3]), np.array([0.8, 1.2])
    task, (Wx_t, Wh_t, Wy_t) = decoupling.teacher_task(
        sx, sh, sy, T=5, P=40, rng=rng, n_in=3, n_out=4
    )
    sigma = moments.correlations(task.X, task.Y)
    expected = np.einsum("ok,tk,ik->toi", task.U, task.s.T, task.V)
    np.testing.assert_allclose(sigma, expected, atol=1e-12)
    np.testing.assert_allclose(
        task.s.T,
        tasks.task_singular_values("inverse_exponential", 5, sy * sx, sh).T,
        atol=1e-14,
    )
    np.testing.assert_allclose(network.forward(Wx_t, Wh_t, Wy_t, task.X), task.Y)


def test_teacher_task_validation():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError):
        decoupling.teacher_task([1.0], [0.5, 0.5], [1.0], T=3, P=10, rng=rng)
    with pytest.raises(ValueError):
        decoupling.teacher_task([1.0], [0.5], [1.0], T=0, P=10, rng=rng)


def test_energy_gradient_fd_matches_mode_gradients():
    rng = np.random.default_rng(1)
    s = rng.standard_normal((4, 6))
    a, b, c = rng.uniform(-1, 1, (3, 4))
    fd = decoupling.energy_gradient_fd(a, b, c, s)
    an = theory.mode_flows(a, b, c, s)
    for f, g in zip(fd, an):
        np.testing.assert_allclose(-f, g, rtol=1e-7, atol=1e-8)
    with pytest.raises(ValueError):
        decoupling.energy_gradient_fd(a, b, c, s, h=0.0)


@pytest.mark.parametrize("kind", tasks.TASK_KINDS)
def test_run_aligned_matches_mode_theory(kind):
    task, rng = _task(T=4, K=2, kind=kind)
    run = decoupling.run_aligned(
        task, 0.1, 0.2, 0.15, lr=0.02, steps=300, rng=rng, record_every=7
    )
    assert run.max_deviation < 1e-12
    assert np.max(run.misalignment) < 1e-12
    np.testing.assert_allclose(run.loss, run.theory.energy.sum(axis=-1), atol=1e-12)
    assert run.steps[-1] == 300 and run.a.shape == (run.steps.size, 2)
    np.testing.assert_allclose(run.u, run.a * run.c)


def test_run_aligned_one_mode_takes_the_scalar_path():
    task, rng = _task(T=4, K=1, kind="inverse_exponential")
    run = decoupling.run_aligned(
        task, 0.1, 0.2, 0.15, 0.02, 300, rng, record_every=7, method="moments"
    )
    grid = theory.simulate_modes([0.1], [0.2], [0.15], task.s, 0.02, 300, 7)
    assert run.theory.a.shape == grid.a.shape == (run.steps.size, 1)
    np.testing.assert_array_equal(run.theory.steps, grid.steps)
    for name in ("a", "b", "c", "energy"):  # the same Euler steps up to rounding
        np.testing.assert_allclose(
            getattr(run.theory, name), getattr(grid, name), rtol=1e-12, atol=1e-15
        )
    assert run.max_deviation < 1e-12


def test_run_aligned_divergence_and_validation():
    task, rng = _task(T=3, K=1)
    with pytest.raises(TrainingDivergedError):
        decoupling.run_aligned(task, 1.0, 1.0, 1.0, lr=50.0, steps=50, rng=rng)
    with pytest.raises(TypeError, match="task"):
        decoupling.run_aligned("task", 0.1, 0.1, 0.1, lr=0.1, steps=5, rng=rng)
    with pytest.raises(ValueError, match="method"):
        decoupling.run_aligned(task, 0.1, 0.1, 0.1, 0.1, 5, rng, method="adam")
    with pytest.raises(TypeError, match="method"):
        decoupling.run_aligned(task, 0.1, 0.1, 0.1, 0.1, 5, rng, method=1)
    with pytest.raises(TrainingDivergedError):
        decoupling.run_aligned(task, 1.0, 1.0, 1.0, 50.0, 50, rng, method="moments")


@pytest.mark.parametrize("kind", tasks.TASK_KINDS)
def test_run_aligned_engines_agree(kind):
    # the moments engine is the same gradient descent as BPTT, up to rounding
    task, _ = _task(T=5, K=2, kind=kind)
    kw = dict(lr=0.02, steps=400, record_every=9)
    bptt = decoupling.run_aligned(
        task, 0.1, 0.2, 0.15, rng=np.random.default_rng(3), **kw
    )
    mom = decoupling.run_aligned(
        task, 0.1, 0.2, 0.15, rng=np.random.default_rng(3), method="moments", **kw
    )
    assert mom.max_deviation < 1e-12 and np.max(mom.misalignment) < 1e-12
    for key in ("a", "b", "c", "loss"):
        np.testing.assert_allclose(getattr(mom, key), getattr(bptt, key), atol=1e-12)
    np.testing.assert_array_equal(mom.steps, bptt.steps)


def test_run_aligned_final_weights_are_aligned():
    task, rng = _task(T=3, K=2)
    run = decoupling.run_aligned(
        task, 0.1, 0.1, 0.1, lr=0.05, steps=100, rng=rng, record_every=30
    )
    a, b, c = network.modes(*run.final_weights, task, run.R)
    np.testing.assert_allclose(a, run.a[-1])
    np.testing.assert_allclose(b, run.b[-1])
    np.testing.assert_allclose(c, run.c[-1])
    np.testing.assert_allclose(run.R.T @ run.R, np.eye(2), atol=1e-12)
