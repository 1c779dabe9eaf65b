"""Checks for the coding exercises of chapter 6 (the neural tangent kernel)."""

from __future__ import annotations

import numpy as np

from .. import kernels, network
from ._core import Mistake, check_function

__all__ = ["jacobian_wh", "kernel_distance", "linearised_step"]


def _net(rng, T=None):
    Nx, Nh, Ny = (int(v) for v in rng.integers(1, 4, size=3) + [0, 1, 0])
    P, T_random = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    return dict(
        Wx=rng.normal(size=(Nh, Nx)),
        Wh=rng.normal(size=(Nh, Nh)) / np.sqrt(Nh),
        Wy=rng.normal(size=(Ny, Nh)),
        X=rng.normal(size=(P, T_random if T is None else T, Nx)),
    )


def _nets(seed: int, n: int = 3):
    """Random small networks and inputs, one dict per case (fixed seed)."""
    rng = np.random.default_rng(seed)
    return [_net(rng) for _ in range(n)]


def _jh_ref(Wx, Wh, Wy, X):
    Nh, Nx = Wx.shape
    return kernels.jacobian(Wx, Wh, Wy, X)[:, Nh * Nx : Nh * Nx + Nh * Nh]


def _jh_states(Wx, Wh, Wy, X, first):
    """The W_h Jacobian with the hidden states shifted (mistake models)."""
    T = X.shape[1]
    G = kernels.backward_maps(Wx, Wh, Wy, T)
    H = network.hidden_states(Wx, Wh, Wy, X)[:, first : first + T]
    J = np.einsum("toa,ptb->poab", G, H)
    return J.reshape(X.shape[0] * Wy.shape[0], -1)


def _jh_transposed(Wx, Wh, Wy, X):
    Nh = Wh.shape[0]
    J = _jh_ref(Wx, Wh, Wy, X).reshape(-1, Nh, Nh)
    return np.swapaxes(J, 1, 2).reshape(J.shape[0], -1)


def _jh_last_only(Wx, Wh, Wy, X):
    H = network.hidden_states(Wx, Wh, Wy, X)
    J = np.einsum("oa,pb->poab", Wy, H[:, X.shape[1] - 1])
    return J.reshape(X.shape[0] * Wy.shape[0], -1)


def jacobian_wh(student, seed: int = 601):
    """Check ``jacobian_wh(Wx, Wh, Wy, X) -> (P*Ny, Nh*Nh)``: ``∂ vec Ŷ / ∂ vec W_h``.

    Three random networks, then the edge T = 1, where W_h never acts on a nonzero
    state (h_1 = 0) and the Jacobian is zero; ``seed`` draws the random cases.

    Examples
    --------
    >>> from lrnn_utils.checks import ch06
    >>> ch06.jacobian_wh(ch06._jh_ref)
    ✔ jacobian_wh: matches the reference on 3 random cases and 1 edge case (T = 1)
    """
    return check_function(
        "jacobian_wh",
        student,
        _jh_ref,
        _nets(seed),
        edges=[("T = 1", _net(np.random.default_rng([seed, 1]), T=1))],
        mistakes=[
            Mistake(
                "off by one in time: the weight W_h acts on h_t at step t (h_1 = 0), "
                "you used h_{t+1}",
                lambda **c: _jh_states(**c, first=1),
            ),
            Mistake(
                "columns in the wrong order: column a*Nh + b must be W_h[a, b] "
                "(flatten row by row), yours are transposed",
                _jh_transposed,
            ),
            Mistake(
                "only the last step counted: W_h is used at every step t = 1..T, "
                "sum G_{T-t} ⊗ h_t over t",
                _jh_last_only,
            ),
        ],
        rtol=1e-7,
        atol=1e-9,
        labels=("J_h",),
    )


def _cases_kernels(seed: int, n: int = 3):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        m = int(rng.integers(3, 7))
        A, B = rng.normal(size=(m, m)), rng.normal(size=(m, m))
        out.append(dict(K0=A @ A.T, K1=B @ B.T + A @ A.T))
    return out


