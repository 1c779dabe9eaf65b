"""Machinery shared by the exercise checks: run a student's answer on fixed random
cases, compare it with the reference, and name the mistake when it matches a known one.

Every chapter module in :mod:`lrnn_utils.checks` builds its checks from
:func:`check_function` (the student writes a function) and :func:`check_value` (the
student computes a number or an array). Both return a :class:`CheckResult` whose repr is
one deterministic line, so a notebook cell that ends with a check shows the verdict and
strict nbval can compare it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np

__all__ = ["CheckResult", "check_function", "check_value", "Mistake"]

PASS, FAIL, TODO = "passed", "failed", "not done yet"
_SYMBOL = {PASS: "✔", FAIL: "✘", TODO: "…"}


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one exercise check.

    Attributes
    ----------
    name : str
        The exercise's name, as printed.
    status : str
        ``"passed"``, ``"failed"`` or ``"not done yet"``.
    message : str
        What was tested, or what is wrong.

    Examples
    --------
    >>> CheckResult("demo", "passed", "matches the reference on 3 cases")
    ✔ demo: matches the reference on 3 cases
    """

    name: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        """True when the answer matched the reference on every case."""
        return self.status == PASS

    @property
    def done(self) -> bool:
        """False while the answer is still the stub."""
        return self.status != TODO

    def __repr__(self) -> str:  # one line, deterministic: nbval compares it
        return f"{_SYMBOL[self.status]} {self.name}: {self.message}"

    __str__ = __repr__


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer and how to recognise it.

    Parameters
    ----------
    message : str
        What the student should be told when the answer matches this mistake.
    wrong : callable
        Called with the same keyword arguments as the reference; returns what the
        mistaken computation would give (an array, or a tuple of arrays).
    """

    message: str
    wrong: Callable[..., Any]


def _as_tuple(x) -> tuple:
    return x if isinstance(x, tuple) else (x,)


def _close(got, want, rtol, atol) -> bool:
    got, want = _as_tuple(got), _as_tuple(want)
    if len(got) != len(want):
        return False
    for g, w in zip(got, want):
        try:
            g = np.asarray(g, dtype=complex if np.iscomplexobj(w) else float)
        except (TypeError, ValueError):
            return False
        w = np.asarray(w)
        if g.shape != w.shape or not np.all(np.isfinite(g)):
            return False
        if not np.allclose(g, w, rtol=rtol, atol=atol):
            return False
    return True


def _shape_problem(got, want, labels: Sequence[str]) -> str | None:
    got_t, want_t = _as_tuple(got), _as_tuple(want)
    if got is None:
        return "returned None: is the `return` statement missing?"
    if len(got_t) != len(want_t):
        return f"returned {len(got_t)} value(s), expected {len(want_t)}"
    for k, (g, w) in enumerate(zip(got_t, want_t)):
        label = labels[k] if k < len(labels) else f"output {k}"
        try:
            g = np.asarray(g, dtype=complex if np.iscomplexobj(w) else float)
        except (TypeError, ValueError):
            return f"{label} is not numeric (got {type(g).__name__})"
        w = np.asarray(w)
        if g.shape != w.shape:
            return f"{label} has shape {g.shape}, expected {w.shape}"
        if not np.all(np.isfinite(g)):
            return f"{label} contains NaN or inf"
    return None


def _diagnose(got, case, want, mistakes, rtol, atol, labels) -> str:
    for m in mistakes:  # first: a known mistake, whatever shape it produces
        try:
            alt = m.wrong(**case)
        except Exception:  # a mistake model that does not apply to this case
            continue
        if _close(got, alt, rtol, atol):
            return m.message
    problem = _shape_problem(got, want, labels)
    if problem:
        return problem
    if _close(got, tuple(-np.asarray(w) for w in _as_tuple(want)), rtol, atol):
        return "right size, wrong sign"
    # A constant factor: say which one.
    g = np.concatenate([np.ravel(np.asarray(x, dtype=float)) for x in _as_tuple(got)])
    w = np.concatenate([np.ravel(np.asarray(x, dtype=float)) for x in _as_tuple(want)])
    big = np.abs(w) > 1e-8 * max(1.0, np.abs(w).max())
    if big.any():
        ratio = g[big] / w[big]
        r0 = ratio[0]
        if np.allclose(ratio, r0, rtol=1e-6) and np.allclose(g[~big], 0, atol=atol):
            return f"off by a constant factor: yours are {r0:.4g} times the reference"
    err = np.max(np.abs(g - w))
    return f"differs from the reference (largest deviation {err:.3g})"


def check_function(
    name: str,
    student: Callable,
    reference: Callable,
    cases: Iterable[dict],
    mistakes: Sequence[Mistake] = (),
    rtol: float = 1e-7,
    atol: float = 1e-10,
    labels: Sequence[str] = (),
) -> CheckResult:
    """Compare a student's function with the reference on fixed cases.

    Parameters
    ----------
    name : str
        Exercise name, printed in the verdict.
    student : callable
        The student's function; called with the keyword arguments of each case.
    reference : callable
        The reference implementation, same signature.
    cases : iterable of dict
        Keyword arguments, made from a seeded generator by the caller so that the
        verdict is deterministic.
    mistakes : sequence of Mistake
        Typical wrong answers, tried in order; the first that matches names the error.
    rtol, atol : float
        Tolerance of the comparison (``numpy.allclose``).
    labels : sequence of str
        Names of the outputs, used in shape messages (for example ``("dWx", "dWh")``).

    Returns
    -------
    CheckResult

    Raises
    ------
    TypeError
        If ``student`` is not callable.

    Examples
    --------
    >>> import numpy as np
    >>> ref = lambda x: 2 * x
    >>> cases = [{"x": np.arange(3.0)}, {"x": np.ones(2)}]
    >>> check_function("double", lambda x: 2 * x, ref, cases)
    ✔ double: matches the reference on 2 random cases
    >>> check_function("double", lambda x: -2 * x, ref, cases)
    ✘ double: right size, wrong sign (case 1 of 2)
    """
    if not callable(student):
        raise TypeError(f"student must be a function, got {type(student).__name__}")
    cases = list(cases)
    for k, case in enumerate(cases, start=1):
        want = reference(**case)
        try:
            got = student(**{key: _copy(v) for key, v in case.items()})
        except NotImplementedError:
            return CheckResult(
                name, TODO, "the function still raises NotImplementedError"
            )
        except Exception as exc:  # report, never crash the student's notebook
            return CheckResult(
                name, FAIL, f"raised {type(exc).__name__}: {exc} (case {k})"
            )
        if not _close(got, want, rtol, atol):
            why = _diagnose(got, case, want, mistakes, rtol, atol, labels)
            return CheckResult(name, FAIL, f"{why} (case {k} of {len(cases)})")
    return CheckResult(
        name, PASS, f"matches the reference on {len(cases)} random cases"
    )


def check_value(
    name: str,
    value,
    expected,
    mistakes: Sequence[tuple[str, Any]] = (),
    rtol: float = 1e-7,
    atol: float = 1e-10,
) -> CheckResult:
    """Compare a value the student computed with the expected one.

    Parameters
    ----------
    name : str
        Exercise name.
    value : array_like, Ellipsis or None
        The student's answer; ``...`` or ``None`` means "not done yet".
    expected : array_like
        The right answer.
    mistakes : sequence of (str, array_like)
        Typical wrong answers and the message for each.

    Examples
    --------
    >>> check_value("sum", ..., 3.0)
    … sum: no answer yet (replace the ...)
    >>> check_value("sum", 3.0, 3.0)
    ✔ sum: matches the expected value
    >>> check_value("sum", 2.0, 3.0, mistakes=[("forgot the last term", 2.0)])
    ✘ sum: forgot the last term
    """
    if value is Ellipsis or value is None:
        return CheckResult(name, TODO, "no answer yet (replace the ...)")
    if _close(value, expected, rtol, atol):
        return CheckResult(name, PASS, "matches the expected value")
    for message, wrong in mistakes:
        if _close(value, wrong, rtol, atol):
            return CheckResult(name, FAIL, message)
    problem = _shape_problem(value, expected, ())
    if problem:
        return CheckResult(name, FAIL, problem)
    return CheckResult(name, FAIL, _diagnose(value, {}, expected, (), rtol, atol, ()))


def _copy(v):
    return v.copy() if isinstance(v, np.ndarray) else v
