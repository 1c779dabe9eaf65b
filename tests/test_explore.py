"""The playground's prediction battery: every prediction of ``explore.predict`` against
a trained full-matrix network (aligned start, exactly whitened data built from the
profile), on seeded random profiles of every kind the page offers.

Tolerances (stated once, used below):

* trajectories, end modes, half-learning times, losses at other lengths, the effective
  regularization and the kernel distance: the network is trained with the same rate and
  steps as the prediction, so these agree to rounding -- ``ATOL_RUN`` (1e-8, absolute,
  on quantities of order 1) and ``RTOL_RUN`` (1e-7, relative);
* largest stable rate: the network's ``2 / sharpness`` by central differences of exact
  gradients (step 1e-5) -- relative ``RTOL_SHARP`` (1e-4); and dynamically, from a
  perturbed end point, 0.8 x the limit returns and 1.25 x the limit leaves;
* energy minimum: no trained network ends below it (relative slack 1e-9), and a
  converged run on a zero-loss profile ends below 1e-10 (times Σ s²);
* phase and importance are read off the network's effective maps
  ``M_k = W_y W_h^k W_x`` (not off the modes): feedforward means ``|M_1| <= 0.1 |M_0|``
  along the dimension; early importance means the earliest input weighs more than
  the last.
"""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest

from lrnn_utils import (
    TrainingDivergedError,
    engine,
    explore,
    kernels,
    moments,
    network,
    tasks,
    theory,
)

ATOL_RUN = 1e-8
RTOL_RUN = 1e-7
RTOL_SHARP = 1e-4


def _profiles():
    """The battery: (name, s of shape (K, T), steps or None for the default)."""
    rng = np.random.default_rng(20)
    T_l = 40
    lag = np.arange(T_l - 1, -1, -1)
    return [
        ("dirac", tasks.dirac_singular_values(5, rng.uniform(1.1, 1.6))[None], 3000),
        ("dirac-like, two", np.stack([
            tasks.dirac_singular_values(6, 1.3, 1.0) + 0.02 * rng.random(6),
            tasks.dirac_singular_values(6, 0.5, 0.8),
        ]), 3000),
        ("growing", (tasks.task_singular_values(
            "inverse_exponential", 8, 1.0, rng.uniform(0.5, 0.8))
            + 0.05 * rng.random(8))[None], 3000),
        ("decaying (zero loss)", tasks.task_singular_values(
            "inverse_exponential", 6, 0.8, rng.uniform(1.05, 1.2))[None], 4000),
        ("constant (zero loss)", np.ones((1, 10)), 3000),
        ("sign-changing", rng.normal(0.0, 0.6, (2, 5)), 4000),
        ("negative geometric", -tasks.task_singular_values(
            "inverse_exponential", 4, 1.0, 0.6)[None], None),
        ("long", np.stack([0.9**lag + 0.05 * rng.random(T_l),
                           0.3 * np.ones(T_l)]), None),
    ]  # fmt: skip


PROFILES = _profiles()


def _network_run(s, pred, seed):
    """The full-matrix network on data built from s, trained like the prediction."""
    rng = np.random.default_rng(seed)
    K, T = s.shape
    task = tasks.make_task(s.T, P=T * K, rng=rng)
    c0 = np.where(pred.u_min < 0, -pred.scale, pred.scale)
    Wx, Wh, Wy, R = network.aligned_init(task, pred.scale, pred.scale, c0, rng)
    every = int(pred.t.size > 1 and round(pred.t[1] / pred.lr)) or 1
    hist = engine.train_batch(
        Wx, Wh, Wy, moments.moments(task.X, task.Y), pred.lr, pred.steps, every
    )
    return task, R, (Wx, Wh, Wy), hist


@pytest.fixture(scope="module")
def battery():
    out = []
    start = time.perf_counter()
    for k, (name, s, steps) in enumerate(PROFILES):
        pred = explore.predict(s, steps=steps)
        task, R, W0, hist = _network_run(s, pred, seed=k)
        out.append((name, s, pred, task, R, W0, hist))
    return out, time.perf_counter() - start


def _ids():
    return [p[0] for p in PROFILES]


def _aligned(battery, case):
    """The case, skipped where the prediction says a full network leaves it."""
    out = battery[0][case]
    if not out[2].aligned_stable and not np.isnan(out[2].hessian_min):
        pytest.skip("predicted saddle: tested by test_saddles_are_left")
    return out


