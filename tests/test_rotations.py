"""Tests of lrnn_utils.rotations; they fail if the mathematics of App. N/O is wrong."""

import numpy as np
import pytest

from lrnn_utils import TrainingDivergedError, engine, rotations, theory

PHI = np.pi / 6


def _task(T=5, lam=0.9 * np.exp(1j * PHI), seed=0):
    rng = np.random.default_rng(seed)
    d = rotations.task_eigenvalues("inverse_exponential", T, 1.0, lam)
    return rotations.make_rotational_task(d, 2 * T, rng), rng


def test_correlations_are_the_blocks_and_normal():
    task, _ = _task()
    S = np.einsum("pn,ptm->tnm", task.Y, task.X) / task.X.shape[0]
    assert np.allclose(S, task.sigma_yx, atol=1e-12)
    for St in S:  # normal, and diagonalised by P with eigenvalues (d, conj d)
        assert np.allclose(St @ St.T, St.T @ St, atol=1e-12)
    D = task.P.conj().T @ S @ task.P
    assert np.allclose(np.diagonal(D, axis1=1, axis2=2)[:, 0], task.d[0])
    assert np.allclose(np.diagonal(D, axis1=1, axis2=2)[:, 1], task.d[0].conj())


def test_the_paper_s_vector_assignment_is_swapped():
    H = rotations.rotation_block(0.3 + 0.8j)
    v = np.array([1, 1j])  # App. P.4.1 pairs it with μ + iν
    assert np.allclose(H @ v, (0.3 - 0.8j) * v)


def test_full_matrices_follow_the_complex_mode_equations():
    task, rng = _task()
    Wx, Wh, Wy, O = rotations.aligned_weights(task, 0.1, 0.1 + 0.05j, 0.2, rng)
    h = engine.train(Wx, Wh, Wy, task.X, task.Y, lr=0.05, steps=400)
    a, b, c = rotations.read_modes(h.Wx, h.Wh, h.Wy, task, O)
    tr = rotations.simulate(0.1, 0.1 + 0.05j, 0.2, task.d[0], 0.05, 400)
    for x, y in ((a, tr.a), (b, tr.b), (c, tr.c)):
        assert np.max(np.abs(x[:, 0] - y)) < 1e-12
    # the real loss counts each conjugate pair twice
    E = rotations.energy(tr.a, tr.b, tr.c, task.d[0])
    assert np.allclose(h.loss, 2 * E, rtol=1e-10, atol=1e-14)


def test_flows_are_twice_the_wirtinger_gradient():
    rng = np.random.default_rng(3)
    a, b, c = rng.normal(size=3) + 1j * rng.normal(size=3)
    d = rng.normal(size=4) + 1j * rng.normal(size=4)
    flows = rotations.mode_flows(a, b, c, d)
    eps = 1e-6
    for i in range(3):
        z = np.array([a, b, c])
        grad = []
        for step in (eps, 1j * eps):
            zp, zm = z.copy(), z.copy()
            zp[i] += step
            zm[i] -= step
            grad.append(
                (rotations.energy(*zp, d) - rotations.energy(*zm, d)) / (2 * eps)
            )
        # −(∂E/∂x + i ∂E/∂y) = −2 ∂E/∂z̄
        assert abs(flows[i] + (grad[0] + 1j * grad[1])) < 1e-6


@pytest.mark.parametrize("kind", ["constant", "inverse_exponential", "exponential"])
def test_solutions_have_zero_energy_and_are_reached(kind):
    T, delta, lam = 6, 0.7 * np.exp(1j * PHI), 0.95 * np.exp(1j * PHI)
    d = rotations.task_eigenvalues(kind, T, delta, lam)
    b, u = rotations.solution(kind, delta, lam, T)
    assert rotations.energy(np.sqrt(u), b, np.sqrt(u), d) < 1e-28
    tr = rotations.simulate(0.3, 0.3, 0.3, d, 0.01, 4000, record_every=4000)
    assert abs(tr.b[-1] - b) < 1e-6 and abs(tr.a[-1] * tr.c[-1] - u) < 1e-6


def test_hessian_matches_finite_differences_and_the_real_case():
    rng = np.random.default_rng(5)
    z = rng.normal(size=3) + 1j * rng.normal(size=3)
    d = rng.normal(size=4) + 1j * rng.normal(size=4)
    H = rotations.energy_hessian(*z, d)
    x = np.stack([z.real, z.imag], -1).ravel()

    def E(x):
        w = x[0::2] + 1j * x[1::2]
        return float(rotations.energy(*w, d))

    eps, num = 1e-4, np.zeros((6, 6))
    for i in range(6):
        for j in range(6):
            e_i, e_j = np.eye(6)[i] * eps, np.eye(6)[j] * eps
            num[i, j] = (
                E(x + e_i + e_j)
                - E(x + e_i - e_j)
                - E(x - e_i + e_j)
                + E(x - e_i - e_j)
            ) / (4 * eps**2)
    assert np.allclose(H, num, atol=1e-5)
    s = np.array([0.4, 0.9, 1.3])  # real modes: the real directions are chapter 4's
    H = rotations.energy_hessian(0.8, 0.6, 1.1, s)
    assert np.allclose(H[0::2, 0::2], theory.energy_hessian(0.8, 0.6, 1.1, s))
    # a rotated solution has the curvature of the real one
    lam = np.exp(1j * np.pi / 12)
    d = rotations.task_eigenvalues("inverse_exponential", 5, 1.0, lam)
    assert np.isclose(
        rotations.max_stable_lr(1.0, lam, 1.0, d),
        theory.max_stable_lr(1.0, 1.0, 1.0, np.ones(5)),
    )


def test_divergence_names_the_step():
    d = rotations.task_eigenvalues("constant", 3, 1.0)
    with pytest.raises(TrainingDivergedError, match="step"):
        rotations.simulate(0.5, 0.5, 0.5, d, lr=50.0, steps=100)


def test_progress_and_validation():
    r, a = rotations.progress([0.5, 1j, 2j], 2j)
    assert np.allclose(r, [0, 1 / 3, 1]) and np.allclose(a, [0, 1, 1])
    with pytest.raises(ValueError, match="target"):
        rotations.progress([1.0, 2.0], 2.0)
    with pytest.raises(TypeError, match="d"):
        rotations.mode_flows(1, 1, 1, "abc")
    with pytest.raises(ValueError, match="P"):
        rotations.make_rotational_task(np.ones(3), 5, np.random.default_rng(0))
    with pytest.raises(TypeError, match="task"):
        rotations.aligned_weights(None, 1, 1, 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="lr"):
        rotations.simulate(1, 1, 1, np.ones(2), lr=-1.0, steps=2)
    with pytest.raises(ValueError, match="Q"):
        rotations.pair_basis(np.ones((3, 3)))


def test_grid_task_runs_in_run_grid():
    from lrnn_utils import feature_learning

    g = feature_learning.run_grid(
        [1, 3],
        0.1,
        steps=200,
        rng=np.random.default_rng(0),
        task=rotations.grid_task(np.exp(1j * np.pi / 12)),
    )
    assert g.distance.shape == (2,) and g.distance[1] > g.distance[0]
    assert np.all(g.loss < g.loss0)
