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

from . import model, theory
from ._validation import (
    as_finite_array,
    check_finite_scalar,
    check_positive_int,
    check_rng,
)
from .tasks import check_kind, make_task, task_singular_values
from .theory import optimal_u, time_lags

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
    check_kind(kind)
    check_rng(rng)
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
# curvature at a solution: implemented in lrnn_utils.theory (mode theory), re-exported
# here ONLY because the chapter notebooks call ``stability.<name>``; the rename
# follows in phase 2 of issue 16.  Same function objects, not wrappers.
# ----------------------------------------------------------------------------

energy_hessian = theory.energy_hessian
hessian_parts = theory.hessian_parts
max_stable_lr = theory.max_stable_lr
sharpness = theory.sharpness
