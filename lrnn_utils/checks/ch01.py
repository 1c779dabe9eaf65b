"""Checks for the coding exercises of chapter 1.

* :func:`unrolled_output` — the output of the unrolled network,
  ``ŷ_p = Σ_i W_y W_h^{T−i} W_x x_{p,i}`` (paper eq. 3 read out by ``W_y``);
* :func:`bptt_gradients` — the three weight gradients of
  ``L = (1/2P) Σ_p ‖y_p − ŷ_p‖²`` by backpropagation through time.

Each check runs the student's function on fixed random cases (seeded, so the verdict
is the same on every run), compares it with the library's recurrent implementation in
:mod:`lrnn_utils.network`, and names the typical mistakes it recognises.
"""

from __future__ import annotations

import numpy as np

from .. import network
from ._core import CheckResult, Mistake, check_function
from ._plot import plot_comparison

__all__ = ["unrolled_output", "bptt_gradients"]

#: (P, T, Nx, Nh, Ny) of the cases; every size differs within a case, so a wrong
#: shape tells which axis went wrong.
_SIZES = [(7, 5, 3, 4, 2), (6, 4, 2, 5, 3), (5, 6, 4, 3, 1)]


def _case(rng, P, T, Nx, Nh, Ny, with_targets):
    case = {
        "Wx": rng.standard_normal((Nh, Nx)) / np.sqrt(Nx),
        "Wh": 0.9 * rng.standard_normal((Nh, Nh)) / np.sqrt(Nh),
        "Wy": rng.standard_normal((Ny, Nh)) / np.sqrt(Nh),
        "X": rng.standard_normal((P, T, Nx)),
    }
    if with_targets:
        case["Y"] = rng.standard_normal((P, Ny))
    return case


def _cases(seed: int, with_targets: bool) -> tuple[list[dict], list]:
    """Three random networks, then the edge case T = 1 (one input, no recurrence)."""
    rng = np.random.default_rng(seed)
    cases = [_case(rng, *size, with_targets) for size in _SIZES]
    edges = [("T = 1", _case(rng, 4, 1, 3, 5, 2, with_targets))]
    return cases, edges


# ---------------------------------------------------------------- unrolled output
def _maps_output(Wx, Wh, Wy, X, power):
    """``Σ_i W_y W_h^{power(T, i)} W_x x_i`` for 1-based input times ``i``."""
    T = X.shape[1]
    out = np.zeros((X.shape[0], Wy.shape[0]))
    for i in range(1, T + 1):
        M = Wy @ np.linalg.matrix_power(Wh, power(T, i)) @ Wx
        out += X[:, i - 1] @ M.T
    return out


_UNROLLED_MISTAKES = [
    Mistake(
        "the power of W_h is one too high (W_h^(T-i+1)): input x_i is followed by "
        "T - i recurrent steps, so it meets W_h^(T-i); the last input meets W_h^0 = I",
        lambda Wx, Wh, Wy, X: _maps_output(Wx, Wh, Wy, X, lambda T, i: T - i + 1),
    ),
    Mistake(
        "the power of W_h is one too low (W_h^(T-i-1)): input x_i is followed by "
        "T - i recurrent steps, so it meets W_h^(T-i); the last input meets W_h^0 = I",
        lambda Wx, Wh, Wy, X: _maps_output(Wx, Wh, Wy, X, lambda T, i: T - i - 1),
    ),
    Mistake(
        "the powers of W_h run the wrong way in time (W_h^(i-1)): the FIRST input "
        "passes through the most recurrent steps, W_h^(T-1), the last through none",
        lambda Wx, Wh, Wy, X: _maps_output(Wx, Wh, Wy, X, lambda T, i: i - 1),
    ),
    Mistake(
        "W_h is transposed: the state is carried forward by W_h itself, "
        "h_(t+1) = W_h h_t + ..., so the maps are W_y W_h^(T-i) W_x (no transpose)",
        lambda Wx, Wh, Wy, X: _maps_output(Wx, Wh.T, Wy, X, lambda T, i: T - i),
    ),
    Mistake(
        "only the last input counts in your answer: the sum must run over all "
        "input times i = 1..T",
        lambda Wx, Wh, Wy, X: X[:, -1] @ (Wy @ Wx).T,
    ),
]


