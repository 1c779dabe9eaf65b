"""Mode dynamics of the aligned linear RNN (paper Sec. 3, App. B, C, F).

Under Assumptions 1-3 every singular dimension α evolves independently with
three scalars ``a`` (input), ``b`` (recurrent) and ``c`` (output).  With
``s_i`` the task's singular value at input time ``i`` and τ = 1:

* energy (Lemma 3.1, eq 8):   ``E = ½ Σ_{i=1}^T (s_i − c b^{T−i} a)²``
* gradient flow (eqs 5-7):     ``ȧ = −∂E/∂a``, ``ḃ = −∂E/∂b``, ``ċ = −∂E/∂c``

Every function broadcasts: ``s`` has shape ``(..., T)`` and ``a, b, c`` broadcast
against ``s.shape[:-1]``, so many modes or whole parameter grids are handled at once.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

import numpy as np

from . import network
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
from .tasks import check_kind, make_task, task_singular_values

__all__ = [
    "energy",
    "mode_flows",
    "time_lags",
    "decay_powers",
    "optimal_u",
    "effective_energy",
    "effective_singular_values",
    "ModeTrajectory",
    "simulate_modes",
    "learning_time",
    "global_solution",
    "u_closed_form",
    "extrapolation_loss",
    "regularization_term",
    "landau_critical_beta",
    "hessian_parts",
    "energy_hessian",
    "sharpness",
    "max_stable_lr",
    "loss_at_lengths",
    "EnergyMinimum",
    "minimise_energy",
    "best_mode",
]


def check_modes(a, b, c, s, names=("a", "b", "c")):
    """Validated modes and ``s``; ``names`` are the caller's names of a, b, c."""
    s = as_finite_array(s, "s", min_ndim=1)
    if s.shape[-1] < 1:
        raise ValueError("s must have at least one time step (T >= 1) in its last axis")
    na, nb, nc = names
    a = as_finite_array(a, na)
    b = as_finite_array(b, nb)
    c = as_finite_array(c, nc)
    try:
        shape = np.broadcast_shapes(a.shape, b.shape, c.shape, s.shape[:-1])
    except ValueError as exc:
        raise ValueError(
            f"{na} {a.shape}, {nb} {b.shape}, {nc} {c.shape} must broadcast against "
            f"s.shape[:-1] = {s.shape[:-1]}"
        ) from exc
    return a, b, c, s, shape


def time_lags(T: int) -> np.ndarray:
    """The lags ``T − i`` of the input times ``i = 1..T`` (``T − 1, ..., 1, 0``).

    Input ``x_i`` reaches the read-out after ``T − i`` applications of ``W_h``.

    Examples
    --------
    >>> time_lags(4)
    array([3., 2., 1., 0.])
    """
    T = check_positive_int(T, "T")
    return np.arange(T - 1, -1, -1, dtype=float)


def decay_powers(b, T: int) -> np.ndarray:
    """The weights ``b^{T−i}`` with which input time ``i = 1..T`` reaches the read-out.

    Returns
    -------
    numpy.ndarray, shape ``b.shape + (T,)``
        Entry ``[..., i − 1]`` is ``b^{T−i}``.

    Raises
    ------
    TypeError
        ``b`` not numeric, ``T`` not an integer.
    ValueError
        Non-finite ``b`` or ``T < 1``.
    """
    return _decay_powers(as_finite_array(b, "b"), T)


def _decay_powers(b, T):
    """:func:`decay_powers` without validating ``b`` (used inside training loops)."""
    return np.asarray(b, dtype=float)[..., None] ** time_lags(T)


def _powers(b, T):
    """``b^{T-i}`` and ``(T-i) b^{T-i-1}`` for i = 1..T, shape ``b.shape + (T,)``."""
    k = time_lags(T)
    bb = np.asarray(b, dtype=float)[..., None]
    dpw = k * bb ** np.maximum(k - 1, 0)  # derivative; the k = 0 term is exactly 0
    return _decay_powers(b, T), dpw


