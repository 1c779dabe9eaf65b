"""The linear RNN: forward pass, loss, backpropagation through time, training.

Model (paper eqs 1-2)::

    h_1 = 0,   h_{t+1} = W_h h_t + W_x x_t   (t = 1..T),   ŷ = W_y h_{T+1}

Loss (book convention)::

    L = (1/2P) Σ_p ‖y_p − ŷ_p‖²

Shapes: ``Wx (Nh, Nx)``, ``Wh (Nh, Nh)``, ``Wy (Ny, Nh)``, ``X (P, T, Nx)``,
``Y (P, Ny)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy import vdot

from ._validation import (
    DIVERGENCE_LIMIT,
    as_finite_array,
    check_choice,
    check_diverged,
    check_finite_scalar,
    check_positive_int,
    check_rng,
    record_steps,
)
from .tasks import Task, check_task, random_orthonormal

__all__ = [
    "check_weights",
    "forward",
    "hidden_states",
    "rollout",
    "bptt",
    "time_major",
    "effective_maps",
    "loss",
    "gradients",
    "TrainingHistory",
    "DIVERGENCE_POLICIES",
    "train",
    "aligned_init",
    "unaligned_init",
    "modes",
]


def check_weights(Wx, Wh, Wy, X=None, Y=None):
    """Validate one network's weights (and data): finite float arrays, matching shapes.

    The boundary check of every function that takes ``(Wx, Wh, Wy[, X[, Y]])``.

    Returns
    -------
    list of numpy.ndarray
        ``[Wx, Wh, Wy]`` (then ``X``, ``Y`` when given) as plain float arrays.

    Raises
    ------
    ValueError
        A shape that does not match, a non-finite entry, no time step or no sample.

    Examples
    --------
    >>> Wx, Wh, Wy = check_weights([[1.0]], [[0.5]], [[2.0]])
    >>> Wh.shape
    (1, 1)
    """
    Wx = as_finite_array(Wx, "Wx", ndim=2)
    Wh = as_finite_array(Wh, "Wh", ndim=2)
    Wy = as_finite_array(Wy, "Wy", ndim=2)
    Nh, Nx = Wx.shape
    if Wh.shape != (Nh, Nh):
        raise ValueError(
            f"Wh must have shape (Nh, Nh) = ({Nh}, {Nh}) to match Wx {Wx.shape}, "
            f"got {Wh.shape}"
        )
    if Wy.shape[1] != Nh:
        raise ValueError(
            f"Wy must have shape (Ny, {Nh}) to match Wx {Wx.shape}, got {Wy.shape}"
        )
    out = [Wx, Wh, Wy]
    if X is not None:
        X = as_finite_array(X, "X", ndim=3)
        if X.shape[2] != Nx:
            raise ValueError(
                f"X must have shape (P, T, {Nx}) to match Wx {Wx.shape}, got {X.shape}"
            )
        if X.shape[1] < 1:
            raise ValueError("X must contain at least one time step (T >= 1)")
        if X.shape[0] < 1:
            raise ValueError("X must contain at least one sample (P >= 1)")
        out.append(X)
    if Y is not None:
        Y = as_finite_array(Y, "Y", ndim=2)
        if Y.shape != (X.shape[0], Wy.shape[0]):
            raise ValueError(
                f"Y must have shape (P, Ny) = ({X.shape[0]}, {Wy.shape[0]}), "
                f"got {Y.shape}"
            )
        out.append(Y)
    return out


def _stacked(Wx, Wh):
    """``[W_hᵀ; W_xᵀ]``, shape ``(..., Nh+Nx, Nh)``: one product per time step."""
    WhT, WxT = np.swapaxes(Wh, -1, -2), np.swapaxes(Wx, -1, -2)
    lead = np.broadcast_shapes(Wx.shape[:-2], Wh.shape[:-2])
    parts = [np.broadcast_to(W, lead + W.shape[-2:]) for W in (WhT, WxT)]
    return np.concatenate(parts, axis=-2)


def _workspace(Xt, Nh, lead=()):
    """``Z[..., t-1, p] = [h_t, x_t]`` with the inputs filled in and ``h_1 = 0``."""
    T, P, Nx = Xt.shape[-3:]
    lead = np.broadcast_shapes(lead, Xt.shape[:-3])
    Z = np.empty(lead + (T + 1, P, Nh + Nx))
    Z[..., 0, :, :Nh] = 0.0
    Z[..., :T, :, Nh:] = Xt
    Z[..., T, :, Nh:] = 0.0
    return Z


def _recur(Z, Wcat):
    """The forward recurrence in place: ``h_{t+1} = [h_t, x_t] @ [W_hᵀ; W_xᵀ]``."""
    Nh = Wcat.shape[-1]
    for t in range(Z.shape[-3] - 1):
        np.matmul(Z[..., t, :, :], Wcat, out=Z[..., t + 1, :, :Nh])


def _bptt(Wcat, Wy, Z, Y, G):
    """Loss and gradients ``(∂L/∂[W_hᵀ; W_xᵀ], ∂L/∂W_y)`` of one network.

    ``Z`` is a :func:`_workspace` (its states are overwritten), ``G`` a
    ``(T, P, Nh)`` buffer for ``∂L/∂h_{t+1}``.
    """
    T, P, Nh = G.shape
    _recur(Z, Wcat)
    hT = Z[T, :, :Nh]
    err = hT @ Wy.T
    err -= Y  # ŷ − y, (P, Ny)
    dWy = err.T @ hT
    dWy /= P
    np.matmul(err, Wy / P, out=G[T - 1])  # ∂L/∂h_{T+1}
    Wh = Wcat[:Nh].T
    for t in range(T - 1, 0, -1):  # ∂L/∂h_t = W_hᵀ ∂L/∂h_{t+1}, rows are samples
        np.matmul(G[t], Wh, out=G[t - 1])
    dWcat = Z[:T].reshape(T * P, -1).T @ G.reshape(T * P, Nh)
    return 0.5 * float(np.vdot(err, err)) / P, dWcat, dWy


def rollout(Wx, Wh, Xt) -> np.ndarray:
    """The forward recurrence, unvalidated kernel: hidden states, time-major.

    The one implementation of ``h_{t+1} = W_h h_t + W_x x_t`` (``h_1 = 0``) behind
    :func:`hidden_states`, :func:`forward`, :func:`loss`, :func:`gradients`,
    :func:`train` and the NTK (:mod:`lrnn_utils.ntk`).  No validation: call it from
    code that has checked its arguments once (the public functions do).

    Parameters
    ----------
    Wx, Wh : numpy.ndarray
        Shapes ``(..., Nh, Nx)`` and ``(..., Nh, Nh)``; leading (batch) axes
        broadcast against those of ``Xt``.
    Xt : numpy.ndarray, shape (..., T, P, Nx)
        Inputs, time-major (``Xt[..., t-1, p]`` is ``x_t`` of sample ``p``).

    Returns
    -------
    numpy.ndarray, shape (..., T+1, P, Nh)
        ``H[..., t-1, p]`` is ``h_t``; ``H[..., T, :]`` holds the states read out.

    Examples
    --------
    >>> Xt = np.ones((2, 1, 1))  # T = 2, P = 1, Nx = 1
    >>> rollout(np.ones((1, 1)), 2 * np.ones((1, 1)), Xt)[:, 0, 0].tolist()
    [0.0, 1.0, 3.0]
    """
    Wcat = _stacked(Wx, Wh)
    Z = _workspace(Xt, Wh.shape[-1], Wcat.shape[:-2])
    _recur(Z, Wcat)
    return Z[..., : Wh.shape[-1]]


def time_major(X) -> np.ndarray:
    """Inputs ``(..., P, T, Nx)`` as the contiguous ``(..., T, P, Nx)`` of kernels."""
    return np.ascontiguousarray(np.swapaxes(X, -3, -2))


def hidden_states(Wx, Wh, Wy, X) -> np.ndarray:
    """All hidden states ``h_1 .. h_{T+1}`` (``h_1 = 0``).

    Returns
    -------
    numpy.ndarray, shape (P, T+1, Nh)
        ``H[:, t-1]`` is ``h_t``; ``H[:, T]`` is ``h_{T+1}``, the state read out.
    """
    Wx, Wh, Wy, X = check_weights(Wx, Wh, Wy, X)
    return np.swapaxes(rollout(Wx, Wh, time_major(X)), 0, 1)


def forward(Wx, Wh, Wy, X) -> np.ndarray:
    """Network output ``ŷ_p = W_y h_{T+1}``, shape ``(P, Ny)``."""
    Wx, Wh, Wy, X = check_weights(Wx, Wh, Wy, X)
    return rollout(Wx, Wh, time_major(X))[-1] @ Wy.T


def effective_maps(Wx, Wh, Wy, T: int) -> np.ndarray:
    """Input-to-output maps of the unrolled network, ``M_i = W_y W_h^{T-i} W_x``.

    By paper eq (3), ``ŷ = Σ_{i=1}^T M_i x_i``.

    Returns
    -------
    numpy.ndarray, shape (T, Ny, Nx)
        ``M[i-1]`` is the map applied to the input at time ``i``.
    """
    Wx, Wh, Wy = check_weights(Wx, Wh, Wy)
    T = check_positive_int(T, "T")
    M = np.empty((T, Wy.shape[0], Wx.shape[1]))
    right = Wx.copy()  # W_h^{k} W_x with k = T - i
    for k in range(T):
        M[T - 1 - k] = Wy @ right
        right = Wh @ right
    return M


def loss(Wx, Wh, Wy, X, Y) -> float:
    """Mean-squared loss ``(1/2P) Σ_p ‖y_p − ŷ_p‖²``."""
    Wx, Wh, Wy, X, Y = check_weights(Wx, Wh, Wy, X, Y)
    err = Y - rollout(Wx, Wh, time_major(X))[-1] @ Wy.T
    return 0.5 * float(np.sum(err**2)) / X.shape[0]


def gradients(Wx, Wh, Wy, X, Y):
    """Exact gradients of :func:`loss` by backpropagation through time.

    Returns
    -------
    (dWx, dWh, dWy) : tuple of numpy.ndarray
        ``∂L/∂W_x``, ``∂L/∂W_h``, ``∂L/∂W_y`` with the shapes of the weights.
    """
    Wx, Wh, Wy, X, Y = check_weights(Wx, Wh, Wy, X, Y)
    return bptt(Wx, Wh, Wy, time_major(X), Y)[1:]


def bptt(Wx, Wh, Wy, Xt, Y):
    """Loss and exact gradients of one network, unvalidated kernel.

    The backpropagation through time of :func:`gradients` and :func:`train`, for
    code that evaluates many weights on data it has checked once (finite
    differences, Hessians).

    Parameters
    ----------
    Wx, Wh, Wy : numpy.ndarray
        Float arrays ``(Nh, Nx)``, ``(Nh, Nh)``, ``(Ny, Nh)``.
    Xt : numpy.ndarray, shape (T, P, Nx)
        Inputs, time-major (:func:`time_major`).
    Y : numpy.ndarray, shape (P, Ny)

    Returns
    -------
    (loss, dWx, dWh, dWy)

    Examples
    --------
    >>> X, Y = np.ones((1, 2, 1)), np.zeros((1, 1))
    >>> lval, dWx, dWh, dWy = bptt(*np.ones((3, 1, 1)), time_major(X), Y)
    >>> lval, float(dWh[0, 0])  # y_hat = 2, dL/dWh = (y_hat - y) * Wy * h_2 = 2
    (2.0, 2.0)
    """
    Nh = Wh.shape[0]
    T, P = Xt.shape[:2]
    lval, dWcat, dWy = _bptt(
        _stacked(Wx, Wh), Wy, _workspace(Xt, Nh), Y, np.empty((T, P, Nh))
    )
    return lval, dWcat[Nh:].T.copy(), dWcat[:Nh].T.copy(), dWy


@dataclass(frozen=True)
class TrainingHistory:
    """Recorded trajectory of full-matrix gradient descent (one network or a batch).

    The one result type of every full-matrix trainer (:func:`train`,
    :func:`lrnn_utils.fast.train`, :func:`lrnn_utils.fast.train_on_moments`,
    :func:`lrnn_utils.fast.train_batch`).

    Attributes
    ----------
    steps : ndarray, shape (n,)
        Update-step index of each record (0 = initial weights).
    Wx, Wh, Wy : ndarray, shapes (n,) + batch + weight shape
        Weights at each recorded step (``batch = ()`` for one network); NaN after a
        network diverged under ``on_divergence="mask"``.
    loss : ndarray, shape (n,) + batch
        Loss at each recorded step (NaN after a divergence).
    diverged_step : int or ndarray of int, shape batch
        Step at which each network diverged, ``-1`` if it never did.
    """

    steps: np.ndarray
    Wx: np.ndarray
    Wh: np.ndarray
    Wy: np.ndarray
    loss: np.ndarray
    diverged_step: np.ndarray | int = -1


DIVERGENCE_POLICIES = ("raise", "mask")
"""Values of ``on_divergence``: raise :class:`~lrnn_utils.TrainingDivergedError`
naming the step, or mask the diverged network (NaN records after the step)."""


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
) -> TrainingHistory:
    """Full-batch gradient descent ``W ← W − lr ∂L/∂W`` on all three matrices.

    The per-sample reference trainer (backpropagation through time at every step).

    Parameters
    ----------
    Wx, Wh, Wy : array_like
        Initial weights (not modified).
    X, Y : array_like
        Inputs ``(P, T, Nx)`` and targets ``(P, Ny)``.
    lr : float
        Learning rate η > 0.
    steps : int
        Number of updates (``>= 0``).
    record_every : int, default 1
        Record every ``record_every`` steps (step 0 and the last step are always
        recorded).
    on_divergence : {"raise", "mask"}, default "raise"
        ``"raise"``: raise :class:`~lrnn_utils.TrainingDivergedError` naming the
        step.  ``"mask"``: stop there; the records from that step on are NaN and
        ``diverged_step`` says when.

    Returns
    -------
    TrainingHistory

    Raises
    ------
    ValueError
        Bad shapes, non-finite input, non-positive ``lr``.
    TrainingDivergedError
        When weights or loss become non-finite or exceed 1e150; the message names the
        step.

    Examples
    --------
    >>> X = np.ones((1, 2, 1))
    >>> W = np.full((1, 1), 0.5), np.full((1, 1), 0.5), np.full((1, 1), 0.5)
    >>> h = train(*W, X, np.ones((1, 1)), lr=0.1, steps=200, record_every=100)
    >>> h.steps.tolist(), bool(h.loss[-1] < 1e-6 * h.loss[0])
    ([0, 100, 200], True)
    >>> h = train(*W, X, np.ones((1, 1)), lr=1e3, steps=50, on_divergence="mask")
    >>> h.diverged_step, bool(np.isnan(h.loss[-1]))
    (3, True)
    """
    Wx, Wh, Wy, X, Y = check_weights(Wx, Wh, Wy, X, Y)
    lr = check_finite_scalar(lr, "lr", positive=True)
    on_divergence = check_choice(on_divergence, "on_divergence", DIVERGENCE_POLICIES)
    rec = record_steps(steps, record_every)
    steps = int(rec[-1])
    n = rec.size
    Nh, (P, T, _) = Wh.shape[0], X.shape
    Wcat, Wy = _stacked(Wx, Wh), Wy.copy()  # [W_hᵀ; W_xᵀ]: one product a step
    Z, G = _workspace(time_major(X), Nh), np.empty((T, P, Nh))
    hist = [np.full((n,) + w.shape, np.nan) for w in (Wx, Wh, Wy)]
    losses = np.full(n, np.nan)
    lim, lim2 = DIVERGENCE_LIMIT, DIVERGENCE_LIMIT**2
    hint = "try a smaller learning rate or initialisation"
    diverged, j = -1, 0
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps + 1):
            lval, dWcat, dWy = _bptt(Wcat, Wy, Z, Y, G)
            if not lval <= lim:  # also NaN
                diverged = step
                if on_divergence == "raise":
                    check_diverged(step, hint, loss=lval)
                break
            if rec[j] == step:
                hist[0][j], hist[1][j] = Wcat[Nh:].T, Wcat[:Nh].T
                hist[2][j], losses[j] = Wy, lval
                j += 1
            if step == steps:
                break
            dWcat *= lr
            Wcat -= dWcat
            dWy *= lr
            Wy -= dWy
            # sum of squares <= 1e300: every entry finite and <= 1e150 (cheap test)
            if not max(vdot(Wcat, Wcat), vdot(Wy, Wy)) <= lim2 and not (
                np.all(np.abs(Wcat) <= lim) and np.all(np.abs(Wy) <= lim)
            ):
                diverged = step + 1
                if on_divergence == "raise":
                    Wx, Wh = Wcat[Nh:].T, Wcat[:Nh].T
                    check_diverged(step + 1, hint, Wx=Wx, Wh=Wh, Wy=Wy)
                break
    return TrainingHistory(
        steps=rec,
        Wx=hist[0],
        Wh=hist[1],
        Wy=hist[2],
        loss=losses,
        diverged_step=diverged,
    )


def _mode_vector(x, K: int, name: str) -> np.ndarray:
    arr = as_finite_array(x, name)
    if arr.ndim == 0:
        return np.full(K, float(arr))
    if arr.shape != (K,):
        raise ValueError(
            f"{name} must be a scalar or have shape ({K},), got {arr.shape}"
        )
    return arr


def aligned_init(
    task: Task, a0, b0, c0, rng: np.random.Generator, n_hidden: int | None = None
):
    """Weights of Assumption 3: ``W_x = R A Vᵀ``, ``W_h = R B Rᵀ``, ``W_y = U C Rᵀ``.

    Parameters
    ----------
    task : Task
        Provides the singular vectors ``U`` and ``V`` (``K`` modes).
    a0, b0, c0 : float or array_like of shape (K,)
        Initial mode values (diagonals of A, B, C).
    rng : numpy.random.Generator
        Draws the orthogonal hidden basis ``R``.
    n_hidden : int, optional
        Hidden size ``Nh >= K`` (default ``K``); extra hidden directions start at zero.

    Returns
    -------
    (Wx, Wh, Wy, R)
        ``R`` is an ``(Nh, Nh)`` orthogonal matrix whose first ``K`` columns carry the
        modes.
    """
    check_task(task)
    check_rng(rng)
    K = task.K
    Nh = K if n_hidden is None else check_positive_int(n_hidden, "n_hidden")
    if Nh < K:
        raise ValueError(f"n_hidden must be >= K={K}, got {Nh}")
    a = _mode_vector(a0, K, "a0")
    b = _mode_vector(b0, K, "b0")
    c = _mode_vector(c0, K, "c0")

    R = random_orthonormal(Nh, Nh, rng)
    Rk = R[:, :K]
    Wx = Rk @ (a[:, None] * task.V.T)
    Wh = Rk @ (b[:, None] * Rk.T)
    Wy = task.U @ (c[:, None] * Rk.T)
    return Wx, Wh, Wy, R


def unaligned_init(n_in: int, n_hidden: int, n_out: int, scale: float, rng):
    """Small random weights with no alignment to any task (paper App. P.1.2).

    Entries are independent Gaussians with variance ``scale² / n_cols`` (``n_cols``
    is the number of columns, the fan-in of the map): ``W_x`` has variance
    ``scale²/n_in``, ``W_h`` and ``W_y`` have ``scale²/n_hidden``.  By the circular
    law the spectral radius of ``W_h`` is then close to ``scale`` for large
    ``n_hidden``.

    Parameters
    ----------
    n_in, n_hidden, n_out : int
        Input, hidden and output sizes (``>= 1``).
    scale : float
        Standard deviation scale (``> 0``).
    rng : numpy.random.Generator

    Returns
    -------
    (Wx, Wh, Wy)
        Shapes ``(n_hidden, n_in)``, ``(n_hidden, n_hidden)``, ``(n_out, n_hidden)``.

    Raises
    ------
    TypeError
        If ``rng`` is not a ``numpy.random.Generator``.
    ValueError
        If a size is not a positive integer or ``scale`` is not a positive number.

    Examples
    --------
    >>> import numpy as np
    >>> Wx, Wh, Wy = unaligned_init(2, 3, 1, 0.1, np.random.default_rng(0))
    >>> Wx.shape, Wh.shape, Wy.shape
    ((3, 2), (3, 3), (1, 3))
    """
    n_in = check_positive_int(n_in, "n_in")
    n_hidden = check_positive_int(n_hidden, "n_hidden")
    n_out = check_positive_int(n_out, "n_out")
    scale = check_finite_scalar(scale, "scale", positive=True)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, got {type(rng).__name__}"
        )
    Wx = rng.normal(0.0, scale / np.sqrt(n_in), (n_hidden, n_in))
    Wh = rng.normal(0.0, scale / np.sqrt(n_hidden), (n_hidden, n_hidden))
    Wy = rng.normal(0.0, scale / np.sqrt(n_hidden), (n_out, n_hidden))
    return Wx, Wh, Wy


def modes(Wx, Wh, Wy, task: Task, R):
    """Read the modes off (stacks of) weights in the aligned basis.

    ``a = diag(Rᵀ W_x V)``, ``b = diag(Rᵀ W_h R)``, ``c = diag(Uᵀ W_y R)``
    (paper App. P.3), restricted to the task's ``K`` singular dimensions.  Modes are
    tracked by projecting on the task's fixed singular vectors, never by re-running an
    SVD.

    Parameters
    ----------
    Wx, Wh, Wy : array_like
        Weights, optionally with leading dimensions (e.g. a :class:`TrainingHistory`'s
        ``Wx`` of shape ``(n, Nh, Nx)``).
    task : Task
    R : array_like, shape (Nh, Nh)
        The hidden basis returned by :func:`aligned_init`.

    Returns
    -------
    (a, b, c) : tuple of numpy.ndarray, each of shape ``leading + (K,)``
    """
    check_task(task)
    Wx = as_finite_array(Wx, "Wx", min_ndim=2)
    Wh = as_finite_array(Wh, "Wh", min_ndim=2)
    Wy = as_finite_array(Wy, "Wy", min_ndim=2)
    R = as_finite_array(R, "R", ndim=2)
    K = task.K
    if R.shape[0] != R.shape[1] or R.shape[1] < K:
        raise ValueError(
            f"R must be a square (Nh, Nh) basis with Nh >= K = {K} (one hidden "
            f"direction per mode), got shape {R.shape}"
        )
    Rk = R[:, :K]
    if Wx.shape[-2:] != (R.shape[0], task.V.shape[0]):
        raise ValueError(
            f"Wx must end in shape ({R.shape[0]}, {task.V.shape[0]}), got {Wx.shape}"
        )
    a = np.einsum("hk,...hi,ik->...k", Rk, Wx, task.V)
    b = np.einsum("hk,...hg,gk->...k", Rk, Wh, Rk)
    c = np.einsum("ok,...oh,hk->...k", task.U, Wy, Rk)
    return a, b, c
