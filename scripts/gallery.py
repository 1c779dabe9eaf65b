"""Build the figure gallery (``book/gallery.md``) and the landing page's hero image.

Nothing here is typed by hand, so nothing can drift:

* **which** paper figures the book reproduces, where, and with what verdict comes from
  the claims ledger (``book/ledger/*.yml``, read through ``scripts/claims_ledger.py``):
  every row with ``figs`` is one gallery entry; its ``numref:`` links name the book's
  figures that make it;
* **the pictures** come from the committed notebooks: the PNG output of the cell whose
  metadata carries that figure name (``mystnb.figure.name``, see CONTRIBUTING.md),
  shrunk to a thumbnail ``book/_static/gallery/<figure name>.png`` (Pillow, Lanczos,
  :data:`THUMB_WIDTH` px wide); the alt text is the figure's own
  (``mystnb.image.alt``);
* **the hero image** of ``book/intro.md`` is the output of figure :data:`HERO`, copied
  pixel for pixel to ``book/_static/hero.png``.

Rows of the ledger whose verdict is ``not-covered`` appear as a line of text that
says so and links to the ledger row. A reproduced row (any other verdict) without a
book figure that has a committed image fails the check.

Usage (from the repository root)::

    python scripts/gallery.py            # write the page, the thumbnails, the hero
    python scripts/gallery.py --check    # fail if any of them is stale or missing

``--check`` regenerates everything in memory from the committed notebooks and compares
the page text and the decoded pixels of every PNG (not the PNG bytes, which depend on
the compressor; a channel may differ by :data:`PIXEL_TOLERANCE` levels), and fails on
a thumbnail no entry uses. After re-executing notebooks, run the script without
``--check`` and commit what changed.
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import io
import json
import sys
from pathlib import Path

from docutils.nodes import make_id  # the HTML id Sphinx gives a label
from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[1]
PAGE = "gallery.md"
THUMBS = Path("_static") / "gallery"  # relative to the book folder
HERO_FILE = Path("_static") / "hero.png"
HERO = "fig-ch3-figA1"  # the learning-order figure (paper Fig. A1)
THUMB_WIDTH = 220  # px

_spec = importlib.util.spec_from_file_location(
    "claims_ledger", Path(__file__).with_name("claims_ledger.py")
)
ledger = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ledger)


# ---------------------------------------------------------------- the data
def figure_outputs(book: Path) -> dict[str, dict]:
    """Every named figure of the committed notebooks: its PNG, alt text and page."""
    found = {}
    for path in sorted(book.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            meta = cell.get("metadata", {}).get("mystnb", {})
            name = (meta.get("figure") or {}).get("name")
            if not name or cell["cell_type"] != "code":
                continue
            pngs = [
                out["data"]["image/png"]
                for out in cell.get("outputs", [])
                if "image/png" in out.get("data", {})
            ]
            found[name] = {
                "png": base64.b64decode("".join(pngs[0])) if len(pngs) == 1 else None,
                "alt": " ".join(str(meta.get("image", {}).get("alt", "")).split()),
                "doc": path.stem,
            }
    return found


def paper_order(fig: str) -> tuple:
    """Main-text figures first (1, 2, ...), then the appendix (A1, A2, ..., A11)."""
    return (fig.startswith("A"), int(fig.lstrip("A")))


def entries(chapters: list[dict]) -> list[dict]:
    """One entry per ledger row that covers a paper figure, in paper order."""
    out = []
    for _, row in ledger.rows(chapters):
        figs = [str(f) for f in row.get("figs") or []]
        if not figs:
            continue
        names = []
        for link in row.get("where") or []:
            kind, target, _ = ledger.parse_link(link)
            if kind == "numref":
                names.append(target)
        out.append({"row": row, "figs": figs, "figures": names})
    out.sort(key=lambda e: paper_order(e["figs"][0]))  # stable: ledger order within
    return out


def thumbnail(png: bytes) -> Image.Image:
    """The figure shrunk to THUMB_WIDTH px (never enlarged)."""
    image = Image.open(io.BytesIO(png))
    image.load()
    if image.width <= THUMB_WIDTH:
        return image.copy()
    height = max(1, round(image.height * THUMB_WIDTH / image.width))
    return image.resize((THUMB_WIDTH, height), Image.Resampling.LANCZOS)


def full_image(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


# ---------------------------------------------------------------- the page
def _one_line(text) -> str:
    return " ".join(str(text).split())


def paper_figure(row: dict) -> str:
    """The figure part of the ledger's ``paper`` field: "Fig. 4 (right)"."""
    return _one_line(row["paper"]).split(";")[0].strip()


