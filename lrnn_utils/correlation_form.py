"""The loss and its gradients written through the input-output correlations.

With inputs whitened exactly over (time x input dimension), the loss of *any*
linear RNN depends on the data only through ``Σ^{YX_t}`` and one constant::

    L = ½ Σ_{t=1}^T ‖Σ^{YX_t} − M_t‖_F²  +  L₀,      M_t = W_y W_h^{T−t} W_x,
    L₀ = ½ tr Σ^{YY} − ½ Σ_t ‖Σ^{YX_t}‖_F²   (>= 0; 0 for exactly linear targets).

:func:`correlation_loss` is the first term, :func:`loss_offset` the constant and
:func:`correlation_gradients` the gradients of the first term, which are the
paper's matrix gradient flow (eqs 23-25) with the opposite sign.  Without
whitening these formulas are wrong; chapter 1 measures by how much.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_finite_array
from .model import check_weights, effective_maps
from .tasks import correlations

__all__ = ["correlation_loss", "loss_offset", "correlation_gradients"]


def _check_sigma(Wx, Wh, Wy, sigma_yx):
    Wx, Wh, Wy = check_weights(Wx, Wh, Wy)
    sigma_yx = as_finite_array(sigma_yx, "sigma_yx", ndim=3)
    if sigma_yx.shape[0] < 1:
        raise ValueError("sigma_yx must hold at least one time step (T >= 1)")
    if sigma_yx.shape[1:] != (Wy.shape[0], Wx.shape[1]):
        raise ValueError(
            "sigma_yx must have shape (T, Ny, Nx) = "
            f"(T, {Wy.shape[0]}, {Wx.shape[1]}), got {sigma_yx.shape}"
        )
    return Wx, Wh, Wy, sigma_yx


def correlation_loss(Wx, Wh, Wy, sigma_yx) -> float:
    """``½ Σ_{t=1}^T ‖Σ^{YX_t} − W_y W_h^{T−t} W_x‖_F²``.

    For exactly whitened inputs the book's loss ``(1/2P) Σ_p ‖y_p − ŷ_p‖²``
    equals this plus :func:`loss_offset`, which does not depend on the weights.
    For aligned weights it equals the summed mode energy (paper eq 8).

    Parameters
    ----------
    Wx, Wh, Wy : array_like
        Weights of shapes ``(Nh, Nx)``, ``(Nh, Nh)``, ``(Ny, Nh)``.
    sigma_yx : array_like, shape (T, Ny, Nx)
        Correlations ``Σ^{YX_t}``, e.g. from :func:`lrnn_utils.tasks.correlations`.

    Returns
    -------
    float
    """
    Wx, Wh, Wy, sigma_yx = _check_sigma(Wx, Wh, Wy, sigma_yx)
    M = effective_maps(Wx, Wh, Wy, sigma_yx.shape[0])
    return 0.5 * float(np.sum((sigma_yx - M) ** 2))


def loss_offset(X, Y) -> float:
    """Weight-independent part ``L₀ = ½ tr Σ^{YY} − ½ Σ_t ‖Σ^{YX_t}‖_F²`` of the loss.

    For whitened inputs ``L₀ >= 0`` is the loss of the best linear read-out of
    the whole input sequence; it is zero when ``Y`` is an exact linear
    function of ``X`` (as for :func:`lrnn_utils.tasks.make_task`).

    Parameters
    ----------
    X : array_like, shape (P, T, Nx)
    Y : array_like, shape (P, Ny)

    Returns
    -------
    float
    """
    sigma = correlations(X, Y)  # validates shapes and finiteness
    Y = np.asarray(Y, dtype=float)
    return 0.5 * float(np.sum(Y**2)) / Y.shape[0] - 0.5 * float(np.sum(sigma**2))


def correlation_gradients(Wx, Wh, Wy, sigma_yx):
    """Gradients of :func:`correlation_loss`; minus the paper's flow, eqs (23)-(25).

    With the errors ``G_t = Σ^{YX_t} − W_y W_h^{T−t} W_x``::

        ∂L/∂W_x = −Σ_{t=1}^{T}   W_h^{(T−t)ᵀ} W_yᵀ G_t
        ∂L/∂W_h = −Σ_{t=1}^{T−1} Σ_{r=0}^{T−t−1} W_h^{rᵀ} W_yᵀ G_t W_xᵀ W_h^{(T−t−1−r)ᵀ}
        ∂L/∂W_y = −Σ_{t=1}^{T}   G_t W_xᵀ W_h^{(T−t)ᵀ}

    written term by term as in the paper (including the double sum of eq 24).
    For whitened inputs they equal :func:`lrnn_utils.model.gradients`.

    Parameters
    ----------
    Wx, Wh, Wy : array_like
    sigma_yx : array_like, shape (T, Ny, Nx)

    Returns
    -------
    (dWx, dWh, dWy) : tuple of numpy.ndarray
        Same sign and shapes as :func:`lrnn_utils.model.gradients`.
    """
    Wx, Wh, Wy, sigma_yx = _check_sigma(Wx, Wh, Wy, sigma_yx)
    T = sigma_yx.shape[0]
    powers = [np.eye(Wh.shape[0])]  # W_h^k, k = 0 .. T-1
    for _ in range(T - 1):
        powers.append(Wh @ powers[-1])
    dWx = np.zeros_like(Wx)
    dWh = np.zeros_like(Wh)
    dWy = np.zeros_like(Wy)
    for t in range(1, T + 1):
        k = T - t
        G = sigma_yx[t - 1] - Wy @ powers[k] @ Wx
        dWx -= powers[k].T @ Wy.T @ G
        dWy -= G @ Wx.T @ powers[k].T
        for r in range(k):  # empty for t = T
            dWh -= powers[r].T @ Wy.T @ G @ Wx.T @ powers[k - 1 - r].T
    return dWx, dWh, dWy
