"""Tests of lrnn_utils.stimuli (neurogym stimuli, targets, mode read-out)."""

import numpy as np
import pytest

from lrnn_utils import engine, network, stimuli, tasks, theory


def train_bptt(*args, **kwargs):
    """The reference trainer: engine.train with method="bptt"."""
    return engine.train(*args, method="bptt", **kwargs)


@pytest.mark.parametrize("target", stimuli.TARGETS)
def test_shapes_and_targets_match_definitions(target):
    X, Y = stimuli.trials(7, 5, np.random.default_rng(0), target=target)
    assert X.shape == (7, 5, 4) and Y.shape == (7, 4)
    t = np.arange(1, 6)
    expected = {
        "mean": X.mean(axis=1),
        "sum": X.sum(axis=1),
        "late": 0.1 * np.einsum("t,pti->pi", t, X),
        "early": np.einsum("t,pti->pi", 1.0 / t, X),
    }[target]
    np.testing.assert_allclose(Y, expected, rtol=1e-12, atol=1e-14)


def test_seeding_reproducible_and_different_seeds_differ():
    X1, _ = stimuli.trials(4, 3, np.random.default_rng(3))
    X2, _ = stimuli.trials(4, 3, np.random.default_rng(3))
    X3, _ = stimuli.trials(4, 3, np.random.default_rng(4))
    np.testing.assert_array_equal(X1, X2)
    assert not np.allclose(X1, X3)


def test_stimulus_statistics_are_neurogyms():
    X, _ = stimuli.trials(400, 4, np.random.default_rng(1))
    assert abs(X.mean() - 0.5) < 0.02  # stimulus centred on 0.5
    # within-trial noise: std sigma / sqrt(dt) = 1 / 10 per step
    assert abs(np.std(np.diff(X, axis=1)) / np.sqrt(2) - 0.1) < 0.01
    Xs, _ = stimuli.trials(400, 4, np.random.default_rng(1), sigma=5.0)
    assert abs(np.std(np.diff(Xs, axis=1)) / np.sqrt(2) - 0.5) < 0.03


def test_no_warnings(recwarn):
    stimuli.trials(2, 2, np.random.default_rng(0))
    assert len(recwarn) == 0


def test_short_training_on_sum_moves_b_towards_one():
    X, Y = stimuli.trials(48, 6, np.random.default_rng(1), "sum", sigma=5.0)
    Wx, Wh, Wy = network.unaligned_init(4, 4, 4, 0.1, np.random.default_rng(2))
    h = train_bptt(Wx, Wh, Wy, X, Y, lr=0.005, steps=600, record_every=600)
    b0 = np.linalg.svd(h.Wh[0], compute_uv=False)
    b1 = np.linalg.svd(h.Wh[-1], compute_uv=False)
    assert np.abs(1 - b1).mean() < 0.8 * np.abs(1 - b0).mean()
    assert h.loss[-1] < 0.2 * h.loss[0]


@pytest.mark.parametrize(
    "kwargs, exc",
    [
        ({"target": "median"}, ValueError),
        ({"target": 3}, TypeError),
        ({"T": 0}, ValueError),
        ({"T": 2.5}, TypeError),
        ({"n_trials": 0}, ValueError),
        ({"n_trials": "5"}, TypeError),
        ({"rng": 0}, TypeError),
        ({"sigma": -1.0}, ValueError),
    ],
)
def test_bad_arguments(kwargs, exc):
    args = {"n_trials": 3, "T": 4, "rng": np.random.default_rng(0)} | kwargs
    with pytest.raises(exc):
        stimuli.trials(**args)


def test_target_weights_errors():
    with pytest.raises(ValueError, match="target"):
        stimuli.target_weights("median", 3)
    with pytest.raises(ValueError, match="T"):
        stimuli.target_weights("sum", 0)
    with pytest.raises(TypeError):
        stimuli.target_weights("sum", 3.0)


