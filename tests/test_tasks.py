"""Tests of lrnn_utils.tasks: profiles, exact whitening, Assumptions 1-2."""

import numpy as np
import pytest

from lrnn_utils import moments, tasks


@pytest.mark.parametrize("T", [1, 2, 7])
def test_profiles_match_definitions(T):
    t = np.arange(1, T + 1)
    np.testing.assert_array_equal(
        tasks.task_singular_values("constant", T, 1.5, 0.3), np.full(T, 1.5)
    )
    np.testing.assert_allclose(
        tasks.task_singular_values("inverse_exponential", T, 2.0, 0.7),
        2.0 * 0.7 ** (T - t),
    )
    np.testing.assert_allclose(
        tasks.task_singular_values("exponential", T, 0.5, 1.2), 0.5 * 1.2**t
    )


def test_profiles_broadcast_over_grids():
    delta = np.array([0.5, 1.0, 2.0])[:, None]
    lam = np.array([0.8, 1.1])[None, :]
    s = tasks.task_singular_values("exponential", 4, delta, lam)
    assert s.shape == (3, 2, 4)
    np.testing.assert_allclose(s[2, 1], 2.0 * 1.1 ** np.arange(1, 5))


@pytest.mark.parametrize("P,D", [(5, 5), (40, 12), (200, 3)])
def test_whiten_is_exact(P, D):
    rng = np.random.default_rng(P + D)
    Z = rng.standard_normal((P, D)) @ rng.standard_normal((D, D)) + 0.3
    W = tasks.whiten(Z)
    np.testing.assert_allclose(W.T @ W / P, np.eye(D), atol=1e-12)


@pytest.mark.parametrize("kind", tasks.TASK_KINDS)
@pytest.mark.parametrize("n_in,n_out", [(None, None), (5, 4)])
def test_make_task_meets_assumptions_1_and_2(kind, n_in, n_out):
    rng = np.random.default_rng(1)
    T, K = 5, 3
    S = np.stack(
        [
            tasks.task_singular_values(kind, T, d, l)
            for d, l in [(1.0, 0.8), (0.6, 1.1), (1.4, 0.9)]
        ],
        1,
    )
    Nx = K if n_in is None else n_in
    task = tasks.make_task(S, P=T * Nx + 3, rng=rng, n_in=n_in, n_out=n_out)
    P, _, Nx = task.X.shape
    # Assumption 1: Σ^{X_t X_t'} = δ_{tt'} I, i.e. whitened over time x dimension.
    Xf = task.X.reshape(P, -1)
    np.testing.assert_allclose(Xf.T @ Xf / P, np.eye(T * Nx), atol=1e-12)
    # Assumption 2: Σ^{YX_t} = U S_t Vᵀ with fixed orthonormal U, V.
    np.testing.assert_allclose(task.U.T @ task.U, np.eye(K), atol=1e-12)
    np.testing.assert_allclose(task.V.T @ task.V, np.eye(K), atol=1e-12)
    expected = np.einsum("ok,tk,ik->toi", task.U, S, task.V)
    np.testing.assert_allclose(
        moments.correlations(task.X, task.Y), expected, atol=1e-12
    )
    assert task.s.shape == (K, T) and task.T == T and task.K == K and task.P == P


def test_correlations_are_sample_means():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((7, 3, 2))
    Y = rng.standard_normal((7, 4))
    C = moments.correlations(X, Y)
    manual = sum(np.outer(Y[p], X[p, 1]) for p in range(7)) / 7
    np.testing.assert_allclose(C[1], manual)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: tasks.task_singular_values("linear", 3), "unknown task kind"),
        (lambda: tasks.task_singular_values("constant", 0), "T must be >= 1"),
        (lambda: tasks.task_singular_values("constant", 2.5), "T must be an integer"),
        (lambda: tasks.task_singular_values("constant", 3, delta=np.nan), "non-finite"),
        (
            lambda: tasks.task_singular_values("exponential", 3, lam=np.inf),
            "non-finite",
        ),
        (lambda: tasks.whiten(np.ones(4)), "2-dimensional"),
        (lambda: tasks.whiten(np.ones((3, 5))), "at least as many samples"),
        (lambda: tasks.whiten(np.ones((6, 2))), "rank-deficient"),
        (lambda: tasks.whiten(np.array([[1.0, np.nan], [0.0, 1.0]])), "non-finite"),
        (
            lambda: tasks.make_task(np.ones((3, 2)), P=5, rng=np.random.default_rng(0)),
            "too small to whiten",
        ),
        (lambda: tasks.make_task(np.ones((3, 2)), P=50, rng=0), "Generator"),
        (
            lambda: tasks.make_task(
                np.ones((3, 2, 1)), P=50, rng=np.random.default_rng(0)
            ),
            "shape \\(T, K\\)",
        ),
        (
            lambda: tasks.make_task(
                np.ones((3, 2)), P=50, rng=np.random.default_rng(0), n_in=1
            ),
            ">= K",
        ),
        (
            lambda: tasks.make_task(
                np.full((3, 1), np.inf), P=50, rng=np.random.default_rng(0)
            ),
            "non-finite",
        ),
        (
            lambda: tasks.make_task(
                np.ones((0, 1)), P=50, rng=np.random.default_rng(0)
            ),
            "T >= 1",
        ),
        (
            lambda: moments.correlations(np.ones((4, 2, 3)), np.ones((5, 2))),
            "same number of samples",
        ),
        (
            lambda: moments.correlations(np.ones((4, 3)), np.ones((4, 2))),
            "3-dimensional",
        ),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def _make_task_before_vectors_argument(S, P, rng, n_in=None, n_out=None):
    """make_task as it was before U and V became optional arguments."""
    S = np.asarray(S, dtype=float)
    S = S[:, None] if S.ndim == 1 else S
    T, K = S.shape
    n_in = K if n_in is None else n_in
    n_out = K if n_out is None else n_out
    X = tasks.whiten(rng.standard_normal((P, T * n_in))).reshape(P, T, n_in)
    U = tasks.random_orthonormal(n_out, K, rng)
    V = tasks.random_orthonormal(n_in, K, rng)
    Y = np.einsum("toi,pti->po", moments.correlations_from_svd(U, S.T, V), X)
    return X, Y, U, V