def _unrolled_hints(case) -> dict:
    P, T, _ = case["X"].shape
    Nh, Ny = case["Wx"].shape[0], case["Wy"].shape[0]
    return {
        (0, (T, Ny)): f"y_hat has shape (T, Ny) = {(T, Ny)}: you summed over the "
        "samples (axis 0); sum the contributions over time (axis 1) and keep one "
        "output per sample",
        (0, (P, T, Ny)): f"y_hat has shape (P, T, Ny) = {(P, T, Ny)}: the "
        "contributions of the T input times must be summed (over axis 1)",
        (0, (P, Nh)): f"y_hat has shape (P, Nh) = {(P, Nh)}: that is the final "
        "hidden state h_(T+1); the output is W_y h_(T+1)",
        (0, (Ny, P)): f"y_hat has shape (Ny, P) = {(Ny, P)}: return one row per "
        "sample, shape (P, Ny)",
    }


def unrolled_output(student, seed: int = 101) -> CheckResult:
    """Check a function ``f(Wx, Wh, Wy, X)`` that returns the network output.

    The answer must be ``ŷ_p = Σ_{i=1}^T W_y W_h^{T−i} W_x x_{p,i}``, an array of
    shape ``(P, Ny)``; it is compared with the recurrent forward pass on three
    random networks.

    Parameters
    ----------
    student : callable
        The student's function.
    seed : int, default 101
        Seed of the random cases.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> from lrnn_utils import network
    >>> unrolled_output(network.forward)
    ✔ unrolled_output: matches the reference on 3 random cases and 1 edge case (T = 1)
    >>> def stub(Wx, Wh, Wy, X):
    ...     raise NotImplementedError()
    >>> unrolled_output(stub)
    … unrolled_output: the function still raises NotImplementedError
    """
    cases, edges = _cases(seed, with_targets=False)
    return check_function(
        "unrolled_output",
        student,
        network.forward,
        cases,
        mistakes=_UNROLLED_MISTAKES,
        labels=("y_hat",),
        edges=edges,
        hints=_unrolled_hints,
    )


# ---------------------------------------------------------------- BPTT gradients
def bptt_step(
    Wx,
    Wh,
    Wy,
    X,
    Y,
    *,
    per_sample=True,
    back_transposed=True,
    state_after=False,
    transpose_dWh=False,
    sign=1.0,
    last_only=False,
    time_mean=False,
):
    """BPTT with switches that reproduce typical mistakes (defaults: correct)."""
    P, T, _ = X.shape
    H = network.hidden_states(Wx, Wh, Wy, X)
    err = sign * (H[:, -1] @ Wy.T - Y)  # ŷ − y
    scale = 1.0 / P if per_sample else 1.0
    dWy = scale * err.T @ H[:, -1]
    g = scale * err @ Wy  # rows: g_(T+1)ᵀ per sample
    dWx, dWh = np.zeros_like(Wx), np.zeros_like(Wh)
    back = Wh if back_transposed else Wh.T  # rows: g_tᵀ = g_(t+1)ᵀ W_h
    for t in range(T, 0, -1):  # the step h_(t+1) = W_h h_t + W_x x_t
        dWx += g.T @ X[:, t - 1]
        dWh += g.T @ (H[:, t] if state_after else H[:, t - 1])
        if last_only:
            break
        g = g @ back
    if transpose_dWh:
        dWh = dWh.T
    if time_mean:
        dWx, dWh = dWx / T, dWh / T
    return dWx, dWh, dWy


