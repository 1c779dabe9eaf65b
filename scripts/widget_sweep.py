"""Call every widget function of the book at its sliders' extremes, time and check it.

For one chapter notebook: execute it in a fresh Jupyter kernel (nbclient, with the
notebook's directory as working directory) up to its last ``interact`` cell, with
``ipywidgets.interact`` and ``ipywidgets.interactive`` replaced by a recorder, so every
``interact(f, name=FloatSlider(...), other=fixed(...))`` call records ``f`` and its
controls instead of drawing widgets. Then, in the same kernel, every recorded function
is called at these positions:

- ``default``: every control at its value;
- ``name=min`` and ``name=max`` for each slider (the others at their defaults), and
  ``name=<option>`` for each other option of a dropdown or check box;
- ``all min`` and ``all max``: every slider at its min (max), every dropdown at its
  first (last) option.

Each call runs with the Agg backend and ``plt.show`` replaced by a function that draws
every open figure (``fig.canvas.draw()``) and inspects it; the time measured is the call
plus the drawing, which is what a reader waits for after moving a slider. It is split
into the *computation* (everything outside matplotlib) and the *figure* (time inside
matplotlib's Figure, Axes and pyplot calls: building the artists and drawing them with
Agg, the drawing also reported on its own). With ``--repeat N`` the positions are swept
N times in rounds (the caches ``functools.lru_cache`` keeps in the notebook's namespace
are cleared before each round, so a round starts as cold as the first visit); each
position reports the median of its N runs and the worst run. A call FAILS
if it

- raises, or emits any warning (all warnings are recorded, also those a ``try`` in the
  widget would swallow if they were turned into errors);
- prints ``nan`` or ``inf`` (stdout, stderr or a displayed text), or writes to stderr;
- draws no figure (a widget explains what it cannot draw in words on the figure);
- leaves a figure text (title, label, legend, tick label, annotation) containing
  ``nan`` or ``inf``, plots non-finite data, has tick labels that overlap each other, or
  has a log axis spanning more than 30 decades: its smallest values are at the rounding
  level even of a squared quantity such as a loss (float64 rounding is 1e-16 relative,
  1e-32 once squared), so the figure shows rounding noise as if it meant something.

Usage::

    python scripts/widget_sweep.py book/05_phase_transitions.ipynb [more.ipynb ...]
    python scripts/widget_sweep.py --all --write   # benchmarks/widgets.md, 3 runs each

prints a table (notebook, function, position, ms, computation ms, verdict) and exits
non-zero if any call failed (or, with ``--limit-ms``, took longer than the limit).
"""

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))  # notebook_run, student_edition
MARKER = "@@WIDGET_SWEEP@@"
TARGET_MS = 250  # the book's aim for one widget update (CONTRIBUTING.md)
COMPUTE_TARGET_MS = 50  # of it, the computation (issue 16)
WIDGETS_MD = ROOT / "benchmarks" / "widgets.md"
WRITE_REPEAT = 3  # runs of every position for --write (median and worst reported)
BAD_WORD = re.compile(r"(?<![A-Za-z\\])(nan|inf)(?![A-Za-z])", re.IGNORECASE)
MAX_LOG_DECADES = 30

# First cell injected into the notebook: replace interact/interactive by a recorder.
# ``from ipywidgets import interact`` (in any later cell) then imports the recorder.
RECORDER_CELL = """\
import ipywidgets as _ws_ipw
import ipywidgets.widgets as _ws_ipw_widgets

_WIDGET_SWEEP = []


def _ws_record(f=None, **controls):
    if f is None:  # decorator form: @interact(x=...)
        return lambda g: _ws_record(g, **controls)
    _WIDGET_SWEEP.append((f, controls))
    return f


for _ws_mod in (_ws_ipw, _ws_ipw_widgets):
    _ws_mod.interact = _ws_mod.interactive = _ws_record
"""

SWEEP_CELL = """\
import json as _ws_json
import sys as _ws_sys

_ws_sys.path.insert(0, {scripts!r})
from widget_sweep import sweep_recorded as _ws_sweep

print(
    {marker!r}
    + _ws_json.dumps(
        _ws_sweep(_WIDGET_SWEEP, repeat={repeat!r}, confirm_ms={confirm_ms!r})
    )
)
"""


