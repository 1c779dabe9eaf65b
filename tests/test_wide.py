"""Tests of the engine's path for wide networks (``engine._WideEngine`` and co.).

The wide path trains exactly whitened networks one by one without forming powers of
``W_h``, in worker threads with numpy's BLAS on one thread.  It must give the updates
of the reference trainers (backpropagation through time, and the batched moment
engine) up to rounding, whatever the number of workers, and follow the engine's
divergence policy.  The size threshold is lowered so that small cases take it.
"""

import numpy as np
import pytest

from lrnn_utils import TrainingDivergedError, _blas, engine, feature_learning, tasks
from lrnn_utils.moments import moments


@pytest.fixture
def wide(monkeypatch):
    """Every whitened network takes the wide path."""
    monkeypatch.setattr(engine, "WIDE_HIDDEN", 1)


def batched(fn):
    """Run ``fn`` with the wide path switched off (the batched engine)."""
    saved = engine.WIDE_HIDDEN
    engine.WIDE_HIDDEN = 10**9
    try:
        return fn()
    finally:
        engine.WIDE_HIDDEN = saved


def problem(seed, T, Nx, Nh, Ny, B=None, scale=0.5):
    rng = np.random.default_rng(seed)
    P = T * Nx + 3
    X = tasks.whiten(rng.standard_normal((P, T * Nx))).reshape(P, T, Nx)
    Y = rng.standard_normal((P, Ny))  # not a linear map of X: a loss offset
    lead = () if B is None else (B,)
    W = (
        rng.standard_normal(lead + (Nh, Nx)) * scale,
        rng.standard_normal(lead + (Nh, Nh)) * scale / np.sqrt(Nh),
        rng.standard_normal(lead + (Ny, Nh)) * scale,
    )
    return W, X, Y


def histories(h):
    return h.Wx, h.Wh, h.Wy, h.loss


@pytest.mark.parametrize(
    "T, Nx, Nh, Ny", [(1, 2, 3, 3), (2, 3, 5, 2), (4, 1, 6, 3), (6, 3, 4, 2)]
)
def test_wide_path_equals_backpropagation(wide, T, Nx, Nh, Ny):
    W, X, Y = problem(T, T, Nx, Nh, Ny)
    ref = engine.train(*W, X, Y, lr=0.05, steps=60, record_every=1, method="bptt")
    got = engine.train(*W, X, Y, lr=0.05, steps=60, record_every=1)
    np.testing.assert_array_equal(got.steps, ref.steps)
    for g, r in zip(histories(got), histories(ref)):  # whole trajectories
        np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-12)
    assert got.diverged_step == -1 and got.loss[-1] < got.loss[0]


def test_wide_path_equals_the_batched_engine(wide):
    W, X, Y = problem(3, 5, 3, 12, 2, B=4)
    mom = moments(X, Y)
    lr = np.array([0.01, 0.02, 0.03, 0.04])
    got = engine.train_batch(*W, mom, lr, 150, record_every=30)
    ref = batched(lambda: engine.train_batch(*W, mom, lr, 150, record_every=30))
    for g, r in zip(histories(got), histories(ref)):
        np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-12)


def test_batch_equals_one_network_at_a_time(wide):
    W, X, Y = problem(4, 3, 2, 9, 2, B=3)
    mom = moments(X, Y)
    lr = np.array([0.02, 0.05, 0.03])
    out = engine.train_batch(*W, mom, lr, 80, record_every=20)
    for b in range(3):
        one = engine.train_on_moments(W[0][b], W[1][b], W[2][b], mom, lr[b], 80, 20)
        for g, r in zip(histories(out), histories(one)):
            np.testing.assert_array_equal(g[:, b], r)  # the same arithmetic


def test_result_does_not_depend_on_the_number_of_workers(wide, monkeypatch):
    W, X, Y = problem(5, 4, 2, 10, 2, B=5)
    mom = moments(X, Y)
    two = engine.train_batch(*W, mom, 0.03, 50)
    monkeypatch.setattr(engine, "n_workers", lambda n: 1)
    one = engine.train_batch(*W, mom, 0.03, 50)
    for g, r in zip(histories(two), histories(one)):
        np.testing.assert_array_equal(g, r)


