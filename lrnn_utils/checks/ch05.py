"""Checks for the coding exercises of chapter 5."""

from __future__ import annotations

import numpy as np

from ..tasks import dirac_singular_values
from ..theory import flows
from ._core import FAIL, CheckResult, Mistake, check_function
from ._plot import plot_comparison

__all__ = ["regularization_gradient", "dirac_euler_step", "landau_quadratic"]


def _reg_grad(a, b, c, T, first=1, last=None, power=lambda k: 2 * k - 1, w=None):
    """Σ_k w_k b^{power(k)} times (ac)², k = first..last−1 (default: ∂R/∂b)."""
    b = np.asarray(b, dtype=float)[..., None]
    k = np.arange(first, T if last is None else last, dtype=float)
    weight = k if w is None else w(k)
    return (np.asarray(a) * np.asarray(c)) ** 2 * np.sum(weight * b ** power(k), -1)


def _reg_grad_ref(a, b, c, T):
    return _reg_grad(a, b, c, T)


def _reg_case(rng, T, b=None, n=6):
    return dict(
        a=rng.normal(size=n if b is None else len(b)),
        b=rng.uniform(-1.4, 1.4, n) if b is None else np.asarray(b, dtype=float),
        c=rng.normal(size=n if b is None else len(b)),
        T=T,
    )


def _reg_cases(seed: int = 505):
    """Random cases at T = 2, 4, 7, then the edges b = 0, b = ±1 and T = 1."""
    rng = np.random.default_rng(seed)
    cases = [_reg_case(rng, T) for T in (2, 4, 7)]
    edges = [
        ("b = 0", _reg_case(rng, 5, b=[0.0, 0.4, 0.0, -0.7])),
        ("b = ±1", _reg_case(rng, 5, b=[1.0, -1.0, 0.5, 1.0])),
        ("T = 1", _reg_case(rng, 1)),
    ]
    return cases, edges


_REG_MISTAKES = [
    Mistake(
        "NaN at b = 0: the k = 0 term b⁰ is constant, but 0 * b**(-1) is 0 * inf; "
        "start the sum at k = 1",
        lambda a, b, c, T: _reg_grad(a, b, c, T, first=0),
    ),
    Mistake(
        "the chain rule gives d(b^{2k})/db = 2k b^{2k−1}: the factor 2 is missing",
        lambda a, b, c, T: 0.5 * _reg_grad(a, b, c, T),
    ),
    Mistake(
        "that is ∂R/∂(b²), not ∂R/∂b: multiply by d(b²)/db = 2b",
        lambda a, b, c, T: 0.5 * _reg_grad(a, b, c, T, power=lambda k: 2 * k - 2),
    ),
    Mistake(
        "one power too many: R sums k = 0..T−1 (T terms), not up to T",
        lambda a, b, c, T: _reg_grad(a, b, c, T, last=T + 1),
    ),
    Mistake(
        "one power too few: R sums k = 0..T−1 (T terms)",
        lambda a, b, c, T: _reg_grad(a, b, c, T, last=T - 1),
    ),
    Mistake(
        "that is ∂R/∂u (u = ac): differentiate with respect to b",
        lambda a, b, c, T: (
            _reg_grad(a, b, c, T, first=0, power=lambda k: 2 * k, w=np.ones_like)
            / (np.asarray(a) * np.asarray(c))
        ),
    ),
    Mistake(
        "c²a² is missing: R is ½ u² times the sum, with u = ac",
        lambda a, b, c, T: _reg_grad(1.0, b, 1.0, T) * np.ones(np.shape(a)),
    ),
]


def _reg_curve(fn):
    """∂R/∂b over b ∈ [−1.2, 1.2] (0 and ±1 included) for T = 2, 4, 6 at a = c = 1."""
    bs = np.round(np.linspace(-1.2, 1.2, 121), 2)
    one = np.ones_like(bs)
    return bs, np.stack([fn(a=one, b=bs, c=one, T=T) for T in (2, 4, 6)], axis=-1)


