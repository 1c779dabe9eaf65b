"""Checks for the coding exercises of chapter 4 (stability and extrapolation).

* :func:`stable_learning_rate`: the largest stable learning rate ``2/λ_max`` from the
  Hessian of one mode's energy in ``(a, b, c)``;
* :func:`extrapolation_loss`: the test loss at length ``T′`` of the zero-loss
  solution of the exponential task trained at length ``T``.

Examples
--------
>>> def stub(a, b, c, s):
...     raise NotImplementedError()
>>> stable_learning_rate(stub)
… stable_learning_rate: the function still raises NotImplementedError
"""

from __future__ import annotations

import numpy as np

from .. import theory
from ._core import CheckResult, Mistake, check_function
from ._plot import plot_comparison

__all__ = ["stable_learning_rate", "extrapolation_loss"]


# ----------------------------------------------------------------------------
# the stable learning rate 2 / λ_max
# ----------------------------------------------------------------------------


def _eigs(H):
    return np.linalg.eigvalsh(H)


def _stable_lr_reference(a, b, c, s):
    return float(theory.max_stable_lr(a, b, c, s))


def _lr_point(rng, b=None, noise=0.6):
    T = int(rng.integers(3, 9))
    a, b_random, c = rng.uniform(0.4, 1.2, size=3)
    b = b_random if b is None else b
    s = c * a * theory.decay_powers(b, T) + rng.normal(0.0, noise, size=T)
    return dict(a=float(a), b=float(b), c=float(c), s=s)


def _lr_cases(seed: int = 404):
    """Points away from zero loss (so the residual part matters), λ_min < 0 < λ_max.

    Then two edges: ``b = 0`` (where ``b**(k - 1)`` is ``0**(-1)``) and a point whose
    negative eigenvalue dominates, ``|λ_min| > λ_max``, where ``2/max|λ|`` is wrong.
    """
    rng = np.random.default_rng(seed)
    cases, dominant, at_zero = [], None, None
    while len(cases) < 4:
        case = _lr_point(rng)
        lam = _eigs(theory.energy_hessian(**case))
        if lam[0] < -1e-3 and lam[-1] > 1e-3:
            cases.append(case)
    while dominant is None:
        case = _lr_point(rng, noise=1.5)
        lam = _eigs(theory.energy_hessian(**case))
        if lam[-1] > 0.05 and -lam[0] > 1.5 * lam[-1]:
            dominant = case
    while at_zero is None:
        case = _lr_point(rng, b=0.0)
        if _eigs(theory.energy_hessian(**case))[-1] > 0.05:
            at_zero = case
    return cases, [("b = 0", at_zero), ("λ_min < −λ_max", dominant)]


def _lr_raw_powers(a, b, c, s):
    """The notebook's construction with ``b**(k - 1)`` written raw (NaN at b = 0)."""
    k = theory.time_lags(len(s)).astype(float)
    p0, p1, p2 = b**k, k * b ** (k - 1), k * (k - 1) * b ** (k - 2)
    r = s - c * a * p0
    grad = np.stack([c * p0, c * a * p1, a * p0])
    R = np.zeros((3, 3))
    R[0, 1] = R[1, 0] = r @ (c * p1)
    R[0, 2] = R[2, 0] = r @ p0
    R[1, 2] = R[2, 1] = r @ (a * p1)
    R[1, 1] = r @ (c * a * p2)
    H = grad @ grad.T - R
    if not np.all(np.isfinite(H)):
        return float("nan")
    return 2.0 / _eigs(H)[-1]


