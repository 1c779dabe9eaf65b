"""The linear RNN itself: forward pass, loss, backpropagation through time, read-outs.

Model (paper eqs 1-2)::

    h_1 = 0,   h_{t+1} = W_h h_t + W_x x_t   (t = 1..T),   ŷ = W_y h_{T+1}

Loss (book convention)::

    L = (1/2P) Σ_p ‖y_p − ŷ_p‖²

Shapes: ``Wx (Nh, Nx)``, ``Wh (Nh, Nh)``, ``Wy (Ny, Nh)``, ``X (P, T, Nx)``,
``Y (P, Ny)``.

* one forward recurrence (:func:`rollout`) and one backpropagation through time
  (:func:`bptt`), on which :func:`hidden_states`, :func:`forward`, :func:`loss` and
  :func:`gradients` stand;
* the effective maps ``M_k = W_y W_h^k W_x`` and their action on inputs
  (:func:`effective_maps`, :func:`apply_maps`, :func:`impulse_response`);
* initialisations (:func:`aligned_init`, :func:`unaligned_init`) and the read-out of
  the connectivity modes from weights (:func:`modes` in the aligned basis,
  :func:`read_modes` along a task's directions for unaligned weights);
* the hidden-state norm (:func:`hidden_norm_rms`, :func:`hidden_norm_theory`) and
  finite-difference gradients for checking BPTT.

Training lives in :mod:`lrnn_utils.engine`, second moments in
:mod:`lrnn_utils.moments`.
"""

from __future__ import annotations

import numpy as np

from ._validation import (
    as_finite_array,
    check_finite_scalar,
    check_maps,
    check_mode_vector,
    check_positive_int,
    check_rng,
)
from .tasks import Task, check_task, random_orthonormal