# --------------------------------------------------------------------------------------
# Kernel side: positions, one checked call, the sweep of every recorded function
# --------------------------------------------------------------------------------------
def controls_of(f, controls):
    """The widgets ``interact(f, **controls)`` would build, as ``{name: widget}``."""
    from inspect import signature

    from ipywidgets.widgets.interaction import (
        _yield_abbreviations_for_parameter,
        interactive,
    )

    controls = dict(controls)
    out = {}
    for param in signature(f).parameters.values():
        for name, abbrev, default in _yield_abbreviations_for_parameter(
            param, controls
        ):
            out[name] = interactive.widget_from_abbrev(abbrev, default)
    return out


def _range(widget):
    """(min, max) of a slider's values, or None for a control without a range."""
    from ipywidgets import FloatLogSlider

    if isinstance(widget, FloatLogSlider):
        return widget.base**widget.min, widget.base**widget.max
    if hasattr(widget, "min") and hasattr(widget, "max"):
        return widget.min, widget.max
    return None


def _options(widget):
    """The values a dropdown-like control can take, or None."""
    values = getattr(widget, "_options_values", None)
    if values is not None:
        return list(values)
    if type(widget).__name__ in ("Checkbox", "ToggleButton"):
        return [False, True]
    return None


def positions(controls):
    """``[(label, kwargs)]``: default, slider extremes, other options, corners."""
    default = {n: w.get_interact_value() for n, w in controls.items()}
    out = [("default", default)]
    low, high = dict(default), dict(default)
    for name, w in controls.items():
        rng, opts = _range(w), _options(w)
        if rng is not None:
            low[name], high[name] = rng
            for label, v in zip(("min", "max"), rng):
                out.append((f"{name}={label}", {**default, name: v}))
        elif opts:
            low[name], high[name] = opts[0], opts[-1]
            for v in opts:
                out.append((f"{name}={v}", {**default, name: v}))
    out += [("all min", low), ("all max", high)]
    seen, unique = [], []
    for label, kw in out:  # drop repeats (a slider whose default is its min, ...)
        key = repr(sorted(kw.items()))
        if key not in seen:
            seen.append(key)
            unique.append((label, kw))
    return unique


def _overlapping_ticks(ax, renderer):
    problems = []
    for axis_name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
        boxes = []
        for tick in axis.get_major_ticks() + axis.get_minor_ticks():
            for label in (tick.label1, tick.label2):
                if label.get_visible() and label.get_text().strip():
                    boxes.append(label.get_window_extent(renderer))
        if axis_name == "x":
            lo, hi, centre = ax.bbox.x0, ax.bbox.x1, lambda b: (b.x0 + b.x1) / 2
        else:
            lo, hi, centre = ax.bbox.y0, ax.bbox.y1, lambda b: (b.y0 + b.y1) / 2
        # labels of ticks outside the view are not drawn
        boxes = [b for b in boxes if lo - 1 <= centre(b) <= hi + 1]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                if (
                    min(a.x1, b.x1) - max(a.x0, b.x0) > 1
                    and min(a.y1, b.y1) - max(a.y0, b.y0) > 1
                ):
                    problems.append(f"{axis_name} tick labels overlap")
                    break
            else:
                continue
            break
    return problems


def _log_decades(ax):
    import numpy as np

    problems = []
    for axis_name in ("x", "y"):
        scale = getattr(ax, f"get_{axis_name}scale")()
        lo, hi = sorted(np.abs(getattr(ax, f"get_{axis_name}lim")()))
        if scale == "log" and lo > 0:
            span = np.log10(hi / lo)
        elif scale == "symlog":
            transform = getattr(ax, f"{axis_name}axis").get_transform()
            span = np.log10(max(hi, 1e-300) / transform.linthresh)
        else:
            continue
        if span > MAX_LOG_DECADES:
            problems.append(f"{axis_name} log axis spans {span:.0f} decades")
    return problems


def inspect_figure(fig, draw=True):
    """Draw ``fig`` on its canvas and list what a reader should never see on it."""
    import matplotlib.lines
    import matplotlib.text
    import numpy as np

    if draw:
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    problems = []
    for t in fig.findobj(matplotlib.text.Text):
        if t.get_visible() and BAD_WORD.search(t.get_text()):
            problems.append(f"figure text {t.get_text()!r}")
    for line in fig.findobj(matplotlib.lines.Line2D):
        x, y = line.get_data()
        try:
            finite = np.all(np.isfinite(np.asarray(x, float))) and np.all(
                np.isfinite(np.asarray(y, float))
            )
        except (TypeError, ValueError):
            finite = True
        if line.get_visible() and not finite:
            problems.append(f"non-finite data in line {line.get_label()!r}")
    for ax in fig.axes:
        if ax.get_visible() and ax.axison:
            problems += _overlapping_ticks(ax, renderer)
            problems += _log_decades(ax)
    return problems