def test_read_modes_recovers_aligned_modes():
    rng = np.random.default_rng(5)
    task = tasks.make_task(np.ones((3, 4)), 48, rng)
    a0, b0, c0 = [0.3, 0.5, 0.7, 0.9], [0.1, -0.2, 0.4, 0.8], [1.0, -0.5, 0.2, 0.6]
    Wx, Wh, Wy, R = network.aligned_init(task, a0, b0, c0, rng, n_hidden=6)
    a, b, c = network.read_modes(Wx, Wh, Wy, task.U, task.V)
    np.testing.assert_allclose(a, a0, atol=1e-12)
    np.testing.assert_allclose(b, b0, atol=1e-12)
    np.testing.assert_allclose(c, c0, atol=1e-12)
    # stacks of weights
    a2, b2, c2 = network.read_modes(
        np.stack([Wx, Wx]), np.stack([Wh, Wh]), np.stack([Wy, Wy]), task.U, task.V
    )
    assert a2.shape == (2, 4)
    np.testing.assert_allclose(b2[1], b0, atol=1e-12)


def test_read_modes_negative_a_moves_sign_to_c():
    rng = np.random.default_rng(5)
    task = tasks.make_task(np.ones((3, 4)), 48, rng)
    a0, b0, c0 = [0.3, -0.5, 0.7, -0.9], [0.1, -0.2, 0.4, 0.8], [1.0, -0.5, 0.2, 0.6]
    Wx, Wh, Wy, R = network.aligned_init(task, a0, b0, c0, rng, n_hidden=6)
    a, b, c = network.read_modes(Wx, Wh, Wy, task.U, task.V)
    np.testing.assert_allclose(a, np.abs(a0), atol=1e-12)
    np.testing.assert_allclose(b, b0, atol=1e-12)
    np.testing.assert_allclose(c, np.sign(a0) * c0, atol=1e-12)
    np.testing.assert_allclose(a * c, np.multiply(a0, c0), atol=1e-12)


def test_read_modes_rejects_bad_shapes():
    with pytest.raises(ValueError):
        network.read_modes(np.eye(3), np.eye(3), np.eye(3), np.eye(2), np.eye(2))


def test_best_mode_geometric_weights_and_whitened_limit():
    T = 5
    w = 0.7 * 0.8 ** np.arange(T - 1, -1, -1)  # s_i = u b^(T-i) exactly
    b, u, E = theory.best_mode(w, np.eye(T))
    assert abs(b - 0.8) < 1e-6 and abs(u - 0.7) < 1e-6 and E < 1e-12
    # batched over directions, any positive-definite C gives the same exact fit
    rng = np.random.default_rng(0)
    G = rng.normal(size=(3, T, T))
    C = G @ np.swapaxes(G, 1, 2) + np.eye(T)
    b, u, E = theory.best_mode(w, C)
    np.testing.assert_allclose(b, 0.8, atol=1e-6)
    np.testing.assert_allclose(u, 0.7, atol=1e-5)


def test_best_mode_early_importance_needs_b_above_one():
    b, _, _ = theory.best_mode(stimuli.target_weights("early", 6), np.eye(6))
    bl, _, _ = theory.best_mode(stimuli.target_weights("late", 6), np.eye(6))
    assert b > 1 > bl > 0


def test_hidden_speed_zero_for_constant_weights():
    X, _ = stimuli.trials(5, 3, np.random.default_rng(0))
    Wx, Wh, Wy = network.unaligned_init(4, 4, 4, 0.1, np.random.default_rng(1))
    hist = engine.TrainingHistory(
        steps=np.array([0, 1, 3]),
        Wx=np.stack([Wx] * 3),
        Wh=np.stack([Wh] * 3),
        Wy=np.stack([Wy] * 3),
        loss=np.zeros(3),
    )
    np.testing.assert_array_equal(engine.hidden_speed(hist, X, 0.1), [0.0, 0.0])


def test_network_sharpness_scalar_case():
    one = np.ones((1, 1))
    # L = (c a x - y)^2 / 2 with x = 1, y = 0 at a = c = 1: Hessian [[1, 2], [2, 1]]
    lam = network.network_sharpness(one, one, one, np.ones((1, 1, 1)), np.zeros((1, 1)))
    assert abs(lam - 3.0) < 1e-6


def test_network_sharpness_rejects_bad_eps():
    one = np.ones((1, 1))
    with pytest.raises(ValueError):
        network.network_sharpness(
            one, one, one, np.ones((1, 1, 1)), np.zeros((1, 1)), 0
        )
