"""Stability and extrapolation of zero-loss solutions (paper Sec. 3.3, App. F).

Infrastructure for chapter 4 of the book; the lesson itself (the zero-loss
solutions, the stable-learning-rate rule, the extrapolation loss) is written out in
the chapter:

* the full-matrix loss of fixed weights on the same task family at other lengths
  (:func:`loss_at_lengths`, a sweep over test lengths);
* the best a single mode can do on an arbitrary singular-value profile
  (:func:`minimise_energy`, a multi-start minimiser);
* the reference Hessian of the energy and the learning-rate limit it sets
  (:func:`hessian_parts`, :func:`energy_hessian`, :func:`sharpness`,
  :func:`max_stable_lr`), vectorised over modes and parameter grids; the exercise
  checks compare against them.

Conventions are those of :mod:`lrnn_utils.theory`: for one mode with
singular values ``s_1 .. s_T`` (last axis of ``s``) the energy is
``E = ½ Σ_i (s_i − c b^{T−i} a)²`` and only the product ``u = ac`` and ``b``
enter the loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import model
from ._validation import as_finite_array, check_finite_scalar, check_positive_int
from .tasks import _check_kind, _check_rng, make_task, task_singular_values
from .theory import _prepare, optimal_u, time_lags

__all__ = [
    "loss_at_lengths",
    "EnergyMinimum",
    "minimise_energy",
    "hessian_parts",
    "energy_hessian",
    "sharpness",
    "max_stable_lr",
]


# ----------------------------------------------------------------------------
# tasks at other lengths and the loss / energy relation
# ----------------------------------------------------------------------------


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
    built (:func:`lrnn_utils.tasks.make_task` with ``U`` and ``V`` given) and
    :func:`lrnn_utils.model.loss` is evaluated on it.

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
        Trajectories per test task (default ``T' * Nx``, the minimum for exact
        whitening).

    Returns
    -------
    numpy.ndarray
        Shape of ``T_tests``.
    """
    _check_kind(kind)
    _check_rng(rng)
    U = as_finite_array(U, "U", ndim=2)
    V = as_finite_array(V, "V", ndim=2)
    K = U.shape[1]
    delta = np.broadcast_to(as_finite_array(delta, "delta"), (K,))
    lam = np.broadcast_to(as_finite_array(lam, "lam"), (K,))
    T_arr = np.asarray(T_tests)
    out = np.empty(T_arr.size)
    for j, Tt in enumerate(T_arr.ravel()):
        Tt = check_positive_int(Tt, "T_tests")
        S = task_singular_values(kind, Tt, delta, lam).T  # (T', K)
        n_in = V.shape[0]
        Pj = Tt * n_in if P is None else check_positive_int(P, "P")
        task = make_task(S, Pj, rng, U=U, V=V)
        out[j] = model.loss(Wx, Wh, Wy, task.X, task.Y)
    return out.reshape(T_arr.shape)


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
    b_bound = check_finite_scalar(b_bound, "b_bound", positive=True)
    starts = (
        np.linspace(-2.0, 2.0, 9)
        if b_starts is None
        else as_finite_array(b_starts, "b_starts", ndim=1)
    )
    if starts.size == 0:
        raise ValueError("b_starts must not be empty")
    if np.any(np.abs(starts) > b_bound):
        raise ValueError("every b start must satisfy |b| <= b_bound")
    k = time_lags(T)

    def fun(x):
        u, b = x
        g = b**k
        dg = k * b ** np.maximum(k - 1, 0)
        r = s - u * g
        return 0.5 * float(r @ r), np.array([-(g @ r), -u * (dg @ r)])

    res_u, res_b, res_E = [], [], []
    # the box corners are candidates too: on a slope that flattens towards the box the
    # local searches stop wherever the tolerances are met, which depends on rounding
    for b_edge in (-b_bound, b_bound):
        u_edge = float(optimal_u(b_edge, s))
        res_u.append(u_edge)
        res_b.append(b_edge)
        res_E.append(fun([u_edge, b_edge])[0])
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
    # ties up to rounding (E(u, b) = E(-u, -b) for a profile with s_i = 0 at every odd
    # lag, say) go to the largest b, so the answer does not depend on the BLAS kernel
    tie = res_E <= res_E.min() * (1 + 1e-9)
    j = int(np.flatnonzero(tie)[np.argmax(np.asarray(res_b)[tie])])
    return EnergyMinimum(
        u=float(res_u[j]),
        b=float(res_b[j]),
        energy=float(res_E[j]),
        starts=starts.copy(),
        energies=res_E[2:],  # the local searches, one per start
        b_finals=np.asarray(res_b[2:]),
    )


