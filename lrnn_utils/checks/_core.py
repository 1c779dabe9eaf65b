"""Machinery shared by the exercise checks: run a student's answer on seeded random
cases and on the edge cases the exercise names, compare it with the reference, and say
what is wrong in one line.

Every chapter module in :mod:`lrnn_utils.checks` builds its checks from
:func:`check_function` (the student writes a function) and :func:`check_value` (the
student computes a number or an array). Both return a :class:`CheckResult` whose repr is
one deterministic line, so a notebook cell that ends with a check shows the verdict and
strict nbval can compare it.

A check never raises because of what the student's answer returns: ``None``, a dict, a
list, the wrong number of values, a ragged or non-numeric value, a complex number or NaN
each get a verdict that says so. A multi-output answer is told which output differs.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Sequence

import numpy as np

__all__ = ["CheckResult", "check_function", "check_value", "Mistake"]

PASS, FAIL, TODO = "passed", "failed", "not done yet"
_SYMBOL = {PASS: "✔", FAIL: "✘", TODO: "…"}
#: relative error below which a wrong answer is called "close" (a rounded number)
_NEAR = 1e-2


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
    #: ``drawing(ax)`` draws the student's function against the reference (or None)
    drawing: Callable | None = field(default=None, repr=False, compare=False)

    def plot(self, ax=None):
        """Draw the student's function (solid) against the reference (dashed).

        Only checks whose exercise has a picture draw something; while the answer is
        the stub, or when it raises or cannot be drawn, nothing is drawn and nothing is
        raised. The figure is made from fixed inputs (the same on every run).

        Returns
        -------
        matplotlib.axes.Axes or None
        """
        if self.drawing is None:
            return None
        try:
            return self.drawing(ax)
        except Exception:  # a picture must never crash the student's notebook
            return None

    def with_drawing(self, drawing: Callable) -> "CheckResult":
        """The same verdict, with ``drawing(ax)`` behind :meth:`plot`."""
        return replace(self, drawing=drawing)

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
        mistaken computation would give (an array, or a tuple of arrays). It is
        recognised when the student's answer equals it on every case where both are
        finite (and at least one such case).
    """

    message: str
    wrong: Callable[..., Any]


class Quiet:
    """Silence numpy warnings inside the check (our references and mistake models)."""

    def __enter__(self):
        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore")
        self._e = np.errstate(all="ignore")
        self._e.__enter__()

    def __exit__(self, *exc):
        self._e.__exit__(*exc)
        self._w.__exit__(*exc)
        return False


# ------------------------------------------------------------------ conversions
def _as_tuple(x) -> tuple:
    return x if isinstance(x, tuple) else (x,)


def _names(labels: Sequence[str], n: int) -> list[str]:
    return [labels[k] if k < len(labels) else f"output {k + 1}" for k in range(n)]


def _join(words: Sequence[str]) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _split(got, n: int):
    """The student's outputs as a list of ``n`` items, or None if impossible."""
    if n == 1:
        return [got]
    if isinstance(got, (list, tuple)) or (
        isinstance(got, np.ndarray) and got.ndim >= 1
    ):
        items = list(got)
        return items if len(items) == n else None
    return None


def _numbers(g, w) -> np.ndarray | None:
    """Lenient conversion of one output to a float (or complex) array, or None."""
    try:
        with Quiet():
            g = np.asarray(g)
            if g.dtype.kind == "c" and not np.iscomplexobj(w):
                if np.any(g.imag != 0):
                    return None
                g = g.real
            if g.dtype.kind not in "biuf" + ("c" if np.iscomplexobj(w) else ""):
                return None
            return g.astype(complex if np.iscomplexobj(w) else float)
    except Exception:  # ragged lists, objects numpy cannot convert
        return None


def _lenient(got, want) -> list | None:
    """All outputs as arrays (lists accepted), or None if they cannot be compared."""
    want_t = _as_tuple(want)
    items = _split(got, len(want_t))
    if items is None:
        return None
    out = []
    for g, w in zip(items, want_t):
        g = _numbers(g, w)
        if g is None or g.shape != np.shape(w):
            return None
        out.append(g)
    return out


def _same(a, b, rtol, atol, nan_ok=False) -> bool:
    """Outputs ``a`` (converted) equal ``b`` within tolerance."""
    try:
        with Quiet():
            for x, y in zip(a, _as_tuple(b)):
                y = np.asarray(y)
                if x.shape != y.shape:
                    return False
                if not nan_ok and not np.all(np.isfinite(x)):
                    return False
                if not np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=nan_ok):
                    return False
        return len(a) == len(_as_tuple(b))
    except Exception:
        return False