def test_saddles_are_left(battery):
    """Where the aligned end point is a saddle of the full network, a full network
    leaves the predicted path and ends lower; where it is a minimum, it does not."""
    seen = set()
    for name, s, pred, task, R, W0, hist in battery[0]:
        if np.isnan(pred.hessian_min):
            continue
        a, b, c = network.modes(hist.Wx, hist.Wh, hist.Wy, task, R)
        gap = np.abs(b - pred.b).max()
        seen.add(pred.aligned_stable)
        if pred.aligned_stable:
            assert gap < ATOL_RUN, name
        else:
            assert gap > 1e-3 and hist.loss[-1] < 0.9 * pred.energy[-1].sum(), name
    assert seen == {True, False}


@pytest.mark.parametrize("case", range(len(PROFILES)), ids=_ids())
def test_learning_curves_and_end_point(battery, case):
    name, s, pred, task, R, W0, hist = _aligned(battery, case)
    a, b, c = network.modes(hist.Wx, hist.Wh, hist.Wy, task, R)
    # the prediction's records are the network's (same rate, same record steps)
    assert hist.steps.tolist() == np.round(pred.t / pred.lr).astype(int).tolist()
    np.testing.assert_allclose(a * c, pred.u, atol=ATOL_RUN)
    np.testing.assert_allclose(b, pred.b, atol=ATOL_RUN)
    np.testing.assert_allclose(hist.loss, pred.energy.sum(axis=1), atol=ATOL_RUN)
    np.testing.assert_allclose(b[-1], pred.b_end, atol=ATOL_RUN)
    t_half = theory.learning_time(pred.t, a * c, start=(a * c)[0], target=(a * c)[-1])
    np.testing.assert_allclose(t_half, pred.t_half, rtol=RTOL_RUN)
    order = np.argsort(np.where(np.isnan(t_half), np.inf, t_half), kind="stable")
    assert tuple(order + 1) == pred.order


@pytest.mark.parametrize("case", range(len(PROFILES)), ids=_ids())
def test_zero_loss_and_energy_minimum(battery, case):
    name, s, pred, task, R, W0, hist = _aligned(battery, case)
    final = float(hist.loss[-1])
    # no network gets below the energy minimum
    assert final >= pred.energy_min.sum() * (1 - 1e-9) - 1e-14
    scale = float(np.sum(s**2))
    for k in range(pred.K):
        if pred.zero_loss[k]:
            assert pred.energy_min[k] <= 1e-10 * scale
    if np.all(pred.zero_loss) and np.all(pred.converged):
        assert final <= 1e-10 * scale
        a, b, c = network.modes(hist.Wx[-1], hist.Wh[-1], hist.Wy[-1], task, R)
        np.testing.assert_allclose(b, pred.b_zero, atol=1e-6)
        np.testing.assert_allclose(a * c, pred.u_zero, atol=1e-6)
    if not np.any(pred.zero_loss):
        assert final > 0


@pytest.mark.parametrize("case", range(len(PROFILES)), ids=_ids())
def test_stability_limit(battery, case):
    name, s, pred, task, R, W0, hist = _aligned(battery, case)
    W = (hist.Wx[-1], hist.Wh[-1], hist.Wy[-1])
    if not np.all(pred.converged):
        pytest.skip("the run has not reached a stationary point")
    sharp = network.network_sharpness(*W, task.X, task.Y)
    np.testing.assert_allclose(2 / sharp, pred.network_max_lr, rtol=RTOL_SHARP)


def test_enough_runs_converge(battery):
    converged = [np.all(p[2].converged) for p in battery[0]]
    assert sum(converged) >= len(converged) - 2, converged


def test_stability_limit_dynamically(battery):
    """From a perturbed end point: 0.8 x the limit comes back, 1.25 x leaves."""
    name, s, pred, task, R, W0, hist = battery[0][3]  # decaying, zero loss
    assert np.all(pred.converged)
    rng = np.random.default_rng(5)
    W = [
        w[-1] + 1e-6 * rng.standard_normal(w[-1].shape)
        for w in (hist.Wx, hist.Wh, hist.Wy)
    ]
    lr = pred.network_max_lr * np.array([0.8, 1.25])
    out = engine.train_batch(
        *(np.stack([w, w]) for w in W), moments.moments(task.X, task.Y), lr, 400,
        on_divergence="mask",
    )  # fmt: skip
    dist = [
        np.linalg.norm(out.Wh[-1, j] - hist.Wh[-1]) if out.diverged_step[j] < 0
        else np.inf
        for j in range(2)
    ]  # fmt: skip
    assert dist[0] < 1e-6 and dist[1] > 1e-3