def _lr_mistakes():
    def parts(a, b, c, s):
        return theory.hessian_parts(a, b, c, s)

    return [
        Mistake(
            "NaN at b = 0: b**(k - 1) is 0**(-1) = inf for the last input (k = 0), "
            "and 0 * inf = NaN; write b ** np.maximum(k - 1, 0) (and k - 2 alike)",
            _lr_raw_powers,
        ),
        Mistake(
            "you used the eigenvalue largest in absolute value: here a negative "
            "eigenvalue dominates, but only the largest eigenvalue λ_max limits the "
            "step (along a negative one 1 − ηλ > 1 for every η > 0, which no "
            "learning rate fixes); return 2/λ_max",
            lambda a, b, c, s: (
                2.0 / np.max(np.abs(_eigs(theory.energy_hessian(a, b, c, s))))
            ),
        ),
        Mistake(
            "this is 1/λ_max: the deviation along the top eigenvector is multiplied "
            "by 1 − ηλ_max, which leaves (−1, 1) only at η = 2/λ_max",
            lambda a, b, c, s: 0.5 * _stable_lr_reference(a, b, c, s),
        ),
        Mistake(
            "you used the smallest eigenvalue of the Hessian; the learning rate is "
            "limited by the largest one, λ_max",
            lambda a, b, c, s: 2.0 / _eigs(theory.energy_hessian(a, b, c, s))[0],
        ),
        Mistake(
            "you kept only the Gauss–Newton part Σ ∇m ∇mᵀ; away from zero loss the "
            "Hessian also has the residual part −Σ r ∇²m",
            lambda a, b, c, s: 2.0 / _eigs(parts(a, b, c, s)[0])[-1],
        ),
        Mistake(
            "the residual part enters with the wrong sign: H = Σ ∇m ∇mᵀ − Σ r ∇²m "
            "with r = s − m",
            lambda a, b, c, s: (
                2.0 / _eigs(parts(a, b, c, s)[0] + parts(a, b, c, s)[1])[-1]
            ),
        ),
        Mistake(
            "wrong sign: you used the Hessian of −E (the derivative of the mode "
            "equations' right-hand side); the Hessian of E itself is needed",
            lambda a, b, c, s: 2.0 / _eigs(-theory.energy_hessian(a, b, c, s))[-1],
        ),
        Mistake(
            "wrong sign: the learning-rate limit 2/λ_max is positive",
            lambda a, b, c, s: -_stable_lr_reference(a, b, c, s),
        ),
    ]


def stable_learning_rate(student, seed: int = 404) -> CheckResult:
    """Check ``stable_learning_rate(a, b, c, s)`` → ``2/λ_max`` (a float).

    ``λ_max`` is the largest eigenvalue of the Hessian of
    ``E = ½ Σ_i (s_i − c b^{T−i} a)²`` in ``(a, b, c)``; the cases are points away
    from zero loss, where the residual part of the Hessian matters, then the edges
    ``b = 0`` and a point whose negative eigenvalue dominates (``|λ_min| > λ_max``).
    ``seed`` draws the random cases (change it for fresh ones).

    Examples
    --------
    >>> from lrnn_utils import theory
    >>> stable_learning_rate(lambda a, b, c, s: theory.max_stable_lr(a, b, c, s))
    ✔ stable_learning_rate: matches the reference on 4 random cases and 2 edge \
cases (b = 0; λ_min < −λ_max)
    """
    cases, edges = _lr_cases(seed)
    res = check_function(
        "stable_learning_rate",
        student,
        _stable_lr_reference,
        cases,
        edges=edges,
        mistakes=_lr_mistakes(),
        rtol=1e-7,
        atol=1e-12,
        labels=("2/λ_max",),
    )
    return res.with_drawing(
        lambda ax: plot_comparison(
            student,
            _stable_lr_reference,
            _lr_curve,
            "recurrent mode $b$ (with $a = c = 1$)",
            r"stable learning rate $2/\lambda_{\max}$",
            labels=(r"$\lambda = 0.8$", r"$\lambda = 1.1$"),
            logy=True,
            ax=ax,
        )
    )


def _lr_curve(fn):
    """2/λ_max along b at a = c = 1, inverse-exponential tasks δ = 1, T = 10."""
    bs = np.round(np.linspace(0.0, 1.2, 61), 2)
    tasks_ = [theory.decay_powers(lam, 10) for lam in (0.8, 1.1)]
    return bs, np.array([[fn(a=1.0, b=b, c=1.0, s=s) for s in tasks_] for b in bs])


# ----------------------------------------------------------------------------
# the extrapolation loss of the exponential task
# ----------------------------------------------------------------------------


def _trained(delta, lam, T):
    """Zero-loss modes of s_t = δ λ^t at length T: b* = 1/λ, u* = δ λ^T."""
    return 1.0 / lam, delta * lam**T