def effective_singular_values(b, s):
    """The sums ``S₁ = Σ_i b^{T−i} s_i`` and ``S₂ = Σ_i b^{2(T−i)}`` of App. C.

    With ``b`` frozen and balanced modes, ``τ u̇ = 2u (S₁ − S₂ u)`` (eq 43):
    ``S₁`` is the singular value the input-output product "sees" through the
    recurrent weighting ``b^{T−i}``, and ``S₁/S₂`` is the value ``u`` converges to
    (the best ``u = ac`` for that ``b``).

    Parameters
    ----------
    b : float or array_like
        Frozen recurrent mode, broadcast against ``s.shape[:-1]``.
    s : array_like, shape (..., T)

    Returns
    -------
    (S1, S2) : tuple of numpy.ndarray
        Each of the broadcast mode shape.
    """
    s = as_finite_array(s, "s", min_ndim=1)
    if s.shape[-1] < 1:
        raise ValueError("s must have at least one time step (T >= 1) in its last axis")
    b = as_finite_array(b, "b")
    try:
        shape = np.broadcast_shapes(b.shape, s.shape[:-1])
    except ValueError as exc:
        raise ValueError(
            f"b {b.shape} must broadcast against s.shape[:-1] = {s.shape[:-1]}"
        ) from exc
    pw = decay_powers(np.broadcast_to(b, shape), s.shape[-1])
    return np.sum(pw * s, axis=-1), np.sum(pw**2, axis=-1)


def optimal_u(b, s) -> np.ndarray:
    """The product ``u = ac`` minimising the energy for fixed ``b``.

    ``u*(b) = Σ_i s_i b^{T−i} / Σ_i b^{2(T−i)}`` (the denominator is ``>= 1``).

    Parameters
    ----------
    b : float or array_like
        Recurrent mode(s), broadcast against ``s.shape[:-1]``.
    s : array_like, shape (..., T)

    Returns
    -------
    numpy.ndarray
    """
    S1, S2 = effective_singular_values(b, s)
    return S1 / S2


def effective_energy(b, s) -> np.ndarray:
    """Energy minimised over ``u`` at fixed ``b``: ``E*(b) = min_u E(u, b)``.

    ``E*(b) = ½ [Σ_i s_i² − (Σ_i s_i b^{T−i})² / Σ_i b^{2(T−i)}]``.  By the
    Cauchy-Schwarz inequality ``E*(b) >= 0``, with equality iff ``s`` is
    proportional to ``(b^{T−1}, ..., b, 1)``.

    Parameters
    ----------
    b : float or array_like
        Broadcast against ``s.shape[:-1]``.
    s : array_like, shape (..., T)

    Returns
    -------
    numpy.ndarray
    """
    s = as_finite_array(s, "s", min_ndim=1)
    u = optimal_u(b, s)
    # residual form: exact zero when s is geometric, never negative by rounding
    return 0.5 * np.sum((s - u[..., None] * decay_powers(b, s.shape[-1])) ** 2, axis=-1)


def _residual(a, b, c, s):
    pw, dpw = _powers(b, s.shape[-1])
    r = s - (c * a)[..., None] * pw
    return r, pw, dpw


def energy(a, b, c, s) -> np.ndarray:
    """Energy ``E = ½ Σ_{i=1}^T (s_i − c b^{T−i} a)²`` of each mode (eq 8, τ = 1).

    Parameters
    ----------
    a, b, c : float or array_like
        Mode values, broadcasting against ``s.shape[:-1]``.
    s : array_like, shape (..., T)
        Singular values ``s_1 .. s_T`` in the last axis.

    Returns
    -------
    numpy.ndarray
        Shape ``broadcast(a, b, c, s[..., 0])``.
    """
    a, b, c, s, _ = check_modes(a, b, c, s)
    r, _, _ = _residual(a, b, c, s)
    return 0.5 * np.sum(r**2, axis=-1)


def flows(a, b, c, s):
    """:func:`mode_flows` without validation (a kernel for loops over steps)."""
    r, pw, dpw = _residual(a, b, c, s)
    da = c * np.sum(pw * r, axis=-1)
    db = (c * a) * np.sum(dpw * r, axis=-1)
    dc = a * np.sum(pw * r, axis=-1)
    return da, db, dc


