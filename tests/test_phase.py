"""Tests of chapter 5's library code: eq. 10/11 tasks, Lemma 3.2, optimal u,
the Landau critical β, and the grid tools of lrnn_utils.phase."""

import numpy as np
import pytest

from lrnn_utils import TrainingDivergedError, phase, tasks, theory


# --- tasks (eqs 10, 11) -----------------------------------------------------------
@pytest.mark.parametrize("kind", tasks.TASK_KINDS)
def test_modified_task_replaces_only_the_last_step(kind):
    s = tasks.modified_singular_values(kind, 6, 0.7, 0.9, 2.5)
    ref = tasks.task_singular_values(kind, 6, 0.7, 0.9)
    np.testing.assert_array_equal(s[:-1], ref[:-1])
    assert s[-1] == 2.5


def test_modified_task_broadcasts():
    s = tasks.modified_singular_values("constant", 4, [0.1, 0.2], 1.0, [[1.0], [2.0]])
    assert s.shape == (2, 2, 4)
    np.testing.assert_array_equal(s[1, 0], [0.1, 0.1, 0.1, 2.0])


def test_dirac_task():
    s = tasks.dirac_singular_values(5, [1.0, 2.0], 0.5)
    np.testing.assert_array_equal(s, [[1, 0, 0, 0, 0.5], [2, 0, 0, 0, 0.5]])


@pytest.mark.parametrize(
    "call",
    [
        lambda: tasks.dirac_singular_values(1, 1.0),
        lambda: tasks.dirac_singular_values(3, np.nan),
        lambda: tasks.modified_singular_values("constant", 1),
        lambda: tasks.modified_singular_values("nope", 3),
        lambda: tasks.modified_singular_values("constant", 3, kappa=np.inf),
    ],
)
def test_task_bad_input(call):
    with pytest.raises(ValueError):
        call()


# --- Lemma 3.2 ----------------------------------------------------------------------
@pytest.mark.parametrize("T", [1, 2, 5, 12])
def test_lemma_3_2_identity_random(T):
    rng = np.random.default_rng(T)
    s = rng.normal(size=(50, T))
    a, c = rng.normal(size=(2, 50))
    b = np.concatenate([rng.uniform(-1.3, 1.3, 44), [1.0, -1.0, 1 + 1e-9, 1 - 1e-9]])
    b = np.concatenate([b, [0.0, 1e-5]])
    D, R = phase.energy_terms(a, b, c, s)
    np.testing.assert_allclose(D + R, theory.energy(a, b, c, s), rtol=1e-10, atol=1e-12)
    # the closed form of the paper where it is defined, the limit T at b^2 = 1
    with np.errstate(divide="ignore", invalid="ignore"):
        closed = 0.5 * (a * c) ** 2 * (1 - b ** (2 * T)) / (1 - b**2)
    far = np.abs(1 - b**2) > 1e-6
    np.testing.assert_allclose(R[far], closed[far], rtol=1e-10)
    near = ~far
    np.testing.assert_allclose(R[near], 0.5 * (a * c)[near] ** 2 * T, rtol=1e-7)


def test_regularization_term_values():
    assert theory.regularization_term(2.0, 1.0, 0.5, 7) == pytest.approx(0.5 * 7)
    assert theory.regularization_term(1.0, -1.0, 1.0, 4) == pytest.approx(2.0)
    assert theory.regularization_term(1.0, 0.0, 3.0, 5) == pytest.approx(4.5)
    with pytest.raises(ValueError):
        theory.regularization_term(1.0, 0.5, 1.0, 0)
    with pytest.raises(ValueError):
        theory.regularization_term(np.nan, 0.5, 1.0, 3)


