"""The playground: everything the theory predicts about a task of your own (issue 20).

:func:`predict` takes a task's temporal singular values ``s`` (``K`` dimensions by
``T`` input steps, any real numbers) and returns one :class:`Prediction`, each item
computed by the book's own functions:

* whether each dimension has a zero-loss solution (``s_i = u b^{T−i}``, checked with
  :func:`lrnn_utils.theory.energy`) and the energy minimum (chapter 5; a grid
  over ``b`` refined on ``∂E/∂b``, checked against
  :func:`lrnn_utils.theory.minimise_energy`);
* the modes ``(a, b, c)`` reached by gradient descent from a small balanced start, the
  learning curves, half-learning times and learning order
  (:func:`lrnn_utils.theory.simulate_modes`, :func:`lrnn_utils.theory.learning_time`,
  chapters 2-3); the phase (recurrent or feedforward) and early or late importance;
* the largest stable learning rate at the end point
  (:func:`lrnn_utils.theory.max_stable_lr`, chapter 4), the loss at other lengths
  ``T′`` (chapter 4b) and the effective regularization
  (:func:`lrnn_utils.theory.regularization_term`, chapter 5);
* for aligned networks, the distance between the neural tangent kernels at the start
  and at the end of training (:mod:`lrnn_utils.kernels`, chapter 6).

:func:`measure` reads ``s`` off data (the SVD of each ``Σ^{YX_t}``) and says in numbers
how far the data are from the theory's assumptions; :func:`neurogym_task` feeds it any
neurogym task with a fixed trial length.  :func:`parse_profile` reads a typed profile.
Command line::

    python -m lrnn_utils.explore 0.2 0.5 1.0
    python -m lrnn_utils.explore 1 0 0 1 / 0.5 0.5 0.5 0.5   # two dimensions
    python -m lrnn_utils.explore --neurogym PerceptualDecisionMaking-v0
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

import numpy as np

from . import kernels, moments, network, stimuli, theory
from ._validation import (
    DIVERGENCE_LIMIT,
    TrainingDivergedError,
    as_finite_array,
    check_diverged,
    check_finite_scalar,
    check_instance,
    check_positive_int,
    record_steps,
)

__all__ = [
    "PHASE_THRESHOLD",
    "ALIGNED_TOL",
    "Prediction",
    "predict",
    "Measurement",
    "measure",
    "neurogym_task",
    "parse_profile",
    "lag_extension",
    "main",
]

#: ``|b|`` above which a dimension counts as recurrent: the input one step before the
#: read-out keeps more than 10 % of its weight (chapter 5's 10 % threshold).
PHASE_THRESHOLD = 0.1
_ZERO_LOSS_RTOL = 1e-16  # energy / Σ s² below this: zero loss up to rounding
_CONVERGED_TOL = 1e-8  # largest gradient component at a converged end point
#: Relative lowest Hessian eigenvalue below ``-ALIGNED_TOL``: the aligned end point is a
#: saddle of the full network (finite differences are accurate to about 1e-8).
ALIGNED_TOL = 1e-6


def check_profile(s, name: str = "s") -> np.ndarray:
    """``s`` as a finite ``(K, T)`` float array (a 1-D profile is one dimension)."""
    s = as_finite_array(s, name)
    if s.ndim == 1:
        s = s[None, :]
    if s.ndim != 2:
        raise ValueError(
            f"{name} must have shape (K, T) (dimensions x time steps) or (T,), "
            f"got shape {s.shape}"
        )
    if s.shape[0] < 1 or s.shape[1] < 1:
        raise ValueError(
            f"{name} must have at least one dimension and one time step, "
            f"got shape {s.shape}"
        )
    return s


def lag_extension(s, T_new: int) -> np.ndarray:
    """The profile at another length, by lag: inputs older than ``T`` are ignored.

    ``s`` weights input ``x_t`` by ``s_t``, i.e. the input ``T − t`` steps before the
    read-out.  At length ``T′`` the same weights are kept for the last
    ``min(T, T′)`` inputs and older inputs get weight 0.  (For the book's families,
    pass their own extension to :func:`predict` instead.)

    Parameters
    ----------
    s : array_like, shape (K, T) or (T,)
    T_new : int
        New length ``T′ >= 1``.

    Returns
    -------
    numpy.ndarray, shape (K, T_new)

    Examples
    --------
    >>> lag_extension([1.0, 2.0], 4)
    array([[0., 0., 1., 2.]])
    >>> lag_extension([1.0, 2.0, 3.0], 2)
    array([[2., 3.]])
    """
    s = check_profile(s)
    T_new = check_positive_int(T_new, "T_new")
    K, T = s.shape
    if T_new <= T:
        return s[:, T - T_new :].copy()
    return np.concatenate([np.zeros((K, T_new - T)), s], axis=1)


def parse_profile(text: str) -> np.ndarray:
    """A typed profile: numbers separated by spaces or commas, dimensions by ``/``.

    Parameters
    ----------
    text : str
        For example ``"0.2 0.5 1.0"`` (one dimension, ``T = 3``) or
        ``"1 0 0 1 / 0.5, 0.5, 0.5, 0.5"`` (two dimensions).

    Returns
    -------
    numpy.ndarray, shape (K, T)

    Raises
    ------
    TypeError
        ``text`` is not a string.
    ValueError
        Empty text, something that is not a finite number, or dimensions of
        different lengths (the message says which).

    Examples
    --------
    >>> parse_profile("0.2 0.5 1")
    array([[0.2, 0.5, 1. ]])
    >>> parse_profile("1, 0 / 2 2").shape
    (2, 2)
    """
    check_instance(text, str, "text", "numbers separated by spaces, '/' between rows")
    rows = []
    for k, part in enumerate(text.split("/")):
        words = part.replace(",", " ").split()
        if not words:
            raise ValueError(
                f"text: dimension {k + 1} is empty; type numbers such as 0.2 0.5 1"
            )
        try:
            row = [float(w) for w in words]
        except ValueError:
            bad = next(w for w in words if not _is_number(w))
            raise ValueError(f"text: {bad!r} is not a number") from None
        if not np.all(np.isfinite(row)):
            raise ValueError("text: every value must be finite (no nan or inf)")
        rows.append(row)
    if len({len(r) for r in rows}) > 1:
        lengths = ", ".join(str(len(r)) for r in rows)
        raise ValueError(
            f"text: every dimension needs the same number of steps, got {lengths}"
        )
    return np.array(rows, dtype=float)


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Prediction:
    """Everything the theory predicts for one task (the result of :func:`predict`).

    Per-dimension arrays have shape ``(K,)``; NaN marks an undefined entry (a
    half-learning time never reached, a dimension without a zero-loss solution).

    Attributes
    ----------
    s : ndarray, shape (K, T)
        The task's singular values.
    scale, lr : float
        Initial scale (``a = b = |c| = scale``) and learning rate of the prediction.
    zero_loss : ndarray of bool
        Whether ``s_i = u b^{T−i}`` can be met exactly.
    u_zero, b_zero : ndarray
        That zero-loss solution (NaN where none; ``b`` is free, given as 0, at T = 1).
    u_min, b_min, energy_min : ndarray
        The energy minimum over ``(u, b)`` with ``|b| <= 10`` (the minimum
        :func:`lrnn_utils.theory.minimise_energy` finds, or a lower one where its local
        searches stop short).
    min_at_bound : ndarray of bool
        The minimum lies on ``|b| = 10``: the infimum is approached as ``|b| → ∞``.
    t, u, b, energy : ndarray
        Learning curves from the small start: times ``(n,)`` (``lr × step``) and
        ``(n, K)`` arrays.
    steps : int
        Gradient-descent steps run.
    diverged_step : int or None
        Step at which the run diverged (then the end-point items are NaN).
    converged : ndarray of bool
        The end point is stationary (largest gradient component below 1e-8).
    a_end, b_end, c_end, loss_end : ndarray
        Modes and energy at the end of the run.
    t_half : ndarray
        Half-learning time of ``u = ac`` (halfway from its start to its end value).
    order : tuple of int
        Dimensions (numbered from 1) in the order they are learned.
    phase : tuple of str
        ``"recurrent"`` (``|b| > PHASE_THRESHOLD``) or ``"feedforward"``.
    importance : tuple of str
        ``"early"`` (``|b| > 1``: early inputs weigh more), ``"late"`` or ``"even"``.
    max_lr : ndarray
        Largest stable learning rate at the end point, per mode (``inf``: no limit).
    regularization : ndarray
        Effective regularization ``½ c² a² Σ_k b^{2k}`` at the end point (Lemma 3.2).
    T_test : ndarray of int
        Other lengths ``T′``.
    extrapolation : ndarray, shape (len(T_test), K)
        Energy of the end point on the task at each ``T′``.
    kernel_distance : float
        NTK distance between start and end of training of an aligned network with
        ``N_x = N_h = N_y = K`` and exactly whitened inputs (NaN after divergence or
        for networks too large to compute, ``T K² > 6000``).
    hessian_min : float
        Lowest eigenvalue of the full network's loss Hessian at the aligned end point
        (same network; :func:`lrnn_utils.network.network_hessian`), relative to the
        largest.  Clearly negative: the end point is a saddle of the full network,
        which can lower the loss by mixing dimensions (e.g. a rotation in ``W_h``), so
        a full network can leave the predicted path (how soon depends on how fast
        rounding errors or noise grow along that direction).  NaN when not computed
        (``K > 6``, or the run has not reached a stationary point).
    """

    s: np.ndarray
    scale: float
    lr: float
    zero_loss: np.ndarray
    u_zero: np.ndarray
    b_zero: np.ndarray
    u_min: np.ndarray
    b_min: np.ndarray
    energy_min: np.ndarray
    min_at_bound: np.ndarray
    t: np.ndarray
    u: np.ndarray
    b: np.ndarray
    energy: np.ndarray
    steps: int
    diverged_step: int | None
    converged: np.ndarray
    a_end: np.ndarray
    b_end: np.ndarray
    c_end: np.ndarray
    loss_end: np.ndarray
    t_half: np.ndarray
    order: tuple
    phase: tuple
    importance: tuple
    max_lr: np.ndarray
    regularization: np.ndarray
    T_test: np.ndarray
    extrapolation: np.ndarray
    kernel_distance: float
    hessian_min: float

    @property
    def aligned_stable(self) -> bool:
        """Whether the aligned end point is a minimum of the full network."""
        return bool(self.hessian_min >= -ALIGNED_TOL)

    @property
    def K(self) -> int:
        """Number of dimensions."""
        return self.s.shape[0]

    @property
    def T(self) -> int:
        """Trajectory length."""
        return self.s.shape[1]

    @property
    def network_max_lr(self) -> float:
        """The whole network's stable learning rate, the smallest per-mode limit."""
        return float(np.min(self.max_lr))

    def rows(self) -> list[tuple[str, list[str]]]:
        """The report as ``(quantity, [one string per dimension])`` rows."""
        n = self.K

        def each(values, spec=".3g"):
            return [_fmt(v, spec) for v in values]

        rows = [
            ("zero-loss solution", ["yes" if z else "no" for z in self.zero_loss]),
            ("  u = ac there", each(self.u_zero)),
            ("  b there", each(self.b_zero)),
            ("energy minimum", [_small(v) for v in self.energy_min]),
            ("  u, b at the minimum", [
                f"{_fmt(u)}, {_fmt(b)}" + (" (|b| → ∞)" if at else "")
                for u, b, at in zip(self.u_min, self.b_min, self.min_at_bound)
            ]),
        ]  # fmt: skip
        if self.diverged_step is not None:
            note = f"diverged at step {self.diverged_step}"
            return rows + [("gradient descent", [note] * n)]
        rank = {d: i + 1 for i, d in enumerate(self.order)}
        rows += [
            ("end of training: u = ac", each(self.a_end * self.c_end)),
            ("  b", each(self.b_end)),
            ("  loss (energy)", [_small(v) for v in self.loss_end]),
            ("  converged", ["yes" if c else "no" for c in self.converged]),
            ("phase", list(self.phase)),
            ("importance", list(self.importance)),
            ("half-learning time", each(self.t_half)),
            ("learning order", [str(rank[k + 1]) for k in range(n)]),
            ("largest stable rate", each(self.max_lr)),
            ("effective regularization", each(self.regularization)),
        ]
        for j, Tt in enumerate(self.T_test):
            rows.append(
                (f"loss at T′ = {Tt}", [_small(v) for v in self.extrapolation[j]])
            )
        return rows

    def __str__(self) -> str:
        head = (
            f"Theory's predictions for K = {self.K} dimension(s), T = {self.T} steps; "
            f"start a = b = |c| = {_fmt(self.scale)}, learning rate {_fmt(self.lr)}, "
            f"{self.steps} steps."
        )
        rows = self.rows()
        cols = [f"dim {k + 1}" for k in range(self.K)]
        w0 = max(len(r[0]) for r in rows)
        widths = [
            max(len(c), *(len(r[1][k]) for r in rows)) for k, c in enumerate(cols)
        ]
        lines = [head, ""]
        lines.append("  ".join([" " * w0] + [c.rjust(w) for c, w in zip(cols, widths)]))
        for name, vals in rows:
            cells = [v.rjust(w) for v, w in zip(vals, widths)]
            lines.append("  ".join([name.ljust(w0)] + cells))
        lines.append("")
        lines.append(
            f"network: largest stable rate {_fmt(self.network_max_lr)}, kernel "
            f"distance start → end {_small(self.kernel_distance)}"
        )
        if np.isnan(self.hessian_min):
            lines.append(
                "full network: stability of the aligned end point not computed "
                "(run not converged, or K > 6)"
            )
        elif self.aligned_stable:
            lines.append("full network: the aligned end point is a minimum")
        else:
            lines.append(
                "full network: the aligned end point is a SADDLE; a full network "
                "can leave it (rounding or noise grows) by mixing dimensions and end "
                "lower"
            )
        return "\n".join(lines)


