"""Tests of lrnn_utils.engine: the moment trainer and the batched trainer.

Reference for everything is lrnn_utils.network (backpropagation through time on the
samples); the fast trainers must agree with it up to rounding.
"""

import numpy as np
import pytest

from lrnn_utils import TrainingDivergedError, engine, moments, network, tasks, theory
from lrnn_utils._validation import ArgumentTypeError


def train_bptt(*args, **kwargs):
    """The reference trainer: engine.train with method="bptt"."""
    return engine.train(*args, method="bptt", **kwargs)


def random_problem(seed, whitened):
    rng = np.random.default_rng(seed)
    Nx, Nh, Ny, T = (int(v) for v in rng.integers(1, 5, size=4))
    P = T * Nx + int(rng.integers(0, 6))
    X = rng.standard_normal((P, T, Nx))
    if whitened:
        X = tasks.whiten(X.reshape(P, -1)).reshape(P, T, Nx)
    Y = rng.standard_normal((P, Ny))
    W = (
        rng.standard_normal((Nh, Nx)) * 0.5,
        rng.standard_normal((Nh, Nh)) * 0.5 / np.sqrt(Nh),
        rng.standard_normal((Ny, Nh)) * 0.5,
    )
    return W, X, Y


@pytest.mark.parametrize("method", ["hankel", "recursion"])
@pytest.mark.parametrize("whitened", [True, False])
@pytest.mark.parametrize("seed", range(6))
def test_loss_and_gradients_equal_backpropagation(seed, whitened, method):
    W, X, Y = random_problem(seed, whitened)
    mom = moments.moments(X, Y)
    assert mom.whitened == whitened
    loss, *grads = engine.loss_and_gradients(*W, mom, method=method)
    assert loss.shape == ()
    assert float(loss) == pytest.approx(network.loss(*W, X, Y), rel=1e-11, abs=1e-13)
    for g, ref in zip(grads, network.gradients(*W, X, Y)):
        np.testing.assert_allclose(g, ref, rtol=1e-10, atol=1e-12)


def test_single_time_step_has_zero_recurrent_gradient():
    W, X, Y = random_problem(3, whitened=False)
    X = X[:, :1]
    for method in ("hankel", "recursion"):
        _, _, dWh, _ = engine.loss_and_gradients(
            *W, moments.moments(X, Y), method=method
        )
        np.testing.assert_array_equal(dWh, 0.0)


@pytest.mark.parametrize("whitened", [True, False])
def test_train_equals_reference_on_random_data(whitened):
    W, X, Y = random_problem(11, whitened)
    ref = train_bptt(*W, X, Y, lr=0.05, steps=40, record_every=7)
    got = engine.train(*W, X, Y, lr=0.05, steps=40, record_every=7)
    np.testing.assert_array_equal(got.steps, ref.steps)
    for name in ("Wx", "Wh", "Wy", "loss"):
        np.testing.assert_allclose(
            getattr(got, name), getattr(ref, name), rtol=1e-10, atol=1e-12
        )
    np.testing.assert_array_equal(got.Wx[0], W[0])


def test_long_aligned_run_equals_reference():
    """2000 steps from aligned weights: the trajectories stay equal to rounding."""
    rng = np.random.default_rng(5)
    T = 8
    S = np.stack(
        [
            tasks.task_singular_values("inverse_exponential", T, d, lam)
            for d, lam in [(1.0, 0.9), (0.6, 0.8), (0.8, 0.95)]
        ],
        axis=1,
    )
    task = tasks.make_task(S, P=T * 3 + 5, rng=rng)
    Wx, Wh, Wy, _ = network.aligned_init(task, 0.3, [0.2, 0.1, 0.3], 0.3, rng)
    ref = train_bptt(Wx, Wh, Wy, task.X, task.Y, lr=0.03, steps=2000, record_every=50)
    got = engine.train(Wx, Wh, Wy, task.X, task.Y, lr=0.03, steps=2000, record_every=50)
    assert ref.loss[-1] < 1e-3 * ref.loss[0]  # training got somewhere
    for name in ("Wx", "Wh", "Wy"):
        np.testing.assert_allclose(getattr(got, name), getattr(ref, name), atol=1e-10)
    np.testing.assert_allclose(got.loss, ref.loss, atol=1e-12)
    assert np.all(got.loss >= 0)


