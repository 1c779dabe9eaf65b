"""Checks for the coding exercises of chapter 5."""

from __future__ import annotations

import numpy as np

from ..tasks import dirac_singular_values
from ..theory import _flows
from ..theory import regularization_term as _reg
from ._core import FAIL, TODO, CheckResult, Mistake, check_function, check_value

__all__ = ["regularization_term", "dirac_euler_step", "critical_beta_T3"]


def _geometric(b, n):
    return sum(np.asarray(b, dtype=float) ** (2 * k) for k in range(n))


def _reg_cases(seed: int = 505):
    """Random cases at T = 1, 4, 7, then one whose b holds the edges ±1 and 0."""
    rng = np.random.default_rng(seed)
    cases = []
    for T in (1, 4, 7):
        b = rng.uniform(-1.4, 1.4, 6)
        cases.append(dict(a=rng.normal(size=6), b=b, c=rng.normal(size=6), T=T))
    b = np.array([1.0, -1.0, 0.0, 0.3, 1.2])
    cases.append(dict(a=rng.normal(size=5), b=b, c=rng.normal(size=5), T=5))
    return cases


def regularization_term(student, seed: int = 505) -> CheckResult:
    """Check ``regularization_term(a, b, c, T)`` = ½ c²a² (1 − b^{2T})/(1 − b²).

    The cases include T = 1 and the values b = ±1 (the limit T) and b = 0; ``seed``
    draws the random ones (change it for fresh cases).

    Examples
    --------
    >>> from lrnn_utils import theory
    >>> regularization_term(theory.regularization_term)
    ✔ regularization_term: matches the reference on 4 random cases
    """
    name = "regularization_term"
    mistakes = [
        Mistake(
            "missing the factor ½ in front of c²a²",
            lambda a, b, c, T: (c * a) ** 2 * _geometric(b, T),
        ),
        Mistake(
            "one power too many: the sum runs over k = 0..T−1 (T terms), not 0..T",
            lambda a, b, c, T: 0.5 * (c * a) ** 2 * _geometric(b, T + 1),
        ),
        Mistake(
            "one power too few: the sum has T terms, b⁰ up to b^{2(T−1)}",
            lambda a, b, c, T: 0.5 * (c * a) ** 2 * _geometric(b, T - 1),
        ),
        Mistake(
            "powers of b instead of b²: the squared residual carries b^{2(T−i)}",
            lambda a, b, c, T: 0.5 * (c * a) ** 2 * sum(b**k for k in range(T)),
        ),
        Mistake(
            "c² a² is missing: the term is the square of u = ac times the sum",
            lambda a, b, c, T: 0.5 * _geometric(b, T),
        ),
    ]
    res = check_function(
        name,
        student,
        _reg,
        _reg_cases(seed),
        mistakes,
        rtol=1e-9,
        atol=1e-12,
        labels=("R",),
    )
    at_one = "(case 4 of 4)"  # the only case with b = ±1 (and b = 0)
    if res.status == FAIL and "NaN or inf" in res.message and at_one in res.message:
        return CheckResult(
            name,
            FAIL,
            "not finite at b = ±1: there (1 − b^{2T})/(1 − b²) is 0/0; use its limit "
            f"T {at_one}",
        )
    return res


def _step(a, b, c, beta, kappa, T, lr):
    s = dirac_singular_values(T, beta, kappa)
    da, db, dc = _flows(a, b, c, s)
    return a + lr * da, b + lr * db, c + lr * dc


def _step_powers(a, b, c, beta, kappa, T, lr, shift=0, lag_factor=True):
    """One Euler step with the read-out weights ``b^{k + shift}``, k = T−i."""
    s = dirac_singular_values(T, beta, kappa)
    k = np.arange(T - 1, -1, -1.0) + shift
    bb = b[..., None]
    pw = bb**k
    dpw = (k if lag_factor else (k > 0)) * bb ** np.maximum(k - 1, 0)
    r = s - (a * c)[..., None] * pw
    da = c * np.sum(pw * r, axis=-1)
    db = a * c * np.sum(dpw * r, axis=-1)
    dc = a * np.sum(pw * r, axis=-1)
    return a + lr * da, b + lr * db, c + lr * dc


def _step_no_lag_factor(**kw):
    return _step_powers(**kw, lag_factor=False)


def _step_shifted_powers(**kw):
    return _step_powers(**kw, shift=1)


def _step_reversed(a, b, c, beta, kappa, T, lr):
    return _step(a, b, c, kappa, beta, T, lr)


def _step_uphill(a, b, c, beta, kappa, T, lr):
    s = dirac_singular_values(T, beta, kappa)
    da, db, dc = _flows(a, b, c, s)
    return a - lr * da, b - lr * db, c - lr * dc


def _step_sequential(a, b, c, beta, kappa, T, lr):
    s = dirac_singular_values(T, beta, kappa)
    da, _, _ = _flows(a, b, c, s)
    a = a + lr * da
    _, db, _ = _flows(a, b, c, s)
    b = b + lr * db
    _, _, dc = _flows(a, b, c, s)
    return a, b, c + lr * dc