# ----------------------------------------------------------------------------
# curvature at a solution
# ----------------------------------------------------------------------------


def hessian_parts(a, b, c, s):
    """The two parts of the energy's Hessian: ``H = G − R``.

    With ``m_i = c a b^{T−i}`` the model's weight on input ``i`` and ``r_i = s_i − m_i``
    its residual, ``G = Σ_i ∇m_i ∇m_iᵀ`` is the Gauss–Newton part and
    ``R = Σ_i r_i ∇²m_i`` the residual part (gradients in ``(a, b, c)``).  ``R``
    vanishes at a zero-loss point.

    Parameters
    ----------
    a, b, c : float or array_like
        Broadcast against ``s.shape[:-1]``.
    s : array_like, shape (..., T)

    Returns
    -------
    (G, R) : tuple of numpy.ndarray
        Each of shape ``broadcast + (3, 3)``; order of variables ``a, b, c``.

    Examples
    --------
    >>> G, R = hessian_parts(1.0, 0.5, 1.0, np.array([0.5, 1.0]))  # zero loss
    >>> bool(np.all(R == 0))
    True
    """
    a, b, c, s, shape = _prepare(a, b, c, s)
    a, b, c = (np.broadcast_to(x, shape)[..., None] for x in (a, b, c))
    k = time_lags(s.shape[-1])
    p0 = b**k
    p1 = k * b ** np.maximum(k - 1, 0)
    p2 = k * (k - 1) * b ** np.maximum(k - 2, 0)
    r = s - a * c * p0  # residual
    grad = np.stack(np.broadcast_arrays(c * p0, a * c * p1, a * p0), axis=-2)
    G = np.einsum("...it,...jt->...ij", grad, grad)
    R = np.zeros(shape + (3, 3))
    R[..., 1, 1] = np.sum(r * a * c * p2, -1)
    R[..., 0, 1] = R[..., 1, 0] = np.sum(r * c * p1, -1)
    R[..., 0, 2] = R[..., 2, 0] = np.sum(r * p0, -1)
    R[..., 1, 2] = R[..., 2, 1] = np.sum(r * a * p1, -1)
    return G, R


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
        Order of variables: ``a, b, c``; ``H = G − R`` of :func:`hessian_parts`.

    Examples
    --------
    At the zero-loss solution of a constant task (``a = c = 1``, ``b = 1``, ``T = 2``)
    the residual part vanishes:

    >>> energy_hessian(1.0, 1.0, 1.0, np.ones(2))
    array([[2., 1., 2.],
           [1., 1., 1.],
           [2., 1., 2.]])
    """
    G, R = hessian_parts(a, b, c, s)
    return G - R


def sharpness(a, b, c, s) -> np.ndarray:
    """Largest eigenvalue of :func:`energy_hessian` (the sharpness).

    Examples
    --------
    >>> round(float(sharpness(1.0, 1.0, 1.0, np.ones(2))), 6)
    4.561553
    """
    return np.linalg.eigvalsh(energy_hessian(a, b, c, s))[..., -1]


def max_stable_lr(a, b, c, s) -> np.ndarray:
    """``2 / sharpness``: gradient descent with a larger rate cannot settle here.

    Near a minimum, the Euler step multiplies a deviation along the top
    Hessian eigenvector by ``1 − η λ_max``; for ``η > 2/λ_max`` that factor
    is below −1 and the deviation grows.  Where ``λ_max <= 0`` there is no
    limit and ``inf`` is returned.

    Examples
    --------
    >>> round(float(max_stable_lr(1.0, 1.0, 1.0, np.ones(2))), 6)
    0.438447
    >>> float(max_stable_lr(0.0, 0.0, 0.0, np.zeros(3)))
    inf
    """
    lam = sharpness(a, b, c, s)
    with np.errstate(divide="ignore"):
        return np.where(lam > 0, 2.0 / lam, np.inf)
