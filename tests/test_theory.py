"""Tests of lrnn_utils.theory: energy, mode equations, Euler runs, global solutions."""

import numpy as np
import pytest

from lrnn_utils import TrainingDivergedError, tasks, theory


def test_energy_matches_definition():
    s = np.array([0.3, -0.2, 1.1, 0.5])
    a, b, c = 0.7, 0.9, -0.4
    T = s.size
    expected = 0.5 * sum(
        (s[i - 1] - c * b ** (T - i) * a) ** 2 for i in range(1, T + 1)
    )
    assert theory.energy(a, b, c, s) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("T", [1, 2, 5, 9])
def test_mode_gradients_are_minus_energy_gradient(T):
    rng = np.random.default_rng(T)
    s = rng.uniform(-1, 2, size=(4, T))
    a, b, c = rng.uniform(-1.2, 1.2, size=(3, 4))
    da, db, dc = theory.mode_flows(a, b, c, s)
    eps = 1e-6
    for val, flow, k in ((a, da, 0), (b, db, 1), (c, dc, 2)):
        args_p = [a, b, c]
        args_m = [a, b, c]
        args_p[k] = val + eps
        args_m[k] = val - eps
        num = (theory.energy(*args_p, s) - theory.energy(*args_m, s)) / (2 * eps)
        np.testing.assert_allclose(flow, -num, rtol=1e-6, atol=1e-8)


def test_mode_gradients_match_paper_equations():
    """Eqs (5)-(7) written out literally, including the b = 0 edge case."""
    s = np.array([0.4, 1.0, -0.3, 0.8, 1.2])
    T = s.size
    for a, b, c in [(0.5, 0.8, 0.6), (1.1, 0.0, -0.7), (-0.3, 1.2, 0.9)]:
        res = [s[i - 1] - c * b ** (T - i) * a for i in range(1, T + 1)]
        da = sum(c * b ** (T - i) * res[i - 1] for i in range(1, T + 1))
        db = sum((T - i) * c * a * b ** (T - i - 1) * res[i - 1] for i in range(1, T))
        dc = sum(a * b ** (T - i) * res[i - 1] for i in range(1, T + 1))
        np.testing.assert_allclose(
            theory.mode_flows(a, b, c, s), [da, db, dc], rtol=1e-13, atol=1e-15
        )


def test_broadcasting_over_parameter_grids():
    s = tasks.task_singular_values(
        "inverse_exponential",
        6,
        np.array([0.5, 1.0, 2.0])[:, None],
        np.array([0.7, 0.9]),
    )
    E = theory.energy(0.1, np.linspace(0, 1, 2), 0.2, s)
    assert E.shape == (3, 2)
    da, db, dc = theory.mode_flows(0.1, 0.5, 0.2, s)
    assert da.shape == db.shape == dc.shape == (3, 2)
    traj = theory.simulate_modes(0.1, 0.2, 0.1, s, lr=0.05, steps=10, record_every=5)
    assert traj.a.shape == (3, 3, 2)
    np.testing.assert_array_equal(traj.steps, [0, 5, 10])


def test_simulate_modes_is_euler():
    s = np.array([0.5, 1.0, 0.2])
    traj = theory.simulate_modes(0.3, 0.4, 0.2, s, lr=0.1, steps=2)
    a, b, c = 0.3, 0.4, 0.2
    for _ in range(2):
        da, db, dc = theory.mode_flows(a, b, c, s)
        a, b, c = a + 0.1 * da, b + 0.1 * db, c + 0.1 * dc
    np.testing.assert_allclose(
        [traj.a[-1], traj.b[-1], traj.c[-1]], [a, b, c], rtol=1e-14
    )
    np.testing.assert_allclose(traj.energy[-1], theory.energy(a, b, c, s), rtol=1e-14)
    np.testing.assert_allclose(traj.u, traj.a * traj.c)


@pytest.mark.parametrize("trainable", ["ac", "b", "a", "bc"])
def test_simulate_modes_frozen_modes_are_euler_on_the_rest(trainable):
    """Frozen modes keep their value; the others take plain Euler steps."""
    s = np.array([[0.3, 0.8, 1.0], [1.0, 0.5, 0.2]])
    x0 = {"a": 0.5, "b": 0.3, "c": 0.7}
    traj = theory.simulate_modes(
        x0["a"], x0["b"], x0["c"], s, lr=0.05, steps=40, trainable=trainable
    )
    x = {k: np.full(2, v) for k, v in x0.items()}
    for _ in range(40):
        g = dict(zip("abc", theory.mode_flows(x["a"], x["b"], x["c"], s)))
        x = {k: x[k] + 0.05 * g[k] if k in trainable else x[k] for k in "abc"}
    for k in "abc":
        got = getattr(traj, k)
        np.testing.assert_allclose(got[-1], x[k], rtol=1e-13)
        if k not in trainable:
            assert np.all(got == x0[k])
        else:
            assert not np.all(got == x0[k])