@pytest.mark.parametrize("case", range(len(PROFILES)), ids=_ids())
def test_extrapolation_and_regularization(battery, case):
    name, s, pred, task, R, W0, hist = _aligned(battery, case)
    W = (hist.Wx[-1], hist.Wh[-1], hist.Wy[-1])
    rng = np.random.default_rng(11)
    for j, Tt in enumerate(pred.T_test):
        other = tasks.make_task(
            explore.lag_extension(s, int(Tt)).T, int(Tt) * pred.K, rng,
            U=task.U, V=task.V,
        )  # fmt: skip
        got = network.loss(*W, other.X, other.Y)
        want = pred.extrapolation[j].sum()
        assert got == pytest.approx(want, rel=RTOL_RUN, abs=ATOL_RUN)
    M = network.effective_maps(*W, pred.T)  # M[k] = W_y W_h^k W_x
    reg = 0.5 * np.sum(M**2)
    assert reg == pytest.approx(pred.regularization.sum(), rel=RTOL_RUN)


@pytest.mark.parametrize("case", range(len(PROFILES)), ids=_ids())
def test_phase_and_importance_from_the_maps(battery, case):
    name, s, pred, task, R, W0, hist = _aligned(battery, case)
    W = (hist.Wx[-1], hist.Wh[-1], hist.Wy[-1])
    M = network.effective_maps(*W, pred.T)
    along = np.abs(np.einsum("ok,tor,rk->kt", task.U, M, task.V))  # (K, input time)
    for k in range(pred.K):
        if pred.T > 1:  # the last input has lag 0, the one before lag 1
            ff = along[k, -2] <= explore.PHASE_THRESHOLD * along[k, -1]
            assert ff == (pred.phase[k] == "feedforward")
            if pred.importance[k] != "even":
                early = along[k, 0] > along[k, -1]
                assert early == (pred.importance[k] == "early")


@pytest.mark.parametrize("case", range(len(PROFILES)), ids=_ids())
def test_kernel_distance(battery, case):
    name, s, pred, task, R, W0, hist = _aligned(battery, case)
    W = (hist.Wx[-1], hist.Wh[-1], hist.Wy[-1])
    got = kernels.kernel_distance(kernels.ntk(*W0, task.X), kernels.ntk(*W, task.X))
    assert got == pytest.approx(pred.kernel_distance, abs=ATOL_RUN)


def test_battery_covers_the_kinds_and_is_quick(battery):
    kinds = {p.phase for p in (c[2] for c in battery[0])}
    phases = {ph for k in kinds for ph in k}
    assert phases == {"recurrent", "feedforward"}
    assert any(p[2].zero_loss.all() for p in battery[0])
    assert any(not p[2].zero_loss.any() for p in battery[0])
    assert any("early" in p[2].importance for p in battery[0])
    assert any("late" in p[2].importance for p in battery[0])
    assert battery[1] < 40, f"battery took {battery[1]:.1f} s"


def test_divergence_is_predicted_at_the_same_step():
    s = np.array([[0.5, 1.0, 0.8]])
    pred = explore.predict(s, lr=3.0, steps=200)
    assert pred.diverged_step is not None
    rng = np.random.default_rng(0)
    task = tasks.make_task(s.T, P=3, rng=rng)
    W = network.aligned_init(task, 0.1, 0.1, 0.1, rng)[:3]
    h = engine.train(*W, task.X, task.Y, 3.0, 200, on_divergence="mask")
    assert abs(int(h.diverged_step) - pred.diverged_step) <= 1
    assert "diverged at step" in str(pred) and "nan" not in str(pred)