def _fmt(x, spec: str = ".3g", inf: str = "none") -> str:
    """A number for the report: '—' for undefined, ``inf`` for +infinity."""
    x = float(x)
    if np.isnan(x):
        return "—"
    if np.isinf(x):
        return inf if x > 0 else "-inf"
    out = format(x, spec)
    return "0" if out in ("-0", "0", "-0.0") else out


def _small(x) -> str:
    """``_fmt`` that shows rounding-level values as a bound (machine-independent)."""
    return "< 1e-12" if 0 <= x < 1e-12 else _fmt(x)


def _zero_loss(s):
    """Zero-loss solution ``(ok, u, b)`` of each dimension (``s_i = u b^{T−i}``)."""
    K, T = s.shape
    ok = np.zeros(K, bool)
    u = np.full(K, np.nan)
    b = np.full(K, np.nan)
    for k in range(K):
        sk = s[k]
        if T == 1 or not np.any(sk):
            ok[k], u[k], b[k] = True, sk[-1], 0.0
            continue
        if sk[-1] == 0:
            continue  # u = s_T = 0 would make every s_i zero
        bk, uk = sk[-2] / sk[-1], sk[-1]
        scale = float(np.sum(sk**2))
        with np.errstate(over="ignore", invalid="ignore"):
            E = float(theory.energy(uk, bk, 1.0, sk)) if np.isfinite(bk) else np.inf
        if E <= _ZERO_LOSS_RTOL * scale:
            ok[k], u[k], b[k] = True, uk, bk
    return ok, u, b


