"""Kernel-free interactive figures: each chapter's demo precomputed over a slider grid.

On the static site an ``interact`` widget is dead until a kernel starts. For each
chapter's central widget this script computes the figure's states in advance and
writes a small self-contained page that switches between them in the browser, offline
(no CDN, no kernel):

* ``book/_static/kernel_free/<page>.html``: the controls, the image and the frames'
  table (inline JSON and JavaScript);
* ``book/_static/kernel_free/<page>/NNN.png``: the frames (palette PNGs);
* ``book/_static/kernel_free/<page>.frag.html``: the ``<iframe>`` the notebook embeds.

How the frames are made: the notebook is executed in a kernel up to its last
``interact`` cell with ``interact`` replaced by the recorder of
``scripts/widget_sweep.py`` (the same run a reader's kernel would do, nothing after the
demo), so the widget function and the interact call's own controls are recorded. The
function is then called at every point of the page's grid (``PAGES``), each call
checked like a widget-sweep call (no exception, warning, ``nan``; the figure drawn).
A grid names a few of the function's controls; every other control stays at the
interact call's default. Grid values are read from, or checked against, the controls
the interact call builds: ``"all"`` takes every option of a dropdown (every position of
a short slider); a list must hold the default and lie on the slider's range and step.

Each page embeds its figure with ONE markdown cell, right after its interact cell
(``--insert`` puts it there or refreshes it, idempotently; the cell is found again by
its metadata ``kernel_free``). The cell is a ``{raw} html`` directive that includes
the fragment file, so the iframe's URL is resolved for the built page (``../_static``)
in the book and in the student edition alike.

Usage (from the repository root)::

    python scripts/kernel_free.py                  # frames + HTML for every page
    python scripts/kernel_free.py 01_linear_rnn    # one page
    python scripts/kernel_free.py --insert         # (re)insert the notebook cells
    python scripts/kernel_free.py --check-cells    # exit 1 if a cell is missing/stale

``scripts/page_check.py`` loads every built page with such a figure in Chromium, moves
its controls and checks that the displayed image changes; ``tests/test_kernel_free.py``
checks the committed files against the notebooks without a browser.
"""

from __future__ import annotations

import argparse
import html
import io
import itertools
import json
import math
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
OUT = ROOT / "book" / "_static" / "kernel_free"
MARKER = "@@KERNEL_FREE@@"
DPI = 100  # the book's figure dpi (lrnn_utils.plotting.use_book_style)
MAX_FRAMES = 30
IFRAME_SRC = "../_static/kernel_free/{page}.html"  # from book/<page>.html