def test_simulate_modes_trainable_abc_is_the_default():
    s = np.array([[0.3, 0.8, 1.0], [1.0, 0.5, 0.2]])
    a = theory.simulate_modes(0.2, 0.3, 0.1, s, 0.01, 300, 7, trainable="abc")
    b = theory.simulate_modes(0.2, 0.3, 0.1, s, lr=0.01, steps=300, record_every=7)
    for f in ("steps", "a", "b", "c", "energy"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))


def test_simulate_modes_frozen_b_keeps_balance():
    s = tasks.task_singular_values("inverse_exponential", 5, 1.0, 0.8)
    run = theory.simulate_modes(0.1, 0.4, 0.1, s, lr=0.01, steps=200, trainable="ac")
    np.testing.assert_array_equal(run.a, run.c)
    assert np.all(run.b == 0.4)


@pytest.mark.parametrize("trainable", ["", "abd", "x", "B"])
def test_simulate_modes_bad_trainable_value(trainable):
    with pytest.raises(ValueError, match="trainable"):
        theory.simulate_modes(
            0.1, 0.1, 0.1, [1.0], lr=0.1, steps=1, trainable=trainable
        )


@pytest.mark.parametrize("trainable", [3, None, ["a", "b"]])
def test_simulate_modes_bad_trainable_type(trainable):
    with pytest.raises(TypeError, match="trainable"):
        theory.simulate_modes(
            0.1, 0.1, 0.1, [1.0], lr=0.1, steps=1, trainable=trainable
        )


def test_simulate_modes_frozen_divergence_names_step():
    with pytest.raises(TrainingDivergedError, match="step"):
        theory.simulate_modes(
            1.0, 1.5, 1.0, np.ones(20), lr=1.0, steps=100, trainable="b"
        )


@pytest.mark.parametrize("kind", tasks.TASK_KINDS)
@pytest.mark.parametrize("T", [1, 3, 8])
def test_global_solution_has_zero_energy(kind, T):
    delta = np.array([0.5, 1.0, 1.7])[:, None]
    lam = np.array([0.6, 0.95, 1.2])[None, :]
    b_star, u_star = theory.global_solution(kind, delta, lam, T)
    s = tasks.task_singular_values(kind, T, delta, lam)
    E = theory.energy(u_star, b_star, 1.0, s)
    np.testing.assert_allclose(E, 0.0, atol=1e-24)
    # and it is a fixed point of the dynamics
    for g in theory.mode_flows(u_star, b_star, 1.0, s):
        np.testing.assert_allclose(g, 0.0, atol=1e-12)


@pytest.mark.parametrize("kind", tasks.TASK_KINDS)
def test_gradient_descent_reaches_global_solution(kind):
    T, delta, lam = 4, 1.0, 0.9
    s = tasks.task_singular_values(kind, T, delta, lam)
    traj = theory.simulate_modes(
        0.5, 0.5, 0.5, s, lr=0.02, steps=20000, record_every=20000
    )
    b_star, u_star = theory.global_solution(kind, delta, lam, T)
    assert traj.energy[-1] < 1e-12
    np.testing.assert_allclose([traj.b[-1], traj.u[-1]], [b_star, u_star], rtol=1e-5)


def test_u_closed_form_solves_the_logistic_ode():
    s = np.array([0.3, 0.9, 1.2])
    b, u0 = 0.8, 0.05
    pw = b ** np.arange(2, -1, -1)
    S1, S2 = pw @ s, pw @ pw
    t = np.linspace(0, 5, 201)
    u = theory.u_closed_form(t, u0, b, s)
    assert u[0] == pytest.approx(u0)
    h = 1e-5
    tc = t[1:]  # interior points, so t - h >= 0
    dudt = (
        theory.u_closed_form(tc + h, u0, b, s) - theory.u_closed_form(tc - h, u0, b, s)
    ) / (2 * h)
    uc = theory.u_closed_form(tc, u0, b, s)
    np.testing.assert_allclose(dudt, 2 * uc * (S1 - S2 * uc), rtol=1e-6, atol=1e-10)
    assert u[-1] == pytest.approx(S1 / S2, rel=1e-6)


def test_extrapolation_loss_zero_at_training_length():
    for kind in tasks.TASK_KINDS:
        np.testing.assert_allclose(
            theory.extrapolation_loss(kind, 1.3, 0.8, 6, 6), 0.0, atol=1e-24
        )
    E = theory.extrapolation_loss("exponential", 1.0, 0.9, 5, np.array([3, 5, 8]))
    assert E.shape == (3,) and E[1] < 1e-24 < E[0] and E[2] > 0


