"""Checks for the coding exercises of chapter 2 (decoupling into modes).

* :func:`euler_step` -- one Euler step of the mode equations (paper eqs 5-7);
* :func:`read_modes` -- the modes ``a, b, c`` read off full weight matrices.

Examples
--------
>>> import numpy as np
>>> def stub(a, b, c, s, lr):
...     raise NotImplementedError()
>>> euler_step(stub)
… euler_step: the function still raises NotImplementedError
"""

from __future__ import annotations

import numpy as np

from ..theory import time_lags
from ._core import CheckResult, Mistake, check_function

__all__ = ["euler_step", "read_modes"]


# ---------------------------------------------------------------- euler_step
def _rates(a, b, c, s, lags, lags_b=None, last=None):
    """Right-hand sides of eqs (5)-(7) with the powers ``b**lags`` (lags per time).

    ``lags_b`` replaces the factor ``(T - i) b^(T-i-1)`` of the b equation;
    ``last`` keeps only the first ``last`` input times in the a and c sums.
    """
    pw = b[:, None] ** lags
    r = s - (c * a)[:, None] * pw
    keep = np.ones(s.shape[-1]) if last is None else (np.arange(s.shape[-1]) < last)
    da = c * np.sum(keep * pw * r, axis=-1)
    dc = a * np.sum(keep * pw * r, axis=-1)
    if lags_b is None:
        lags_b = lags * b[:, None] ** np.maximum(lags - 1, 0)
    db = c * a * np.sum(lags_b * r, axis=-1)
    return da, db, dc


def _lags(T):
    return time_lags(T)  # T - i for i = 1..T


def _euler_reference(a, b, c, s, lr):
    da, db, dc = _rates(a, b, c, s, _lags(s.shape[-1]))
    return a + lr * da, b + lr * db, c + lr * dc


def _step_with(rates, factor=1.0, sign=1.0):
    def wrong(a, b, c, s, lr):
        da, db, dc = rates(a, b, c, s)
        step = sign * factor * lr
        return a + step * da, b + step * db, c + step * dc

    return wrong


def _wrong_sign(a, b, c, s, lr):
    return _step_with(lambda *x: _rates(*x, _lags(s.shape[-1])), sign=-1.0)(
        a, b, c, s, lr
    )


def _no_T_minus_i(variant):
    def wrong(a, b, c, s, lr):
        lags = _lags(s.shape[-1])
        bb = b[:, None]
        plain = {
            "drop_last": (lags > 0) * bb ** np.maximum(lags - 1, 0),
            "keep_last": bb ** np.maximum(lags - 1, 0),
            "inverse": bb ** (lags - 1),  # b^(-1) for i = T
        }[variant]
        return _step_with(lambda *x: _rates(*x, lags, lags_b=plain))(a, b, c, s, lr)

    return wrong


def _shifted_powers(shift, b_factor_follows, reverse=False):
    """Powers ``b^(T-i+shift)`` (or reversed in time) in the a and c equations.

    With ``b_factor_follows`` the b equation uses the derivative of the same wrong
    power; otherwise it keeps the right factor ``(T-i) b^(T-i-1)``.
    """

    def wrong(a, b, c, s, lr):
        right = _lags(s.shape[-1])
        lags = (right[::-1] if reverse else right) + shift
        lags_b = (
            None if b_factor_follows else right * b[:, None] ** np.maximum(right - 1, 0)
        )
        return _step_with(lambda *x: _rates(*x, lags, lags_b=lags_b))(a, b, c, s, lr)

    return wrong


def _raw_power(a, b, c, s, lr):
    lags = _lags(s.shape[-1])
    raw = lags * b[:, None] ** (lags - 1.0)  # 0 * 0**(-1) = NaN at b = 0
    return _step_with(lambda *x: _rates(*x, lags, lags_b=raw))(a, b, c, s, lr)


def _drop_last_time(a, b, c, s, lr):
    T = s.shape[-1]
    return _step_with(lambda *x: _rates(*x, _lags(T), last=T - 1))(a, b, c, s, lr)


def _lr_squared(a, b, c, s, lr):
    da, db, dc = _rates(a, b, c, s, _lags(s.shape[-1]))
    return a + lr * lr * da, b + lr * lr * db, c + lr * lr * dc