# ------------------------------------------------------------------ fast paths
def _minimum_profiles():
    """Seeded random profiles of every length the page offers, the book's families."""
    rng = np.random.default_rng(11)
    out = [np.zeros(4), np.ones(1), np.array([0.25, 0.5, 1.0]), np.array([1.0, 0, 0])]
    out += [np.array([1.0, 0, 1, 0, 1]), np.array([0.0, 1, 0, 1])]  # E(u,b) = E(-u,-b)
    for T in (1, 2, 3, 5, 8, 15, 32):
        for _ in range(12):
            out.append(rng.normal(size=T))
            out.append(rng.uniform(0, 1, size=T) * rng.choice([-1, 1]))
    for kind in ("constant", "exponential", "inverse_exponential"):
        for T in (2, 6, 30):
            for lam in (0.5, 0.7, 1.0, 1.5):
                out.append(tasks.task_singular_values(kind, T, 1.0, lam))
    for T in (2, 6, 30):
        for beta in (0.2, 0.6, 1.0, 1.5, 2.0):
            out.append(tasks.dirac_singular_values(T, beta, 1.0))
    return out


def test_energy_minimum_matches_minimise_energy():
    """The playground's grid-and-refine minimum against nine L-BFGS-B searches.

    Never higher than theory.minimise_energy's (relative 1e-9 of Σ s²); where the
    energies agree, the same fitted profile u b^(T-i) (1e-4 of ||s||: flat minima
    with tiny u leave b loosely determined) and the same side of the box; where lower,
    a true point of the energy (recomputed with theory.energy).
    """
    lower = 0
    for s in _minimum_profiles():
        ref = theory.minimise_energy(s)
        u, b, E = (x[0] for x in explore._energy_minima(s[None]))
        scale = float(s @ s) + 1e-300
        assert E <= ref.energy + 1e-9 * scale, s
        assert abs(float(theory.energy(u, b, 1.0, s)) - E) <= 1e-12 * scale
        lags = theory.time_lags(s.size)
        if E >= ref.energy - 1e-9 * scale:
            gap = np.abs(u * b**lags - ref.u * ref.b**lags).max()
            assert gap <= 1e-4 * np.sqrt(scale), (s, u, b, ref)
            assert (abs(b) >= 10 * (1 - 1e-9)) == (abs(ref.b) >= 10 * (1 - 1e-9))
        else:
            lower += 1
    assert lower <= 10  # the local searches rarely stop short


def test_mode_run_matches_simulate_modes():
    """Horner's rule against simulate_modes' scalar path: same records to 1e-9 at
    stable rates, the same divergence step at unstable ones."""
    rng = np.random.default_rng(5)
    for _ in range(40):
        T = int(rng.integers(1, 33))
        s = rng.normal(size=T) * rng.choice([0.3, 1.0])
        a, lr = float(rng.uniform(0.05, 0.5)), 0.2 * float(rng.uniform(0.1, 1.0))
        c = a * rng.choice([-1, 1])
        try:
            ref = theory.simulate_modes(a, a, c, s, lr, 300, 7)
        except TrainingDivergedError as err:
            with pytest.raises(TrainingDivergedError) as ours:
                explore._mode_run(a, a, c, s, lr, 300, 7)
            assert ours.value.step == err.step
            continue
        end = ref.end()
        if lr > 0.9 * float(theory.max_stable_lr(end.a, end.b, end.c, s)):
            continue  # near the stability limit rounding grows: not comparable
        run = explore._mode_run(a, a, c, s, lr, 300, 7)
        assert run.steps.tolist() == ref.steps.tolist()
        for x in ("a", "b", "c", "energy"):
            np.testing.assert_allclose(getattr(run, x), getattr(ref, x), atol=1e-9)
    with pytest.raises(TrainingDivergedError) as err:
        explore._mode_run(0.1, 0.1, 0.1, np.array([0.5, 1.0, 0.8]), 3.0, 200, 1)
    with pytest.raises(TrainingDivergedError) as ref:
        theory.simulate_modes(0.1, 0.1, 0.1, np.array([0.5, 1.0, 0.8]), 3.0, 200)
    assert err.value.step == ref.value.step