def test_cost_per_step_does_not_need_the_samples():
    """Moments of a large data set and of a compressed one give the same training."""
    rng = np.random.default_rng(2)
    W, X, Y = random_problem(4, whitened=False)
    X = np.concatenate([X, rng.standard_normal((500,) + X.shape[1:])])
    Y = np.concatenate([Y, rng.standard_normal((500, Y.shape[1]))])
    mom = moments.moments(X, Y)
    small = moments.make_moments(mom.sigma_yx, mom.sigma_xx, mom.yy)
    a = engine.train_on_moments(*W, small, lr=0.05, steps=20)
    b = train_bptt(*W, X, Y, lr=0.05, steps=20)
    np.testing.assert_allclose(a.Wh, b.Wh, rtol=1e-10, atol=1e-12)


def batch_problem(shape, seed=0, T=4, N=3):
    rng = np.random.default_rng(seed)
    sig = rng.standard_normal(shape + (T, N, N)) * 0.4
    W = [rng.standard_normal(shape + (N, N)) * 0.4 for _ in range(3)]
    return W, moments.make_moments(sig)


@pytest.mark.parametrize("shape", [(3,), (2, 5), (12,)])
def test_batch_equals_one_network_at_a_time(shape):
    W, mom = batch_problem(shape)
    lr = np.linspace(0.02, 0.06, int(np.prod(shape))).reshape(shape)
    out = engine.train_batch(*W, mom, lr, steps=30, record_every=10)
    assert out.Wh.shape == (4,) + shape + (3, 3)
    assert out.loss.shape == (4,) + shape
    np.testing.assert_array_equal(out.diverged_step, -1)
    for idx in np.ndindex(*shape):
        one = engine.train_on_moments(
            *(w[idx] for w in W),
            moments.make_moments(mom.sigma_yx[idx]),
            lr[idx],
            steps=30,
            record_every=10,
        )
        for name in ("Wx", "Wh", "Wy", "loss"):
            np.testing.assert_allclose(
                getattr(out, name)[(slice(None),) + idx],
                getattr(one, name),
                rtol=1e-12,
                atol=1e-14,
            )


def test_large_batch_uses_the_lag_recursion_and_agrees():
    W, mom = batch_problem((64,), seed=4, T=8, N=3)
    eng = engine._Engine(*W, mom)
    assert eng.method == "recursion"  # the faster one for 64 networks
    out = engine.train_batch(*W, mom, 0.03, steps=15, record_every=5)
    for b in range(0, 64, 9):
        one = engine.train_on_moments(
            *(w[b] for w in W), moments.make_moments(mom.sigma_yx[b]), 0.03, 15, 5
        )
        np.testing.assert_allclose(out.Wh[:, b], one.Wh, rtol=1e-11, atol=1e-13)
        np.testing.assert_allclose(out.loss[:, b], one.loss, rtol=1e-11, atol=1e-13)


def test_method_choice_follows_the_measured_costs():
    """One small network: the block-Hankel step; a sweep or a wider network: the
    lag recursion (the faster of the two when timed, see _hankel_is_faster)."""
    assert engine._hankel_is_faster(1, 10, 4, 4, 4)
    assert engine._hankel_is_faster(1, 100, 1, 8, 1)
    assert not engine._hankel_is_faster(400, 10, 4, 4, 4)
    assert not engine._hankel_is_faster(1, 10, 2, 64, 2)


def test_batch_shares_one_task_and_broadcasts_weights():
    W, mom = batch_problem((), seed=3)
    lr = np.array([0.01, 0.02, 0.04])
    out = engine.train_batch(*W, mom, lr, steps=10)
    np.testing.assert_array_equal(out.steps, [0, 10])
    for b in range(3):
        one = engine.train_on_moments(*W, mom, lr[b], steps=10, record_every=10)
        np.testing.assert_allclose(out.Wy[:, b], one.Wy, rtol=1e-12, atol=1e-14)


