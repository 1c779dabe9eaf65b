"""Stability and extrapolation of zero-loss solutions (paper Sec. 3.3, App. F).

Helpers for chapter 4 of the book:

* tasks that share singular vectors but have another length
  (:func:`make_task_with_vectors`, :func:`loss_at_lengths`); the split of the
  full-matrix loss into correlation energy plus a data constant is in
  :mod:`lrnn_utils.correlation_form`;
* the best a single mode can do on an arbitrary singular-value profile
  (:func:`minimise_energy`);
* curvature of the energy at a solution (:func:`energy_hessian`,
  :func:`sharpness`, :func:`max_stable_lr`);
* growth of hidden states and gradients (:func:`hidden_power`,
  :func:`mode_gradient_norm`, :func:`gradient_norm`); the measured hidden-state
  norm of a full network is :func:`lrnn_utils.unrolled.hidden_norm_rms`.

Conventions are those of :mod:`lrnn_utils.theory`: for one mode with
singular values ``s_1 .. s_T`` (last axis of ``s``) the energy is
``E = ½ Σ_i (s_i − c b^{T−i} a)²`` and only the product ``u = ac`` and ``b``
enter the loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import model
from ._validation import (
    TrainingDivergedError,
    as_finite_array,
    check_finite_scalar,
    check_positive_int,
)
from .tasks import Task, _check_kind, task_singular_values, whiten
from .theory import (
    decay_powers,
    effective_energy,
    effective_singular_values,
    optimal_u,
    global_solution,
    mode_gradients,
    simulate_modes,
)

__all__ = [
    "make_task_with_vectors",
    "loss_at_lengths",
    "balanced_solution",
    "solution_weights",
    "EnergyMinimum",
    "minimise_energy",
    "energy_hessian",
    "sharpness",
    "max_stable_lr",
    "linearised_gradient_norm",
    "TrainingOutcome",
    "training_outcome",
    "hidden_power",
    "mode_gradient_norm",
    "gradient_norm",
]


# ----------------------------------------------------------------------------
# tasks at other lengths and the loss / energy relation
# ----------------------------------------------------------------------------


def _check_orthonormal(M, name):
    M = as_finite_array(M, name, ndim=2)
    if M.shape[1] > M.shape[0]:
        raise ValueError(
            f"{name} must have at most as many columns as rows, got shape {M.shape}"
        )
    if not np.allclose(M.T @ M, np.eye(M.shape[1]), atol=1e-10):
        raise ValueError(f"{name} must have orthonormal columns ({name}ᵀ{name} = I)")
    return M


def make_task_with_vectors(S, U, V, P: int, rng: np.random.Generator) -> Task:
    """A task with *given* singular vectors and new, exactly whitened inputs.

    :func:`lrnn_utils.tasks.make_task` draws ``U`` and ``V`` at random; to test
    a trained network on the same task family at another length the vectors
    must be kept.  Targets are ``y_p = Σ_t U diag(S[t]) Vᵀ x_{p,t}`` exactly.

    Parameters
    ----------
    S : array_like, shape (T, K)
        Singular values per time step and mode (1-D means ``K = 1``).
    U : array_like, shape (Ny, K)
        Output singular vectors, orthonormal columns.
    V : array_like, shape (Nx, K)
        Input singular vectors, orthonormal columns.
    P : int
        Number of trajectories, at least ``T * Nx``.
    rng : numpy.random.Generator
        Source of the inputs.

    Returns
    -------
    lrnn_utils.tasks.Task

    Raises
    ------
    ValueError
        Shapes that do not match, non-orthonormal ``U``/``V``, ``P < T * Nx``.
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            "rng must be a numpy.random.Generator, e.g. numpy.random.default_rng(0)"
        )
    S = as_finite_array(S, "S")
    if S.ndim == 1:
        S = S[:, None]
    if S.ndim != 2 or S.shape[0] < 1 or S.shape[1] < 1:
        raise ValueError(f"S must have shape (T, K) with T, K >= 1, got {S.shape}")
    T, K = S.shape
    U = _check_orthonormal(U, "U")
    V = _check_orthonormal(V, "V")
    if U.shape[1] != K or V.shape[1] != K:
        raise ValueError(
            f"U and V must have K = {K} columns (from S), got U {U.shape} and V {V.shape}"
        )
    n_in = V.shape[0]
    P = check_positive_int(P, "P")
    if P < T * n_in:
        raise ValueError(
            f"P={P} is too small to whiten exactly: need P >= T*Nx = {T * n_in}"
        )
    X = whiten(rng.standard_normal((P, T * n_in))).reshape(P, T, n_in)
    Y = np.einsum("ok,tk,ik,pti->po", U, S, V, X)
    return Task(X=X, Y=Y, U=U.copy(), V=V.copy(), S=S.copy())