def _dirac_case(rng, T, n=5, b=None):
    return dict(
        a=rng.uniform(0.1, 1.0, n),
        b=rng.uniform(-0.9, 1.2, n) if b is None else np.asarray(b, dtype=float),
        c=rng.uniform(0.1, 1.0, n),
        beta=rng.uniform(0.3, 2.0, n),
        kappa=rng.uniform(0.3, 2.0, n),
        T=T,
        lr=0.05,
    )


def _dirac_cases(seed: int = 511):
    """Three random cases, then the edges b = 0 (the pruned solution) and T = 2."""
    rng = np.random.default_rng(seed)
    cases = [_dirac_case(rng, T) for T in (3, 4, 6)]
    edges = [
        ("b = 0", _dirac_case(rng, 4, n=4, b=[0.0, 0.5, 0.0, -0.6])),
        ("T = 2", _dirac_case(rng, 2)),
    ]
    return cases, edges


def _step_raw_power(a, b, c, beta, kappa, T, lr):
    """The step with ``b**(lag - 1)`` written raw: NaN at b = 0."""
    s = dirac_singular_values(T, beta, kappa)
    k = np.arange(T - 1, -1, -1.0)
    bb = b[..., None]
    pw = bb**k
    r = s - (a * c)[..., None] * pw
    da = c * np.sum(pw * r, axis=-1)
    db = a * c * np.sum(k * bb ** (k - 1) * r, axis=-1)
    dc = a * np.sum(pw * r, axis=-1)
    return a + lr * da, b + lr * db, c + lr * dc


def dirac_euler_step(student, seed: int = 511) -> CheckResult:
    """Check ``dirac_euler_step(a, b, c, beta, kappa, T, lr)`` → new ``(a, b, c)``.

    Three random cases, then the edges b = 0 (the pruned solution of chapter 5,
    where ``b**(lag - 1)`` is ``0**(-1)``) and T = 2 (the shortest sequence);
    ``seed`` draws the random cases (change it for fresh ones).

    Examples
    --------
    >>> dirac_euler_step(_step)
    ✔ dirac_euler_step: matches the reference on 3 random cases and 2 edge cases \
(b = 0; T = 2)
    """
    cases, edges = _dirac_cases(seed)
    mistakes = [
        Mistake(
            "NaN at b = 0 (the pruned solution): b**(lag - 1) is 0**(-1) = inf for "
            "the last input (lag 0), and 0 * inf = NaN; write "
            "b ** np.maximum(lag - 1, 0)",
            _step_raw_power,
        ),
        Mistake(
            "you stepped uphill: the mode equations ẋ = −∂E/∂x already carry the "
            "minus sign, so x ← x + η ẋ",
            _step_uphill,
        ),
        Mistake(
            "the update of b is missing the factor (T − i) from differentiating "
            "b^{T−i}",
            _step_no_lag_factor,
        ),
        Mistake(
            "off by one in the time index: input i reaches the read-out through "
            "b^{T−i}, so s_T (the last input) goes with b⁰",
            _step_shifted_powers,
        ),
        Mistake(
            "time runs backwards: s_1 (the first input) goes with b^{T−1} and s_T "
            "with b⁰, not the other way round",
            _step_reversed,
        ),
        Mistake(
            "the three gradients must all be evaluated at the OLD (a, b, c) before "
            "any of them is updated",
            _step_sequential,
        ),
    ]
    return check_function(
        "dirac_euler_step",
        student,
        _step,
        cases,
        mistakes,
        edges=edges,
        rtol=1e-9,
        atol=1e-12,
        labels=("a", "b", "c"),
    )


def critical_beta_T3(answer) -> CheckResult:
    """Check the critical β of the Dirac task ``s_1 = β, s_T = 1/β`` at ``T = 3``.

    ``answer`` is the number, or a function without arguments that returns it.
    """
    name = "critical_beta_T3"
    if callable(answer):
        try:
            answer = answer()
        except NotImplementedError:
            return CheckResult(
                name, TODO, "the function still raises NotImplementedError"
            )
        except Exception as exc:  # report, never crash the student's notebook
            return CheckResult(name, FAIL, f"raised {type(exc).__name__}: {exc}")
    try:
        answer = float(answer)
    except (TypeError, ValueError):
        if answer is Ellipsis or answer is None:
            return CheckResult(name, TODO, "no answer yet (replace the ...)")
        return CheckResult(
            name, FAIL, f"expected a number, got {type(answer).__name__}"
        )
    return check_value(
        name,
        answer,
        1 / np.sqrt(2),
        mistakes=[
            (
                "that is √2, the value printed in App. H's text; solve 1/β² − 2 = 0 "
                "again",
                np.sqrt(2),
            ),
            ("that is β² = s_1/s_T at the transition; the question asks for β", 0.5),
            ("that is the T ≥ 4 value", 1.0),
        ],
        rtol=1e-6,
    )
