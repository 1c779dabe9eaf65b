"""The book's figure conventions.

* a colour cycle that stays distinguishable under colour-vision deficiencies
  (:data:`CYCLE`, Okabe & Ito's palette; checked in ``tests/test_palette.py``),
* one colour per condition (:func:`condition_colors`),
* simulation drawn solid, theory dashed (:func:`plot_sim_and_theory`),
* axes always labelled,
* no distinction carried by colour alone (:func:`colour_independent`, run on every
  figure the book draws by the hook that :func:`use_book_style` installs).

Matplotlib is imported lazily so that the numerical modules do not need it.
"""

from __future__ import annotations

import weakref

import numpy as np

from ._validation import ArgumentTypeError, check_finite_scalar, check_positive_int

__all__ = [
    "CYCLE",
    "SIM_STYLE",
    "MARKERS",
    "THEORY_STYLE",
    "use_book_style",
    "condition_colors",
    "darker",
    "plot_sim_and_theory",
    "add_style_legend",
    "MIN_LIGHTNESS_DIFFERENCE",
    "ColourOnlyWarning",
    "colour_independent",
    "check_colours_on_draw",
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


#: Markers that tell conditions apart where a legend names them (one per condition,
#: in order, e.g. on the simulation bands of :func:`plot_sim_and_theory` with
#: ``markevery``): so that no distinction rests on colour alone.
MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def use_book_style() -> None:
    """Apply the book's matplotlib defaults (font sizes, grid, figure size, colours).

    It also installs :func:`check_colours_on_draw` as a figure hook
    (``rcParams["figure.hooks"]``): every figure pyplot creates from then on is
    checked with :func:`colour_independent` each time it is drawn (when the inline
    backend displays it, or on ``savefig``), and each problem is emitted as a
    :class:`ColourOnlyWarning`, which strict nbval and the page check both reject.

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
            # every figure pyplot creates warns, when drawn, of a distinction
            # carried by colour alone (see colour_independent)
            "figure.hooks": [f"{__name__}:check_colours_on_draw"],
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
    ax,
    x,
    sim,
    theory=None,
    color=None,
    label=None,
    theory_x=None,
    marker=None,
    markevery=None,
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
        Marker for the simulated points (e.g. ``MARKERS[k]`` for condition ``k``,
        so that conditions differ by more than colour).
    markevery : int or float, optional
        Draw the marker on every ``markevery``-th point only (matplotlib's
        ``markevery``; a float is a fraction of the axes diagonal): long curves.

    Returns
    -------
    matplotlib.lines.Line2D
        The simulation line.
    """
    for name, values in (("x", x), ("sim", sim), ("theory", theory)):
        _check_data(values, name)
    extra = {"marker": marker, "markersize": 6} if marker else {}
    if marker and markevery is not None:
        extra["markevery"] = markevery
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
    """Legend entries for the two styles (solid band: simulation; dashed: theory).

    The two entries are grey: :func:`colour_independent` reads grey entries as keys
    to a style and does not compare them with the coloured conditions drawn in it.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = plot_sim_and_theory(ax, [0, 1], [0, 1], [0, 1], color=CYCLE[0], label="a")
    >>> leg = add_style_legend(ax, "network", "theory")
    >>> [t.get_text() for t in leg.get_texts()]
    ['a', 'network', 'theory']
    >>> colour_independent(fig)
    []
    >>> plt.close(fig)
    """
    from matplotlib.lines import Line2D

    handles, labels = ax.get_legend_handles_labels()
    handles += [
        Line2D([], [], color="0.45", **SIM_STYLE),
        Line2D([], [], color="0.2", **THEORY_STYLE),
    ]
    labels += [sim_label, theory_label]
    return ax.legend(handles, labels, **kwargs)


# --------------------------------------------------------------------------------------
# No distinction by colour alone

#: Smallest difference in CIE lightness L* (0 black to 100 white, of the colour as
#: drawn, i.e. blended over the white page by its alpha) that lets two marks of the
#: same line style, width and marker be told apart without hue: in greyscale print,
#: under achromatopsia, or when two hues collapse under a colour-vision deficiency.
#: Lightness is the channel every such reader keeps. 10 is the threshold the palette
#: test (``tests/test_palette.py``) asks of categorical line colours in CIEDE2000,
#: whose lightness term weighs a pure lightness step about one-to-one near mid-grey:
#: several just-noticeable differences (1-2), because lines and markers are thin.
#: The cycle's colours differ by less (L* 46 to 71, and e.g. its blue, vermillion
#: and green lie within 12), so two cycle colours need a style, a marker or a label;
#: ``condition_colors(n)`` for n <= 3 (viridis: L* about 15, 46, 75) pass on
#: lightness alone when drawn opaque.
MIN_LIGHTNESS_DIFFERENCE = 10.0

#: A line width ratio at least this large is visible on its own (the simulation band
#: against the thin theory line).
_WIDTH_RATIO = 2.0


class ColourOnlyWarning(UserWarning):
    """A figure distinguishes marks, or encodes values, by hue alone."""


def _lightness(rgba, background=(1.0, 1.0, 1.0)):
    """CIE L* of ``rgba`` (shape (..., 3) or (..., 4)) blended over ``background``
    by its alpha: a float, or an array for several colours."""
    rgba = np.asarray(rgba, dtype=float)
    alpha = rgba[..., 3:4] if rgba.shape[-1] == 4 else 1.0
    rgb = alpha * rgba[..., :3] + (1.0 - alpha) * np.asarray(background)[:3]
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    y = lin @ np.array([0.2126, 0.7152, 0.0722])
    L = np.where(y > (6 / 29) ** 3, 116.0 * np.cbrt(y) - 16.0, (29 / 3) ** 3 * y)
    return float(L) if L.ndim == 0 else L


def _is_grey(color) -> bool:
    """Black, white or a grey: no hue to lose."""
    from matplotlib.colors import to_rgb

    rgb = to_rgb(color)
    return max(rgb) - min(rgb) < 0.02


def _legend_entry(handle, background):
    """What tells a legend handle apart without hue, or None if it draws nothing."""
    from matplotlib.collections import Collection
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if not handle.get_visible():
        return None
    alpha = handle.get_alpha()
    if isinstance(handle, Line2D):
        ls = handle.get_linestyle()
        ls = "None" if ls in ("None", "", " ", "none") else ls
        lw = handle.get_linewidth() if ls != "None" else 0.0
        marker = handle.get_marker()
        marker = None if marker in (None, "None", "", " ", "none") else str(marker)
        if ls == "None" and marker is None:
            return None
        if marker is not None and ls != "None" and handle.get_markersize() <= lw:
            marker = None  # hidden inside the line: it tells nothing apart
        color = handle.get_color()
        if ls == "None":  # markers only: their face, or their edge when hollow
            face = handle.get_markerfacecolor()
            hollow = isinstance(face, str) and face.lower() == "none"
            color = handle.get_markeredgecolor() if hollow else face
            marker = (marker, "none" if hollow else handle.get_fillstyle())
        return {
            "grey": _is_grey(color),
            "kind": "line",
            "linestyle": ls,
            "width": lw,
            "marker": marker,
            "hatch": None,
            "L": _lightness(to_rgba(color, alpha), background),
        }
    if isinstance(handle, (Patch, Collection)):
        if isinstance(handle, Patch):
            face, edge, hatch = handle.get_facecolor(), handle.get_edgecolor(), None
            hatch = handle.get_hatch()
            lw = handle.get_linewidth()
            ls = handle.get_linestyle()
            marker = None
        else:
            faces, edges = handle.get_facecolor(), handle.get_edgecolor()
            face = faces[0] if len(faces) else (0, 0, 0, 0)
            edge = edges[0] if len(edges) else (0, 0, 0, 0)
            hatch = handle.get_hatch()
            lws = handle.get_linewidth()
            lw = float(np.atleast_1d(lws)[0]) if np.size(lws) else 0.0
            ls = "-"
            paths = getattr(handle, "get_paths", lambda: [])()
            marker = (
                tuple(np.round(paths[0].vertices, 2).ravel())
                if len(paths) and hasattr(handle, "get_sizes")
                else None
            )
        face = to_rgba(face, alpha) if alpha is not None else to_rgba(face)
        filled = face[3] > 0
        color = face if filled else to_rgba(edge)
        return {
            "grey": _is_grey(color),
            "kind": "patch" if filled else "outline",
            "linestyle": ls if not filled else "-",
            "width": 0.0 if filled else lw,
            "marker": marker,
            "hatch": hatch or None,
            "L": _lightness(color, background),
        }
    return None


def _told_apart(p, q) -> bool:
    """Two legend entries differ in something other than hue."""
    if any(p[k] != q[k] for k in ("kind", "linestyle", "marker", "hatch")):
        return True
    w = sorted((p["width"], q["width"]))
    if w[0] > 0 and w[1] >= _WIDTH_RATIO * w[0]:
        return True
    return abs(p["L"] - q["L"]) >= MIN_LIGHTNESS_DIFFERENCE


def _cmap_problem(cmap) -> str | None:
    """Why a colormap misleads without hue (None if its lightness is monotone or
    symmetric about a turning point in its middle: a diverging map)."""
    name = getattr(cmap, "name", "?")
    L = _lightness(cmap(np.linspace(0.0, 1.0, 65)))
    tol = 2.0  # L* wiggles below this are invisible
    rising = np.all(np.maximum.accumulate(L) - L <= tol)
    falling = np.all(L - np.minimum.accumulate(L) <= tol)
    verdict = None
    if not (rising or falling):
        mid = len(L) // 2
        left, right = L[: mid + 1], L[mid:][::-1]
        halves_monotone = all(
            np.all(np.maximum.accumulate(h) - h <= tol)
            or np.all(h - np.minimum.accumulate(h) <= tol)
            for h in (left, right)
        )
        symmetric = np.max(np.abs(left - right)) <= 3 * tol
        if not (halves_monotone and symmetric):
            verdict = (
                f"colormap {name!r} has non-monotone lightness (L* from "
                f"{L[0]:.0f} through {L.min():.0f}-{L.max():.0f} to {L[-1]:.0f}): "
                "use viridis, cividis, magma or a lightness-symmetric diverging map"
            )
    return verdict


def _legends(fig):
    """(where, legend, background RGB) of every visible legend of ``fig``."""
    from matplotlib.colors import to_rgba

    page = to_rgba(fig.get_facecolor())[:3]
    for n, ax in enumerate(fig.axes, start=1):
        leg = ax.get_legend()
        if leg is not None and leg.get_visible():
            face = to_rgba(ax.get_facecolor())
            where = f"axes {n}" + (f" ({ax.get_title()!r})" if ax.get_title() else "")
            yield where, leg, face[:3] if face[3] > 0 else page
    for leg in fig.legends:
        if leg.get_visible():
            yield "figure legend", leg, page


def colour_independent(fig) -> list[str]:
    """Problems of ``fig`` for a reader who cannot rely on hue.

    In every legend (of an Axes or of the figure), each two entries must differ in
    something other than hue: line style, a marker (larger than the line is
    wide), hatching, the kind of mark, a line width ratio of at least 2, or a
    lightness difference of at least
    :data:`MIN_LIGHTNESS_DIFFERENCE` (CIE L*, as drawn over the page). Each
    colormap of an image, mesh, contour set or colour-coded scatter must have
    lightness that varies monotonically, or symmetrically about its middle (a
    diverging map, whose sign must then also be readable elsewhere, e.g. from a
    colour bar or a zero line; that part is not checked). Grey and black entries
    are keys to a line style or marker (as :func:`add_style_legend` draws them),
    told apart from each other but not compared with the coloured conditions
    drawn in their style. Curves without a legend entry (told apart
    by direct labels, or by a legend on another panel) are not checked.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    list of str
        One line per problem (empty: the figure passes).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], color=CYCLE[0], label="train")
    >>> _ = ax.plot([1, 0], color=CYCLE[1], label="test")
    >>> _ = ax.legend()
    >>> colour_independent(fig)  # doctest: +NORMALIZE_WHITESPACE
    ["axes 1: legend entries 'train' and 'test' differ only in hue
      (L* 46 vs 54; same line style, width and marker)"]
    >>> ax.get_lines()[1].set_linestyle("--")
    >>> _ = ax.legend()
    >>> colour_independent(fig)
    []
    >>> plt.close(fig)
    """
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise ArgumentTypeError(
            f"fig must be a matplotlib Figure, got {type(fig).__name__}"
        )
    problems = []
    for where, leg, background in _legends(fig):
        labels = [t.get_text() for t in leg.get_texts()]
        entries = [
            (label, _legend_entry(h, background))
            for h, label in zip(leg.legend_handles, labels)
            if h is not None and label
        ]
        entries = [entry for entry in entries if entry[1] is not None]
        for i, (la, a) in enumerate(entries):
            for lb, b in entries[i + 1 :]:
                if a["grey"] != b["grey"]:  # a style key and a condition drawn in it
                    continue
                if not _told_apart(a, b):
                    problems.append(
                        f"{where}: legend entries {la!r} and {lb!r} differ only in "
                        f"hue (L* {a['L']:.0f} vs {b['L']:.0f}; same line style, "
                        "width and marker)"
                    )
    for n, ax in enumerate(fig.axes, start=1):
        where = f"axes {n}" + (f" ({ax.get_title()!r})" if ax.get_title() else "")
        seen = set()
        for artist in ax.get_children():
            get_cmap = getattr(artist, "get_cmap", None)
            get_array = getattr(artist, "get_array", None)
            if get_cmap is None or get_array is None or not artist.get_visible():
                continue
            array = get_array()
            if array is None or np.ndim(array) == 3:  # no colour map, or RGB(A) data
                continue
            cmap = get_cmap()
            if cmap is None or cmap.name in seen:
                continue
            seen.add(cmap.name)
            problem = _cmap_problem(cmap)
            if problem:
                problems.append(f"{where}: {problem}")
    return problems


_WATCHED = weakref.WeakSet()


def check_colours_on_draw(fig) -> None:
    """Warn (:class:`ColourOnlyWarning`) whenever ``fig`` is drawn with problems
    :func:`colour_independent` finds, once per problem and figure (installing it
    twice on one figure changes nothing).

    :func:`use_book_style` registers it in ``rcParams["figure.hooks"]``, which
    pyplot calls on every new figure. The check runs on ``draw_event``, i.e. after
    the figure is complete and while it is drawn for display or ``savefig``: the
    inline backend's ``plt.show`` draws, displays and then closes the figure, so a
    check run after the cell (``post_execute``) would find no figure left.

    Examples
    --------
    >>> import warnings
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> check_colours_on_draw(fig)
    >>> _ = ax.plot([0, 1], color=CYCLE[1], label="a")
    >>> _ = ax.plot([1, 0], color=CYCLE[2], label="b")
    >>> _ = ax.legend()
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     fig.canvas.draw()
    >>> [w.category.__name__ for w in caught]
    ['ColourOnlyWarning']
    >>> plt.close(fig)
    """
    if fig in _WATCHED:  # installed once (by the hook and by hand, say)
        return
    _WATCHED.add(fig)
    warned = set()

    def on_draw(event):
        import warnings

        for problem in colour_independent(fig):
            if problem not in warned:
                warned.add(problem)
                with warnings.catch_warnings():
                    warnings.simplefilter("always", ColourOnlyWarning)
                    warnings.warn(
                        f"colour alone: {problem}", ColourOnlyWarning, stacklevel=2
                    )

    fig.canvas.mpl_connect("draw_event", on_draw)
