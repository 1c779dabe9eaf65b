"""Tests of lrnn_utils.theory, theory.global_solution, theory.extrapolation_loss."""

import numpy as np
import pytest

from lrnn_utils import TrainingDivergedError, engine, network, tasks, theory


def train_bptt(*args, **kwargs):
    """The reference trainer: engine.train with method="bptt"."""
    return engine.train(*args, method="bptt", **kwargs)


KINDS = tasks.TASK_KINDS


def _balanced(kind, delta, lam, T):
    """Balanced zero-loss modes a = |c| = sqrt|u*| (the chapter writes this out)."""
    b, u = theory.global_solution(kind, delta, lam, T)
    a = np.sqrt(np.abs(u))
    return a, b, np.where(u < 0, -a, a)


# ----------------------------------------------------------------------------
# theory.global_solution
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("T", [1, 2, 7])
def test_global_solution_closed_forms(T):
    delta = np.array([0.3, 1.0, 2.5])[:, None]
    lam = np.array([0.5, 1.0, 1.3])[None, :]
    b, u = theory.global_solution("constant", delta, lam, T)
    np.testing.assert_array_equal(b, np.ones((3, 3)))
    np.testing.assert_array_equal(u, np.broadcast_to(delta, (3, 3)))
    b, u = theory.global_solution("inverse_exponential", delta, lam, T)
    np.testing.assert_array_equal(b, np.broadcast_to(lam, (3, 3)))
    np.testing.assert_array_equal(u, np.broadcast_to(delta, (3, 3)))
    b, u = theory.global_solution("exponential", delta, lam, T)
    np.testing.assert_allclose(b, np.broadcast_to(1 / lam, (3, 3)), rtol=1e-15)
    np.testing.assert_allclose(u, delta * lam**T, rtol=1e-14)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("T", [1, 4, 12])
def test_global_solution_zero_energy_and_zero_full_matrix_loss(kind, T):
    delta, lam = 1.4, (0.85 if kind != "constant" else 1.0)
    b, u = theory.global_solution(kind, delta, lam, T)
    s = tasks.task_singular_values(kind, T, delta, lam)
    assert theory.energy(u, b, 1.0, s) == pytest.approx(0.0, abs=1e-26)
    # the same solution written into full matrices has zero loss on a real task
    rng = np.random.default_rng(T)
    task = tasks.make_task(s[:, None], P=3 * T, rng=rng, n_in=2, n_out=3)
    a, b_, c = _balanced(kind, delta, lam, T)
    Wx, Wh, Wy, _ = network.aligned_init(task, a, b_, c, rng, n_hidden=4)
    assert network.loss(Wx, Wh, Wy, task.X, task.Y) == pytest.approx(0.0, abs=1e-24)


@pytest.mark.parametrize(
    "call, msg",
    [
        (lambda: theory.global_solution("ramp", 1.0, 1.0, 3), "unknown task kind"),
        (lambda: theory.global_solution("constant", 1.0, 1.0, 0), "T must be >= 1"),
        (lambda: theory.global_solution("exponential", 1.0, 0.0, 3), "lam = 0"),
        (
            lambda: theory.global_solution("inverse_exponential", np.nan, 0.5, 3),
            "non-finite",
        ),
        (lambda: theory.global_solution("constant", 1.0, 1.0, 2.5), "integer"),
    ],
)
def test_global_solution_bad_input(call, msg):
    with pytest.raises(ValueError, match=msg):
        call()


# ----------------------------------------------------------------------------
# theory.extrapolation_loss
# ----------------------------------------------------------------------------


def _exponential_closed_form(delta, lam, T, Tp):
    i = np.arange(1, Tp + 1)
    return 0.5 * delta**2 * (1 - lam ** (T - Tp)) ** 2 * np.sum(lam ** (2.0 * i))