# --- optimal u and effective energy -------------------------------------------------
@pytest.mark.parametrize("T", [2, 3, 6])
def test_optimal_u_minimises_the_energy(T):
    rng = np.random.default_rng(10 + T)
    s = rng.normal(size=(20, T))
    b = rng.uniform(-1.5, 1.5, 20)
    u = theory.optimal_u(b, s)
    E = theory.energy(u, b, 1.0, s)
    for du in (1e-3, -1e-3, 0.1, -0.1):
        assert np.all(theory.energy(u + du, b, 1.0, s) > E)
    np.testing.assert_allclose(theory.effective_energy(b, s), E, rtol=1e-10, atol=1e-13)


def test_effective_energy_of_dirac_task_matches_app_h():
    """E*(b) = ½[β² + 1/β² − (β b^{T-1} + 1/β)² / Σ b^{2i}] (eq. 102 with the ½)."""
    beta, T = 1.3, 5
    b = np.linspace(-2, 2, 41)
    s = tasks.dirac_singular_values(T, beta, 1 / beta)
    S = sum(b ** (2 * i) for i in range(T))
    ref = 0.5 * (beta**2 + beta**-2 - (beta * b ** (T - 1) + 1 / beta) ** 2 / S)
    np.testing.assert_allclose(theory.effective_energy(b, s), ref, atol=1e-12)


# --- Landau critical β ----------------------------------------------------------------
@pytest.mark.parametrize("T", [3, 4, 5, 8])
def test_landau_critical_beta_against_brute_force(T):
    beta = np.linspace(0.5, 1.2, 141)  # step 0.005
    b = np.concatenate([np.linspace(1e-3, 3, 3000), np.geomspace(3, 1e4, 2000)])
    found = phase.brute_force_critical_beta(T, beta, b)
    exact = theory.landau_critical_beta(T)
    assert exact <= found + 1e-12
    assert found - exact <= 0.0051


def test_landau_critical_beta_T2_and_bad_input():
    assert theory.landau_critical_beta(2) == 0.0
    for bad in (1, 0, 2.5, "3"):
        with pytest.raises(ValueError):
            theory.landau_critical_beta(bad)


def test_no_finite_minimiser_above_critical_beta():
    """T >= 4, β > 1: E*(b) > 1/(2β²) at every finite b and tends to it as b → ∞."""
    for T in (4, 6):
        beta = 1.2
        s = tasks.dirac_singular_values(T, beta, 1 / beta)
        b = np.geomspace(1e-3, 1e3, 400)
        E = theory.effective_energy(b, s)
        assert np.all(E > 0.5 / beta**2)
        assert E[-1] - 0.5 / beta**2 < 1e-5


# --- phase tools ---------------------------------------------------------------
def test_landscape_shapes_and_values():
    D, R, E = phase.landscape(np.linspace(-1, 1, 5), np.linspace(0, 2, 3), [1.0, 2.0])
    assert D.shape == R.shape == E.shape == (3, 5)
    np.testing.assert_allclose(
        E,
        theory.energy(
            np.linspace(0, 2, 3)[:, None], np.linspace(-1, 1, 5), 1.0, [1.0, 2.0]
        ),
    )
    with pytest.raises(ValueError):
        phase.landscape([[0.0]], [0.0], [1.0])


def test_stopping_rule_matches_the_plain_run_and_stops():
    s = tasks.modified_singular_values("constant", 4, [0.2, 1.0], 1.0, 1.0)
    fit = theory.simulate_modes(0.5, 0.5, 0.5, s, 0.02, 300, 300, tol=1e-30).end()
    traj = theory.simulate_modes(0.5, 0.5, 0.5, s, lr=0.02, steps=300)
    assert fit.steps == 300 and not fit.converged.any()
    np.testing.assert_array_equal(fit.b, traj.b[-1])
    np.testing.assert_array_equal(fit.u, traj.u[-1])
    run = theory.simulate_modes(0.5, 0.5, 0.5, s, 0.02, 100000, 1000, tol=1e-8)
    fit = run.end()
    assert fit.converged.all() and fit.steps < 100000 and run.steps[-1] == fit.steps
    assert np.all(fit.grad_norm < 1e-8) and np.all(np.diff(run.steps) > 0)
    # the reported gradient is the mode equations' right-hand side at the end point
    g = np.max(np.abs(theory.mode_flows(fit.a, fit.b, fit.c, s)), axis=0)
    np.testing.assert_allclose(fit.grad_norm, g, rtol=1e-12)