#: page -> the widget function, the grid (control name -> values) and the alt text.
#: Grid values: a list (must hold the interact default and lie on the control's
#: range and step, or among its options), or "all" (every option / slider position).
PAGES = {
    "01_linear_rnn": {
        "function": "plot_input_weights",
        "grid": {
            "b": [-1.3, -1.0, -0.8, -0.5, 0.0, 0.5, 0.8, 0.95, 1.0, 1.3],
            "T": [10, 30],
        },
        "alt": "Weight a one-unit linear RNN puts on each input, measured (solid) and "
        "closed form (dashed), on a linear and on a logarithmic axis",
    },
    "02_decoupling": {
        "function": "plot_mode_learning",
        # the page's suggestions: the three kinds, T = 1, a large initialisation
        "grid": {"kind": "all", "T": [1, 5, 10], "init": [0.1, 1.0]},
        "alt": "Training of one singular dimension: input, output and recurrent modes "
        "and the loss over training, network (solid) against mode equations (dashed)",
    },
    "03b_recency": {
        "function": "plot_learning_order",
        "grid": {"delta2": [0.2, 0.5, 0.8, 1.1, 1.5], "lam2": [0.2, 0.5, 0.8, 1.1]},
        "alt": "Learning of two tasks from one start: u over delta, b and the loss "
        "over time, with half-learning times marked",
    },
    "04b_extrapolation": {
        "function": "plot_extrapolation",
        # the page's suggestions: lambda = 1 in each family, T' below T
        "grid": {
            "kind": "all",
            "lam": [0.5, 0.9, 1.0, 1.1, 1.5],
            "T_test": [5, 15],
        },
        "alt": "Weights of the trained solution on a longer test sequence, and the "
        "test loss against the test length",
    },
    "05_phase_transitions": {
        "function": "show_run",
        "grid": {
            "delta": [0.05, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.5],
            "kappa": [0.5, 1.0, 2.0],
        },
        "alt": "Loss landscape over the recurrent mode b and u = ac, with the path of "
        "gradient descent and its end point",
    },
    "05b_landau": {
        "function": "show_dirac",
        # the page's suggestions: beta across 1, T, the initial scale
        "grid": {
            "beta": [0.6, 0.8, 1.0, 1.3, 1.6],
            "T": [4, 10],
            "scale": [0.05, 0.5, 0.8],
        },
        "alt": "Effective energy of the recurrent mode for a Dirac task, and the loss "
        "landscape with the path of gradient descent",
    },
    "06_ntk": {
        "function": "plot_rich_lazy",
        # the page's suggestions: a narrow network from large weights, longer T
        "grid": {"large": [0.5, 1.0, 2.0], "n_hidden": [4, 52, 100], "T": [1, 2, 4]},
        "alt": "Loss of two networks (solid) and of their linearisations (dashed) over "
        "training, from a small and from a large initial scale",
    },
    "06b_feature_learning": {
        "function": "plot_distance_over_training",
        # the page's suggestions: T = 1 against 6, aligned at scale 1, unaligned
        # at scale 0.9 with T = 8
        "grid": {"init": "all", "T": [1, 4, 6, 8], "scale": [0.1, 0.9, 1.0]},
        "alt": "Kernel distance (solid) and loss (dashed) of one network over training",
    },
    "07_sensory_integration": {
        "function": "demo",
        "grid": {"target": "all", "T_train": "all"},
        "alt": "Test loss against the test length of a network trained on one length, "
        "network (solid) against the best single mode (dashed)",
    },
    "08_t_output": {
        "function": "compare_readouts",
        # the three families, decay against growth, short and long sequences
        "grid": {"kind": "all", "lam": [0.5, 0.7, 1.1], "T": [3, 6, 10]},
        "alt": "Outputs at every time step against one output: learning curves of the "
        "modes for the same task dynamics, network (solid) and theory (dashed)",
    },
    "09_rotations": {
        "function": "plot_rotation",
        # Figs A10 and A11: radius across 1, angles of both signs
        "grid": {
            "radius": [0.4, 0.7, 0.9, 1.0, 1.05],
            "phi_over_pi": [-0.75, -0.125, 0.125, 1 / 6, 0.25],
        },
        "alt": "Rotational task: the learned recurrent mode b and input-output mode ac "
        "in the complex plane and their radius and angle over training",
    },
    "10_playground": {
        "function": "playground",
        # the families of the book's chapters, with decay and growth
        "grid": {"family": "all", "lam": [0.7, 0.9, 1.1]},
        "alt": "Playground: a task's profile, the predicted and trained modes, the "
        "loss at other lengths, and the verdict of theory against network",
    },
}

FINAL_CELL = """\
import json as _kf_json
import sys as _kf_sys

_kf_sys.path.insert(0, {scripts!r})
from kernel_free import render_recorded as _kf_render

print({marker!r} + _kf_json.dumps(_kf_render(_WIDGET_SWEEP, {spec!r}, {tmp!r})))
"""


