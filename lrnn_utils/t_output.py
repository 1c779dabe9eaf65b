"""A linear RNN with an output at every time step (paper App. M), chapter 8.

The network is the book's ``h_{t+1} = W_h h_t + W_x x_t`` (``h_1 = 0``), read out
at every step, ``ŷ_t = W_y h_{t+1}``, and trained on the loss over all output times

    ``L = (1/2P) Σ_p Σ_{t=1}^{T} ‖y_{p,t} − ŷ_{p,t}‖²``

(a mean over samples, as everywhere in the book, and a *sum* over output times, as
in paper eq. 144).  Its task is the set of correlations ``Σ^{Y_t X_i}``
(``i ≤ t``); under the book's assumptions they share singular vectors,
``Σ^{Y_t X_i} = U diag(s_{t,i}) Vᵀ``, and each aligned mode has the energy

    ``E = ½ Σ_{t=1}^{T} Σ_{i=1}^{t} (s_{t,i} − c b^{t−i} a)²``

(paper eqs 152-156 with τ = 1).  Two identities carry the chapter:

* the energy is the sum over ``t`` of single-output energies of length ``t``
  (:func:`energy` equals ``Σ_t theory.energy(a, b, c, s[t, :t])``);
* grouped by the lag ``k = t − i``, the loss is a single-output loss whose lag-``k``
  input carries the weight ``T − k`` (the number of output times that see it):
  :func:`moments` writes the data in the single-output layout of
  :class:`lrnn_utils.moments.Moments`, so :func:`train` is
  :func:`lrnn_utils.engine.train_on_moments` on those moments, unchanged.

Singular values are stored as ``s[..., t-1, i-1] = s_{t,i}``, shape ``(..., T, T)``,
zero above the diagonal (``i > t``: an output cannot depend on a later input).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import engine, kernels, network, theory
from ._validation import (
    DIVERGENCE_LIMIT,
    TrainingDivergedError,
    as_finite_array,
    check_choice,
    check_diverged,
    check_finite_scalar,
    check_positive_int,
    check_rng,
    record_steps,
)
from .moments import Moments, make_moments
from .tasks import TASK_KINDS, Task, random_orthonormal, whiten

__all__ = [
    "singular_values",
    "TOutputTask",
    "make_task",
    "correlations",
    "forward",
    "loss",
    "gradients",
    "moments",
    "train",
    "lag_profile",
    "energy",
    "mode_flows",
    "simulate_modes",
    "optimal_u",
    "effective_energy",
    "regularization_term",
    "jacobian",
    "ntk",
    "ntk_kronecker",
]


def _lower(T):
    """Mask ``i <= t`` and the lags ``t − i`` (clipped at 0 above the diagonal)."""
    t = np.arange(T)[:, None]
    i = np.arange(T)[None, :]
    return i <= t, np.maximum(t - i, 0)


def singular_values(kind: str, T: int, delta=1.0, lam=1.0, kappa=None) -> np.ndarray:
    """Singular values ``s_{t,i} = δ f(λ, t, i)`` of a task with outputs at every step.

    ``f = 1`` (constant), ``λ^{t−i}`` (inverse-exponential: depends on the lag only)
    or ``λ^i`` (exponential: depends on the input time only).  The last row
    ``t = T`` is the single-output task of
    :func:`lrnn_utils.tasks.task_singular_values` with the same ``kind``, ``δ``, ``λ``.
    With ``kappa``, the diagonal ``s_{t,t} = κ`` (an instantaneous, feedforward part
    at every output time: the last row is then paper eq. 10).

    Parameters
    ----------
    kind : {"constant", "inverse_exponential", "exponential"}
    T : int
        Trajectory length ``>= 1`` (``>= 2`` with ``kappa``).
    delta, lam : float or array_like
        Scale and dynamics, broadcast together.
    kappa : float or array_like, optional
        Feedforward part on the diagonal.

    Returns
    -------
    numpy.ndarray, shape ``broadcast + (T, T)``
        ``[..., t-1, i-1]`` is ``s_{t,i}``; zero for ``i > t``.

    Examples
    --------
    >>> singular_values("inverse_exponential", 3, delta=2.0, lam=0.5)
    array([[2. , 0. , 0. ],
           [1. , 2. , 0. ],
           [0.5, 1. , 2. ]])
    >>> singular_values("exponential", 2, lam=2.0, kappa=0.0)
    array([[0., 0.],
           [2., 0.]])
    """
    kind = check_choice(kind, "kind", TASK_KINDS)
    T = check_positive_int(T, "T", minimum=1 if kappa is None else 2)
    delta = as_finite_array(delta, "delta")[..., None, None]
    lam = as_finite_array(lam, "lam")[..., None, None]
    mask, lag = _lower(T)
    i = np.arange(1, T + 1, dtype=float)[None, :]
    if kind == "constant":
        f = np.ones(lam.shape[:-2] + (T, T))
    elif kind == "inverse_exponential":
        f = lam ** lag.astype(float)
    else:
        f = np.broadcast_to(lam**i, lam.shape[:-2] + (T, T))
    s = np.where(mask, delta * f, 0.0)
    if kappa is not None:
        kappa = as_finite_array(kappa, "kappa")
        s = np.broadcast_to(s, np.broadcast_shapes(s.shape[:-2], kappa.shape) + (T, T))
        s = s.copy()
        s[..., np.arange(T), np.arange(T)] = kappa[..., None]
    return s


def _check_s(s, name="s"):
    s = as_finite_array(s, name, min_ndim=2)
    T = s.shape[-1]
    if T < 1 or s.shape[-2] != T:
        raise ValueError(
            f"{name} must have shape (..., T, T) with T >= 1, got {s.shape}"
        )
    mask, _ = _lower(T)
    if np.any(s[..., ~mask] != 0):
        raise ValueError(
            f"{name}[..., t-1, i-1] must be zero for i > t (an output cannot depend on "
            "a later input)"
        )
    return s


@dataclass(frozen=True)
class TOutputTask:
    """A whitened task with a target at every time step.

    Attributes
    ----------
    X : ndarray, shape (P, T, Nx)
        Inputs, whitened exactly over (time x input dimension).
    Y : ndarray, shape (P, T, Ny)
        Targets ``y_{p,t} = Σ_{i≤t} U diag(s[:, t-1, i-1]) Vᵀ x_{p,i}``.
    U, V : ndarray, shapes (Ny, K), (Nx, K)
        Singular vectors shared by every pair (t, i).
    s : ndarray, shape (K, T, T)
        ``s[α, t-1, i-1] = s_{α,t,i}``.
    """

    X: np.ndarray
    Y: np.ndarray
    U: np.ndarray
    V: np.ndarray
    s: np.ndarray

    def single_output(self) -> Task:
        """The single-output task on the same inputs: the targets at ``t = T`` only.

        Its singular values are the last row ``s[:, T-1, :]``; it is what
        :func:`lrnn_utils.network.aligned_init` and :func:`lrnn_utils.network.modes`
        take (they use the shared singular vectors).

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> s = singular_values("exponential", 3, lam=0.5)
        >>> task = make_task(s, P=3, rng=rng).single_output()
        >>> task.s.tolist(), task.Y.shape
        ([[0.5, 0.25, 0.125]], (3, 1))
        """
        return Task(X=self.X, Y=self.Y[:, -1], U=self.U, V=self.V, s=self.s[:, -1])


def make_task(s, P: int, rng, n_in: int | None = None, n_out: int | None = None):
    """A task whose correlations are exactly ``Σ^{Y_t X_i} = U diag(s_{t,i}) Vᵀ``.

    Parameters
    ----------
    s : array_like, shape (K, T, T) or (T, T)
        Singular values, zero above the diagonal (a 2-D array is one mode).
    P : int
        Number of trajectories, ``>= T * n_in`` (exact whitening).
    rng : numpy.random.Generator
    n_in, n_out : int, optional
        ``Nx`` and ``Ny`` (default ``K``; each ``>= K``).

    Returns
    -------
    TOutputTask

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> task = make_task(singular_values("constant", 3), P=6, rng=rng, n_in=2)
    >>> task.Y.shape, task.s.shape
    ((6, 3, 1), (1, 3, 3))
    >>> C = correlations(task.X, task.Y)  # (t, i, Ny, Nx)
    >>> bool(np.allclose(C[2, 0], task.U @ task.V.T)), bool(np.allclose(C[0, 2], 0))
    (True, True)
    """
    check_rng(rng)
    s = _check_s(s)
    if s.ndim == 2:
        s = s[None]
    if s.ndim != 3:
        raise ValueError(f"s must have shape (K, T, T) or (T, T), got {s.shape}")
    K, T = s.shape[0], s.shape[-1]
    n_in = K if n_in is None else check_positive_int(n_in, "n_in")
    n_out = K if n_out is None else check_positive_int(n_out, "n_out")
    if n_in < K or n_out < K:
        raise ValueError(f"n_in and n_out must be >= K = {K}, got {n_in}, {n_out}")
    P = check_positive_int(P, "P")
    if P < T * n_in:
        raise ValueError(f"P={P} is too small to whiten exactly: need P >= {T * n_in}")
    X = whiten(rng.standard_normal((P, T * n_in))).reshape(P, T, n_in)
    U = random_orthonormal(n_out, K, rng)
    V = random_orthonormal(n_in, K, rng)
    maps = np.einsum("ok,kti,jk->tioj", U, s, V)  # U diag(s_{t,i}) Vᵀ
    Y = np.einsum("tioj,pij->pto", maps, X)
    return TOutputTask(X=X, Y=Y, U=U, V=V, s=s.copy())


def _check_data(Wx, Wh, Wy, X, Y=None):
    Wx, Wh, Wy, X = network.check_weights(Wx, Wh, Wy, X)
    if Y is None:
        return Wx, Wh, Wy, X
    Y = as_finite_array(Y, "Y", ndim=3)
    P, T = X.shape[:2]
    if Y.shape != (P, T, Wy.shape[0]):
        raise ValueError(
            f"Y must have shape (P, T, Ny) = ({P}, {T}, {Wy.shape[0]}), got {Y.shape}"
        )
    return Wx, Wh, Wy, X, Y


def correlations(X, Y) -> np.ndarray:
    """Sample correlations ``Σ^{Y_t X_i} = (1/P) Σ_p y_{p,t} x_{p,i}ᵀ``.

    Parameters
    ----------
    X : array_like, shape (P, T, Nx)
    Y : array_like, shape (P, T, Ny)

    Returns
    -------
    numpy.ndarray, shape (T, T, Ny, Nx)
        ``[t-1, i-1]`` is ``Σ^{Y_t X_i}``.
    """
    X = as_finite_array(X, "X", ndim=3)
    Y = as_finite_array(Y, "Y", ndim=3)
    if Y.shape[:2] != X.shape[:2]:
        raise ValueError(f"Y {Y.shape} and X {X.shape} must agree in (P, T)")
    return np.einsum("pto,pij->tioj", Y, X) / X.shape[0]


def forward(Wx, Wh, Wy, X) -> np.ndarray:
    """Outputs at every step, ``ŷ_t = W_y h_{t+1}``, shape ``(P, T, Ny)``.

    Examples
    --------
    >>> X = np.ones((1, 3, 1))
    >>> forward([[1.0]], [[0.5]], [[2.0]], X)[0, :, 0].tolist()
    [2.0, 3.0, 3.5]
    """
    Wx, Wh, Wy, X = _check_data(Wx, Wh, Wy, X)
    H = network.rollout(Wx, Wh, network.time_major(X))  # (T+1, P, Nh)
    return np.swapaxes(H[1:] @ Wy.T, 0, 1)


def loss(Wx, Wh, Wy, X, Y) -> float:
    """The loss over every output time, ``(1/2P) Σ_p Σ_t ‖y_{p,t} − ŷ_{p,t}‖²``.

    Examples
    --------
    >>> float(loss([[1.0]], [[0.5]], [[2.0]], np.ones((1, 2, 1)), np.zeros((1, 2, 1))))
    6.5
    """
    Wx, Wh, Wy, X, Y = _check_data(Wx, Wh, Wy, X, Y)
    err = Y - forward(Wx, Wh, Wy, X)
    return 0.5 * float(np.sum(err**2)) / X.shape[0]


def gradients(Wx, Wh, Wy, X, Y):
    """Gradients of :func:`loss` by backpropagation through time (the reference).

    The loss over every output time is a sum of single-output losses: output time
    ``t`` is the network of chapter 1 run on ``x_1 .. x_t``.  So the gradient is the
    sum of :func:`lrnn_utils.network.bptt` over the truncated trajectories (the
    book's one backpropagation through time; cost ``∝ T²``, a reference, not a
    trainer — :func:`train` uses the moments).

    Returns
    -------
    (dWx, dWh, dWy)

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> W = [rng.standard_normal(s) for s in [(2, 1), (2, 2), (1, 2)]]
    >>> X, Y = rng.standard_normal((3, 4, 1)), rng.standard_normal((3, 4, 1))
    >>> dWh = gradients(*W, X, Y)[1]
    >>> E = np.zeros((2, 2)); E[0, 1] = 1e-6
    >>> up, down = loss(W[0], W[1] + E, W[2], X, Y), loss(W[0], W[1] - E, W[2], X, Y)
    >>> fd = (up - down) / 2e-6
    >>> bool(abs(fd - dWh[0, 1]) < 1e-7)
    True
    """
    Wx, Wh, Wy, X, Y = _check_data(Wx, Wh, Wy, X, Y)
    Xt = network.time_major(X)
    grads = [np.zeros_like(w) for w in (Wx, Wh, Wy)]
    for t in range(1, X.shape[1] + 1):  # output time t: one output after x_1 .. x_t
        _, *g = network.bptt(Wx, Wh, Wy, Xt[:t], Y[:, t - 1])
        for acc, gi in zip(grads, g):
            acc += gi
    return tuple(grads)


def moments(X, Y) -> Moments:
    """The T-output data as single-output moments with lag weights.

    Grouping the loss by the lag ``k = t − i`` gives
    ``L = ½ Σ_{k,k'} ⟨M_k C_{kk'}, M_{k'}⟩ − Σ_k ⟨M_k, S_k⟩ + const`` with the maps
    ``M_k = W_y W_h^k W_x``, ``S_k = Σ_t Σ^{Y_t X_{t−k}}`` and
    ``C_{kk'} = Σ_{t > max(k, k')} Σ^{X_{t−k} X_{t−k'}}`` (sums over the output
    times that see both lags).  This is the single-output loss of a task whose
    input at time ``T − k`` has correlations ``S_k`` with the target and
    ``C_{kk'}`` with the others: on whitened inputs ``C_{kk} = (T − k) I``.

    Parameters
    ----------
    X : array_like, shape (P, T, Nx)
    Y : array_like, shape (P, T, Ny)

    Returns
    -------
    lrnn_utils.moments.Moments
        In the single-output layout (input time ``j = T − k``), for
        :func:`lrnn_utils.engine.train_on_moments`.

    Examples
    --------
    >>> from lrnn_utils import engine
    >>> rng = np.random.default_rng(1)
    >>> W = [rng.standard_normal(s) for s in [(2, 1), (2, 2), (1, 2)]]
    >>> X, Y = rng.standard_normal((5, 3, 1)), rng.standard_normal((5, 3, 1))
    >>> l, *g = engine.loss_and_gradients(*W, moments(X, Y))
    >>> bool(np.isclose(l, loss(*W, X, Y)))
    True
    >>> all(np.allclose(x, y) for x, y in zip(g, gradients(*W, X, Y)))
    True
    """
    X = as_finite_array(X, "X", ndim=3)
    Y = as_finite_array(Y, "Y", ndim=3)
    if Y.shape[:2] != X.shape[:2]:
        raise ValueError(f"Y {Y.shape} and X {X.shape} must agree in (P, T)")
    P, T, Nx = X.shape
    Ny = Y.shape[2]
    syx = np.zeros((T, Ny, Nx))
    sxx = np.zeros((T, Nx, T, Nx))
    for t in range(T):  # output time t+1 sees inputs 1..t+1 at lags t..0
        j = np.arange(T - 1 - t, T)  # single-output input time of lag k is T-1-k
        syx[j] += np.einsum("po,pij->ioj", Y[:, t], X[:, : t + 1]) / P
        C = np.einsum("pia,pjb->iajb", X[:, : t + 1], X[:, : t + 1]) / P
        sxx[np.ix_(j, np.arange(Nx), j, np.arange(Nx))] += C
    return make_moments(syx, sxx, yy=np.sum(Y**2) / P)


def train(
    Wx,
    Wh,
    Wy,
    X,
    Y,
    lr: float,
    steps: int,
    record_every: int = 1,
    on_divergence: str = "raise",
) -> engine.TrainingHistory:
    """Full-batch gradient descent on the loss over every output time.

    :func:`lrnn_utils.engine.train_on_moments` on :func:`moments`: the same
    trainer as every other chapter, fed the T-output data in the single-output
    layout.  The history's ``loss`` is :func:`loss`.

    Parameters
    ----------
    Wx, Wh, Wy : array_like
        Initial weights (not modified).
    X, Y : array_like
        Inputs ``(P, T, Nx)`` and targets ``(P, T, Ny)``.
    lr, steps, record_every, on_divergence
        As in :func:`lrnn_utils.engine.train`.

    Returns
    -------
    lrnn_utils.engine.TrainingHistory

    Raises
    ------
    TrainingDivergedError
        Naming the step at which the loss or the weights blew up.

    Examples
    --------
    >>> X = np.ones((1, 2, 1)); Y = np.ones((1, 2, 1))
    >>> W = np.full((1, 1), 0.5), np.full((1, 1), 0.5), np.full((1, 1), 0.5)
    >>> h = train(*W, X, Y, lr=0.1, steps=400, record_every=200)
    >>> h.steps.tolist(), bool(h.loss[-1] < 1e-6 * h.loss[0])
    ([0, 200, 400], True)
    >>> train(*W, X, Y, lr=50.0, steps=50)
    Traceback (most recent call last):
    ...
    lrnn_utils._validation.TrainingDivergedError: training diverged at step 3: ...
    """
    Wx, Wh, Wy, X, Y = _check_data(Wx, Wh, Wy, X, Y)
    return engine.train_on_moments(
        Wx, Wh, Wy, moments(X, Y), lr, steps, record_every, on_divergence
    )


# --- mode theory --------------------------------------------------------------------


def lag_profile(s):
    """The task lag by lag: weights ``w_k = T − k``, sums ``S_k = Σ_t s_{t,t−k}``.

    ``E = ½ Σ_{t,i} s_{t,i}² − u Σ_k S_k b^k + ½ u² Σ_k w_k b^{2k}`` with ``u = ac``.

    Parameters
    ----------
    s : array_like, shape (..., T, T)

    Returns
    -------
    (w, S) : numpy.ndarray, shapes ``(T,)`` and ``(..., T)``, index ``k = 0..T−1``

    Examples
    --------
    >>> w, S = lag_profile(singular_values("constant", 3, delta=2.0))
    >>> w.tolist(), S.tolist()
    ([3.0, 2.0, 1.0], [6.0, 4.0, 2.0])
    """
    s = _check_s(s)
    T = s.shape[-1]
    w = np.arange(T, 0, -1, dtype=float)
    S = np.stack([np.trace(s, offset=-k, axis1=-2, axis2=-1) for k in range(T)], -1)
    return w, S


def _broadcast(a, b, c, s, names=("a", "b", "c")):
    a, b, c = (as_finite_array(x, n) for x, n in zip((a, b, c), names))
    try:
        shape = np.broadcast_shapes(a.shape, b.shape, c.shape, s.shape[:-2])
    except ValueError as exc:
        raise ValueError(
            f"{names[0]} {a.shape}, {names[1]} {b.shape}, {names[2]} {c.shape} must "
            f"broadcast against s.shape[:-2] = {s.shape[:-2]}"
        ) from exc
    return a, b, c, shape


def _residual(a, b, c, s):
    T = s.shape[-1]
    mask, lag = _lower(T)
    b = np.asarray(b, dtype=float)[..., None, None]
    pw = np.where(mask, b**lag, 0.0)
    dpw = np.where(mask & (lag > 0), lag * b ** np.maximum(lag - 1, 0), 0.0)
    r = s - (np.asarray(a) * np.asarray(c))[..., None, None] * pw
    return r, pw, dpw


def energy(a, b, c, s) -> np.ndarray:
    """``E = ½ Σ_{t=1}^T Σ_{i=1}^t (s_{t,i} − c b^{t−i} a)²`` (paper eq. 156, τ = 1).

    Parameters
    ----------
    a, b, c : float or array_like
        Modes, broadcast against ``s.shape[:-2]``.
    s : array_like, shape (..., T, T)

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> s = singular_values("inverse_exponential", 4, delta=1.5, lam=0.7)
    >>> float(energy(1.5, 0.7, 1.0, s))
    0.0
    >>> from lrnn_utils import theory
    >>> e = sum(theory.energy(0.3, 0.5, 0.9, s[t, : t + 1]) for t in range(4))
    >>> bool(np.isclose(energy(0.3, 0.5, 0.9, s), e))
    True
    """
    s = _check_s(s)
    a, b, c, shape = _broadcast(a, b, c, s)
    r, _, _ = _residual(a, b, c, s)
    return np.broadcast_to(0.5 * np.sum(r**2, axis=(-2, -1)), shape).copy()


def _flows(a, b, c, s):
    r, pw, dpw = _residual(a, b, c, s)
    g = np.sum(pw * r, axis=(-2, -1))
    return c * g, a * c * np.sum(dpw * r, axis=(-2, -1)), a * g


def mode_flows(a, b, c, s):
    """Right-hand sides of paper eqs (152), (154), (155) with τ = 1.

    ``ȧ = Σ_t Σ_{i≤t} c b^{t−i} r_{t,i}``, ``ḃ = Σ_t Σ_{i<t} (t−i) c a b^{t−i−1}
    r_{t,i}``, ``ċ = Σ_t Σ_{i≤t} a b^{t−i} r_{t,i}`` with ``r_{t,i} = s_{t,i} −
    c b^{t−i} a``; these are ``−∂E/∂(a, b, c)``.

    Returns
    -------
    (da, db, dc) : tuple of numpy.ndarray

    Examples
    --------
    >>> from lrnn_utils import theory
    >>> s = singular_values("constant", 3)
    >>> mine = mode_flows(0.4, 0.6, 0.8, s)
    >>> single = [theory.mode_flows(0.4, 0.6, 0.8, s[t, : t + 1]) for t in range(3)]
    >>> bool(np.allclose(mine, np.sum(single, axis=0)))
    True
    """
    s = _check_s(s)
    a, b, c, shape = _broadcast(a, b, c, s)
    return tuple(np.broadcast_to(x, shape).copy() for x in _flows(a, b, c, s))


def simulate_modes(a0, b0, c0, s, lr: float, steps: int, record_every: int = 1):
    """Euler-integrate paper eqs (152)-(155): gradient descent on the modes.

    With the book's conventions (loss a mean over samples, a sum over output times,
    exactly whitened inputs, aligned weights) a step equals one step of :func:`train`
    on the full matrices.  The flows are computed lag by lag (:func:`lag_profile`).

    Parameters
    ----------
    a0, b0, c0 : float or array_like
        Initial modes, broadcast against ``s.shape[:-2]``.
    s : array_like, shape (..., T, T)
    lr : float
        Step size ``> 0``.
    steps : int
        Number of steps ``>= 0``.
    record_every : int, default 1

    Returns
    -------
    lrnn_utils.theory.ModeTrajectory
        ``energy`` is :func:`energy` at each record.

    Raises
    ------
    TrainingDivergedError
        Naming the step at which a mode became non-finite or exceeded 1e150.

    Examples
    --------
    >>> s = singular_values("inverse_exponential", 3, delta=1.0, lam=0.5)
    >>> run = simulate_modes(0.3, 0.3, 0.3, s, lr=0.05, steps=3000, record_every=3000)
    >>> round(float(run.b[-1]), 6), round(float(run.u[-1]), 6)
    (0.5, 1.0)
    >>> simulate_modes(1.0, 1.0, 1.0, s, lr=5.0, steps=100)
    Traceback (most recent call last):
    ...
    lrnn_utils._validation.TrainingDivergedError: training diverged at step 4: ...
    """
    s = _check_s(s)
    a, b, c, shape = _broadcast(a0, b0, c0, s, names=("a0", "b0", "c0"))
    a, b, c = (np.broadcast_to(x, shape).astype(float) for x in (a, b, c))
    lr = check_finite_scalar(lr, "lr", positive=True)
    rec = record_steps(steps, record_every)
    w, S = lag_profile(s)
    if shape == ():  # one scalar mode: plain floats, several times faster
        return _scalar_modes(float(a), float(b), float(c), s, w, S, lr, rec)
    k = np.arange(s.shape[-1], dtype=float)
    km1 = np.maximum(k - 1, 0)
    out = np.empty((4, rec.size) + shape)
    j = 0
    for step in range(int(rec[-1]) + 1):
        if step == rec[j]:
            with np.errstate(over="ignore"):
                out[:, j] = a, b, c, energy(a, b, c, s)
            j += 1
            if step == rec[-1]:
                break
        with np.errstate(over="ignore", invalid="ignore"):
            bb, u = b[..., None], (a * c)[..., None]
            r = S - w * u * bb**k  # lag residuals Σ_t r_{t,t-k}
            g = np.sum(bb**k * r, axis=-1)
            gb = np.sum(k * bb**km1 * r, axis=-1)
            a, b, c = a + lr * c * g, b + lr * (a * c) * gb, c + lr * a * g
        check_diverged(step + 1, "try a smaller learning rate", a=a, b=b, c=c)
    return theory.ModeTrajectory(steps=rec, a=out[0], b=out[1], c=out[2], energy=out[3])


def _lag_sums(b, s):
    w, S = lag_profile(s)
    b = as_finite_array(b, "b")[..., None]
    pw = b ** np.arange(w.size, dtype=float)
    return np.sum(S * pw, -1), np.sum(w * pw**2, -1)


def _scalar_modes(a, b, c, s, w, S, lr, rec):
    """:func:`simulate_modes` for one scalar mode, in plain floats (lag form).

    The lag sums are polynomials in ``b``: ``g = Σ_k S_k b^k − u Σ_k w_k b^{2k}`` and
    ``∂g/∂b``-like ``gb = Σ_k k S_k b^{k−1} − u Σ_k k w_k b^{2k−1}``, each pair (a
    polynomial and its derivative) evaluated by one Horner pass (in ``b`` and in
    ``b²``).
    """
    S_hi = [float(x) for x in S][::-1]  # highest power first, for Horner
    w_hi = [float(x) for x in w][::-1]
    out = np.empty((4, rec.size))
    j = 0
    for step in range(int(rec[-1]) + 1):
        if step == rec[j]:
            out[:3, j] = a, b, c
            j += 1
            if step == rec[-1]:
                break
        try:
            b2 = b * b
            p, dp = 0.0, 0.0  # Σ S_k b^k and its derivative in b
            q, dq = 0.0, 0.0  # Σ w_k x^k and its derivative in x = b²
            for Sk, wk in zip(S_hi, w_hi):
                dp, p = dp * b + p, p * b + Sk
                dq, q = dq * b2 + q, q * b2 + wk
        except OverflowError:
            raise TrainingDivergedError(
                step, "b", "try a smaller learning rate"
            ) from None
        u = a * c
        g = p - u * q
        gb = dp - u * b * dq  # d/db Σ w_k b^{2k} = 2 b Q'(b²), halved
        a, b, c = a + lr * c * g, b + lr * u * gb, c + lr * a * g
        if not max(abs(a), abs(b), abs(c)) <= DIVERGENCE_LIMIT:
            check_diverged(step + 1, "try a smaller learning rate", a=a, b=b, c=c)
    with np.errstate(over="ignore"):  # the energy of every record in one call
        out[3] = energy(out[0], out[1], out[2], s)
    return theory.ModeTrajectory(steps=rec, a=out[0], b=out[1], c=out[2], energy=out[3])


def optimal_u(b, s) -> np.ndarray:
    """The ``u = ac`` minimising the energy at fixed ``b``.

    ``u* = Σ_k S_k b^k / Σ_k w_k b^{2k}`` (:func:`lag_profile`); ``b`` broadcasts
    against ``s.shape[:-2]``.

    Examples
    --------
    >>> s = singular_values("inverse_exponential", 5, delta=0.8, lam=0.6)
    >>> round(float(optimal_u(0.6, s)), 12)
    0.8
    """
    S1, S2 = _lag_sums(b, s)
    return S1 / S2


def effective_energy(b, s) -> np.ndarray:
    """Energy minimised over ``u`` at fixed ``b``: ``½ Σ s² − (Σ_k S_k b^k)² / (2 Σ_k
    w_k b^{2k})`` (``>= 0`` by Cauchy-Schwarz; clipped at 0 against rounding).

    Lag sums only, so a grid of ``b`` against a batch of tasks costs ``O(T)`` a
    point.

    Examples
    --------
    >>> s = singular_values("constant", 4)
    >>> round(float(effective_energy(1.0, s)), 12), bool(effective_energy(0.5, s) > 0)
    (0.0, True)
    """
    s = _check_s(s)
    S1, S2 = _lag_sums(b, s)
    return np.maximum(0.5 * (np.sum(s**2, axis=(-2, -1)) - S1**2 / S2), 0.0)


def regularization_term(a, b, c, T: int) -> np.ndarray:
    """The effective regularization term of paper eq. (159), τ = 1.

    ``R = ½ c²a² Σ_{t=1}^T Σ_{i=1}^t b^{2(t−i)} = ½ c²a² [T(1−b²) − b²(1−b^{2T})] /
    (1−b²)²``, computed as the lag sum ``½ c²a² Σ_k (T−k) b^{2k}`` (no special case
    at ``b² = 1``, where it is ``½ c²a² T(T+1)/2``).

    Examples
    --------
    >>> float(regularization_term(1.0, 1.0, 1.0, 3))  # ½ · 6
    3.0
    """
    T = check_positive_int(T, "T")
    a, b, c = (as_finite_array(x, n) for x, n in zip((a, b, c), "abc"))
    k = np.arange(T, dtype=float)
    return 0.5 * (a * c) ** 2 * np.sum((T - k) * b[..., None] ** (2 * k), -1)


# --- neural tangent kernel ----------------------------------------------------------


def jacobian(Wx, Wh, Wy, X) -> np.ndarray:
    """Jacobian of the outputs at every time: row ``(t−1)·P·Ny + p·Ny + o``.

    The output at time ``t`` is the final output of the trajectory cut at ``t``,
    so the rows of time ``t`` are :func:`lrnn_utils.kernels.jacobian` on
    ``X[:, :t]``.

    Returns
    -------
    numpy.ndarray, shape (T·P·Ny, n_params)
    """
    Wx, Wh, Wy, X = _check_data(Wx, Wh, Wy, X)
    return np.concatenate(
        [kernels.jacobian(Wx, Wh, Wy, X[:, :t]) for t in range(1, X.shape[1] + 1)]
    )


def ntk(Wx, Wh, Wy, X) -> np.ndarray:
    """``K = J Jᵀ`` over the outputs at every time, shape ``(T·P·Ny, T·P·Ny)``."""
    J = jacobian(Wx, Wh, Wy, X)
    return J @ J.T


def ntk_kronecker(Wx, Wh, Wy, X) -> np.ndarray:
    """The T-output NTK from Kronecker products, block ``(t, t')`` of output times.

    With ``X_i`` the ``(Nx, P)`` inputs, ``H_i`` the ``(Nh, P)`` hidden states
    (``H_1 = 0``) and ``G_k = W_y W_h^k``::

        K_{tt'} = Σ_{i=1}^{t} Σ_{j=1}^{t'} (X_iᵀ X_j + H_iᵀ H_j) ⊗ G_{t−i} G_{t'−j}ᵀ
                  + H_{t+1}ᵀ H_{t'+1} ⊗ I_{Ny}

    The diagonal block ``K_{tt}`` is the single-output kernel
    (:func:`lrnn_utils.kernels.ntk_kronecker`) of the trajectory cut at ``t``.

    Returns
    -------
    numpy.ndarray, shape (T·P·Ny, T·P·Ny)
        Equal to :func:`ntk` up to rounding.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> W = rng.normal(size=(3, 2)), rng.normal(size=(3, 3)), rng.normal(size=(2, 3))
    >>> X = rng.normal(size=(2, 3, 2))
    >>> bool(np.allclose(ntk_kronecker(*W, X), ntk(*W, X)))
    True
    """
    Wx, Wh, Wy, X = _check_data(Wx, Wh, Wy, X)
    P, T = X.shape[:2]
    Ny = Wy.shape[0]
    H = network.rollout(Wx, Wh, network.time_major(X))  # (T+1, P, Nh)
    G = [Wy]
    for _ in range(T - 1):
        G.append(G[-1] @ Wh)
    n = P * Ny
    K = np.zeros((T * n, T * n))
    gram = np.einsum("ipa,jqa->ijpq", np.swapaxes(X, 0, 1), np.swapaxes(X, 0, 1))
    gram += np.einsum("ipa,jqa->ijpq", H[:T], H[:T])
    for t in range(1, T + 1):
        for u in range(1, T + 1):
            blk = np.kron(H[t] @ H[u].T, np.eye(Ny))
            for i in range(t):
                for j in range(u):
                    blk += np.kron(gram[i, j], G[t - 1 - i] @ G[u - 1 - j].T)
            K[(t - 1) * n : t * n, (u - 1) * n : u * n] = blk
    return K