# ------------------------------------------------------------------ measuring data
def test_measure_recovers_an_aligned_task():
    rng = np.random.default_rng(3)
    S = np.array([[1.0, -0.2], [0.5, 0.4], [0.25, 0.3]])  # (T, K)
    task = tasks.make_task(S, P=12, rng=rng, n_in=3, n_out=2)
    m = explore.measure(task.X, task.Y)
    assert m.shared_gap < 1e-12 and m.whitening_gap < 1e-12
    assert m.input_condition == pytest.approx(1.0)
    assert m.s.shape == (2, 3)
    # up to order and the sign convention of each dimension
    want = sorted(S.T.tolist(), key=lambda r: -np.linalg.norm(r))
    for got, w in zip(m.s, want):
        assert np.allclose(got, w, atol=1e-12) or np.allclose(got, -np.array(w))
    np.testing.assert_allclose(
        np.sort(np.abs(m.s), axis=0)[::-1].T, m.per_step, atol=1e-12
    )


def test_measure_sees_broken_assumptions():
    rng = np.random.default_rng(4)
    P, T, N = 400, 3, 2
    X = rng.normal(size=(P, T, N)) + 0.5  # not whitened
    Q = [np.linalg.qr(rng.normal(size=(N, N)))[0] for _ in range(T)]
    Y = sum(X[:, t] @ Q[t].T for t in range(T))  # different singular vectors per step
    m = explore.measure(X, Y)
    assert m.whitening_gap > 0.5 and m.input_condition > 2
    assert m.shared_gap > 0.1
    Xw = tasks.whiten(X.reshape(P, -1)).reshape(P, T, N)
    m2 = explore.measure(Xw, sum(Xw[:, t] for t in range(T)))
    assert m2.whitening_gap < 1e-10 and m2.shared_gap < 1e-10


def test_neurogym_task_route():
    X, Y = explore.neurogym_task("GoNogo-v0", 60, np.random.default_rng(0))
    m = explore.measure(X, Y)
    assert m.s.shape[1] == X.shape[1] == 15
    assert m.whitening_gap > 0.1  # neurogym inputs are not whitened
    pred = explore.predict(m.s, steps=300)
    assert pred.K == m.s.shape[0]
    with pytest.raises(ValueError, match="timing"):
        explore.neurogym_task("ReadySetGo-v0", 20, np.random.default_rng(0))
    with pytest.raises(ValueError, match="name"):
        explore.neurogym_task("NoSuchTask-v0", 2, np.random.default_rng(0))


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "bad, exc",
    [
        ([1.0, float("nan")], ValueError),
        ([], ValueError),
        (np.ones((1, 0)), ValueError),
        (np.ones((2, 2, 2)), ValueError),
        ("0.2 0.5", TypeError),
        ([1.0, float("inf")], ValueError),
    ],
)
def test_bad_profiles_name_the_argument(bad, exc):
    with pytest.raises(exc, match=r"\bs\b"):
        explore.predict(bad)


def test_parse_profile_messages():
    np.testing.assert_array_equal(explore.parse_profile("1, 2 / 3 4"), [[1, 2], [3, 4]])
    for text, word in [("", "empty"), ("1 x", "'x'"), ("1 2 / 3", "same number"),
                       ("1 nan", "finite")]:  # fmt: skip
        with pytest.raises(ValueError, match=word):
            explore.parse_profile(text)
    with pytest.raises(TypeError, match="text"):
        explore.parse_profile([1, 2])


def test_extend_must_fit():
    with pytest.raises(ValueError, match="extend"):
        explore.predict([1.0, 0.5], steps=10, extend=lambda T: np.ones((1, T + 1)))
    with pytest.raises(TypeError, match="extend"):
        explore.predict([1.0, 0.5], steps=10, extend=3)


# ------------------------------------------------------------------ command line
def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "lrnn_utils.explore", *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_command_line_profile():
    out = _cli("0.25", "0.5", "1.0", "/", "1", "-0.5", "0.3")
    assert out.returncode == 0, out.stderr
    assert "zero-loss solution" in out.stdout and "dim 2" in out.stdout
    assert "largest stable rate" in out.stdout and "nan" not in out.stdout
    assert "loss at T′ = 6" in out.stdout


def test_command_line_neurogym_and_errors():
    out = _cli("--neurogym", "GoNogo-v0", "--trials", "60", "--steps", "200")
    assert out.returncode == 0, out.stderr
    assert "shared singular vectors" in out.stdout and "T = 15" in out.stdout
    bad = _cli("1", "nan")
    assert bad.returncode == 2 and "finite" in bad.stderr
    none = _cli()
    assert none.returncode == 2 and "values" in none.stderr