_BPTT_MISTAKES = [
    Mistake(
        "all three gradients are P times too large: the loss is the MEAN over the "
        "P samples, (1/2P) sum_p ||y_p - y_hat_p||^2, so divide by P",
        lambda **c: bptt_step(**c, per_sample=False),
    ),
    Mistake(
        "wrong sign: with the error e = y_hat - y the gradient of W_y is "
        "(1/P) sum_p e_p h_(p,T+1)^T; you used y - y_hat (that is minus the gradient)",
        lambda **c: bptt_step(**c, sign=-1.0),
    ),
    Mistake(
        "the backward step uses W_h instead of W_h^T: the error signal goes back "
        "through the transpose, g_t = W_h^T g_(t+1)",
        lambda **c: bptt_step(**c, back_transposed=False),
    ),
    Mistake(
        "dW_h pairs g_(t+1) with the state after the step, h_(t+1); the step "
        "h_(t+1) = W_h h_t + W_x x_t multiplies the state BEFORE it: g_(t+1) h_t^T",
        lambda **c: bptt_step(**c, state_after=True),
    ),
    Mistake(
        "dW_h is transposed: its outer products are g_(t+1) h_t^T (receiving unit "
        "in the row, sending unit in the column), not h_t g_(t+1)^T",
        lambda **c: bptt_step(**c, transpose_dWh=True),
    ),
    Mistake(
        "only the last time step contributes to dW_x and dW_h: sum the outer "
        "products over all steps t = T, ..., 1 while the signal travels back",
        lambda **c: bptt_step(**c, last_only=True),
    ),
    Mistake(
        "dW_x and dW_h are T times too small: the contributions of the T steps "
        "are summed, not averaged over time",
        lambda **c: bptt_step(**c, time_mean=True),
    ),
]


def _bptt_hints(case) -> dict:
    Nh, Nx = case["Wx"].shape
    Ny = case["Wy"].shape[0]
    return {
        (0, (Nx, Nh)): f"dWx has shape (Nx, Nh) = {(Nx, Nh)}: it must have the shape "
        "of W_x, (Nh, Nx); the outer products are g_(t+1) x_t^T",
        (2, (Nh, Ny)): f"dWy has shape (Nh, Ny) = {(Nh, Ny)}: it must have the shape "
        "of W_y, (Ny, Nh); the outer product is e_p h_(p,T+1)^T",
    }


def bptt_gradients(student, seed: int = 202) -> CheckResult:
    """Check a function ``f(Wx, Wh, Wy, X, Y)`` that returns ``(dWx, dWh, dWy)``.

    The answer must be the gradient of ``L = (1/2P) Σ_p ‖y_p − ŷ_p‖²`` with respect
    to the three weight matrices, each with the shape of its matrix; it is compared
    with the library's backpropagation through time on three random networks.

    Parameters
    ----------
    student : callable
        The student's function.
    seed : int, default 202
        Seed of the random cases.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> from lrnn_utils import network
    >>> bptt_gradients(network.gradients)
    ✔ bptt_gradients: matches the reference on 3 random cases and 1 edge case (T = 1)
    """
    cases, edges = _cases(seed, with_targets=True)
    res = check_function(
        "bptt_gradients",
        student,
        network.gradients,
        cases,
        mistakes=_BPTT_MISTAKES,
        labels=("dWx", "dWh", "dWy"),
        edges=edges,
        hints=_bptt_hints,
    )
    return res.with_drawing(
        lambda ax: plot_comparison(
            student,
            network.gradients,
            _bptt_curve,
            r"spectral radius $\rho$ of $W_h$",
            "gradient norm (Frobenius)",
            labels=("dWx", "dWh", "dWy"),
            logy=True,
            ax=ax,
        )
    )


def _bptt_curve(fn):
    """The three gradient norms of one network (T = 12) as W_h = ρ Q is scaled."""
    rng = np.random.default_rng(2020)
    Q = np.linalg.qr(rng.standard_normal((4, 4)))[0]
    Wx, Wy = rng.standard_normal((4, 3)) / 2, rng.standard_normal((2, 4)) / 2
    X, Y = rng.standard_normal((8, 12, 3)), rng.standard_normal((8, 2))
    rhos = np.round(np.linspace(0.5, 1.3, 33), 3)
    norms = [
        [np.linalg.norm(g) for g in fn(Wx=Wx, Wh=r * Q, Wy=Wy, X=X, Y=Y)] for r in rhos
    ]
    return rhos, np.array(norms)
