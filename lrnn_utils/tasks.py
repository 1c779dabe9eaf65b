"""Tasks: singular-value profiles, exactly whitened data and correlations.

A *task* in this book is a set of input trajectories ``X`` (shape ``(P, T, Nx)``)
and one target per trajectory ``Y`` (shape ``(P, Ny)``).  Under the book's
conventions (sample-mean correlations, inputs whitened exactly over
time x input dimension) the loss depends on the data only through the
input-output correlations ``Σ^{YX_t} = (1/P) Σ_p y_p x_{p,t}ᵀ``, which
:func:`make_task` builds to equal ``U diag(S[t]) Vᵀ`` exactly (Assumptions 1-2
of the paper).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import (
    as_finite_array,
    check_choice,
    check_instance,
    check_positive_int,
    check_rng,
)

__all__ = [
    "TASK_KINDS",
    "Task",
    "task_singular_values",
    "whiten",
    "random_orthonormal",
    "make_task",
    "modified_singular_values",
    "dirac_singular_values",
]

#: Names of the temporal profiles f(λ, t) understood by :func:`task_singular_values`.
TASK_KINDS = ("constant", "inverse_exponential", "exponential")


def check_kind(kind: str) -> str:
    """``kind`` if it is one of :data:`TASK_KINDS` (TypeError for a non-string)."""
    return check_choice(kind, "task kind", TASK_KINDS)


def task_singular_values(kind: str, T: int, delta=1.0, lam=1.0) -> np.ndarray:
    """Singular values ``s_t = δ f(λ, t)`` for ``t = 1, ..., T``.

    Parameters
    ----------
    kind : {"constant", "inverse_exponential", "exponential"}
        Temporal profile: ``f = 1``, ``f = λ^(T-t)`` or ``f = λ^t``.
    T : int
        Trajectory length, ``T >= 1``.
    delta, lam : float or array_like
        Scale δ and dynamics λ.  Arrays broadcast against each other; the
        result then has shape ``broadcast(delta, lam).shape + (T,)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., T)``; entry ``[..., t-1]`` is ``s_t``.

    Raises
    ------
    ValueError
        Unknown ``kind``, ``T < 1`` or non-finite ``delta``/``lam``.
    """
    check_kind(kind)
    T = check_positive_int(T, "T")
    delta = as_finite_array(delta, "delta")
    lam = as_finite_array(lam, "lam")
    t = np.arange(1, T + 1, dtype=float)
    d = delta[..., None]
    l = lam[..., None]
    if kind == "constant":
        f = np.ones(np.broadcast_shapes(l.shape, t.shape))
    elif kind == "inverse_exponential":
        f = l ** (T - t)
    else:
        f = l**t
    return d * f


def whiten(Z) -> np.ndarray:
    """Whiten the rows of ``Z`` exactly: ``(1/P) Z'ᵀ Z' = I``.

    Uses the symmetric (ZCA) whitening ``Z' = Z (ZᵀZ/P)^(-1/2)``, computed
    from the thin SVD ``Z = Q Σ Wᵀ`` as ``Z' = sqrt(P) Q Wᵀ``.  Correlations
    are sample means, not covariances: ``Z`` is not centred.

    Parameters
    ----------
    Z : array_like, shape (P, D)
        ``P`` samples of dimension ``D``; needs ``P >= D`` and full column rank.

    Returns
    -------
    numpy.ndarray, shape (P, D)

    Raises
    ------
    ValueError
        ``Z`` not 2-D, ``P < D``, non-finite entries, or rank-deficient ``Z``.
    """
    Z = as_finite_array(Z, "Z", ndim=2)
    P, D = Z.shape
    if P < D or P == 0:
        raise ValueError(
            "cannot whiten Z: need at least as many samples as dimensions "
            f"(and at least one), got Z of shape (P, D) = {Z.shape}"
        )
    Q, sig, Wt = np.linalg.svd(Z, full_matrices=False)
    if sig.size == 0 or sig[-1] <= sig[0] * max(P, D) * np.finfo(float).eps:
        raise ValueError(
            "cannot whiten: Z is rank-deficient (its columns are linearly dependent)"
        )
    return np.sqrt(P) * Q @ Wt


def random_orthonormal(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """An ``(n, k)`` matrix with orthonormal columns, Haar-distributed."""
    n = check_positive_int(n, "n")
    k = check_positive_int(k, "k")
    if k > n:
        raise ValueError(f"cannot have {k} orthonormal columns in dimension {n}")
    check_rng(rng)
    G = rng.standard_normal((n, k))
    Q, Rm = np.linalg.qr(G)
    return Q * np.sign(np.diag(Rm))


@dataclass(frozen=True)
class Task:
    """A whitened input-output task satisfying Assumptions 1-2.

    Attributes
    ----------
    X : ndarray, shape (P, T, Nx)
        Inputs, whitened exactly over (time x input dimension).
    Y : ndarray, shape (P, Ny)
        Targets ``y_p = Σ_t U diag(s[:, t-1]) Vᵀ x_{p,t}``.
    U : ndarray, shape (Ny, K)
        Output singular vectors (orthonormal columns).
    V : ndarray, shape (Nx, K)
        Input singular vectors (orthonormal columns).
    s : ndarray, shape (K, T)
        ``s[α, t-1] = s_{α,t}``: the singular values of each mode over input time,
        the layout every function of :mod:`lrnn_utils.theory` takes.
    """

    X: np.ndarray
    Y: np.ndarray
    U: np.ndarray
    V: np.ndarray
    s: np.ndarray

    @property
    def P(self) -> int:
        """Number of trajectories."""
        return self.X.shape[0]

    @property
    def T(self) -> int:
        """Trajectory length."""
        return self.X.shape[1]

    @property
    def K(self) -> int:
        """Number of singular dimensions (modes)."""
        return self.s.shape[0]


def _check_vectors(M, name: str, K: int) -> np.ndarray:
    """Given singular vectors: 2-D, ``K`` orthonormal columns."""
    M = as_finite_array(M, name, ndim=2)
    if M.shape[1] != K:
        raise ValueError(
            f"{name} must have K = {K} columns (from S), got shape {M.shape}"
        )
    if M.shape[1] > M.shape[0]:
        raise ValueError(
            f"{name} must have at most as many columns as rows, got shape {M.shape}"
        )
    if not np.allclose(M.T @ M, np.eye(K), atol=1e-10):
        raise ValueError(f"{name} must have orthonormal columns ({name}ᵀ{name} = I)")
    return M.copy()


def make_task(
    S,
    P: int,
    rng: np.random.Generator,
    n_in: int | None = None,
    n_out: int | None = None,
    U=None,
    V=None,
) -> Task:
    """Build a task whose correlations are exactly ``U diag(S[t]) Vᵀ``.

    Parameters
    ----------
    S : array_like, shape (T, K)
        Singular values per input time step and singular dimension.  A 1-D
        array of length ``T`` is read as a single mode (``K = 1``).
    P : int
        Number of trajectories; at least ``T * n_in`` (exact whitening).
    rng : numpy.random.Generator
        Source of randomness (inputs and singular vectors).
    n_in, n_out : int, optional
        Input and output dimensions ``Nx``, ``Ny`` (default ``K``, or the number of
        rows of ``V`` / ``U`` when those are given; each must be ``>= K``).
    U : array_like, shape (Ny, K), optional
        Output singular vectors (orthonormal columns).  Given vectors are kept, so
        a task of the same family at another length ``T`` can be built from
        ``task.U`` and ``task.V``; by default they are drawn at random.
    V : array_like, shape (Nx, K), optional
        Input singular vectors, as ``U``.

    Returns
    -------
    Task

    Raises
    ------
    ValueError
        Bad shapes, non-finite ``S``, ``P < T * n_in``, ``n_in``/``n_out < K``, or
        ``U``/``V`` without ``K`` orthonormal columns or not matching
        ``n_out``/``n_in``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> task = make_task(np.ones((3, 1)), P=6, rng=rng, n_in=2)
    >>> longer = make_task(np.ones((5, 1)), P=10, rng=rng, U=task.U, V=task.V)
    >>> longer.T, bool(np.array_equal(longer.V, task.V))
    (5, True)
    """
    check_rng(rng)
    S = as_finite_array(S, "S")
    if S.ndim == 1:
        S = S[:, None]
    if S.ndim != 2:
        raise ValueError(f"S must have shape (T, K), got shape {S.shape}")
    T, K = S.shape
    if T < 1 or K < 1:
        raise ValueError(f"S must have T >= 1 and K >= 1, got shape {S.shape}")
    U = None if U is None else _check_vectors(U, "U", K)
    V = None if V is None else _check_vectors(V, "V", K)
    n_in = _dimension(n_in, "n_in", V, K)
    n_out = _dimension(n_out, "n_out", U, K)
    P = check_positive_int(P, "P")
    if P < T * n_in:
        raise ValueError(
            f"P={P} is too small to whiten exactly over time x input dimension: "
            f"need P >= T*n_in = {T * n_in}"
        )
    X = whiten(rng.standard_normal((P, T * n_in))).reshape(P, T, n_in)
    if U is None:
        U = random_orthonormal(n_out, K, rng)
    if V is None:
        V = random_orthonormal(n_in, K, rng)
    # y_p = Σ_t U diag(S_t) Vᵀ x_{p,t}
    Y = np.einsum("toi,pti->po", np.einsum("ok,tk,ik->toi", U, S, V), X)
    # copies: the task must not change when the caller's arrays do
    return Task(X=X, Y=Y, U=U.copy(), V=V.copy(), s=S.T.copy())


def check_task(task) -> Task:
    """``task`` if it is a :class:`Task` (ArgumentTypeError otherwise)."""
    return check_instance(task, Task, "task", "a lrnn_utils.tasks.Task, see make_task")


def _dimension(n, name: str, vectors, K: int) -> int:
    """``n_in``/``n_out``: from the argument, the given vectors, or ``K``."""
    if n is None:
        return K if vectors is None else vectors.shape[0]
    n = check_positive_int(n, name)
    if n < K:
        raise ValueError(f"n_in and n_out must be >= K={K}, got {name}={n}")
    if vectors is not None and vectors.shape[0] != n:
        raise ValueError(
            f"{name}={n} does not match the {vectors.shape[0]} rows of "
            "the given vectors"
        )
    return n


def modified_singular_values(kind: str, T: int, delta=1.0, lam=1.0, kappa=1.0):
    """Task with a feedforward last step (paper eq. 10).

    ``s_t = δ f(λ, t)`` for ``t < T`` (the recurrent part, profile as in
    :func:`task_singular_values`) and ``s_T = κ`` (the feedforward part).

    Parameters
    ----------
    kind : {"constant", "inverse_exponential", "exponential"}
    T : int
        Trajectory length, ``T >= 2``.
    delta, lam, kappa : float or array_like
        Broadcast together; the result has shape ``broadcast + (T,)``.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        Unknown ``kind``, ``T < 2`` or non-finite parameters.

    Examples
    --------
    >>> modified_singular_values("constant", 4, delta=0.5, kappa=2.0)
    array([0.5, 0.5, 0.5, 2. ])
    >>> modified_singular_values("exponential", 3, 1.0, [0.5, 2.0], 1.0).shape
    (2, 3)
    """
    T = check_positive_int(T, "T", minimum=2)
    kappa = as_finite_array(kappa, "kappa")
    s = task_singular_values(kind, T, delta, lam)
    shape = np.broadcast_shapes(s.shape[:-1], kappa.shape) + (T,)
    s = np.broadcast_to(s, shape).copy()
    s[..., -1] = kappa
    return s


def dirac_singular_values(T: int, beta, kappa=1.0):
    """Two Dirac deltas (paper eq. 11): ``s_1 = β``, ``s_T = κ``, zero in between.

    Parameters
    ----------
    T : int
        Trajectory length, ``T >= 2``.
    beta, kappa : float or array_like
        Recurrent (first step) and feedforward (last step) parts, broadcast
        together; the result has shape ``broadcast + (T,)``.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        ``T < 2`` or non-finite parameters.

    Examples
    --------
    >>> dirac_singular_values(4, 1.5)
    array([1.5, 0. , 0. , 1. ])
    >>> dirac_singular_values(3, [0.5, 1.0], kappa=[[1.0], [2.0]]).shape
    (2, 2, 3)
    """
    T = check_positive_int(T, "T", minimum=2)
    beta = as_finite_array(beta, "beta")
    kappa = as_finite_array(kappa, "kappa")
    s = np.zeros(np.broadcast_shapes(beta.shape, kappa.shape) + (T,))
    s[..., 0] = beta
    s[..., -1] = kappa
    return s