class MatplotlibClock:
    """Time spent inside matplotlib's public API while active (a context manager).

    Wraps every plain method of ``Figure``, ``Axes`` and their bases and every
    function of ``pyplot``; only the outermost call is timed, so matplotlib calling
    itself is counted once. ``paused`` stops the clock (for the sweep's own checks).
    What is left of a widget call is its *computation*.
    """

    def __init__(self):
        self.seconds, self._depth, self._saved, self.paused = 0.0, 0, [], False

    def _wrap(self, fn):
        import functools

        clock = self

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            if clock._depth or clock.paused:
                clock._depth += 1
                try:
                    return fn(*args, **kwargs)
                finally:
                    clock._depth -= 1
            clock._depth = 1
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                clock._depth = 0
                clock.seconds += time.perf_counter() - start

        return timed

    def __enter__(self):
        import inspect

        import matplotlib.axes
        import matplotlib.figure
        import matplotlib.pyplot as plt

        owners = {
            cls
            for base in (matplotlib.axes.Axes, matplotlib.figure.Figure)
            for cls in base.__mro__
            if cls.__module__.startswith("matplotlib.")
            and cls.__name__ not in ("Artist", "object")
        }
        for cls in owners:
            for name, attr in list(vars(cls).items()):
                if inspect.isfunction(attr) and not name.startswith("__"):
                    self._saved.append((cls, name, attr))
        for name, attr in list(vars(plt).items()):
            if (
                inspect.isfunction(attr)
                and not name.startswith("_")
                and name not in ("show", "switch_backend")
            ):
                self._saved.append((plt, name, attr))
        for owner, name, attr in self._saved:
            setattr(owner, name, self._wrap(attr))
        return self

    def __exit__(self, *exc):
        for owner, name, attr in self._saved:
            setattr(owner, name, attr)
        self._saved = []
        return False


def call_checked(f, kwargs, png=None, savefig=None):
    """Call ``f(**kwargs)`` as a slider move would: ``(ms, problems, draw_ms, mpl_ms)``.

    ``ms`` covers the call and drawing its figures with Agg; ``draw_ms`` of it is
    the drawing and ``mpl_ms`` all the time inside matplotlib (building the artists
    and drawing them), so ``ms - mpl_ms`` is the computation. Inspecting the
    figures and saving PNGs is not timed. With ``png``, the n-th figure drawn is
    saved as ``<png>-<n>.png`` (``savefig``: keyword arguments of
    ``Figure.savefig``, default ``dpi=80``).
    """
    import warnings

    import matplotlib.pyplot as plt
    from IPython.utils.capture import capture_output

    problems, n_figures, paused, drawing = [], [0], [0.0], [0.0]
    clock = MatplotlibClock()

    def show(*args, **kwargs):
        for num in plt.get_fignums():
            fig = plt.figure(num)
            start_draw = time.perf_counter()
            fig.canvas.draw()
            pause = time.perf_counter()  # inspecting and saving are not timed
            drawing[0] += pause - start_draw
            clock.paused = True
            problems.extend(inspect_figure(fig, draw=False))
            if png:
                fig.savefig(f"{png}-{n_figures[0]}.png", **(savefig or {"dpi": 80}))
            clock.paused = False
            paused[0] += time.perf_counter() - pause
            n_figures[0] += 1
            plt.close(fig)

    plt.close("all")
    saved_show = plt.show
    plt.show = show
    try:
        with (
            warnings.catch_warnings(record=True) as caught,
            capture_output() as cap,
            clock,
        ):
            # every warning a reader would see: all of them, except deprecation
            # warnings raised inside libraries (IPython hides those too, showing
            # only the ones triggered by the notebook's own code, i.e. __main__)
            warnings.simplefilter("always")
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
            warnings.filterwarnings(
                "always", category=DeprecationWarning, module="__main__"
            )
            start = time.perf_counter()
            try:
                f(**kwargs)
            except Exception as err:  # noqa: BLE001 - the verdict reports it
                problems.append(f"raised {type(err).__name__}: {err}"[:300])
            show()  # figures the function left open (no plt.show) are drawn too
            ms = 1000 * (time.perf_counter() - start - paused[0])
    finally:
        plt.show = saved_show
        plt.close("all")
    for w in caught:
        problems.append(f"{w.category.__name__}: {w.message}"[:300])
    texts = [cap.stdout, cap.stderr] + [
        o.data.get("text/plain", "") for o in cap.outputs
    ]
    for text in texts:
        m = BAD_WORD.search(text)
        if m:
            line = next(s for s in text.splitlines() if BAD_WORD.search(s))
            problems.append(f"printed {line.strip()!r}"[:300])
    if cap.stderr.strip():
        problems.append(f"stderr: {cap.stderr.strip()[:200]!r}")
    if not n_figures[0] and not any(p.startswith("raised") for p in problems):
        problems.append("no figure drawn")
    problems = list(dict.fromkeys(problems))  # a warning repeated in a loop: once
    return ms, problems, 1000 * drawing[0], 1000 * clock.seconds


