"""Tests of the T-output network (paper App. M, chapter 8)."""

import numpy as np
import pytest
import sympy as sp

from lrnn_utils import TrainingDivergedError, kernels, network, t_output, tasks, theory


def _random_net(rng, Nx=2, Nh=3, Ny=2, scale=0.5):
    return (
        scale * rng.standard_normal((Nh, Nx)),
        scale * rng.standard_normal((Nh, Nh)),
        scale * rng.standard_normal((Ny, Nh)),
    )


def test_forward_is_the_last_output_of_each_cut_trajectory():
    rng = np.random.default_rng(0)
    W = _random_net(rng)
    X = rng.standard_normal((4, 5, 2))
    Yhat = t_output.forward(*W, X)
    for t in range(1, 6):
        assert np.allclose(Yhat[:, t - 1], network.forward(*W, X[:, :t]))


def test_loss_sums_over_output_times_and_averages_over_samples():
    rng = np.random.default_rng(1)
    W = _random_net(rng)
    X, Y = rng.standard_normal((4, 3, 2)), rng.standard_normal((4, 3, 2))
    per_time = [network.loss(*W, X[:, :t], Y[:, t - 1]) for t in (1, 2, 3)]
    assert np.isclose(t_output.loss(*W, X, Y), sum(per_time))


def test_gradients_against_finite_differences():
    rng = np.random.default_rng(2)
    W = _random_net(rng)
    X, Y = rng.standard_normal((3, 4, 2)), rng.standard_normal((3, 4, 2))
    grads = t_output.gradients(*W, X, Y)
    for k in range(3):
        fd = np.zeros_like(W[k])
        for idx in np.ndindex(W[k].shape):
            E = np.zeros_like(W[k])
            E[idx] = 1e-6
            up = [w + E if j == k else w for j, w in enumerate(W)]
            dn = [w - E if j == k else w for j, w in enumerate(W)]
            fd[idx] = (t_output.loss(*up, X, Y) - t_output.loss(*dn, X, Y)) / 2e-6
        assert np.allclose(grads[k], fd, atol=1e-7)


def test_moments_reproduce_loss_and_gradients_on_unwhitened_data():
    from lrnn_utils import engine

    rng = np.random.default_rng(3)
    W = _random_net(rng)
    X, Y = rng.standard_normal((6, 4, 2)), rng.standard_normal((6, 4, 2))
    loss, *g = engine.loss_and_gradients(*W, t_output.moments(X, Y))
    assert np.isclose(loss, t_output.loss(*W, X, Y), rtol=1e-12)
    for a, b in zip(g, t_output.gradients(*W, X, Y)):
        assert np.allclose(a, b, rtol=1e-10, atol=1e-13)


def test_whitened_moments_have_lag_weights():
    rng = np.random.default_rng(4)
    task = t_output.make_task(t_output.singular_values("constant", 4), 8, rng, n_in=2)
    m = t_output.moments(task.X, task.Y)
    for j in range(4):  # input time j+1 of the single-output layout is lag 3 - j
        assert np.allclose(m.sigma_xx[j, :, j, :], (j + 1) * np.eye(2))
    off = m.sigma_xx.copy()
    for j in range(4):
        off[j, :, j, :] = 0
    assert np.allclose(off, 0)


def test_task_correlations_are_exact_and_causal():
    rng = np.random.default_rng(5)
    s = np.stack(
        [
            t_output.singular_values("inverse_exponential", 3, 1.2, 0.6),
            t_output.singular_values("exponential", 3, 0.5, 1.1),
        ]
    )
    task = t_output.make_task(s, 20, rng, n_in=3, n_out=4)
    C = t_output.correlations(task.X, task.Y)
    for t in range(3):
        for i in range(3):
            want = task.U @ np.diag(s[:, t, i]) @ task.V.T if i <= t else 0
            assert np.allclose(C[t, i], want, atol=1e-13)
    flat = task.X.reshape(20, -1)
    assert np.allclose(flat.T @ flat / 20, np.eye(9))


