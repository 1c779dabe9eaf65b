"""Chapter 9 driver: complex eigenvalues and rotational task dynamics (App. K, N, O).

A task whose correlations ``Σ^{YX_t}`` share eigenvectors (not singular vectors) over
input time can rotate: its eigenvalues ``d_t`` are complex.  This module builds such
tasks from real 2 × 2 blocks ``[[μ, −ν], [ν, μ]]`` (paper App. P.4.1), aligns a real
network with their eigenvectors (App. P.1.1), reads the complex connectivity modes back
off the real weights (App. P.3), and integrates the complex mode equations (paper eqs.
(182)–(184)).

Conventions (the book's): ``L = (1/2P) Σ_p ‖y_p − ŷ_p‖²``, exactly whitened inputs,
``τ = 1``.  Complex numbers carry one mode of a conjugate pair; the other member is
its conjugate.  ``d`` has shape ``(..., T)`` with ``d[..., t-1] = d_t``, like
``Task.s`` of :mod:`lrnn_utils.tasks`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import (
    DIVERGENCE_LIMIT,
    TrainingDivergedError,
    as_finite_array,
    check_diverged,
    check_finite_scalar,
    check_positive_int,
    check_rng,
    record_steps,
)
from .tasks import check_kind, random_orthonormal, whiten

__all__ = [
    "RotationalTask",
    "task_eigenvalues",
    "rotation_block",
    "pair_basis",
    "make_rotational_task",
    "aligned_weights",
    "read_modes",
    "energy",
    "mode_flows",
    "ModeTrajectory",
    "simulate",
    "solution",
    "energy_hessian",
    "max_stable_lr",
    "progress",
    "grid_task",
]

#: Eigenvectors of ``[[μ, −ν], [ν, μ]]``: column 0 for ``μ + iν``, column 1 for
#: ``μ − iν`` (orthonormal: the matrix is unitary).
PAIR_VECTORS = np.array([[1.0, 1.0], [-1.0j, 1.0j]]) / np.sqrt(2.0)


def _complex(x, name: str) -> np.ndarray:
    """A finite complex array (TypeError/ValueError naming ``name``)."""
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a complex number or array, got {x!r}")
    try:
        arr = np.asarray(x, dtype=complex)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be numeric, got {type(x).__name__}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def _check_d(d) -> np.ndarray:
    d = _complex(d, "d")
    if d.ndim < 1 or d.shape[-1] < 1:
        raise ValueError(f"d must have shape (..., T) with T >= 1, got {d.shape}")
    return d


def _lags(T: int) -> np.ndarray:
    return np.arange(T - 1, -1, -1)


def task_eigenvalues(kind: str, T: int, delta=1.0, lam=1.0) -> np.ndarray:
    """Eigenvalues ``d_t = δ f(λ, t)``, ``t = 1..T``, with complex ``δ`` and ``λ``.

    Parameters
    ----------
    kind : {"constant", "inverse_exponential", "exponential"}
        ``f = 1``, ``f = λ^(T−t)`` or ``f = λ^t`` (paper App. O).
    T : int
        Trajectory length ``>= 1``.
    delta, lam : complex or array_like
        Scale ``δ = |δ| e^{iφ_δ}`` and dynamics ``λ = |λ| e^{iφ}``; arrays broadcast.

    Returns
    -------
    numpy.ndarray of complex, shape ``broadcast(delta, lam).shape + (T,)``

    Examples
    --------
    >>> lam = np.exp(1j * np.pi / 2)
    >>> np.round(task_eigenvalues("inverse_exponential", 3, 1.0, lam), 12)
    array([-1.+0.j,  0.+1.j,  1.+0.j])
    """
    check_kind(kind)
    T = check_positive_int(T, "T")
    d = _complex(delta, "delta")[..., None]
    lam = _complex(lam, "lam")[..., None]
    t = np.arange(1, T + 1)
    if kind == "constant":
        f = np.ones(np.broadcast_shapes(lam.shape, t.shape))
    elif kind == "inverse_exponential":
        f = lam ** (T - t)
    else:
        f = lam**t
    return d * f


def rotation_block(d) -> np.ndarray:
    """The real block ``[[μ, −ν], [ν, μ]]``, eigenvalues ``μ ± iν``, for ``d = μ + iν``.

    Examples
    --------
    >>> rotation_block(1 + 2j)
    array([[ 1., -2.],
           [ 2.,  1.]])
    """
    d = _complex(d, "d")
    mu, nu = d.real, d.imag
    return np.stack([np.stack([mu, -nu], -1), np.stack([nu, mu], -1)], -2)


def pair_basis(Q) -> np.ndarray:
    """Unitary eigenvectors ``P = Q F`` of ``Q H Qᵀ`` for block-diagonal ``H``.

    ``Q`` is real orthogonal ``(N, N)`` with ``N`` even; column ``2k`` of ``P`` belongs
    to the eigenvalue ``d_k`` of block ``k`` and column ``2k + 1`` to its conjugate.

    Examples
    --------
    >>> P = pair_basis(np.eye(2))
    >>> H = rotation_block(0.5 + 0.25j)
    >>> np.diagonal(P.conj().T @ H @ P).round(12).tolist()
    [(0.5+0.25j), (0.5-0.25j)]
    """
    Q = as_finite_array(Q, "Q", ndim=2)
    N = Q.shape[0]
    if Q.shape != (N, N) or N % 2:
        raise ValueError(f"Q must be square with an even size, got {Q.shape}")
    if not np.allclose(Q.T @ Q, np.eye(N), atol=1e-10):
        raise ValueError("Q must be orthogonal (QᵀQ = I)")
    return Q @ np.kron(np.eye(N // 2), PAIR_VECTORS)


@dataclass(frozen=True)
class RotationalTask:
    """A whitened task with ``Σ^{YX_t} = Q H_t Qᵀ = P D_t P†`` (paper App. P.4.1).

    Attributes
    ----------
    X : ndarray, shape (P, T, N)
        Inputs, whitened exactly over time × dimension.
    Y : ndarray, shape (P, N)
        Targets ``y_p = Σ_t Q H_t Qᵀ x_{p,t}``.
    Q : ndarray, shape (N, N)
        Real orthogonal basis of the blocks.
    P : ndarray of complex, shape (N, N)
        Unitary eigenvectors (:func:`pair_basis`).
    d : ndarray of complex, shape (K, T)
        Eigenvalue ``d_{k,t}`` of block ``k`` (its pair partner is the conjugate).
    """

    X: np.ndarray
    Y: np.ndarray
    Q: np.ndarray
    P: np.ndarray
    d: np.ndarray

    @property
    def T(self) -> int:
        """Trajectory length."""
        return self.X.shape[1]

    @property
    def K(self) -> int:
        """Number of conjugate pairs (2 × 2 blocks)."""
        return self.d.shape[0]

    @property
    def sigma_yx(self) -> np.ndarray:
        """``Σ^{YX_t}`` of shape ``(T, N, N)`` built from the blocks (no sampling)."""
        H = np.zeros((self.T, 2 * self.K, 2 * self.K))
        for k in range(self.K):
            H[:, 2 * k : 2 * k + 2, 2 * k : 2 * k + 2] = rotation_block(self.d[k])
        return self.Q @ H @ self.Q.T


def make_rotational_task(d, P: int, rng, Q=None) -> RotationalTask:
    """Data whose correlations are ``Q H_t Qᵀ`` with 2 × 2 rotation blocks ``H_t``.

    Parameters
    ----------
    d : array_like of complex, shape (T,) or (K, T)
        Eigenvalue of each block at each input time (one pair per row).
    P : int
        Number of trajectories, at least ``T · 2K`` (exact whitening).
    rng : numpy.random.Generator
        Draws the inputs and (unless given) ``Q``.
    Q : array_like, shape (2K, 2K), optional
        Real orthogonal basis; default a random one.

    Returns
    -------
    RotationalTask

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> task = make_rotational_task(task_eigenvalues("constant", 3, 1j), 6, rng)
    >>> S = np.einsum("pn,ptm->tnm", task.Y, task.X) / task.X.shape[0]
    >>> bool(np.allclose(S, task.sigma_yx))
    True
    """
    check_rng(rng)
    d = _check_d(d)
    if d.ndim == 1:
        d = d[None]
    if d.ndim != 2:
        raise ValueError(f"d must have shape (T,) or (K, T), got {d.shape}")
    K, T = d.shape
    N = 2 * K
    P = check_positive_int(P, "P")
    if P < T * N:
        raise ValueError(f"P={P} is too small to whiten exactly: need P >= {T * N}")
    Q = random_orthonormal(N, N, rng) if Q is None else as_finite_array(Q, "Q", ndim=2)
    basis = pair_basis(Q)
    X = whiten(rng.standard_normal((P, T * N))).reshape(P, T, N)
    task = RotationalTask(X=X, Y=np.zeros((P, N)), Q=Q.copy(), P=basis, d=d.copy())
    Y = np.einsum("tnm,ptm->pn", task.sigma_yx, X)
    return RotationalTask(X=X, Y=Y, Q=Q.copy(), P=basis, d=d.copy())


def _full(m, K: int, name: str) -> np.ndarray:
    """Modes of the pairs ``(K,)`` → diagonal of all ``2K`` eigen-dimensions."""
    m = _complex(m, name)
    m = np.broadcast_to(m, (K,)) if m.ndim == 0 else m
    if m.shape != (K,):
        raise ValueError(f"{name} must be a scalar or have shape ({K},), got {m.shape}")
    return np.stack([m, m.conj()], -1).ravel()


def aligned_weights(task: RotationalTask, a0, b0, c0, rng, n_hidden=None):
    """Real weights aligned with the eigenvectors of a task (App. P.1.1, eqs. 194–196).

    ``W_x = O P A P†``, ``W_h = O P B P† Oᵀ``, ``W_y = P C P† Oᵀ`` with diagonal
    ``A = diag(a, ā, ...)`` and so on, and a random real orthogonal hidden basis ``O``
    (the paper uses ``O = I``).

    Parameters
    ----------
    task : RotationalTask
    a0, b0, c0 : complex or array_like of shape (K,)
        Initial complex modes of the pairs.
    rng : numpy.random.Generator
        Draws ``O``.
    n_hidden : int, optional
        Hidden size ``>= 2K``; extra hidden directions start at zero.

    Returns
    -------
    (Wx, Wh, Wy, O)

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> task = make_rotational_task(np.ones(2), 4, rng)
    >>> Wx, Wh, Wy, O = aligned_weights(task, 0.5, 0.3 + 0.4j, 1.0, rng)
    >>> Wx.dtype, np.round(read_modes(Wx, Wh, Wy, task, O)[1], 12)
    (dtype('float64'), array([0.3+0.4j]))
    """
    if not isinstance(task, RotationalTask):
        raise TypeError(f"task must be a RotationalTask, got {type(task).__name__}")
    check_rng(rng)
    K, N = task.K, 2 * task.K
    Nh = N if n_hidden is None else check_positive_int(n_hidden, "n_hidden")
    if Nh < N:
        raise ValueError(f"n_hidden must be >= 2K = {N}, got {Nh}")
    A, B, C = (_full(m, K, n) for m, n in ((a0, "a0"), (b0, "b0"), (c0, "c0")))
    O = random_orthonormal(Nh, Nh, rng)
    On, P, Ph = O[:, :N], task.P, task.P.conj().T
    Wx = (On @ (P * A) @ Ph).real
    Wh = (On @ (P * B) @ Ph @ On.T).real
    Wy = ((P * C) @ Ph @ On.T).real
    return Wx, Wh, Wy, O


def read_modes(Wx, Wh, Wy, task: RotationalTask, O):
    """Complex modes ``a, b, c`` of each pair, read off real weights (eqs. 200–202).

    ``a = diag(P† Oᵀ W_x P)``, ``b = diag(P† Oᵀ W_h O P)``, ``c = diag(P† W_y O P)``,
    one entry per pair (the other entry is its conjugate).  Leading axes of the weights
    (e.g. recorded steps) are kept.

    Returns
    -------
    a, b, c : ndarray of complex, shape ``lead + (K,)``
    """
    if not isinstance(task, RotationalTask):
        raise TypeError(f"task must be a RotationalTask, got {type(task).__name__}")
    Wx = as_finite_array(Wx, "Wx", min_ndim=2)
    Wh = as_finite_array(Wh, "Wh", min_ndim=2)
    Wy = as_finite_array(Wy, "Wy", min_ndim=2)
    N = 2 * task.K
    On = as_finite_array(O, "O", ndim=2)[:, :N]
    P, Ph = task.P, task.P.conj().T

    def diag(M):
        return np.diagonal(M, axis1=-2, axis2=-1)[..., ::2]

    return (
        diag(Ph @ On.T @ Wx @ P),
        diag(Ph @ On.T @ Wh @ On @ P),
        diag(Ph @ Wy @ On @ P),
    )


def _residual(a, b, c, d):
    k = _lags(d.shape[-1])
    bk = b[..., None] ** k
    return d - c[..., None] * bk * a[..., None], bk, k


def energy(a, b, c, d) -> np.ndarray:
    """``E = ½ Σ_i |d_i − c b^{T−i} a|²`` of one complex mode (paper eq. 186, τ = 1).

    For a conjugate pair the real loss counts this twice (once per member).

    Examples
    --------
    >>> float(energy(1.0, 1j, 1.0, np.array([0.0, 0.0])))
    1.0
    """
    d = _check_d(d)
    a, b, c = (_complex(x, n) for x, n in ((a, "a"), (b, "b"), (c, "c")))
    r, _, _ = _residual(a, b, c, d)
    return 0.5 * np.sum(np.abs(r) ** 2, axis=-1)


def _flows(a, b, c, d):
    r, bk, k = _residual(a, b, c, d)
    bk1 = k * b[..., None] ** np.maximum(k - 1, 0)
    da = np.sum(np.conj(c[..., None] * bk) * r, -1)
    db = np.sum(np.conj(c[..., None] * a[..., None] * bk1) * r, -1)
    dc = np.sum(np.conj(a[..., None] * bk) * r, -1)
    return da, db, dc


def mode_flows(a, b, c, d):
    """Right-hand sides of the complex mode equations (paper eqs. 182–184, τ = 1).

    ``ȧ = Σ_i conj(c b^{T−i}) r_i``, ``ḃ = Σ_i (T−i) conj(c a b^{T−i−1}) r_i``,
    ``ċ = Σ_i conj(a b^{T−i}) r_i`` with ``r_i = d_i − c b^{T−i} a``; they equal
    ``−2 ∂E/∂ā`` etc. for the energy of :func:`energy`.

    Examples
    --------
    >>> [complex(v) for v in mode_flows(1.0, 0.0, 1.0, np.array([0.0, 2.0]))]
    [(1+0j), 0j, (1+0j)]
    """
    d = _check_d(d)
    a, b, c = (_complex(x, n) for x, n in ((a, "a"), (b, "b"), (c, "c")))
    return _flows(a, b, c, d)


@dataclass(frozen=True)
class ModeTrajectory:
    """Euler trajectory of complex modes: ``steps`` (n,), ``a, b, c`` (n,) + batch."""

    steps: np.ndarray
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray


def simulate(a0, b0, c0, d, lr: float, steps: int, record_every: int = 1):
    """Euler steps ``η`` of the complex mode equations (gradient descent on the modes).

    Parameters
    ----------
    a0, b0, c0 : complex or array_like
        Initial modes; broadcast against each other and against ``d[..., 0]``.
    d : array_like of complex, shape (..., T)
        Task eigenvalues.
    lr : float
        Step ``η > 0``.
    steps : int
        Number of steps.
    record_every : int
        Record every ``record_every`` steps (0 and the last always).

    Returns
    -------
    ModeTrajectory

    Raises
    ------
    TrainingDivergedError
        When a mode becomes non-finite or exceeds 1e150; the message names the step.

    Examples
    --------
    >>> lam = 0.9 * np.exp(1j * np.pi / 6)
    >>> d = task_eigenvalues("inverse_exponential", 4, 1.0, lam)
    >>> tr = simulate(0.1, 0.1, 0.1, d, lr=0.1, steps=4000, record_every=4000)
    >>> bool(abs(tr.b[-1] - lam) < 1e-8), bool(abs(tr.a[-1] * tr.c[-1] - 1) < 1e-8)
    (True, True)
    """
    d = _check_d(d)
    lr = check_finite_scalar(lr, "lr", positive=True)
    rec = record_steps(steps, record_every)
    shape = np.broadcast_shapes(
        *(np.shape(_complex(x, n)) for x, n in ((a0, "a0"), (b0, "b0"), (c0, "c0"))),
        d.shape[:-1],
    )
    a, b, c = (np.broadcast_to(_complex(x, "mode"), shape).copy() for x in (a0, b0, c0))
    if shape == ():  # one mode: plain complex numbers, several times faster
        return _scalar_simulate(complex(a), complex(b), complex(c), d, lr, rec)
    out = np.empty((3, rec.size) + shape, dtype=complex)
    j = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for n in range(int(rec[-1]) + 1):
            if n == rec[j]:
                out[:, j] = a, b, c
                j += 1
            if n == rec[-1]:
                break
            da, db, dc = _flows(a, b, c, d)
            a, b, c = a + lr * da, b + lr * db, c + lr * dc
            check_diverged(
                n + 1, "complex mode equations", a=abs(a), b=abs(b), c=abs(c)
            )
    return ModeTrajectory(steps=rec, a=out[0], b=out[1], c=out[2])


def _scalar_simulate(a, b, c, d, lr, rec):
    """:func:`simulate` for one mode, in plain complex numbers (validated input)."""
    d_list = [complex(x) for x in d]
    lags = [int(k) for k in _lags(len(d_list))]  # T − i for i = 1..T
    out = np.empty((3, rec.size), dtype=complex)
    j, last = 0, int(rec[-1])
    for n in range(last + 1):
        if n == rec[j]:
            out[:, j] = a, b, c
            j += 1
        if n == last:
            break
        try:
            bk = [b**k for k in lags]
            bk1 = [k * b ** max(k - 1, 0) for k in lags]
        except OverflowError:
            raise TrainingDivergedError(n + 1, "b", "complex mode equations") from None
        u = c * a
        r = [di - u * p for di, p in zip(d_list, bk)]
        g = sum(p.conjugate() * x for p, x in zip(bk, r))
        gb = sum(p.conjugate() * x for p, x in zip(bk1, r))
        a, b, c = (
            a + lr * (c.conjugate() * g),
            b + lr * (u.conjugate() * gb),
            c + lr * (a.conjugate() * g),
        )
        if not max(abs(a), abs(b), abs(c)) <= DIVERGENCE_LIMIT:
            check_diverged(
                n + 1, "complex mode equations", a=abs(a), b=abs(b), c=abs(c)
            )
    return ModeTrajectory(steps=rec, a=out[0], b=out[1], c=out[2])


def solution(kind: str, delta, lam, T: int):
    """Zero-loss solution ``(b*, (ac)*)`` of a rotational task (paper App. O).

    Constant: ``(1, δ)``; inverse exponential: ``(λ, δ)``; exponential:
    ``(1/λ, δ λ^T)``.

    Examples
    --------
    >>> [complex(x) for x in solution("exponential", 1.0, 2j, 2)]
    [-0.5j, (-4+0j)]
    """
    check_kind(kind)
    T = check_positive_int(T, "T")
    delta, lam = _complex(delta, "delta"), _complex(lam, "lam")
    if kind == "constant":
        return np.ones_like(lam)[()] + 0j, delta[()]
    if kind == "inverse_exponential":
        return lam[()], delta[()]
    if np.any(lam == 0):
        raise ValueError("lam must be nonzero for the exponential task")
    return (1 / lam)[()], (delta * lam**T)[()]


def energy_hessian(a, b, c, d) -> np.ndarray:
    """Hessian of :func:`energy` in the real coordinates ``(Re a, Im a, Re b, ...)``.

    For one mode (scalars ``a, b, c``, ``d`` of shape ``(T,)``); a 6 × 6 real
    symmetric matrix.  With ``g = c b^k a`` holomorphic, ``E = ½ Σ |d − g|²`` has the
    Gauss–Newton part ``Re(J^H J)`` and the residual part ``−Re(r̄ ∂²g)``, laid out
    on real and imaginary parts.

    Examples
    --------
    >>> H = energy_hessian(1.0, 1.0, 1.0, np.ones(2))
    >>> np.linalg.eigvalsh(H)[2:].round(6).tolist()  # each twice: real and imaginary
    [0.438447, 0.438447, 4.561553, 4.561553]
    """
    d = _check_d(d)
    if d.ndim != 1:
        raise ValueError(f"d must have shape (T,), got {d.shape}")
    a, b, c = (complex(_complex(x, n)) for x, n in ((a, "a"), (b, "b"), (c, "c")))
    k = _lags(d.size).astype(float)
    p0 = b**k
    p1 = k * b ** np.maximum(k - 1, 0)
    p2 = k * (k - 1) * b ** np.maximum(k - 2, 0)
    r = d - c * p0 * a
    J = np.stack([c * p0, c * a * p1, a * p0], -1)  # ∂g/∂(a, b, c), (T, 3)
    G2 = np.zeros((d.size, 3, 3), dtype=complex)
    G2[:, 0, 1] = G2[:, 1, 0] = c * p1
    G2[:, 0, 2] = G2[:, 2, 0] = p0
    G2[:, 1, 2] = G2[:, 2, 1] = a * p1
    G2[:, 1, 1] = c * a * p2
    M = J.conj().T @ J  # Hermitian Gauss–Newton part
    S = -np.einsum("t,tmn->mn", r.conj(), G2)  # complex symmetric residual part
    H = np.zeros((6, 6))
    H[0::2, 0::2] = M.real + S.real
    H[1::2, 1::2] = M.real - S.real
    H[0::2, 1::2] = -M.imag - S.imag
    H[1::2, 0::2] = M.imag - S.imag
    return 0.5 * (H + H.T)


def max_stable_lr(a, b, c, d) -> float:
    """``2/λ_max`` of :func:`energy_hessian`: the largest step that does not blow up
    near ``(a, b, c)`` (``inf`` if ``λ_max <= 0``).

    Examples
    --------
    >>> round(max_stable_lr(1.0, 1.0, 1.0, np.ones(2)), 6)
    0.438447
    """
    lam = np.linalg.eigvalsh(energy_hessian(a, b, c, d))[-1]
    return float(2.0 / lam) if lam > 0 else float("inf")


def progress(z, target) -> tuple[np.ndarray, np.ndarray]:
    """Fraction of the way from ``z[0]`` to ``target`` in radius and in angle.

    Parameters
    ----------
    z : array_like of complex, shape (n,)
        A mode (or product of modes) over training.
    target : complex
        Its final value.

    Returns
    -------
    radius, angle : ndarray, shape (n,)
        ``(|z_t| − |z_0|)/(|z*| − |z_0|)`` and the same for the angle, unwrapped along
        the trajectory (0 at the start, 1 at the target).

    Examples
    --------
    >>> r, phi = progress([1.0, 1.5j, 2j], 2j)
    >>> r.tolist(), phi.tolist()
    ([0.0, 0.5, 1.0], [0.0, 1.0, 1.0])
    """
    z = _complex(z, "z")
    if z.ndim != 1 or z.size < 2:
        raise ValueError(f"z must have shape (n,) with n >= 2, got {z.shape}")
    target = complex(_complex(target, "target"))
    ang = np.unwrap(np.angle(z))
    goal = ang[-1] + np.angle(target / z[-1])
    dr, dphi = abs(target) - abs(z[0]), goal - ang[0]
    if dr == 0 or dphi == 0:
        raise ValueError("target must differ from z[0] in both radius and angle")
    return (np.abs(z) - abs(z[0])) / dr, (ang - ang[0]) / dphi


def grid_task(lam, delta=1.0, kind: str = "inverse_exponential", pairs: int = 2):
    """A task builder for :func:`lrnn_utils.feature_learning.run_grid` (paper Fig. A4).

    Returns ``build(T, rng) -> (X, Y, init)`` where the rotational task has ``pairs``
    identical blocks with eigenvalues ``δ f(λ, t)`` and ``init(io, rec, rng,
    n_hidden)`` returns weights aligned with its eigenvectors (modes ``a = c = io``,
    ``b = rec``).

    Examples
    --------
    >>> X, Y, init = grid_task(1j)(3, np.random.default_rng(0))
    >>> X.shape, Y.shape, init(0.1, 0.2, np.random.default_rng(1), 4)[1].shape
    ((12, 3, 4), (12, 4), (4, 4))
    """
    check_kind(kind)
    pairs = check_positive_int(pairs, "pairs")
    lam, delta = _complex(lam, "lam"), _complex(delta, "delta")

    def build(T, rng):
        d = np.repeat(task_eigenvalues(kind, T, delta, lam)[None], pairs, axis=0)
        task = make_rotational_task(d, 2 * pairs * T, rng)

        def init(io, rec, rng, n_hidden):
            return aligned_weights(task, io, rec, io, rng, n_hidden=n_hidden)[:3]

        return task.X, task.Y, init

    return build