def mode_flows(a, b, c, s):
    """Right-hand sides of the mode equations (5)-(7) with τ = 1.

    ``ȧ = Σ_i c b^{T−i} (s_i − c b^{T−i} a)``,
    ``ḃ = Σ_i (T−i) c a b^{T−i−1} (s_i − c b^{T−i} a)``,
    ``ċ = Σ_i a b^{T−i} (s_i − c b^{T−i} a)``; these equal ``−∂E/∂(a, b, c)``.

    Returns
    -------
    (da, db, dc) : tuple of numpy.ndarray
        Each of shape ``broadcast(a, b, c, s[..., 0])``.
    """
    a, b, c, s, shape = check_modes(a, b, c, s)
    return tuple(np.broadcast_to(x, shape).copy() for x in flows(a, b, c, s))


@dataclass(frozen=True)
class ModeTrajectory:
    """Recorded Euler trajectory of the mode equations.

    Attributes
    ----------
    steps : ndarray, shape (n,)
        Update-step index of each record (0 = initial condition).
    a, b, c : ndarray, shape (n,) + mode shape
        Mode values at each record.
    energy : ndarray, shape (n,) + mode shape
        Energy (eq 8) at each record.
    grad_norm : ndarray or None
        With a stopping tolerance: ``max(|∂E/∂a|, |∂E/∂b|, |∂E/∂c|)`` of each mode
        at the last record; ``None`` otherwise.
    converged : ndarray of bool or None
        With a stopping tolerance: ``grad_norm < tol`` for each mode; else ``None``.
    """

    steps: np.ndarray | int
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    energy: np.ndarray
    grad_norm: np.ndarray | None = None
    converged: np.ndarray | None = None

    @property
    def u(self) -> np.ndarray:
        """The input-output product ``u = a c``."""
        return self.a * self.c

    def end(self) -> ModeTrajectory:
        """The last record alone: ``steps`` an int, ``a, b, c, energy`` without the
        record axis (``grad_norm`` and ``converged`` unchanged).

        Examples
        --------
        >>> run = simulate_modes(0.5, 0.5, 0.5, [[1.0, 1.0]], 0.1, 30, record_every=30)
        >>> last = run.end()
        >>> last.steps, last.b.shape, bool(last.b[0] == run.b[-1, 0])
        (30, (1,), True)
        """
        return ModeTrajectory(
            steps=int(self.steps[-1]),
            a=self.a[-1],
            b=self.b[-1],
            c=self.c[-1],
            energy=self.energy[-1],
            grad_norm=self.grad_norm,
            converged=self.converged,
        )


_HINT_MODES = "try a smaller learning rate"


