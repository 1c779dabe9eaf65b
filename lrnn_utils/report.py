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

__all__ = ["fmt_bound", "fmt_below", "shown"]


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


def fmt_below(x, bound: float = 1e-12) -> str:
    """A rounding-level deviation, shown as the bound it is asserted to stay below.

    The measured size of a rounding-level residual (``3e-16`` here, ``1e-15`` on a
    processor whose BLAS kernel sums in another order, exactly ``0`` on a third) is
    not a property of the mathematics, so the book never prints it: it prints the
    bound, which holds on every machine, and raises if the deviation is not below it
    (so the printing cell is itself an assertion).

    Parameters
    ----------
    x : float or array_like
        A deviation, or an array whose largest magnitude is used.
    bound : float, default 1e-12
        The bound; must be ``> 0``.

    Returns
    -------
    str
        ``"below <bound>"``.

    Raises
    ------
    TypeError
        If ``x`` or ``bound`` is not numeric.
    ValueError
        If ``x`` is empty or not finite, ``bound`` is not positive and finite, or
        ``|x|`` is not below ``bound``.

    Examples
    --------
    >>> fmt_below(3.1e-15)
    'below 1e-12'
    >>> fmt_below([0.0, -2e-13], bound=1e-10)
    'below 1e-10'
    """
    arr = _check_x(x)
    bound = check_finite_scalar(bound, "bound", positive=True)
    val = float(np.max(np.abs(arr)))
    if not val < bound:
        raise ValueError(f"x = {val:.3e} is not below the bound {bound:.0e}")
    return f"below {bound:.0e}".replace("e-0", "e-")


def shown(x, spec: str) -> float:
    """``x`` rounded to the digits the prose shows, for gluing into the text.

    A glued value is saved in the notebook and compared by strict nbval; its last
    digits depend on the processor's BLAS kernel, the digits the prose prints do not.

    Parameters
    ----------
    x : float
        The computed value.
    spec : str
        The format specification the prose uses, e.g. ``".2f"`` or ``".1e"``.

    Returns
    -------
    float

    Examples
    --------
    >>> shown(40.82896929509427, ".0f")
    41.0
    >>> shown(1.5620622944507193e-08, ".1e")
    1.6e-08
    """
    x = check_finite_scalar(x, "x")
    check_instance(spec, str, "spec")
    return float(format(x, spec))


def _check_x(x) -> np.ndarray:
    arr = as_finite_array(x, "x")
    if arr.size == 0:
        raise ValueError("x must not be empty")
    return arr