def test_last_row_is_the_single_output_task():
    for kind in tasks.TASK_KINDS:
        s = t_output.singular_values(kind, 5, 0.7, 1.3)
        assert np.allclose(s[-1], tasks.task_singular_values(kind, 5, 0.7, 1.3))
        s = t_output.singular_values(kind, 5, 0.7, 1.3, kappa=2.0)
        want = tasks.modified_singular_values(kind, 5, 0.7, 1.3, 2.0)
        assert np.allclose(s[-1], want)
        assert np.allclose(np.diag(s), 2.0)


def test_energy_and_flows_are_the_paper_sums_by_sympy():
    a, b, c = sp.symbols("a b c")
    T = 3
    S = sp.Matrix(T, T, lambda t, i: sp.Symbol(f"s{t}{i}") if i <= t else 0)
    E = sp.Rational(1, 2) * sum(
        (S[t, i] - c * b ** (t - i) * a) ** 2 for t in range(T) for i in range(t + 1)
    )
    vals = {a: 0.3, b: -0.7, c: 1.1}
    s_num = np.tril(np.random.default_rng(6).standard_normal((T, T)))
    vals.update({S[t, i]: s_num[t, i] for t in range(T) for i in range(t + 1)})
    flows = t_output.mode_flows(0.3, -0.7, 1.1, s_num)
    for x, f in zip((a, b, c), flows):
        assert np.isclose(float(-sp.diff(E, x).subs(vals)), f)
    assert np.isclose(float(E.subs(vals)), t_output.energy(0.3, -0.7, 1.1, s_num))


def test_energy_is_lag_weighted_and_flows_are_gradients():
    rng = np.random.default_rng(7)
    s = np.tril(rng.standard_normal((5, 5)))
    a, b, c = 0.4, 0.9, -0.6
    w, S = t_output.lag_profile(s)
    k = np.arange(5)
    u = a * c
    E = (
        0.5 * np.sum(s**2)
        - u * np.sum(S * b**k)
        + 0.5 * u**2 * np.sum(w * b ** (2 * k))
    )
    assert np.isclose(t_output.energy(a, b, c, s), E)
    h = 1e-6
    fd = [
        (t_output.energy(a + h, b, c, s) - t_output.energy(a - h, b, c, s)) / (2 * h),
        (t_output.energy(a, b + h, c, s) - t_output.energy(a, b - h, c, s)) / (2 * h),
        (t_output.energy(a, b, c + h, s) - t_output.energy(a, b, c - h, s)) / (2 * h),
    ]
    assert np.allclose(t_output.mode_flows(a, b, c, s), -np.array(fd), atol=1e-8)


def test_regularization_term_closed_form_eq159():
    for T in (1, 2, 5):
        for b in (0.0, 0.5, -0.9, 1.3):
            want = 0.5 * (T * (1 - b**2) - b**2 * (1 - b ** (2 * T))) / (1 - b**2) ** 2
            assert np.isclose(t_output.regularization_term(1.0, b, 1.0, T), want)
        assert np.isclose(t_output.regularization_term(2.0, 1.0, 1.0, T), T * (T + 1))


def test_zero_loss_only_for_inverse_exponential():
    s = t_output.singular_values("inverse_exponential", 6, 0.8, 0.6)
    assert t_output.energy(0.8, 0.6, 1.0, s) < 1e-28
    b = np.linspace(-2, 2, 4001)
    for kind in ("constant", "exponential"):
        s = t_output.singular_values(kind, 6, 0.8, 0.6 if kind == "exponential" else 1)
        e = t_output.effective_energy(b, s)
        if kind == "constant":  # constant is inverse-exponential with λ = 1
            assert e.min() < 1e-12
        else:
            assert e.min() > 1e-3


