"""Checks for the coding exercises of chapter 3 (learning speed and recency).

* :func:`u_frozen_b` -- the closed form of ``u(t)`` with ``b`` frozen (eq. 47);
* :func:`window_factor` -- the factor by which one window of the order-``N`` Taylor
  expansion multiplies a deviation from the fixed point (App. D);
* :func:`feedforward_half_time` -- the half-learning time of a two-layer feedforward
  network that sees the whole sequence (the baseline of App. E).

Each check runs the student's function on cases drawn from a fixed seed and names
typical mistakes.
"""

from __future__ import annotations

from math import factorial

import numpy as np

from ..theory import time_lags
from ._core import CheckResult, Mistake, check_function

__all__ = ["u_frozen_b", "window_factor", "feedforward_half_time"]


# --------------------------------------------------------------------------------------
# eq. (47): u(t) with b frozen
# --------------------------------------------------------------------------------------
def _sums(b, s, shift=0, reverse=False, square_s2=True):
    lags = time_lags(len(s)) + shift
    if reverse:
        lags = lags[::-1]
    w = b**lags
    return float(np.sum(w * s)), float(np.sum(w**2 if square_s2 else w))


def _logistic(t, u0, S1, S2, rate=2.0):
    grow = np.exp(rate * S1 * t)
    return grow * S1 / (S1 / u0 - S2 + grow * S2)


def _u_ref(t, u0, b, s):
    S1, S2 = _sums(b, s)
    return _logistic(t, u0, S1, S2)


def _u_case(rng, T):
    return {
        "t": np.linspace(0.0, rng.uniform(2.0, 4.0), 9),
        "u0": float(rng.uniform(0.01, 0.2)),
        "b": float(rng.uniform(0.3, 1.1)),
        "s": rng.uniform(0.2, 1.2, size=T),
    }


def _u_cases(seed=303, n=4):
    """``n`` random cases, then the edge T = 1 (S₁ = s_1, S₂ = 1)."""
    rng = np.random.default_rng(seed)
    cases = [_u_case(rng, int(rng.integers(3, 7))) for _ in range(n)]
    return cases, [("T = 1", _u_case(rng, 1))]


_U_MISTAKES = [
    Mistake(
        "the exponent lacks the factor 2: eq. (47) grows like e^{2 S₁ t/τ}, "
        "because u = a² gives u̇ = 2a ȧ",
        lambda t, u0, b, s: _logistic(t, u0, *_sums(b, s), rate=1.0),
    ),
    Mistake(
        "the exponent has the wrong sign: with e^{−2 S₁ t} u falls instead of "
        "rising to S₁/S₂",
        lambda t, u0, b, s: _logistic(t, u0, *_sums(b, s), rate=-2.0),
    ),
    Mistake(
        "S₁ and S₂ are swapped: S₁ = Σ b^{T−i} s_i sets the rate and the numerator, "
        "S₂ = Σ b^{2(T−i)} the limit S₁/S₂",
        lambda t, u0, b, s: _logistic(t, u0, *_sums(b, s)[::-1]),
    ),
    Mistake(
        "the weights are b^{T−i+1}: input time i passes through T − i recurrent "
        "steps, so its weight is b^{T−i} (the last input has weight b⁰ = 1)",
        lambda t, u0, b, s: _logistic(t, u0, *_sums(b, s, shift=1)),
    ),
    Mistake(
        "the weights run the wrong way in time (b^{i−1}): the last input, i = T, "
        "has weight b⁰ = 1 and the first has b^{T−1}",
        lambda t, u0, b, s: _logistic(t, u0, *_sums(b, s, reverse=True)),
    ),
    Mistake(
        "S₂ must sum the squared weights, S₂ = Σ b^{2(T−i)}",
        lambda t, u0, b, s: _logistic(t, u0, *_sums(b, s, square_s2=False)),
    ),
]


def u_frozen_b(student, seed: int = 303) -> CheckResult:
    """Check ``student(t, u0, b, s)``: ``u(t)`` of eq. (47) with ``b`` frozen, τ = 1.

    ``t`` has shape ``(n,)``, ``s`` shape ``(T,)``; the answer has shape ``(n,)``.
    ``seed`` draws the random cases (change it for fresh ones).

    Examples
    --------
    >>> u_frozen_b(_u_ref)
    ✔ u_frozen_b: matches the reference on 4 random cases and 1 edge case (T = 1)
    """
    cases, edges = _u_cases(seed)
    return check_function(
        "u_frozen_b",
        student,
        _u_ref,
        cases,
        edges=edges,
        mistakes=_U_MISTAKES,
        rtol=1e-9,
        atol=1e-12,
        labels=("u(t)",),
    )


# --------------------------------------------------------------------------------------
# App. D: amplification of a deviation per Taylor window
# --------------------------------------------------------------------------------------
def _factor(x, order, sign=-1.0, first=0, last=None, fact=True):
    last = order if last is None else last
    x = np.asarray(x, dtype=float)
    return sum(
        (sign * x) ** n / (factorial(n) if fact else 1.0)
        for n in range(first, last + 1)
    ) + np.zeros_like(x)


def _factor_ref(x, order):
    return _factor(x, order)


def _factor_cases(seed=304):
    rng = np.random.default_rng(seed)
    return [
        {"x": np.sort(rng.uniform(0.1, 4.0, size=7)), "order": int(N)}
        for N in (1, 2, 3, 4, 5)
    ]