def _loss(s, w, half=True):
    e = np.sum((s - w) ** 2, axis=-1)
    return 0.5 * e if half else e


def _extrapolation_reference(delta, lam, T, T_test):
    return theory.extrapolation_loss("exponential", delta, lam, T, T_test)


def _weights(delta, lam, T, lag):
    """u* b*^lag for the inputs t (broadcast over the modes)."""
    b, u = _trained(delta, lam, T)
    return u[..., None] * b[..., None] ** lag


def _target(delta, lam, t):
    return delta[..., None] * lam[..., None] ** t


def _ext_mistakes():
    def with_lag(shift):
        def wrong(delta, lam, T, T_test):
            t = np.arange(1, T_test + 1)
            lag = T_test - t + shift
            return _loss(_target(delta, lam, t), _weights(delta, lam, T, lag))

        return wrong

    def no_half(delta, lam, T, T_test):
        return 2.0 * _extrapolation_reference(delta, lam, T, T_test)

    def relative(delta, lam, T, T_test):
        t = np.arange(1, T_test + 1)
        power = 0.5 * np.sum(_target(delta, lam, t) ** 2, axis=-1)
        return _extrapolation_reference(delta, lam, T, T_test) / power

    def retrained(delta, lam, T, T_test):
        return np.zeros(np.broadcast(delta, lam).shape)

    def train_inputs(delta, lam, T, T_test):
        t = np.arange(1, T + 1)
        return _loss(_target(delta, lam, t), _weights(delta, lam, T, T_test - t))

    off_by_one = (
        "off by one in the time index: at test length T′ the weight on input "
        "t = 1..T′ is u* b*^(T′−t), so the last input has lag 0"
    )
    return [
        Mistake(
            "your test loss is zero: with the training length in the power, "
            "u* b*^(T−t), or with the solution for length T′ (u* = δλ^T′) the weights "
            "fit the test task exactly; the network trained at T has weights "
            "u* b*^(T′−t) with u* = δλ^T",
            retrained,
        ),
        Mistake(off_by_one, with_lag(shift=1)),
        Mistake(off_by_one, with_lag(shift=-1)),
        Mistake("missing the factor 1/2 of E = ½ Σ_t (s_t − u* b*^(T′−t))²", no_half),
        Mistake(
            "this is the relative error (divided by ½ Σ_t s_t²); return the absolute "
            "test loss",
            relative,
        ),
        Mistake(
            "the sum must run over the T′ inputs of the test sequence, t = 1..T′, "
            "not over the T training inputs",
            train_inputs,
        ),
    ]


def _ext_cases(seed: int = 4040):
    rng = np.random.default_rng(seed)
    cases = []
    for T, T_test in ((6, 9), (9, 4), (5, 7), (8, 3)):
        delta = rng.uniform(0.5, 2.0, size=3)
        lam = np.concatenate([rng.uniform(0.6, 0.9, 2), rng.uniform(1.1, 1.3, 1)])
        cases.append(dict(delta=delta, lam=lam, T=T, T_test=T_test))
    return cases


def extrapolation_loss(student, seed: int = 4040) -> CheckResult:
    """Check ``extrapolation_loss(delta, lam, T, T_test)`` (exponential task).

    The answer is ``½ Σ_{t=1}^{T′} (δλ^t − u* b*^{T′−t})²`` with the trained modes
    ``b* = 1/λ``, ``u* = δλ^T``, one value per entry of ``delta`` and ``lam``.
    ``seed`` draws the random cases (change it for fresh ones).

    Examples
    --------
    >>> from lrnn_utils import theory
    >>> extrapolation_loss(
    ...     lambda delta, lam, T, T_test: theory.extrapolation_loss(
    ...         "exponential", delta, lam, T, T_test))
    ✔ extrapolation_loss: matches the reference on 4 random cases
    """
    return check_function(
        "extrapolation_loss",
        student,
        _extrapolation_reference,
        _ext_cases(seed),
        mistakes=_ext_mistakes(),
        rtol=1e-9,
        atol=1e-12,
        labels=("test loss",),
    )
