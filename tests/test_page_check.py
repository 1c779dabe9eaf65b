"""scripts/page_check.py on small synthetic pages: each failure kind is detected on the
page that has it (and only that kind), and a clean page passes.

Skipped when Chromium (or websocket-client) is absent; CI has both."""

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytest.importorskip("websocket")
if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
    pytest.skip("Chromium is not installed", allow_module_level=True)

spec = importlib.util.spec_from_file_location(
    "page_check", REPO / "scripts" / "page_check.py"
)
page_check = importlib.util.module_from_spec(spec)
sys.modules["page_check"] = page_check
spec.loader.exec_module(page_check)

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title>
<style>main {{ width: 600px; }} img {{ max-width: 100%; }}</style></head>
<body><main><article>{}</article></main></body></html>"""

CLEAN = """
<h1 id="top">A clean page</h1>
<p>Training follows the mode equation, see <a href="#eq-1">Eq. (1)</a> and
<a href="other.html#sec">the other page</a>. Costs: none. Loss 0.25 at step 3.</p>
<span id="eq-1"></span>
<figure><img src="small.png" alt="A rising curve"><figcaption>Figure 1. A curve.
</figcaption></figure>
<div class="highlight"><pre>x = 1</pre></div>
<div class="cell_output"><div class="output"><pre>loss after training: below 1e-12
... check: the function still raises NotImplementedError (replace the ...)</pre>
</div></div>
"""

BAD = {
    "tex": "<p>The loss is $L = \\frac{1}{2}$ here.</p>",
    "mathjax": '<p>See <mjx-merror data-mjx-error="Undefined control sequence \\foo">'
    "x</mjx-merror>.</p>",
    "image": '<p><img src="missing.png" alt="gone"></p>',
    "file": '<p><a href="nowhere.html">a page</a></p>',
    "anchor": '<p><a href="other.html#nope">a section</a></p>',
    "local": '<p><a href="#nope">here</a></p>',
    "unresolved": "<p>As shown in Figure ??? above.</p>",
    "label": '<p>It follows from eq. <a href="#x">Eq. (3)</a>.</p><span id="x"></span>',
    "shrunk": '<figure><img src="wide.png" alt="A wide figure"></figure>',
    "overflow": '<div class="highlight"><pre>' + "y = 1 + " * 40 + "1</pre></div>",
    "traceback": '<div class="cell_output"><div class="output"><pre>Traceback (most '
    "recent call last):\n  ValueError: bad</pre></div></div>",
    "error": '<div class="cell_output"><div class="output"><pre>step 3\n'
    "TrainingDivergedError: training diverged at step 3</pre></div></div>",
    "nan": '<div class="cell_output"><div class="output"><pre>error: nan</pre>'
    "</div></div>",
    "warning": '<div class="cell_output"><div class="output stderr"><pre>/x.py:3: '
    "RuntimeWarning: overflow</pre></div></div>",
    "alt": '<figure><img src="small.png"></figure>',
    "altname": '<figure><img src="small.png" alt="../_images/small.png"></figure>',
}
EXPECTED = {
    "tex": "tex",
    "mathjax": "tex",
    "image": "image",
    "file": "link",
    "anchor": "link",
    "local": "link",
    "unresolved": "link",
    "label": "label",
    "shrunk": "figure-size",
    "overflow": "overflow",
    "traceback": "output",
    "error": "output",
    "nan": "output",
    "warning": "output",
    "alt": "alt",
    "altname": "alt",
}


NOTEBOOK = """
<div class="dropdown-launch-buttons">
<a href="https://mybinder.org/v2/gh/o/n/main?urlpath=lab/tree/book/p.ipynb">Binder</a>
<a href="https://colab.research.google.com/github/o/n/blob/main/book/p.ipynb">Colab</a>
<button class="btn-launch-thebe">Live Code</button></div>
<script type="text/x-thebe-config">{requestKernel: true}</script>
<div class="cell"><div class="highlight"><pre>x = 1</pre></div></div>
"""
BAD["launch"] = '<div class="cell"><div class="highlight"><pre>x = 1</pre></div></div>'
EXPECTED["launch"] = "launch"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    from PIL import Image

    site = tmp_path_factory.mktemp("site")
    Image.new("RGB", (400, 200), "white").save(site / "small.png")
    Image.new("RGB", (1500, 300), "white").save(site / "wide.png")
    (site / "clean.html").write_text(PAGE.format(CLEAN))
    (site / "notebook.html").write_text(PAGE.format(NOTEBOOK))
    (site / "other.html").write_text(PAGE.format('<h2 id="sec">Other</h2><p>ok</p>'))
    for name, body in BAD.items():
        (site / f"{name}.html").write_text(PAGE.format(body))
    shots = tmp_path_factory.mktemp("shots")
    return page_check.check_pages(site, shots), shots


def test_clean_pages_pass(results):
    res, _ = results
    assert res["clean.html"] == [] and res["other.html"] == []
    assert res["notebook.html"] == []


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_failure_kind_is_detected(results, name):
    res, _ = results
    kinds = {kind for kind, _ in res[f"{name}.html"]}
    assert kinds == {EXPECTED[name]}, res[f"{name}.html"]


def test_one_full_width_screenshot_per_page(results):
    from PIL import Image

    res, shots = results
    pngs = sorted(p.name for p in shots.glob("*.png"))
    assert pngs == sorted(n.replace(".html", ".png") for n in res)
    with Image.open(shots / "clean.png") as im:
        assert im.width == page_check.WIDTH


def test_main_exit_status(tmp_path):
    site = tmp_path / "html"
    site.mkdir()
    (site / "index.html").write_text(PAGE.format("<p>fine</p>"))
    assert page_check.main([str(site)]) == 0
    assert (tmp_path / "page_check" / "index.png").exists()
    (site / "bad.html").write_text(PAGE.format(BAD["tex"]))
    assert page_check.main([str(site)]) == 1


# --------------------------------------------------------------------------------------
# Kernel-free figures (scripts/kernel_free.py): the sliders are moved in the browser
# --------------------------------------------------------------------------------------
def _kernel_free_site(root, frames_differ=True, missing_frame=False):
    """A built-site stand-in: book/p.html embeds _static/kernel_free/p.html."""
    sys.path.insert(0, str(REPO / "scripts"))
    import kernel_free as kf
    from PIL import Image, ImageDraw

    controls = {
        "b": {"name": "b", "widget": "FloatSlider", "label": "b", "kind": "slider",
              "min": 0.0, "max": 1.0, "step": 0.5, "value": 0.5,
              "readout_format": ".2f"},
        "kind": {"name": "kind", "widget": "Dropdown", "label": "family",
                 "kind": "dropdown", "options": ["x", "y"], "option_labels": ["x", "y"],
                 "value": "x"},
    }  # fmt: skip
    grid = kf.resolve_grid({"b": [0.0, 0.5, 1.0], "kind": "all"}, controls)
    result = {"controls": list(controls.values()), "grid": grid, "frames": [{}] * 6}
    paths = []
    for k in range(6):
        im = Image.new("RGB", (300, 150), "white")
        if frames_differ:
            ImageDraw.Draw(im).rectangle([10, 10, 10 + 40 * k, 60], fill="black")
        im.save(root / f"{k}.png")
        paths.append(root / f"{k}.png")
    pngs, w, h = kf.frames_to_palette(paths)
    m = kf.manifest("p", result, w, h, {"function": "demo", "alt": "A black bar"})
    site = root / "html"
    kf.write_page("p", m, pngs, site / "_static" / "kernel_free")
    if missing_frame:
        (site / "_static" / "kernel_free" / "p" / "004.png").unlink()  # b=1, kind=x
    (site / "book").mkdir()
    body = "<p>Demo:</p>" + kf.fragment_html(m)
    (site / "book" / "p.html").write_text(PAGE.format(body))
    return site


@pytest.mark.parametrize(
    "case, expected",
    [
        ("good", []),
        ("same", ["did not change the displayed figure"]),
        ("missing", ["did not load"]),
    ],
)
def test_kernel_free_figure_is_moved_in_the_browser(tmp_path, case, expected):
    site = _kernel_free_site(
        tmp_path, frames_differ=case != "same", missing_frame=case == "missing"
    )
    res = page_check.check_pages(site, None)["book/p.html"]
    assert all(kind == "kernel-free" for kind, _ in res), res
    for text in expected:
        assert any(text in msg for _, msg in res), res
    assert bool(res) == bool(expected), res
