"""Infrastructure for chapter 1: measuring the unrolled linear RNN.

The lesson itself (the recurrence, its unrolled sum, backpropagation through time) is
written out in the chapter.  This module holds what the chapter uses to *check* it:

* the output of a sequence of effective maps, ``ŷ_p = Σ_i M_i x_{p,i}``
  (:func:`apply_maps`), and the maps measured by running the network on unit
  impulses (:func:`impulse_response`);
* the data moments and the loss written through them (:func:`input_correlations`,
  :func:`output_second_moment`, :func:`loss_from_moments`; the correlation-only form,
  exact for whitened inputs, is in :mod:`lrnn_utils.correlation_form`);
* the root-mean-square hidden-state norm and its exact value for whitened inputs
  (:func:`hidden_norm_rms`, :func:`hidden_norm_theory`);
* gradients by central finite differences (:func:`finite_difference_gradients`);
* temporally correlated (AR(1)) inputs and their population moments
  (:func:`ar1_inputs`, :func:`ar1_correlations`, :func:`population_moments`).

Conventions are those of the book: ``h_1 = 0``, ``L = (1/2P) Σ_p ‖y_p − ŷ_p‖²``,
``Σ^{YX_t} = (1/P) Σ_p y_p x_{p,t}ᵀ``, ``Σ^{X_i X_j} = (1/P) Σ_p x_{p,i} x_{p,j}ᵀ``.
"""

from __future__ import annotations

import numpy as np

from ._validation import (
    as_finite_array,
    check_finite_scalar,
    check_instance,
    check_positive_int,
    check_rng,
)
from .model import bptt, check_weights, forward, time_major

__all__ = [
    "apply_maps",
    "impulse_response",
    "input_correlations",
    "output_second_moment",
    "loss_from_moments",
    "hidden_norm_rms",
    "hidden_norm_theory",
    "finite_difference_gradients",
    "ar1_inputs",
    "ar1_correlations",
    "population_moments",
]


def _check_maps(M, name="M") -> np.ndarray:
    M = as_finite_array(M, name, ndim=3)
    if M.shape[0] < 1:
        raise ValueError(
            f"{name} must contain at least one time step, got shape {M.shape}"
        )
    return M


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


def _check_correlations(M, Syx):
    Syx = as_finite_array(Syx, "Syx", ndim=3)
    if Syx.shape != M.shape:
        raise ValueError(
            f"Syx must have the shape of M {M.shape} (T, Ny, Nx), got {Syx.shape}"
        )
    return Syx