def _mode_run(a, b, c, s, lr, steps, record_every):
    """:func:`lrnn_utils.theory.simulate_modes` for one scalar mode, by Horner's rule.

    The same Euler steps as there (tests/test_explore.py compares the two), with the
    lag sums written as polynomials in ``b``: with ``S_k = s_{T−k}``,
    ``g = Σ_k S_k b^k − u Σ_k b^{2k}`` and ``∂g``-like
    ``gb = Σ_k k S_k b^{k−1} − u b Σ_k k b^{2(k−1)}``, each polynomial and its
    derivative evaluated in one Horner pass (in ``b`` and in ``b²``), several times
    cheaper than forming every power.  The energy is computed from the residuals at the
    recorded steps only.  Raises :class:`TrainingDivergedError` as there.
    """
    a, b, c = float(a), float(b), float(c)
    S = [float(x) for x in s]  # S[::-1][k] = S_k: highest power first, for Horner
    T = len(S)
    rec = record_steps(steps, record_every)
    recorded, out = rec.tolist(), np.empty((4, rec.size))
    last, j, want = recorded[-1], 0, recorded[0]
    hint = "try a smaller learning rate"
    for step in range(last + 1):
        try:
            b ** (T - 1)  # the largest power simulate_modes forms
        except OverflowError:
            raise TrainingDivergedError(step, "b", hint) from None
        u, b2 = a * c, b * b
        if step == want:
            E, pk = 0.0, 1.0  # pk = b^k; b^(T-1) is finite
            for x in reversed(S):
                d = x - u * pk
                E, pk = E + d * d, pk * b
            out[:, j] = a, b, c, 0.5 * E
            j += 1
            want = recorded[j] if j < rec.size else -1
        if step == last:
            break
        p = dp = q = dq = 0.0  # Σ S_k b^k, its b-derivative; Σ x^k, its x-derivative
        for x in S:
            dp, p = dp * b + p, p * b + x
            dq, q = dq * b2 + q, q * b2 + 1.0
        g, gb = p - u * q, dp - u * b * dq
        a, b, c = a + lr * c * g, b + lr * u * gb, c + lr * a * g
        if not max(abs(a), abs(b), abs(c)) <= DIVERGENCE_LIMIT:
            check_diverged(step + 1, hint, a=a, b=b, c=c)
    return theory.ModeTrajectory(steps=rec, a=out[0], b=out[1], c=out[2], energy=out[3])


