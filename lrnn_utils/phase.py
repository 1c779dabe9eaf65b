"""Infrastructure of chapter 5: energy landscapes, grid training, critical-β scans.

The chapter derives the effective regularization (Lemma 3.2) and the Landau
analysis of the Dirac task (App. H); this module holds what is not the lesson:
evaluating the energy terms on grids, training whole parameter grids of modes at
once with a stated convergence criterion, and reading critical values off scans.
Every function broadcasts over modes and grids (``s`` has shape ``(..., T)``).
"""

from __future__ import annotations

import numpy as np

from ._validation import (
    as_finite_array,
    check_finite_scalar,
)
from .tasks import dirac_singular_values
from .theory import (
    check_modes,
    decay_powers,
    effective_energy,
)
from .theory import regularization_term as _regularization_term

__all__ = [
    "energy_terms",
    "landscape",
    "observed_critical",
    "brute_force_critical_beta",
]


def energy_terms(a, b, c, s):
    """Data-driven and regularization terms of the energy (Lemma 3.2, τ = 1).

    ``D = ½ Σ_i (s_i² − 2 s_i c b^{T−i} a)`` and
    ``R = ½ c² a² Σ_{k=0}^{T−1} b^{2k}``; their sum is the energy (eq. 8).

    Parameters
    ----------
    a, b, c : float or array_like
        Broadcast against ``s.shape[:-1]``.
    s : array_like, shape (..., T)

    Returns
    -------
    (D, R) : tuple of numpy.ndarray
        Each of the broadcast mode shape.

    Examples
    --------
    >>> D, R = energy_terms(1.0, 0.5, 1.0, [1.0, 1.0])
    >>> float(D), float(R), float(D + R)
    (-0.5, 0.625, 0.125)
    """
    a, b, c, s, shape = check_modes(a, b, c, s)
    pw = decay_powers(np.broadcast_to(b, shape), s.shape[-1])
    D = 0.5 * np.sum(s**2 - 2.0 * s * (c * a)[..., None] * pw, axis=-1)
    R = _regularization_term(a, b, c, s.shape[-1])
    return np.broadcast_to(D, shape).copy(), np.broadcast_to(R, shape).copy()


def landscape(b, u, s):
    """Energy terms over a grid of recurrent modes ``b`` and products ``u = ac``.

    Parameters
    ----------
    b, u : array_like, 1-D
        Grid axes.
    s : array_like, shape (T,)
        One task.

    Returns
    -------
    (D, R, E) : tuple of numpy.ndarray, each of shape ``(len(u), len(b))``
        Data-driven term, regularization term and energy ``E = D + R``.

    Examples
    --------
    >>> D, R, E = landscape([0.0, 1.0], [0.0, 1.0, 2.0], [1.0, 1.0])
    >>> E.shape, float(E.min())
    ((3, 2), 0.0)
    """
    b = as_finite_array(b, "b", ndim=1)
    u = as_finite_array(u, "u", ndim=1)
    s = as_finite_array(s, "s", ndim=1)
    D, R = energy_terms(u[:, None], b[None, :], 1.0, s)
    return D, R, D + R








def observed_critical(param, b_final, threshold: float = 0.5):
    """First parameter value at which the learned ``|b|`` exceeds ``threshold``.

    Parameters
    ----------
    param : array_like, shape (n,)
        Increasing control parameter (e.g. β) along the last axis of ``b_final``.
    b_final : array_like, shape (..., n)
        Learned recurrent modes.
    threshold : float, default 0.5

    Returns
    -------
    numpy.ndarray, shape ``b_final.shape[:-1]``
        ``param[k]`` for the first ``k`` with ``|b| > threshold``; NaN if none.

    Examples
    --------
    >>> observed_critical([0.5, 1.0, 1.5], [[0.0, 0.9, 1.2], [0.0, 0.1, 0.2]])
    array([ 1., nan])
    """
    param = as_finite_array(param, "param", ndim=1)
    b_final = as_finite_array(b_final, "b_final", min_ndim=1)
    if b_final.shape[-1] != param.size:
        raise ValueError(
            f"b_final's last axis ({b_final.shape[-1]}) must match param ({param.size})"
        )
    if np.any(np.diff(param) <= 0):
        raise ValueError("param must be strictly increasing")
    above = np.abs(b_final) > check_finite_scalar(threshold, "threshold", True)
    first = np.argmax(above, axis=-1)
    return np.where(above.any(axis=-1), param[first], np.nan)


def brute_force_critical_beta(T: int, beta, b):
    """Smallest β on a grid at which some grid ``b ≠ 0`` beats ``b = 0`` energetically.

    For the Dirac task ``s_1 = β``, ``s_T = 1/β`` the effective energy
    ``E*(b) = min_u E`` is evaluated on the grid ``b`` and compared with
    ``E*(0)``; a check of :func:`lrnn_utils.theory.landau_critical_beta`.

    Parameters
    ----------
    T : int
        Trajectory length (``>= 2``).
    beta : array_like, shape (m,)
        Increasing β grid.
    b : array_like, shape (n,)
        Recurrent modes to try (zeros are ignored).

    Returns
    -------
    float
        The first β of the grid with ``min_b E*(b) < E*(0)``; NaN if none.

    Examples
    --------
    >>> beta = np.linspace(0.5, 1.0, 51)
    >>> round(brute_force_critical_beta(3, beta, np.linspace(1e-3, 3, 3000)), 2)
    0.71
    """
    beta = as_finite_array(beta, "beta", ndim=1)
    b = as_finite_array(b, "b", ndim=1)
    for name, grid in (("beta", beta), ("b", b)):
        if grid.size == 0:
            raise ValueError(f"{name} must not be empty")
    b = b[b != 0]
    s = dirac_singular_values(T, beta, 1.0 / beta)
    E0 = effective_energy(0.0, s)
    E = effective_energy(b[:, None], s[None])
    wins = np.any(E < E0 * (1 - 1e-12), axis=0)
    return float(beta[np.argmax(wins)]) if wins.any() else float("nan")
