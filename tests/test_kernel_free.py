"""Kernel-free interactive figures (scripts/kernel_free.py), without a browser.

The HTML generator on synthetic data (frames, labels, defaults, offline); the grids of
``PAGES`` against the sliders of the notebooks' own interact calls (read from the
notebooks' source here, without a kernel, so a slider changed in a notebook fails this
test until the frames are regenerated); the committed frames and pages against the
grids; the embedding cell of every page. The browser side (moving the sliders of the
built pages) is ``scripts/page_check.py``'s ``check_kernel_free``, tested in
``tests/test_page_check.py``.
"""

import ast
import doctest
import importlib
import io
import math
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import kernel_free as kf  # noqa: E402
import notebook_run  # noqa: E402
import widget_sweep  # noqa: E402

OUT = ROOT / "book" / "_static" / "kernel_free"


def test_notebook_run_doctest():
    assert doctest.testmod(notebook_run).failed == 0


# --------------------------------------------------------------------------------------
# The generator on synthetic data
# --------------------------------------------------------------------------------------
def _controls():
    from ipywidgets import Dropdown, FloatSlider, IntSlider

    widgets = {
        "b": FloatSlider(value=0.8, min=-1.3, max=1.3, step=0.05),
        "T": IntSlider(value=10, min=1, max=30, description="length"),
        "kind": Dropdown(options=["one", "two"], value="two"),
        "lr": FloatSlider(value=0.02, min=0.001, max=0.03, step=0.001,
                          readout_format=".3f"),
    }  # fmt: skip
    return {n: kf.describe(n, w) for n, w in widgets.items()}


def _synthetic(tmp_path, grid):
    from PIL import Image

    controls = _controls()
    grid = kf.resolve_grid(grid, controls)
    n = math.prod(len(v) for v in grid.values())
    result = {"controls": list(controls.values()), "grid": grid, "frames": [{}] * n}
    paths = []
    for k in range(n):  # frames of different sizes, each a different grey
        p = tmp_path / f"{k}.png"
        Image.new("RGB", (100 + k, 50 + 2 * k), (5 * k, 5 * k, 5 * k)).save(p)
        paths.append(p)
    pngs, w, h = kf.frames_to_palette(paths)
    m = kf.manifest("01_linear_rnn", result, w, h)
    kf.write_page("01_linear_rnn", m, pngs, tmp_path / "out")
    return m, tmp_path / "out"


def test_page_has_one_frame_per_grid_point(tmp_path):
    from PIL import Image

    grid = {"b": [-1.3, 0.0, 0.8], "kind": "all", "T": [1, 10]}
    m, out = _synthetic(tmp_path, grid)
    page = kf.read_manifest(out / "01_linear_rnn.html")
    assert page == m
    assert len(page["frames"]) == 3 * 2 * 2
    files = sorted((out / "01_linear_rnn").iterdir())
    assert [f"01_linear_rnn/{p.name}" for p in files] == page["frames"]
    for p in files:  # one canvas size for all frames: the figure does not jump
        with Image.open(p) as im:
            assert im.size == (page["width"], page["height"]) == (111, 72)
            assert im.mode == "P"
    # the frame shown first is the interact call's default point
    first = re.search(r'<img id="kf-frame" src="([^"]+)"', (out / "01_linear_rnn.html")
                      .read_text()).group(1)  # fmt: skip
    assert first == page["frames"][(2 * 2 + 1) * 2 + 1]  # b=0.8, kind=two, T=10


def test_labels_are_the_live_widgets_readouts(tmp_path):
    m, _ = _synthetic(tmp_path, {"b": [-1.3, 0.8], "kind": "all", "T": [1, 10]})
    b, kind, T = m["controls"]
    assert b["labels"] == ["-1.30", "0.80"] and b["label"] == "b"
    assert T["labels"] == ["1", "10"] and T["label"] == "length"
    assert (kind["kind"], kind["labels"]) == ("dropdown", ["one", "two"])
    assert [c["default"] for c in m["controls"]] == [1, 1, 1]
    assert m["others"] == ["lr = 0.020"]  # not gridded: stays at its default
    all_T = kf.resolve_grid({"T": "all"}, _controls())["T"]
    assert all_T == list(range(1, 31))