def clear_notebook_caches():
    """``cache_clear()`` every ``functools.lru_cache`` in the notebook's namespace."""
    main = sys.modules.get("__main__")
    for value in list(vars(main).values()) if main else []:
        if callable(getattr(value, "cache_clear", None)) and hasattr(
            value, "cache_info"
        ):
            value.cache_clear()


def sweep_recorded(recorded, repeat=1, confirm_ms=None):
    """Sweep every ``(f, controls)`` recorded in the kernel; rows as dicts.

    The positions of all functions are visited ``repeat`` times, in rounds, the
    notebook's caches cleared before each round. With ``confirm_ms``, a position
    slower than that is run again (caches cleared, so as cold as the first run)
    until it has at least 3 runs: one spike of a loaded machine does not decide.
    A row reports the median of its runs (``ms``, ``draw_ms``, ``mpl_ms``,
    ``compute_ms``), every run's total (``runs_ms``) and the problems of any run.
    """
    import statistics

    import matplotlib.pyplot as plt

    plt.switch_backend("agg")
    png_dir = os.environ.get("WIDGET_SWEEP_PNG")
    calls = [
        (index, f, label, kwargs)
        for index, (f, controls) in enumerate(recorded)
        for label, kwargs in positions(controls_of(f, controls))
    ]
    runs = [[] for _ in calls]
    for round_ in range(repeat):
        clear_notebook_caches()
        for k, (index, f, label, kwargs) in enumerate(calls):
            png = (
                png_dir
                and round_ == 0
                and os.path.join(png_dir, f"{f.__name__}-{label}")
            )
            runs[k].append(call_checked(f, kwargs, png))
    for k, (index, f, label, kwargs) in enumerate(calls):
        slow = confirm_ms is not None and (
            statistics.median(r[0] for r in runs[k]) > confirm_ms
        )
        while slow and len(runs[k]) < 3:  # the median of 3 runs decides
            clear_notebook_caches()
            runs[k].append(call_checked(f, kwargs))
    rows = []
    for (index, f, label, kwargs), rs in zip(calls, runs):
        med = lambda values: round(statistics.median(values), 1)  # noqa: E731
        rows.append(
            {
                "widget": index,
                "function": f.__name__,
                "position": label,
                "kwargs": {k: repr(v) for k, v in kwargs.items()},
                "ms": med([r[0] for r in rs]),
                "draw_ms": med([r[2] for r in rs]),
                "mpl_ms": med([r[3] for r in rs]),
                "compute_ms": med([r[0] - r[3] for r in rs]),
                "runs_ms": [round(r[0], 1) for r in rs],
                "problems": list(dict.fromkeys(p for r in rs for p in r[1])),
            }
        )
    return rows


# --------------------------------------------------------------------------------------
# Driver side: execute a notebook with the recorder, collect the rows
# --------------------------------------------------------------------------------------
def last_interact_cell(nb):
    """Index of the notebook's last code cell calling ``interact(``, or None."""
    return max(
        (
            k
            for k, c in enumerate(nb.cells)
            if c.cell_type == "code" and "interact(" in c.source
        ),
        default=None,
    )


