"""Sensory-integration data from neurogym and the mode read-out of unaligned networks.

The stimuli come from neurogym's ``MultiSensoryIntegration-v0`` (paper Sec. 3.6,
App. P.4.3): two modalities with two channels each, so four stimulus dimensions once
the fixation input is dropped.  Each trial is a constant stimulus (0.5 plus a
coherence-dependent offset) with independent Gaussian noise at every step.  The data
are not whitened.  Every target is a weighted sum over the trajectory,
``y = Σ_t w_t x_t``, with the weights of :func:`target_weights`.

neurogym (2.2.0) is imported lazily, so the rest of the package works without it.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._validation import (
    as_finite_array,
    check_choice,
    check_finite_scalar,
    check_instance,
)
from .model import TrainingHistory, bptt, check_weights, rollout, time_major
from .theory import time_lags

__all__ = [
    "TARGETS",
    "N_STIM",
    "target_weights",
    "trials",
    "read_modes",
    "best_mode",
    "hidden_speed",
    "network_sharpness",
]

#: Names of the targets understood by :func:`target_weights` and :func:`trials`.
TARGETS = ("mean", "sum", "late", "early")
#: Number of stimulus dimensions (fixation input removed).
N_STIM = 4
_DT = 100  # neurogym's default time step (ms)


def _check_int(n, name: str, minimum: int = 1) -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(n).__name__}")
    if n < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {n}")
    return int(n)


def target_weights(target: str, T: int) -> np.ndarray:
    """Weights ``w_t`` (``t = 1..T``) of the target ``y = Σ_t w_t x_t``.

    * ``"mean"``: ``w_t = 1/T``;  ``"sum"``: ``w_t = 1``;
    * ``"late"`` (late importance, paper App. L): ``w_t = 0.1 t``;
    * ``"early"`` (early importance, paper App. L): ``w_t = 1/t``.

    Parameters
    ----------
    target : {"mean", "sum", "late", "early"}
    T : int
        Trajectory length, ``>= 1``.

    Returns
    -------
    numpy.ndarray, shape (T,)

    Raises
    ------
    TypeError
        ``target`` not a string or ``T`` not an integer.
    ValueError
        Unknown ``target`` or ``T < 1``.

    Examples
    --------
    >>> target_weights("late", 3)
    array([0.1, 0.2, 0.3])
    >>> target_weights("early", 4) * 12
    array([12.,  6.,  4.,  3.])
    """
    target = check_choice(target, "target", TARGETS)
    T = _check_int(T, "T")
    t = np.arange(1, T + 1, dtype=float)
    if target == "mean":
        return np.full(T, 1.0 / T)
    if target == "sum":
        return np.ones(T)
    if target == "late":
        return 0.1 * t
    return 1.0 / t


def trials(n_trials: int, T: int, rng, target: str = "mean", sigma: float = 1.0):
    """``n_trials`` stimulus trajectories of length ``T`` and their targets.

    The stimulus period of ``MultiSensoryIntegration-v0`` is timed to last exactly
    ``T`` steps (fixation and decision periods of length 0), and the fixation input
    is dropped.  neurogym's generator is seeded from ``rng``, so the same ``rng``
    state gives the same trials; its warnings are silenced.

    Parameters
    ----------
    n_trials : int
        Number of trials ``P >= 1``.
    T : int
        Trajectory length ``>= 1``.
    rng : numpy.random.Generator
        Seeds neurogym's generator (one draw).
    target : {"mean", "sum", "late", "early"}, default "mean"
        See :func:`target_weights`.
    sigma : float, default 1.0
        neurogym's noise parameter: the noise added at each 100 ms step has standard
        deviation ``sigma / 10``.

    Returns
    -------
    X : numpy.ndarray, shape (n_trials, T, 4)
    Y : numpy.ndarray, shape (n_trials, 4)
        ``Y[p] = Σ_t w_t X[p, t]``.

    Raises
    ------
    TypeError
        ``n_trials``/``T`` not integers, ``target`` not a string, ``rng`` not a
        ``numpy.random.Generator``.
    ValueError
        ``n_trials < 1``, ``T < 1`` or unknown ``target``.

    Examples
    --------
    >>> import numpy as np
    >>> X, Y = trials(3, 5, np.random.default_rng(0), target="sum")
    >>> X.shape, Y.shape
    ((3, 5, 4), (3, 4))
    >>> bool(np.allclose(Y, X.sum(axis=1)))
    True
    """
    n_trials = _check_int(n_trials, "n_trials")
    T = _check_int(T, "T")
    w = target_weights(target, T)
    sigma = check_finite_scalar(sigma, "sigma")
    if sigma < 0:
        raise ValueError(f"sigma must be >= 0, got {sigma}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, got {type(rng).__name__}"
        )
    seed = int(rng.integers(2**31 - 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import neurogym as ngym

        timing = {"fixation": 0, "stimulus": T * _DT, "decision": 0}
        env = ngym.make(
            "MultiSensoryIntegration-v0", timing=timing, sigma=sigma
        ).unwrapped
        env.seed(seed)
        X = np.empty((n_trials, T, N_STIM))
        for p in range(n_trials):
            env.new_trial()
            X[p] = env.ob[:T, 1:]  # drop the fixation input (column 0)
    return X, np.einsum("t,pti->pi", w, X)


def read_modes(Wx, Wh, Wy, U, V):
    """Connectivity modes of (stacks of) unaligned weights along given directions.

    For each singular pair ``(u_α, v_α)`` of the task the hidden direction is the
    one input ``v_α`` drives, ``W_x v_α = a_α r_α`` with ``a_α = ‖W_x v_α‖``; then
    ``b_α = r_αᵀ W_h r_α`` and ``c_α = u_αᵀ W_y r_α``.  For aligned weights
    (``W_x = R A Vᵀ``, ``W_h = R B Rᵀ``, ``W_y = U C Rᵀ``) this returns the
    diagonal of ``B`` exactly; since ``a_α ≥ 0`` by construction, it returns
    ``|A_αα|`` and moves the sign of ``A_αα`` to ``c``: ``c_α = sign(A_αα) C_αα``
    (``r_α`` is column α of ``R`` times that sign).  The product ``a_α c_α`` is
    exact in every case.

    Parameters
    ----------
    Wx, Wh, Wy : array_like
        Shapes ``(..., Nh, Nx)``, ``(..., Nh, Nh)``, ``(..., Ny, Nh)``.
    U, V : array_like
        Output and input singular vectors, shapes ``(Ny, K)`` and ``(Nx, K)``.

    Returns
    -------
    (a, b, c) : tuple of numpy.ndarray, each of shape ``(..., K)``

    Examples
    --------
    >>> import numpy as np
    >>> I = np.eye(2)
    >>> a, b, c = read_modes(2 * I, 0.5 * I, 3 * I, I, I)
    >>> a, b, c
    (array([2., 2.]), array([0.5, 0.5]), array([3., 3.]))
    >>> read_modes(-2 * I, 0.5 * I, 3 * I, I, I)[2]  # a < 0: sign moves to c
    array([-3., -3.])
    """
    Wx = as_finite_array(Wx, "Wx", min_ndim=2)
    Wh = as_finite_array(Wh, "Wh", min_ndim=2)
    Wy = as_finite_array(Wy, "Wy", min_ndim=2)
    U = as_finite_array(U, "U", ndim=2)
    V = as_finite_array(V, "V", ndim=2)
    if Wx.shape[-1] != V.shape[0] or Wy.shape[-2] != U.shape[0]:
        raise ValueError(
            f"U {U.shape} and V {V.shape} must match Wy {Wy.shape} and Wx {Wx.shape}"
        )
    if Wx.shape[-2] < V.shape[1]:
        raise ValueError(
            f"Wx has Nh = {Wx.shape[-2]} hidden units, fewer than the K = {V.shape[1]} "
            "task directions: the modes cannot be read separately"
        )
    drive = Wx @ V  # (..., Nh, K): column α is W_x v_α
    a = np.linalg.norm(drive, axis=-2)
    if np.any(a == 0):
        raise ValueError("W_x maps a task direction to zero: the mode is undefined")
    r = drive / a[..., None, :]
    b = np.einsum("...hk,...hg,...gk->...k", r, Wh, r)
    c = np.einsum("ok,...oh,...hk->...k", U, Wy, r)
    return a, b, c


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


def hidden_speed(history, X, lr: float) -> np.ndarray:
    """How fast the read-out hidden state moves during training, per unit time.

    ``‖h_{T+1}(n+1) − h_{T+1}(n)‖ / (η Δn)`` between consecutive records of a
    training history, root-mean-square over the trials in ``X``: the size of
    ``dh_{T+1}/dt`` (paper App. L calls it the hidden-layer gradient).

    Parameters
    ----------
    history : lrnn_utils.model.TrainingHistory
    X : array_like, shape (P, T, Nx)
    lr : float
        The learning rate η of the run.

    Returns
    -------
    numpy.ndarray, shape (n_records - 1,)

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_utils.model import TrainingHistory
    >>> one = np.ones((1, 1, 1))
    >>> Wx = np.stack([one[0], 2 * one[0]])  # W_x = 1, then 2
    >>> zero, w1 = np.zeros((2, 1, 1)), np.ones((2, 1, 1))
    >>> hist = TrainingHistory(np.array([0, 2]), Wx, zero, w1, np.zeros(2))
    >>> hidden_speed(hist, one, lr=0.5)  # h_{T+1} = W_x x moves from 1 to 2 in time 1
    array([1.])
    """
    check_instance(history, TrainingHistory, "history")
    X = as_finite_array(X, "X", ndim=3)
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must hold at least one trial and time step, got {X.shape}")
    lr = check_finite_scalar(lr, "lr", positive=True)
    h = rollout(history.Wx, history.Wh, time_major(X))[..., -1, :, :]
    dn = np.diff(history.steps).astype(float)
    dh = np.diff(h, axis=0)
    return np.sqrt(np.mean(np.sum(dh**2, axis=-1), axis=-1)) / (lr * dn)


def network_sharpness(Wx, Wh, Wy, X, Y, eps: float = 1e-5) -> float:
    """Largest eigenvalue of the loss Hessian in all weights (central differences).

    The Hessian of ``L = (1/2P) Σ_p ‖y_p − ŷ_p‖²`` with respect to the flattened
    ``(W_x, W_h, W_y)`` is built column by column from exact gradients
    (backpropagation through time), symmetrised, and its top eigenvalue returned.
    Gradient descent with learning rate ``η > 2 / sharpness`` cannot settle at the
    point (chapter 4).

    Parameters
    ----------
    Wx, Wh, Wy : array_like
        The weights at which the curvature is measured.
    X, Y : array_like
        Inputs ``(P, T, Nx)`` and targets ``(P, Ny)``.
    eps : float, default 1e-5
        Finite-difference step.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> one = np.ones((1, 1))
    >>> X, Y = np.ones((1, 1, 1)), np.zeros((1, 1))
    >>> round(network_sharpness(one, one, one, X, Y), 6)  # L = (ca)^2 / 2 at a = c = 1
    3.0
    """
    *Ws, X, Y = check_weights(Wx, Wh, Wy, X, Y)
    Xt = time_major(X)
    eps = check_finite_scalar(eps, "eps", positive=True)
    sizes = np.cumsum([W.size for W in Ws])[:-1]
    theta = np.concatenate([W.ravel() for W in Ws])

    def grad(th):
        parts = np.split(th, sizes)
        Wk = [p.reshape(W.shape) for p, W in zip(parts, Ws)]
        return np.concatenate([g.ravel() for g in bptt(*Wk, Xt, Y)[1:]])

    H = np.stack(
        [
            (grad(theta + e) - grad(theta - e)) / (2 * eps)
            for e in eps * np.eye(theta.size)
        ]
    )
    return float(np.linalg.eigvalsh(0.5 * (H + H.T))[-1])