def test_page_is_self_contained_and_offline(tmp_path):
    _, out = _synthetic(tmp_path, {"b": [0.8, 1.3]})
    text = (out / "01_linear_rnn.html").read_text()
    assert not re.search(r"(src|href)=\"(https?:)?//", text)
    # one local script, written next to the pages; nothing else is loaded
    assert re.findall(r"<script src=\"([^\"]*)\"", text) == ["slider.js"]
    assert "<link" not in text
    assert (out / "slider.js").read_text() == kf.SLIDER.read_text()
    frag = (out / "01_linear_rnn.frag.html").read_text()
    assert 'src="../_static/kernel_free/01_linear_rnn.html"' in frag
    assert 'class="kernel-free"' in frag and 'title="' in frag


@pytest.mark.parametrize(
    "grid, message",
    [
        ({"b": [0.8, 0.83]}, "not positions"),  # off the step
        ({"b": [0.8, 1.4]}, "not positions"),  # beyond max
        ({"b": [0.0, 0.5]}, "misses the default"),
        ({"kind": ["one", "three"]}, "not positions"),
        ({"x": [1]}, "not a control"),
        ({"b": [0.8, 0.8]}, "repeated"),
        ({"lr": "all"}, "'all' needs"),
        ({"T": "all", "b": [-1.0, 0.8]}, "more than 30"),
    ],
)
def test_grids_off_the_controls_are_refused(grid, message):
    with pytest.raises(ValueError, match=message):
        kf.resolve_grid(grid, _controls())


def test_cell_insertion_is_idempotent():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("f(1)"),
        nbformat.v4.new_code_cell("_ = interact(f, x=FloatSlider())"),
        nbformat.v4.new_markdown_cell("## Exercises"),
    ]
    assert kf.insert_cell(nb, "01_linear_rnn") is True
    assert [c.cell_type for c in nb.cells] == ["code", "code", "markdown", "markdown"]
    assert nb.cells[2].source == kf.cell_source("01_linear_rnn")
    assert kf.insert_cell(nb, "01_linear_rnn") is False
    # moved away (a merge) or edited: put back right after the interact cell, once
    nb.cells.append(nb.cells.pop(2))
    nb.cells[-1].source = "edited"
    assert kf.insert_cell(nb, "01_linear_rnn") is True
    assert [c.source for c in nb.cells].count(kf.cell_source("01_linear_rnn")) == 1
    assert nb.cells[2].metadata["kernel_free"] == "01_linear_rnn"
    assert nb.cells[3].source == "## Exercises"


# --------------------------------------------------------------------------------------
# The book: grids against the notebooks' interact calls, committed files, cells
# --------------------------------------------------------------------------------------
class _Names(dict):
    """Names of an interact cell: ipywidgets, lrnn_utils modules, the page's literal
    constants (``NAMES = ["a", "b"]`` in an earlier cell), stubs for the rest."""

    def __init__(self, constants=()):
        super().__init__()
        self.constants = dict(constants)

    def __missing__(self, name):
        import builtins

        import ipywidgets

        if hasattr(builtins, name):
            raise KeyError(name)  # looked up in the builtins next
        if name in self.constants:
            return self.constants[name]

        if hasattr(ipywidgets, name):
            return getattr(ipywidgets, name)
        try:
            return importlib.import_module(f"lrnn_utils.{name}")
        except ImportError:
            return lambda *a, **k: None  # the widget function itself


def literal_constants(nb):
    """``NAME = <literal>`` assignments (upper-case names) of a notebook's cells."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # IPython magics
            continue
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id.isupper()
            ):
                try:
                    found[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    pass
    return found


def interact_widgets(page):
    """``{name: widget}`` of the page's last interact call, from its source only."""
    import ipywidgets

    nb = nbformat.read(ROOT / "book" / f"{page}.ipynb", as_version=4)
    cell = nb.cells[widget_sweep.last_interact_cell(nb)]
    recorded = []

    def record(f=None, **controls):
        recorded.append(controls)

    saved = ipywidgets.interact, ipywidgets.widgets.interact
    ipywidgets.interact = ipywidgets.widgets.interact = record
    try:
        tree = ast.parse(cell.source)
        names = _Names(literal_constants(nb))
        exec(compile(tree, page, "exec"), {"__builtins__": __builtins__}, names)
    finally:
        ipywidgets.interact, ipywidgets.widgets.interact = saved
    assert len(recorded) == 1, f"{page}: {len(recorded)} interact calls"
    return {n: w for n, w in recorded[0].items() if isinstance(w, ipywidgets.Widget)}