# --------------------------------------------------------------------------------------
# Grids: read from, and checked against, the interact call's controls
# --------------------------------------------------------------------------------------
def describe(name, widget):
    """A control as plain data: kind, label, default and its range or options."""
    kind = type(widget).__name__
    out = {"name": name, "widget": kind}
    desc = getattr(widget, "description", "") or name
    out["label"] = desc
    if hasattr(widget, "_options_values"):
        out["kind"] = "dropdown"
        out["options"] = list(widget._options_values)
        out["option_labels"] = [str(s) for s in widget._options_labels]
        out["value"] = widget.value
    elif hasattr(widget, "min") and hasattr(widget, "max"):
        out["kind"] = "slider"
        for key in ("min", "max", "step", "value"):
            out[key] = getattr(widget, key)
        if kind == "FloatLogSlider":
            out["base"] = widget.base
            out["value"] = widget.value  # the value itself, min/max are exponents
        out["readout_format"] = getattr(widget, "readout_format", "")
    else:
        out["kind"] = "fixed"
        out["value"] = repr(widget.get_interact_value())
    return out


def _lattice(c):
    """Every position of a slider (as the values its readout shows)."""
    n = round((c["max"] - c["min"]) / c["step"])
    return [c["min"] + k * c["step"] for k in range(n + 1)]


def on_slider(c, v, tol=1e-9):
    """Whether value ``v`` is a position of slider ``c`` (range and step)."""
    x = math.log(v, c["base"]) if c["widget"] == "FloatLogSlider" else v
    if not c["min"] - tol <= x <= c["max"] + tol:
        return False
    k = (x - c["min"]) / c["step"]
    return abs(k - round(k)) < 1e-6


def resolve_grid(grid, controls):
    """``{name: values}`` for a page's grid; ValueError if it leaves the controls."""
    out = {}
    for name, values in grid.items():
        if name not in controls:
            raise ValueError(f"{name!r} is not a control of the interact call")
        c = controls[name]
        if values == "all":
            if c["kind"] == "dropdown":
                values = list(c["options"])
            elif c["kind"] == "slider" and c["widget"] == "IntSlider":
                values = list(range(c["min"], c["max"] + 1, c["step"]))
            else:
                raise ValueError(f"{name!r}: 'all' needs a dropdown or an IntSlider")
        values = list(values)
        if c["kind"] == "dropdown":
            bad = [v for v in values if v not in c["options"]]
        elif c["kind"] == "slider":
            bad = [v for v in values if not on_slider(c, v)]
        else:
            raise ValueError(f"{name!r} is fixed, it has no values to grid")
        if bad:
            raise ValueError(f"{name!r}: {bad} not positions of {c}")
        default = c["value"]
        if not any(v == default or _close(v, default) for v in values):
            raise ValueError(f"{name!r}: grid {values} misses the default {default}")
        if len(set(map(repr, values))) != len(values):
            raise ValueError(f"{name!r}: repeated values in {values}")
        out[name] = values
    n = math.prod(len(v) for v in out.values())
    if n > MAX_FRAMES:
        raise ValueError(f"{n} frames, more than {MAX_FRAMES}")
    return out


def _close(a, b):
    return (
        isinstance(a, (int, float))
        and isinstance(b, (int, float))
        and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    )


def value_label(c, v):
    """The value as the live widget's readout shows it."""
    if c["kind"] == "dropdown":
        return c["option_labels"][c["options"].index(v)]
    fmt = c.get("readout_format") or ("d" if isinstance(v, int) else ".2f")
    try:
        return format(v, fmt)
    except ValueError:
        return f"{v:g}"