def simulate_modes(
    a0,
    b0,
    c0,
    s,
    lr: float,
    steps: int,
    record_every: int = 1,
    trainable: str = "abc",
    tol: float | None = None,
    check_every: int = 500,
) -> ModeTrajectory:
    """Euler-integrate the mode equations: ``x ← x + lr · ẋ`` for x in (a, b, c).

    With the book's conventions this is exactly full-matrix gradient descent
    with learning rate ``lr`` on aligned weights (see :func:`lrnn_utils.engine.train`).
    Only the modes named in ``trainable`` are updated; the others keep their
    initial value (``"ac"`` freezes the recurrent mode as in App. C, ``"b"``
    freezes the input-output modes as in App. D).  With a tolerance ``tol`` the
    run stops early once every mode's largest gradient component is below it
    (tested every ``check_every`` steps); modes that never get there are reported
    by ``converged``, not hidden.  A single scalar mode runs on plain floats
    (several times faster, for interactive figures); a grid runs vectorised.

    Parameters
    ----------
    a0, b0, c0 : float or array_like
        Initial values; broadcast against ``s.shape[:-1]``.
    s : array_like, shape (..., T)
        Singular values per mode.
    lr : float
        Step size (learning rate) > 0.
    steps : int
        Number of Euler steps (``>= 0``); with ``tol`` the largest number.
    record_every : int, default 1
        Record every ``record_every`` steps (step 0 and the last step always).
    trainable : str, default "abc"
        Non-empty subset of ``"abc"`` naming the modes that learn.
    tol : float, optional
        Stopping tolerance on ``max(|∂E/∂a|, |∂E/∂b|, |∂E/∂c|)`` (> 0).
    check_every : int, default 500
        How often the stopping rule is tested.

    Returns
    -------
    ModeTrajectory

    Raises
    ------
    TypeError
        If ``trainable`` is not a string.
    ValueError
        If ``trainable`` is empty or names a mode other than a, b, c; bad shapes;
        non-positive ``lr``, ``tol`` or ``check_every``.
    TrainingDivergedError
        If any mode becomes non-finite or exceeds 1e150 (the message names the step).

    Examples
    --------
    >>> run = simulate_modes(0.5, 0.3, 0.5, [0.4, 1.0], lr=0.1, steps=3, trainable="ac")
    >>> bool(np.all(run.b == 0.3)), bool(run.u[-1] > run.u[0])
    (True, True)
    >>> fit = simulate_modes(0.5, 0.5, 0.5, [[0.25, 0.5, 1.0]], 0.1, 20000,
    ...                      record_every=20000, tol=1e-8)
    >>> end = fit.end()
    >>> bool(end.converged.all()), round(float(end.b[0]), 6), end.steps
    (True, 0.5, 500)
    """
    if not isinstance(trainable, str):
        raise TypeError(
            f"trainable must be a string such as 'abc', got {type(trainable).__name__}"
        )
    if not trainable or set(trainable) - set("abc"):
        raise ValueError(
            f"trainable must be a non-empty subset of 'abc', got {trainable!r}"
        )
    a, b, c, s, shape = check_modes(a0, b0, c0, s, names=("a0", "b0", "c0"))
    lr = check_finite_scalar(lr, "lr", positive=True)
    rec = record_steps(steps, record_every)
    check_every = check_positive_int(check_every, "check_every")
    if tol is not None:
        tol = check_finite_scalar(tol, "tol", positive=True)
    elif shape == () and trainable == "abc":
        return _scalar_path(float(a), float(b), float(c), s, lr, rec)
    a, b, c = (np.broadcast_to(x, shape).astype(float) for x in (a, b, c))
    return _euler(a, b, c, s, lr, rec, trainable, tol, check_every)


