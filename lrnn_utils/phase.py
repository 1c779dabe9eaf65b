"""Infrastructure of chapter 5: energy landscapes, grid training, critical-β scans.

The chapter derives the effective regularization (Lemma 3.2) and the Landau
analysis of the Dirac task (App. H); this module holds what is not the lesson:
evaluating the energy terms on grids, training whole parameter grids of modes at
once with a stated convergence criterion, and reading critical values off scans.
Every function broadcasts over modes and grids (``s`` has shape ``(..., T)``).
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
    record_steps,
)
from .tasks import dirac_singular_values
from .theory import (
    ModeTrajectory,
    check_modes,
    decay_powers,
    effective_energy,
    flows,
)
from .theory import regularization_term as _regularization_term

__all__ = [
    "energy_terms",
    "landscape",
    "ModeFit",
    "train_modes",
    "mode_path",
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


@dataclass(frozen=True)
class ModeFit:
    """Result of :func:`train_modes`.

    Attributes
    ----------
    a, b, c : ndarray
        Final mode values (broadcast mode shape).
    grad_norm : ndarray
        ``max(|∂E/∂a|, |∂E/∂b|, |∂E/∂c|)`` at the final values.
    converged : ndarray of bool
        ``grad_norm < tol``.
    steps : int
        Number of Euler steps taken.
    tol : float
        The convergence tolerance used.
    """

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    grad_norm: np.ndarray
    converged: np.ndarray
    steps: int
    tol: float

    @property
    def u(self) -> np.ndarray:
        """The input-output product ``u = a c``."""
        return self.a * self.c


def train_modes(
    a0, b0, c0, s, lr: float, max_steps: int, tol: float = 1e-8, check_every: int = 500
) -> ModeFit:
    """Gradient descent on the mode energy for a whole grid, with a stopping rule.

    Euler steps ``x ← x + lr · ẋ`` of the mode equations (as
    :func:`lrnn_utils.theory.simulate_modes`), all grid points at once.  Every
    ``check_every`` steps the largest gradient component of each point is
    measured; training stops when every point has ``grad_norm < tol`` or after
    ``max_steps``.  Points that have not met the criterion are reported, not
    hidden (``converged`` is False there).

    Parameters
    ----------
    a0, b0, c0 : float or array_like
        Initial values, broadcast against ``s.shape[:-1]``.
    s : array_like, shape (..., T)
    lr : float
        Learning rate (> 0).
    max_steps : int
        Step budget (``>= 0``).
    tol : float, default 1e-8
        Convergence tolerance on the largest gradient component.
    check_every : int, default 500

    Returns
    -------
    ModeFit

    Raises
    ------
    ValueError
        Bad shapes or non-positive ``lr``/``tol``.
    TrainingDivergedError
        When a mode becomes non-finite or exceeds 1e150 (the message names the step).

    Examples
    --------
    >>> fit = train_modes(0.5, 0.5, 0.5, [[0.25, 0.5, 1.0]], lr=0.1, max_steps=20000)
    >>> bool(fit.converged.all()), round(float(fit.b[0]), 6), round(float(fit.u[0]), 6)
    (True, 0.5, 1.0)
    """
    a, b, c, s, shape = check_modes(a0, b0, c0, s, names=("a0", "b0", "c0"))
    lr = check_finite_scalar(lr, "lr", positive=True)
    tol = check_finite_scalar(tol, "tol", positive=True)
    max_steps = check_positive_int(max_steps, "max_steps", minimum=0)
    check_every = check_positive_int(check_every, "check_every")
    a, b, c = (np.broadcast_to(x, shape).astype(float) for x in (a, b, c))
    hint = "try a smaller learning rate"
    step = 0
    while True:
        with np.errstate(over="ignore", invalid="ignore"):
            da, db, dc = flows(a, b, c, s)
        if step % check_every == 0 or step == max_steps:
            g = np.maximum(np.abs(da), np.maximum(np.abs(db), np.abs(dc)))
            if np.all(g < tol) or step == max_steps:
                break
        a, b, c = a + lr * da, b + lr * db, c + lr * dc
        step += 1
        check_diverged(step, hint, a=a, b=b, c=c)
    return ModeFit(a=a, b=b, c=c, grad_norm=g, converged=g < tol, steps=step, tol=tol)


def mode_path(
    a0: float, b0: float, c0: float, s, lr: float, steps: int, record_every: int = 1
) -> ModeTrajectory:
    """Euler path of one mode in plain floats, for interactive figures.

    The same updates and records as :func:`lrnn_utils.theory.simulate_modes` for
    scalar initial values and one task, without the per-step array overhead
    (several times faster for a single mode).

    Parameters
    ----------
    a0, b0, c0 : float
        Initial mode values.
    s : array_like, shape (T,)
        One task.
    lr : float
        Learning rate (> 0).
    steps : int
        Number of Euler steps (``>= 0``).
    record_every : int, default 1
        Record every ``record_every`` steps (step 0 and the last step always).

    Returns
    -------
    lrnn_utils.theory.ModeTrajectory

    Raises
    ------
    ValueError
        Bad ``s`` shape, non-positive ``lr`` or ``record_every``.
    TrainingDivergedError
        When a mode becomes non-finite or exceeds 1e150 (the message names the step).

    Examples
    --------
    >>> path = mode_path(0.5, 0.5, 0.5, [0.25, 0.5, 1.0], 0.1, 3000, record_every=1000)
    >>> path.steps.tolist(), round(float(path.b[-1]), 6), round(float(path.u[-1]), 6)
    ([0, 1000, 2000, 3000], 0.5, 1.0)
    """
    a, b, c = (
        check_finite_scalar(x, n) for x, n in ((a0, "a0"), (b0, "b0"), (c0, "c0"))
    )
    s_list = [float(x) for x in as_finite_array(s, "s", ndim=1)]
    if not s_list:
        raise ValueError("s must hold at least one singular value")
    lr = check_finite_scalar(lr, "lr", positive=True)
    rec = record_steps(steps, record_every)
    lags = list(range(len(s_list) - 1, -1, -1))  # T - i for i = 1..T
    out = np.empty((4, rec.size))
    j = 0
    for step in range(int(rec[-1]) + 1):
        try:
            pw = [b**k for k in lags]
        except OverflowError:
            raise TrainingDivergedError(
                step, "b", "try a smaller learning rate"
            ) from None
        u = a * c
        r = [si - u * p for si, p in zip(s_list, pw)]
        if step == rec[j]:
            out[:, j] = a, b, c, 0.5 * sum(x * x for x in r)
            j += 1
        if step == rec[-1]:
            break
        g = sum(p * x for p, x in zip(pw, r))
        gb = sum(k * pk * x for k, pk, x in zip(lags[:-1], pw[1:], r))  # d b^k / db
        a, b, c = a + lr * c * g, b + lr * u * gb, c + lr * a * g
        if not max(abs(a), abs(b), abs(c)) <= DIVERGENCE_LIMIT:
            check_diverged(step + 1, "try a smaller learning rate", a=a, b=b, c=c)
    return ModeTrajectory(steps=rec, a=out[0], b=out[1], c=out[2], energy=out[3])


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
