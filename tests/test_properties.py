"""Property-based tests (hypothesis) of the core identities, over random shapes.

Each property is checked on a few dozen random cases (shapes, values, learning
rates); hypothesis shrinks any failure to a minimal example.  Deadlines are off
because the machine running CI may be slow and shared.
"""

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lrnn_utils import engine, moments, network, tasks, theory


def train_bptt(*args, **kwargs):
    """The reference trainer: engine.train with method="bptt"."""
    return engine.train(*args, method="bptt", **kwargs)


SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays reproducible
    database=None,  # no .hypothesis/ folder in the repository
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
dim = st.integers(1, 4)
values = st.floats(-1.5, 1.5, allow_nan=False, allow_infinity=False, width=64)


def arrays(shape):
    return hnp.arrays(np.float64, shape, elements=values)


@st.composite
def networks(draw, with_targets=True, max_T=6):
    """Weights, inputs and targets of a random linear RNN and data set."""
    Nx, Nh, Ny = draw(dim), draw(dim), draw(dim)
    T, P = draw(st.integers(1, max_T)), draw(st.integers(1, 5))
    Wx = draw(arrays((Nh, Nx)))
    Wh = draw(arrays((Nh, Nh))) / Nh  # keeps powers of W_h moderate
    Wy = draw(arrays((Ny, Nh)))
    X = draw(arrays((P, T, Nx)))
    Y = draw(arrays((P, Ny)))
    return Wx, Wh, Wy, X, Y


@SETTINGS
@given(networks())
def test_recurrence_equals_unrolled_sum(net):
    """Paper eq (3): h_{t+1} = Σ_{i<=t} W_h^{t-i} W_x x_i, and ŷ = Σ_i M_i x_i."""
    Wx, Wh, Wy, X, _ = net
    H = network.hidden_states(Wx, Wh, Wy, X)
    T = X.shape[1]
    for t in range(1, T + 1):
        unrolled = sum(
            X[:, i - 1] @ (np.linalg.matrix_power(Wh, t - i) @ Wx).T
            for i in range(1, t + 1)
        )
        scale = 1.0 + np.abs(unrolled).max()
        np.testing.assert_allclose(H[:, t], unrolled, rtol=1e-12, atol=1e-12 * scale)
    M = network.effective_maps(Wx, Wh, Wy, T)
    out = network.forward(Wx, Wh, Wy, X)
    np.testing.assert_allclose(
        out, np.einsum("toi,pti->po", M, X), atol=1e-12 * (1 + np.abs(out).max())
    )


@SETTINGS
@given(networks(), st.integers(0, 2**32 - 1))
def test_gradients_equal_finite_differences(net, seed):
    """Directional derivative of the loss = ⟨analytic gradient, direction⟩."""
    Wx, Wh, Wy, X, Y = net
    W = [Wx, Wh, Wy]
    grads = network.gradients(*W, X, Y)
    rng = np.random.default_rng(seed)
    D = [rng.standard_normal(w.shape) for w in W]
    eps = 1e-5

    def loss_at(s):
        return network.loss(*(w + s * d for w, d in zip(W, D)), X, Y)

    # fourth-order central difference: error O(eps^4) + rounding O(1e-16 L / eps)
    fd = (
        8 * (loss_at(eps) - loss_at(-eps)) - (loss_at(2 * eps) - loss_at(-2 * eps))
    ) / (12 * eps)
    analytic = sum(float(np.sum(g * d)) for g, d in zip(grads, D))
    size = 1.0 + abs(network.loss(*W, X, Y)) + sum(np.abs(g).sum() for g in grads)
    assert abs(fd - analytic) <= 1e-6 * size, (fd, analytic)


