"""Learning speed and learning order of the connectivity modes (Sec. 3.2, App. C-E).

Infrastructure for chapter 3 of the book (the lesson's own computations -- the
frozen-``b`` closed form of eq. 47, the feedforward baseline and its learning rate,
the per-time-step gradient terms -- are written in the notebooks):

* :func:`u_half_time` -- the half-learning time of ``u`` with ``b`` frozen (eq. 46);
* :func:`energy_b_derivatives` (eq 49), :func:`flow_jet_polynomials` (eqs 50-57),
  :func:`b_time_derivatives` and :func:`windowed_taylor_b` -- the local Taylor expansion
  of ``b(t)`` with ``u = ac`` frozen (App. D, eqs 48-61), applied window by window, and
  :func:`taylor_stability_limit` for the largest stable window;
* :func:`reference_b_flow` -- a tight-tolerance ODE solution of the frozen-``u`` flow;
* :func:`learning_time` -- when a learning curve first covers a fraction of its way
  (defined in :mod:`lrnn_utils.theory`, re-exported here);
* :func:`s1_crossing` and :func:`learning_order` -- the effective-singular-value
  crossing and a complete learning-order sweep (App. E, Fig. A1).

Frozen-mode training is :func:`lrnn_utils.theory.simulate_modes` with its
``trainable`` argument.

Conventions: τ = 1, so ``k`` Euler steps of size ``lr`` take training time ``t = lr·k``.
Every function broadcasts: ``s`` has shape ``(..., T)`` and ``a, b, c, u`` broadcast
against ``s.shape[:-1]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import factorial

import numpy as np

from ._validation import (
    as_finite_array,
    check_finite_scalar,
    check_positive_int,
)
from .tasks import task_singular_values
from .theory import (
    effective_singular_values,
    global_solution,
    learning_time,
    max_stable_lr,
    simulate_modes,
    time_lags,
)

__all__ = [
    "u_half_time",
    "energy_b_derivatives",
    "flow_jet_polynomials",
    "b_time_derivatives",
    "windowed_taylor_b",
    "taylor_window_factor",
    "taylor_stability_limit",
    "reference_b_flow",
    "learning_time",
    "s1_crossing",
    "LearningOrder",
    "learning_order",
]


def _check_s(s):
    s = as_finite_array(s, "s", min_ndim=1)
    if s.shape[-1] < 1:
        raise ValueError("s must have at least one time step (T >= 1) in its last axis")
    return s


def _broadcast_modes(s, **values):
    arrays = {k: as_finite_array(v, k) for k, v in values.items()}
    try:
        shape = np.broadcast_shapes(s.shape[:-1], *(v.shape for v in arrays.values()))
    except ValueError as exc:
        shapes = ", ".join(f"{k} {v.shape}" for k, v in arrays.items())
        raise ValueError(
            f"{shapes} must broadcast against s.shape[:-1] = {s.shape[:-1]}"
        ) from exc
    return shape, {
        k: np.broadcast_to(v, shape).astype(float) for k, v in arrays.items()
    }


# --------------------------------------------------------------------------------------
# App. C: effective singular values and the half-learning time of u
# --------------------------------------------------------------------------------------
def u_half_time(u0, b, s, tau: float = 1.0) -> np.ndarray:
    """Time for ``u`` to reach half its limit ``S₁/S₂`` with ``b`` frozen (from eq 46).

    Solving eq (46) for ``u(t) = S₁/(2 S₂)`` gives
    ``t_½ = τ/(2 S₁) · log(S₁/(S₂ u₀) − 1)``.  For ``T = 1`` (or ``b = 0``) this is
    the half-learning time ``log(s/u₀ − 1)/(2s)`` of a balanced two-layer linear
    network with singular value ``s``.

    Parameters
    ----------
    u0 : float or array_like
        Initial product, ``0 < u0 < S₁/(2 S₂)``.
    b : float or array_like
        Frozen recurrent mode.
    s : array_like, shape (..., T)
    tau : float, default 1

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        If ``S₁ <= 0`` (``u`` then decays) or ``u0`` is not below the half level.

    Examples
    --------
    >>> round(float(u_half_time(0.01, 0.0, [1.0])), 6)  # log(99) / 2
    2.29756
    """
    tau = check_finite_scalar(tau, "tau", positive=True)
    u0 = as_finite_array(u0, "u0")
    S1, S2 = effective_singular_values(b, s)
    if np.any(S1 <= 0):
        raise ValueError(
            "u_half_time needs S1 = sum_i b^(T-i) s_i > 0; otherwise u decays to 0"
        )
    if np.any(u0 <= 0) or np.any(u0 >= S1 / (2 * S2)):
        raise ValueError("u0 must satisfy 0 < u0 < S1/(2 S2) (below the half level)")
    return tau / (2 * S1) * np.log(S1 / (S2 * u0) - 1.0)


# --------------------------------------------------------------------------------------
# App. D: derivatives of the energy in b, and of b in training time
# --------------------------------------------------------------------------------------
def energy_b_derivatives(b, u, s, n_max: int) -> np.ndarray:
    """Derivatives ``∂ⁿE/∂bⁿ`` (n = 0..n_max) of the energy at fixed ``u = ac``.

    With ``E = ½ Σ_{i=1}^T (s_i − u b^{T−i})²`` (eq 8, τ = 1) and the falling
    factorial ``(k)_n = k (k−1) ··· (k−n+1)``,

    ``∂ⁿE/∂bⁿ = −u Σ_i (T−i)_n s_i b^{T−i−n} + ½ u² Σ_i (2T−2i)_n b^{2T−2i−n}``
    (n ≥ 1),

    which is minus the right-hand side of the paper's eq (49).  Terms whose
    falling factorial vanishes are dropped, so ``b = 0`` is handled exactly.

    Parameters
    ----------
    b, u : float or array_like
        Recurrent mode and (frozen) input-output product, broadcast against
        ``s.shape[:-1]``.
    s : array_like, shape (..., T)
    n_max : int
        Highest order, ``>= 0``.

    Returns
    -------
    numpy.ndarray, shape ``(n_max + 1,) + mode shape``
        Entry ``n`` is ``∂ⁿE/∂bⁿ``; entry 0 is ``E`` itself.

    Examples
    --------
    At a zero-loss point (``s_i = u b^{T−i}``) E and E′ vanish, E″ does not:

    >>> energy_b_derivatives(0.5, 1.0, [0.25, 0.5, 1.0], 2)
    array([0., 0., 2.])
    """
    s = _check_s(s)
    n_max = check_positive_int(n_max, "n_max", minimum=0)
    _, m = _broadcast_modes(s, b=b, u=u)
    return _energy_b_derivatives(m["b"], m["u"], s, n_max)


def _energy_b_derivatives(b, u, s, n_max):
    """:func:`energy_b_derivatives` of checked float arrays ``b``, ``u`` (one shape)."""
    shape = b.shape
    b, u = b[..., None], u[..., None]
    T = s.shape[-1]
    k = time_lags(T)  # T - i for i = 1..T
    out = np.empty((n_max + 1,) + shape)
    ff1 = np.ones(T)  # (k)_n
    ff2 = np.ones(T)  # (2k)_n
    for n in range(n_max + 1):
        p1 = np.where(ff1 != 0, b ** np.maximum(k - n, 0), 0.0)
        p2 = np.where(ff2 != 0, b ** np.maximum(2 * k - n, 0), 0.0)
        val = -u[..., 0] * np.sum(ff1 * s * p1, axis=-1) + 0.5 * u[
            ..., 0
        ] ** 2 * np.sum(ff2 * p2, axis=-1)
        if n == 0:
            val = val + 0.5 * np.sum(s**2, axis=-1)
        out[n] = val
        ff1 = ff1 * (k - n)
        ff2 = ff2 * (2 * k - n)
    return out


def flow_jet_polynomials(order: int) -> list[dict[tuple[int, ...], int]]:
    """``dⁿb/dtⁿ`` (n = 1..order) as polynomials in ``F, F′, F″, …`` for ``ḃ = F(b)``.

    Generated by the recursion of App. D (eqs 50-52),
    ``dⁿb/dtⁿ = d/db(dⁿ⁻¹b/dtⁿ⁻¹) · F``, applied to monomials with the product rule.
    Here ``F = −∂E/∂b`` and ``F^{(k)} = −∂^{k+1}E/∂b^{k+1}``.

    Parameters
    ----------
    order : int
        Highest time derivative, ``>= 1``.

    Returns
    -------
    list of dict
        Entry ``n − 1`` maps an exponent tuple ``(m_0, …, m_{order−1})`` to the
        integer coefficient of ``Π_k (F^{(k)})^{m_k}`` in ``dⁿb/dtⁿ``.  For
        example ``d²b/dt² = F′F`` is ``{(1, 1, 0, …): 1}``.

    Examples
    --------
    >>> flow_jet_polynomials(3)[2]  # d³b/dt³ = F′²F + F″F²
    {(1, 2, 0): 1, (2, 0, 1): 1}
    """
    order = check_positive_int(order, "order")
    first = tuple(1 if k == 0 else 0 for k in range(order))
    polys = [{first: 1}]
    for _ in range(order - 1):
        nxt: dict[tuple[int, ...], int] = {}
        for mono, coef in polys[-1].items():
            for k, mk in enumerate(mono):
                if mk == 0:
                    continue
                if k + 1 >= order:  # cannot happen below the requested order
                    raise RuntimeError("jet overflow")  # pragma: no cover
                new = list(mono)
                new[k] -= 1
                new[k + 1] += 1
                new[0] += 1  # the trailing factor F
                key = tuple(new)
                nxt[key] = nxt.get(key, 0) + coef * mk
        polys.append({key: c for key, c in nxt.items() if c != 0})
    return polys


@lru_cache(maxsize=16)
def _jet_polynomials(order):
    """:func:`flow_jet_polynomials` as immutable tuples, computed once per order."""
    return tuple(tuple(p.items()) for p in flow_jet_polynomials(order))


def b_time_derivatives(b, u, s, order: int) -> np.ndarray:
    """Time derivatives ``dⁿb/dtⁿ`` (n = 1..order) of the recurrent mode, ``u`` frozen.

    Evaluates the polynomials of :func:`flow_jet_polynomials` at
    ``F^{(k)}(b) = −∂^{k+1}E/∂b^{k+1}`` (from :func:`energy_b_derivatives`).

    Parameters
    ----------
    b, u : float or array_like
        Broadcast against ``s.shape[:-1]``.
    s : array_like, shape (..., T)
    order : int
        ``>= 1``.

    Returns
    -------
    numpy.ndarray, shape ``(order,) + mode shape``
        Entry ``n − 1`` is ``dⁿb/dtⁿ``.

    Examples
    --------
    >>> b_time_derivatives(0.5, 1.0, [0.25, 0.5, 1.0], 2)  # at the fixed point
    array([0., 0.])
    """
    s = _check_s(s)
    order = check_positive_int(order, "order")
    _, m = _broadcast_modes(s, b=b, u=u)
    return _b_time_derivatives(m["b"], m["u"], s, order)


def _b_time_derivatives(b, u, s, order):
    """:func:`b_time_derivatives` of checked float arrays ``b``, ``u`` (same shape)."""
    jet = -_energy_b_derivatives(b, u, s, order)[1:]  # jet[k] = F^{(k)}
    out = np.zeros((order,) + jet.shape[1:])
    for n, poly in enumerate(_jet_polynomials(order)):
        for mono, coef in poly:
            term = np.full(jet.shape[1:], float(coef))
            for k, mk in enumerate(mono):
                if mk:
                    term = term * jet[k] ** mk
            out[n] += term
    return out


def windowed_taylor_b(
    b0, u, s, window: float, n_windows: int, order: int = 5, points_per_window: int = 1
):
    """Windowed Taylor approximation of ``b(t)`` with ``u = ac`` frozen (App. D).

    In each window ``[t_k, t_k + Δ]`` the recurrent mode is approximated by its
    Taylor polynomial about the window's start,
    ``b(t_k + h) ≈ b(t_k) + Σ_{n=1}^{order} dⁿb/dtⁿ(t_k) hⁿ/n!``;
    the value at ``h = Δ`` starts the next window.  ``order = 1`` is Euler's
    method with step ``Δ``.

    Parameters
    ----------
    b0, u : float or array_like
        Initial recurrent mode and frozen product ``u``, broadcast against
        ``s.shape[:-1]``.
    s : array_like, shape (..., T)
    window : float
        Window size ``Δ > 0`` (in training time, τ = 1).
    n_windows : int
        Number of windows ``>= 1``; the approximation covers ``[0, n_windows·Δ]``.
    order : int, default 5
        Truncation order of the Taylor series (the paper uses 5).
    points_per_window : int, default 1
        Evaluation points per window (for smooth plots); the window ends are
        always included.

    Returns
    -------
    t : numpy.ndarray, shape (n_windows·points_per_window + 1,)
    b : numpy.ndarray, shape ``t.shape + mode shape``
        Once the expansion of a mode has blown up (non-finite or ``|b| > 1e150``,
        which happens when ``Δ`` is far too large) its remaining values are NaN.

    Examples
    --------
    >>> t, b = windowed_taylor_b(0.1, 1.0, [0.64, 0.8, 1.0], 0.1, 3)
    >>> t
    array([0. , 0.1, 0.2, 0.3])
    >>> b.round(4)
    array([0.1   , 0.1833, 0.2673, 0.3499])
    """
    s = _check_s(s)
    window = check_finite_scalar(window, "window", positive=True)
    n_windows = check_positive_int(n_windows, "n_windows")
    order = check_positive_int(order, "order")
    ppw = check_positive_int(points_per_window, "points_per_window")
    shape, m = _broadcast_modes(s, b0=b0, u=u)
    b, u = m["b0"].copy(), m["u"]
    h = window * np.arange(1, ppw + 1) / ppw
    powers = np.stack(
        [h**n / factorial(n) for n in range(1, order + 1)]
    )  # (order, ppw)
    t = window * np.arange(n_windows * ppw + 1) / ppw
    out = np.empty((t.size,) + shape)
    out[0] = b
    dead = np.zeros(shape, dtype=bool)
    for w in range(n_windows):
        with np.errstate(over="ignore", invalid="ignore"):
            der = _b_time_derivatives(np.where(dead, 0.0, b), u, s, order)
            vals = b[None] + np.tensordot(powers, der, axes=(0, 0)).reshape(
                (ppw,) + shape
            )
        bad = ~np.isfinite(vals) | (np.abs(np.nan_to_num(vals, nan=0.0)) > 1e150)
        dead = dead | np.any(bad, axis=0)
        vals = np.where(dead[None], np.nan, vals)
        out[1 + w * ppw : 1 + (w + 1) * ppw] = vals
        b = np.where(dead, 0.0, vals[-1])
    return t, out


def taylor_window_factor(x, order: int) -> np.ndarray:
    """Truncated exponential ``Σ_{n=0}^{order} (−x)ⁿ/n!``: one window's amplification.

    Near a stable fixed point ``b*`` a deviation obeys ``ε̇ = F′(b*) ε`` with
    ``F′(b*) < 0``; one window of length ``Δ`` of the order-``order`` Taylor
    expansion multiplies ``ε`` by this polynomial at ``x = |F′(b*)| Δ``.

    Parameters
    ----------
    x : float or array_like
        ``|F′(b*)| Δ >= 0`` (any real value is accepted).
    order : int
        Truncation order ``>= 1``.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``.

    Examples
    --------
    >>> float(taylor_window_factor(2.0, 1)), float(taylor_window_factor(2.0, 2))
    (-1.0, 1.0)
    """
    order = check_positive_int(order, "order")
    x = as_finite_array(x, "x")
    return sum((-x) ** n / factorial(n) for n in range(order + 1)) + np.zeros_like(x)


def taylor_stability_limit(order: int) -> float:
    """Largest ``x`` keeping the Taylor polynomial of ``e^{−x}`` within ``[−1, 1]``.

    The polynomial has degree ``order`` and is taken on ``[0, x]``.
    Near a stable fixed point the frozen-``u`` flow is ``ḃ ≈ F′(b*) (b − b*)`` with
    ``F′(b*) = −∂²E/∂b²(b*) < 0``; one window of the truncated Taylor expansion
    multiplies the deviation by ``Σ_{n≤order} (F′Δ)ⁿ/n!``.  The expansion is
    stable only for ``Δ ≤ x_order / |F′(b*)|`` (x = 2 for orders 1 and 2, ≈ 2.51,
    2.79 and 3.22 for orders 3, 4 and 5).  Past the limit the factor is below
    −1 for odd orders (the deviation alternates in sign) and above +1 for even
    orders (a truncated exponential of even degree is positive, so the deviation
    grows without changing sign).

    Parameters
    ----------
    order : int
        ``>= 1``.

    Returns
    -------
    float

    Examples
    --------
    >>> taylor_stability_limit(1), round(taylor_stability_limit(3), 4)
    (2.0, 2.5127)
    """
    from scipy.optimize import brentq

    order = check_positive_int(order, "order")
    coef = np.array([(-1.0) ** n / factorial(n) for n in range(order + 1)])

    def excess(x):
        return abs(np.polyval(coef[::-1], x)) - 1.0

    xs = np.linspace(1e-6, 10.0, 20001)
    vals = np.abs(np.polyval(coef[::-1], xs)) - 1.0  # excess(xs), vectorised
    j = int(np.argmax(vals > 0))
    return float(brentq(excess, xs[j - 1], xs[j], xtol=1e-14))


def reference_b_flow(
    b0, u, s, t_eval, rtol: float = 1e-11, atol: float = 1e-13
) -> np.ndarray:
    """Accurate solution of the frozen-``u`` flow ``ḃ = −∂E/∂b`` (eq 6 with ``ac = u``).

    Integrates all modes at once with :func:`scipy.integrate.solve_ivp` (DOP853)
    at tight tolerances; a reference free of Euler (``O(lr)``) error.

    Parameters
    ----------
    b0, u : float or array_like
        Broadcast against ``s.shape[:-1]``.
    s : array_like, shape (..., T)
    t_eval : array_like, shape (n,)
        Non-decreasing times ``>= 0``, starting at 0 is not required.
    rtol, atol : float
        Tolerances passed to ``solve_ivp``.

    Returns
    -------
    numpy.ndarray, shape ``(n,) + mode shape``

    Examples
    --------
    >>> reference_b_flow(0.1, 1.0, [0.64, 0.8, 1.0], [0.0, 5.0]).round(6)
    array([0.1, 0.8])
    """
    from scipy.integrate import solve_ivp

    s = _check_s(s)
    shape, m = _broadcast_modes(s, b0=b0, u=u)
    rtol = check_finite_scalar(rtol, "rtol", positive=True)
    atol = check_finite_scalar(atol, "atol")
    if atol < 0:
        raise ValueError(f"atol must be >= 0, got {atol}")
    t_eval = as_finite_array(t_eval, "t_eval", ndim=1)
    if t_eval.size == 0 or np.any(t_eval < 0) or np.any(np.diff(t_eval) < 0):
        raise ValueError(
            "t_eval must be a non-empty, non-decreasing array of times >= 0"
        )
    u = m["u"].ravel()
    s_flat = np.broadcast_to(s, shape + s.shape[-1:]).reshape(-1, s.shape[-1])

    def rhs(_, y):
        return -_energy_b_derivatives(y, u, s_flat, 1)[1]

    sol = solve_ivp(
        rhs,
        (0.0, float(t_eval[-1])),
        m["b0"].ravel(),
        method="DOP853",
        t_eval=t_eval,
        rtol=rtol,
        atol=atol,
    )
    if not sol.success:  # pragma: no cover - only for pathological input
        raise RuntimeError(f"solve_ivp failed: {sol.message}")
    return sol.y.T.reshape((t_eval.size,) + shape)


# --------------------------------------------------------------------------------------
# App. E: learning order
# --------------------------------------------------------------------------------------
def s1_crossing(s_first, s_second, b_max: float = 1.0) -> float:
    """Recurrent mode ``b`` in ``(0, b_max)`` at which two tasks have equal ``S₁(b)``.

    ``S₁(b) = Σ_i b^{T−i} s_i`` (App. C) sets the early growth rate ``2 S₁`` of ``u``.
    Below the crossing the task with the larger *late* singular values has the
    larger ``S₁``; above it the early singular values take over.

    Parameters
    ----------
    s_first, s_second : array_like, shape (T,)
        Singular values of the two tasks (same ``T``).
    b_max : float, default 1
        Upper end of the search interval.

    Returns
    -------
    float
        The smallest crossing found on a grid of 2001 points (refined with
        Brent's method), or NaN if ``S₁`` curves do not cross in ``(0, b_max)``.

    Examples
    --------
    >>> s_a, s_b = [0.275, 0.55, 1.1], [0.605, 0.55, 0.5]  # App. E pair, T = 3
    >>> s1_crossing(s_a, s_b)  # no crossing below 1
    nan
    >>> round(s1_crossing(s_a, s_b, b_max=2.0), 4)
    1.3484
    """
    from scipy.optimize import brentq

    s1 = as_finite_array(s_first, "s_first", ndim=1)
    s2 = as_finite_array(s_second, "s_second", ndim=1)
    if s1.shape != s2.shape or s1.size < 1:
        raise ValueError(
            "s_first and s_second must have the same shape (T,), "
            f"got {s1.shape} and {s2.shape}"
        )
    b_max = check_finite_scalar(b_max, "b_max", positive=True)

    def diff(b):
        return float(
            effective_singular_values(b, s1)[0] - effective_singular_values(b, s2)[0]
        )

    grid = np.linspace(0.0, b_max, 2001)[1:]
    d = np.array([diff(b) for b in grid])
    sign_change = np.nonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0)[0]
    if sign_change.size == 0:
        return float("nan")
    j = int(sign_change[0])
    return float(brentq(diff, grid[j], grid[j + 1], xtol=1e-14))


@dataclass(frozen=True)
class LearningOrder:
    """Result of :func:`learning_order` (tasks along the last axis).

    Attributes
    ----------
    s : ndarray, shape (K, T)
        Singular values ``s_t = δ λ^{T−t}`` of the ``K`` tasks.
    lr : float
        Learning rate used.
    steps : ndarray of int, shape (n,)
        Gradient-descent step of each record (the last entry is the number of steps).
    record_every : int
        Spacing of the records in steps.
    t : ndarray, shape (n,)
        Training time ``lr · step`` of each record.
    u, b, energy : ndarray, shape (n, K)
        LRNN modes ``u = ac``, ``b`` and energy (loss) of each task.
    u_star, b_star : ndarray, shape (K,)
        Zero-loss solution ``(δ, λ)``.
    t_half_u, t_half_b, t_half_loss : ndarray, shape (K,)
        Half-learning times: ``u`` and ``b`` halfway from their initial value to
        ``u*`` and ``b*``; the loss halfway from its initial value to 0.
    ff_sigma : ndarray, shape (K,)
        ``‖s‖₂``: the singular value seen by a two-layer feedforward network
        that receives the whole sequence at once.
    ff_u, ff_energy : ndarray, shape (n, K)
        That feedforward network trained from the same initial scale.
    t_half_ff_u, t_half_ff_loss : ndarray, shape (K,)
    """

    s: np.ndarray
    lr: float
    steps: np.ndarray
    record_every: int
    t: np.ndarray
    u: np.ndarray
    b: np.ndarray
    energy: np.ndarray
    u_star: np.ndarray
    b_star: np.ndarray
    t_half_u: np.ndarray
    t_half_b: np.ndarray
    t_half_loss: np.ndarray
    ff_sigma: np.ndarray
    ff_u: np.ndarray
    ff_energy: np.ndarray
    t_half_ff_u: np.ndarray
    t_half_ff_loss: np.ndarray


def learning_order(
    delta,
    lam,
    T: int,
    init: float = 0.01,
    init_b: float | None = None,
    t_end: float | None = None,
    lr: float | None = None,
    max_steps: int = 60000,
) -> LearningOrder:
    """Train modes on inverse-exponential tasks; measure what is learned first (App. E).

    Each task ``k`` has ``s_t = δ_k λ_k^{T−t}`` (zero-loss solution ``u* = δ``,
    ``b* = λ``).  All modes start at ``a = c = init`` and ``b = init_b`` and are
    trained together with :func:`lrnn_utils.theory.simulate_modes` (full gradient
    descent on the modes).  For comparison, a balanced two-layer *feedforward*
    network that sees the whole sequence at once (singular value ``‖s‖₂``) is
    trained from the same scale.

    Parameters
    ----------
    delta, lam : array_like, shape (K,)
        Positive scales and dynamics of the tasks.
    T : int
        Trajectory length ``>= 1``.
    init : float, default 0.01
        Initial ``a = c`` (> 0).
    init_b : float, optional
        Initial ``b`` (default ``init``).
    t_end : float, optional
        Training time.  Default: three times the slowest feedforward half-time
        ``log(δ/u₀ − 1)/(2δ)`` of the last singular values, at least 5.
    lr : float, optional
        Learning rate.  Default ``min(0.01, 1/λ_max)``, half of the stability
        limit ``2/λ_max`` (:func:`lrnn_utils.theory.max_stable_lr`), with
        ``λ_max`` the largest Hessian eigenvalue at the balanced zero-loss
        solutions of all tasks.
    max_steps : int, default 60000
        Refuse (ValueError) runs that would need more Euler steps.

    Returns
    -------
    LearningOrder

    Examples
    --------
    >>> r = learning_order([1.1, 0.5], [0.5, 1.1], 3, t_end=5.0)
    >>> r.lr, round(float(r.t_half_u[0]), 2)
    (0.01, 4.16)
    """
    T = check_positive_int(T, "T")
    max_steps = check_positive_int(max_steps, "max_steps")
    delta = as_finite_array(delta, "delta", ndim=1)
    lam = as_finite_array(lam, "lam", ndim=1)
    if delta.shape != lam.shape:
        raise ValueError(
            "delta and lam must have the same shape (K,), "
            f"got {delta.shape} and {lam.shape}"
        )
    if np.any(delta <= 0) or np.any(lam <= 0):
        raise ValueError("delta and lam must be > 0")
    init = check_finite_scalar(init, "init", positive=True)
    init_b = init if init_b is None else check_finite_scalar(init_b, "init_b")
    u0 = init**2
    if np.any(u0 >= delta / 2):
        raise ValueError(
            f"init^2 = {u0} must be below delta/2 (start well below the solution)"
        )
    s = task_singular_values("inverse_exponential", T, delta, lam)
    b_star, u_star = global_solution("inverse_exponential", delta, lam, T)
    if t_end is None:
        t_end = max(5.0, 3.0 * float(np.max(np.log(delta / u0 - 1.0) / (2 * delta))))
    t_end = check_finite_scalar(t_end, "t_end", positive=True)
    if lr is None:
        # half of the 2/λ_max limit at the balanced zero-loss solutions (all tasks)
        a_star = np.sqrt(u_star)
        lr = min(0.01, 0.5 * float(np.min(max_stable_lr(a_star, b_star, a_star, s))))
    lr = check_finite_scalar(lr, "lr", positive=True)
    steps = int(np.ceil(t_end / lr))
    if steps > max_steps:
        raise ValueError(
            f"this run needs {steps} Euler steps at the stable learning rate "
            f"{lr:.2e} (max_steps = {max_steps}); "
            "reduce T, delta, lam or t_end"
        )
    rec = max(1, steps // 2000)
    tr = simulate_modes(init, init_b, init, s, lr, steps, record_every=rec)
    t = tr.steps * lr
    sigma = np.linalg.norm(s, axis=-1)
    ff = simulate_modes(init, 0.0, init, sigma[:, None], lr, steps, record_every=rec)
    return LearningOrder(
        s=s,
        lr=lr,
        steps=tr.steps,
        record_every=rec,
        t=t,
        u=tr.u,
        b=tr.b,
        energy=tr.energy,
        u_star=u_star,
        b_star=b_star,
        t_half_u=learning_time(t, tr.u, target=u_star),
        t_half_b=learning_time(t, tr.b, target=b_star),
        t_half_loss=learning_time(t, tr.energy, target=0.0),
        ff_sigma=sigma,
        ff_u=ff.u,
        ff_energy=ff.energy,
        t_half_ff_u=learning_time(t, ff.u, target=sigma),
        t_half_ff_loss=learning_time(t, ff.energy, target=0.0),
    )