@pytest.mark.parametrize("T_train", [1, 5, 10])
def test_extrapolation_loss_closed_forms(T_train):
    T_test = np.arange(1, 16)
    for lam in (0.7, 0.95, 1.2):
        for delta in (0.5, 2.0):
            for kind in ("constant", "inverse_exponential"):
                lam_k = 1.0 if kind == "constant" else lam
                E = theory.extrapolation_loss(kind, delta, lam_k, T_train, T_test)
                np.testing.assert_allclose(E, 0.0, atol=1e-24)
            E = theory.extrapolation_loss("exponential", delta, lam, T_train, T_test)
            expected = [
                _exponential_closed_form(delta, lam, T_train, Tp) for Tp in T_test
            ]
            np.testing.assert_allclose(E, expected, rtol=1e-12, atol=1e-28)
            # geometric-sum form: ½ δ² (1 − λ^{T−T'})² λ² (1 − λ^{2T'}) / (1 − λ²)
            geo = (
                0.5
                * delta**2
                * (1 - lam ** (T_train - T_test)) ** 2
                * lam**2
                * (1 - lam ** (2 * T_test))
                / (1 - lam**2)
            )
            np.testing.assert_allclose(E, geo, rtol=1e-10, atol=1e-28)


def test_extrapolation_loss_relative_error_is_monotone_in_length_gap():
    """E / (½ Σ s²) = (1 − λ^{T−T'})²: grows with |T' − T| on both sides."""
    T, T_test = 10, np.arange(1, 25)
    for lam in (0.8, 1.15):
        E = theory.extrapolation_loss("exponential", 1.3, lam, T, T_test)
        power = np.array(
            [
                0.5
                * np.sum(tasks.task_singular_values("exponential", Tp, 1.3, lam) ** 2)
                for Tp in T_test
            ]
        )
        rel = E / power
        np.testing.assert_allclose(
            rel, (1 - lam ** (T - T_test)) ** 2, rtol=1e-10, atol=1e-28
        )
        gap = np.abs(T_test - T)
        for side in (T_test < T, T_test > T):
            order = np.argsort(gap[side])
            assert np.all(np.diff(rel[side][order]) > 0)


def test_extrapolation_loss_broadcasting():
    E = theory.extrapolation_loss(
        "exponential",
        np.array([1.0, 2.0])[:, None],
        np.array([0.8, 0.9, 1.1]),
        6,
        np.array([4, 6, 9]),
    )
    assert E.shape == (3, 2, 3)
    np.testing.assert_allclose(E[1], 0.0, atol=1e-26)
    np.testing.assert_allclose(E[:, 1], 4 * E[:, 0], rtol=1e-12)


@pytest.mark.parametrize(
    "call, msg",
    [
        (
            lambda: theory.extrapolation_loss("ramp", 1.0, 0.9, 5, 6),
            "unknown task kind",
        ),
        (lambda: theory.extrapolation_loss("exponential", 1.0, 0.9, 0, 6), "T_train"),
        (lambda: theory.extrapolation_loss("exponential", 1.0, 0.9, 5, 0), "T_test"),
        (
            lambda: theory.extrapolation_loss("exponential", 1.0, 0.9, 5, [3, 2.5]),
            "T_test",
        ),
        (lambda: theory.extrapolation_loss("exponential", 1.0, 0.0, 5, 6), "lam = 0"),
    ],
)
def test_extrapolation_loss_bad_input(call, msg):
    with pytest.raises(ValueError, match=msg):
        call()


@pytest.mark.parametrize(
    "kind, lam, lr, steps",
    [
        ("exponential", 0.9, 0.006, 7000),
        ("exponential", 1.1, 0.005, 6000),
        ("inverse_exponential", 0.8, 0.01, 4000),
        ("constant", 1.0, 0.005, 6000),
    ],
)
def test_extrapolation_loss_equals_trained_network_at_other_lengths(
    kind, lam, lr, steps
):
    """Full-matrix training at T_train; test loss on new data (same family, U, V)."""
    rng = np.random.default_rng(11)
    T_train, delta = 8, 1.0
    s = tasks.task_singular_values(kind, T_train, delta, lam)
    task = tasks.make_task(s[:, None], P=2 * T_train * 2, rng=rng, n_in=2, n_out=2)
    Wx, Wh, Wy, R = network.aligned_init(task, 0.1, 0.1, 0.1, rng, n_hidden=3)
    hist = train_bptt(
        Wx, Wh, Wy, task.X, task.Y, lr=lr, steps=steps, record_every=steps
    )
    assert hist.loss[-1] < 1e-22
    T_test = np.array([1, 3, 8, 12, 16])
    L = theory.loss_at_lengths(
        hist.Wx[-1],
        hist.Wh[-1],
        hist.Wy[-1],
        task.U,
        task.V,
        kind,
        delta,
        lam,
        T_test,
        rng,
    )
    E = theory.extrapolation_loss(kind, delta, lam, T_train, T_test)
    np.testing.assert_allclose(L, E, rtol=1e-8, atol=1e-12)
    if kind == "exponential":
        assert np.all(L[T_test != T_train] > 1e-3)