@st.composite
def whitened_data(draw):
    """Exactly whitened inputs ``(P, T, Nx)`` with ``P >= T Nx`` and any targets.

    Drawn directly (not filtered from :func:`networks`, whose ``P <= 5`` makes
    ``P >= T Nx`` rare enough that a filter rejected every whitened case).
    """
    T, Nx, Ny = draw(st.integers(1, 4)), draw(dim), draw(dim)
    P = T * Nx + draw(st.integers(0, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    Z = rng.standard_normal((P, T * Nx))
    assume(np.linalg.cond(Z) < 1e6)
    X = tasks.whiten(Z).reshape(P, T, Nx)
    return X, draw(arrays((P, Ny)))


@SETTINGS
@given(networks(max_T=5), st.booleans(), whitened_data())
def test_moment_gradients_equal_backpropagation(net, whiten, data):
    """The loss and gradients through the data's moments equal BPTT on the samples,
    on raw inputs (the Σ^XX branch) and on exactly whitened ones (the branch that
    drops Σ^XX)."""
    Wx, Wh, Wy, X, Y = net
    if whiten:
        X, Y = data
        Nx, Ny = X.shape[2], Y.shape[1]
        Wx = np.resize(Wx, (Wx.shape[0], Nx))
        Wy = np.resize(Wy, (Ny, Wy.shape[1]))
    mom = moments.moments(X, Y)
    assert mom.whitened or not whiten  # the whitened branch really runs
    loss, *grads = engine.loss_and_gradients(Wx, Wh, Wy, mom)
    ref = network.gradients(Wx, Wh, Wy, X, Y)
    size = 1.0 + sum(np.abs(g).max() for g in ref)
    for g, r in zip(grads, ref):
        np.testing.assert_allclose(g, r, atol=1e-11 * size)
    ref_loss = network.loss(Wx, Wh, Wy, X, Y)
    assert abs(float(loss) - ref_loss) <= 1e-11 * (1 + ref_loss + mom.yy)


def assert_same_history(got, ref, rtol=1e-9):
    """Every record of two :class:`~lrnn_utils.engine.TrainingHistory` objects."""
    np.testing.assert_array_equal(got.steps, ref.steps)
    np.testing.assert_array_equal(got.diverged_step, ref.diverged_step)
    for name in ("Wx", "Wh", "Wy", "loss"):
        a, b = getattr(got, name), getattr(ref, name)
        assert a.shape == b.shape, name
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * (1 + np.abs(b).max()))


@SETTINGS
@given(networks(max_T=5), st.floats(0.005, 0.05), st.integers(1, 4))
def test_engine_trajectory_equals_reference_trainer(net, lr, every):
    """engine.train (moments) and engine.train (per-sample BPTT): the whole trajectory,
    every record of every weight and the loss, on random data (raw inputs)."""
    Wx, Wh, Wy, X, Y = net
    ref = train_bptt(Wx, Wh, Wy, X, Y, lr, 24, every, on_divergence="mask")
    assume(ref.diverged_step == -1)
    assert_same_history(engine.train(Wx, Wh, Wy, X, Y, lr, 24, every), ref)


@SETTINGS
@given(st.integers(1, 4), whitened_data(), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_batch_trajectories_equal_per_network_reference(B, data, Nh, seed):
    """engine.train_batch on B networks sharing a task = B runs of engine.train."""
    X, Y = data
    Nx, Ny = X.shape[2], Y.shape[1]
    rng = np.random.default_rng(seed)
    W = [0.4 * rng.standard_normal((B,) + s) for s in ((Nh, Nx), (Nh, Nh), (Ny, Nh))]
    lr = rng.uniform(0.01, 0.05, B)
    out = engine.train_batch(*W, moments.moments(X, Y), lr, 20, 4, on_divergence="mask")
    for b in range(B):
        one = train_bptt(*(w[b] for w in W), X, Y, lr[b], 20, 4, "mask")
        got = engine.TrainingHistory(
            out.steps,
            out.Wx[:, b],
            out.Wh[:, b],
            out.Wy[:, b],
            out.loss[:, b],
            out.diverged_step[b],
        )
        assert_same_history(got, one)


@SETTINGS
@given(st.integers(1, 4), st.integers(0, 6), st.integers(0, 2**32 - 1))
def test_whitening_is_exact(D, extra, seed):
    """(1/P) Zᵀ Z = I exactly (to rounding) after whitening, for any full-rank Z."""
    rng = np.random.default_rng(seed)
    P = D + extra
    Z = rng.standard_normal((P, D)) @ rng.standard_normal((D, D)) + rng.normal()
    assume(np.linalg.cond(Z) < 1e8)
    Wz = tasks.whiten(Z)
    np.testing.assert_allclose(Wz.T @ Wz / P, np.eye(D), atol=1e-12)
    # whitening keeps the column space: Z = Wz A for some A
    A, *_ = np.linalg.lstsq(Wz, Z, rcond=None)
    np.testing.assert_allclose(Wz @ A, Z, atol=1e-9 * (1 + np.abs(Z).max()))


@st.composite
def aligned_problems(draw):
    T, K = draw(st.integers(1, 5)), draw(st.integers(1, 3))
    n_in, n_out = K + draw(st.integers(0, 1)), K + draw(st.integers(0, 1))
    S = draw(hnp.arrays(np.float64, (T, K), elements=st.floats(0.2, 1.2)))
    modes = [
        draw(hnp.arrays(np.float64, (K,), elements=st.floats(lo, hi)))
        for lo, hi in [(0.05, 0.6), (-0.5, 0.5), (0.05, 0.6)]
    ]
    seed = draw(st.integers(0, 2**32 - 1))
    lr = draw(st.floats(0.005, 0.05))
    return T, K, n_in, n_out, S, modes, seed, lr


@SETTINGS
@given(aligned_problems())
def test_mode_and_matrix_dynamics_agree_on_aligned_data(problem):
    """GD on the matrices = Euler steps of the mode equations (paper eqs 5-7)."""
    T, K, n_in, n_out, S, (a0, b0, c0), seed, lr = problem
    rng = np.random.default_rng(seed)
    task = tasks.make_task(S, P=T * n_in + 2, rng=rng, n_in=n_in, n_out=n_out)
    Wx, Wh, Wy, R = network.aligned_init(task, a0, b0, c0, rng, n_hidden=K + 1)
    steps = 40
    hist = train_bptt(Wx, Wh, Wy, task.X, task.Y, lr=lr, steps=steps, record_every=8)
    a, b, c = network.modes(hist.Wx, hist.Wh, hist.Wy, task, R)
    traj = theory.simulate_modes(a0, b0, c0, task.s, lr=lr, steps=steps, record_every=8)
    for sim, th in [(a, traj.a), (b, traj.b), (c, traj.c)]:
        np.testing.assert_allclose(sim, th, atol=1e-10)


@SETTINGS
@given(
    st.integers(1, 4),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(0, 2**32 - 1),
)
def test_batched_training_equals_one_network_at_a_time(B, T, N, seed):
    rng = np.random.default_rng(seed)
    W = [rng.standard_normal((B, N, N)) * 0.4 for _ in range(3)]
    sig = rng.standard_normal((B, T, N, N)) * 0.5
    lr = rng.uniform(0.01, 0.05, B)
    out = engine.train_batch(
        *W, moments.make_moments(sig), lr, steps=15, record_every=5
    )
    for b in range(B):
        one = engine.train_on_moments(
            *(w[b] for w in W), moments.make_moments(sig[b]), lr[b], 15, 5
        )
        np.testing.assert_allclose(out.Wh[:, b], one.Wh, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(out.loss[:, b], one.loss, rtol=1e-12, atol=1e-14)
