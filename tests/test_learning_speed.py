"""Tests of lrnn_utils.learning_speed and theory.u_closed_form (eq 47), chapter 3."""

from math import factorial

import numpy as np
import pytest
import sympy as sp
from scipy.integrate import solve_ivp

from lrnn_utils import learning_speed as ls
from lrnn_utils import tasks, theory


# --------------------------------------------------------------------------------------
# theory.u_closed_form (eq 47)
# --------------------------------------------------------------------------------------
def _logistic_reference(u0, S1, S2, t_eval, tau=1.0):
    sol = solve_ivp(
        lambda _, u: 2 * u * (S1 - S2 * u) / tau,
        (0, t_eval[-1]),
        [u0],
        t_eval=t_eval,
        method="DOP853",
        rtol=1e-12,
        atol=1e-14,
    )
    assert sol.success
    return sol.y[0]


@pytest.mark.parametrize(
    "b, s, u0, tau",
    [
        (0.6, [0.2, 0.5, 1.0], 0.01, 1.0),  # S1 > 0, growth to S1/S2
        (0.0, [0.3, 1.2], 0.05, 2.0),  # b = 0: feedforward (S1 = s_T, S2 = 1), tau != 1
        (1.1, [1.0, 0.9, 0.8, 0.7], 0.3, 1.0),  # b > 1
        (-0.9, [1.0, 1.0, 0.0], 0.2, 0.5),  # S1 < 0 (alternating weighting): decay to 0
        (0.5, [-1.0, 0.0, 0.25], 0.4, 1.0),  # S1 = 0 exactly: 1/t decay
        (2.0, [-1.0, 1.0], 0.1, 1.0),  # S1 = -2 + 1 = -1 < 0
    ],
)
def test_u_closed_form_matches_solve_ivp(b, s, u0, tau):
    s = np.asarray(s, dtype=float)
    S1, S2 = theory.effective_singular_values(b, s)
    t = np.linspace(0, 6, 61)
    ref = _logistic_reference(u0, float(S1), float(S2), t, tau)
    got = theory.u_closed_form(t, u0, b, s, tau=tau)
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-12)


def test_u_closed_form_branches():
    t = np.linspace(0, 10, 11)
    # S1 = 0 branch: u0 / (1 + 2 S2 u0 t / tau)
    s = np.array([-1.0, 0.0, 0.25])  # with b = 0.5: S1 = -0.25 + 0 + 0.25 = 0
    S1, S2 = theory.effective_singular_values(0.5, s)
    assert S1 == 0.0
    np.testing.assert_allclose(
        theory.u_closed_form(t, 0.4, 0.5, s, tau=2.0),
        0.4 / (1 + 2 * S2 * 0.4 * t / 2.0),
        rtol=1e-14,
    )
    # S1 < 0: positive, decreasing, to 0 (never to the negative optimum S1/S2)
    u_neg = theory.u_closed_form(
        np.linspace(0, 50, 51), 0.3, 2.0, [-1.0, 1.0]
    )  # S1 = -1
    assert np.all(u_neg > 0) and np.all(np.diff(u_neg) < 0) and u_neg[-1] < 1e-30
    # S1 > 0: limit S1/S2 and the half-time of eq (46)
    s = np.array([0.2, 0.5, 1.0])
    S1, S2 = theory.effective_singular_values(0.6, s)
    assert theory.u_closed_form(1e3, 0.01, 0.6, s) == pytest.approx(S1 / S2, rel=1e-14)
    th = ls.u_half_time(0.01, 0.6, s)
    assert theory.u_closed_form(th, 0.01, 0.6, s) == pytest.approx(
        S1 / (2 * S2), rel=1e-12
    )


def test_u_closed_form_equals_eq47_as_printed():
    s = np.array([0.4, 0.7, 1.1, 0.9])
    b, u0, tau = 0.7, 0.02, 1.5
    S1, S2 = theory.effective_singular_values(b, s)
    t = np.linspace(0, 4, 9)
    grow = np.exp(2 * S1 * t / tau)
    printed = grow * S1 / (S1 / u0 - S2 + grow * S2)
    np.testing.assert_allclose(
        theory.u_closed_form(t, u0, b, s, tau=tau), printed, rtol=1e-13
    )


