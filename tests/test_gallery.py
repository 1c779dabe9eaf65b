"""The figure gallery (book/gallery.md, scripts/gallery.py) and the landing page's hero.

The first tests check the committed page and images against what the script makes from
the committed notebooks and the claims ledger (no notebook is executed). The others
break a copy of the book's inputs, one way at a time, and assert that the check fails.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
import yaml
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
_spec = importlib.util.spec_from_file_location("gallery", ROOT / "scripts/gallery.py")
gallery = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gallery)
cl = gallery.ledger


# ---------------------------------------------------------------- the committed gallery
def test_gallery_is_current():
    assert gallery.check(BOOK) == [], "run python scripts/gallery.py"


def test_every_paper_figure_is_on_the_page():
    page = (BOOK / gallery.PAGE).read_text(encoding="utf-8")
    for fig in cl.PAPER_FIGS:
        assert f"* - **Fig. {fig}" in page, f"paper Fig. {fig} is not in the gallery"


def test_every_reproduced_figure_has_a_thumbnail():
    rows = [row for _, row in cl.rows(cl.load(BOOK / "ledger"))]
    shown = 0
    for row in rows:
        if not row.get("figs") or row["verdict"] == "not-covered":
            continue
        names = [cl.parse_link(w)[1] for w in row["where"] if w.startswith("numref:")]
        assert names, row["id"]
        for name in names:
            assert (BOOK / gallery.THUMBS / f"{name}.png").exists(), name
            shown += 1
    assert shown >= 15


def test_not_covered_figures_link_their_ledger_row(book):
    """A figure row marked not-covered is a line of text linking its ledger row.

    Every paper figure is reproduced now, so a copy of the ledger marks one as not.
    """
    path = book / "ledger" / "ch06.yml"
    data = yaml.safe_load(path.read_text())
    for row in data["claims"]:
        if row["id"] == "figA5":
            row["verdict"] = "not-covered"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    page = gallery.build(book)[0]
    ledger_page = (BOOK / cl.PAGE).read_text(encoding="utf-8")
    rows = [row for _, row in cl.rows(cl.load(book / "ledger"))]
    missing = [r for r in rows if r.get("figs") and r["verdict"] == "not-covered"]
    assert [r["id"] for r in missing] == ["figA5"]
    for row in missing:
        label = cl.row_label(row)
        assert f"<{label}>`" in page
        assert f"({label})=" in ledger_page  # the target exists


def test_thumbnails_are_small():
    for path in (BOOK / gallery.THUMBS).glob("*.png"):
        with Image.open(path) as im:
            assert im.width <= gallery.THUMB_WIDTH
        assert path.stat().st_size < 120_000, path.name


def test_page_is_in_the_back_matter_next_to_the_ledger():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    back = next(p for p in toc["parts"] if p["caption"] == "Back matter")
    files = [c["file"] for c in back["chapters"]]
    i = files.index("book/claims_ledger")
    assert files[i + 1] == "book/gallery"


# ---------------------------------------------------------------- each check can fail
@pytest.fixture
def book(tmp_path):
    """A copy of what the gallery is made from and of what it writes."""
    dst = tmp_path / "book"
    dst.mkdir()
    for path in BOOK.glob("*.ipynb"):
        (dst / path.name).symlink_to(path)
    shutil.copytree(BOOK / "ledger", dst / "ledger")
    shutil.copytree(BOOK / gallery.THUMBS, dst / gallery.THUMBS)
    for rel in (gallery.PAGE, "intro.md", gallery.HERO_FILE):
        shutil.copy(BOOK / rel, dst / rel)
    assert gallery.check(dst) == []
    return dst


def _has(problems, *words):
    return any(all(w in p for w in words) for p in problems)


def test_fails_on_a_removed_thumbnail(book):
    (book / gallery.THUMBS / "fig-ch4-fig3.png").unlink()
    assert _has(gallery.check(book), "fig-ch4-fig3.png", "missing")
    assert gallery.main(["--check", "--book", str(book)]) == 1
    # and writing restores it
    assert gallery.main(["--book", str(book)]) == 0
    assert gallery.check(book) == []


def test_fails_on_a_changed_thumbnail(book):
    path = book / gallery.THUMBS / "fig-ch3-fig2.png"
    with Image.open(path) as im:
        im = im.copy()
    im.putpixel((5, 5), (255, 0, 0, 255) if im.mode == "RGBA" else (255, 0, 0))
    im.save(path)
    assert _has(gallery.check(book), "fig-ch3-fig2.png", "stale")


def test_pixel_tolerance():
    a = Image.new("RGBA", (4, 3), (10, 20, 30, 255))
    b = a.copy()
    b.putpixel((1, 1), (12, 20, 29, 255))  # rounding-level: the same thumbnail
    assert gallery.same_pixels(a, b)
    b.putpixel((2, 2), (40, 20, 30, 255))  # a changed pixel
    assert not gallery.same_pixels(a, b)
    assert not gallery.same_pixels(a, a.convert("RGB"))
    assert not gallery.same_pixels(a, a.resize((4, 4)))
    grey = Image.new("L", (2, 2), 7)
    assert gallery.same_pixels(grey, Image.new("L", (2, 2), 8))


def test_fails_on_a_stale_hero(book):
    with Image.open(book / gallery.HERO_FILE) as im:
        im.crop((0, 0, 10, 10)).save(book / gallery.HERO_FILE)
    assert _has(gallery.check(book), "hero.png", "stale")


def test_fails_when_the_intro_drops_the_hero(book):
    intro = book / "intro.md"
    intro.write_text(intro.read_text().replace("_static/hero.png", "x.png"))
    assert _has(gallery.check(book), "intro.md", "hero.png")


def test_fails_on_an_edited_page(book):
    page = book / gallery.PAGE
    page.write_text(page.read_text() + "\nhand edit\n")
    assert _has(gallery.check(book), "gallery.md", "stale")


def test_fails_on_a_thumbnail_no_entry_uses(book):
    shutil.copy(
        book / gallery.THUMBS / "fig-ch3-fig2.png", book / gallery.THUMBS / "old.png"
    )
    assert _has(gallery.check(book), "old.png", "no entry")


def test_fails_when_a_notebook_figure_changes(book):
    """A re-executed notebook whose figure differs makes the thumbnail stale."""
    name = "06b_feature_learning.ipynb"
    nb = json.loads((BOOK / name).read_text())
    other = None
    for cell in nb["cells"]:
        fig = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
        if fig.get("name") == "fig-ch6-caution":
            other = [o for o in cell["outputs"] if "image/png" in o.get("data", {})]
    for cell in nb["cells"]:
        fig = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
        if fig.get("name") == "fig-ch6-fig5":
            cell["outputs"] = other  # another picture under the same figure name
    (book / name).unlink()
    (book / name).write_text(json.dumps(nb))
    assert _has(gallery.check(book), "fig-ch6-fig5.png", "stale")


def test_fails_when_a_reproduced_figure_has_no_image(book):
    name = "07_sensory_integration.ipynb"
    nb = json.loads((BOOK / name).read_text())
    for cell in nb["cells"]:
        fig = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
        if fig.get("name") == "fig-ch7-figA8":
            cell["outputs"] = []
    (book / name).unlink()
    (book / name).write_text(json.dumps(nb))
    assert _has(gallery.check(book), "fig-ch7-figA8", "no committed image")


def test_fails_when_a_reproduced_row_links_no_figure(book):
    path = book / "ledger" / "ch06.yml"
    data = yaml.safe_load(path.read_text())
    for row in data["claims"]:
        if row["id"] == "figA6":
            row["where"] = ["doc:06b_feature_learning"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    assert _has(gallery.check(book), "figA6", "links no book figure")


def test_a_new_ledger_figure_needs_a_new_thumbnail(book):
    """A figure row that starts to link another book figure needs its thumbnail."""
    for path in sorted((book / "ledger").glob("*.yml")):
        data = yaml.safe_load(path.read_text())
        rows = [
            r for r in data["claims"] if r.get("figs") and r["verdict"] == "reproduced"
        ]
        if rows:
            rows[0]["where"] = ["numref:fig-ch7-growth"]
            break
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    problems = gallery.check(book)
    assert _has(problems, "fig-ch7-growth.png", "missing")
    assert _has(problems, "gallery.md", "stale")