def divergent_task():
    rng = np.random.default_rng(0)
    task = tasks.make_task(tasks.task_singular_values("constant", 4, 3.0), P=8, rng=rng)
    Wx, Wh, Wy, _ = network.aligned_init(task, 1.0, 1.0, 1.0, rng)
    return (Wx, Wh, Wy), task


def test_divergence_carries_step_quantity_and_value():
    W, task = divergent_task()
    with pytest.raises(TrainingDivergedError) as ref:
        train_bptt(*W, task.X, task.Y, lr=5.0, steps=200)
    with pytest.raises(TrainingDivergedError, match=r"diverged at step \d+") as got:
        engine.train(*W, task.X, task.Y, lr=5.0, steps=200)
    err = got.value
    assert err.step == ref.value.step
    assert err.quantity == "loss" and err.index is None
    assert not np.isfinite(err.value) or err.value > 1e150


def test_reference_trainers_report_the_offending_quantity():
    W, task = divergent_task()
    with pytest.raises(TrainingDivergedError) as info:
        train_bptt(*W, task.X, task.Y, lr=5.0, steps=200)
    assert info.value.quantity in {"loss", "Wx", "Wh", "Wy"}
    assert info.value.step >= 1 and info.value.value is not None
    with pytest.raises(TrainingDivergedError) as info:
        theory.simulate_modes(1.0, 1.0, 1.0, task.s, lr=5.0, steps=200)
    assert info.value.quantity in {"a", "b", "c"} and info.value.step >= 1
    assert not np.isfinite(info.value.value) or abs(info.value.value) > 1e150


def test_batch_divergence_raise_names_the_network():
    W, task = divergent_task()
    mom = moments.moments(task.X, task.Y)
    with pytest.raises(TrainingDivergedError, match="in network 2") as info:
        engine.train_batch(*W, mom, np.array([0.01, 0.02, 5.0]), steps=200)
    assert info.value.index == 2 and info.value.step >= 1


def test_batch_divergence_mask_freezes_only_the_diverged():
    W, task = divergent_task()
    mom = moments.moments(task.X, task.Y)
    lr = np.array([0.01, 5.0, 0.02])
    out = engine.train_batch(
        *W, mom, lr, steps=60, record_every=20, on_divergence="mask"
    )
    step = out.diverged_step[1]
    assert out.diverged_step[0] == out.diverged_step[2] == -1 and step >= 1
    after = out.steps >= step
    assert np.all(np.isnan(out.loss[after, 1])) and np.all(np.isfinite(out.loss[:, 0]))
    assert np.all(np.isnan(out.Wh[after, 1]))
    for b in (0, 2):
        one = engine.train_on_moments(*W, mom, lr[b], steps=60, record_every=20)
        np.testing.assert_allclose(out.Wh[:, b], one.Wh, rtol=1e-12, atol=1e-14)


def test_moments_whitening_detection():
    W, X, Y = random_problem(1, whitened=True)
    assert moments.moments(X, Y).sigma_xx is None
    assert (
        moments.moments(X, Y, whitened=False).sigma_xx.shape
        == (
            X.shape[1],
            X.shape[2],
        )
        * 2
    )
    with pytest.raises(ValueError, match="not whitened"):
        moments.moments(X * 2.0, Y, whitened=True)