def test_u_closed_form_broadcasts_over_b_and_modes():
    s = tasks.task_singular_values(
        "inverse_exponential", 5, np.array([0.5, 1.0]), 0.8
    )  # (2, 5)
    b = np.array([[0.0], [0.4], [0.9]])  # (3, 1)
    u = theory.u_closed_form(2.0, 0.01, b, s)
    assert u.shape == (3, 2)
    for i in range(3):
        for k in range(2):
            assert u[i, k] == pytest.approx(
                float(theory.u_closed_form(2.0, 0.01, b[i, 0], s[k])), rel=1e-14
            )


def test_u_closed_form_vs_frozen_b_gradient_descent_first_order():
    """Balanced a = c, b frozen: Euler steps approach eq (47) with an O(lr) error."""
    s = tasks.task_singular_values("inverse_exponential", 5, 1.0, 0.8)
    b = np.array([0.0, 0.4, 0.8, 1.1])
    errs = []
    for lr in (0.02, 0.01, 0.005):
        run = theory.simulate_modes(
            0.1, b, 0.1, s, lr=lr, steps=int(round(6 / lr)), trainable="ac"
        )
        assert np.all(run.b == b)
        np.testing.assert_array_equal(run.a, run.c)
        closed = theory.u_closed_form(run.steps[:, None] * lr, 0.01, b, s)
        errs.append(np.max(np.abs(run.u - closed)))
    errs = np.array(errs)
    assert errs[-1] < 5e-3
    np.testing.assert_allclose(errs[:-1] / errs[1:], 2.0, rtol=0.05)


def test_u_closed_form_vs_direct_euler_of_eq43():
    """Euler on eq (43) itself (not on a and c) converges to eq (47) too."""
    s = np.array([0.3, 0.6, 1.0])
    b, u0 = 0.5, 0.02
    S1, S2 = theory.effective_singular_values(b, s)
    for lr, tol in ((1e-3, 2e-3), (1e-4, 2e-4)):
        n = int(round(4 / lr))
        u = np.empty(n + 1)
        u[0] = u0
        for k in range(n):
            u[k + 1] = u[k] + lr * 2 * u[k] * (S1 - S2 * u[k])
        closed = theory.u_closed_form(np.arange(n + 1) * lr, u0, b, s)
        assert np.max(np.abs(u - closed)) < tol


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(t=-1.0, u0=0.1, b=0.5, s=[1.0]), "t must be >= 0"),
        (dict(t=1.0, u0=0.0, b=0.5, s=[1.0]), "u0 must be > 0"),
        (dict(t=1.0, u0=-0.2, b=0.5, s=[1.0]), "u0 must be > 0"),
        (dict(t=1.0, u0=0.1, b=0.5, s=np.zeros(0)), "at least one time step"),
        (dict(t=1.0, u0=0.1, b=np.nan, s=[1.0]), "non-finite"),
        (dict(t=1.0, u0=0.1, b=0.5, s=[1.0], tau=0.0), "tau"),
        (dict(t=1.0, u0=0.1, b=0.5, s=[np.inf]), "non-finite"),
    ],
)
def test_u_closed_form_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        theory.u_closed_form(**kwargs)


# --------------------------------------------------------------------------------------
# App. D: derivatives and windowed Taylor
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("T", [1, 2, 3, 6])
def test_energy_b_derivatives_vs_sympy(T):
    rng = np.random.default_rng(T)
    s = rng.uniform(-1, 1.5, size=T)
    u = 0.8
    b = sp.Symbol("b")
    E = sp.Rational(1, 2) * sum(
        (sp.Float(s[i], 30) - sp.Float(u, 30) * b ** (T - 1 - i)) ** 2 for i in range(T)
    )
    for bv in (0.0, 0.45, 1.2, -0.7):
        got = ls.energy_b_derivatives(bv, u, s, 7)
        ref = [float(sp.diff(E, b, n).subs(b, sp.Float(bv, 30))) for n in range(8)]
        np.testing.assert_allclose(got, ref, rtol=1e-11, atol=1e-11)
    assert ls.energy_b_derivatives(0.45, u, s, 0)[0] == pytest.approx(
        float(theory.energy(u, 0.45, 1.0, s)), rel=1e-13
    )