_B_BOUND = 10.0  # box |b| <= 10 of the energy minimum (theory.minimise_energy's)
_B_GRID = 801  # grid of b on the box (step 0.025) before the local refinement
_REFINE = 14  # regula falsi (Illinois) steps on each bracket: down to rounding


def _energy_minima(s):
    """Energy minimum over ``(u, b)``, ``|b| <= 10``, of every row of ``s`` at once.

    The same minimum as :func:`lrnn_utils.theory.minimise_energy` (tests/test_explore.py
    compares them on many profiles; where its nine local L-BFGS-B searches stop in a
    local minimum, this finds the lower one), at a fraction of the cost: the energy
    minimised over ``u`` (``u = optimal_u(b)``) is evaluated on a grid of ``b`` over
    the box, and each grid minimum with a sign change of ``∂E/∂b`` between its two
    neighbours is refined by regula falsi (Illinois) on ``∂E/∂b``; the grid points and
    the box corners stay candidates.  Ties up to rounding go to the largest ``b``, as
    there.  Returns ``(u, b, E)``, each of shape ``(K,)``.
    """
    K, T = s.shape
    s_lag = s[:, ::-1]  # s_lag[:, k]: weight of the input k steps before the read-out
    lag = np.arange(1, T, dtype=float)

    def fit(b, rows):  # b: (n,) -> u, E, dE/db at u = optimal_u(b), each (n,)
        sr = s_lag[rows]
        p = np.ones((b.size, T))  # p[:, k] = b^k
        with np.errstate(over="ignore", invalid="ignore"):
            np.cumprod(np.broadcast_to(b[:, None], (b.size, T - 1)), 1, out=p[:, 1:])
            u = np.einsum("nt,nt->n", p, sr) / np.einsum("nt,nt->n", p, p)
            r = sr - u[:, None] * p
            g = -u * np.einsum("nt,nt->n", lag * p[:, :-1], r[:, 1:])
            return u, 0.5 * np.einsum("nt,nt->n", r, r), g

    grid = np.linspace(-_B_BOUND, _B_BOUND, _B_GRID)
    _, E, _ = fit(np.tile(grid, K), np.repeat(np.arange(K), grid.size))
    E = E.reshape(K, grid.size)
    inner = (E[:, 1:-1] <= E[:, :-2]) & (E[:, 1:-1] <= E[:, 2:])
    k_in, i_in = np.nonzero(inner)  # grid minima: a stationary point within a step
    lo, hi = grid[i_in], grid[i_in + 2]
    _, _, g_lo = fit(lo, k_in)
    _, _, g_hi = fit(hi, k_in)
    ok = (g_lo < 0) & (g_hi > 0)  # a sign change of dE/db: refine
    kk, lo, hi, g_lo, g_hi = k_in[ok], lo[ok], hi[ok], g_lo[ok], g_hi[ok]
    x, prev = 0.5 * (lo + hi), np.zeros(kk.size, bool)
    for _ in range(_REFINE):
        with np.errstate(divide="ignore", invalid="ignore"):
            x = (lo * g_hi - hi * g_lo) / (g_hi - g_lo)
        x = np.where((x > lo) & (x < hi), x, 0.5 * (lo + hi))
        _, _, g = fit(x, kk)
        left = g < 0  # the root lies right of x: x becomes lo
        # Illinois: an end kept twice in a row has its value halved
        g_lo = np.where(left, g, np.where(~prev, 0.5 * g_lo, g_lo))
        g_hi = np.where(left, np.where(prev, 0.5 * g_hi, g_hi), g)
        lo, hi, prev = np.where(left, x, lo), np.where(left, hi, x), left
    cand_b = np.concatenate([x, grid[i_in + 1], np.repeat(grid[[0, -1]], K)])
    cand_k = np.concatenate([kk, k_in, np.tile(np.arange(K), 2)])
    cu, cE, _ = fit(cand_b, cand_k)
    cE = np.where(np.isnan(cE), np.inf, cE)  # b^(2(T-1)) overflows for long profiles
    u, b, E = np.empty(K), np.empty(K), np.empty(K)
    for k in range(K):
        mine = np.flatnonzero(cand_k == k)
        Ek = cE[mine]
        tie = mine[Ek <= Ek.min() * (1 + 1e-9)]
        j = tie[np.argmax(cand_b[tie])]
        u[k], b[k], E[k] = cu[j], cand_b[j], cE[j]
    return u, b, E