def _lr_doubled(a, b, c, s, lr):
    return _step_with(lambda *x: _rates(*x, _lags(s.shape[-1])), factor=2.0)(
        a, b, c, s, lr
    )


def _rates_only(a, b, c, s, lr):
    return _rates(a, b, c, s, _lags(s.shape[-1]))


def _sequential(a, b, c, s, lr):
    lags = _lags(s.shape[-1])
    da = _rates(a, b, c, s, lags)[0]
    a_new = a + lr * da
    db = _rates(a_new, b, c, s, lags)[1]
    b_new = b + lr * db
    dc = _rates(a_new, b_new, c, s, lags)[2]
    return a_new, b_new, c + lr * dc


_EULER_MISTAKES = [
    Mistake(
        "NaN at b = 0: b**(lag - 1) is 0**(-1) = inf for the last input (lag 0), "
        "and 0 * inf = NaN although that term is zero; write "
        "b ** np.maximum(lag - 1, 0)",
        _raw_power,
    ),
    Mistake(
        "wrong sign: the step goes uphill. Eqs (5)-(7) are already minus the "
        "gradient of E, so add lr times them: a + lr * da",
        _wrong_sign,
    ),
    Mistake(
        "you returned the rates (da, db, dc); return the updated modes "
        "a + lr * da, b + lr * db, c + lr * dc",
        _rates_only,
    ),
    Mistake(
        "the b equation misses the factor (T - i): each term is "
        "(T - i) c a b^(T-i-1) (s_i - c b^(T-i) a), and the i = T term is zero",
        _no_T_minus_i("drop_last"),
    ),
    Mistake(
        "the b equation misses the factor (T - i): each term is "
        "(T - i) c a b^(T-i-1) (s_i - c b^(T-i) a), and the i = T term is zero",
        _no_T_minus_i("keep_last"),
    ),
    Mistake(
        "the b equation misses the factor (T - i): each term is "
        "(T - i) c a b^(T-i-1) (s_i - c b^(T-i) a), and the i = T term is zero",
        _no_T_minus_i("inverse"),
    ),
    Mistake(
        "off by one in the power: you used b^(T-i+1); input i passes W_h "
        "T - i times, so the power is b^(T-i) (T-1, ..., 1, 0 for i = 1..T)",
        _shifted_powers(1, True),
    ),
    Mistake(
        "off by one in the power: you used b^(T-i+1); input i passes W_h "
        "T - i times, so the power is b^(T-i) (T-1, ..., 1, 0 for i = 1..T)",
        _shifted_powers(1, False),
    ),
    Mistake(
        "off by one in the power: you used b^(T-i-1); input i passes W_h "
        "T - i times, so the power is b^(T-i) (the last input gets b^0 = 1)",
        _shifted_powers(-1, True),
    ),
    Mistake(
        "off by one in the power: you used b^(T-i-1); input i passes W_h "
        "T - i times, so the power is b^(T-i) (the last input gets b^0 = 1)",
        _shifted_powers(-1, False),
    ),
    Mistake(
        "the powers run the wrong way in time: s[..., i-1] is the singular value "
        "of input time i and needs b^(T-i), i.e. powers T-1, ..., 1, 0 (the "
        "last input gets b^0)",
        _shifted_powers(0, True, reverse=True),
    ),
    Mistake(
        "the powers run the wrong way in time: s[..., i-1] is the singular value "
        "of input time i and needs b^(T-i), i.e. powers T-1, ..., 1, 0 (the "
        "last input gets b^0)",
        _shifted_powers(0, False, reverse=True),
    ),
    Mistake(
        "the powers run the wrong way in time: s[..., i-1] is the singular value "
        "of input time i and needs b^(T-i), i.e. powers T-1, ..., 1, 0 (the "
        "last input gets b^0)",
        _shifted_powers(1, True, reverse=True),
    ),
    Mistake(
        "the powers run the wrong way in time: s[..., i-1] is the singular value "
        "of input time i and needs b^(T-i), i.e. powers T-1, ..., 1, 0 (the "
        "last input gets b^0)",
        _shifted_powers(1, False, reverse=True),
    ),
    Mistake(
        "the a and c equations sum over i = 1..T; you stopped at T - 1 "
        "(only the b equation loses the i = T term)",
        _drop_last_time,
    ),
    Mistake(
        "the step size is applied twice: you moved by lr^2 times the rate; "
        "one Euler step moves by lr times the rate",
        _lr_squared,
    ),
    Mistake(
        "the step size is applied twice: you moved by 2 lr times the rate; "
        "one Euler step moves by lr times the rate",
        _lr_doubled,
    ),
    Mistake(
        "you updated the modes one after another (c used the new a); "
        "compute all three rates from the old (a, b, c), then update",
        _sequential,
    ),
]


