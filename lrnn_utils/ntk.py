"""The neural tangent kernel (NTK) of a linear RNN and how far it moves in training.

The network output for sample ``p`` is ``ŷ_p = W_y h_{p,T+1}`` (paper eqs 1-2).  With
all parameters stacked as ``θ = (vec W_x, vec W_h, vec W_y)`` (each matrix flattened
row by row) and all outputs stacked as ``vec Ŷ`` with index ``p·Ny + o``, the
*Jacobian* is ``J = ∂ vec Ŷ / ∂θ`` of shape ``(P·Ny, n_params)`` and the NTK is the Gram
matrix ``K = J Jᵀ`` of shape ``(P·Ny, P·Ny)`` (paper App. I).  Under gradient flow on
``L = (1/2P) Σ_p ‖y_p − ŷ_p‖²`` the outputs move as ``d vec Ŷ/dt = K vec(Y − Ŷ) / P``.

Row ``(p, o)`` of ``J`` has three blocks.  With the backward maps
``G_k = W_y W_h^k`` and the hidden states ``h_{p,t}`` (``h_{p,1} = 0``)::

    ∂ŷ_{p,o} / ∂W_x[a, b] = Σ_{t=1}^{T} G_{T-t}[o, a] x_{p,t}[b]
    ∂ŷ_{p,o} / ∂W_h[a, b] = Σ_{t=1}^{T} G_{T-t}[o, a] h_{p,t}[b]
    ∂ŷ_{p,o} / ∂W_y[c, b] = δ_{oc} h_{p,T+1}[b]

Also here: the kernel distance of paper eq (135), the same kernel assembled from
Kronecker products (a corrected form of paper eqs 129-134), and a gradient-descent
trainer that runs a whole grid of networks in one vectorised loop (for the paper's
Fig. 5 and App. J).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import fast
from ._validation import (
    DIVERGENCE_LIMIT,
    as_finite_array,
    check_choice,
    check_finite_scalar,
    check_instance,
    check_positive_int,
    record_steps,
)
from .model import aligned_init, check_weights, rollout, time_major, unaligned_init
from .tasks import make_task
from .theory import max_stable_lr

# ``matrix_power`` and ``paper_recurrent_block`` are public too, but not yet in
__all__ = [
    "matrix_power",
    "paper_recurrent_block",
    "backward_maps",
    "jacobian",
    "ntk",
    "ntk_kronecker",
    "kernel_distance",
    "relative_weight_change",
    "GridRun",
    "run_grid",
]


def _maps(Wh, Wy, T):
    """``G[..., t-1, :, :] = W_y W_h^{T-t}`` for t = 1..T (batched)."""
    G = np.empty(Wy.shape[:-2] + (T,) + Wy.shape[-2:])
    G[..., T - 1, :, :] = Wy
    for t in range(T - 2, -1, -1):
        G[..., t, :, :] = G[..., t + 1, :, :] @ Wh
    return G


def _states(Wx, Wh, X):
    """Hidden states ``h_1..h_{T+1}``, shape ``(..., T+1, P, Nh)`` (time-major)."""
    return rollout(Wx, Wh, time_major(X))


def _jacobian(Wx, Wh, Wy, X):
    """Batched Jacobian, shape ``(..., P*Ny, n_params)``."""
    P, T = X.shape[-3], X.shape[-2]
    Ny, Nh = Wy.shape[-2:]
    G = _maps(Wh, Wy, T)  # (..., T, Ny, Nh)
    H = _states(Wx, Wh, X)  # (..., T+1, P, Nh)
    Jx = np.einsum("...toa,...ptb->...poab", G, X)
    Jh = np.einsum("...toa,...tpb->...poab", G, H[..., :T, :, :])
    Jy = np.einsum("oc,...pb->...pocb", np.eye(Ny), H[..., T, :, :])
    lead = X.shape[:-3]
    return np.concatenate(
        [J.reshape(lead + (P * Ny, -1)) for J in (Jx, Jh, Jy)], axis=-1
    )


def backward_maps(Wx, Wh, Wy, T: int) -> np.ndarray:
    """The maps ``G_{T-t} = W_y W_h^{T-t}`` that carry step ``t`` to the output.

    Parameters
    ----------
    Wx, Wh, Wy : array_like
        Weights of shapes ``(Nh, Nx)``, ``(Nh, Nh)``, ``(Ny, Nh)``.
    T : int
        Trajectory length ``>= 1``.

    Returns
    -------
    numpy.ndarray, shape (T, Ny, Nh)
        Entry ``[t-1]`` is ``W_y W_h^{T-t}`` (so the last one is ``W_y``).

    Examples
    --------
    >>> import numpy as np
    >>> G = backward_maps(np.ones((2, 1)), 2 * np.eye(2), np.ones((1, 2)), 3)
    >>> G[:, 0, 0]
    array([4., 2., 1.])
    """
    Wx, Wh, Wy = check_weights(Wx, Wh, Wy)
    return _maps(Wh, Wy, check_positive_int(T, "T"))


def jacobian(Wx, Wh, Wy, X) -> np.ndarray:
    """Jacobian of all outputs with respect to all parameters.

    Parameters
    ----------
    Wx, Wh, Wy : array_like
        Weights of shapes ``(Nh, Nx)``, ``(Nh, Nh)``, ``(Ny, Nh)``.
    X : array_like, shape (P, T, Nx)
        Input trajectories.

    Returns
    -------
    numpy.ndarray, shape (P*Ny, Nh*Nx + Nh*Nh + Ny*Nh)
        Row ``p*Ny + o`` is the gradient of ``ŷ_{p,o}``; the columns are the entries of
        ``W_x``, ``W_h`` and ``W_y``, each flattened row by row (``numpy`` order).

    Raises
    ------
    ValueError
        Mismatched shapes or non-finite entries.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> W = rng.normal(size=(3, 2)), rng.normal(size=(3, 3)), rng.normal(size=(1, 3))
    >>> J = jacobian(*W, rng.normal(size=(5, 4, 2)))
    >>> J.shape
    (5, 18)
    """
    Wx, Wh, Wy, X = check_weights(Wx, Wh, Wy, X)
    return _jacobian(Wx, Wh, Wy, X)


def ntk(Wx, Wh, Wy, X) -> np.ndarray:
    """The empirical neural tangent kernel ``K = J Jᵀ`` over all parameters.

    Parameters
    ----------
    Wx, Wh, Wy : array_like
        Weights of shapes ``(Nh, Nx)``, ``(Nh, Nh)``, ``(Ny, Nh)``.
    X : array_like, shape (P, T, Nx)

    Returns
    -------
    numpy.ndarray, shape (P*Ny, P*Ny)
        Symmetric and positive semi-definite; index ``p*Ny + o`` as in :func:`jacobian`.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> W = rng.normal(size=(2, 2)), rng.normal(size=(2, 2)), rng.normal(size=(2, 2))
    >>> K = ntk(*W, rng.normal(size=(3, 2, 2)))
    >>> K.shape, bool(np.allclose(K, K.T))
    ((6, 6), True)
    """
    J = jacobian(Wx, Wh, Wy, X)
    return J @ J.T


def ntk_kronecker(Wx, Wh, Wy, X) -> np.ndarray:
    """The NTK assembled from Kronecker products (corrected paper eqs 129-134).

    With ``X_t`` the ``(Nx, P)`` matrix of inputs at time ``t``, ``H_t`` the ``(Nh, P)``
    matrix of hidden states and ``G_k = W_y W_h^k``::

        K = Σ_{t,s=1}^{T} (X_tᵀ X_s + H_tᵀ H_s) ⊗ G_{T-t} G_{T-s}ᵀ
            + H_{T+1}ᵀ H_{T+1} ⊗ I_{Ny}

    The first sum is the ``W_x`` part (inputs) and the ``W_h`` part (hidden states), the
    last term the ``W_y`` part.  ``⊗`` is ``numpy.kron``; the ``(P, P)`` factor comes
    first because ``vec Ŷ`` stacks the columns of the ``(Ny, P)`` output matrix.

    Parameters
    ----------
    Wx, Wh, Wy : array_like
    X : array_like, shape (P, T, Nx)

    Returns
    -------
    numpy.ndarray, shape (P*Ny, P*Ny)
        Equal to :func:`ntk` up to rounding.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(2)
    >>> W = rng.normal(size=(3, 2)), rng.normal(size=(3, 3)), rng.normal(size=(2, 3))
    >>> X = rng.normal(size=(4, 3, 2))
    >>> bool(np.allclose(ntk_kronecker(*W, X), ntk(*W, X)))
    True
    """
    Wx, Wh, Wy, X = check_weights(Wx, Wh, Wy, X)
    T, Ny = X.shape[1], Wy.shape[0]
    G = _maps(Wh, Wy, T)
    H = _states(Wx, Wh, X)
    K = np.kron(H[T] @ H[T].T, np.eye(Ny))
    for t in range(T):
        for s in range(T):
            gram = X[:, t] @ X[:, s].T + H[t] @ H[s].T
            K += np.kron(gram, G[t] @ G[s].T)
    return K


def matrix_power(W, n: int) -> np.ndarray:
    """``W^n`` for a square matrix and an integer ``n >= 0`` (``W^0 = I``).

    Unlike :func:`numpy.linalg.matrix_power`, a negative ``n`` is an error, not an
    inverse: a transcribed formula that asks for ``W_h^{-1}`` has an index range wrong.

    Parameters
    ----------
    W : array_like, shape (N, N)
    n : int
        Exponent ``>= 0``.

    Returns
    -------
    numpy.ndarray, shape (N, N)

    Raises
    ------
    ValueError
        If ``n < 0`` or ``W`` is not square.

    Examples
    --------
    >>> import numpy as np
    >>> matrix_power(2 * np.eye(2), 3)[0, 0]
    np.float64(8.0)
    >>> matrix_power(np.eye(2), -1)
    Traceback (most recent call last):
    ...
    ValueError: n must be >= 0 (a negative power would be an inverse), got n = -1
    """
    W = as_finite_array(W, "W", ndim=2)
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be square, got shape {W.shape}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n must be an int, got {type(n).__name__}")
    if n < 0:
        raise ValueError(
            f"n must be >= 0 (a negative power would be an inverse), got n = {n}"
        )
    return np.linalg.matrix_power(W, int(n))


def paper_recurrent_block(Wx, Wh, Wy, X, r_range: str = "eq127") -> np.ndarray:
    """The recurrent block of the NTK as the paper prints it (App. I, eq. 133).

    ::

        Σ_{i=1}^{T-1} Σ_{j=1}^{T-1} Σ_r (T-i) X_iᵀ W_xᵀ W_h^{T-j-1-r} W_x X_j
                                          ⊗ W_y W_h^{T-i-1} (W_h^r)ᵀ W_yᵀ

    read with the unbound index ``k`` of eq. (133) as ``j`` and its sign made
    positive.  The ``i = T`` terms carry the factor ``T - i = 0`` and are left out.
    ``r_range="eq127"`` runs ``r = 0..T-j-1``, the range of the paper's eq. (127)
    from which eq. (133) is derived, so every power is ``>= 0``; ``"eq133"`` runs
    ``r = 0..T-i-1`` as eq. (133) prints it, which needs negative powers (inverses)
    once ``T >= 3`` and is then refused.

    The block equals the true recurrent block ``J_h J_hᵀ`` when ``W_h`` is a multiple
    of the identity (then ``W_h`` commutes with every update, the premise of the
    paper's eq. 125), and for ``T <= 2``; not in general.

    Parameters
    ----------
    Wx, Wh, Wy : array_like
    X : array_like, shape (P, T, Nx)
    r_range : {"eq127", "eq133"}

    Returns
    -------
    numpy.ndarray, shape (P*Ny, P*Ny)

    Raises
    ------
    ValueError
        Bad shapes, or ``r_range="eq133"`` with ``T >= 3`` (a negative power).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(3)
    >>> Wx, Wy = rng.normal(size=(3, 2)), rng.normal(size=(2, 3))
    >>> X, Wh = rng.normal(size=(4, 5, 2)), 0.7 * np.eye(3)
    >>> Jh = jacobian(Wx, Wh, Wy, X)[:, 6:15]
    >>> bool(np.allclose(paper_recurrent_block(Wx, Wh, Wy, X), Jh @ Jh.T))
    True
    """
    Wx, Wh, Wy, X = check_weights(Wx, Wh, Wy, X)
    check_choice(r_range, "r_range", ("eq127", "eq133"))
    P, T = X.shape[:2]
    Ny = Wy.shape[0]
    K = np.zeros((P * Ny, P * Ny))
    for i in range(1, T):
        for j in range(1, T):
            for r in range(T - j if r_range == "eq127" else T - i):
                left = X[:, i - 1] @ Wx.T @ matrix_power(Wh, T - j - 1 - r) @ Wx
                right = Wy @ matrix_power(Wh, T - i - 1) @ matrix_power(Wh, r).T
                K += (T - i) * np.kron(left @ X[:, j - 1].T, right @ Wy.T)
    return K


def kernel_distance(K0, K1) -> float:
    """Kernel distance ``1 − ⟨K0, K1⟩_F / (‖K0‖_F ‖K1‖_F)`` (paper eq. 135).

    Zero when one kernel is a positive multiple of the other; for positive
    semi-definite kernels it lies in ``[0, 1]``.

    Parameters
    ----------
    K0, K1 : array_like
        Two kernels of the same shape, neither identically zero.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Different shapes, non-finite entries, or a zero kernel.

    Examples
    --------
    >>> import numpy as np
    >>> K = np.array([[2.0, 1.0], [1.0, 2.0]])
    >>> round(kernel_distance(K, 3 * K), 12)
    0.0
    >>> round(kernel_distance(K, np.eye(2)), 4)
    0.1056
    """
    K0 = as_finite_array(K0, "K0")
    K1 = as_finite_array(K1, "K1")
    if K0.shape != K1.shape:
        raise ValueError(
            f"K0 and K1 must have the same shape, got {K0.shape}, {K1.shape}"
        )
    n0, n1 = np.linalg.norm(K0), np.linalg.norm(K1)
    if n0 == 0 or n1 == 0:
        raise ValueError("kernel distance is undefined for a zero kernel (K0 or K1)")
    d = 1.0 - float(np.sum(K0 * K1)) / (n0 * n1)
    return float(max(d, 0.0))  # rounding can make d slightly negative


def _ntk_batched(Wx, Wh, Wy, X):
    """Batched NTK from the Gram form of :func:`ntk_kronecker`, ``(..., P*Ny, P*Ny)``.

    Cheaper than ``J Jᵀ`` when the hidden layer is wide: it never builds ``J``.
    """
    lead = X.shape[:-3]
    P, T, Nx = X.shape[-3:]
    Ny = Wy.shape[-2]
    G = _maps(Wh, Wy, T)  # (..., T, Ny, Nh)
    H = np.swapaxes(_states(Wx, Wh, X), -3, -2)  # (..., P, T+1, Nh)
    Z = np.concatenate([X, H[..., :T, :]], axis=-1).reshape(lead + (P * T, -1))
    gram = Z @ np.swapaxes(Z, -1, -2)  # (p t, q s): x_{p,t}·x_{q,s} + h_{p,t}·h_{q,s}
    gram = gram.reshape(lead + (P, T, P, T))
    gram = np.moveaxis(gram, -3, -2).reshape(lead + (P * P, T * T))  # (p q, t s)
    Gf = G.reshape(lead + (T * Ny, -1))
    GG = (Gf @ np.swapaxes(Gf, -1, -2)).reshape(lead + (T, Ny, T, Ny))
    GG = np.moveaxis(GG, -3, -2).reshape(lead + (T * T, Ny * Ny))  # (t s, o u)
    K = (gram @ GG).reshape(lead + (P, P, Ny, Ny))
    K = np.moveaxis(K, -2, -3)  # (p, o, q, u)
    hT = H[..., T, :]
    K = (
        K
        + (hT @ np.swapaxes(hT, -1, -2))[..., :, None, :, None] * np.eye(Ny)[:, None, :]
    )
    return K.reshape(lead + (P * Ny, P * Ny))


def _kernel(Wx, Wh, Wy, X):
    """Batched NTK by the cheaper route: ``J Jᵀ`` for small networks, else Gram form."""
    Nh, Nx = Wx.shape[-2:]
    if Nh * (Nh + Nx + Wy.shape[-2]) <= 2000:
        J = _jacobian(Wx, Wh, Wy, X)
        # einsum, not a stacked matmul: many small products are much faster this way
        return np.einsum("...ik,...jk->...ij", J, J, optimize=True)
    return _ntk_batched(Wx, Wh, Wy, X)


def _distance_batched(K0, K1):
    num = np.einsum("...ij,...ij->...", K0, K1)
    den = np.linalg.norm(K0, axis=(-2, -1)) * np.linalg.norm(K1, axis=(-2, -1))
    return np.clip(1.0 - num / den, 0.0, None)


def relative_weight_change(W0, W1) -> np.ndarray:
    """``‖θ₁ − θ₀‖ / ‖θ₀‖`` over all parameters, for one network or a stack.

    Parameters
    ----------
    W0, W1 : tuple of array_like
        ``(Wx, Wh, Wy)`` before and after training; arrays may carry the same leading
        (batch) dimensions.

    Returns
    -------
    numpy.ndarray
        One value per network (shape = the leading dimensions).

    Examples
    --------
    >>> import numpy as np
    >>> W0 = (np.ones((2, 2)), np.zeros((2, 2)), np.ones((1, 2)))
    >>> W1 = tuple(2 * w for w in W0)
    >>> float(relative_weight_change(W0, W1))
    1.0
    """
    for name, W in (("W0", W0), ("W1", W1)):
        check_instance(W, (tuple, list), name, "a tuple (Wx, Wh, Wy)")
        if len(W) != 3:
            raise ValueError(f"{name} must be a tuple (Wx, Wh, Wy), got {len(W)} items")
    num = den = 0.0
    for name, a, b in zip(("Wx", "Wh", "Wy"), W0, W1):
        a = as_finite_array(a, name, min_ndim=2)
        b = as_finite_array(b, name, min_ndim=2)
        if a.shape != b.shape:
            raise ValueError(f"{name} changed shape: {a.shape} -> {b.shape}")
        num = num + np.sum((b - a) ** 2, axis=(-2, -1))
        den = den + np.sum(a**2, axis=(-2, -1))
    if np.any(den == 0):
        raise ValueError("relative weight change is undefined for all-zero W0")
    return np.sqrt(num / den)


@dataclass(frozen=True)
class GridRun:
    """Result of :func:`run_grid`: one trained network per grid point (and draw).

    Attributes
    ----------
    T, io_scale, rec_scale : ndarray
        The grid, each of the result shape ``S`` (the broadcast shape of the inputs,
        followed by an axis of length ``draws`` when ``draws`` is given).
    lr : ndarray, shape S
        Learning rate used at each grid point.
    distance : ndarray, shape S
        Kernel distance between the NTK at initialisation and at the end (NaN where
        training diverged).
    weight_change : ndarray, shape S
        Relative weight change ``‖θ_end − θ_0‖ / ‖θ_0‖``.
    loss0, loss : ndarray, shape S
        Loss at the start and at the end.
    steps : ndarray, shape (n,)
        Recorded steps (0 and the last step included).
    loss_history, distance_history : ndarray, shape (n,) + S
        Loss and kernel distance from the initial NTK at the recorded steps.
    diverged : ndarray of bool, shape S
        Networks whose training diverged.
    """

    T: np.ndarray
    io_scale: np.ndarray
    rec_scale: np.ndarray
    lr: np.ndarray
    distance: np.ndarray
    weight_change: np.ndarray
    loss0: np.ndarray
    loss: np.ndarray
    steps: np.ndarray
    loss_history: np.ndarray
    distance_history: np.ndarray
    diverged: np.ndarray


#: Hidden sizes above this are trained by :func:`_train_wide` (no powers of W_h).
WIDE_HIDDEN = 32


def _train_wide(Wx, Wh, Wy, sigma_yx, lr, rec):
    """Gradient descent on exactly whitened moments for wide networks.

    Never forms a power of ``W_h``: with ``A_q = W_h^q W_x`` and ``B_r = W_y W_h^r``
    (``T`` products each, cost ``∝ T Nh² Nx``) and ``G_k = B_k W_x − Σ^{YX_{T−k}}``::

        ∂L/∂W_y = Σ_k G_k A_kᵀ,   ∂L/∂W_x = Σ_k B_kᵀ G_k,
        ∂L/∂W_h = Σ_r B_rᵀ Σ_q G_{r+q+1} A_qᵀ.

    Returns the weights at the steps ``rec`` (NaN after divergence), the loss and the
    step at which each network diverged (``-1``: never).
    """
    W = [np.array(w, dtype=float) for w in (Wx, Wh, Wy)]
    B, Nh, Nx = W[0].shape
    T, Ny = sigma_yx.shape[0], sigma_yx.shape[1]
    S = np.ascontiguousarray(sigma_yx[::-1])[:, None]  # lag k <-> time T - k
    lr = np.asarray(lr, dtype=float).reshape(B, 1, 1).copy()
    hist = [np.full((rec.size,) + w.shape, np.nan) for w in W]
    loss_hist = np.full((rec.size, B), np.nan)
    diverged = np.full(B, -1)
    A = np.empty((T, B, Nh, Nx))
    Bm = np.empty((T, B, Ny, Nh))
    j = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(int(rec[-1]) + 1):
            Wx, Wh, Wy = W
            A[0], Bm[0] = Wx, Wy
            for q in range(1, T):
                A[q] = Wh @ A[q - 1]
                Bm[q] = Bm[q - 1] @ Wh
            G = Bm @ Wx - S  # (T, B, Ny, Nx)
            loss = 0.5 * np.sum(G**2, axis=(0, 2, 3))
            bad = (diverged < 0) & ~(loss <= DIVERGENCE_LIMIT)
            if bad.any():
                diverged[bad] = step
                lr[bad] = 0.0
            if step == rec[j]:
                ok = diverged < 0
                for h, w in zip(hist, W):
                    h[j, ok] = w[ok]
                loss_hist[j, ok] = loss[ok]
                j += 1
            if step == rec[-1]:
                break
            C = np.zeros((T, B, Ny, Nh))  # C_r = Σ_q G_{r+q+1} A_qᵀ
            for r in range(T - 1):
                C[r] = np.einsum("kbox,kbhx->boh", G[r + 1 :], A[: T - 1 - r])
            dWy = np.einsum("kbox,kbhx->boh", G, A)
            dWx = np.einsum("kboh,kbox->bhx", Bm, G)
            Bf = np.moveaxis(Bm, 0, 1).reshape(B, T * Ny, Nh)
            dWh = np.swapaxes(Bf, 1, 2) @ np.moveaxis(C, 0, 1).reshape(B, T * Ny, Nh)
            for w, dw in zip(W, (dWx, dWh, dWy)):
                w -= lr * dw
    return hist, loss_hist, diverged


def _train_group(W, task, lr, rec):
    """Train one batch of networks that share a task; weights and loss at ``rec``."""
    mom = fast.moments(task.X, task.Y, whitened=True)
    if W[0].shape[-2] > WIDE_HIDDEN:
        return _train_wide(*W, mom.sigma_yx, lr, rec)
    every = int(rec[1] - rec[0]) if rec.size > 2 else max(int(rec[-1]), 1)
    out = fast.train_batch(
        *W,
        mom,
        lr,
        int(rec[-1]),
        record_every=every,
        on_divergence="mask",
    )
    return [out.Wx, out.Wh, out.Wy], out.loss, out.diverged_step


def run_grid(
    T,
    io_scale,
    rec_scale=None,
    init: str = "aligned",
    steps: int = 1500,
    rng=None,
    n_hidden: int = 4,
    K: int = 4,
    lr=None,
    lr_fraction: float = 0.8,
    lr_max: float = 0.1,
    record_every: int | None = None,
    draws: int | None = None,
) -> GridRun:
    """Train one network per grid point on the constant task and measure the NTK's move.

    The task (paper Fig. 5) has constant dynamics ``s_t = δ = 1`` in ``K`` singular
    dimensions, ``Nx = Ny = K``, with ``P = K T`` exactly whitened trajectories (the
    kernel distance of whitened data does not depend on ``P``).  Every grid point
    gets a fresh network; the networks of each ``T`` are trained together by
    :func:`lrnn_utils.fast.train_batch` (hidden sizes above :data:`WIDE_HIDDEN` by a
    trainer that never forms powers of ``W_h``), and the NTK is computed at the
    recorded steps.

    Parameters
    ----------
    T : int or array_like of int
        Trajectory lengths (``T = 1`` is the feedforward baseline).
    io_scale : float or array_like
        Initial scale of the input and output weights.
    rec_scale : float or array_like, optional
        Initial scale of the recurrent weights (default: ``io_scale``).
    init : {"aligned", "unaligned"}
        ``"aligned"``: modes ``a = c = io_scale``, ``b = rec_scale`` in the task's
        singular basis.  ``"unaligned"``: Gaussian entries with variance
        ``scale²/fan_in`` (``io_scale`` for ``W_x`` and ``W_y``, ``rec_scale`` for
        ``W_h``).
    steps : int
        Gradient-descent steps.
    rng : numpy.random.Generator
    n_hidden : int, default 4
        Hidden size (``>= K`` for aligned networks).
    K : int, default 4
        Number of singular dimensions of the task.
    lr : float or array_like, optional
        Learning rate(s).  Default: ``min(lr_max, lr_fraction · 2/λ_max)`` with
        ``λ_max`` the largest curvature of the mode energy at the zero-loss solution
        ``a = b = c = 1`` of each ``T``.
    lr_fraction, lr_max : float
        Used by the default learning rate.
    record_every : int, optional
        Record loss and kernel distance every ``record_every`` steps (default: only
        at the start and the end).
    draws : int, optional
        Independent networks per grid point; adds a last axis of this length.

    Returns
    -------
    GridRun
        Arrays of the broadcast shape of ``T``, ``io_scale`` and ``rec_scale`` (plus
        the draws axis).  Diverged networks have NaN distance, weight change and loss.

    Raises
    ------
    TypeError
        If ``rng`` is not a ``numpy.random.Generator``.
    ValueError
        Unknown ``init``, non-positive scales or lengths.

    Examples
    --------
    >>> import numpy as np
    >>> g = run_grid([1, 3], 0.1, steps=300, rng=np.random.default_rng(0))
    >>> g.distance.shape, bool(g.distance[1] > g.distance[0])
    ((2,), True)
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, got {type(rng).__name__}"
        )
    check_choice(init, "init", ("aligned", "unaligned"))
    lr_fraction = check_finite_scalar(lr_fraction, "lr_fraction", positive=True)
    lr_max = check_finite_scalar(lr_max, "lr_max", positive=True)
    rec_scale = io_scale if rec_scale is None else rec_scale
    T, io, rec = np.broadcast_arrays(
        np.asarray(T),
        as_finite_array(io_scale, "io_scale"),
        as_finite_array(rec_scale, "rec_scale"),
    )
    if draws is not None:
        draws = check_positive_int(draws, "draws")
        T, io, rec = (np.repeat(v[..., None], draws, axis=-1) for v in (T, io, rec))
    if np.any(io <= 0) or np.any(rec <= 0):
        raise ValueError("io_scale and rec_scale must be > 0")
    Ts = np.array([check_positive_int(t, "T") for t in T.ravel()], dtype=int)
    n_hidden = check_positive_int(n_hidden, "n_hidden")
    K = check_positive_int(K, "K")
    steps = check_positive_int(steps, "steps", minimum=0)
    if record_every is None:
        every = max(steps, 1)
    else:
        every = check_positive_int(record_every, "record_every")
    rec_steps = record_steps(steps, every)
    if lr is None:
        lim = {t: float(max_stable_lr(1.0, 1.0, 1.0, np.ones(t))) for t in set(Ts)}
        lr_arr = np.array([min(lr_max, lr_fraction * lim[t]) for t in Ts])
    else:
        lr_arr = np.broadcast_to(as_finite_array(lr, "lr"), T.shape).ravel()
        if np.any(lr_arr <= 0):
            raise ValueError("lr must be > 0")
    n, N = rec_steps.size, Ts.size
    loss_h, dist_h = np.full((n, N), np.nan), np.full((n, N), np.nan)
    W0 = [None, None, None]
    W1 = [None, None, None]
    for t in sorted(set(Ts.tolist())):
        idx = np.flatnonzero(Ts == t)
        task = make_task(np.ones((t, K)), P=K * t, rng=rng)
        Ws = []
        for a, b in zip(io.ravel()[idx], rec.ravel()[idx]):
            if init == "aligned":
                Ws.append(aligned_init(task, a, b, a, rng, n_hidden=n_hidden)[:3])
            else:
                Wx, _, Wy = unaligned_init(K, n_hidden, K, a, rng)
                Wh = unaligned_init(K, n_hidden, K, b, rng)[1]
                Ws.append((Wx, Wh, Wy))
        W = [np.array(w) for w in zip(*Ws)]
        hist, loss, _ = _train_group(W, task, lr_arr[idx], rec_steps)
        Xb = np.broadcast_to(task.X, (idx.size,) + task.X.shape)
        with np.errstate(over="ignore", invalid="ignore"):
            K0 = _kernel(*W, Xb)
            for j in range(n):
                ok = np.isfinite(loss[j])
                if ok.any():
                    Kj = _kernel(*(h[j][ok] for h in hist), Xb[ok])
                    dist_h[j, idx[ok]] = _distance_batched(K0[ok], Kj)
        loss_h[:, idx] = loss
        for m in range(3):
            if W0[m] is None:
                W0[m] = np.full((N,) + W[m].shape[1:], np.nan)
                W1[m] = np.full((N,) + W[m].shape[1:], np.nan)
            W0[m][idx], W1[m][idx] = W[m], hist[m][-1]
    diverged = ~np.isfinite(loss_h[-1])
    wc = np.full(N, np.nan)
    if (~diverged).any():
        sel = lambda Ws: tuple(w[~diverged] for w in Ws)  # noqa: E731
        wc[~diverged] = relative_weight_change(sel(W0), sel(W1))
    shape = T.shape
    return GridRun(
        T=T.astype(int),
        io_scale=io,
        rec_scale=rec,
        lr=lr_arr.reshape(shape),
        distance=dist_h[-1].reshape(shape),
        weight_change=wc.reshape(shape),
        loss0=loss_h[0].reshape(shape),
        loss=loss_h[-1].reshape(shape),
        steps=rec_steps,
        loss_history=loss_h.reshape((n,) + shape),
        distance_history=dist_h.reshape((n,) + shape),
        diverged=diverged.reshape(shape),
    )