_FACTOR_MISTAKES = [
    Mistake(
        "the sum stops one term early: order N keeps the terms n = 0, 1, ..., N "
        "(N + 1 terms)",
        lambda x, order: _factor(x, order, last=order - 1),
    ),
    Mistake(
        "the sum has one term too many: order N stops at n = N",
        lambda x, order: _factor(x, order, last=order + 1),
    ),
    Mistake(
        "wrong sign of x: near b* the deviation obeys ε̇ = F′ε with F′ = −x/Δ < 0, "
        "so the terms are (−x)ⁿ/n!",
        lambda x, order: _factor(x, order, sign=1.0),
    ),
    Mistake(
        "the n-th term must be divided by n! (Taylor series of e^{−x})",
        lambda x, order: _factor(x, order, fact=False),
    ),
    Mistake(
        "the n = 0 term (the 1 that carries the deviation itself) is missing",
        lambda x, order: _factor(x, order, first=1),
    ),
]


def window_factor(student, seed: int = 304) -> CheckResult:
    """Check ``student(x, order)``: ``Σ_{n=0}^{order} (−x)ⁿ/n!`` for an array ``x``.

    ``seed`` draws the random cases (change it for fresh ones).

    Examples
    --------
    >>> window_factor(_factor_ref)
    ✔ window_factor: matches the reference on 5 random cases
    """
    return check_function(
        "window_factor",
        student,
        _factor_ref,
        _factor_cases(seed),
        mistakes=_FACTOR_MISTAKES,
        rtol=1e-10,
        atol=1e-12,
        labels=("factor",),
    )


# --------------------------------------------------------------------------------------
# App. E: the feedforward baseline
# --------------------------------------------------------------------------------------
def _ff(delta, lam, T, u0, extra=0, kind="norm", rate=2.0, minus_one=True):
    delta = np.asarray(delta, dtype=float)
    lam = np.asarray(lam, dtype=float)
    k = np.arange(T + extra, dtype=float)
    s = delta[:, None] * lam[:, None] ** k  # the profile, any order in time
    if kind == "norm":
        sigma = np.sqrt(np.sum(s**2, axis=-1))
    elif kind == "square":
        sigma = np.sum(s**2, axis=-1)
    elif kind == "sum":
        sigma = np.sum(s, axis=-1)
    else:  # "last": only s_T = delta
        sigma = delta
    arg = sigma / u0 - (1.0 if minus_one else 0.0)
    return np.log(arg) / (rate * sigma)


def _ff_ref(delta, lam, T, u0):
    return _ff(delta, lam, T, u0)


def _ff_case(rng, T, K=3):
    return {
        "delta": rng.uniform(0.4, 1.5, size=K),
        "lam": rng.uniform(0.3, 1.2, size=K),
        "T": T,
        "u0": float(rng.uniform(0.005, 0.05)),
    }


def _ff_cases(seed=305):
    """Three random cases, then the edge T = 1 (a single input: σ = δ)."""
    rng = np.random.default_rng(seed)
    cases = [_ff_case(rng, T) for T in (5, 9, 2)]
    return cases, [("T = 1", _ff_case(rng, 1))]


_FF_MISTAKES = [
    Mistake(
        "this uses only the last singular value δ (the T = 1 network); the "
        "feedforward net that sees the whole sequence has singular value ‖s‖₂",
        lambda delta, lam, T, u0: _ff(delta, lam, T, u0, kind="last"),
    ),
    Mistake(
        "the singular value is the norm ‖s‖₂ = (Σ_t s_t²)^{1/2}: the square root "
        "is missing",
        lambda delta, lam, T, u0: _ff(delta, lam, T, u0, kind="square"),
    ),
    Mistake(
        "Σ_t s_t is S₁ at b = 1, not the feedforward singular value ‖s‖₂ = "
        "(Σ_t s_t²)^{1/2}",
        lambda delta, lam, T, u0: _ff(delta, lam, T, u0, kind="sum"),
    ),
    Mistake(
        "off by one in time: the sequence has T steps, s_t = δ λ^{T−t} for t = 1..T",
        lambda delta, lam, T, u0: _ff(delta, lam, T, u0, extra=1),
    ),
    Mistake(
        "off by one in time: the sequence has T steps (this sums T − 1 of them)",
        lambda delta, lam, T, u0: _ff(delta, lam, T, u0, extra=-1),
    ),
    Mistake(
        "the denominator needs the factor 2: t½ = log(σ/u₀ − 1)/(2σ)",
        lambda delta, lam, T, u0: _ff(delta, lam, T, u0, rate=1.0),
    ),
    Mistake(
        "the half-time has log(σ/u₀ − 1), not log(σ/u₀): set u = σ/2 in eq. (46)",
        lambda delta, lam, T, u0: _ff(delta, lam, T, u0, minus_one=False),
    ),
]


def feedforward_half_time(student, seed: int = 305) -> CheckResult:
    """Check ``student(delta, lam, T, u0)``: feedforward half-times, shape ``(K,)``.

    ``seed`` draws the random cases (change it for fresh ones).

    Examples
    --------
    >>> feedforward_half_time(_ff_ref)
    ✔ feedforward_half_time: matches the reference on 3 random cases and 1 edge \
case (T = 1)
    """
    cases, edges = _ff_cases(seed)
    return check_function(
        "feedforward_half_time",
        student,
        _ff_ref,
        cases,
        edges=edges,
        mistakes=_FF_MISTAKES,
        rtol=1e-9,
        atol=1e-12,
        labels=("t_half",),
    )
