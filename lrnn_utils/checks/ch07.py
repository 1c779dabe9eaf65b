"""Checks for the coding exercises of chapter 7 (sensory integration)."""

from __future__ import annotations

import numpy as np

from .. import network, stimuli
from ._core import Mistake, check_function
from ._plot import plot_comparison

__all__ = ["estimate_weights", "unaligned_modes", "sensory_test_loss"]


def _orthonormal(rng, n):
    Q, R = np.linalg.qr(rng.standard_normal((n, n)))
    return Q * np.sign(np.diag(R))


def _design(X):
    """Rows (p, i), columns t: the regression y_{p,i} = Σ_t w_t x_{p,t,i}."""
    P, T, N = X.shape
    return np.swapaxes(X, 1, 2).reshape(P * N, T)


def _lstsq_ref(X, Y):
    return np.linalg.lstsq(_design(X), np.ravel(Y), rcond=None)[0]


def _per_time(X, Y):  # each time step regressed on its own
    return np.einsum("pti,pi->t", X, Y) / np.einsum("pti,pti->t", X, X)


def _first_channel(X, Y):
    return np.linalg.lstsq(X[:, :, 0], Y[:, 0], rcond=None)[0]


def _no_inverse(X, Y):
    return _design(X).T @ np.ravel(Y)


def _trials(rng, P, T, w, noise=0.05, N=4):
    """Stimuli like the page's: 0.5 plus a per-trial level plus noise; noisy targets."""
    X = 0.5 + 0.2 * rng.normal(size=(P, 1, N)) + 0.1 * rng.normal(size=(P, T, N))
    Y = np.einsum("t,pti->pi", w, X) + noise * rng.normal(size=(P, N))
    return {"X": X, "Y": Y}


def _weight_cases(seed: int = 7007):
    """Random noisy cases at T = 3, 6, 9; edges T = 1 and noise-free targets."""
    rng = np.random.default_rng(seed)
    cases = [_trials(rng, 20, T, rng.uniform(-1, 1, T)) for T in (3, 6, 9)]
    exact = _trials(rng, 12, 5, stimuli.target_weights("early", 5), noise=0.0)
    edges = [("T = 1", _trials(rng, 15, 1, np.ones(1))), ("noise-free y", exact)]
    return cases, edges


def _weight_hints(case) -> dict:
    P, T, N = case["X"].shape
    msg = (
        f"one w for all {N} channels, shape ({T},): stack the channels as extra rows, "
        "y_{p,i} = Σ_t w_t x_{p,t,i}"
    )
    return {(0, (N, T)): msg, (0, (T, N)): msg}


def _weights_curve(fn):
    """Estimated w_t against t for late- and early-importance targets (T = 8)."""
    rng = np.random.default_rng(77)
    T = 8
    targets = [stimuli.target_weights(k, T) for k in ("late", "early")]
    w = [fn(**_trials(rng, 12, T, target)) for target in targets]
    return np.arange(1, T + 1), np.stack(w, axis=-1)


def estimate_weights(student, seed: int = 7007):
    """Check ``estimate_weights(X, Y) -> w``, shape ``(T,)``: least squares over trials.

    ``X`` has shape ``(P, T, Nx)``, ``Y`` shape ``(P, Nx)``; all channels share ``w``.
    Three random noisy cases, then the edges T = 1 and noise-free targets (where w is
    recovered exactly); ``seed`` draws the random cases (change it for fresh ones).
    ``CheckResult.plot()`` draws the estimated weights of two targets against t.

    Examples
    --------
    >>> estimate_weights(_lstsq_ref)
    ✔ estimate_weights: matches the reference on 3 random cases and 2 edge cases \
(T = 1; noise-free y)
    """
    cases, edges = _weight_cases(seed)
    mistakes = [
        Mistake(
            "you regressed each time step on its own: that ignores the correlations "
            "between time steps (the inputs are not whitened); fit all w_t together",
            _per_time,
        ),
        Mistake("use every channel: all of them share the same w", _first_channel),
        Mistake(
            "Aᵀy is not the solution: solve the normal equations AᵀA w = Aᵀy "
            "(or use np.linalg.lstsq)",
            _no_inverse,
        ),
    ]
    res = check_function(
        "estimate_weights",
        student,
        _lstsq_ref,
        cases,
        mistakes=mistakes,
        labels=("w",),
        edges=edges,
        hints=_weight_hints,
    )
    return res.with_drawing(
        lambda ax: plot_comparison(
            student,
            _lstsq_ref,
            _weights_curve,
            "time step $t$",
            "estimated weight $w_t$",
            labels=("late importance", "early importance"),
            ax=ax,
        )
    )


def _mode_case(rng, stack=()):
    Nh = int(rng.integers(4, 7))
    return {
        "Wx": rng.normal(size=(*stack, Nh, 4)),
        "Wh": rng.normal(size=(*stack, Nh, Nh)) / np.sqrt(Nh),
        "Wy": rng.normal(size=(*stack, 4, Nh)),
        "U": _orthonormal(rng, 4),
        "V": _orthonormal(rng, 4),
    }