def _euler(a, b, c, s, lr, rec, trainable, tol, check_every):
    """The vectorised Euler loop of :func:`simulate_modes` (validated input)."""
    n, last = rec.size, int(rec[-1])
    out = {k: np.empty((n,) + a.shape) for k in ("a", "b", "c", "E")}
    j, g = 0, None
    for step in range(last + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            r, pw, dpw = _residual(a, b, c, s)
            stop = step == last
            if tol is not None and (step % check_every == 0 or stop):
                pr = np.sum(pw * r, axis=-1)
                g = np.maximum(np.abs(c * pr), np.abs(a * pr))
                g = np.maximum(g, np.abs((c * a) * np.sum(dpw * r, axis=-1)))
                stop = stop or bool(np.all(g < tol))
            if rec[j] == step or stop:
                out["a"][j], out["b"][j], out["c"][j] = a, b, c
                out["E"][j] = 0.5 * np.sum(r**2, axis=-1)
                j += 1
            if stop:
                break
            da, db, dc = flows(a, b, c, s)
            if "a" in trainable:
                a = a + lr * da
            if "b" in trainable:
                b = b + lr * db
            if "c" in trainable:
                c = c + lr * dc
        check_diverged(step + 1, _HINT_MODES, a=a, b=b, c=c)
    steps = np.append(rec[: j - 1], step)
    return ModeTrajectory(
        steps=steps,
        a=out["a"][:j],
        b=out["b"][:j],
        c=out["c"][:j],
        energy=out["E"][:j],
        grad_norm=g,
        converged=None if tol is None else g < tol,
    )


def _scalar_path(a, b, c, s, lr, rec):
    """:func:`simulate_modes` for one scalar mode, in plain floats."""
    s_list = [float(x) for x in s]
    lags = list(range(len(s_list) - 1, -1, -1))  # T - i for i = 1..T
    lags_d = lags[:-1]  # d b^k / db = k b^(k-1): lags paired with pw[1:]
    recorded = rec.tolist()
    last, next_rec = recorded[-1], iter(recorded)
    out = np.empty((4, rec.size))
    j, want = 0, next(next_rec)
    mul = operator.mul
    for step in range(last + 1):
        try:
            pw = [b**k for k in lags]
        except OverflowError:
            raise TrainingDivergedError(step, "b", _HINT_MODES) from None
        u = a * c
        r = [si - u * p for si, p in zip(s_list, pw)]
        if step == want:
            out[:, j] = a, b, c, 0.5 * sum([x * x for x in r])
            j, want = j + 1, next(next_rec, None)
        if step == last:
            break
        g = sum(map(mul, pw, r))
        gb = sum([k * pk * x for k, pk, x in zip(lags_d, pw[1:], r)])
        a, b, c = a + lr * c * g, b + lr * u * gb, c + lr * a * g
        if not max(abs(a), abs(b), abs(c)) <= DIVERGENCE_LIMIT:
            check_diverged(step + 1, _HINT_MODES, a=a, b=b, c=c)
    return ModeTrajectory(steps=rec, a=out[0], b=out[1], c=out[2], energy=out[3])


def learning_time(t, x, fraction: float = 0.5, start=None, target=None) -> np.ndarray:
    """First time a learning curve has covered ``fraction`` of its way to ``target``.

    The level is ``start + fraction · (target − start)``; the time is found by
    linear interpolation between the two recorded points around the first
    crossing.  Works for increasing and decreasing curves (e.g. the loss).

    Parameters
    ----------
    t : array_like, shape (n,)
        Strictly increasing times.
    x : array_like, shape (n, ...)
        The curve(s); trailing axes are independent curves.
    fraction : float, default 0.5
        In ``[0, 1]``; 0.5 gives the half-learning time.
    start, target : float or array_like, optional
        Broadcast against ``x.shape[1:]``; default ``x[0]`` and ``x[-1]``
        (pass e.g. the zero-loss solution as ``target``).

    Returns
    -------
    numpy.ndarray, shape ``x.shape[1:]``
        NaN where the level is never reached or where ``target == start``.

    Examples
    --------
    >>> learning_time([0, 1, 2, 3], [0.0, 0.2, 0.6, 1.0])
    array(1.75)
    """
    t = as_finite_array(t, "t", ndim=1)
    x = as_finite_array(x, "x", min_ndim=1)
    if x.shape[0] != t.size:
        raise ValueError(
            f"x must have len(t) = {t.size} entries in its first axis, "
            f"got shape {x.shape}"
        )
    if t.size < 2 or np.any(np.diff(t) <= 0):
        raise ValueError("t must have at least two strictly increasing entries")
    fraction = check_finite_scalar(fraction, "fraction")
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be in [0, 1], got {fraction}")
    start = (
        x[0]
        if start is None
        else np.broadcast_to(as_finite_array(start, "start"), x.shape[1:])
    )
    target = (
        x[-1]
        if target is None
        else np.broadcast_to(as_finite_array(target, "target"), x.shape[1:])
    )
    direction = np.sign(target - start)
    level = start + fraction * (target - start)
    reached = direction * (x - level) >= 0  # (n, ...)
    idx = np.argmax(reached, axis=0)
    ever = np.any(reached, axis=0) & (direction != 0)
    j = np.maximum(idx, 1)
    x0 = np.take_along_axis(x, (j - 1)[None], axis=0)[0]
    x1 = np.take_along_axis(x, j[None], axis=0)[0]
    t0, t1 = t[j - 1], t[j]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(x1 != x0, (level - x0) / (x1 - x0), 1.0)
    tt = np.where(idx == 0, t[0], t0 + np.clip(frac, 0.0, 1.0) * (t1 - t0))
    return np.where(ever, tt, np.nan)


def global_solution(kind: str, delta, lam, T: int):
    """Zero-loss solution ``(b*, (ac)*)`` of a task ``s_t = δ f(λ, t)`` (Sec. 3.3).

    * constant, ``f = 1``:                ``b* = 1``,   ``(ac)* = δ``
    * inverse exponential, ``f = λ^{T−t}``: ``b* = λ``,   ``(ac)* = δ``
    * exponential, ``f = λ^t``:           ``b* = 1/λ``, ``(ac)* = δ λ^T``

    For ``T = 1`` only the product matters (``b`` is then free); the formulas
    above are returned unchanged.

    Returns
    -------
    (b_star, ac_star) : tuple of numpy.ndarray
        Broadcast shape of ``delta`` and ``lam``.

    Raises
    ------
    ValueError
        Unknown kind, ``T < 1``, non-finite input, or ``lam == 0`` for the exponential
        kind.
    """
    check_kind(kind)
    T = check_positive_int(T, "T")
    delta = as_finite_array(delta, "delta")
    lam = as_finite_array(lam, "lam")
    delta, lam = np.broadcast_arrays(delta, lam)
    if kind == "constant":
        return np.ones_like(lam), delta.copy()
    if kind == "inverse_exponential":
        return lam.copy(), delta.copy()
    if np.any(lam == 0):
        raise ValueError(
            "the exponential task with lam = 0 has no zero-loss solution (b* = 1/lam)"
        )
    return 1.0 / lam, delta * lam**T


def u_closed_form(t, u0, b, s, tau: float = 1.0) -> np.ndarray:
    """Closed-form ``u(t) = a(t) c(t)`` for balanced modes with ``b`` frozen (eq 47).

    The flow ``τ u̇ = 2u (S₁ − S₂ u)`` with ``S₁ = Σ_i b^{T−i} s_i`` and
    ``S₂ = Σ_i b^{2(T−i)}`` is logistic, with solution

    ``u(t) = S₁ / (S₂ + (S₁/u₀ − S₂) e^{−2 S₁ t/τ})``  (eq 47 rearranged),

    and ``u(t) = u₀ / (1 + 2 S₂ u₀ t/τ)`` when ``S₁ = 0``.

    Parameters
    ----------
    t : float or array_like
        Training time(s) ``>= 0`` (for Euler steps of size η, ``t = η · step``).
    u0 : float or array_like
        Initial product ``u(0) = a(0)² > 0``.
    b : float or array_like
        Frozen recurrent mode.
    s : array_like, shape (..., T)
        Singular values of the mode(s).
    tau : float, default 1
        Time constant.

    Returns
    -------
    numpy.ndarray
        ``t``, ``u0``, ``b`` and ``s[..., 0]`` broadcast together.
    """
    t = as_finite_array(t, "t")
    if np.any(t < 0):
        raise ValueError("t must be >= 0")
    u0 = as_finite_array(u0, "u0")
    if np.any(u0 <= 0):
        raise ValueError("u0 must be > 0 (a balanced mode has u = a² > 0)")
    s = as_finite_array(s, "s", min_ndim=1)
    if s.shape[-1] < 1:
        raise ValueError("s must have at least one time step (T >= 1)")
    tau = check_finite_scalar(tau, "tau", positive=True)
    S1, S2 = effective_singular_values(b, s)
    t, u0, S1, S2 = np.broadcast_arrays(t, u0, S1, S2)
    # u = u0 e^x / (1 + 2 u0 S2 (t/τ) q(x)) with x = 2 S1 t/τ and q(x) = (e^x - 1)/x:
    # free of the cancellation S1/u0 - S2 of the textbook form, exact at S1 = 0
    # (q = 1), and written with e^{-x} for x > 0 so that nothing overflows
    x = 2.0 * S1 * t / tau
    ax = np.abs(x)
    safe = np.where(ax > 0, ax, 1.0)
    q_minus = np.where(ax > 0, -np.expm1(-safe) / safe, 1.0)  # (1 - e^{-|x|}) / |x|
    q_plus = np.where(ax > 0, np.expm1(np.minimum(safe, 700.0)) / safe, 1.0)
    drive = 2.0 * u0 * S2 * t / tau
    with np.errstate(over="ignore"):
        grow = u0 / (np.exp(-ax) + drive * q_minus)  # x >= 0
        decay = u0 * np.exp(-ax) / (1.0 + drive * np.exp(-ax) * q_plus)  # x < 0
    u = np.where(x >= 0, grow, decay)
    return u


def extrapolation_loss(kind: str, delta, lam, T_train: int, T_test):
    """Energy of the zero-loss solution for ``T_train``, run at length ``T_test``.

    The trained mode ``(b*, u*) = global_solution(kind, δ, λ, T_train)`` is
    evaluated on ``s_t = δ f(λ, t)``, ``t = 1..T_test``:
    ``E = ½ Σ_{i=1}^{T_test} (s_i − u* b*^{T_test − i})²``.

    Parameters
    ----------
    kind : str
    delta, lam : float or array_like
        Broadcast together.
    T_train : int
    T_test : int or array_like of int
        One or many test lengths.

    Returns
    -------
    numpy.ndarray
        Shape ``T_test.shape + broadcast(delta, lam).shape``.
    """
    T_train = check_positive_int(T_train, "T_train")
    b_star, u_star = global_solution(kind, delta, lam, T_train)
    T_arr = np.asarray(T_test)
    flat = [check_positive_int(v, "T_test") for v in T_arr.ravel()]
    out = np.empty((len(flat),) + b_star.shape)
    for j, Tt in enumerate(flat):
        s = task_singular_values(kind, Tt, delta, lam)
        s = np.broadcast_to(s, b_star.shape + (Tt,))
        out[j] = energy(u_star, b_star, 1.0, s)
    return out.reshape(T_arr.shape + b_star.shape)


def regularization_term(a, b, c, T: int) -> np.ndarray:
    """Effective regularization term of Lemma 3.2 (paper eq. 9, τ = 1).

    ``R = ½ c² a² Σ_{k=0}^{T−1} b^{2k} = ½ c² a² (1 − b^{2T}) / (1 − b²)``,
    whose value at ``b² = 1`` is the limit ``½ c² a² T``.  The energy is
    ``E = D + R`` with the data-driven term ``D = ½ Σ_i (s_i² − 2 s_i c b^{T−i} a)``.
    The sum form is used, so ``b`` near 1 and ``b = 1`` need no special case.

    Parameters
    ----------
    a, b, c : float or array_like
        Mode values, broadcast together.
    T : int
        Trajectory length, ``T >= 1``.

    Returns
    -------
    numpy.ndarray
        Broadcast shape of ``a, b, c``.

    Raises
    ------
    ValueError
        Non-finite modes or ``T < 1``.

    Examples
    --------
    >>> float(regularization_term(1.0, 1.0, 2.0, 3))  # ½ · 4 · 3
    6.0
    >>> float(regularization_term(1.0, 0.5, 1.0, 2))  # ½ (1 + 1/4)
    0.625
    """
    T = check_positive_int(T, "T")
    a = as_finite_array(a, "a")
    b = as_finite_array(b, "b")
    c = as_finite_array(c, "c")
    S2 = np.sum(decay_powers(b, T) ** 2, axis=-1)
    return 0.5 * (c * a) ** 2 * S2


def landau_critical_beta(T: int) -> float:
    """Critical β of the Dirac task ``s_1 = β``, ``s_T = 1/β`` (paper App. H).

    The smallest β at which some ``b ≠ 0`` has a lower effective energy
    ``E*(b) = min_u E`` than the pruned branch ``b = 0`` (whose energy is
    ``½ β²`` with the book's factor ½).  Writing ``S(b) = Σ_{k=0}^{T−1} b^{2k}``,
    ``E*(b) < E*(0)`` holds iff ``β² > (√S(b) − 1) / b^{T−1}`` (``b > 0``), so
    the critical β is the square root of the infimum of that ratio:

    * ``T = 2``: ``0`` (two values are always fitted exactly, ``b = β²``);
    * ``T = 3``: ``1/√2``, approached as ``b → 0`` (continuous transition);
    * ``T = 4``: ``1``, where ``b = 1`` ties with ``b = 0`` (first order);
    * ``T >= 5``: ``1``, an infimum approached only as ``b → ∞``: for β > 1
      some finite ``b`` beats ``b = 0``, for β <= 1 none does.

    Only the ratio ``s_1/s_T = β²`` matters, so a task with ``s_1 = β'`` and
    ``s_T = κ`` has its transition at ``β'/κ = landau_critical_beta(T)²``.

    Parameters
    ----------
    T : int
        Trajectory length, ``T >= 2``.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        ``T < 2`` (with one time step there is no recurrent part).

    Examples
    --------
    >>> [round(landau_critical_beta(T), 4) for T in (2, 3, 4, 10)]
    [0.0, 0.7071, 1.0, 1.0]
    """
    T = check_positive_int(T, "T", minimum=2)
    if T == 2:
        return 0.0
    if T == 3:
        return float(1.0 / np.sqrt(2.0))
    return 1.0


# ----------------------------------------------------------------------------
# curvature at a solution and the stable learning rates
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
    a, b, c, s, shape = check_modes(a, b, c, s)
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
    :func:`lrnn_utils.network.loss` is evaluated on it.

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
        out[j] = network.loss(Wx, Wh, Wy, task.X, task.Y)
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


def best_mode(w, C, b_grid=None):
    """The single mode ``(b, u = ac)`` that best fits weights ``w`` under inputs ``C``.

    Minimises the energy ``E(b, u) = ½ rᵀ C r`` with ``r_i = w_i − u b^{T−i}``
    (``C`` is the ``T x T`` time correlation of the input along the mode's
    direction; ``C = I`` gives the whitened energy of paper eq. 8).  For fixed
    ``b`` the best ``u`` is ``u*(b) = pᵀ C w / pᵀ C p`` with ``p_i = b^{T−i}``; the
    best ``b`` is found on ``b_grid`` and refined on four successively finer local
    grids (resolution about ``1e-6`` of the grid step).

    Parameters
    ----------
    w : array_like, shape (T,)
    C : array_like, shape (..., T, T)
        Symmetric positive definite.
    b_grid : array_like, optional
        Candidate ``b`` values (default 2001 points on [-2, 2]).

    Returns
    -------
    (b, u, E) : tuple of numpy.ndarray, each of shape ``C.shape[:-2]``

    Examples
    --------
    >>> import numpy as np
    >>> b, u, E = best_mode(np.ones(4), np.eye(4))
    >>> round(float(b), 6), round(float(u), 6), float(E) < 1e-12
    (1.0, 1.0, True)
    """
    w = as_finite_array(w, "w", ndim=1)
    C = as_finite_array(C, "C", min_ndim=2)
    T = w.size
    if T == 0:
        raise ValueError("w must have at least one time step")
    if C.shape[-2:] != (T, T):
        raise ValueError(f"C must end in shape ({T}, {T}), got {C.shape}")
    grid = np.linspace(-2.0, 2.0, 2001) if b_grid is None else np.asarray(b_grid)
    grid = as_finite_array(grid, "b_grid", ndim=1)
    if grid.size < 2:
        raise ValueError(f"b_grid must hold at least 2 values, got {grid.size}")

    def fit(b):  # b: (..., G) -> u, E of shape (..., G)
        p = b[..., None] ** time_lags(T)  # (..., G, T): b^(T-t)
        Cp = np.einsum("...st,...gt->...gs", C, p)
        u = np.einsum("...gs,s->...g", Cp, w) / np.einsum("...gs,...gs->...g", Cp, p)
        r = w - u[..., None] * p
        return u, 0.5 * np.einsum("...gs,...st,...gt->...g", r, C, r)

    _, E = fit(grid)
    b = grid[np.argmin(E, axis=-1)][..., None]  # (..., 1)
    h = grid[1] - grid[0]
    for _ in range(4):  # zoom in: 4 grids of 41 points around the current best
        local = b + h * np.linspace(-1.0, 1.0, 41)
        _, E = fit(local)
        b = np.take_along_axis(local, np.argmin(E, axis=-1)[..., None], -1)
        h /= 20.0
    u, E = fit(b)
    return b[..., 0], u[..., 0], E[..., 0]