def run_with_recorder(path, final_source, timeout=600):
    """Execute ``path`` up to its last ``interact`` cell with the recorder, then
    ``final_source`` (which sees the recorded widgets as ``_WIDGET_SWEEP``).

    Returns the text ``final_source`` printed, or None when the notebook has no
    ``interact(`` cell. Raises nbclient's ``CellExecutionError`` when a cell fails.
    """
    import nbformat
    from notebook_run import execute, kernel_env

    path = Path(path).resolve()
    nb = nbformat.read(path, as_version=4)
    last = last_interact_cell(nb)
    if last is None:
        return None
    # the reader's state when they reach the demo: cells after it are not run
    nb.cells = (
        [nbformat.v4.new_code_cell(RECORDER_CELL)]
        + nb.cells[: last + 1]
        + [nbformat.v4.new_code_cell(final_source)]
    )
    execute(nb, path.parent, timeout=timeout, env=kernel_env())
    return "".join(o.get("text", "") for o in nb.cells[-1].outputs)


def sweep_notebook(path, timeout=600, repeat=1, confirm_ms=None):
    """Execute ``path`` with the recorder and sweep its widgets; a list of row dicts.

    Every position is called ``repeat`` times, slow ones confirmed up to 3 runs
    (see ``sweep_recorded``).

    A notebook without an ``interact(`` cell is not executed and gives no rows.
    A cell that fails to execute gives one failing row (function ``<notebook>``).
    """
    from nbclient.exceptions import CellExecutionError

    path = Path(path).resolve()
    name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name
    final = SWEEP_CELL.format(
        scripts=str(Path(__file__).parent),
        marker=MARKER,
        repeat=repeat,
        confirm_ms=confirm_ms,
    )
    try:
        text = run_with_recorder(path, final, timeout)
    except CellExecutionError as err:
        return [
            {
                "notebook": name,
                "function": "<notebook>",
                "position": "execution",
                "kwargs": {},
                "ms": 0.0,
                "problems": [f"notebook failed to execute: {str(err)[-600:]}"],
            }
        ]
    if text is None:
        return []
    rows = json.loads(text.split(MARKER, 1)[1])
    for row in rows:
        row["notebook"] = name
    return rows


def toc_notebooks():
    """Chapter notebooks listed in _toc.yml, in book order."""
    import yaml
    from student_edition import toc_files

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [
        ROOT / f"{f}.ipynb"
        for f in toc_files(toc)
        if re.match(r"\d\d", Path(f).name) and (ROOT / f"{f}.ipynb").exists()
    ]


def verdict(row, limit_ms=None):
    if row["problems"]:
        return "FAIL: " + "; ".join(row["problems"])
    if limit_ms is not None and row["ms"] > limit_ms:
        return f"SLOW: over {limit_ms:g} ms"
    return "ok"


def print_table(rows, limit_ms=None, file=sys.stdout):
    print(
        f"{'notebook':28} {'function':28} {'position':22} {'ms':>7} {'comp':>6} "
        f"{'draw':>6}  verdict",
        file=file,
    )
    for r in rows:
        print(
            f"{Path(r['notebook']).name[:28]:28} {r['function'][:28]:28} "
            f"{r['position'][:22]:22} {r['ms']:7.0f} {r.get('compute_ms', 0):6.0f} "
            f"{r.get('draw_ms', 0):6.0f}  {verdict(r, limit_ms)}",
            file=file,
        )


def machine():
    """The CPU model and the number of cores, for the benchmark's header."""
    import platform

    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores"