def test_mode_simulation_matches_full_matrices():
    rng = np.random.default_rng(8)
    T = 4
    s = np.stack(
        [
            t_output.singular_values("inverse_exponential", T, 1.0, 0.7),
            t_output.singular_values("constant", T, 0.5),
        ]
    )
    task = t_output.make_task(s, T * 3, rng, n_in=3, n_out=2)
    Wx, Wh, Wy, R = network.aligned_init(task.single_output(), 0.2, 0.3, 0.2, rng)
    h = t_output.train(Wx, Wh, Wy, task.X, task.Y, 0.02, 600, record_every=50)
    run = t_output.simulate_modes(0.2, 0.3, 0.2, task.s, 0.02, 600, 50)
    a, b, c = network.modes(h.Wx, h.Wh, h.Wy, task.single_output(), R)
    for x, y in ((a, run.a), (b, run.b), (c, run.c)):
        assert np.abs(x - y).max() < 1e-12
    assert np.allclose(h.loss, run.energy.sum(-1), atol=1e-12)
    # and a single-output run on the same modes is different
    single = theory.simulate_modes(0.2, 0.3, 0.2, task.s[:, -1], 0.02, 600, 50)
    assert np.abs(single.b - run.b).max() > 1e-2


def test_simulation_and_training_raise_on_divergence():
    s = t_output.singular_values("inverse_exponential", 3, lam=0.5)
    with pytest.raises(TrainingDivergedError, match="step"):
        t_output.simulate_modes(1.0, 1.0, 1.0, s, lr=5.0, steps=100)
    X, Y = np.ones((1, 3, 1)), np.ones((1, 3, 1))
    with pytest.raises(TrainingDivergedError, match="step"):
        t_output.train([[1.0]], [[1.0]], [[1.0]], X, Y, lr=50.0, steps=50)


def test_ntk_kronecker_equals_jjt_and_has_cross_time_blocks():
    rng = np.random.default_rng(9)
    W = _random_net(rng, Nx=2, Nh=3, Ny=2)
    X = rng.standard_normal((3, 4, 2))
    K = t_output.ntk(*W, X)
    assert np.allclose(t_output.ntk_kronecker(*W, X), K, atol=1e-12)
    n = 3 * 2
    for t in range(4):  # diagonal blocks: the single-output kernel of the cut
        blk = K[t * n : (t + 1) * n, t * n : (t + 1) * n]
        assert np.allclose(blk, kernels.ntk(*W, X[:, : t + 1]))
    assert np.linalg.norm(K[:n, n : 2 * n]) > 0.1 * np.linalg.norm(K[:n, :n])


@pytest.mark.parametrize(
    "call, exc, word",
    [
        (lambda: t_output.singular_values("linear", 3), ValueError, "kind"),
        (lambda: t_output.singular_values("constant", 0), ValueError, "T"),
        (lambda: t_output.energy(1, 1, 1, np.ones((3, 3))), ValueError, "s"),
        (lambda: t_output.energy(1, 1, 1, np.ones((3, 2))), ValueError, "s"),
        (lambda: t_output.energy("x", 1, 1, np.eye(2)), TypeError, "a"),
        (lambda: t_output.make_task(np.eye(2), 1, np.random.default_rng(0)), ValueError,
         "P"),
        (lambda: t_output.make_task(np.eye(2), 4, 0), TypeError, "rng"),
        (lambda: t_output.loss([[1.0]], [[1.0]], [[1.0]], np.ones((2, 3, 1)),
                               np.ones((2, 1))), ValueError, "Y"),
        (lambda: t_output.simulate_modes(1, 1, 1, np.eye(2), -1.0, 3), ValueError,
         "lr"),
        (lambda: t_output.regularization_term(1, 1, 1, 0), ValueError, "T"),
    ],
)  # fmt: skip
def test_bad_inputs_name_the_argument(call, exc, word):
    with pytest.raises(exc, match=word):
        call()


def test_scalar_path_equals_the_vectorised_one():
    s = t_output.singular_values("exponential", 7, 0.9, 0.8)
    one = t_output.simulate_modes(0.1, 0.2, 0.1, s, 0.01, 3000, 10)
    vec = t_output.simulate_modes(np.array([0.1]), 0.2, 0.1, s, 0.01, 3000, 10)
    for x in ("a", "b", "c", "energy"):
        assert np.abs(getattr(one, x) - getattr(vec, x)[:, 0]).max() < 1e-13
    with pytest.raises(TrainingDivergedError, match="step"):
        t_output.simulate_modes(3.0, 3.0, 3.0, s, 1.0, 100)
