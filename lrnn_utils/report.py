"""Formatting numbers for the book's printed outputs.

Committed notebook outputs are compared cell by cell by ``pytest --nbval``.
Deviations at rounding level (1e-15 and the like) depend on the BLAS build and
the processor, so the book never prints them raw: :func:`fmt_bound` shows them
as a bound (``< 1e-12``) while the notebook asserts the same bound.  Numbers
above the floor are printed normally and are compared exactly.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_finite_array, check_finite_scalar, check_instance

__all__ = ["fmt_bound", "fmt_measured"]


def fmt_bound(x, floor: float = 1e-12, spec: str = ".1e") -> str:
    """Format ``x``; a magnitude below ``floor`` is shown as ``"< floor"``.

    Parameters
    ----------
    x : float or array_like
        A number, or an array whose largest magnitude is formatted.
    floor : float, default 1e-12
        Values with ``|x| < floor`` print as e.g. ``"< 1e-12"``.
    spec : str, default ".1e"
        Format specification for values at or above the floor.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``x`` or ``floor`` is not numeric, or ``spec`` not a string.
    ValueError
        If ``x`` is empty or not finite, or ``floor`` is not positive and finite.
    """
    arr = _check_x(x)
    floor = check_finite_scalar(floor, "floor", positive=True)
    check_instance(spec, str, "spec")
    val = float(np.max(np.abs(arr))) if arr.ndim else float(arr)
    if abs(val) < floor:
        return f"< {floor:.0e}"
    return format(val, spec)


def fmt_measured(x, bound: float = 1e-12) -> str:
    """A rounding-level deviation as its order of magnitude next to the asserted bound.

    The decade ``10^round(log10 |x|)`` is what the reader needs ("about 1e-15, far
    below the bound"), and unlike the raw digits it does not change between runs on
    the pinned environment.  Exact zero prints as ``0``.

    Parameters
    ----------
    x : float or array_like
        A deviation, or an array whose largest magnitude is used.
    bound : float, default 1e-12
        The bound the notebook asserts; must be ``> 0``.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``x`` or ``bound`` is not numeric.
    ValueError
        If ``x`` is empty or not finite, ``bound`` is not positive and finite, or
        ``|x|`` is not below ``bound`` (the caller's assertion would fail: say so
        here too).

    Examples
    --------
    >>> fmt_measured(3.1e-15)
    '~1e-15 (bound 1e-12)'
    >>> fmt_measured(0.0, bound=1e-10)
    '0 (bound 1e-10)'
    """
    arr = _check_x(x)
    bound = check_finite_scalar(bound, "bound", positive=True)
    val = float(np.max(np.abs(arr)))
    if not val < bound:
        raise ValueError(f"x = {val:.3e} is not below the bound {bound:.0e}")
    if val == 0:
        return f"0 (bound {bound:.0e})"
    return f"~1e{int(np.round(np.log10(val))):+03d} (bound {bound:.0e})".replace(
        "e+0", "e"
    ).replace("e-0", "e-")


def _check_x(x) -> np.ndarray:
    arr = as_finite_array(x, "x")
    if arr.size == 0:
        raise ValueError("x must not be empty")
    return arr