# ----------------------------------------------------------------------------
# the test-length sweep
# ----------------------------------------------------------------------------


def test_loss_helpers_bad_input():
    with pytest.raises(ValueError, match="unknown task kind"):
        theory.loss_at_lengths(
            np.eye(1),
            np.eye(1),
            np.eye(1),
            np.eye(1),
            np.eye(1),
            "ramp",
            1,
            1,
            [2],
            np.random.default_rng(0),
        )


# ----------------------------------------------------------------------------
# best single-mode fit to arbitrary profiles
# ----------------------------------------------------------------------------


def test_optimal_u_and_effective_energy_brute_force():
    rng = np.random.default_rng(5)
    s = rng.uniform(-1, 1, size=6)
    for b in (-1.3, 0.0, 0.4, 1.0, 2.0):
        us = np.linspace(-5, 5, 200001)
        E = theory.energy(us, b, 1.0, s)
        u_opt = theory.optimal_u(b, s)
        assert abs(u_opt - us[np.argmin(E)]) < 1e-4
        gap = E.min() - theory.effective_energy(b, s)  # the grid can only be worse
        assert -1e-14 <= gap < 1e-6
        assert theory.effective_energy(b, s) == pytest.approx(
            theory.energy(u_opt, b, 1.0, s), rel=1e-12
        )
    # vectorised: b grid x profiles
    E = theory.effective_energy(
        np.linspace(-2, 2, 7)[:, None], rng.uniform(size=(3, 5))
    )
    assert E.shape == (7, 3) and np.all(E >= 0)


def test_effective_energy_zero_only_for_geometric():
    s = 1.7 * 0.6 ** np.arange(7, -1, -1)  # δ λ^{T−t}
    assert theory.effective_energy(0.6, s) < 1e-28
    assert theory.effective_energy(0.61, s) > 1e-6
    t = np.arange(1, 9)
    bgrid = np.linspace(-20, 20, 40001)
    assert theory.effective_energy(bgrid, t / 8).min() > 1e-2


def test_first_step_dirac_has_unattained_zero_infimum():
    s = np.zeros(6)
    s[0] = 1.0
    b = np.array([2.0, 5.0, 20.0])
    E = theory.effective_energy(b, s)
    exact = 0.5 * (b**10 - 1) / (b**12 - 1)
    np.testing.assert_allclose(E, exact, rtol=1e-12)
    assert np.all(E < 0.5 / b**2) and np.all(np.diff(E) < 0)
    res = theory.minimise_energy(s, b_bound=10.0)
    assert abs(res.b) == pytest.approx(10.0)  # runs to the box bound


def test_minimise_energy_geometric_and_ramp():
    T = 8
    res = theory.minimise_energy(0.9 * 1.2 ** (T - np.arange(1, T + 1)))
    assert res.energy < 1e-20
    assert res.b == pytest.approx(1.2, rel=1e-6) and res.u == pytest.approx(
        0.9, rel=1e-6
    )
    ramp = np.arange(1, T + 1) / T
    res = theory.minimise_energy(ramp)
    grid = np.linspace(-3, 3, 60001)
    Eg = theory.effective_energy(grid, ramp)
    assert res.energy == pytest.approx(Eg.min(), rel=1e-6)
    assert res.b == pytest.approx(grid[np.argmin(Eg)], abs=1e-3)
    assert res.energy > 1e-2
    assert res.starts.shape == res.energies.shape == res.b_finals.shape == (9,)


def test_minimise_energy_bad_input():
    with pytest.raises(ValueError, match="1-dimensional"):
        theory.minimise_energy(np.ones((2, 3)))
    with pytest.raises(ValueError, match="b_bound"):
        theory.minimise_energy(np.ones(3), b_bound=-1)
    with pytest.raises(ValueError, match="b_bound"):
        theory.minimise_energy(np.ones(3), b_starts=[0.5, 3.0], b_bound=2.0)
    with pytest.raises(ValueError, match="empty"):
        theory.minimise_energy(np.ones(3), b_starts=[])