def test_wide_path_is_chosen_automatically(monkeypatch):
    calls = []
    real = engine._run_wide

    def spy(*args):
        calls.append(args[0].shape)
        return real(*args)

    monkeypatch.setattr(engine, "_run_wide", spy)
    Nh = engine.WIDE_HIDDEN
    W, X, Y = problem(6, 2, 2, Nh, 2, B=2, scale=0.1)
    engine.train_batch(*W, moments(X, Y), 0.01, 3)
    assert calls == [(2, Nh, 2)]
    small = problem(6, 2, 2, Nh - 1, 2, B=2, scale=0.1)
    engine.train_batch(*small[0], moments(small[1], small[2]), 0.01, 3)
    rng = np.random.default_rng(0)
    Xn = rng.standard_normal(X.shape)  # not whitened: the batched engine
    engine.train_batch(*W, moments(Xn, Y), 0.01, 3)
    assert len(calls) == 1


def divergent(B):
    W, X, Y = problem(7, 3, 2, 6, 2, B=B, scale=1.0)
    return W, moments(X, Y)


def test_divergence_raises_with_the_step_like_the_engine(wide):
    W, mom = divergent(3)
    lr = np.array([0.01, 3.0, 4.0])  # 1 and 2 diverge, 2 first
    with pytest.raises(TrainingDivergedError, match=r"at step \d+") as got:
        engine.train_batch(*W, mom, lr, 200)
    with pytest.raises(TrainingDivergedError) as ref:
        batched(lambda: engine.train_batch(*W, mom, lr, 200))
    for attr in ("step", "index", "quantity"):
        assert getattr(got.value, attr) == getattr(ref.value, attr)
    assert got.value.step >= 1 and got.value.index in (1, 2)
    one = (W[0][1], W[1][1], W[2][1])
    with pytest.raises(TrainingDivergedError) as single:
        engine.train_on_moments(*one, mom, 3.0, 200)
    with pytest.raises(TrainingDivergedError) as ref1:
        batched(lambda: engine.train_on_moments(*one, mom, 3.0, 200))
    assert single.value.step == ref1.value.step >= 1 and single.value.index is None


def test_divergence_raise_picks_the_earliest_step_then_lowest_index(wide):
    W, mom = divergent(1)
    Ws = [np.concatenate([w, w, w]) for w in W]
    lr = np.array([0.01, 3.0, 3.0])  # 1 and 2 diverge at the same step
    with pytest.raises(TrainingDivergedError) as info:
        engine.train_batch(*Ws, mom, lr, 200)
    assert info.value.index == 1


def test_divergence_mask_like_the_engine(wide):
    W, mom = divergent(3)
    lr = np.array([0.001, 3.0, 0.002])
    got = engine.train_batch(*W, mom, lr, 60, record_every=5, on_divergence="mask")
    ref = batched(
        lambda: engine.train_batch(
            *W, mom, lr, 60, record_every=5, on_divergence="mask"
        )
    )
    np.testing.assert_array_equal(got.diverged_step, ref.diverged_step)
    assert got.diverged_step[1] >= 1 and got.diverged_step[[0, 2]].tolist() == [-1, -1]
    for g, r in zip(histories(got), histories(ref)):
        np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-12)  # NaN where masked
    assert np.all(np.isnan(got.loss[got.steps >= got.diverged_step[1], 1]))


def test_huge_weights_with_a_small_loss_diverge(wide):
    X, Y = np.ones((1, 1, 1)), np.zeros((1, 2))
    Wx, Wh = np.array([[1.0], [0.0]]), np.zeros((2, 2))
    Wy = np.array([[0.0, 2e150], [0.0, 0.0]])
    with pytest.raises(TrainingDivergedError) as info:
        engine.train(Wx, Wh, Wy, X, Y, lr=0.1, steps=20)
    assert info.value.quantity == "weights" and info.value.step == 0


def test_run_grid_wide_agrees_with_the_batched_engine():
    """A few cells of the Fig. A5 grid: 300 hidden units, the real threshold."""
    args = dict(init="unaligned", n_hidden=300, steps=40, record_every=20)
    got = feature_learning.run_grid(
        [1, 3], [0.1, 0.4], rng=np.random.default_rng(2), **args
    )
    ref = batched(
        lambda: feature_learning.run_grid(
            [1, 3], [0.1, 0.4], rng=np.random.default_rng(2), **args
        )
    )
    for name in ("distance", "loss", "weight_change", "distance_history"):
        np.testing.assert_allclose(
            getattr(got, name), getattr(ref, name), rtol=1e-9, atol=1e-12
        )
    assert got.distance[1] > 0.05  # the T = 3 kernel has moved


def test_single_threaded_restores_the_thread_count():
    controls = _blas.thread_controls()
    if not controls:
        pytest.skip("numpy's BLAS is not an OpenBLAS this module can control")
    setter, getter = controls
    before = getter()
    with _blas.single_threaded() as ok:
        assert ok and getter() == 1
        with _blas.single_threaded():
            assert getter() == 1
        assert getter() == 1
    assert getter() == before