def _euler_case(rng, K, T, b=None):
    a, b_random, c = rng.uniform(-1.2, 1.2, size=(3, K))
    return {
        "a": a,
        "b": b_random if b is None else np.asarray(b, dtype=float),
        "c": c,
        "s": rng.normal(size=(K, T)),
        "lr": float(rng.uniform(0.05, 0.3)),
    }


def _euler_cases(seed: int = 2025):
    """Three random cases, then the edges b = 0 (for some modes) and T = 1."""
    rng = np.random.default_rng(seed)
    cases = [_euler_case(rng, K, T) for K, T in ((3, 4), (2, 6), (4, 3))]
    edges = [
        ("b = 0", _euler_case(rng, 3, 4, b=[0.0, rng.uniform(0.2, 1.0), 0.0])),
        ("T = 1", _euler_case(rng, 3, 1)),
    ]
    return cases, edges


def euler_step(student, seed: int = 2025) -> CheckResult:
    """Check one Euler step of the mode equations (paper eqs 5-7).

    The student's ``euler_step(a, b, c, s, lr)`` takes modes ``a, b, c`` of shape
    ``(K,)``, singular values ``s`` of shape ``(K, T)`` (``s[k, i-1]`` is the value of
    mode ``k`` at input time ``i``) and a step size ``lr``, and returns the new
    ``(a, b, c)``, each of shape ``(K,)``.

    Besides three random cases it runs the edges b = 0 (where ``b**(lag - 1)`` is
    ``0**(-1)``) and T = 1 (one input time, so the b equation is zero).

    Parameters
    ----------
    student : callable
    seed : int, default 2025
        Seed of the random cases; change it for fresh ones.

    Returns
    -------
    CheckResult

    Raises
    ------
    TypeError
        If ``student`` is not callable.

    Examples
    --------
    >>> from lrnn_utils.checks.ch02 import _euler_reference
    >>> euler_step(_euler_reference)
    ✔ euler_step: matches the reference on 3 random cases and 2 edge cases \
(b = 0; T = 1)
    """
    cases, edges = _euler_cases(seed)
    return check_function(
        "euler_step",
        student,
        _euler_reference,
        cases,
        mistakes=_EULER_MISTAKES,
        labels=("a", "b", "c"),
        edges=edges,
    )


# ---------------------------------------------------------------- read_modes
def _read_reference(Wx, Wh, Wy, U, V, R):
    return np.diag(R.T @ Wx @ V), np.diag(R.T @ Wh @ R), np.diag(U.T @ Wy @ R)


def _read_transposed(Wx, Wh, Wy, U, V, R):
    return np.diag(R @ Wx @ V.T), np.diag(R @ Wh @ R.T), np.diag(U @ Wy @ R.T)


def _read_b_transposed(Wx, Wh, Wy, U, V, R):
    a, _, c = _read_reference(Wx, Wh, Wy, U, V, R)
    return a, np.diag(R @ Wh @ R.T), c


def _read_R_untransposed(Wx, Wh, Wy, U, V, R):
    return np.diag(R @ Wx @ V), np.diag(R @ Wh @ R), np.diag(U.T @ Wy @ R)


def _read_V_for_R(Wx, Wh, Wy, U, V, R):
    return np.diag(V.T @ Wx @ V), np.diag(V.T @ Wh @ V), np.diag(U.T @ Wy @ V)


def _read_svd(Wx, Wh, Wy, U, V, R):
    sv = lambda W: np.linalg.svd(W, compute_uv=False)  # noqa: E731
    return sv(Wx), sv(Wh), sv(Wy)