def loss_at_lengths(
    Wx,
    Wh,
    Wy,
    U,
    V,
    kind: str,
    delta,
    lam,
    T_tests,
    rng: np.random.Generator,
    P: int | None = None,
):
    """Full-matrix loss of fixed weights on the same task family at other lengths.

    For each ``T'`` in ``T_tests`` a fresh task ``s_{α,t} = δ_α f(λ_α, t)``,
    ``t = 1..T'``, with the given singular vectors and new whitened inputs is
    built (:func:`make_task_with_vectors`) and :func:`lrnn_utils.model.loss`
    is evaluated on it.

    Parameters
    ----------
    Wx, Wh, Wy : array_like
        Weights (e.g. the end of a training run at another length).
    U, V : array_like
        Singular vectors of the task family (``task.U``, ``task.V``).
    kind : {"constant", "inverse_exponential", "exponential"}
    delta, lam : float or array_like of shape (K,)
        Scale and dynamics per mode.
    T_tests : int or array_like of int
        Test lengths.
    rng : numpy.random.Generator
    P : int, optional
        Trajectories per test task (default ``T' * Nx``, the minimum for exact whitening).

    Returns
    -------
    numpy.ndarray
        Shape of ``T_tests``.
    """
    _check_kind(kind)
    U = _check_orthonormal(U, "U")
    K = U.shape[1]
    delta = np.broadcast_to(as_finite_array(delta, "delta"), (K,))
    lam = np.broadcast_to(as_finite_array(lam, "lam"), (K,))
    T_arr = np.asarray(T_tests)
    out = np.empty(T_arr.size)
    for j, Tt in enumerate(T_arr.ravel()):
        Tt = check_positive_int(Tt, "T_test")
        S = task_singular_values(kind, Tt, delta, lam).T  # (T', K)
        n_in = np.asarray(V).shape[0]
        Pj = Tt * n_in if P is None else check_positive_int(P, "P")
        task = make_task_with_vectors(S, U, V, Pj, rng)
        out[j] = model.loss(Wx, Wh, Wy, task.X, task.Y)
    return out.reshape(T_arr.shape)


def balanced_solution(kind: str, delta, lam, T: int):
    """Balanced zero-loss modes ``(a*, b*, c*)`` with ``a* c* = u*`` and ``|a*| = |c*|``.

    Uses :func:`lrnn_utils.theory.global_solution`;
    ``a* = sqrt|u*|``, ``c* = sign(u*) sqrt|u*|``.

    Returns
    -------
    (a, b, c) : tuple of numpy.ndarray
        Broadcast shape of ``delta`` and ``lam``.
    """
    b, u = global_solution(kind, delta, lam, T)
    a = np.sqrt(np.abs(u))
    c = np.where(u < 0, -a, a)
    return a, b, c


def solution_weights(kind: str, delta, lam, T_train: int, T_test: int) -> np.ndarray:
    """Input weights ``u* b*^{T'−t}`` (t = 1..T') of the zero-loss solution for ``T_train`` run at ``T_test``.

    The network's output at length ``T'`` is ``Σ_t c b^{T'−t} a x_t``; these are
    the coefficients, to be compared with the task's ``s_t = δ f(λ, t)``.

    Returns
    -------
    numpy.ndarray, shape ``broadcast(delta, lam) + (T_test,)``
    """
    T_test = check_positive_int(T_test, "T_test")
    b, u = global_solution(kind, delta, lam, T_train)
    return u[..., None] * decay_powers(b, T_test)


@dataclass(frozen=True)
class EnergyMinimum:
    """Result of :func:`minimise_energy`.

    Attributes
    ----------
    u, b, energy : float
        Best product ``ac``, recurrent mode and energy found.
    starts : ndarray, shape (n,)
        Initial ``b`` of each local search.
    energies : ndarray, shape (n,)
        Final energy of each local search.
    b_finals : ndarray, shape (n,)
        Final ``b`` of each local search.
    """

    u: float
    b: float
    energy: float
    starts: np.ndarray
    energies: np.ndarray
    b_finals: np.ndarray


