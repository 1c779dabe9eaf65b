"""Second moments of the data, and the loss written through them.

The loss of a linear RNN depends on the data only through second moments.  With
the effective maps ``M_k = W_y W_h^k W_x`` (``k = T − t`` is the lag of input time
``t``)::

    L = ½ tr Σ^{YY} − Σ_t ⟨M_{T−t}, Σ^{YX_t}⟩ + ½ Σ_{s,t} ⟨M_{T−s} Σ^{X_s X_t}, M_{T−t}⟩

Conventions: ``Σ^{YX_t} = (1/P) Σ_p y_p x_{p,t}ᵀ`` with shape ``(T, Ny, Nx)`` and
``Σ^{X_s X_t} = (1/P) Σ_p x_{p,s} x_{p,t}ᵀ`` with the one layout ``(T, Nx, T, Nx)``
(``[s-1, :, t-1, :]``), the time-major flattening of the ``(T Nx, T Nx)`` matrix.

* sample moments (:func:`correlations`, :func:`input_correlations`,
  :func:`output_second_moment`, :func:`moments` collecting them in a
  :class:`Moments`), and moments built from singular values
  (:func:`correlations_from_svd`, :func:`make_moments`);
* the loss from moments (:func:`loss_from_moments`) and, for exactly whitened
  inputs, its correlation form (:func:`correlation_loss`, :func:`loss_offset`,
  :func:`correlation_gradients`);
* temporally correlated AR(1) inputs and their population moments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import (
    as_finite_array,
    check_finite_scalar,
    check_instance,
    check_maps,
    check_positive_int,
    check_rng,
)
from .network import check_weights, effective_maps

__all__ = [
    "correlations",
    "correlations_from_svd",
    "input_correlations",
    "output_second_moment",
    "Moments",
    "moments",
    "make_moments",
    "loss_from_moments",
    "correlation_loss",
    "loss_offset",
    "correlation_gradients",
    "ar1_inputs",
    "ar1_correlations",
    "population_moments",
]


def correlations(X, Y) -> np.ndarray:
    """Input-output correlations ``Σ^{YX_t} = (1/P) Σ_p y_p x_{p,t}ᵀ``.

    Parameters
    ----------
    X : array_like, shape (P, T, Nx)
    Y : array_like, shape (P, Ny)

    Returns
    -------
    numpy.ndarray, shape (T, Ny, Nx)
    """
    X = as_finite_array(X, "X", ndim=3)
    Y = as_finite_array(Y, "Y", ndim=2)
    if X.shape[0] != Y.shape[0]:
        raise ValueError(
            "X and Y must have the same number of samples, "
            f"got {X.shape[0]} and {Y.shape[0]}"
        )
    if X.shape[0] == 0:
        raise ValueError("X must contain at least one sample (P >= 1)")
    return np.einsum("po,pti->toi", Y, X) / X.shape[0]


def correlations_from_svd(U, s, V) -> np.ndarray:
    """The maps ``Σ^{YX_t} = U diag(s[:, t-1]) Vᵀ`` for every time step (Assumption 2).

    Parameters
    ----------
    U : array_like, shape (Ny, K)
    s : array_like, shape (K, T)
        Singular values of each mode over input time (the layout of
        ``Task.s`` and of :mod:`lrnn_utils.theory`).
    V : array_like, shape (Nx, K)

    Returns
    -------
    numpy.ndarray, shape (T, Ny, Nx)

    Examples
    --------
    >>> correlations_from_svd(np.eye(2), [[1.0, 2.0], [3.0, 4.0]], np.eye(2))[1]
    array([[2., 0.],
           [0., 4.]])
    """
    U = as_finite_array(U, "U", ndim=2)
    s = as_finite_array(s, "s", ndim=2)
    V = as_finite_array(V, "V", ndim=2)
    K = s.shape[0]
    if U.shape[1] != K or V.shape[1] != K:
        raise ValueError(
            f"U {U.shape}, s {s.shape} and V {V.shape} must share the number of modes K"
        )
    return np.einsum("ok,kt,ik->toi", U, s, V)


#: Largest deviation of Σ^{X_s X_t} from δ_st I treated as exact whitening.
WHITENING_TOL = 1e-10


@dataclass(frozen=True)
class Moments:
    """Second moments of a data set: all the loss of a linear RNN depends on.

    Attributes
    ----------
    sigma_yx : ndarray, shape (..., T, Ny, Nx)
        ``Σ^{YX_t} = (1/P) Σ_p y_p x_{p,t}ᵀ`` for ``t = 1..T``.
    sigma_xx : ndarray of shape (..., T, Nx, T, Nx), or None
        ``Σ^{X_s X_t} = (1/P) Σ_p x_{p,s} x_{p,t}ᵀ``; ``None`` means inputs
        whitened exactly over time x input dimension (``Σ^{X_s X_t} = δ_st I``).
    yy : ndarray, shape (...)
        ``tr Σ^{YY} = (1/P) Σ_p ‖y_p‖²``.
    """

    sigma_yx: np.ndarray
    sigma_xx: np.ndarray | None
    yy: np.ndarray

    @property
    def T(self) -> int:
        """Trajectory length."""
        return self.sigma_yx.shape[-3]

    @property
    def whitened(self) -> bool:
        """True when the inputs are treated as exactly whitened."""
        return self.sigma_xx is None


def make_moments(sigma_yx, sigma_xx=None, yy=None) -> Moments:
    """Validated :class:`Moments` from given correlations (e.g. from theory).

    Parameters
    ----------
    sigma_yx : array_like, shape (..., T, Ny, Nx)
        Input-output correlations; leading axes index a batch of tasks.
    sigma_xx : array_like, shape (..., T, Nx, T, Nx), optional
        Input correlations; ``None`` (default) for exactly whitened inputs.
    yy : float or array_like, optional
        ``tr Σ^{YY}``; default ``Σ_t ‖Σ^{YX_t}‖_F²``, the value for targets that
        are an exact linear function of whitened inputs (zero loss offset).

    Returns
    -------
    Moments

    Examples
    --------
    >>> m = make_moments(np.ones((3, 1, 1)))
    >>> m.T, m.whitened, float(m.yy)
    (3, True, 3.0)
    """
    sigma_yx = as_finite_array(sigma_yx, "sigma_yx", min_ndim=3)
    T, Ny, Nx = sigma_yx.shape[-3:]
    if T < 1 or Ny < 1 or Nx < 1:
        raise ValueError(
            f"sigma_yx must have shape (..., T, Ny, Nx) with T, Ny, Nx >= 1, "
            f"got {sigma_yx.shape}"
        )
    if sigma_xx is not None:
        sigma_xx = as_finite_array(sigma_xx, "sigma_xx", min_ndim=4)
        if sigma_xx.shape[-4:] != (T, Nx, T, Nx):
            raise ValueError(
                f"sigma_xx must have shape (..., {T}, {Nx}, {T}, {Nx}) to match "
                f"sigma_yx {sigma_yx.shape}, got {sigma_xx.shape}"
            )
    if yy is None:
        yy = np.sum(sigma_yx**2, axis=(-3, -2, -1))
    else:
        yy = as_finite_array(yy, "yy")
        if np.any(yy < 0):
            raise ValueError("yy = tr Σ^{YY} must be >= 0")
    # copies: the moments must not change when the caller's arrays do
    return Moments(
        sigma_yx=sigma_yx.copy(),
        sigma_xx=None if sigma_xx is None else sigma_xx.copy(),
        yy=np.array(yy, dtype=float),
    )


def moments(X, Y, whitened: bool | None = None) -> Moments:
    """The second moments of a data set (sample means).

    Parameters
    ----------
    X : array_like, shape (P, T, Nx)
    Y : array_like, shape (P, Ny)
    whitened : bool, optional
        ``None`` (default): drop ``Σ^{XX}`` when it equals the identity to
        ``1e-10`` (exactly whitened inputs, the cheaper update); ``False``:
        always keep it; ``True``: require whitened inputs.

    Returns
    -------
    Moments

    Raises
    ------
    ValueError
        Bad shapes, non-finite data, or ``whitened=True`` for inputs that are not.

    Examples
    --------
    >>> from lrnn_utils import tasks
    >>> task = tasks.make_task(np.ones((3, 1)), P=5, rng=np.random.default_rng(0))
    >>> m = moments(task.X, task.Y)
    >>> m.whitened, m.sigma_yx.shape
    (True, (3, 1, 1))
    """
    X = as_finite_array(X, "X", ndim=3)
    Y = as_finite_array(Y, "Y", ndim=2)
    P, T, Nx = X.shape
    if P < 1 or T < 1 or Nx < 1:
        raise ValueError(f"X must have P, T, Nx >= 1, got shape {X.shape}")
    if Y.shape[0] != P or Y.shape[1] < 1:
        raise ValueError(f"Y must have shape (P={P}, Ny >= 1), got {Y.shape}")
    if whitened is not None and not isinstance(whitened, (bool, np.bool_)):
        raise TypeError(f"whitened must be None, True or False, got {whitened!r}")
    return _moments(X, Y, whitened)


def _moments(X, Y, whitened):
    """:func:`moments` of validated data."""
    P, T, Nx = X.shape
    Xf = X.reshape(P, T * Nx)
    sxx = Xf.T @ Xf / P
    dev = float(np.max(np.abs(sxx - np.eye(T * Nx))))
    if whitened and dev > WHITENING_TOL:
        raise ValueError(
            f"whitened=True but the inputs are not whitened: max |Σ^XX − I| = {dev:.1e}"
        )
    sigma_yx = np.einsum("po,pti->toi", Y, X) / P
    yy = np.float64(np.sum(Y**2) / P)
    keep = whitened is False or (whitened is None and dev > WHITENING_TOL)
    sigma_xx = sxx.reshape(T, Nx, T, Nx) if keep else None
    return Moments(sigma_yx=sigma_yx, sigma_xx=sigma_xx, yy=yy)


def _check_correlations(M, Syx):
    Syx = as_finite_array(Syx, "Syx", ndim=3)
    if Syx.shape != M.shape:
        raise ValueError(
            f"Syx must have the shape of M {M.shape} (T, Ny, Nx), got {Syx.shape}"
        )
    return Syx


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
    numpy.ndarray, shape (T, Nx, T, Nx) or (T*Nx, T*Nx)
        ``S[i-1, :, j-1, :]`` is ``Σ^{X_i X_j}`` (the layout of
        ``Moments.sigma_xx``); ``flat`` is the same array reshaped.

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
    S = np.einsum("pia,pjb->iajb", X, X) / P
    return S.reshape(T * Nx, T * Nx) if flat else S


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
    Sxx : array_like, shape (T, Nx, T, Nx)
        ``Sxx[i-1, :, j-1, :] = Σ^{X_i X_j}`` (see :func:`input_correlations`).
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
    M = check_maps(M)
    Syx = _check_correlations(M, Syx)
    T, _, Nx = M.shape
    Sxx = as_finite_array(Sxx, "Sxx", ndim=4)
    if Sxx.shape != (T, Nx, T, Nx):
        raise ValueError(f"Sxx must have shape ({T}, {Nx}, {T}, {Nx}), got {Sxx.shape}")
    tr_yy = check_finite_scalar(tr_yy, "tr_yy")
    cross = float(np.sum(M * Syx))
    quad = float(np.einsum("ioa,job,jbia->", M, M, Sxx))
    return 0.5 * tr_yy - cross + 0.5 * quad


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
    numpy.ndarray, shape (T, Nx, T, Nx)

    Raises
    ------
    ValueError
        Non-positive ``T`` or ``Nx``, or ``rho`` outside ``(-1, 1)``.

    Examples
    --------
    >>> ar1_correlations(3, 1, 0.5)[:, 0, :, 0]
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
    return (rho**lag)[:, None, :, None] * np.eye(Nx)[None, :, None, :]


def population_moments(A, Sxx):
    """Moments of targets ``y = Σ_t A_t x_t`` given the input correlations.

    Parameters
    ----------
    A : array_like, shape (T, Ny, Nx)
        Teacher maps.
    Sxx : array_like, shape (T, Nx, T, Nx)
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
    A = check_maps(A, "A")
    T, _, Nx = A.shape
    Sxx = as_finite_array(Sxx, "Sxx", ndim=4)
    if Sxx.shape != (T, Nx, T, Nx):
        raise ValueError(f"Sxx must have shape ({T}, {Nx}, {T}, {Nx}), got {Sxx.shape}")
    Syx = np.einsum("toa,tajb->job", A, Sxx)
    tr_yy = float(np.einsum("toa,tasb,sob->", A, Sxx, A))
    return Syx, tr_yy


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
        Correlations ``Σ^{YX_t}``, e.g. from :func:`lrnn_utils.moments.correlations`.

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
    For whitened inputs they equal :func:`lrnn_utils.network.gradients`.

    Parameters
    ----------
    Wx, Wh, Wy : array_like
    sigma_yx : array_like, shape (T, Ny, Nx)

    Returns
    -------
    (dWx, dWh, dWy) : tuple of numpy.ndarray
        Same sign and shapes as :func:`lrnn_utils.network.gradients`.
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