def ledger_label(row: dict) -> str:
    """The target the claims ledger puts in front of a row (see claims_ledger.py)."""
    return ledger.row_label(row)


def _entry(entry: dict, outputs: dict[str, dict]) -> list[str]:
    row = entry["row"]
    verdict = ledger.VERDICTS[row["verdict"]]
    ledger_link = f"{{ref}}`ledger row <{ledger_label(row)}>`"
    lines = [f"* - **{paper_figure(row)}**"]
    if row["verdict"] == "not-covered":
        lines += [
            "  - *Not covered by the book*: "
            f"{_one_line(row.get('comment', ''))} See the {ledger_link}.",
            f"  - {_one_line(row['claim'])}",
        ]
        return lines
    pictures = []
    for name in entry["figures"]:
        alt = outputs[name]["alt"].replace("`", "'")
        pictures.append(
            "\n    ".join(
                [
                    "```{image} " + (THUMBS / f"{name}.png").as_posix(),
                    f":alt: {alt}",
                    f":target: {outputs[name]['doc']}.html#{make_id(name)}",
                    "```",
                ]
            )
        )
    lines.append("  - " + "\n\n    ".join(pictures))
    by_doc: dict[str, list[str]] = {}
    for name in entry["figures"]:
        by_doc.setdefault(outputs[name]["doc"], []).append(f"{{numref}}`{name}`")
    made = "; ".join(
        f"{' and '.join(refs)} ({{doc}}`{doc}`)" for doc, refs in by_doc.items()
    )
    lines.append(
        f"  - {_one_line(row['claim'])}\n\n"
        f"    *Made in* {made}. **{verdict}** ({ledger_link})."
    )
    return lines


INTRO = """\
Every figure of {cite:t}`proca2025learning`, in the main text and the appendix, in the
paper's order: a thumbnail of the book's figure that reproduces it, the paper's figure
number, what the figure shows, and a link to the figure in the book. The verdict and
the ledger row say how close the reproduction is (same setting, another setting, or not
covered); see the {doc}`claims_ledger` for the evidence behind each verdict.

This page is generated by `scripts/gallery.py` from the claims ledger
(`book/ledger/*.yml`) and the figures of the committed notebooks; a test fails when a
thumbnail is stale or missing.
"""


def render(items: list[dict], outputs: dict[str, dict]) -> str:
    out = [
        "<!-- Generated by scripts/gallery.py from book/ledger/*.yml and the"
        " notebooks' figures. Do not edit. -->",
        "",
        "(figure-gallery)=",
        "# Figure gallery",
        "",
        INTRO,
    ]
    for title, appendix in (("Main text", False), ("Appendix", True)):
        part = [e for e in items if paper_order(e["figs"][0])[0] == appendix]
        out += [
            f"## {title}",
            "",
            "::::{list-table}",
            ":header-rows: 1",
            ":widths: 16 34 50",
            ":class: figure-gallery",
            "",
            "* - Paper",
            "  - Book figure",
            "  - What it shows",
        ]
        for entry in part:
            out += _entry(entry, outputs)
        out += ["::::", ""]
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------- build and check
def build(book: Path) -> tuple[str, dict[Path, Image.Image], list[str]]:
    """The page, every image (path relative to ``book``) and the problems found."""
    chapters = ledger.load(book / "ledger")
    outputs = figure_outputs(book)
    items = entries(chapters)
    problems = []
    images: dict[Path, Image.Image] = {}
    for entry in items:
        row = entry["row"]
        if row["verdict"] == "not-covered":
            continue
        if not entry["figures"]:
            problems.append(
                f"ledger row '{row['id']}' (paper Fig. {', '.join(entry['figs'])}) is"
                " reproduced but links no book figure (numref:)"
            )
        for name in entry["figures"]:
            found = outputs.get(name)
            if found is None or found["png"] is None:
                problems.append(
                    f"ledger row '{row['id']}': figure '{name}' has no committed"
                    " image output (exactly one PNG) in the notebooks"
                )
            elif not found["alt"]:
                problems.append(f"figure '{name}' has no alt text")
            else:
                images[THUMBS / f"{name}.png"] = thumbnail(found["png"])
    hero = outputs.get(HERO)
    if hero is None or hero["png"] is None:
        problems.append(f"hero figure '{HERO}' has no committed image output")
    else:
        images[HERO_FILE] = full_image(hero["png"])
    if problems:
        return "", images, problems
    return render(items, outputs), images, problems