def test_simulate_modes_divergence_raises():
    s = tasks.task_singular_values("constant", 5, 4.0)
    with pytest.raises(TrainingDivergedError, match="diverged at step"):
        theory.simulate_modes(1.0, 1.0, 1.0, s, lr=1.0, steps=500)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: theory.energy(0.1, 0.2, 0.3, np.array([])), "T >= 1"),
        (lambda: theory.energy(np.nan, 0.2, 0.3, [1.0]), "non-finite"),
        (lambda: theory.energy(np.ones(3), 0.2, 0.3, np.ones((2, 4))), "broadcast"),
        (lambda: theory.mode_flows(0.1, 0.2, 0.3, 1.0), "at least 1 dimension"),
        (
            lambda: theory.simulate_modes(0.1, 0.2, 0.3, [1.0, 1.0], lr=0.0, steps=3),
            "lr must be > 0",
        ),
        (
            lambda: theory.simulate_modes(
                0.1, 0.2, 0.3, [1.0, 1.0], lr=0.1, steps=3, record_every=-1
            ),
            "record_every",
        ),
        (lambda: theory.global_solution("ramp", 1.0, 1.0, 3), "unknown task kind"),
        (lambda: theory.global_solution("constant", 1.0, 1.0, 0), "T must be >= 1"),
        (lambda: theory.global_solution("exponential", 1.0, 0.0, 3), "lam = 0"),
        (lambda: theory.u_closed_form(-1.0, 0.1, 0.5, [1.0]), "t must be >= 0"),
        (lambda: theory.u_closed_form(1.0, 0.0, 0.5, [1.0]), "u0 must be > 0"),
        (
            lambda: theory.extrapolation_loss("constant", 1.0, 1.0, 3, 0),
            "T_test must be >= 1",
        ),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_decay_powers_and_effective_singular_values():
    np.testing.assert_allclose(theory.decay_powers(0.5, 4), [0.125, 0.25, 0.5, 1.0])
    s = np.array([[1.0, 2.0, 3.0], [0.5, 0.0, -1.0]])
    S1, S2 = theory.effective_singular_values(np.array([0.5, 2.0]), s)
    np.testing.assert_allclose(S1, [0.25 + 1.0 + 3.0, 2.0 - 1.0])
    np.testing.assert_allclose(S2, [0.0625 + 0.25 + 1.0, 16.0 + 4.0 + 1.0])
    with pytest.raises(ValueError, match="broadcast"):
        theory.effective_singular_values(np.ones(3), s)


@pytest.mark.parametrize("S1", [1e-17, 1e-16, -1e-16, 1e-9, -1e-9, 0.3, -2.0, 50.0])
def test_u_closed_form_keeps_full_precision_as_S1_vanishes(S1):
    # eq (47) written as S1 / (S2 + (S1/u0 - S2) e^{-x}) lost every digit near S1 = 0
    # (20 % error at 1e-16, inf at 1e-17); compare with 60-digit arithmetic
    import mpmath as mp

    mp.mp.dps = 60
    for t in (0.0, 0.1, 1.0, 10.0):
        for u0 in (1e-3, 0.5):
            x = 2 * mp.mpf(S1) * t
            exact = mp.mpf(S1) / (1 + (mp.mpf(S1) / u0 - 1) * mp.e ** (-x))
            got = theory.u_closed_form(t, u0, 1.0, [S1])  # T = 1: S1 = s_1, S2 = 1
            assert abs(mp.mpf(float(got)) - exact) < 1e-13 * abs(exact), (t, u0)


@pytest.mark.parametrize("lr", [0.01, 0.3, 2.0])
def test_scalar_path_equals_the_vectorised_loop(lr):
    """One scalar mode runs on floats; a shape-(1,) mode through the numpy loop."""
    s = np.array([0.3, -0.8, 1.2, 0.5])
    args = (0.4, 0.7, 0.2)
    try:
        one = theory.simulate_modes(*args, s, lr, 400, 9)
    except TrainingDivergedError as err:
        with pytest.raises(TrainingDivergedError) as again:
            theory.simulate_modes(*([x] for x in args), s[None], lr, 400, 9)
        assert again.value.step == err.step
        return
    grid = theory.simulate_modes(*([x] for x in args), s[None], lr, 400, 9)
    np.testing.assert_array_equal(one.steps, grid.steps)
    for name in ("a", "b", "c", "energy"):
        np.testing.assert_allclose(
            getattr(one, name), getattr(grid, name)[:, 0], rtol=1e-12, atol=1e-15
        )
