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

from ._validation import (
    as_finite_array,
    check_diverged,
    check_finite_scalar,
    check_positive_int,
    record_steps,
)
from .tasks import Task, _check_rng, _check_task

__all__ = [
    "forward",
    "hidden_states",
    "effective_maps",
    "loss",
    "gradients",
    "TrainingHistory",
    "train",
    "aligned_init",
    "unaligned_init",
    "modes",
]


def _check_weights(Wx, Wh, Wy, X=None, Y=None):
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


def _hidden_states(Wx, Wh, X):
    P, T, _ = X.shape
    H = np.zeros((P, T + 1, Wh.shape[0]))
    drive = X @ Wx.T  # (P, T, Nh): W_x x_t
    for t in range(T):
        H[:, t + 1] = H[:, t] @ Wh.T + drive[:, t]
    return H


def hidden_states(Wx, Wh, Wy, X) -> np.ndarray:
    """All hidden states ``h_1 .. h_{T+1}`` (``h_1 = 0``).

    Returns
    -------
    numpy.ndarray, shape (P, T+1, Nh)
        ``H[:, t-1]`` is ``h_t``; ``H[:, T]`` is ``h_{T+1}``, the state read out.
    """
    Wx, Wh, Wy, X = _check_weights(Wx, Wh, Wy, X)
    return _hidden_states(Wx, Wh, X)


def forward(Wx, Wh, Wy, X) -> np.ndarray:
    """Network output ``ŷ_p = W_y h_{T+1}``, shape ``(P, Ny)``."""
    Wx, Wh, Wy, X = _check_weights(Wx, Wh, Wy, X)
    return _hidden_states(Wx, Wh, X)[:, -1] @ Wy.T


def effective_maps(Wx, Wh, Wy, T: int) -> np.ndarray:
    """Input-to-output maps of the unrolled network, ``M_i = W_y W_h^{T-i} W_x``.

    By paper eq (3), ``ŷ = Σ_{i=1}^T M_i x_i``.

    Returns
    -------
    numpy.ndarray, shape (T, Ny, Nx)
        ``M[i-1]`` is the map applied to the input at time ``i``.
    """
    Wx, Wh, Wy = _check_weights(Wx, Wh, Wy)
    T = check_positive_int(T, "T")
    M = np.empty((T, Wy.shape[0], Wx.shape[1]))
    right = Wx.copy()  # W_h^{k} W_x with k = T - i
    for k in range(T):
        M[T - 1 - k] = Wy @ right
        right = Wh @ right
    return M


def loss(Wx, Wh, Wy, X, Y) -> float:
    """Mean-squared loss ``(1/2P) Σ_p ‖y_p − ŷ_p‖²``."""
    Wx, Wh, Wy, X, Y = _check_weights(Wx, Wh, Wy, X, Y)
    err = Y - _hidden_states(Wx, Wh, X)[:, -1] @ Wy.T
    return 0.5 * float(np.sum(err**2)) / X.shape[0]


def _gradients(Wx, Wh, Wy, X, Y):
    P, T, _ = X.shape
    H = _hidden_states(Wx, Wh, X)
    err = H[:, -1] @ Wy.T - Y  # ŷ − y, (P, Ny)
    dWy = err.T @ H[:, -1] / P
    g = err @ Wy / P  # ∂L/∂h_{T+1}, rows are samples
    dWx = np.zeros_like(Wx)
    dWh = np.zeros_like(Wh)
    for t in range(T - 1, -1, -1):  # h_{t+2} = Wh h_{t+1} + Wx x_{t+1} (0-based t)
        dWx += g.T @ X[:, t]
        dWh += g.T @ H[:, t]
        g = g @ Wh
    lval = 0.5 * float(np.sum(err**2)) / P
    return dWx, dWh, dWy, lval


def gradients(Wx, Wh, Wy, X, Y):
    """Exact gradients of :func:`loss` by backpropagation through time.

    Returns
    -------
    (dWx, dWh, dWy) : tuple of numpy.ndarray
        ``∂L/∂W_x``, ``∂L/∂W_h``, ``∂L/∂W_y`` with the shapes of the weights.
    """
    Wx, Wh, Wy, X, Y = _check_weights(Wx, Wh, Wy, X, Y)
    dWx, dWh, dWy, _ = _gradients(Wx, Wh, Wy, X, Y)
    return dWx, dWh, dWy


@dataclass(frozen=True)
class TrainingHistory:
    """Recorded trajectory of full-matrix gradient descent.

    Attributes
    ----------
    steps : ndarray, shape (n,)
        Update-step index of each record (0 = initial weights).
    Wx, Wh, Wy : ndarray, shapes (n, Nh, Nx), (n, Nh, Nh), (n, Ny, Nh)
        Weights at each recorded step.
    loss : ndarray, shape (n,)
        Loss at each recorded step.
    """

    steps: np.ndarray
    Wx: np.ndarray
    Wh: np.ndarray
    Wy: np.ndarray
    loss: np.ndarray


def train(
    Wx, Wh, Wy, X, Y, lr: float, steps: int, record_every: int = 1
) -> TrainingHistory:
    """Full-batch gradient descent ``W ← W − lr ∂L/∂W`` on all three matrices.

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
    """
    Wx, Wh, Wy, X, Y = _check_weights(Wx, Wh, Wy, X, Y)
    lr = check_finite_scalar(lr, "lr", positive=True)
    rec = record_steps(steps, record_every)
    steps = int(rec[-1])
    n = rec.size
    hist = {
        k: np.empty((n,) + w.shape) for k, w in (("Wx", Wx), ("Wh", Wh), ("Wy", Wy))
    }
    losses = np.empty(n)
    Wx, Wh, Wy = Wx.copy(), Wh.copy(), Wy.copy()
    j = 0
    hint = "try a smaller learning rate or initialisation"
    for step in range(steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            dWx, dWh, dWy, lval = _gradients(Wx, Wh, Wy, X, Y)
        check_diverged(step, hint, loss=lval)
        if j < n and rec[j] == step:
            hist["Wx"][j], hist["Wh"][j], hist["Wy"][j] = Wx, Wh, Wy
            losses[j] = lval
            j += 1
        if step == steps:
            break
        Wx = Wx - lr * dWx
        Wh = Wh - lr * dWh
        Wy = Wy - lr * dWy
        check_diverged(step + 1, hint, Wx=Wx, Wh=Wh, Wy=Wy)
    return TrainingHistory(
        steps=rec, Wx=hist["Wx"], Wh=hist["Wh"], Wy=hist["Wy"], loss=losses
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
    _check_task(task)
    _check_rng(rng)
    K = task.K
    Nh = K if n_hidden is None else check_positive_int(n_hidden, "n_hidden")
    if Nh < K:
        raise ValueError(f"n_hidden must be >= K={K}, got {Nh}")
    a = _mode_vector(a0, K, "a0")
    b = _mode_vector(b0, K, "b0")
    c = _mode_vector(c0, K, "c0")
    from .tasks import random_orthonormal

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
    _check_task(task)
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