def test_energy_b_derivatives_broadcasts():
    s = tasks.task_singular_values(
        "inverse_exponential", 4, np.array([0.5, 1.0]), 0.7
    )  # (2, 4)
    b = np.array([[0.1], [0.6], [0.9]])
    out = ls.energy_b_derivatives(b, 1.3, s, 3)
    assert out.shape == (4, 3, 2)
    np.testing.assert_allclose(
        out[:, 1, 0], ls.energy_b_derivatives(0.6, 1.3, s[0], 3), rtol=1e-14
    )


def test_flow_jet_polynomials_match_paper_and_sympy():
    polys = ls.flow_jet_polynomials(7)
    # eqs (53)-(57), exponent tuples over (F, F', F'', ...)
    z = (0,) * 7

    def m(*e):
        return tuple(e) + z[len(e) :]

    paper = [
        {m(1): 1},
        {m(1, 1): 1},
        {m(1, 2): 1, m(2, 0, 1): 1},
        {m(1, 3): 1, m(2, 1, 1): 4, m(3, 0, 0, 1): 1},
        {
            m(1, 4): 1,
            m(2, 2, 1): 11,
            m(3, 0, 2): 4,
            m(3, 1, 0, 1): 7,
            m(4, 0, 0, 0, 1): 1,
        },
    ]
    for n in range(5):
        assert polys[n] == paper[n]
    # generic sympy recursion up to order 7, and Faa di Bruno (eq 62)
    b = sp.Symbol("b")
    F = sp.Function("F")
    D = [F(b)]
    for _ in range(6):
        D.append(sp.expand(sp.diff(D[-1], b) * F(b)))
    for n, poly in enumerate(polys):
        expr = sum(
            c * sp.prod([sp.diff(F(b), b, k) ** e for k, e in enumerate(mono)])
            for mono, c in poly.items()
        )
        assert sp.expand(expr - D[n]) == 0
    for n in range(2, 8):
        faa = sum(
            sp.diff(F(b), b, k) * sp.bell(n - 1, k, D[: n - k]) for k in range(1, n)
        )
        assert sp.expand(faa - D[n - 1]) == 0


def test_b_time_derivatives_vs_sympy_flow():
    s = np.array([0.5, -0.3, 0.9, 1.1, 0.7])
    T, u = s.size, 0.9
    b = sp.Symbol("b")
    E = sp.Rational(1, 2) * sum(
        (sp.Float(s[i], 30) - sp.Float(u, 30) * b ** (T - 1 - i)) ** 2 for i in range(T)
    )
    F = -sp.diff(E, b)
    D = [F]
    for _ in range(5):
        D.append(sp.expand(sp.diff(D[-1], b) * F))
    for bv in (0.2, 0.75):
        got = ls.b_time_derivatives(bv, u, s, 6)
        ref = [float(d.subs(b, sp.Float(bv, 30))) for d in D]
        np.testing.assert_allclose(got, ref, rtol=1e-10)


def test_b_time_derivatives_are_time_derivatives():
    """Finite differences of an accurate flow reproduce d^n b / dt^n (n = 1, 2)."""
    s = tasks.task_singular_values("inverse_exponential", 5, 1.0, 0.8)
    h = 1e-3
    bt = ls.reference_b_flow(0.3, 1.0, s, [0.0, h, 2 * h])
    b_mid = bt[1]
    d = ls.b_time_derivatives(b_mid, 1.0, s, 2)
    assert (bt[2] - bt[0]) / (2 * h) == pytest.approx(d[0], rel=1e-6)
    assert (bt[2] - 2 * bt[1] + bt[0]) / h**2 == pytest.approx(d[1], rel=1e-4)


