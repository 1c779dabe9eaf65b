"""Input checks shared by every module of :mod:`lrnn_utils`.

The helpers here turn bad input into an exception whose message names the
argument and says what is wrong, and turn a diverging optimisation into a
:class:`TrainingDivergedError` that carries the step and the offending
quantity, so that no function of the package silently returns NaN.

Exception policy (as scikit-learn's ``check_scalar``):

* a **wrong type** (a string where a number is expected, a complex array, a
  float where an integer is expected, ...) raises :class:`ArgumentTypeError`;
* a **wrong value** (wrong shape, NaN/inf, empty array, ``T < 1``, a
  non-positive learning rate, an unknown name, too few samples, ...) raises
  :class:`ValueError`.

:class:`ArgumentTypeError` subclasses **both** :class:`TypeError` and
:class:`ValueError` (as :class:`numpy.exceptions.AxisError` does): new code
can catch ``TypeError`` while code written when every bad input raised
``ValueError`` keeps working.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["TrainingDivergedError", "ArgumentTypeError"]

#: Weights or losses above this magnitude count as diverged.
DIVERGENCE_LIMIT = 1e150


class ArgumentTypeError(TypeError, ValueError):
    """An argument has the wrong type (e.g. a string where an array is expected).

    Subclasses both :class:`TypeError` (the right exception for a wrong type)
    and :class:`ValueError` (what the package raised for every bad input
    before), so ``except TypeError`` and ``except ValueError`` both catch it.

    Examples
    --------
    >>> try:
    ...     check_finite_scalar("fast", "lr")
    ... except TypeError as err:
    ...     print(err)
    lr must be a real number, got str 'fast'
    >>> issubclass(ArgumentTypeError, ValueError)
    True
    """


class TrainingDivergedError(FloatingPointError):
    """Raised when gradient descent produces non-finite or exploding values.

    Attributes
    ----------
    step : int
        The update step at which divergence was detected (0 = the initial
        weights, ``k`` = after ``k`` updates).
    quantity : str
        Name of the offending quantity (``"loss"``, ``"Wh"``, ``"b"``, ...).
    value : float or None
        Its offending value (``nan``, ``inf`` or the magnitude above the
        limit), when known.
    index : int or None
        For a batch of networks, the (flat) index of the first network that
        diverged; ``None`` for a single network.

    Examples
    --------
    >>> err = TrainingDivergedError(12, "loss", value=float("inf"))
    >>> err.step, err.quantity, err.value
    (12, 'loss', inf)
    >>> print(err)
    training diverged at step 12: loss became non-finite or exceeded 1e150
    """

    def __init__(
        self,
        step: int,
        what: str,
        hint: str = "",
        value: float | None = None,
        index: int | None = None,
    ):
        self.step = int(step)
        self.quantity = str(what)
        self.value = None if value is None else float(value)
        self.index = None if index is None else int(index)
        msg = (
            f"training diverged at step {self.step}: {self.quantity} "
            "became non-finite or exceeded 1e150"
        )
        if self.index is not None:
            msg += f" in network {self.index}"
        if hint:
            msg += f" ({hint})"
        super().__init__(msg)

    @property
    def what(self) -> str:
        """Alias of :attr:`quantity`."""
        return self.quantity


def _type_name(x) -> str:
    return type(x).__name__


def as_finite_array(
    x, name: str, ndim: int | None = None, min_ndim: int | None = None
) -> np.ndarray:
    """Convert ``x`` to a float array and check it is finite (and its rank).

    Raises
    ------
    ArgumentTypeError
        ``x`` is not real-numeric (``None``, strings, dates, complex numbers
        with a non-zero imaginary part, ...).
    ValueError
        Wrong number of dimensions, or NaN/inf entries.

    Examples
    --------
    >>> as_finite_array([1, 2], "s")
    array([1., 2.])
    >>> as_finite_array([1.0, float("nan")], "s")
    Traceback (most recent call last):
    ...
    ValueError: s contains non-finite values (NaN or inf)
    """
    if x is None or isinstance(x, (str, bytes)):
        raise ArgumentTypeError(
            f"{name} must be a real number or array, got {_type_name(x)}"
        )
    if isinstance(x, np.ma.MaskedArray):
        # the values under the mask would be used (or a NaN there ignored) silently
        raise ArgumentTypeError(
            f"{name} must not be a masked array; fill it first (x.filled(value))"
        )
    if type(x) is np.ndarray and x.dtype.kind in "fiu":
        arr = x.astype(float, copy=False)
    else:  # np.matrix and other subclasses become plain arrays (matrix * is @)
        try:
            raw = np.asarray(x)
        except (TypeError, ValueError) as exc:
            raise ArgumentTypeError(
                f"{name} must be numeric, got {_type_name(x)}"
            ) from exc
        if raw.dtype.kind == "c":
            if np.any(np.imag(raw) != 0):
                raise ArgumentTypeError(
                    f"{name} must be real-valued, got complex values"
                )
            raw = np.real(raw)  # e.g. eigenvalues returned as complex with zero imag
        elif raw.dtype.kind == "O" and any(v is None for v in raw.flat):
            raise ArgumentTypeError(f"{name} must be numeric, got an entry None")
        elif raw.dtype.kind in "USVMm":
            raise ArgumentTypeError(
                f"{name} must be numeric, got an array of dtype {raw.dtype}"
            )
        try:
            arr = raw.astype(float)
        except (TypeError, ValueError) as exc:
            raise ArgumentTypeError(
                f"{name} must be numeric, got {_type_name(x)}"
            ) from exc
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if min_ndim is not None and arr.ndim < min_ndim:
        raise ValueError(
            f"{name} must have at least {min_ndim} dimension(s), got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite values (NaN or inf)")
    return arr


def check_positive_int(n, name: str, minimum: int = 1) -> int:
    """Check that ``n`` is an integer >= ``minimum`` and return it as ``int``.

    An integral float (``3.0``) is accepted; ``2.5``, ``True`` or ``"3"`` raise
    :class:`ArgumentTypeError`, a too-small integer raises :class:`ValueError`.

    Examples
    --------
    >>> check_positive_int(3.0, "T")
    3
    >>> check_positive_int(0, "T")
    Traceback (most recent call last):
    ...
    ValueError: T must be >= 1, got 0
    """
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral):
        if (
            isinstance(n, numbers.Real)
            and not isinstance(n, (bool, np.bool_))
            and np.isfinite(float(n))
            and float(n).is_integer()
        ):
            n = int(n)
        else:
            raise ArgumentTypeError(f"{name} must be an integer, got {n!r}")
    if n < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {n}")
    return int(n)


def check_finite_scalar(x, name: str, positive: bool = False) -> float:
    """Check that ``x`` is a finite real scalar (optionally > 0).

    Examples
    --------
    >>> check_finite_scalar(0.5, "lr", positive=True)
    0.5
    >>> check_finite_scalar(-0.5, "lr", positive=True)
    Traceback (most recent call last):
    ...
    ValueError: lr must be > 0, got -0.5
    """
    if isinstance(x, (str, bytes, bool, np.bool_, complex, np.complexfloating)):
        raise ArgumentTypeError(
            f"{name} must be a real number, got {_type_name(x)} {x!r}"
        )
    if isinstance(x, np.ndarray) and x.size != 1:
        raise ValueError(f"{name} must be a scalar, got an array of shape {x.shape}")
    try:
        val = float(x)
    except (TypeError, ValueError) as exc:
        raise ArgumentTypeError(
            f"{name} must be a real number, got {_type_name(x)} {x!r}"
        ) from exc
    if not np.isfinite(val):
        raise ValueError(f"{name} must be finite, got {val}")
    if positive and val <= 0:
        raise ValueError(f"{name} must be > 0, got {val}")
    return val


def check_choice(value, name: str, choices) -> str:
    """Check that ``value`` is one of the strings ``choices`` and return it.

    Examples
    --------
    >>> check_choice("raise", "on_divergence", ("raise", "mask"))
    'raise'
    >>> check_choice("ignore", "on_divergence", ("raise", "mask"))
    Traceback (most recent call last):
    ...
    ValueError: unknown on_divergence 'ignore'; expected one of raise, mask
    """
    if not isinstance(value, str):
        raise ArgumentTypeError(
            f"{name} must be a string, one of {', '.join(choices)}; "
            f"got {_type_name(value)}"
        )
    if value not in choices:
        raise ValueError(
            f"unknown {name} {value!r}; expected one of {', '.join(choices)}"
        )
    return value


def check_instance(obj, cls, name: str, hint: str = ""):
    """Check ``isinstance(obj, cls)``; raise :class:`ArgumentTypeError` otherwise."""
    if not isinstance(obj, cls):
        names = (
            cls.__name__ if isinstance(cls, type) else "/".join(c.__name__ for c in cls)
        )
        msg = f"{name} must be a {names}, got {_type_name(obj)}"
        if hint:
            msg += f" ({hint})"
        raise ArgumentTypeError(msg)
    return obj


def check_rng(rng) -> np.random.Generator:
    """``rng`` if it is a ``numpy.random.Generator`` (ArgumentTypeError otherwise)."""
    return check_instance(
        rng, np.random.Generator, "rng", "e.g. numpy.random.default_rng(0)"
    )


def check_diverged(step: int, hint: str = "", **arrays) -> None:
    """Raise :class:`TrainingDivergedError` if any array is non-finite or huge."""
    for name, arr in arrays.items():
        arr = np.asarray(arr)
        if np.all(np.isfinite(arr)) and not np.any(np.abs(arr) > DIVERGENCE_LIMIT):
            continue
        flat = np.ravel(arr)
        bad = ~np.isfinite(flat) | (np.abs(flat) > DIVERGENCE_LIMIT)
        raise TrainingDivergedError(step, name, hint, value=flat[np.argmax(bad)])


def record_steps(steps: int, record_every: int) -> np.ndarray:
    """Step indices at which a trajectory is recorded: 0, r, 2r, ... and ``steps``."""
    steps = check_positive_int(steps, "steps", minimum=0)
    record_every = check_positive_int(record_every, "record_every", minimum=1)
    idx = np.arange(0, steps + 1, record_every)
    if idx[-1] != steps:
        idx = np.append(idx, steps)
    return idx


def check_mode_vector(x, K: int, name: str) -> np.ndarray:
    arr = as_finite_array(x, name)
    if arr.ndim == 0:
        return np.full(K, float(arr))
    if arr.shape != (K,):
        raise ValueError(
            f"{name} must be a scalar or have shape ({K},), got {arr.shape}"
        )
    return arr


def check_maps(M, name="M") -> np.ndarray:
    M = as_finite_array(M, name, ndim=3)
    if M.shape[0] < 1:
        raise ValueError(
            f"{name} must contain at least one time step, got shape {M.shape}"
        )
    return M
