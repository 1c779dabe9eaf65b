"""Checks for the coding exercises of chapter 3 (learning speed and recency).

* :func:`u_frozen_b` -- the closed form of ``u(t)`` with ``b`` frozen (eq. 47);
* :func:`window_factor` -- the factor by which one window of the order-``N`` Taylor
  expansion multiplies a deviation from the fixed point (App. D);
* :func:`feedforward_fraction_time` -- the time a two-layer feedforward network that
  sees the whole sequence takes to reach a fraction f of its limit (App. E).

Each check runs the student's function on cases drawn from a fixed seed and names
typical mistakes.
"""

from __future__ import annotations

from math import factorial

import numpy as np

from ..theory import time_lags
from ._core import CheckResult, Mistake, check_function
from ._plot import plot_comparison

__all__ = ["u_frozen_b", "window_factor", "feedforward_fraction_time"]


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
def _ff(delta, lam, T, u0, f, extra=0, kind="norm", rate=2.0, frac="right"):
    """Time for the whole-sequence feedforward net to reach u = f σ (and mistakes)."""
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
    late = {
        "right": -np.log(1 / f - 1),  # σ/u − 1 at u = f σ
        "flipped": np.log(1 / f - 1),
        "no_minus_one": np.log(f),  # -log(1/f)
        "half": 0.0,
        "of_way": -np.log((sigma - (u0 + f * (sigma - u0))) / (u0 + f * (sigma - u0))),
    }[frac]
    return (np.log(sigma / u0 - 1) + late) / (rate * sigma)


def _ff_ref(delta, lam, T, u0, f):
    return _ff(delta, lam, T, u0, f)


def _ff_case(rng, T, f, K=3):
    return {
        "delta": rng.uniform(0.4, 1.5, size=K),
        "lam": rng.uniform(0.3, 1.2, size=K),
        "T": T,
        "u0": float(rng.uniform(0.005, 0.05)),
        "f": f,
    }


def _ff_cases(seed=305):
    """Three random cases (fractions f ≠ ½), then the edges T = 1 and f = ½."""
    rng = np.random.default_rng(seed)
    fracs = rng.uniform(0.6, 0.95, size=3) * np.array([1.0, 0.5, 1.0])
    cases = [_ff_case(rng, T, float(f)) for T, f in zip((5, 9, 2), fracs)]
    return cases, [("T = 1", _ff_case(rng, 1, 0.8)), ("f = ½", _ff_case(rng, 4, 0.5))]


def _ffm(**kw):
    return lambda delta, lam, T, u0, f: _ff(delta, lam, T, u0, f, **kw)


_FF_MISTAKES = [
    Mistake(
        "that is the half-time for every f: at u = f σ the logistic gives σ/u − 1 "
        "= 1/f − 1, which is 1 only for f = ½",
        _ffm(frac="half"),
    ),
    Mistake(
        "the sign of log(1/f − 1) is flipped: a larger fraction must take longer",
        _ffm(frac="flipped"),
    ),
    Mistake(
        "at u = f σ, σ/u − 1 = 1/f − 1, not 1/f: the − 1 is missing",
        _ffm(frac="no_minus_one"),
    ),
    Mistake(
        "this is the time to cover a fraction f of the WAY from u₀ to σ; the "
        "exercise asks for u = f σ",
        _ffm(frac="of_way"),
    ),
    Mistake(
        "this uses only the last singular value δ (the T = 1 network); the "
        "feedforward net that sees the whole sequence has singular value ‖s‖₂",
        _ffm(kind="last"),
    ),
    Mistake(
        "the singular value is the norm ‖s‖₂ = (Σ_t s_t²)^{1/2}: the square root "
        "is missing",
        _ffm(kind="square"),
    ),
    Mistake(
        "Σ_t s_t is S₁ at b = 1, not the feedforward singular value ‖s‖₂ = "
        "(Σ_t s_t²)^{1/2}",
        _ffm(kind="sum"),
    ),
    Mistake(
        "off by one in time: the sequence has T steps, s_t = δ λ^{T−t} for t = 1..T",
        _ffm(extra=1),
    ),
    Mistake(
        "off by one in time: the sequence has T steps (this sums T − 1 of them)",
        _ffm(extra=-1),
    ),
    Mistake(
        "the logistic grows like e^{2σt}: the factor 2 is missing",
        _ffm(rate=1.0),
    ),
]


def _ff_curve(fn):
    """Time to reach f σ against f, for the orange and blue tasks of App. E (T = 10)."""
    fs = np.round(np.linspace(0.05, 0.95, 91), 2)
    delta, lam = np.array([1.1, 0.5]), np.array([0.5, 1.1])
    return fs, np.stack([fn(delta=delta, lam=lam, T=10, u0=1e-4, f=f) for f in fs])


def feedforward_fraction_time(student, seed: int = 305) -> CheckResult:
    """Check ``student(delta, lam, T, u0, f)``: times to reach u = f σ, shape ``(K,)``.

    Three random cases with fractions f ≠ ½, then the edges T = 1 (σ = δ) and f = ½
    (the half-time); ``seed`` draws the random cases (change it for fresh ones).
    ``CheckResult.plot()`` draws the time against f for the two tasks of App. E.

    Examples
    --------
    >>> feedforward_fraction_time(_ff_ref)
    ✔ feedforward_fraction_time: matches the reference on 3 random cases and 2 edge \
cases (T = 1; f = ½)
    """
    cases, edges = _ff_cases(seed)
    res = check_function(
        "feedforward_fraction_time",
        student,
        _ff_ref,
        cases,
        edges=edges,
        mistakes=_FF_MISTAKES,
        rtol=1e-9,
        atol=1e-12,
        labels=("t_f",),
    )
    return res.with_drawing(
        lambda ax: plot_comparison(
            student,
            _ff_ref,
            _ff_curve,
            "fraction $f$ of $\\sigma = \\|s\\|_2$",
            "time to reach $u = f\\sigma$",
            labels=("orange task", "blue task"),
            ax=ax,
        )
    )