# --------------------------------------------------------------------------------------
# Kernel side: call the recorded function over the grid, save one PNG a point
# --------------------------------------------------------------------------------------
def render_recorded(recorded, spec, tmp):
    """Render every grid point of ``spec`` (a ``PAGES`` entry) with the recorded
    widget; PNGs in folder ``tmp``. Returns the controls and one row per frame."""
    import matplotlib.pyplot as plt
    from widget_sweep import call_checked, controls_of

    plt.switch_backend("agg")
    found = [(f, c) for f, c in recorded if f.__name__ == spec["function"]]
    if not found:
        names = [f.__name__ for f, _ in recorded]
        raise ValueError(f"no interact call of {spec['function']}; recorded {names}")
    f, raw = found[-1]
    widgets = controls_of(f, raw)
    controls = {n: describe(n, w) for n, w in widgets.items()}
    grid = resolve_grid(spec["grid"], controls)
    default = {n: w.get_interact_value() for n, w in widgets.items()}
    frames = []
    for k, point in enumerate(itertools.product(*grid.values())):
        kwargs = {**default, **dict(zip(grid, point))}
        png = str(Path(tmp) / f"{k:03d}")
        save = {"dpi": DPI, "bbox_inches": "tight", "metadata": {"Software": None}}
        ms, problems, *_ = call_checked(f, kwargs, png, savefig=save)
        n_png = len(list(Path(tmp).glob(f"{k:03d}-*.png")))
        if n_png != 1:
            problems.append(f"{n_png} figures drawn, a frame needs exactly one")
        frames.append({"point": list(point), "ms": round(ms), "problems": problems})
    return {"controls": list(controls.values()), "grid": grid, "frames": frames}


# --------------------------------------------------------------------------------------
# Driver side: run the notebook, write frames, page and fragment
# --------------------------------------------------------------------------------------
def _json_safe(x):
    return json.loads(json.dumps(x, default=repr))


def render_page(page, timeout=600):
    """Execute the page's notebook and render its grid; (result dict, tmp folder)."""
    from widget_sweep import run_with_recorder

    spec = PAGES[page]
    tmp = tempfile.mkdtemp(prefix=f"kernel_free_{page}_")
    final = FINAL_CELL.format(
        scripts=str(Path(__file__).parent),
        marker=MARKER,
        spec={k: spec[k] for k in ("function", "grid")},
        tmp=tmp,
    )
    text = run_with_recorder(ROOT / "book" / f"{page}.ipynb", final, timeout)
    if text is None:
        raise ValueError(f"{page}: no interact( cell")
    return json.loads(text.split(MARKER, 1)[1]), Path(tmp)