def markdown_report(rows, seconds, load, repeat=1):
    """benchmarks/widgets.md: median and worst update per widget function."""
    import statistics

    groups = {}
    for r in rows:
        groups.setdefault((r["notebook"], r["function"]), []).append(r)
    n_fail = sum(bool(r["problems"]) for r in rows)
    cores = os.cpu_count() or 1
    med = statistics.median
    lines = [
        "<!-- generated by scripts/widget_sweep.py --write; do not edit -->",
        "# Widget updates",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on "
        f"{machine()}, shared with other jobs: load average (1 min) "
        f"{load[0]:.1f} before and {load[1]:.1f} after the sweep "
        f"({max(load) / cores:.1f} runnable jobs a core at worst); "
        f"{repeat} run{'s' * (repeat > 1)} of every position, sweep "
        f"{seconds:.0f} s. A load above the number of cores slows an update by up "
        "to the ratio of the two.",
        "",
        "Each widget function is called at its default, at each slider's min and max "
        "(the others at their defaults), at every dropdown option, and with every "
        "control at its min and at its max, all positions swept in rounds with the "
        "notebook's caches cleared before each round. An *update* is what a reader "
        "waits for after moving a slider: the call plus drawing its figure with Agg. "
        "*Computation* is the part outside matplotlib; *figure* is the time in "
        "matplotlib (building the artists and drawing them, the drawing alone in "
        "brackets). Each position's time is the median of its runs; *median* is over "
        "the positions, *worst* is the slowest position's median and *slowest run* "
        f"the slowest single run. Targets: {TARGET_MS} ms an update, "
        f"{COMPUTE_TARGET_MS} ms of computation.",
        "",
        "| page | widget function | positions | median update ms | median "
        "computation ms | median figure ms (drawing) | worst update ms | worst at "
        f"| slowest run ms | positions over {TARGET_MS} ms | positions computing "
        f"over {COMPUTE_TARGET_MS} ms | failing |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    meet = 0
    for (nb, fn), rs in groups.items():
        ms = [r["ms"] for r in rs]
        comp = [r.get("compute_ms", r["ms"]) for r in rs]
        worst = max(rs, key=lambda r: r["ms"])
        slowest = max(max(r.get("runs_ms", [r["ms"]])) for r in rs)
        over = sum(m > TARGET_MS for m in ms)
        over_c = sum(c > COMPUTE_TARGET_MS for c in comp)
        meet += not over and not over_c
        lines.append(
            f"| {Path(nb).stem} | `{fn}` | {len(rs)} | {med(ms):.0f} | "
            f"{med(comp):.0f} | {med(r.get('mpl_ms', 0) for r in rs):.0f} "
            f"({med(r.get('draw_ms', 0) for r in rs):.0f}) | "
            f"{worst['ms']:.0f} | {worst['position']} | {slowest:.0f} | "
            f"{over} | {over_c} | {sum(bool(r['problems']) for r in rs)} |"
        )
    lines += [
        "",
        f"At this load, {meet} of {len(groups)} widget functions update within "
        f"{TARGET_MS} ms with at most {COMPUTE_TARGET_MS} ms of computation at every "
        f"position (median of the runs); {n_fail} of {len(rows)} positions failed a "
        "check.",
    ]
    if n_fail:
        lines += [
            "",
            "| page | function | position | what went wrong |",
            "|---|---|---|---|",
        ]
        for r in rows:
            if r["problems"]:
                what = "; ".join(r["problems"]).replace("|", "\\|").replace("\n", " ")
                lines.append(
                    f"| {Path(r['notebook']).stem} | `{r['function']}` | "
                    f"{r['position']} | {what} |"
                )
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--all", action="store_true", help="chapters in _toc.yml")
    parser.add_argument(
        "--limit-ms", type=float, default=None, help="fail slower calls"
    )
    parser.add_argument(
        "--repeat", type=int, default=None, help="runs of every position (default 1)"
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help=f"sweep every chapter {WRITE_REPEAT} times, write {WIDGETS_MD.name}",
    )
    parser.add_argument("--markdown", type=Path, help="write the benchmark page here")
    parser.add_argument("--json", type=Path, help="write all rows as JSON here")
    parser.add_argument(
        "--png", type=Path, help="save every drawn figure in this folder"
    )
    args = parser.parse_args(argv)
    if args.write:
        args.all = args.all or not args.notebooks
        args.markdown = args.markdown or WIDGETS_MD
    repeat = args.repeat or (WRITE_REPEAT if args.write else 1)
    notebooks = list(args.notebooks) + (toc_notebooks() if args.all else [])
    if not notebooks:
        parser.error("give notebooks or --all")
    if args.png:
        args.png.mkdir(parents=True, exist_ok=True)
        os.environ["WIDGET_SWEEP_PNG"] = str(args.png.resolve())
    load0, start, rows = os.getloadavg()[0], time.perf_counter(), []
    for path in notebooks:
        rows += sweep_notebook(path, repeat=repeat, confirm_ms=args.limit_ms)
    seconds, load1 = time.perf_counter() - start, os.getloadavg()[0]
    print_table(rows, args.limit_ms)
    if args.markdown:
        args.markdown.write_text(
            markdown_report(rows, seconds, (load0, load1), repeat=repeat)
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    bad = [r for r in rows if verdict(r, args.limit_ms) != "ok"]
    print(f"\n{len(bad)} of {len(rows)} calls failed; {seconds:.0f} s", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