def test_windowed_taylor_order_and_accuracy():
    s = tasks.task_singular_values("inverse_exponential", 5, 1.0, 0.8)
    errs = {}
    for N in (1, 2, 3, 5):
        e = []
        for dw in (0.02, 0.01):
            t, bw = ls.windowed_taylor_b(0.1, 1.0, s, dw, int(round(2 / dw)), N)
            e.append(np.max(np.abs(bw - ls.reference_b_flow(0.1, 1.0, s, t))))
        errs[N] = e
        slope = np.log2(e[0] / e[1])
        assert abs(slope - N) < 0.3, (N, slope)
    assert errs[5][1] < 1e-8


def test_windowed_taylor_order1_is_euler_and_shapes():
    s = np.array([[0.2, 0.6, 1.0], [1.0, 0.5, 0.25]])
    t, bw = ls.windowed_taylor_b(
        np.array([0.1, 0.2]), 1.0, s, 0.01, 30, order=1, points_per_window=1
    )
    gd = theory.simulate_modes(
        1.0, np.array([0.1, 0.2]), 1.0, s, lr=0.01, steps=30, trainable="b"
    )
    np.testing.assert_allclose(bw, gd.b, rtol=1e-12, atol=1e-14)
    t3, b3 = ls.windowed_taylor_b(0.1, 1.0, s, 0.05, 4, order=3, points_per_window=5)
    assert t3.shape == (21,) and b3.shape == (21, 2)
    np.testing.assert_allclose(t3[::5], 0.05 * np.arange(5))
    # dense points within a window lie on that window's polynomial
    d = ls.b_time_derivatives(0.1, 1.0, s, 3)
    h = 0.03
    poly = 0.1 + sum(d[n] * h ** (n + 1) / factorial(n + 1) for n in range(3))
    np.testing.assert_allclose(b3[3], poly, rtol=1e-12)


def test_windowed_taylor_blow_up_gives_nan():
    s = tasks.task_singular_values("constant", 8, 1.0, 1.0)
    t, bw = ls.windowed_taylor_b(0.1, 1.0, s, 2.0, 20, order=5)
    assert np.isnan(bw[-1]) and np.isfinite(bw[0])


def test_taylor_stability_limit():
    ref = {1: 2.0, 2: 2.0, 3: 2.5127453266, 4: 2.7852935634, 5: 3.2170478666}
    for N, x in ref.items():
        got = ls.taylor_stability_limit(N)
        assert got == pytest.approx(x, abs=1e-8)
        R = sum((-got) ** n / factorial(n) for n in range(N + 1))
        assert abs(R) == pytest.approx(1.0, abs=1e-10)


def test_reference_b_flow_vs_gradient_descent():
    s = tasks.task_singular_values("inverse_exponential", 4, 1.0, 0.6)
    gd = theory.simulate_modes(
        1.0, 0.1, 1.0, s, lr=1e-3, steps=6000, trainable="b", record_every=250
    )
    ref = ls.reference_b_flow(0.1, 1.0, s, gd.steps * 1e-3)
    assert np.max(np.abs(ref - gd.b)) < 1e-3
    assert ref[-1] == pytest.approx(0.6, abs=1e-6)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: ls.energy_b_derivatives(0.1, 1.0, [1.0, 2.0], -1), "n_max"),
        (
            lambda: ls.energy_b_derivatives(np.ones(3), 1.0, np.ones((2, 4)), 1),
            "broadcast",
        ),
        (lambda: ls.flow_jet_polynomials(0), "order"),
        (lambda: ls.windowed_taylor_b(0.1, 1.0, [1.0, 0.5], 0.0, 3), "window"),
        (lambda: ls.windowed_taylor_b(0.1, 1.0, [1.0, 0.5], 0.1, 0), "n_windows"),
        (
            lambda: ls.windowed_taylor_b(0.1, 1.0, [1.0, 0.5], 0.1, 3, order=2.5),
            "order",
        ),
        (
            lambda: ls.reference_b_flow(0.1, 1.0, [1.0, 0.5], [1.0, 0.5]),
            "non-decreasing",
        ),
        (lambda: ls.taylor_stability_limit(0), "order"),
        (lambda: ls.b_time_derivatives(0.1, 1.0, [[]], 2), "at least one time step"),
    ],
)
def test_app_d_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --------------------------------------------------------------------------------------
# learning times, gradient terms, App. E
# --------------------------------------------------------------------------------------
def test_learning_time_linear_and_vectorised():
    t = np.linspace(0, 10, 11)
    x = np.stack([t, 2 * t, 10 - t], axis=1)  # rising, rising faster, falling
    got = ls.learning_time(t, x, fraction=0.5, start=[0, 0, 10], target=[10, 10, 0])
    np.testing.assert_allclose(got, [5.0, 2.5, 5.0])
    # defaults: from x[0] to x[-1]
    np.testing.assert_allclose(ls.learning_time(t, x[:, 0], fraction=0.25), 2.5)
    # interpolation between records
    assert ls.learning_time(t, t**2, fraction=0.5, start=0, target=60) == pytest.approx(
        5 + 5 / 11
    )
    # fraction 0 is the start, 1 the first arrival
    assert ls.learning_time(t, t, fraction=0.0) == 0.0
    assert ls.learning_time(t, t, fraction=1.0) == pytest.approx(10.0)