def test_make_moments_default_offset_is_zero():
    sig = np.random.default_rng(0).standard_normal((3, 2, 2))
    mom = moments.make_moments(sig)
    W = [np.eye(2) * 0.1] * 3
    loss, *_ = engine.loss_and_gradients(*W, mom)
    M = np.stack([W[2] @ np.linalg.matrix_power(W[1], 2 - i) @ W[0] for i in range(3)])
    assert float(loss) == pytest.approx(0.5 * np.sum((sig - M) ** 2), rel=1e-12)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda W, m: engine.train_on_moments(*W, "m", 0.1, 3), TypeError, "moments"),
        (lambda W, m: engine.train_on_moments(*W, m, 0.0, 3), ValueError, "lr"),
        (lambda W, m: engine.train_on_moments(*W, m, "a", 3), TypeError, "lr"),
        (lambda W, m: engine.train_on_moments(*W, m, 0.1, -1), ValueError, "steps"),
        (lambda W, m: engine.train_on_moments(*W, m, 0.1, 2.5), TypeError, "steps"),
        (lambda W, m: engine.train_batch(*W, m, -0.1, 3), ValueError, "lr"),
        (
            lambda W, m: engine.train_batch(*W, m, [0.1, 0.2], 3, on_divergence="x"),
            ValueError,
            "on_divergence",
        ),  # fmt: skip
        (
            lambda W, m: engine.train_batch(*W, m, 0.1, 3, on_divergence=1),
            TypeError,
            "on_divergence",
        ),  # fmt: skip
        (lambda W, m: engine.train_batch(*W, m, np.ones(4) * 0.1, 3), ValueError, "lr"),
        (
            lambda W, m: engine.train_batch(W[0], W[1][..., :1, :], W[2], m, 0.1, 3),
            ValueError,
            "Wh",
        ),  # fmt: skip
        (
            lambda W, m: engine.loss_and_gradients(*W, m, method="fft"),
            ValueError,
            "method",
        ),  # fmt: skip
        (lambda W, m: moments.make_moments(np.ones((0, 2, 2))), ValueError, "sigma_yx"),
        (
            lambda W, m: moments.make_moments(
                np.ones((3, 2, 2)), np.ones((3, 2, 3, 3))
            ),
            ValueError,
            "sigma_xx",
        ),  # fmt: skip
        (
            lambda W, m: moments.make_moments(np.ones((3, 2, 2)), yy=-1.0),
            ValueError,
            "yy",
        ),  # fmt: skip
        (
            lambda W, m: moments.make_moments(np.full((3, 2, 2), np.nan)),
            ValueError,
            "sigma_yx",
        ),  # fmt: skip
        (
            lambda W, m: moments.moments(np.ones((4, 2, 2)), np.ones((5, 2))),
            ValueError,
            "Y",
        ),
        (
            lambda W, m: moments.moments(
                np.ones((4, 2, 2)), np.ones((4, 2)), whitened="y"
            ),
            TypeError,
            "whitened",
        ),  # fmt: skip
    ],
)
def test_bad_input(call, exc, match):
    W, mom = batch_problem((2,), seed=1, T=3, N=2)
    W1 = [w[0] for w in W]
    m1 = moments.make_moments(mom.sigma_yx[0])
    batch = any("batch" in name for name in call.__code__.co_names)
    args = (W, mom) if batch else (W1, m1)
    with pytest.raises(exc, match=match):
        call(*args)


def test_argument_type_error_is_also_a_value_error():
    assert issubclass(ArgumentTypeError, TypeError)
    assert issubclass(ArgumentTypeError, ValueError)


def test_engine_catches_huge_weights_with_a_small_loss():
    """Weights past 1e150 diverge even at zero loss (a column of W_y no state
    reaches), in the one-network quick check and in a batch."""
    X, Y = np.ones((1, 1, 1)), np.zeros((1, 2))
    Wx, Wh = np.array([[1.0], [0.0]]), np.zeros((2, 2))
    Wy = np.array([[0.0, 2e150], [0.0, 0.0]])
    with pytest.raises(TrainingDivergedError) as info:
        engine.train(Wx, Wh, Wy, X, Y, lr=0.1, steps=20)
    assert info.value.quantity == "weights" and info.value.step <= 8
    mom = moments.moments(X, Y)
    out = engine.train_batch(
        np.stack([Wx, Wx]),
        Wh,
        np.stack([Wy, Wy / 1e150]),
        mom,
        0.1,
        steps=20,
        on_divergence="mask",
    )
    assert out.diverged_step[0] >= 0 and out.diverged_step[1] == -1
    assert np.isnan(out.loss[-1, 0]) and np.isfinite(out.loss[-1, 1])