def _mode_cases(rng, n=3):
    return [_mode_case(rng) for _ in range(n)]


def unaligned_modes(student, seed: int = 7008):
    """Check ``read_modes(Wx, Wh, Wy, U, V) -> (a, b, c)``, each of shape ``(..., K)``.

    Three random networks, then the edge the exercise names: a stack of networks
    (weights with leading dimensions, shape ``(2, 3, Nh, Nx)`` and alike, as in a
    training history). ``seed`` draws the random cases.

    Examples
    --------
    >>> unaligned_modes(network.read_modes)
    ✔ read_modes: matches the reference on 3 random cases and 1 edge case (a 2 × 3 \
stack of networks)
    """
    rng = np.random.default_rng(seed)
    cases = _mode_cases(rng)
    edges = [("a 2 × 3 stack of networks", _mode_case(rng, stack=(2, 3)))]

    def svd_modes(Wx, Wh, Wy, U, V):
        return (
            np.linalg.svd(Wx, compute_uv=False)[:4],
            np.linalg.svd(Wh, compute_uv=False)[:4],
            np.linalg.svd(Wy, compute_uv=False)[:4],
        )

    def unnormalised(Wx, Wh, Wy, U, V):
        d = Wx @ V
        return (
            np.linalg.norm(d, axis=0),
            np.einsum("hk,hg,gk->k", d, Wh, d),
            np.einsum("ok,oh,hk->k", U, Wy, d),
        )

    def swapped_uv(Wx, Wh, Wy, U, V):
        return network.read_modes(Wx, Wh, Wy, V, V)

    def input_as_output(Wx, Wh, Wy, U, V):
        a, b, c = network.read_modes(Wx, Wh, Wy, U, U)
        return a, b, c

    mistakes = [
        Mistake(
            "these are sorted singular values of each matrix: they are not tied to "
            "the task's directions (project instead)",
            svd_modes,
        ),
        Mistake("normalise the hidden direction: r = W_x v / ||W_x v||", unnormalised),
        Mistake("c uses the OUTPUT singular vectors: c = u^T W_y r", swapped_uv),
        Mistake("a and r come from the INPUT singular vectors: W_x v", input_as_output),
    ]
    return check_function(
        "read_modes",
        student,
        network.read_modes,
        cases,
        mistakes=mistakes,
        labels=("a", "b", "c"),
        edges=edges,
        hints=_stack_hints,
    )


def _stack_hints(case) -> dict:
    """A wrong shape on the stacked case: the leading dimensions were not kept."""
    lead = case["Wx"].shape[:-2]
    if not lead:
        return {}
    K = case["U"].shape[1]
    msg = (
        f"a stack of networks (leading dimensions {lead}) must give modes of shape "
        f"{(*lead, K)}: use @ and np.einsum with '...' so the leading dimensions "
        "are kept"
    )
    return {(k, shape): msg for k in range(3) for shape in _wrong_stack_shapes(lead, K)}


def _wrong_stack_shapes(lead, K):
    return [(K,), (K, K), lead[-1:] + (K,), (*lead, K, K), (*lead[:-1], K)]


def _extrapolation_reference(X, u, w):
    err = np.einsum("t,pti->pi", w - u, X)
    return 0.5 * np.sum(err**2) / X.shape[0]


def sensory_test_loss(student, seed: int = 7009):
    """Check ``extrapolation_loss(X, u, w) -> float``: loss of ``ŷ = u Σ_t x_t``.

    ``seed`` draws the random cases (change it for fresh ones).

    Examples
    --------
    >>> sensory_test_loss(_extrapolation_reference)
    ✔ extrapolation_loss: matches the reference on 3 random cases
    """
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(3):
        P, T = int(rng.integers(5, 9)), int(rng.integers(3, 8))
        X = 0.5 + rng.normal(scale=0.3, size=(P, T, 4))
        cases.append({"X": X, "u": float(rng.uniform(0.1, 1)), "w": rng.random(T)})

    def whitened(X, u, w):  # drops the cross-time terms
        return 0.5 * np.einsum("t,pti->", (w - u) ** 2, X**2) / X.shape[0]

    def no_half(X, u, w):
        return 2 * _extrapolation_reference(X, u, w)

    def no_mean(X, u, w):
        return X.shape[0] * _extrapolation_reference(X, u, w)

    mistakes = [
        Mistake(
            "you summed squared errors time step by time step: that drops the "
            "cross-time correlations; square the error of the whole output",
            whitened,
        ),
        Mistake("the loss has a factor 1/2", no_half),
        Mistake("average over trials: divide by P", no_mean),
    ]
    return check_function(
        "extrapolation_loss",
        student,
        _extrapolation_reference,
        cases,
        mistakes=mistakes,
        labels=("loss",),
    )