def minimise_energy(s, b_starts=None, b_bound: float = 10.0) -> EnergyMinimum:
    """Minimise ``E(u, b) = ½ Σ_i (s_i − u b^{T−i})²`` numerically from several starts.

    Each local search is L-BFGS-B (``scipy.optimize.minimize``) with the
    exact gradient, over ``(u, b)`` with ``|b| <= b_bound``; it starts at
    ``b0`` and ``u0 = optimal_u(b0, s)``.

    Parameters
    ----------
    s : array_like, shape (T,)
        One mode's singular values.
    b_starts : array_like, optional
        Initial values of ``b`` (default ``linspace(-2, 2, 9)``).
    b_bound : float, default 10
        Box constraint on ``|b|``.  A best ``b`` on the bound signals that the
        infimum is approached only as ``|b| → ∞`` (e.g. a first-step Dirac).

    Returns
    -------
    EnergyMinimum
    """
    from scipy.optimize import minimize

    s = as_finite_array(s, "s", ndim=1)
    T = s.size
    if T < 1:
        raise ValueError("s must contain at least one value")
    b_bound = float(b_bound)
    if not np.isfinite(b_bound) or b_bound <= 0:
        raise ValueError(f"b_bound must be a positive finite number, got {b_bound}")
    starts = (
        np.linspace(-2.0, 2.0, 9)
        if b_starts is None
        else as_finite_array(b_starts, "b_starts", ndim=1)
    )
    if starts.size == 0:
        raise ValueError("b_starts must not be empty")
    if np.any(np.abs(starts) > b_bound):
        raise ValueError("every b start must satisfy |b| <= b_bound")
    k = np.arange(T - 1, -1, -1, dtype=float)

    def fun(x):
        u, b = x
        g = b**k
        dg = k * b ** np.maximum(k - 1, 0)
        r = s - u * g
        return 0.5 * float(r @ r), np.array([-(g @ r), -u * (dg @ r)])

    res_u, res_b, res_E = [], [], []
    for b0 in starts:
        u0 = float(optimal_u(b0, s))
        r = minimize(
            fun,
            x0=[u0, b0],
            jac=True,
            method="L-BFGS-B",
            bounds=[(None, None), (-b_bound, b_bound)],
            options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 5000},
        )
        res_u.append(r.x[0])
        res_b.append(r.x[1])
        res_E.append(r.fun)
    res_E = np.asarray(res_E)
    j = int(np.argmin(res_E))
    return EnergyMinimum(
        u=float(res_u[j]),
        b=float(res_b[j]),
        energy=float(res_E[j]),
        starts=starts.copy(),
        energies=res_E,
        b_finals=np.asarray(res_b),
    )


# ----------------------------------------------------------------------------
# curvature at a solution
# ----------------------------------------------------------------------------


def energy_hessian(a, b, c, s) -> np.ndarray:
    """Exact Hessian of ``E = ½ Σ_i (s_i − c b^{T−i} a)²`` in ``(a, b, c)``.

    Parameters
    ----------
    a, b, c : float or array_like
        Broadcast against ``s.shape[:-1]``.
    s : array_like, shape (..., T)

    Returns
    -------
    numpy.ndarray, shape ``broadcast + (3, 3)``
        Order of variables: ``a, b, c``.
    """
    s = as_finite_array(s, "s", min_ndim=1)
    a = as_finite_array(a, "a")
    b = as_finite_array(b, "b")
    c = as_finite_array(c, "c")
    shape = np.broadcast_shapes(a.shape, b.shape, c.shape, s.shape[:-1])
    a, b, c = (np.broadcast_to(x, shape)[..., None] for x in (a, b, c))
    T = s.shape[-1]
    k = np.arange(T - 1, -1, -1, dtype=float)
    p0 = b**k
    p1 = k * b ** np.maximum(k - 1, 0)
    p2 = k * (k - 1) * b ** np.maximum(k - 2, 0)
    r = s - a * c * p0  # residual
    # m_k = a c b^k ; gradient and Hessian of m
    ma, mb, mc = c * p0, a * c * p1, a * p0
    mab, mac, mbc, mbb = c * p1, p0, a * p1, a * c * p2
    H = np.empty(shape + (3, 3))
    H[..., 0, 0] = np.sum(ma * ma, -1)
    H[..., 1, 1] = np.sum(mb * mb - r * mbb, -1)
    H[..., 2, 2] = np.sum(mc * mc, -1)
    H[..., 0, 1] = H[..., 1, 0] = np.sum(ma * mb - r * mab, -1)
    H[..., 0, 2] = H[..., 2, 0] = np.sum(ma * mc - r * mac, -1)
    H[..., 1, 2] = H[..., 2, 1] = np.sum(mb * mc - r * mbc, -1)
    return H


def sharpness(a, b, c, s) -> np.ndarray:
    """Largest eigenvalue of :func:`energy_hessian` (the curvature gradient descent feels)."""
    return np.linalg.eigvalsh(energy_hessian(a, b, c, s))[..., -1]


def max_stable_lr(a, b, c, s) -> np.ndarray:
    """``2 / sharpness``: gradient descent with a larger rate cannot settle at this point.

    Near a minimum, the Euler step multiplies a deviation along the top
    Hessian eigenvector by ``1 − η λ_max``; for ``η > 2/λ_max`` that factor
    is below −1 and the deviation grows.
    """
    lam = sharpness(a, b, c, s)
    with np.errstate(divide="ignore"):
        return np.where(lam > 0, 2.0 / lam, np.inf)