def _finite_parts(alt) -> list:
    try:
        with Quiet():
            return [np.asarray(x, dtype=complex) for x in _as_tuple(alt)]
    except Exception:
        return [np.array(np.nan)]


def _strict_problem(got, want, labels, hints: dict) -> str | None:
    """What is wrong with the form of the answer (not its values), or None."""
    want_t = _as_tuple(want)
    n = len(want_t)
    names = _names(labels, n)
    if got is None:
        return "returned None: is the `return` statement missing?"
    if n > 1:
        listing = f"the {n} values ({', '.join(names)})"
        if isinstance(got, dict):
            return f"returned a dict; return {listing} as a tuple, in that order"
        items = _split(got, n)
        if items is None:
            try:
                count = len(got) if isinstance(got, (list, tuple, np.ndarray)) else 1
            except TypeError:  # a 0-d array
                count = 1
            plural = "value" if count == 1 else "values"
            return f"returned {count} {plural}, expected {n} ({', '.join(names)})"
    else:
        if isinstance(got, tuple) and len(got) != 1:
            if np.ndim(want_t[0]) == 0 or not all(np.isscalar(x) for x in got):
                return f"returned {len(got)} values, expected 1 ({names[0]})"
        items = [got]
    for k, (g, w) in enumerate(zip(items, want_t)):
        label = names[k]
        w = np.asarray(w)
        shape = None
        if isinstance(g, np.ndarray) or np.isscalar(g):
            shape = np.shape(g)
        for (index, wrong_shape), message in hints.items():
            if index == k and shape == wrong_shape:
                return message
        if g is None:
            return f"{label} is None"
        if isinstance(g, dict):
            return f"{label} is a dict, not numbers"
        if isinstance(g, (str, bytes)):
            return f"{label} is a string, not numbers"
        if isinstance(g, (list, tuple)):
            kind = type(g).__name__
            if _numbers(g, w) is None:
                return (
                    f"{label} is a {kind} numpy cannot turn into an array of numbers "
                    "(ragged, or not numbers)"
                )
            if w.ndim == 0:
                return f"{label} is a {kind}, expected a single number"
            return f"{label} is a {kind}, not a numpy array: wrap it in np.array(...)"
        try:
            with Quiet():
                arr = np.asarray(g)
        except Exception:
            return f"{label} is not numeric (got {type(g).__name__})"
        if arr.dtype.kind == "c" and not np.iscomplexobj(w):
            return (
                f"{label} is complex: the answer is real (take .real only if the "
                "imaginary part is rounding)"
            )
        if arr.dtype.kind not in "biufc":
            what = "dtype object: ragged?" if arr.dtype.kind == "O" else arr.dtype
            return f"{label} is not numeric (got {type(g).__name__}, {what})"
        if arr.shape != w.shape:
            if w.ndim == 0:
                return f"{label} has shape {arr.shape}, expected a single number"
            return f"{label} has shape {arr.shape}, expected {w.shape}"
        with Quiet():
            bad = ~np.isfinite(arr)
        if np.any(bad):
            return f"{label} contains NaN or inf"
    return None


# ------------------------------------------------------------------ diagnosis
@dataclass
class _Run:
    where: str  # "case 2 of 3" or "edge case: b = 0"
    case: dict
    got: Any
    want: Any
    labels: Sequence[str] = ()


def _ratio(gs, ws, atol) -> float | None:
    """The constant ratio g/w over all values (at least 3 of them), else None."""
    g = np.concatenate([np.ravel(x) for x in gs]).real
    w = np.concatenate([np.ravel(np.asarray(x, dtype=complex)) for x in ws]).real
    if g.size != w.size or not np.all(np.isfinite(g)):
        return None
    big = np.abs(w) > 1e-8 * max(1.0, np.abs(w).max())
    if big.sum() < 3 or not np.allclose(g[~big], 0, atol=max(atol, 1e-12)):
        return None
    ratio = g[big] / w[big]
    r0 = float(np.median(ratio))
    if not np.allclose(ratio, r0, rtol=1e-6, atol=0) or abs(r0 - 1) < 1e-6 or r0 == 0:
        return None
    return r0


