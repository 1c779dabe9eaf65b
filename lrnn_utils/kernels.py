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

import numpy as np

from ._validation import (
    as_finite_array,
    check_choice,
    check_instance,
    check_positive_int,
)
from .network import check_weights, rollout, time_major

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
    """Batched Jacobian, shape ``(..., P*Ny, n_params)``.

    The sums over time are matrix products: ``Σ_t G_{T-t}[o, a] z_{p,t}[b]`` is
    ``Gᵀ Z`` with ``G`` stacked as ``(T, Ny Nh)`` and ``Z`` as ``(T, P Nz)``.
    """
    P, T, Nx = X.shape[-3:]
    Ny, Nh = Wy.shape[-2:]
    G = _maps(Wh, Wy, T)  # (..., T, Ny, Nh)
    H = _states(Wx, Wh, X)  # (..., T+1, P, Nh)
    lead = np.broadcast_shapes(G.shape[:-3], X.shape[:-3])
    GT = np.swapaxes(G.reshape(G.shape[:-2] + (Ny * Nh,)), -1, -2)  # (..., NyNh, T)
    Xt = np.swapaxes(X, -3, -2).reshape(X.shape[:-3] + (T, P * Nx))
    Jx = (GT @ Xt).reshape(lead + (Ny, Nh, P, Nx))
    Jh = (GT @ H[..., :T, :, :].reshape(H.shape[:-3] + (T, P * Nh))).reshape(
        lead + (Ny, Nh, P, Nh)
    )
    J = np.zeros(lead + (P, Ny, Nh * (Nx + Nh) + Ny * Nh))
    n = len(lead)
    J[..., : Nh * Nx] = Jx.transpose(
        tuple(range(n)) + (n + 2, n, n + 1, n + 3)
    ).reshape(lead + (P, Ny, Nh * Nx))
    J[..., Nh * Nx : Nh * (Nx + Nh)] = Jh.transpose(
        tuple(range(n)) + (n + 2, n, n + 1, n + 3)
    ).reshape(lead + (P, Ny, Nh * Nh))
    Jy = J[..., Nh * (Nx + Nh) :].reshape(lead + (P, Ny, Ny, Nh))
    for o in range(Ny):  # ∂ŷ_{p,o}/∂W_y[c, b] = δ_{oc} h_{p,T+1}[b]
        Jy[..., o, o, :] = H[..., T, :, :]
    return J.reshape(lead + (P * Ny, -1))


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


def ntk_batch(Wx, Wh, Wy, X):
    """Batched NTK by the cheaper route: ``J Jᵀ`` for small networks, else Gram form."""
    Nh, Nx = Wx.shape[-2:]
    if Nh * (Nh + Nx + Wy.shape[-2]) <= 2000:
        J = _jacobian(Wx, Wh, Wy, X)
        # einsum, not a stacked matmul: many small products are much faster this way
        return np.einsum("...ik,...jk->...ij", J, J, optimize=True)
    return _ntk_batched(Wx, Wh, Wy, X)


def kernel_distance_batch(K0, K1):
    num = np.einsum("...ij,...ij->...", K0, K1)
    den = np.linalg.norm(K0, axis=(-2, -1)) * np.linalg.norm(K1, axis=(-2, -1))
    return np.clip(1.0 - num / den, 0.0, None)


def jacobian_batch(Wx, Wh, Wy, X):
    """:func:`jacobian` for stacks of networks: an unvalidated kernel for drivers.

    The leading axes of the weights and of ``X`` ``(..., P, T, Nx)`` must be equal
    (broadcast ``X`` first); shape ``(..., P*Ny, n_params)``.
    """
    return _jacobian(Wx, Wh, Wy, X)


def kernel_distance_jacobians(J0, J1):
    """Kernel distance between ``K₀ = J₀ J₀ᵀ`` and ``K₁ = J₁ J₁ᵀ`` (batched).

    An unvalidated kernel for drivers: the leading axes of the Jacobians
    ``(..., P*Ny, n_params)`` broadcast.  The kernels are never formed:
    ``⟨K₀, K₁⟩ = ‖J₀ᵀ J₁‖²`` and ``‖K‖ = ‖Jᵀ J‖`` use the parameter-space
    products, much cheaper than ``J Jᵀ`` when a network has fewer parameters than
    outputs (small networks, long trajectories).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> W0 = rng.normal(size=(2, 2)), rng.normal(size=(2, 2)), rng.normal(size=(2, 2))
    >>> W1 = tuple(w + 0.1 * rng.normal(size=w.shape) for w in W0)
    >>> X = rng.normal(size=(6, 3, 2))  # 12 outputs, 12 parameters
    >>> d = kernel_distance_jacobians(jacobian(*W0, X), jacobian(*W1, X))
    >>> bool(np.isclose(d, kernel_distance(ntk(*W0, X), ntk(*W1, X))))
    True
    """
    J0T, J1T = np.swapaxes(J0, -1, -2), np.swapaxes(J1, -1, -2)
    num = np.sum(np.square(J0T @ J1), axis=(-2, -1))
    n0 = np.linalg.norm(J0T @ J0, axis=(-2, -1))
    n1 = np.linalg.norm(J1T @ J1, axis=(-2, -1))
    return np.clip(1.0 - num / (n0 * n1), 0.0, None)


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
