"""A picture of the student's function next to the reference.

``CheckResult.plot()`` draws, for the checks that have one, a curve made from the
student's function (solid band) over the same curve made from the reference (dashed, in
a darker shade), so that a student sees *where* an answer goes wrong, not only that it
does. The curve is computed on fixed inputs, so the figure is the same on every run.

While the answer is still the stub, or when it raises or returns something that cannot
be drawn, nothing is drawn and nothing is raised: the student edition runs every plot
cell with the stubs in place.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ._core import Quiet

__all__: list[str] = []


def _curve(fn, curve):
    """``(x, Y)`` of ``curve(fn)`` as float arrays (``Y`` of shape (n, k)), or None."""
    try:
        with Quiet():
            x, y = curve(fn)
            x = np.asarray(x, dtype=float)
            y = np.asarray(y, dtype=float)
    except Exception:  # the stub, a crash, a value that is not numbers
        return None
    if y.ndim == 1:
        y = y[:, None]
    if x.ndim != 1 or y.ndim != 2 or y.shape[0] != x.size:
        return None
    return x, y


def plot_comparison(
    student: Callable,
    reference: Callable,
    curve: Callable,
    xlabel: str,
    ylabel: str,
    labels=(),
    logy: bool = False,
    ax=None,
):
    """Draw ``curve(student)`` (solid) over ``curve(reference)`` (dashed, darker).

    Parameters
    ----------
    student, reference : callable
        The student's function and the reference, same signature.
    curve : callable
        ``curve(fn)`` returns ``(x, Y)``: the abscissa, shape ``(n,)``, and one or
        several curves made with ``fn``, shape ``(n,)`` or ``(n, k)``.
    xlabel, ylabel : str
        Axis labels.
    labels : sequence of str
        Legend label of each curve (optional).
    logy : bool
        Logarithmic vertical axis.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes or None
        None, with nothing drawn, when the student's function raises (the stub
        included) or its curve cannot be drawn (wrong shape, not numbers).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ref = lambda x: x**2
    >>> curve = lambda f: (np.linspace(0, 1, 5), f(np.linspace(0, 1, 5)))
    >>> plot_comparison(ref, ref, curve, "x", "y") is not None
    True
    >>> def stub(x):
    ...     raise NotImplementedError()
    >>> plot_comparison(stub, ref, curve, "x", "y") is None
    True
    """
    import matplotlib.pyplot as plt

    from .. import plotting

    theirs = _curve(student, curve)
    ours = _curve(reference, curve)
    if theirs is None or ours is None or theirs[1].shape != ours[1].shape:
        return None
    x, y_ref = ours
    y = theirs[1]
    if ax is None:
        _, ax = plt.subplots(figsize=(5.6, 3.4), layout="constrained")
    colors = plotting.condition_colors(y.shape[1])
    for j in range(y.shape[1]):
        label = labels[j] if j < len(labels) else None
        with Quiet():
            finite = np.where(np.isfinite(y[:, j]), y[:, j], np.nan)
            if logy:
                finite = np.where(finite > 0, finite, np.nan)
        plotting.plot_sim_and_theory(
            ax, x, finite, y_ref[:, j], color=colors[j], label=label
        )
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    plotting.add_style_legend(ax, "your function", "reference", fontsize=8)
    return ax