def _read_eig(Wx, Wh, Wy, U, V, R):
    a, _, c = _read_reference(Wx, Wh, Wy, U, V, R)
    return a, np.linalg.eigvals(Wh).real, c


_READ_MISTAKES = [
    Mistake(
        "every projection is transposed: the modes are diag(Rᵀ W_x V), "
        "diag(Rᵀ W_h R) and diag(Uᵀ W_y R), with the transposed basis on the left",
        _read_transposed,
    ),
    Mistake(
        "b is projected the wrong way round: use diag(Rᵀ W_h R), not diag(R W_h Rᵀ)",
        _read_b_transposed,
    ),
    Mistake(
        "R must be transposed on the left: a = diag(Rᵀ W_x V), b = diag(Rᵀ W_h R)",
        _read_R_untransposed,
    ),
    Mistake(
        "you used V where R belongs: V is the task's input basis; the hidden "
        "basis is R, so a = diag(Rᵀ W_x V), b = diag(Rᵀ W_h R), c = diag(Uᵀ W_y R)",
        _read_V_for_R,
    ),
    Mistake(
        "singular values are not the modes: an SVD sorts them, drops their signs "
        "and ignores the task's directions. Project on the fixed bases instead: "
        "a = diag(Rᵀ W_x V), b = diag(Rᵀ W_h R), c = diag(Uᵀ W_y R)",
        _read_svd,
    ),
    Mistake(
        "eigenvalues of W_h are not in the order of the task's dimensions: "
        "project instead, b = diag(Rᵀ W_h R)",
        _read_eig,
    ),
]


def _read_cases(seed: int = 7):
    rng = np.random.default_rng(seed)
    cases = []
    # square first (Nx = Ny = Nh = K), so that wrong projections still run and are
    # recognised; then Nx > K and Ny > K
    for K, Nx, Ny in ((3, 3, 3), (3, 5, 4), (2, 4, 2)):
        U = np.linalg.qr(rng.normal(size=(Ny, Ny)))[0][:, :K]
        V = np.linalg.qr(rng.normal(size=(Nx, Nx)))[0][:, :K]
        R = np.linalg.qr(rng.normal(size=(K, K)))[0]
        a, b, c = rng.uniform(-1.5, 1.5, size=(3, K))
        noise = 0.1  # weights near, not exactly at, the aligned form
        cases.append(
            {
                "Wx": R @ np.diag(a) @ V.T + noise * rng.normal(size=(K, Nx)),
                "Wh": R @ np.diag(b) @ R.T + noise * rng.normal(size=(K, K)),
                "Wy": U @ np.diag(c) @ R.T + noise * rng.normal(size=(Ny, K)),
                "U": U,
                "V": V,
                "R": R,
            }
        )
    return cases


def read_modes(student, seed: int = 7) -> CheckResult:
    """Check reading the modes off full weight matrices (paper App. P.3).

    The student's ``read_modes(Wx, Wh, Wy, U, V, R)`` takes weights of shapes
    ``(K, Nx)``, ``(K, K)``, ``(Ny, K)``, the task's singular vectors ``U (Ny, K)``
    and ``V (Nx, K)`` and the hidden basis ``R (K, K)``, and returns ``(a, b, c)``,
    each of shape ``(K,)``: ``a = diag(Rᵀ W_x V)``, ``b = diag(Rᵀ W_h R)``,
    ``c = diag(Uᵀ W_y R)``.

    Parameters
    ----------
    student : callable
    seed : int, default 7
        Seed of the random cases; change it for fresh ones.

    Returns
    -------
    CheckResult

    Raises
    ------
    TypeError
        If ``student`` is not callable.

    Examples
    --------
    >>> from lrnn_utils.checks.ch02 import _read_reference
    >>> read_modes(_read_reference)
    ✔ read_modes: matches the reference on 3 random cases
    """
    result = check_function(
        "read_modes",
        student,
        _read_reference,
        _read_cases(seed),
        mistakes=_READ_MISTAKES,
        labels=("a", "b", "c"),
    )
    if "has shape" in result.message and "expected (" in result.message:
        hint = "; return the diagonals (np.diag), each of shape (K,)"
        return CheckResult(result.name, result.status, result.message + hint)
    return result