def _default_lr(s, u_min, b_min, at_bound):
    """Half the stable rate at the balanced energy minima, at most 0.05.

    Minima on the box ``|b| = 10`` are left out: gradient descent from a small start
    only creeps towards them, and their curvature would make the rate vanish.
    """
    if np.all(at_bound):
        return 0.05
    a = np.sqrt(np.abs(u_min))
    c = np.where(u_min < 0, -a, a)
    limit = theory.max_stable_lr(a, b_min, c, s)
    return min(0.05, 0.5 * float(np.min(limit[~at_bound])))


def _canonical_inputs(K, T):
    """Exactly whitened inputs with P = T K trajectories: (1/P) Σ_p x xᵀ = I."""
    P = T * K
    return np.sqrt(P) * np.eye(P).reshape(P, T, K)


def _canonical_kernel(a, b, c, T):
    """NTK of the aligned network with modes (a, b, c), N = K, whitened inputs."""
    X = _canonical_inputs(a.size, T)
    return kernels.ntk(np.diag(a), np.diag(b), np.diag(c), X)


def _aligned_curvature(a, b, c, s):
    """Lowest / largest eigenvalue of the full network's Hessian at aligned modes."""
    K, T = s.shape
    X = _canonical_inputs(K, T)
    Y = np.einsum("kt,ptk->pk", s, X)  # y = Σ_t diag(s_t) x_t: U = V = I
    H = network.network_hessian(np.diag(a), np.diag(b), np.diag(c), X, Y)
    eig = np.linalg.eigvalsh(H)
    return float(eig[0] / max(eig[-1], 1e-300))