# ----------------------------------------------------------------------------
# curvature
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("T", [1, 2, 6])
def test_energy_hessian_matches_finite_differences(T):
    rng = np.random.default_rng(T)
    s = rng.uniform(-1, 1.5, size=(3, T))
    a, b, c = rng.uniform(-1.2, 1.2, size=(3, 3))
    b[0] = 0.0  # edge case of the powers
    H = theory.energy_hessian(a, b, c, s)
    assert H.shape == (3, 3, 3)
    np.testing.assert_allclose(H, np.swapaxes(H, -1, -2))
    eps = 1e-6
    x = np.stack([a, b, c], axis=-1)
    for j in range(3):
        xp, xm = x.copy(), x.copy()
        xp[:, j] += eps
        xm[:, j] -= eps
        gp = -np.stack(theory.mode_flows(xp[:, 0], xp[:, 1], xp[:, 2], s), axis=-1)
        gm = -np.stack(theory.mode_flows(xm[:, 0], xm[:, 1], xm[:, 2], s), axis=-1)
        np.testing.assert_allclose(
            H[:, :, j], (gp - gm) / (2 * eps), rtol=1e-6, atol=1e-7
        )


@pytest.mark.parametrize("T", [2, 5, 20])
def test_sharpness_constant_dynamics_closed_form(T):
    delta = np.array([0.1, 0.5, 1.0, 3.0])
    a, b, c = _balanced("constant", delta, 1.0, T)
    s = tasks.task_singular_values("constant", T, delta, 1.0)
    A = 2 * delta * T
    B = np.sqrt(2 * delta) * delta * T * (T - 1) / 2
    C = delta**2 * (T - 1) * T * (2 * T - 1) / 6
    lam_max = (A + C) / 2 + np.sqrt(((A - C) / 2) ** 2 + B**2)
    np.testing.assert_allclose(theory.sharpness(a, b, c, s), lam_max, rtol=1e-12)
    np.testing.assert_allclose(
        theory.max_stable_lr(a, b, c, s), 2 / lam_max, rtol=1e-12
    )


def test_max_stable_lr_separates_convergence_from_failure():
    T, lam = 9, 0.9  # exponential: early importance, b* = 1/λ > 1
    s = tasks.task_singular_values("exponential", T, 1.0, lam)
    b, u = theory.global_solution("exponential", 1.0, lam, T)
    a = c = float(np.sqrt(u))  # balanced zero-loss modes
    lr_max = float(theory.max_stable_lr(a, b, c, s))
    tr = theory.simulate_modes(
        a + 1e-3, b + 1e-3, c - 1e-3, s, lr=0.9 * lr_max, steps=3000, record_every=3000
    )
    assert tr.energy[-1] < 1e-20
    tr = theory.simulate_modes(
        a + 1e-3, b + 1e-3, c - 1e-3, s, lr=1.1 * lr_max, steps=3000, record_every=3000
    )
    assert tr.energy[-1] > 1e-4
    with pytest.raises(TrainingDivergedError):
        theory.simulate_modes(
            a + 1e-3, b + 1e-3, c - 1e-3, s, lr=4 * lr_max, steps=3000
        )


def test_max_stable_lr_infinite_for_zero_curvature():
    assert np.isinf(theory.max_stable_lr(0.0, 0.0, 0.0, np.zeros(3)))


def test_minimise_energy_is_canonical_on_symmetric_and_flat_profiles():
    # E(u, b) = E(-u, -b) when every s_i sits at an even lag: the tie goes to b > 0,
    # whatever the rounding; a first-step Dirac's infimum is at the box edge
    t8 = np.arange(1, 9)
    bump = theory.minimise_energy((t8 == 4).astype(float), b_bound=10.0)
    assert bump.b > 1.0
    mirrored = theory.minimise_energy(
        (t8 == 4).astype(float), b_starts=[-1.5, -1.0, 1.0, 1.5], b_bound=10.0
    )
    assert mirrored.b > 1.0 and np.isclose(mirrored.energy, bump.energy, rtol=1e-12)
    dirac = theory.minimise_energy((t8 == 1).astype(float), b_bound=10.0)
    assert dirac.b == 10.0 and dirac.energy < 0.5 / 10.0**2
    assert dirac.energies.shape == dirac.b_finals.shape == (9,)