def _describe(k, runs, lenient, rtol, atol, single, scalar_value=False) -> str:
    """What is wrong with output ``k`` of the first failing run (values compared)."""
    first = runs[0]
    g = lenient[0][k]
    w = np.asarray(_as_tuple(first.want)[k])
    s = "yours" if single else _names(first.labels, k + 1)[k]
    with Quiet():
        if g.size and np.all(g == 0) and np.any(w != 0):
            return f"{s} is all zeros"
        for arg, v in first.case.items():
            same_shape = isinstance(v, np.ndarray) and v.shape == g.shape
            if same_shape and np.array_equal(v, g):
                return f"{s} is the input `{arg}` unchanged"
        if np.allclose(g, -w, rtol=rtol, atol=atol):
            return "right size, wrong sign" if single else f"{s} has the wrong sign"
        if g.ndim == 2 and g.shape == g.T.shape and np.allclose(g, w.T, rtol, atol):
            return f"{s} is transposed"
        r = _ratio(
            [lv[k] for lv in lenient], [_as_tuple(x.want)[k] for x in runs], atol
        )
        if r is not None and abs(r - 1) < _NEAR:
            return (
                f"{s} {'are' if single else 'is'} close but {r:.6g} times the "
                "reference in every case (a rounded constant?)"
            )
        if r is not None and (g.ndim > 0 or len(runs) >= 3):
            cases = "" if g.ndim > 0 else f" in all {len(runs)} cases"
            return (
                f"off by a constant factor: {s} {'are' if single else 'is'} "
                f"{r:.4g} times the reference{cases}"
            )
        scale = max(float(np.max(np.abs(w))) if w.size else 0.0, atol)
        err = float(np.max(np.abs(g - w))) if g.size else 0.0
        rel = err / scale
        if rel < _NEAR:
            if scalar_value:
                return f"close: relative error {_sci(rel)} — rounded by hand?"
            return (
                f"{s} {'are' if single else 'is'} close but not equal: relative "
                f"error {_sci(rel)} (a rounded constant?)"
            )
        return f"{s} differs from the reference (largest deviation {err:.3g})"


def _sci(x: float) -> str:
    """``3e-4`` rather than ``0.0003`` or ``3e-04``."""
    mant, exp = f"{x:.0e}".split("e")
    return f"{mant}e{int(exp)}"


def _diagnose(runs, mistakes, rtol, atol, labels, hints, scalar_value=False) -> str:
    """One sentence on what is wrong; ``runs[0]`` is the first failing case."""
    first = runs[0]
    want_t = _as_tuple(first.want)
    names = _names(labels, len(want_t))
    if first.got is None:
        return "returned None: is the `return` statement missing?"
    hinted = _strict_problem(first.got, first.want, labels, hints)
    if hinted is not None and hinted in hints.values():
        return hinted
    # a known mistake: the answer equals it wherever it can be computed
    for m in mistakes:
        seen = False
        for i, run in enumerate(runs):
            try:
                with Quiet():
                    alt = m.wrong(**run.case)
            except Exception:  # a mistake model that does not apply to this case
                if i == 0:
                    break
                continue
            conv = _lenient(run.got, alt)
            if i == 0:  # the failing case: the mistake must explain the failure
                ref = _lenient(alt, run.want)
                if (
                    conv is None
                    or not _same(conv, alt, rtol, atol, nan_ok=True)
                    or (ref is not None and _same(ref, run.want, rtol, atol))
                ):
                    break
            if conv is not None and _same(conv, alt, rtol, atol):
                seen = True  # equal, finite: evidence for this mistake
                continue
            if conv is not None and _same(conv, alt, rtol, atol, nan_ok=True):
                continue  # equal, NaN at the same places: consistent
            if conv is not None and not all(
                np.all(np.isfinite(x)) for x in conv + _finite_parts(alt)
            ):
                continue  # NaN on one side only: the case cannot tell
            break
        else:
            if seen:
                return m.message
    values = _lenient(first.got, first.want)
    if hinted is not None:
        if values is not None and _same(values, first.want, rtol, atol):
            return f"{hinted} (the values are right)"
        return hinted
    if values is None:  # defensive: _strict_problem accepts only comparable answers
        return "cannot be compared with the reference"
    lenient = [_lenient(r.got, r.want) for r in runs]
    usable = [i for i, lv in enumerate(lenient) if lv is not None]
    runs = [runs[i] for i in usable]
    lenient = [lenient[i] for i in usable]
    differ = [
        k
        for k in range(len(want_t))
        if not _same([values[k]], (want_t[k],), rtol, atol)
    ]
    if len(want_t) == 1:
        return _describe(0, runs, lenient, rtol, atol, True, scalar_value)
    if len(differ) == len(want_t) and _same(
        values, tuple(-np.asarray(w) for w in want_t), rtol, atol
    ):
        return "right size, wrong sign (every output)"
    parts = [_describe(k, runs, lenient, rtol, atol, False) for k in differ]
    right = [names[k] for k in range(len(want_t)) if k not in differ]
    if right:
        parts.append(f"{_join(right)} match{'es' if len(right) == 1 else ''}")
    return "; ".join(parts)


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _passed_message(n_random: int, edges: Sequence[str]) -> str:
    msg = f"matches the reference on {n_random} random cases"
    if edges:
        s = "s" if len(edges) > 1 else ""
        msg += f" and {len(edges)} edge case{s} ({'; '.join(edges)})"
    return msg