def regularization_gradient(student, seed: int = 505) -> CheckResult:
    """Check ``regularization_gradient(a, b, c, T)`` = ∂R/∂b, R = ½ u² Σ_{k<T} b^{2k}.

    Three random cases, then the edges b = 0 (where ``b**(2k - 1)`` is ``0**(-1)`` for
    k = 0), b = ±1 (where the closed form of R is 0/0) and T = 1 (R does not depend
    on b); ``seed`` draws the random cases (change it for fresh ones).
    ``CheckResult.plot()`` draws ∂R/∂b against b for T = 2, 4, 6.

    Examples
    --------
    >>> regularization_gradient(_reg_grad_ref)
    ✔ regularization_gradient: matches the reference on 3 random cases and 3 edge \
cases (b = 0; b = ±1; T = 1)
    """
    name = "regularization_gradient"
    cases, edges = _reg_cases(seed)
    res = check_function(
        name,
        student,
        _reg_grad_ref,
        cases,
        _REG_MISTAKES,
        edges=edges,
        rtol=1e-9,
        atol=1e-12,
        labels=("dR/db",),
    )
    at_one = "(edge case: b = ±1)"
    if res.status == FAIL and "NaN or inf" in res.message and at_one in res.message:
        res = CheckResult(
            name,
            FAIL,
            "not finite at b = ±1: the closed form (1 − b^{2T})/(1 − b²) is 0/0 there; "
            f"differentiate the sum instead {at_one}",
        )
    return res.with_drawing(
        lambda ax: plot_comparison(
            student,
            _reg_grad_ref,
            _reg_curve,
            "recurrent mode $b$",
            r"$\partial R/\partial b$ at $u = 1$",
            labels=("T = 2", "T = 4", "T = 6"),
            ax=ax,
        )
    )


def _step(a, b, c, beta, kappa, T, lr):
    s = dirac_singular_values(T, beta, kappa)
    da, db, dc = flows(a, b, c, s)
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
    da, db, dc = flows(a, b, c, s)
    return a - lr * da, b - lr * db, c - lr * dc