# Pillow's resampling is integer arithmetic on coefficients computed in floating point;
# a build that fuses multiply-adds (some ARM wheels) may round a coefficient the other
# way and move a pixel by one level. A stale thumbnail differs by far more (a changed
# line or label moves anti-aliased pixels by tens of levels).
PIXEL_TOLERANCE = 2


def same_pixels(a: Image.Image, b: Image.Image, tol: int = PIXEL_TOLERANCE) -> bool:
    """Same mode and size, and no channel of any pixel differs by more than ``tol``."""
    if a.mode != b.mode or a.size != b.size:
        return False
    if a.tobytes() == b.tobytes():
        return True
    extrema = ImageChops.difference(a, b).getextrema()
    if isinstance(extrema[0], int):  # a one-band image
        extrema = (extrema,)
    return max(hi for _, hi in extrema) <= tol


def check(book: Path) -> list[str]:
    """Every way the committed page and images differ from what the script makes."""
    text, images, problems = build(book)
    if problems:
        return problems
    page = book / PAGE
    if not page.exists() or page.read_text(encoding="utf-8") != text:
        problems.append(f"{page.name} is stale")
    for rel, want in sorted(images.items()):
        path = book / rel
        if not path.exists():
            problems.append(f"{rel.as_posix()} is missing")
            continue
        have = Image.open(path)
        have.load()
        if not same_pixels(have, want):
            problems.append(f"{rel.as_posix()} is stale")
    for path in sorted((book / THUMBS).glob("*.png")):
        if path.relative_to(book) not in images:
            problems.append(f"{path.relative_to(book).as_posix()} is used by no entry")
    if HERO_FILE.as_posix() not in (book / "intro.md").read_text(encoding="utf-8"):
        problems.append(f"intro.md does not show {HERO_FILE.as_posix()}")
    return problems


def write(book: Path) -> list[str]:
    """Write the page and the images; remove thumbnails no entry uses."""
    text, images, problems = build(book)
    if problems:
        return problems
    (book / PAGE).write_text(text, encoding="utf-8")
    (book / THUMBS).mkdir(parents=True, exist_ok=True)
    for rel, image in images.items():
        path = book / rel
        if path.exists():
            old = Image.open(path)
            old.load()
            if same_pixels(old, image):
                continue
        image.save(path, format="PNG", optimize=True)
    for path in (book / THUMBS).glob("*.png"):
        if path.relative_to(book) not in images:
            path.unlink()
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="fail if the page or an image is stale"
    )
    parser.add_argument("--book", type=Path, default=ROOT / "book", help="book folder")
    args = parser.parse_args(argv)
    problems = check(args.book) if args.check else write(args.book)
    for problem in problems:
        print(f"gallery: {problem}", file=sys.stderr)
    if problems:
        if args.check:
            print("gallery: run python scripts/gallery.py", file=sys.stderr)
        return 1
    if not args.check:
        print(
            f"wrote {args.book / PAGE} and {len(list((args.book / THUMBS).glob('*')))}"
            " thumbnails"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