def test_learning_time_never_reached_and_degenerate():
    t = np.linspace(0, 1, 5)
    x = np.array([0.0, 0.1, 0.2, 0.3, 0.4])
    assert np.isnan(ls.learning_time(t, x, target=1.0))
    assert np.isnan(ls.learning_time(t, x, start=0.4, target=0.4))
    grid = ls.learning_time(t, np.zeros((5, 2, 3)), target=np.ones((2, 3)))
    assert grid.shape == (2, 3) and np.all(np.isnan(grid))


def test_learning_time_of_closed_form_is_half_time():
    s = np.array([0.3, 0.7, 1.2])
    t = np.linspace(0, 8, 8001)
    u = theory.u_closed_form(t, 1e-3, 0.5, s)
    S1, S2 = theory.effective_singular_values(0.5, s)
    got = ls.learning_time(t, u, start=0.0, target=S1 / S2)
    assert got == pytest.approx(float(ls.u_half_time(1e-3, 0.5, s)), abs=1e-5)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: ls.learning_time([0, 1, 1], [0, 1, 2]), "strictly increasing"),
        (lambda: ls.learning_time([0, 1, 2], [0, 1]), "len"),
        (lambda: ls.learning_time([0, 1], [0, 1], fraction=1.5), "fraction"),
        (lambda: ls.u_half_time(0.1, 0.5, [-1.0, -1.0]), "S1"),
        (lambda: ls.u_half_time(0.9, 0.0, [1.0]), "below the half level"),
        (lambda: ls.s1_crossing([1.0, 2.0], [1.0]), "same shape"),
        (lambda: ls.s1_crossing([1.0, 2.0], [2.0, 1.0], b_max=0.0), "b_max"),
        (lambda: theory.effective_singular_values(0.5, []), "at least one time step"),
        (
            lambda: theory.effective_singular_values(np.ones(3), np.ones((2, 4))),
            "broadcast",
        ),
        (
            lambda: ls.windowed_taylor_b(
                0.1, 1.0, [1.0, 0.5], 0.1, 3, points_per_window=0
            ),
            "points_per_window",
        ),
        (lambda: ls.reference_b_flow(0.1, 1.0, [1.0, 0.5], [-1.0, 0.5]), ">= 0"),
        (lambda: ls.learning_order([1.0], [0.5], 3, init=0.0), "init"),
        (lambda: ls.learning_order([1.0], [0.5], 3, init_b=np.nan), "init_b"),
    ],
)
def test_learning_speed_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_s1_crossing():
    s = tasks.task_singular_values(
        "inverse_exponential", 40, np.array([1.1, 0.5]), np.array([0.5, 1.1])
    )
    bc = ls.s1_crossing(s[0], s[1])
    assert bc == pytest.approx(0.6 / 0.96, abs=1e-6)
    S1a, _ = theory.effective_singular_values(bc, s[0])
    S1b, _ = theory.effective_singular_values(bc, s[1])
    assert S1a == pytest.approx(S1b, rel=1e-12)
    s2 = tasks.task_singular_values(
        "inverse_exponential", 2, np.array([1.1, 0.5]), np.array([0.5, 1.1])
    )
    assert np.isnan(ls.s1_crossing(s2[0], s2[1]))


