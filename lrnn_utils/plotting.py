"""The book's figure conventions.

* a colour cycle that stays distinguishable under colour-vision deficiencies
  (:data:`CYCLE`, Okabe & Ito's palette; checked in ``tests/test_palette.py``),
* one colour per condition (:func:`condition_colors`),
* simulation drawn solid, theory dashed (:func:`plot_sim_and_theory`),
* axes always labelled.

Matplotlib is imported lazily so that the numerical modules do not need it.
"""

from __future__ import annotations

import numpy as np

from ._validation import ArgumentTypeError, check_finite_scalar, check_positive_int

__all__ = [
    "CYCLE",
    "SIM_STYLE",
    "THEORY_STYLE",
    "use_book_style",
    "condition_colors",
    "darker",
    "plot_sim_and_theory",
    "add_style_legend",
]

#: The book's colour cycle (``axes.prop_cycle`` of :func:`use_book_style`): Okabe
#: and Ito's colour-blind-safe palette (blue, vermillion, bluish green, reddish
#: purple, orange, sky blue, black; its yellow is left out, too light on white).
#: Matplotlib's default cycle confuses its orange, green and red under protanopia
#: and deuteranopia.
CYCLE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
)

#: Line style of simulated (trained) quantities: a broad, translucent solid band.
SIM_STYLE = {"linestyle": "-", "linewidth": 4.5, "alpha": 0.5, "solid_capstyle": "butt"}
#: Line style of theoretical predictions: a thin dashed line, drawn on top of the band
#: in a darker shade of the same colour, so theory stays visible where it coincides
#: with simulation.
THEORY_STYLE = {"linestyle": (0, (4, 2.5)), "linewidth": 1.6}


def use_book_style() -> None:
    """Apply the book's matplotlib defaults (font sizes, grid, figure size, colours).

    Examples
    --------
    >>> import matplotlib as mpl
    >>> use_book_style()
    >>> mpl.rcParams["axes.prop_cycle"].by_key()["color"][:2]
    ['#0072B2', '#D55E00']
    """
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(
        {
            "figure.figsize": (7.0, 3.4),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
            "legend.fontsize": 8,
            "legend.frameon": False,
            "axes.prop_cycle": cycler(color=list(CYCLE)),
        }
    )


def condition_colors(n: int, cmap: str = "viridis"):
    """``n`` distinct colours, one per condition, sampled from ``cmap``."""
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    n = check_positive_int(n, "n")
    if isinstance(cmap, str):
        if cmap not in mpl.colormaps:
            raise ValueError(f"unknown cmap {cmap!r}; see matplotlib.colormaps")
    elif not isinstance(cmap, mpl.colors.Colormap):
        raise ArgumentTypeError(
            f"cmap must be a colormap name or Colormap, got {type(cmap).__name__}"
        )
    cm = plt.get_cmap(cmap)
    return [cm(x) for x in np.linspace(0.0, 0.78, n)] if n > 1 else [cm(0.3)]


def darker(color, amount: float = 0.4):
    """The same hue mixed with black: ``(1 - amount) * rgb``.

    Parameters
    ----------
    color : matplotlib colour
    amount : float in [0, 1], default 0.4

    Returns
    -------
    tuple of float
        RGB triple.
    """
    from matplotlib.colors import to_rgb

    amount = check_finite_scalar(amount, "amount")
    if not 0.0 <= amount <= 1.0:
        raise ValueError(f"amount must lie in [0, 1], got {amount}")
    return tuple((1.0 - amount) * np.asarray(to_rgb(color)))


def plot_sim_and_theory(
    ax, x, sim, theory=None, color=None, label=None, theory_x=None, marker=None
):
    """Draw a simulated curve (solid band) and, optionally, its theory (dashed).

    Both use one colour, the theory in a darker shade.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    x : array_like
        Abscissa of the simulation (e.g. training time).
    sim : array_like
        Simulated values.
    theory : array_like or float, optional
        Theoretical values on ``theory_x`` (default ``x``); a scalar draws a
        horizontal dashed line (e.g. a fixed point).
    color, label : optional
        Colour shared by both curves (theory in a darker shade) and the legend
        label of the simulation.
    theory_x : array_like, optional
        Abscissa of the theory if it differs from ``x``.
    marker : str, optional
        Marker for the simulated points.

    Returns
    -------
    matplotlib.lines.Line2D
        The simulation line.
    """
    for name, values in (("x", x), ("sim", sim), ("theory", theory)):
        _check_data(values, name)
    extra = {"marker": marker, "markersize": 6} if marker else {}
    (line,) = ax.plot(x, sim, color=color, label=label, **SIM_STYLE, **extra)
    if theory is not None:
        style = dict(THEORY_STYLE, color=darker(line.get_color()))
        if np.ndim(theory) == 0:
            ax.axhline(float(theory), **style)
        else:
            ax.plot(x if theory_x is None else theory_x, theory, **style)
    return line


def _check_data(values, name: str) -> None:
    """Plotted data must be real numbers (NaN allowed: matplotlib leaves a gap)."""
    if values is None:
        return
    try:
        kind = "U" if isinstance(values, str) else np.asarray(values).dtype.kind
    except ValueError:  # ragged nested sequences
        kind = "O"
    if kind not in "biuf":
        raise ArgumentTypeError(
            f"{name} must hold real numbers (NaN allowed), got {type(values).__name__}"
        )


def add_style_legend(
    ax, sim_label: str = "simulation", theory_label: str = "theory", **kwargs
):
    """Legend entries for the two styles (solid band: simulation; dashed: theory)."""
    from matplotlib.lines import Line2D

    handles, labels = ax.get_legend_handles_labels()
    handles += [
        Line2D([], [], color="0.45", **SIM_STYLE),
        Line2D([], [], color="0.2", **THEORY_STYLE),
    ]
    labels += [sim_label, theory_label]
    return ax.legend(handles, labels, **kwargs)