def predict(
    s,
    scale: float = 0.1,
    lr: float | None = None,
    steps: int | None = None,
    T_test=None,
    extend=None,
    max_steps: int = 50_000,
) -> Prediction:
    """Everything the theory predicts for a task with singular values ``s``.

    Gradient descent starts from small balanced modes ``a = b = scale`` and
    ``c = ± scale`` (the sign of the energy minimum's ``u``: ``a² − c²`` is conserved,
    so a balanced start never changes the sign of ``u = ac``).  On an aligned
    full-matrix network with exactly whitened inputs this run *is* the network's
    training (chapter 2), so every end-point item is a prediction about the network.

    Parameters
    ----------
    s : array_like, shape (K, T) or (T,)
        Temporal singular values ``s[α, t−1] = s_{α,t}``; any finite reals.
    scale : float, default 0.1
        Initial scale (> 0).
    lr : float, optional
        Learning rate.  Default: half the stable rate at the energy minima, at most
        0.05.
    steps : int, optional
        Number of steps.  Default: until every gradient component is below 1e-8, at
        most ``max_steps``.
    T_test : int or array_like of int, optional
        Other lengths ``T′`` (default ``T//2``, ``2T``, ``4T``, without duplicates).
    extend : callable, optional
        ``extend(T′)`` returns the task's ``(K, T′)`` profile at length ``T′``; default
        :func:`lag_extension` (inputs older than ``T`` are ignored).
    max_steps : int, default 50000
        Largest number of steps when ``steps`` is not given.

    Returns
    -------
    Prediction

    Raises
    ------
    TypeError
        ``s`` not numeric, ``extend`` not callable, non-integer ``steps``.
    ValueError
        NaN or inf in ``s``, an empty ``s``, a wrong shape, non-positive ``scale``
        or ``lr``, a bad ``T_test``, or an ``extend`` returning a wrong shape.

    Examples
    --------
    >>> p = predict([0.25, 0.5, 1.0])
    >>> bool(p.zero_loss[0]), round(float(p.b_end[0]), 4), p.phase, p.importance
    (True, 0.5, ('recurrent',), ('late',))
    """
    s = check_profile(s)
    K, T = s.shape
    scale = check_finite_scalar(scale, "scale", positive=True)
    max_steps = check_positive_int(max_steps, "max_steps")
    if steps is not None:
        steps = check_positive_int(steps, "steps", minimum=1)
    if T_test is None:
        T_test = np.unique([max(1, T // 2), 2 * T, 4 * T])
    T_arr = np.atleast_1d(np.asarray(T_test))
    if T_arr.size == 0 or T_arr.ndim != 1:
        raise ValueError(
            f"T_test must be one length or a list of lengths, got {T_test}"
        )
    T_test = np.array([check_positive_int(v, "T_test") for v in T_arr.tolist()])
    if extend is None:

        def extend(T_new):
            return lag_extension(s, T_new)

    elif not callable(extend):
        raise TypeError(f"extend must be callable, got {type(extend).__name__}")

    zero_ok, u_zero, b_zero = _zero_loss(s)
    u_min, b_min, E_min = _energy_minima(s)
    at_bound = np.abs(b_min) >= _B_BOUND * (1 - 1e-9)
    if lr is None:
        lr = _default_lr(s, u_min, b_min, at_bound)
    lr = check_finite_scalar(lr, "lr", positive=True)

    a0 = np.full(K, scale)
    c0 = np.where(u_min < 0, -scale, scale)
    n_steps = max_steps if steps is None else steps
    rec_every = max(1, n_steps // 400)
    diverged = None
    try:
        if steps is None:
            run = theory.simulate_modes(
                a0, a0, c0, s, lr, n_steps, record_every=rec_every, tol=_CONVERGED_TOL
            )
        else:  # one scalar run per dimension, by Horner's rule
            runs = [
                _mode_run(a0[k], a0[k], c0[k], s[k], lr, n_steps, rec_every)
                for k in range(K)
            ]
            run = theory.ModeTrajectory(
                steps=runs[0].steps,
                **{x: np.stack([getattr(r, x) for r in runs], axis=1)
                   for x in ("a", "b", "c", "energy")},
            )  # fmt: skip
    except TrainingDivergedError as err:
        diverged = int(err.step)
    nanK = np.full(K, np.nan)
    if diverged is not None:
        t = np.zeros(1)
        u_c = (a0 * c0)[None]
        b_c = a0[None]
        E_c = theory.energy(a0, a0, c0, s)[None]
        ends = (nanK,) * 4
        conv, t_half, order = np.zeros(K, bool), nanK, tuple(range(1, K + 1))
        phase = importance = ("—",) * K
        max_lr = reg = nanK
        extra = np.full((T_test.size, K), np.nan)
        kdist = h_min = float("nan")
        n_run = diverged
    else:
        t = run.steps * lr
        u_c, b_c, E_c = run.u, run.b, run.energy
        end = run.end()
        a_e, b_e, c_e = end.a, end.b, end.c
        ends = (a_e, b_e, c_e, end.energy)
        grads = np.abs(np.stack(theory.mode_flows(a_e, b_e, c_e, s)))
        conv = np.max(grads, axis=0) < _CONVERGED_TOL
        t_half = (
            theory.learning_time(t, u_c, start=u_c[0], target=u_c[-1])
            if t.size > 1
            else nanK
        )
        key = np.where(np.isnan(t_half), np.inf, t_half)
        order = tuple(int(k) + 1 for k in np.argsort(key, kind="stable"))
        phase = tuple(
            "recurrent" if T > 1 and abs(bb) > PHASE_THRESHOLD else "feedforward"
            for bb in b_e
        )
        importance = tuple(
            "even" if T == 1 or abs(abs(bb) - 1) < 1e-6 else
            ("early" if abs(bb) > 1 else "late")
            for bb in b_e
        )  # fmt: skip
        max_lr = theory.max_stable_lr(a_e, b_e, c_e, s)
        reg = theory.regularization_term(a_e, b_e, c_e, T)
        extra = np.empty((T_test.size, K))
        for j, Tt in enumerate(T_test):
            s_new = as_finite_array(extend(int(Tt)), "extend(T′)")
            if s_new.shape != (K, Tt):
                raise ValueError(
                    f"extend({Tt}) must return shape {(K, int(Tt))}, got {s_new.shape}"
                )
            with np.errstate(over="ignore", invalid="ignore"):
                extra[j] = theory.energy(a_e, b_e, c_e, s_new)
        extra = np.where(np.isfinite(extra), extra, np.inf)
        kdist = (
            kernels.kernel_distance(
                _canonical_kernel(a0, a0, c0, T), _canonical_kernel(a_e, b_e, c_e, T)
            )
            if T * K * K <= 6000
            else float("nan")
        )
        h_min = (
            _aligned_curvature(a_e, b_e, c_e, s)
            if K <= 6 and np.all(conv)
            else float("nan")
        )
        n_run = int(run.steps[-1])
    return Prediction(
        s=s.copy(), scale=scale, lr=lr, zero_loss=zero_ok, u_zero=u_zero,
        b_zero=b_zero, u_min=u_min, b_min=b_min, energy_min=E_min,
        min_at_bound=at_bound, t=t, u=u_c, b=b_c, energy=E_c, steps=n_run,
        diverged_step=diverged, converged=conv, a_end=ends[0], b_end=ends[1],
        c_end=ends[2], loss_end=ends[3], t_half=t_half, order=order, phase=phase,
        importance=importance, max_lr=max_lr, regularization=reg, T_test=T_test,
        extrapolation=extra, kernel_distance=kdist, hessian_min=h_min,
    )  # fmt: skip


# ----------------------------------------------------------------------------------
# from data
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measurement:
    """A task's temporal singular values read off data, and the assumptions' gaps.

    Attributes
    ----------
    s : ndarray, shape (K, T)
        Signed singular values on the shared directions: ``s[α, t−1] = u_αᵀ Σ^{YX_t}
        v_α``, strongest dimension first (each dimension's sign chosen so that its
        largest entry is positive).
    U, V : ndarray, shapes (Ny, K), (Nx, K)
        Shared output and input directions (the leading singular vectors of all
        ``Σ^{YX_t}`` side by side, and stacked).
    per_step : ndarray, shape (T, min(Ny, Nx))
        Singular values of each ``Σ^{YX_t}`` on its own (its own SVD).
    shared_gap : float
        ``sqrt(Σ_t ‖Σ^{YX_t} − U diag(s_t) Vᵀ‖²_F / Σ_t ‖Σ^{YX_t}‖²_F)``: the part of
        the correlations that shared singular vectors cannot carry (0 under
        Assumption 2).
    whitening_gap : float
        ``‖Σ^{XX} − I‖₂``, spectral norm over time × input dimension (0 under
        Assumption 1).
    input_condition : float
        Condition number of ``Σ^{XX}`` (``inf`` when singular, e.g. ``P < T·Nx``).
    P : int
        Number of trajectories.
    """

    s: np.ndarray
    U: np.ndarray
    V: np.ndarray
    per_step: np.ndarray
    shared_gap: float
    whitening_gap: float
    input_condition: float
    P: int

    def __str__(self) -> str:
        K, T = self.s.shape
        return "\n".join([
            f"Measured from P = {self.P} trajectories: K = {K} dimension(s), "
            f"T = {T} steps.",
            f"  shared singular vectors: {_fmt(100 * self.shared_gap, '.2g')} % of the "
            "correlations lie off them (0 % under the theory's assumption)",
            f"  whitened inputs: ‖Σxx − I‖ = {_fmt(self.whitening_gap)}, condition "
            f"number {_fmt(self.input_condition, inf='infinite')} "
            "(0 and 1 under the assumption)",
        ])  # fmt: skip


def measure(X, Y, rtol: float = 0.01) -> Measurement:
    """Measure a task's temporal singular values from inputs and targets.

    Computes ``Σ^{YX_t} = (1/P) Σ_p y_p x_{p,t}ᵀ`` for every ``t``, takes the SVD of
    each (``per_step``), finds the directions all steps share, reads the signed
    singular values ``s`` along them for :func:`predict`, and reports in numbers how
    far the data are from shared singular vectors and from whitened inputs.

    Parameters
    ----------
    X : array_like, shape (P, T, Nx)
    Y : array_like, shape (P, Ny)
    rtol : float, default 0.01
        Directions whose norm ``‖s_α‖`` is below ``rtol`` times the largest are
        dropped (with finite samples, directions the targets do not use still carry
        correlations of order ``1/√P``).

    Returns
    -------
    Measurement

    Raises
    ------
    TypeError
        Non-numeric ``X`` or ``Y``.
    ValueError
        Wrong shapes, no samples, non-finite values, or all correlations zero.

    Examples
    --------
    >>> from lrnn_utils import tasks
    >>> task = tasks.make_task([[0.5, 2.0], [1.0, 1.0]], 8, np.random.default_rng(0))
    >>> m = measure(task.X, task.Y)
    >>> np.round(m.s, 6), m.shared_gap < 1e-12, m.whitening_gap < 1e-12
    (array([[2. , 1. ],
           [0.5, 1. ]]), True, True)
    """
    Syx = moments.correlations(X, Y)  # (T, Ny, Nx), validates X and Y
    X = np.asarray(X, dtype=float)
    rtol = check_finite_scalar(rtol, "rtol", positive=True)
    T, Ny, Nx = Syx.shape
    total = float(np.sum(Syx**2))
    if total == 0:
        raise ValueError("X and Y are uncorrelated at every step: no task to measure")
    per_step = np.linalg.svd(Syx, compute_uv=False)
    U_all = np.linalg.svd(np.concatenate(list(Syx), axis=1))[0]  # (Ny, Ny)
    V_all = np.linalg.svd(np.concatenate(list(Syx), axis=0))[2].T  # (Nx, Nx)
    k_max = min(Ny, Nx)
    U, V = U_all[:, :k_max], V_all[:, :k_max]
    D = np.einsum("ok,toi,ij->tkj", U, Syx, V)  # (T, k, k)
    s = np.einsum("tkk->kt", D)
    keep = np.linalg.norm(s, axis=1) > rtol * np.max(np.linalg.norm(s, axis=1))
    s, U, V = s[keep], U[:, keep], V[:, keep]
    sign = np.sign(s[np.arange(s.shape[0]), np.argmax(np.abs(s), axis=1)])
    s, U = s * sign[:, None], U * sign
    resid = Syx - np.einsum("ok,kt,ik->toi", U, s, V)
    shared_gap = float(np.sqrt(np.sum(resid**2) / total))
    Sxx = moments.input_correlations(X, flat=True)
    eig = np.linalg.eigvalsh(Sxx)
    whitening_gap = float(np.max(np.abs(eig - 1.0)))
    cond = float(eig[-1] / eig[0]) if eig[0] > eig[-1] * 1e-14 else float("inf")
    return Measurement(
        s=s, U=U, V=V, per_step=per_step, shared_gap=shared_gap,
        whitening_gap=whitening_gap, input_condition=cond, P=X.shape[0],
    )  # fmt: skip


def neurogym_task(name: str, n_trials: int, rng, timing=None):
    """Trials of any neurogym task with a fixed trial length, as ``(X, Y)``.

    A thin wrapper of :func:`lrnn_utils.stimuli.neurogym_trials`: inputs are the
    observations over the whole trial, the target is the ground truth at its last step
    (one-hot for a discrete action space).

    Parameters
    ----------
    name : str
        A neurogym task, e.g. ``"PerceptualDecisionMaking-v0"``.
    n_trials : int
    rng : numpy.random.Generator
    timing : dict, optional
        neurogym's period durations (ms), to fix a variable trial length.

    Returns
    -------
    (X, Y) : numpy.ndarray of shapes (P, T, Nx), (P, Ny)
    """
    return stimuli.neurogym_trials(name, n_trials, rng, timing=timing)


# ----------------------------------------------------------------------------------
# command line
# ----------------------------------------------------------------------------------


def main(argv=None) -> int:
    """The command line: print the theory's predictions as a table.

    ``python -m lrnn_utils.explore 0.2 0.5 1.0`` (a profile; ``/`` separates
    dimensions) or ``python -m lrnn_utils.explore --neurogym NAME``.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0, or 2 after a usage error (message on standard error).
    """
    if argv is not None:
        check_instance(argv, (list, tuple), "argv", "a list of strings")
    parser = argparse.ArgumentParser(
        prog="python -m lrnn_utils.explore",
        description="What the theory of linear RNN learning dynamics predicts for a "
        "task: give its temporal singular values s_1 .. s_T (use / between "
        "dimensions) or a neurogym task.",
    )
    parser.add_argument("values", nargs="*", help="s_1 ... s_T, '/' between dimensions")
    parser.add_argument("--neurogym", metavar="NAME", help="a neurogym task instead")
    parser.add_argument("--trials", type=int, default=500, help="neurogym trials")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", type=float, default=0.1, help="initial scale")
    parser.add_argument("--lr", type=float, default=None, help="learning rate")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--T-test", type=int, nargs="+", default=None, dest="T_test")
    args = parser.parse_args(argv)
    try:
        if args.neurogym:
            if args.values:
                parser.error("give either values or --neurogym, not both")
            X, Y = neurogym_task(
                args.neurogym, args.trials, np.random.default_rng(args.seed)
            )
            found = measure(X, Y)
            print(found)
            print()
            s = found.s
        else:
            if not args.values:
                parser.error("give the values s_1 ... s_T, or --neurogym NAME")
            s = parse_profile(" ".join(args.values))
        report = predict(
            s, scale=args.scale, lr=args.lr, steps=args.steps, T_test=args.T_test
        )
    except (TypeError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(report)
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised through subprocess
    sys.exit(main())
