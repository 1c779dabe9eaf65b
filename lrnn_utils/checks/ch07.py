"""Checks for the coding exercises of chapter 7 (sensory integration)."""

from __future__ import annotations

import numpy as np

from .. import sensory
from ._core import Mistake, check_function

__all__ = ["target_weights", "unaligned_modes", "sensory_test_loss"]


def _orthonormal(rng, n):
    Q, R = np.linalg.qr(rng.standard_normal((n, n)))
    return Q * np.sign(np.diag(R))


def target_weights(student, seed: int = 7007):
    """Check ``target_weights(target, T) -> w`` of shape ``(T,)`` (y = Σ_t w_t x_t).

    ``seed`` draws the random lengths (change it for fresh ones).

    Examples
    --------
    >>> target_weights(sensory.target_weights)
    ✔ target_weights: matches the reference on 8 random cases
    """
    rng = np.random.default_rng(seed)
    cases = [
        {"target": name, "T": int(T)}
        for T in rng.integers(3, 12, size=2)
        for name in sensory.TARGETS
    ]

    def off_by_one(target, T):  # late importance with t = 0..T-1
        w = sensory.target_weights(target, T)
        return 0.1 * np.arange(T, dtype=float) if target == "late" else w

    def reversed_time(target, T):
        return sensory.target_weights(target, T)[::-1]

    def no_tenth(target, T):
        w = sensory.target_weights(target, T)
        return 10 * w if target == "late" else w

    def mean_as_sum(target, T):
        return np.ones(T) if target == "mean" else sensory.target_weights(target, T)

    mistakes = [
        Mistake("time runs t = 0..T-1 here; the paper counts t = 1..T", off_by_one),
        Mistake(
            "the weights are reversed in time: w[0] belongs to the FIRST input x_1",
            reversed_time,
        ),
        Mistake("late importance is 0.1 * t: the factor 0.1 is missing", no_tenth),
        Mistake("the mean divides the sum by T: w_t = 1/T", mean_as_sum),
    ]
    return check_function(
        "target_weights",
        student,
        sensory.target_weights,
        cases,
        mistakes=mistakes,
        labels=("w",),
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
    >>> unaligned_modes(sensory.read_modes)
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
        return sensory.read_modes(Wx, Wh, Wy, V, V)

    def input_as_output(Wx, Wh, Wy, U, V):
        a, b, c = sensory.read_modes(Wx, Wh, Wy, U, U)
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
        sensory.read_modes,
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