def frames_to_palette(paths):
    """The PNGs as palette images on one common canvas (white, centred), as bytes."""
    from PIL import Image

    images = [Image.open(p).convert("RGB") for p in paths]
    width = max(im.width for im in images)
    height = max(im.height for im in images)
    out = []
    for im in images:
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(im, ((width - im.width) // 2, (height - im.height) // 2))
        pal = canvas.quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
        buf = io.BytesIO()
        pal.save(buf, format="PNG", optimize=True)
        out.append(buf.getvalue())
    return out, width, height


def manifest(page, result, width, height, spec=None):
    """The data the page's JavaScript reads (and the tests check); ``spec`` (function
    name and alt text) defaults to ``PAGES[page]``."""
    spec = spec or PAGES[page]
    controls = {c["name"]: c for c in result["controls"]}
    grid = result["grid"]
    gridded = []
    for name, values in grid.items():
        c = controls[name]
        default = next(
            k for k, v in enumerate(values) if v == c["value"] or _close(v, c["value"])
        )
        gridded.append(
            {
                "name": name,
                "label": c["label"],
                "kind": "dropdown" if c["kind"] == "dropdown" else "slider",
                "values": values,
                "labels": [value_label(c, v) for v in values],
                "default": default,
            }
        )
    others = [
        f"{c['label']} = {value_label(c, c['value'])}"
        for c in result["controls"]
        if c["name"] not in grid and c["kind"] != "fixed"
    ]
    n = len(result["frames"])
    return _json_safe(
        {
            "page": page,
            "function": spec["function"],
            "controls": gridded,
            "others": others,
            "frames": [f"{page}/{k:03d}.png" for k in range(n)],
            "width": width,
            "height": height,
            "alt": spec["alt"],
            "interact_controls": result["controls"],
        }
    )


HTML = """<!DOCTYPE html>
<!-- generated by scripts/kernel_free.py; do not edit -->
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ margin: 0; padding: 2px; color: #222; background: #fff;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }}
#kf-controls {{ display: flex; flex-wrap: wrap; gap: 4px 22px; margin: 0 0 6px; }}
#kf-controls label {{ display: flex; align-items: center; gap: 6px; }}
#kf-controls output {{ min-width: 3.2em; font-variant-numeric: tabular-nums; }}
#kf-frame {{ display: block; max-width: 100%; height: auto; }}
.kf-note {{ margin: 4px 0 0; font-size: 12.5px; color: #555; }}
</style>
</head>
<body>
<div id="kf-controls"></div>
<img id="kf-frame" src="{first}" width="{width}" height="{height}" alt="{alt}">
<p class="kf-note">{note}</p>
<script type="application/json" id="kf-data">{data}</script>
<script src="slider.js"></script>
</body>
</html>
"""

#: The slider logic shared by every page: one hand-written file next to the pages,
#: copied when pages are written anywhere else.
SLIDER = OUT / "slider.js"


FRAGMENT = (
    '<iframe class="kernel-free" src="{src}" title="{title}" width="100%" '
    'height="{height}" style="border: 0; display: block;"></iframe>\n'
)


def note_text(m):
    n = len(m["frames"])
    names = " × ".join(f"{len(c['values'])} {c['label']}" for c in m["controls"])
    text = (
        f"Computed in advance: {n} states of the demo ({names}); the sliders step "
        "through these values only."
    )
    if m["others"]:
        text += " Other settings at the demo's defaults: " + ", ".join(m["others"])
        text += "."
    return text + (
        " Any setting of the live widget above needs a kernel (Binder, Colab or "
        "Jupyter)."
    )


def page_html(m):
    """The self-contained page of manifest ``m``."""
    data = json.dumps(m, ensure_ascii=False, separators=(",", ":"))
    data = data.replace("</", "<\\/")
    default = 0
    for c in m["controls"]:
        default = default * len(c["values"]) + c["default"]
    return HTML.format(
        title=html.escape(f"{m['page']}: {m['function']} without a kernel"),
        first=html.escape(m["frames"][default]),
        width=m["width"],
        height=m["height"],
        alt=html.escape(m["alt"]),
        note=html.escape(note_text(m)),
        data=data,
    )


def iframe_height(m):
    """Height for the iframe before its page resizes it: image, controls and note."""
    return m["height"] + 34 * len(m["controls"]) + 60


def fragment_html(m):
    return FRAGMENT.format(
        src=IFRAME_SRC.format(page=m["page"]),
        title=html.escape(f"Interactive figure without a kernel: {m['alt']}"),
        height=iframe_height(m),
    )


def write_page(page, m, pngs, out=OUT):
    """Write frames, page and fragment of ``page`` under ``out``."""
    folder = out / page
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for k, data in enumerate(pngs):
        (folder / f"{k:03d}.png").write_bytes(data)
    (out / f"{page}.html").write_text(page_html(m), encoding="utf-8")
    if out.resolve() != OUT.resolve():
        shutil.copyfile(SLIDER, out / "slider.js")
    (out / f"{page}.frag.html").write_text(fragment_html(m), encoding="utf-8")


def read_manifest(path):
    """The manifest embedded in a written page."""
    text = Path(path).read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="kf-data">(.*?)</script>', text)
    return json.loads(m.group(1).replace("<\\/", "</"))


def generate(page, out=OUT, timeout=600):
    """Frames, page and fragment for one page; returns a summary dict."""
    start = time.perf_counter()
    result, tmp = render_page(page, timeout)
    try:
        bad = [f for f in result["frames"] if f["problems"]]
        for f in bad:
            print(f"  {page} at {f['point']}: {'; '.join(f['problems'])}")
        pngs, width, height = frames_to_palette(
            [tmp / f"{k:03d}-0.png" for k in range(len(result["frames"]))]
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    m = manifest(page, result, width, height)
    write_page(page, m, pngs, out)
    return {
        "page": page,
        "frames": len(pngs),
        "bytes": sum(map(len, pngs)),
        "seconds": time.perf_counter() - start,
        "size": f"{width}x{height}",
        "flagged": len(bad),
    }


# --------------------------------------------------------------------------------------
# The notebook cell
# --------------------------------------------------------------------------------------
def cell_source(page):
    """The markdown cell that embeds ``page``'s figure (a raw-HTML include)."""
    return f":::{{raw}} html\n:file: _static/kernel_free/{page}.frag.html\n:::"


def insert_cell(nb, page):
    """Put the page's cell right after its last interact cell; True if ``nb`` changed.

    An existing cell (metadata ``kernel_free``) is refreshed and moved there.
    """
    import nbformat
    from widget_sweep import last_interact_cell

    src = cell_source(page)
    existing = [k for k, c in enumerate(nb.cells) if c.metadata.get("kernel_free")]
    old = [nb.cells[k] for k in existing]
    target = last_interact_cell(nb)
    if target is None:
        raise ValueError(f"{page}: no interact( cell")
    if (
        len(existing) == 1
        and existing[0] == target + 1
        and old[0].source == src
        and old[0].metadata.get("kernel_free") == page
    ):
        return False
    cell = old[0] if old else nbformat.v4.new_markdown_cell(src)
    cell.source = src
    cell.metadata["kernel_free"] = page
    cell.metadata.pop("jupyter", None)
    for k in reversed(existing):
        del nb.cells[k]
    nb.cells.insert(last_interact_cell(nb) + 1, cell)
    return True


def insert_all(pages, check_only=False):
    """Insert (or with ``check_only``, look for) the cell of every page."""
    import nbformat

    stale = []
    for page in pages:
        path = ROOT / "book" / f"{page}.ipynb"
        nb = nbformat.read(path, as_version=4)
        if insert_cell(nb, page):
            stale.append(page)
            if not check_only:
                nbformat.write(nb, path)
    return stale


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help=f"default: all of {list(PAGES)}")
    parser.add_argument("--insert", action="store_true", help="(re)insert the cells")
    parser.add_argument(
        "--html-only",
        action="store_true",
        help="rewrite pages and fragments from the committed frames (no kernel)",
    )
    parser.add_argument(
        "--check-cells", action="store_true", help="exit 1 if a cell is missing"
    )
    args = parser.parse_args(argv)
    pages = args.pages or list(PAGES)
    unknown = [p for p in pages if p not in PAGES]
    if unknown:
        parser.error(f"unknown pages {unknown}")
    if args.insert or args.check_cells:
        stale = insert_all(pages, check_only=args.check_cells)
        verb = "missing or stale" if args.check_cells else "inserted or refreshed"
        print(f"cells {verb}: {stale or 'none'}")
        return 1 if args.check_cells and stale else 0
    if args.html_only:
        for page in pages:
            m = read_manifest(OUT / f"{page}.html")
            (OUT / f"{page}.html").write_text(page_html(m), encoding="utf-8")
            (OUT / f"{page}.frag.html").write_text(fragment_html(m), encoding="utf-8")
        print(f"rewrote {len(pages)} pages")
        return 0
    total_bytes, start, rows = 0, time.perf_counter(), []
    for page in pages:
        row = generate(page)
        rows.append(row)
        total_bytes += row["bytes"]
        print(
            f"{page:26} {row['frames']:3d} frames {row['size']:>9} "
            f"{row['bytes'] / 1e3:7.0f} kB {row['seconds']:6.1f} s "
            f"flagged {row['flagged']}",
            flush=True,
        )
    print(
        f"{len(rows)} pages, {total_bytes / 1e6:.2f} MB of frames, "
        f"{time.perf_counter() - start:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