def check_function(
    name: str,
    student: Callable,
    reference: Callable,
    cases: Iterable[dict],
    mistakes: Sequence[Mistake] = (),
    rtol: float = 1e-7,
    atol: float = 1e-10,
    labels: Sequence[str] = (),
    edges: Sequence[tuple[str, dict]] = (),
    hints: Callable[[dict], dict] | None = None,
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
        Names of the outputs, used in messages (for example ``("dWx", "dWh")``).
    edges : sequence of (str, dict)
        Edge cases the exercise names, each with a short description (``"b = 0"``);
        they run after the random cases and are listed in the verdict.
    hints : callable, optional
        ``hints(case)`` returns ``{(output index, wrong shape): message}`` for wrong
        shapes that have a known cause.

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
    >>> check_function("double", lambda x: list(2 * x), ref, cases)
    ✘ double: output 1 is a list, not a numpy array: wrap it in np.array(...) \
(the values are right) (case 1 of 2)
    >>> check_function("double", lambda x: 2 * x, ref, cases, edges=[("x = 0", \
{"x": np.zeros(2)})])
    ✔ double: matches the reference on 2 random cases and 1 edge case (x = 0)
    """
    if not callable(student):
        raise TypeError(f"student must be a function, got {type(student).__name__}")
    cases = list(cases)
    n = len(cases)
    todo = [(f"case {k} of {n}", c) for k, c in enumerate(cases, start=1)]
    todo += [(f"edge case: {d}", c) for d, c in edges]
    runs: list[_Run] = []
    failed_at = None
    crash = None
    for where, case in todo:
        with Quiet():
            want = reference(**case)
        try:
            got = student(**{key: _copy(v) for key, v in case.items()})
        except NotImplementedError:
            return CheckResult(
                name, TODO, "the function still raises NotImplementedError"
            )
        except Exception as exc:  # report, never crash the student's notebook
            crash = f"raised {type(exc).__name__}: {_one_line(exc)} ({where})"
            break
        runs.append(_Run(where, case, got, want, labels))
        if failed_at is None and not _passes(got, want, labels, rtol, atol):
            failed_at = len(runs) - 1
    if failed_at is None and crash is not None:
        return CheckResult(name, FAIL, crash)
    if failed_at is None:
        return CheckResult(name, PASS, _passed_message(n, [d for d, _ in edges]))
    first = runs[failed_at]
    try:
        why = _diagnose(
            [first] + runs[:failed_at] + runs[failed_at + 1 :],
            mistakes,
            rtol,
            atol,
            labels,
            hints(first.case) if hints else {},
        )
    except Exception:  # a diagnosis must never crash the notebook either
        why = "differs from the reference"
    return CheckResult(name, FAIL, f"{why} ({first.where})")


def _passes(got, want, labels, rtol, atol) -> bool:
    try:
        if _strict_problem(got, want, labels, {}) is not None:
            return False
        values = _lenient(got, want)
        return values is not None and _same(values, want, rtol, atol)
    except Exception:
        return False


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
    >>> check_value("root", 0.7071, 2**-0.5)
    ✘ root: close: relative error 1e-5 — rounded by hand?
    """
    if value is Ellipsis or value is None:
        return CheckResult(name, TODO, "no answer yet (replace the ...)")
    if isinstance(expected, (list, tuple)):
        expected = np.asarray(expected, dtype=float)
    if isinstance(value, (list, tuple)):  # a typed-in list of numbers is fine here
        try:
            value = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            pass
    if _passes(value, expected, (), rtol, atol) or _same(
        _lenient(value, expected) or [], expected, rtol, atol
    ):
        return CheckResult(name, PASS, "matches the expected value")
    models = [Mistake(msg, lambda wrong=wrong: wrong) for msg, wrong in mistakes]
    try:
        why = _diagnose(
            [_Run("", {}, value, expected, ("your value",))],
            models,
            rtol,
            atol,
            ("your value",),
            {},
            scalar_value=True,
        )
    except Exception:
        why = "differs from the expected value"
    why = why.replace("the reference", "the expected value")
    return CheckResult(name, FAIL, why)


def _copy(v):
    return v.copy() if isinstance(v, np.ndarray) else v