__all__ = [
    "check_weights",
    "rollout",
    "time_major",
    "hidden_states",
    "forward",
    "loss",
    "effective_maps",
    "apply_maps",
    "impulse_response",
    "bptt",
    "gradients",
    "finite_difference_gradients",
    "aligned_init",
    "unaligned_init",
    "aligned_blocks",
    "misalignment",
    "modes",
    "read_modes",
    "hidden_norm_rms",
    "hidden_norm_theory",
    "network_hessian",
    "network_sharpness",
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


def stack_weights(Wx, Wh):
    """``[W_hᵀ; W_xᵀ]``, shape ``(..., Nh+Nx, Nh)``: one product per time step."""
    WhT, WxT = np.swapaxes(Wh, -1, -2), np.swapaxes(Wx, -1, -2)
    lead = np.broadcast_shapes(Wx.shape[:-2], Wh.shape[:-2])
    parts = [np.broadcast_to(W, lead + W.shape[-2:]) for W in (WhT, WxT)]
    return np.concatenate(parts, axis=-2)


def bptt_workspace(Xt, Nh, lead=()):
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


def bptt_step(Wcat, Wy, Z, Y, G):
    """Loss and gradients ``(∂L/∂[W_hᵀ; W_xᵀ], ∂L/∂W_y)`` of one network.

    ``Z`` is a :func:`bptt_workspace` (its states are overwritten), ``G`` a
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
    :func:`~lrnn_utils.engine.train` and the NTK (:mod:`lrnn_utils.kernels`).  No
    validation: call it from code that has checked its arguments once (the public
    functions do).

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
    Wcat = stack_weights(Wx, Wh)
    Z = bptt_workspace(Xt, Wh.shape[-1], Wcat.shape[:-2])
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

    The backpropagation through time of :func:`gradients` and
    :func:`~lrnn_utils.engine.train`, for code that evaluates many weights on data it
    has checked once (finite differences, Hessians).

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
    lval, dWcat, dWy = bptt_step(
        stack_weights(Wx, Wh), Wy, bptt_workspace(Xt, Nh), Y, np.empty((T, P, Nh))
    )
    return lval, dWcat[Nh:].T.copy(), dWcat[:Nh].T.copy(), dWy


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
    a = check_mode_vector(a0, K, "a0")
    b = check_mode_vector(b0, K, "b0")
    c = check_mode_vector(c0, K, "c0")

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


def aligned_blocks(Wx, Wh, Wy, task: Task, R):
    """Weights (or gradients) seen in the aligned basis.

    Returns ``Rᵀ W_x V``, ``Rᵀ W_h R`` and ``Uᵀ W_y R``.

    Under Assumption 3 the leading ``K x K`` blocks are diagonal with the
    modes ``a, b, c`` on the diagonal and every other entry is zero.

    Parameters
    ----------
    Wx, Wh, Wy : array_like
        Matrices with optional leading (stack) dimensions.
    task : Task
        Provides ``U`` (``Ny x K``) and ``V`` (``Nx x K``).
    R : array_like, shape (Nh, Nh)
        Orthogonal hidden basis (e.g. from :func:`lrnn_utils.network.aligned_init`).

    Returns
    -------
    (Ax, Ah, Ay) : tuple of numpy.ndarray
        Shapes ``leading + (Nh, K)``, ``leading + (Nh, Nh)``, ``leading + (K, Nh)``.

    Raises
    ------
    TypeError
        If ``task`` is not a :class:`~lrnn_utils.tasks.Task`.
    ValueError
        If the shapes do not match or an input is not finite.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_utils import tasks
    >>> rng = np.random.default_rng(0)
    >>> task = tasks.make_task(np.ones((3, 2)), P=12, rng=rng)
    >>> Wx, Wh, Wy, R = aligned_init(task, 0.5, [0.2, 0.4], 1.0, rng)
    >>> Ax, Ah, Ay = aligned_blocks(Wx, Wh, Wy, task, R)
    >>> np.round(Ah, 12) + 0.0
    array([[0.2, 0. ],
           [0. , 0.4]])
    """
    check_task(task)
    Wx = as_finite_array(Wx, "Wx", min_ndim=2)
    Wh = as_finite_array(Wh, "Wh", min_ndim=2)
    Wy = as_finite_array(Wy, "Wy", min_ndim=2)
    R = as_finite_array(R, "R", ndim=2)
    Nh = R.shape[0]
    if R.shape != (Nh, Nh):
        raise ValueError(f"R must be square, got shape {R.shape}")
    if Wx.shape[-2:] != (Nh, task.V.shape[0]):
        raise ValueError(
            f"Wx must end in shape ({Nh}, {task.V.shape[0]}), got {Wx.shape}"
        )
    if Wh.shape[-2:] != (Nh, Nh):
        raise ValueError(f"Wh must end in shape ({Nh}, {Nh}), got {Wh.shape}")
    if Wy.shape[-2:] != (task.U.shape[0], Nh):
        raise ValueError(
            f"Wy must end in shape ({task.U.shape[0]}, {Nh}), got {Wy.shape}"
        )
    Ax = np.einsum("hg,...hi,ik->...gk", R, Wx, task.V)
    Ah = np.einsum("hg,...hj,jl->...gl", R, Wh, R)
    Ay = np.einsum("ok,...oh,hg->...kg", task.U, Wy, R)
    return Ax, Ah, Ay


def misalignment(Wx, Wh, Wy, task: Task, R) -> np.ndarray:
    """Largest part of the weights (or gradients) that Assumption 3 says must vanish.

    Two kinds of entries should be zero for aligned weights:

    * everything in :func:`aligned_blocks` except the first ``K`` diagonal
      entries (off-diagonal couplings between dimensions, and hidden
      directions beyond the first ``K``);
    * the parts of ``W_x`` and ``W_y`` outside the task's singular directions,
      ``W_x (I − V Vᵀ)`` and ``(I − U Uᵀ) W_y``.  These are only present when
      ``N_x > K`` or ``N_y > K``, and :func:`aligned_blocks` cannot see them.

    Returns the largest absolute value among all of these entries.

    Parameters
    ----------
    Wx, Wh, Wy, task, R
        As in :func:`aligned_blocks`.

    Returns
    -------
    numpy.ndarray
        Shape ``leading`` (a 0-d array for single matrices).

    Raises
    ------
    TypeError, ValueError
        As :func:`aligned_blocks` (bad task, shapes or non-finite input).

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_utils import tasks
    >>> rng = np.random.default_rng(0)
    >>> task = tasks.make_task(np.ones((3, 2)), P=12, rng=rng)
    >>> Wx, Wh, Wy, R = aligned_init(task, 0.5, 0.3, 1.0, rng)
    >>> bool(misalignment(Wx, Wh, Wy, task, R) < 1e-12)
    True
    >>> bool(misalignment(Wx, Wh + 0.1, Wy, task, R) > 0.01)
    True
    """
    Ax, Ah, Ay = aligned_blocks(Wx, Wh, Wy, task, R)
    K = task.K
    out = []
    idx = np.arange(K)
    for blk in (Ax, Ah, Ay):
        rest = blk.copy()
        rest[..., idx, idx] = 0.0
        out.append(np.max(np.abs(rest), axis=(-2, -1)))
    Wx = np.asarray(Wx, dtype=float)
    Wy = np.asarray(Wy, dtype=float)
    V, U = task.V, task.U
    outside_x = Wx - np.einsum("...hi,ik,jk->...hj", Wx, V, V)  # W_x (I - V V^T)
    outside_y = Wy - np.einsum("ok,pk,...ph->...oh", U, U, Wy)  # (I - U U^T) W_y
    out.append(np.max(np.abs(outside_x), axis=(-2, -1)))
    out.append(np.max(np.abs(outside_y), axis=(-2, -1)))
    return np.max(np.stack(out), axis=0)


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
    K = task.K
    R = as_finite_array(R, "R", ndim=2)
    if R.shape[0] != R.shape[1] or R.shape[1] < K:
        raise ValueError(
            f"R must be a square (Nh, Nh) basis with Nh >= K = {K} (one hidden "
            f"direction per mode), got shape {R.shape}"
        )
    Ax, Ah, Ay = aligned_blocks(Wx, Wh, Wy, task, R)
    idx = np.arange(K)
    return Ax[..., idx, idx], Ah[..., idx, idx], Ay[..., idx, idx]


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


def _check_input_and_recurrent(Wx, Wh):
    Wx = as_finite_array(Wx, "Wx", ndim=2)
    Wh = as_finite_array(Wh, "Wh", ndim=2)
    Nh = Wx.shape[0]
    if Wh.shape != (Nh, Nh):
        raise ValueError(
            f"Wh must have shape (Nh, Nh) = ({Nh}, {Nh}) to match Wx {Wx.shape}, "
            f"got {Wh.shape}"
        )
    return Wx, Wh


def apply_maps(M, X) -> np.ndarray:
    """Output of a linear map of the whole input sequence, ``ŷ_p = Σ_i M_i x_{p,i}``.

    Parameters
    ----------
    M : array_like, shape (T, Ny, Nx)
        ``M[i-1]`` acts on the input at time ``i`` (e.g. from
        :func:`lrnn_utils.network.effective_maps`).
    X : array_like, shape (P, T, Nx)

    Returns
    -------
    numpy.ndarray, shape (P, Ny)

    Raises
    ------
    ValueError
        ``M`` not of shape (T, Ny, Nx), ``X`` not matching it, or non-finite entries.

    Examples
    --------
    >>> import numpy as np
    >>> M = np.ones((2, 1, 1))  # two time steps, scalar maps equal to 1
    >>> apply_maps(M, np.array([[[1.0], [2.0]]]))
    array([[3.]])
    """
    M = check_maps(M)
    X = as_finite_array(X, "X", ndim=3)
    if X.shape[1:] != (M.shape[0], M.shape[2]):
        raise ValueError(
            f"X must have shape (P, {M.shape[0]}, {M.shape[2]}) to match M {M.shape}, "
            f"got {X.shape}"
        )
    return np.einsum("toi,pti->po", M, X)


def impulse_response(Wx, Wh, Wy, T: int) -> np.ndarray:
    """Effective maps measured by *running* the network on unit impulses.

    For every time ``i`` and input coordinate ``k`` the network is fed the
    sequence whose only non-zero entry is ``x_i = e_k``; its output is column ``k``
    of ``M_i``.  This measures ``M_i = W_y W_h^{T-i} W_x`` by simulation, without
    forming matrix powers.

    Parameters
    ----------
    Wx : array_like, shape (Nh, Nx)
    Wh : array_like, shape (Nh, Nh)
    Wy : array_like, shape (Ny, Nh)
    T : int
        Sequence length (>= 1).

    Returns
    -------
    numpy.ndarray, shape (T, Ny, Nx)
        ``M[i-1]`` is the measured map of input time ``i``.

    Raises
    ------
    ValueError
        Inconsistent weight shapes, non-finite entries or ``T < 1``.

    Examples
    --------
    >>> impulse_response([[1.0]], [[0.5]], [[2.0]], 3)[:, 0, 0]
    array([0.5, 1. , 2. ])
    """
    Wx, Wh, Wy = check_weights(Wx, Wh, Wy)
    T = check_positive_int(T, "T")
    Nx = Wx.shape[1]
    X = np.eye(T * Nx).reshape(T * Nx, T, Nx)  # sample i*Nx + k has x_i = e_k
    out = forward(Wx, Wh, Wy, X)  # (T*Nx, Ny)
    return out.reshape(T, Nx, -1).transpose(0, 2, 1)


def hidden_norm_rms(H) -> np.ndarray:
    """Root-mean-square hidden-state norm ``sqrt((1/P) Σ_p ‖h_{p,t}‖²)`` per time step.

    Parameters
    ----------
    H : array_like, shape (P, T+1, Nh)
        Hidden states, e.g. from :func:`lrnn_utils.network.hidden_states`.

    Returns
    -------
    numpy.ndarray, shape (T+1,)

    Raises
    ------
    ValueError
        ``H`` not 3-dimensional, empty or non-finite.

    Examples
    --------
    >>> import numpy as np
    >>> hidden_norm_rms(np.array([[[0.0], [3.0]], [[0.0], [4.0]]]))
    array([0.        , 3.53553391])
    """
    H = as_finite_array(H, "H", ndim=3)
    if H.shape[0] < 1:
        raise ValueError("H must contain at least one sample")
    return np.sqrt(np.mean(np.sum(H**2, axis=-1), axis=0))


def hidden_norm_theory(Wx, Wh, T: int) -> np.ndarray:
    """RMS hidden-state norm for inputs whitened over time x input dimension.

    With ``Σ^{X_i X_j} = δ_ij I`` the cross terms between different input times
    cancel exactly and ``(1/P) Σ_p ‖h_{p,t+1}‖² = Σ_{k=0}^{t-1} ‖W_h^k W_x‖_F²``.

    Parameters
    ----------
    Wx : array_like, shape (Nh, Nx)
    Wh : array_like, shape (Nh, Nh)
    T : int
        Number of input steps.

    Returns
    -------
    numpy.ndarray, shape (T+1,)
        Entry ``t-1`` is the prediction for ``h_t`` (entry 0 is ``h_1 = 0``).

    Raises
    ------
    ValueError
        Inconsistent weight shapes, non-finite entries or ``T < 1``.

    Examples
    --------
    >>> hidden_norm_theory([[1.0]], [[1.0]], 4) ** 2  # ρ = 1: grows linearly
    array([0., 1., 2., 3., 4.])
    """
    Wx, Wh = _check_input_and_recurrent(Wx, Wh)
    T = check_positive_int(T, "T")
    sq = np.zeros(T + 1)
    right = Wx.copy()
    for k in range(T):
        sq[k + 1] = sq[k] + float(np.sum(right**2))
        right = Wh @ right
    return np.sqrt(sq)


def finite_difference_gradients(Wx, Wh, Wy, X, Y, eps: float = 1e-6):
    """Gradients of :func:`lrnn_utils.network.loss` by central finite differences.

    Each weight entry ``w`` is perturbed to ``w ± eps`` and
    ``(L(w+eps) − L(w−eps)) / (2 eps)`` is recorded; the truncation error is
    ``O(eps²)`` and the rounding error about ``1e-16 · L / eps``.

    Parameters
    ----------
    Wx, Wh, Wy : array_like
        Weights of shapes ``(Nh, Nx)``, ``(Nh, Nh)``, ``(Ny, Nh)``.
    X : array_like, shape (P, T, Nx)
    Y : array_like, shape (P, Ny)
    eps : float, default 1e-6
        Step of the central difference (> 0).

    Returns
    -------
    (dWx, dWh, dWy) : tuple of numpy.ndarray
        Same shapes as the weights.

    Raises
    ------
    ValueError
        Inconsistent shapes, non-finite entries or ``eps <= 0``.

    Examples
    --------
    >>> import numpy as np
    >>> X, Y = np.ones((1, 1, 1)), np.zeros((1, 1))
    >>> dWx, dWh, dWy = finite_difference_gradients([[2.0]], [[0.5]], [[1.0]], X, Y)
    >>> print(f"{dWx[0, 0]:.6f} {dWh[0, 0]:.6f} {dWy[0, 0]:.6f}")
    2.000000 0.000000 4.000000
    """
    Wx, Wh, Wy, X, Y = check_weights(Wx, Wh, Wy, X, Y)
    eps = check_finite_scalar(eps, "eps", positive=True)
    weights = [Wx.copy(), Wh.copy(), Wy.copy()]
    Xt = time_major(X)
    grads = []
    for w in weights:
        g = np.zeros_like(w)
        for idx in np.ndindex(w.shape):
            orig = w[idx]
            w[idx] = orig + eps
            lp = bptt(*weights, Xt, Y)[0]
            w[idx] = orig - eps
            lm = bptt(*weights, Xt, Y)[0]
            w[idx] = orig
            g[idx] = (lp - lm) / (2 * eps)
        grads.append(g)
    return tuple(grads)


def network_hessian(Wx, Wh, Wy, X, Y, eps: float = 1e-5) -> np.ndarray:
    """Hessian of the loss in all weights, by central differences of exact gradients.

    The Hessian of ``L = (1/2P) Σ_p ‖y_p − ŷ_p‖²`` with respect to the flattened
    ``(W_x, W_h, W_y)`` (each row by row) is built column by column from
    backpropagation through time and symmetrised.

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
    numpy.ndarray, shape (n, n)
        ``n`` is the number of weights.

    Examples
    --------
    >>> import numpy as np
    >>> one = np.ones((1, 1))
    >>> H = network_hessian(one, one, one, np.ones((1, 1, 1)), np.zeros((1, 1)))
    >>> np.round(H, 6)  # L = (c a)^2 / 2 at a = c = 1; W_h has no effect at T = 1
    array([[1., 0., 2.],
           [0., 0., 0.],
           [2., 0., 1.]])
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
    return 0.5 * (H + H.T)


def network_sharpness(Wx, Wh, Wy, X, Y, eps: float = 1e-5) -> float:
    """Largest eigenvalue of the loss Hessian in all weights (central differences).

    The top eigenvalue of :func:`network_hessian`.  Gradient descent with learning
    rate ``η > 2 / sharpness`` cannot settle at the point (chapter 4).

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
    return float(np.linalg.eigvalsh(network_hessian(Wx, Wh, Wy, X, Y, eps))[-1])