def linearised_gradient_norm(a, b, c, s, db: float) -> np.ndarray:
    """First-order gradient norm after moving ``b`` by ``db`` from ``(a, b, c)``.

    At a zero-loss point the gradient vanishes; after the perturbation it is
    ``H (0, db, 0)ᵀ + O(db²)`` with ``H`` the :func:`energy_hessian`, so its
    norm is ``|db| · ‖H[:, 1]‖``.
    """
    db = check_finite_scalar(db, "db")
    H = energy_hessian(a, b, c, s)
    return abs(db) * np.linalg.norm(H[..., :, 1], axis=-1)


@dataclass(frozen=True)
class TrainingOutcome:
    """Result of :func:`training_outcome`.

    Attributes
    ----------
    status : {"converged", "stalled", "diverged"}
    energy : float
        Final energy (``inf`` if diverged).
    step : int
        Number of steps run (the divergence step if diverged).
    """

    status: str
    energy: float
    step: int


def training_outcome(
    s, lr: float, steps: int, a0=0.1, b0=0.1, c0=0.1, tol: float = 1e-8
) -> TrainingOutcome:
    """Run mode gradient descent on one mode and classify the result.

    ``"converged"`` if the final energy is below ``tol``, ``"diverged"`` if
    :func:`lrnn_utils.theory.simulate_modes` raises
    :class:`~lrnn_utils.TrainingDivergedError`, otherwise ``"stalled"``
    (finite but not fitted, e.g. bouncing around a minimum that is too sharp
    for the learning rate).

    Parameters
    ----------
    s : array_like, shape (T,)
        Singular values of the mode.
    lr : float
    steps : int
    a0, b0, c0 : float, default 0.1
        Initial modes.
    tol : float, default 1e-8

    Returns
    -------
    TrainingOutcome
    """
    s = as_finite_array(s, "s", ndim=1)
    tol = check_finite_scalar(tol, "tol", positive=True)
    try:
        tr = simulate_modes(
            a0, b0, c0, s, lr=lr, steps=steps, record_every=max(int(steps), 1)
        )
    except TrainingDivergedError as err:
        return TrainingOutcome("diverged", float("inf"), err.step)
    E = float(tr.energy[-1])
    return TrainingOutcome("converged" if E < tol else "stalled", E, int(tr.steps[-1]))


# ----------------------------------------------------------------------------
# growth of hidden states and gradients
# ----------------------------------------------------------------------------


def hidden_power(a, b, T: int) -> np.ndarray:
    """Mean squared hidden activity of one mode under whitened input.

    With ``h_{t+1} = b h_t + a x_t``, ``h_1 = 0`` and inputs that are
    exactly white over time, ``(1/P) Σ_p h_t² = a² Σ_{k=0}^{t−2} b^{2k}``
    (``= a² (1 − b^{2(t−1)})/(1 − b²)`` for ``b² ≠ 1``).

    Parameters
    ----------
    a, b : float or array_like
        Broadcast together.
    T : int
        Sequence length; states ``h_1 .. h_{T+1}`` are returned.

    Returns
    -------
    numpy.ndarray, shape ``broadcast(a, b) + (T + 1,)``
        Entry ``[..., t-1]`` is the power of ``h_t``.
    """
    a = as_finite_array(a, "a")
    b = as_finite_array(b, "b")
    T = check_positive_int(T, "T")
    a, b = np.broadcast_arrays(a, b)
    k = np.arange(T, dtype=float)
    terms = b[..., None] ** (2 * k)  # b^{2k}, k = 0..T-1
    cum = np.concatenate([np.zeros(b.shape + (1,)), np.cumsum(terms, axis=-1)], axis=-1)
    return a[..., None] ** 2 * cum


def mode_gradient_norm(a, b, c, s) -> np.ndarray:
    """Euclidean norm ``sqrt((∂E/∂a)² + (∂E/∂b)² + (∂E/∂c)²)`` of each mode.

    For aligned weights the full-matrix gradient is aligned as well, so
    ``‖∇L‖_F² = Σ_α`` (this quantity)² over the modes α.
    """
    da, db, dc = mode_gradients(a, b, c, s)
    return np.sqrt(da**2 + db**2 + dc**2)


def gradient_norm(Wx, Wh, Wy, X, Y) -> float:
    """Frobenius norm of the BPTT gradient of the loss w.r.t. all three matrices."""
    g = model.gradients(Wx, Wh, Wy, X, Y)
    return float(np.sqrt(sum(np.sum(x**2) for x in g)))
