"""Input checks shared by every module of :mod:`lrnn_utils`.

The helpers here turn bad input into a :class:`ValueError` whose message says
what is wrong, and turn a diverging optimisation into a
:class:`TrainingDivergedError` that names the step, so that no function of
the package silently returns NaN.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TrainingDivergedError"]


class TrainingDivergedError(FloatingPointError):
    """Raised when gradient descent produces non-finite or exploding values.

    Attributes
    ----------
    step : int
        The (1-based) update step at which divergence was detected.
    """

    def __init__(self, step: int, what: str, hint: str = ""):
        self.step = int(step)
        msg = f"training diverged at step {self.step}: {what} became non-finite or exceeded 1e150"
        if hint:
            msg += f" ({hint})"
        super().__init__(msg)


DIVERGENCE_LIMIT = 1e150


def as_finite_array(
    x, name: str, ndim: int | None = None, min_ndim: int | None = None
) -> np.ndarray:
    """Convert ``x`` to a float array and check it is finite (and its rank)."""
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric, got {type(x).__name__}") from exc
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
    """Check that ``n`` is an integer >= ``minimum`` and return it as ``int``."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        if isinstance(n, (float, np.floating)) and float(n).is_integer():
            n = int(n)
        else:
            raise ValueError(f"{name} must be an integer, got {n!r}")
    if n < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {n}")
    return int(n)


def check_finite_scalar(x, name: str, positive: bool = False) -> float:
    """Check that ``x`` is a finite real scalar (optionally > 0)."""
    try:
        val = float(x)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real number, got {x!r}") from exc
    if not np.isfinite(val):
        raise ValueError(f"{name} must be finite, got {val}")
    if positive and val <= 0:
        raise ValueError(f"{name} must be > 0, got {val}")
    return val


def check_diverged(step: int, hint: str = "", **arrays) -> None:
    """Raise :class:`TrainingDivergedError` if any array is non-finite or huge."""
    for name, arr in arrays.items():
        arr = np.asarray(arr)
        if not np.all(np.isfinite(arr)) or np.any(np.abs(arr) > DIVERGENCE_LIMIT):
            raise TrainingDivergedError(step, name, hint)


def record_steps(steps: int, record_every: int) -> np.ndarray:
    """Step indices at which a trajectory is recorded: 0, r, 2r, ... and ``steps``."""
    steps = check_positive_int(steps, "steps", minimum=0)
    record_every = check_positive_int(record_every, "record_every", minimum=1)
    idx = np.arange(0, steps + 1, record_every)
    if idx[-1] != steps:
        idx = np.append(idx, steps)
    return idx