def chapter_pages():
    return [p.stem for p in widget_sweep.toc_notebooks()]


def test_every_chapter_with_a_widget_has_a_kernel_free_figure():
    with_widget = []
    for page in chapter_pages():
        nb = nbformat.read(ROOT / "book" / f"{page}.ipynb", as_version=4)
        if widget_sweep.last_interact_cell(nb) is not None:
            with_widget.append(page)
    assert sorted(with_widget) == sorted(kf.PAGES)


@pytest.mark.parametrize("page", sorted(kf.PAGES))
def test_grid_lies_on_the_notebooks_sliders(page):
    widgets = interact_widgets(page)
    controls = {n: kf.describe(n, w) for n, w in widgets.items()}
    grid = kf.resolve_grid(kf.PAGES[page]["grid"], controls)
    m = kf.read_manifest(OUT / f"{page}.html")
    # the committed frames were made with these very controls and grid values
    made = {c["name"]: c for c in m["interact_controls"]}
    for name, c in controls.items():
        assert made[name] == c, f"{page}: slider {name} changed; rerun kernel_free.py"
    assert [c["name"] for c in m["controls"]] == list(grid)
    for c in m["controls"]:
        assert c["values"] == grid[c["name"]]
        assert c["labels"] == [kf.value_label(controls[c["name"]], v) for v in grid[
            c["name"]]]  # fmt: skip


@pytest.mark.parametrize("page", sorted(kf.PAGES))
def test_committed_frames_match_the_grid(page):
    from PIL import Image

    m = kf.read_manifest(OUT / f"{page}.html")
    sizes = [len(c["values"]) for c in m["controls"]]
    assert len(m["frames"]) == math.prod(sizes) <= kf.MAX_FRAMES
    files = sorted((OUT / page).iterdir())
    assert [f"{page}/{p.name}" for p in files] == m["frames"]
    data = [p.read_bytes() for p in files]
    pixels = []
    for blob in data:
        with Image.open(io.BytesIO(blob)) as im:
            assert im.size == (m["width"], m["height"])
            assert m["width"] <= 840  # shown at >= 80 % of its width in a 672-px column
            pixels.append(im.convert("RGB").tobytes())
    # with the others at their defaults every step of every control changes the
    # picture (elsewhere a control may do nothing: 04b's constant task has no lambda,
    # and at lambda = 1 its three task families coincide)
    default = [c["default"] for c in m["controls"]]
    for i, n in enumerate(sizes):
        for s in range(n - 1):
            a = _index(default[:i] + [s] + default[i + 1 :], sizes)
            b = _index(default[:i] + [s + 1] + default[i + 1 :], sizes)
            assert pixels[a] != pixels[b], (page, m["frames"][a], m["frames"][b])
    assert (OUT / f"{page}.frag.html").read_text() == kf.fragment_html(m)


def _index(point, sizes):
    k = 0
    for p, s in zip(point, sizes):
        k = k * s + p
    return k


def test_all_frames_fit_the_budget():
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    assert total < 10e6, f"{total / 1e6:.1f} MB of kernel-free figures"
    assert sorted(p.stem for p in OUT.glob("*.frag.html")) == sorted(
        f"{p}.frag" for p in kf.PAGES
    )


def test_each_page_embeds_its_figure_once_after_its_widget():
    assert kf.insert_all(sorted(kf.PAGES), check_only=True) == []
    for page in kf.PAGES:
        nb = nbformat.read(ROOT / "book" / f"{page}.ipynb", as_version=4)
        cells = [c for c in nb.cells if c.metadata.get("kernel_free")]
        assert len(cells) == 1 and cells[0].cell_type == "markdown"
        m = re.search(r":file: (\S+)", cells[0].source)
        assert (ROOT / "book" / m.group(1)).exists()