def _step_sequential(a, b, c, beta, kappa, T, lr):
    s = dirac_singular_values(T, beta, kappa)
    da, _, _ = flows(a, b, c, s)
    a = a + lr * da
    _, db, _ = flows(a, b, c, s)
    b = b + lr * db
    _, _, dc = flows(a, b, c, s)
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
    res = check_function(
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
    return res.with_drawing(
        lambda ax: plot_comparison(
            student,
            _step,
            _dirac_curve,
            "step",
            "recurrent mode $b$",
            labels=(r"$\beta = 0.6$", r"$\beta = 0.9$"),
            ax=ax,
        )
    )


def _dirac_curve(fn, steps=400, every=5):
    """b over ``steps`` Euler steps (T = 3, κ = 1/β) from a = c = 0.5, b = 0.3."""
    beta = np.array([0.6, 0.9])
    a, b, c = np.full(2, 0.5), np.full(2, 0.3), np.full(2, 0.5)
    out = [b]
    for k in range(1, steps + 1):
        a, b, c = fn(a=a, b=b, c=c, beta=beta, kappa=1 / beta, T=3, lr=0.05)
        a, b, c = (np.asarray(x, dtype=float) for x in (a, b, c))
        if k % every == 0:
            out.append(b)
    return np.arange(0, steps + 1, every), np.array(out)


def _landau(s, lag_first=False, square=True, cross=2.0, inverse=True, scale=1.0):
    """b² coefficient of 2E*(b) at b = 0 (and the variants of the mistake models)."""
    s = np.asarray(s, dtype=float)
    if lag_first:
        s = s[..., ::-1]
    T = s.shape[-1]
    if T == 1:
        return np.zeros(s.shape[:-1])
    last, prev = s[..., -1], s[..., -2]
    prev2 = s[..., -3] if T >= 3 else np.zeros_like(last)
    A = -cross * last * prev2 - (prev**2 if square else 0.0)
    return scale * (A + (last**2 if inverse else 0.0))


def _landau_ref(s):
    return _landau(s)


def _dirac_profile(T, beta, lag=None):
    """s_{T−lag} = β, s_T = 1/β (lag T − 1 by default: the Dirac task), shape (n, T)."""
    beta = np.atleast_1d(np.asarray(beta, dtype=float))
    s = np.zeros(beta.shape + (T,))
    s[..., T - 1 - (T - 1 if lag is None else lag)] = beta
    s[..., -1] = 1 / beta
    return s


def _landau_cases(seed: int = 512):
    """Random profiles at T = 3, 5, 8, then T = 1, T = 2 and the Dirac task at T = 3."""
    rng = np.random.default_rng(seed)
    cases = [{"s": rng.normal(size=(4, T))} for T in (3, 5, 8)]
    edges = [
        ("T = 1", {"s": rng.normal(size=(3, 1))}),
        ("T = 2", {"s": rng.normal(size=(3, 2))}),
        ("Dirac task, T = 3", {"s": _dirac_profile(3, [0.5, 2**-0.5, 1.5])}),
    ]
    return cases, edges


_LANDAU_MISTAKES = [
    Mistake(
        "the −b² of 1/S(b) = 1 − b² + … is missing: it multiplies s_T²",
        lambda s: _landau(s, inverse=False),
    ),
    Mistake(
        "(s_{T−1} b)² is of order b² too: −s_{T−1}² is missing",
        lambda s: _landau(s, square=False),
    ),
    Mistake(
        "the cross term of (s_T + s_{T−2} b² + …)² is 2 s_T s_{T−2}: the 2 is missing",
        lambda s: _landau(s, cross=1.0),
    ),
    Mistake(
        "that is the coefficient of E*; the exercise asks for that of 2E*",
        lambda s: _landau(s, scale=0.5),
    ),
    Mistake(
        "time runs backwards: s_T (the last input) meets b⁰ and s_{T−1} meets b¹",
        lambda s: _landau(s, lag_first=True),
    ),
]


def _landau_curve(fn):
    """A along β ∈ [0.4, 1.6] for the Dirac task at T = 3, 4 and for s_{T−1} = β."""
    betas = np.round(np.linspace(0.4, 1.6, 121), 2)
    profiles = (_dirac_profile(3, betas), _dirac_profile(4, betas))
    profiles += (_dirac_profile(4, betas, lag=1),)
    return betas, np.stack([fn(s=p) for p in profiles], axis=-1)


def landau_quadratic(student, seed: int = 512) -> CheckResult:
    """Check ``landau_quadratic(s)``: the coefficient of b² in 2E*(b) at b = 0.

    ``s`` has shape ``(..., T)`` (one profile per row) and the answer shape
    ``(...)``. Three random cases, then the edges T = 1 (no b at all), T = 2 and the
    Dirac task at T = 3 (where A = 1/β² − 2); ``seed`` draws the random profiles.
    ``CheckResult.plot()`` draws A against β for three tasks.

    Examples
    --------
    >>> landau_quadratic(_landau_ref)
    ✔ landau_quadratic: matches the reference on 3 random cases and 3 edge cases \
(T = 1; T = 2; Dirac task, T = 3)
    """
    cases, edges = _landau_cases(seed)
    res = check_function(
        "landau_quadratic",
        student,
        _landau_ref,
        cases,
        _LANDAU_MISTAKES,
        edges=edges,
        rtol=1e-9,
        atol=1e-12,
        labels=("A",),
    )
    return res.with_drawing(
        lambda ax: plot_comparison(
            student,
            _landau_ref,
            _landau_curve,
            r"$\beta$",
            "coefficient $A$ of $b^2$ in $2E^*$",
            labels=("Dirac, T = 3", "Dirac, T = 4", r"$s_{T-1} = \beta$, T = 4"),
            ax=ax,
        )
    )