def test_stopping_rule_divergence_and_bad_input():
    with pytest.raises(TrainingDivergedError, match="step"):
        theory.simulate_modes(1.0, 1.0, 1.0, [[3.0, 3.0, 3.0]], 5.0, 100, tol=1e-8)
    with pytest.raises(ValueError):
        theory.simulate_modes(1.0, 1.0, 1.0, [1.0], 0.1, 10, tol=0.0)
    with pytest.raises(ValueError):
        theory.simulate_modes(1.0, 1.0, 1.0, [1.0], 0.1, 10, tol=1e-3, check_every=0)


def test_observed_critical():
    out = phase.observed_critical([1.0, 2.0, 3.0], [[0, 0, 1], [0, -0.9, 0], [0, 0, 0]])
    np.testing.assert_array_equal(out[:2], [3.0, 2.0])
    assert np.isnan(out[2])
    with pytest.raises(ValueError):
        phase.observed_critical([1.0, 0.5], [0.0, 1.0])
    with pytest.raises(ValueError):
        phase.observed_critical([1.0, 2.0], [0.0, 1.0, 2.0])


# --- one scalar mode runs on plain floats (the chapter-5 widgets) -----------------
@pytest.mark.parametrize(
    "s",
    [
        [0.25, 0.5, 1.0],
        tasks.modified_singular_values("constant", 6, 0.8, 1.0, 1.5),
        tasks.dirac_singular_values(10, 1.3, 1 / 1.3),
    ],
)
def test_scalar_path_matches_the_vectorised_path(s):
    ref = theory.simulate_modes(0.5, 0.3, [0.7], [s], 0.01, 3001, record_every=50)
    quick = theory.simulate_modes(0.5, 0.3, 0.7, s, 0.01, 3001, record_every=50)
    assert ref.b.shape == (62, 1) and quick.b.shape == (62,)  # 0, 50, .., 3000, 3001
    np.testing.assert_array_equal(quick.steps, ref.steps)
    for name in ("a", "b", "c", "energy"):
        np.testing.assert_allclose(
            getattr(quick, name), getattr(ref, name)[:, 0], rtol=1e-11, atol=1e-13
        )


def test_scalar_path_divergence_names_the_step():
    s = tasks.modified_singular_values("constant", 10, 1.5, 1.0, 2.0)
    with pytest.raises(TrainingDivergedError) as ref:
        theory.simulate_modes(0.5, 0.5, 0.5, [s], lr=0.01, steps=8000)
    with pytest.raises(TrainingDivergedError) as quick:
        theory.simulate_modes(0.5, 0.5, 0.5, s, 0.01, 8000)
    # near overflow the order of the float operations may move it by one step
    assert ref.value.step > 0 and abs(quick.value.step - ref.value.step) <= 1


@pytest.mark.parametrize(
    "kwargs",
    [{"s": []}, {"lr": 0.0}, {"a0": np.nan}, {"record_every": 0}],
)
def test_scalar_path_validates(kwargs):
    args = dict(a0=0.5, b0=0.5, c0=0.5, s=[1.0, 2.0], lr=0.1, steps=10)
    args.update(kwargs)
    with pytest.raises(ValueError):
        theory.simulate_modes(**args)


def test_observed_critical_is_strictly_above_the_threshold():
    """|b| equal to the threshold is not 'above' it (a >= would report 2.0 here)."""
    out = phase.observed_critical([1.0, 2.0, 3.0], [[0.0, 0.5, 0.7], [0.0, -0.5, 0.5]])
    np.testing.assert_array_equal(out, [3.0, np.nan])
    out = phase.observed_critical([1.0, 2.0], [0.25, 0.25], threshold=0.25)
    assert np.isnan(out)