def _kd_ref(K0, K1):
    return kernels.kernel_distance(K0, K1)


def kernel_distance(student, seed: int = 602):
    """Check ``kernel_distance(K0, K1) -> float`` (paper eq. 135).

    ``seed`` draws the random cases (change it for fresh ones).

    Examples
    --------
    >>> from lrnn_utils.checks import ch06
    >>> ch06.kernel_distance(ch06._kd_ref)
    ✔ kernel_distance: matches the reference on 3 random cases
    """
    fro = np.linalg.norm
    return check_function(
        "kernel_distance",
        student,
        _kd_ref,
        _cases_kernels(seed),
        mistakes=[
            Mistake(
                "this is the cosine similarity ⟨K0, K1⟩/(‖K0‖ ‖K1‖); the distance is "
                "1 minus it",
                lambda K0, K1: np.sum(K0 * K1) / (fro(K0) * fro(K1)),
            ),
            Mistake(
                "the norms are squared: divide by ‖K0‖_F ‖K1‖_F, not their squares",
                lambda K0, K1: 1 - np.sum(K0 * K1) / (fro(K0) ** 2 * fro(K1) ** 2),
            ),
            Mistake(
                "⟨K0, K1⟩ is the Frobenius inner product Σ_ij K0_ij K1_ij (the trace "
                "of K0ᵀ K1), not a matrix product",
                lambda K0, K1: 1 - np.sum(K0 @ K1) / (fro(K0) * fro(K1)),
            ),
            Mistake(
                "this is the relative change ‖K1 − K0‖/‖K0‖; eq. (135) compares "
                "directions, not sizes",
                lambda K0, K1: fro(K1 - K0) / fro(K0),
            ),
        ],
        rtol=1e-9,
        atol=1e-12,
        labels=("distance",),
    )


def _cases_step(seed: int, n: int = 3):
    rng = np.random.default_rng(seed)
    cases = _nets(seed, n)
    for c in cases:
        c["Y"] = rng.normal(size=(c["X"].shape[0], c["Wy"].shape[0]))
        c["lr"] = float(rng.uniform(1e-3, 1e-2))
    return cases


def _step_ref(Wx, Wh, Wy, X, Y, lr):
    P = X.shape[0]
    K = kernels.ntk(Wx, Wh, Wy, X)
    err = (network.forward(Wx, Wh, Wy, X) - Y).ravel()
    return (-lr * K @ err / P).reshape(Y.shape)


def linearised_step(student, seed: int = 603):
    """Check ``linearised_step(Wx, Wh, Wy, X, Y, lr) -> (P, Ny)``: ``−η K (ŷ − y)/P``.

    ``seed`` draws the random cases (change it for fresh ones).

    Examples
    --------
    >>> from lrnn_utils.checks import ch06
    >>> ch06.linearised_step(ch06._step_ref)
    ✔ linearised_step: matches the reference on 3 random cases
    """
    return check_function(
        "linearised_step",
        student,
        _step_ref,
        _cases_step(seed),
        mistakes=[
            Mistake(
                "missing the 1/P of the loss L = (1/2P) Σ_p ‖y_p − ŷ_p‖²",
                lambda **c: _step_ref(**c) * c["X"].shape[0],
            ),
            Mistake(
                "missing the learning rate η",
                lambda **c: _step_ref(**c) / c["lr"],
            ),
            Mistake(
                "K multiplies the stacked errors vec(Ŷ − Y) with index p*Ny + o; "
                "yours were stacked output by output (Ŷ transposed)",
                lambda **c: _step_wrong_order(**c),
            ),
        ],
        rtol=1e-8,
        atol=1e-12,
        labels=("change of Ŷ",),
    )


def _step_wrong_order(Wx, Wh, Wy, X, Y, lr):
    P = X.shape[0]
    K = kernels.ntk(Wx, Wh, Wy, X)
    err = (network.forward(Wx, Wh, Wy, X) - Y).T.ravel()
    return (-lr * K @ err / P).reshape(Y.shape)