@pytest.mark.parametrize("n_in,n_out", [(None, None), (4, 3)])
def test_make_task_without_vectors_is_unchanged(n_in, n_out):
    S = np.random.default_rng(5).uniform(0.1, 2.0, size=(4, 2))
    new = tasks.make_task(S, P=20, rng=np.random.default_rng(6), n_in=n_in, n_out=n_out)
    old = _make_task_before_vectors_argument(
        S, 20, np.random.default_rng(6), n_in, n_out
    )
    for got, want in zip((new.X, new.Y, new.U, new.V), old):
        np.testing.assert_array_equal(got, want)


def test_make_task_with_given_vectors_has_exact_correlations():
    rng = np.random.default_rng(0)
    U = tasks.random_orthonormal(4, 2, rng)
    V = tasks.random_orthonormal(3, 2, rng)
    S = rng.uniform(0.2, 1.5, size=(6, 2))
    task = tasks.make_task(S, P=20, rng=rng, U=U, V=V)
    C = moments.correlations(task.X, task.Y)
    np.testing.assert_allclose(C, np.einsum("ok,tk,ik->toi", U, S, V), atol=1e-13)
    Z = task.X.reshape(20, -1)
    np.testing.assert_allclose(Z.T @ Z / 20, np.eye(18), atol=1e-12)
    np.testing.assert_array_equal(task.U, U)
    np.testing.assert_array_equal(task.V, V)
    assert task.X.shape == (20, 6, 3) and task.Y.shape == (20, 4)
    # only one of the two given; 1-D S means one mode
    t1 = tasks.make_task(S[:, 0], P=18, rng=rng, V=V[:, :1])
    assert t1.K == 1 and t1.T == 6 and t1.U.shape == (1, 1)
    np.testing.assert_array_equal(t1.V, V[:, :1])


@pytest.mark.parametrize(
    "kwargs, msg",
    [
        (dict(U=np.ones((3, 1))), "orthonormal"),
        (dict(V=np.eye(3)[:, :2]), "K = 1"),
        (dict(U=np.ones((1, 2)) / np.sqrt(2), S=np.ones((4, 2))), "at most as many"),
        (dict(V=np.eye(2)[:, :1], n_in=3), "does not match"),
        (dict(U=np.array([[np.nan], [1.0]])), "non-finite"),
        (dict(P=5), "too small"),
    ],
)
def test_make_task_given_vectors_bad_input(kwargs, msg):
    args = dict(
        S=np.ones((4, 1)),
        U=np.eye(3)[:, :1],
        V=np.eye(2)[:, :1],
        P=8,
        rng=np.random.default_rng(0),
    )
    args.update(kwargs)
    with pytest.raises(ValueError, match=msg):
        tasks.make_task(**args)


def test_correlations_need_a_sample():
    # a sample mean over P = 0 samples is 0/0: say so instead of returning NaN

    X, Y = np.empty((0, 3, 2)), np.empty((0, 1))
    for f in (moments.correlations, moments.loss_offset):
        with pytest.raises(ValueError, match="at least one sample"):
            f(X, Y)


def test_make_task_and_make_moments_do_not_alias_the_callers_arrays():

    rng = np.random.default_rng(0)
    S = np.ones((3, 2))
    U, V = tasks.random_orthonormal(3, 2, rng), tasks.random_orthonormal(4, 2, rng)
    task = tasks.make_task(S, 12, rng, U=U, V=V)
    sig, sxx = np.ones((3, 1, 2)), np.zeros((3, 2, 3, 2))
    mom = moments.make_moments(sig, sxx)
    for arr in (S, U, V, sig, sxx):
        arr[...] = 7.0
    assert np.all(task.s.T == 1.0) and not np.any(task.U == 7.0)
    assert not np.any(task.V == 7.0)
    assert np.all(mom.sigma_yx == 1.0) and np.all(mom.sigma_xx == 0.0)