def test_learning_order_recency_and_feedforward_orders():
    r = ls.learning_order([1.1, 0.5], [0.5, 1.1], 10, init=0.01)
    assert (
        r.t_half_u[0] < r.t_half_u[1]
        and r.t_half_b[0] < r.t_half_b[1]
        and r.t_half_loss[0] < r.t_half_loss[1]
    )
    assert (
        r.t_half_ff_u[1] < r.t_half_ff_u[0]
    )  # feedforward on the whole sequence: by ||s||
    np.testing.assert_allclose(r.u[-1], [1.1, 0.5], atol=1e-6)
    np.testing.assert_allclose(r.b[-1], [0.5, 1.1], atol=1e-6)
    assert r.steps[-1] * r.lr == pytest.approx(r.t[-1]) and r.t.shape == r.steps.shape
    r1 = ls.learning_order([1.1, 0.5], [0.5, 1.1], 1, init=0.01)
    assert r1.t_half_u[0] < r1.t_half_u[1] and np.all(np.isnan(r1.t_half_b))
    np.testing.assert_allclose(
        r1.t_half_u, ls.u_half_time(1e-4, 0.0, np.array([[1.1], [0.5]])), rtol=0.01
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(delta=[1.0, 0.5], lam=[0.5], T=3), "same shape"),
        (dict(delta=[1.0, -0.5], lam=[0.5, 0.5], T=3), "> 0"),
        (dict(delta=[1.0], lam=[0.5], T=3, init=1.0), "below delta/2"),
        (dict(delta=[1.5], lam=[1.2], T=12, init=0.01), "max_steps"),
        (dict(delta=[1.0], lam=[0.5], T=0), "T must be"),
    ],
)
def test_learning_order_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ls.learning_order(**kwargs)


def test_learning_order_default_rate_is_half_the_stability_limit():
    """Default rate: 1/λ_max = half of theory.max_stable_lr (2/λ_max).

    At a zero-loss solution the residuals vanish, so the Hessian equals its
    Gauss-Newton part JᵀJ; the rate computed from JᵀJ must agree.
    """
    delta, lam, T = np.array([1.1, 0.5]), np.array([0.5, 1.1]), 10
    r = ls.learning_order(delta, lam, T, init=0.01, t_end=0.1)
    s = tasks.task_singular_values("inverse_exponential", T, delta, lam)
    k = theory.time_lags(T)
    a = np.sqrt(delta)[:, None]
    bb = lam[:, None]
    J = np.stack([a * bb**k, k * a * a * bb ** np.maximum(k - 1, 0), a * bb**k], -1)
    lam_max = np.linalg.eigvalsh(np.einsum("kti,ktj->kij", J, J)).max()
    assert r.lr == pytest.approx(1.0 / lam_max, rel=1e-12)
    half = 0.5 * theory.max_stable_lr(np.sqrt(delta), lam, np.sqrt(delta), s)
    assert r.lr == pytest.approx(float(half.min()), rel=1e-14)
    # small tasks: the cap 0.01 applies
    assert ls.learning_order([0.2], [0.3], 2, init=0.01, t_end=0.1).lr == 0.01


def test_taylor_window_factor_signs_past_the_limit():
    """Past x_N the factor is < -1 for odd N and > +1 for even N."""
    for N in range(1, 7):
        x_N = ls.taylor_stability_limit(N)
        assert abs(ls.taylor_window_factor(x_N, N)) == pytest.approx(1.0, abs=1e-10)
        past = ls.taylor_window_factor(np.linspace(1.01, 3.0, 50) * x_N, N)
        assert np.all(past < -1) if N % 2 else np.all(past > 1)
        ref = sum((-1.3) ** n / factorial(n) for n in range(N + 1))
        assert float(ls.taylor_window_factor(1.3, N)) == pytest.approx(ref, rel=1e-14)
    with pytest.raises(ValueError, match="order"):
        ls.taylor_window_factor(1.0, 0)