def apply_maps(M, X) -> np.ndarray:
    """Output of a linear map of the whole input sequence, ``ŷ_p = Σ_i M_i x_{p,i}``.

    Parameters
    ----------
    M : array_like, shape (T, Ny, Nx)
        ``M[i-1]`` acts on the input at time ``i`` (e.g. from
        :func:`lrnn_utils.model.effective_maps`).
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
    M = _check_maps(M)
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


def input_correlations(X, flat: bool = False) -> np.ndarray:
    """Input-input correlations ``Σ^{X_i X_j} = (1/P) Σ_p x_{p,i} x_{p,j}ᵀ``.

    Parameters
    ----------
    X : array_like, shape (P, T, Nx)
    flat : bool, default False
        If True return the ``(T Nx, T Nx)`` matrix ``(1/P) X̃ᵀ X̃`` of the flattened
        inputs ``X̃ = X.reshape(P, T*Nx)`` (time-major), which is the identity exactly
        when the inputs are whitened over time x input dimension (Assumption 1).

    Returns
    -------
    numpy.ndarray, shape (T, T, Nx, Nx) or (T*Nx, T*Nx)
        ``S[i-1, j-1]`` is ``Σ^{X_i X_j}``.

    Raises
    ------
    ValueError
        ``X`` not 3-dimensional, empty or non-finite.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[[1.0], [1.0]], [[1.0], [-1.0]]])
    >>> input_correlations(X, flat=True)
    array([[1., 0.],
           [0., 1.]])
    """
    X = as_finite_array(X, "X", ndim=3)
    check_instance(flat, (bool, np.bool_), "flat")
    P, T, Nx = X.shape
    if P < 1:
        raise ValueError("X must contain at least one sample")
    S = np.einsum("pia,pjb->ijab", X, X) / P
    if flat:
        return S.transpose(0, 2, 1, 3).reshape(T * Nx, T * Nx)
    return S


def output_second_moment(Y) -> float:
    """Second moment of the targets, ``tr Σ^{YY} = (1/P) Σ_p ‖y_p‖²``.

    Parameters
    ----------
    Y : array_like, shape (P, Ny)

    Returns
    -------
    float

    Raises
    ------
    ValueError
        ``Y`` not 2-dimensional, empty or non-finite.

    Examples
    --------
    >>> output_second_moment([[3.0, 4.0], [0.0, 0.0]])
    12.5
    """
    Y = as_finite_array(Y, "Y", ndim=2)
    if Y.shape[0] < 1:
        raise ValueError("Y must contain at least one sample")
    return float(np.sum(Y**2)) / Y.shape[0]


def loss_from_moments(M, Syx, Sxx, tr_yy: float) -> float:
    """Loss written through the data moments (exact for any inputs).

    ``L = ½ tr Σ^{YY} − Σ_i tr(M_iᵀ Σ^{YX_i}) + ½ Σ_{i,j} tr(M_iᵀ M_j Σ^{X_j X_i})``

    Parameters
    ----------
    M : array_like, shape (T, Ny, Nx)
    Syx : array_like, shape (T, Ny, Nx)
    Sxx : array_like, shape (T, T, Nx, Nx)
        ``Sxx[i-1, j-1] = Σ^{X_i X_j}`` (see :func:`input_correlations`).
    tr_yy : float

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Inconsistent shapes or non-finite entries.

    Examples
    --------
    >>> import numpy as np
    >>> M = np.zeros((1, 1, 1))  # the zero network: loss = ½ tr Σ^{YY}
    >>> loss_from_moments(M, np.ones((1, 1, 1)), np.ones((1, 1, 1, 1)), 4.0)
    2.0
    """
    M = _check_maps(M)
    Syx = _check_correlations(M, Syx)
    T, _, Nx = M.shape
    Sxx = as_finite_array(Sxx, "Sxx", ndim=4)
    if Sxx.shape != (T, T, Nx, Nx):
        raise ValueError(f"Sxx must have shape ({T}, {T}, {Nx}, {Nx}), got {Sxx.shape}")
    tr_yy = check_finite_scalar(tr_yy, "tr_yy")
    cross = float(np.sum(M * Syx))
    quad = float(np.einsum("ioa,job,jiba->", M, M, Sxx))
    return 0.5 * tr_yy - cross + 0.5 * quad


def hidden_norm_rms(H) -> np.ndarray:
    """Root-mean-square hidden-state norm ``sqrt((1/P) Σ_p ‖h_{p,t}‖²)`` per time step.

    Parameters
    ----------
    H : array_like, shape (P, T+1, Nh)
        Hidden states, e.g. from :func:`lrnn_utils.model.hidden_states`.

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
    """Gradients of :func:`lrnn_utils.model.loss` by central finite differences.

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


def ar1_inputs(
    P: int, T: int, Nx: int, rho: float, rng: np.random.Generator
) -> np.ndarray:
    """Gaussian input sequences with AR(1) temporal correlations.

    ``x_1 ~ N(0, I)`` and ``x_t = ρ x_{t-1} + sqrt(1 − ρ²) ξ_t`` with fresh
    ``ξ_t ~ N(0, I)``, so that in the population ``E[x_i x_jᵀ] = ρ^{|i-j|} I``
    (see :func:`ar1_correlations`).  ``rho = 0`` gives independent standard
    Gaussian inputs, which are whitened only in expectation.

    Parameters
    ----------
    P, T, Nx : int
        Samples, time steps, input dimension.
    rho : float
        Lag-one correlation, ``-1 < rho < 1``.
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray, shape (P, T, Nx)

    Raises
    ------
    TypeError
        ``rng`` not a ``numpy.random.Generator`` (an ``ArgumentTypeError``, which is
        also a ``ValueError``).
    ValueError
        Non-positive sizes or ``rho`` outside ``(-1, 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> ar1_inputs(4, 3, 2, 0.5, np.random.default_rng(0)).shape
    (4, 3, 2)
    """
    check_rng(rng)
    P = check_positive_int(P, "P")
    T = check_positive_int(T, "T")
    Nx = check_positive_int(Nx, "Nx")
    rho = check_finite_scalar(rho, "rho")
    if not -1.0 < rho < 1.0:
        raise ValueError(f"rho must satisfy -1 < rho < 1, got {rho}")
    xi = rng.standard_normal((P, T, Nx))
    X = np.empty_like(xi)
    X[:, 0] = xi[:, 0]
    s = np.sqrt(1.0 - rho**2)
    for t in range(1, T):
        X[:, t] = rho * X[:, t - 1] + s * xi[:, t]
    return X


def ar1_correlations(T: int, Nx: int, rho: float) -> np.ndarray:
    """Population correlations of :func:`ar1_inputs`, ``Σ^{X_i X_j} = ρ^{|i-j|} I``.

    Parameters
    ----------
    T, Nx : int
        Time steps and input dimension.
    rho : float
        Lag-one correlation, ``-1 < rho < 1``.

    Returns
    -------
    numpy.ndarray, shape (T, T, Nx, Nx)

    Raises
    ------
    ValueError
        Non-positive ``T`` or ``Nx``, or ``rho`` outside ``(-1, 1)``.

    Examples
    --------
    >>> ar1_correlations(3, 1, 0.5)[:, :, 0, 0]
    array([[1.  , 0.5 , 0.25],
           [0.5 , 1.  , 0.5 ],
           [0.25, 0.5 , 1.  ]])
    """
    T = check_positive_int(T, "T")
    Nx = check_positive_int(Nx, "Nx")
    rho = check_finite_scalar(rho, "rho")
    if not -1.0 < rho < 1.0:
        raise ValueError(f"rho must satisfy -1 < rho < 1, got {rho}")
    lag = np.abs(np.arange(T)[:, None] - np.arange(T)[None, :])
    return (rho**lag)[:, :, None, None] * np.eye(Nx)


def population_moments(A, Sxx):
    """Moments of targets ``y = Σ_t A_t x_t`` given the input correlations.

    Parameters
    ----------
    A : array_like, shape (T, Ny, Nx)
        Teacher maps.
    Sxx : array_like, shape (T, T, Nx, Nx)
        Input correlations ``Σ^{X_i X_j}``.

    Returns
    -------
    Syx : numpy.ndarray, shape (T, Ny, Nx)
        ``Σ^{YX_j} = Σ_t A_t Σ^{X_t X_j}``.
    tr_yy : float
        ``tr Σ^{YY} = Σ_{t,t'} tr(A_t Σ^{X_t X_t'} A_{t'}ᵀ)``.

    Raises
    ------
    ValueError
        Inconsistent shapes or non-finite entries.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.ones((2, 1, 1))  # y = x_1 + x_2
    >>> Syx, tr_yy = population_moments(A, ar1_correlations(2, 1, 0.5))
    >>> Syx[:, 0, 0], tr_yy
    (array([1.5, 1.5]), 3.0)
    """
    A = _check_maps(A, "A")
    T, _, Nx = A.shape
    Sxx = as_finite_array(Sxx, "Sxx", ndim=4)
    if Sxx.shape != (T, T, Nx, Nx):
        raise ValueError(f"Sxx must have shape ({T}, {T}, {Nx}, {Nx}), got {Sxx.shape}")
    Syx = np.einsum("toa,tjab->job", A, Sxx)
    tr_yy = float(np.einsum("toa,tsab,sob->", A, Sxx, A))
    return Syx, tr_yy
