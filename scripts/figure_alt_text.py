"""Give every figure of the book alt text, so screen readers say what it shows.

A figure made by code carries its caption in the cell metadata
(``mystnb.figure.caption``, see CONTRIBUTING.md). myst-nb takes an image's alt text from
``mystnb.image.alt``; without it the HTML shows the image's file name. This script
writes, for every figure cell without alt text, the caption as plain text: MyST roles
dropped or replaced by their text, ``$...$`` turned into words a screen reader can say
(``\\lambda`` becomes "lambda", ``\\mathbf x_t`` becomes "x_t").
An alt text written by hand (already present) is kept.

Usage (from the repository root)::

    python scripts/figure_alt_text.py           # write missing alt texts
    python scripts/figure_alt_text.py --check   # fail if a figure has none
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
ROLE = re.compile(r"\{(\w+)(?::\w+)?\}`([^`]*)`")
# what a reference without its own text stands for, read aloud
WORDS = {
    "numref": "the figure cited",
    "eq": "the equation cited",
    "cite": "the paper",
    "ref": "the section cited",
    "doc": "another page",
    "glue": "a computed value",
}


def plain(caption: str) -> str:
    """A caption as plain text: roles resolved to words, markup removed."""

    def role(m: re.Match) -> str:
        name, body = m.group(1), m.group(2)
        text = re.match(r"(.*?)\s*<[^>]*>$", body)  # {ref}`text <label>`
        if text:
            return text.group(1)
        return WORDS.get(name, body)

    text = ROLE.sub(role, caption)
    text = re.sub(r"\*\*?([^*]+)\*\*?", r"\1", text)  # emphasis
    text = re.sub(r"\(\s*\)|\[\s*\]", "", text)  # brackets left empty by a role
    text = re.sub(r"\$([^$]*)\$", lambda m: tex_words(m.group(1)), text)
    text = re.sub(r"\s+([,.;:])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def tex_words(tex: str) -> str:
    """Inline TeX as words: font commands and spacing dropped, ``\\name`` -> name."""
    tex = re.sub(
        r"\\(mathbf|mathrm|mathcal|boldsymbol|operatorname|text)\b\s*", "", tex
    )
    tex = re.sub(r"([\^_])\{([^{}]*)\}", r"\1(\2)", tex)  # b^{T-i} -> b^(T-i)
    tex = re.sub(r"\\[,;:!]|~", " ", tex)
    tex = re.sub(r"\\(left|right|displaystyle)\b", "", tex)
    tex = re.sub(r"\\([A-Za-z]+)", r"\1", tex)
    return re.sub(r"[{}]", "", tex)


def figure_cells(nb):
    for cell in nb.cells:
        fig = cell.metadata.get("mystnb", {}).get("figure")
        if cell.cell_type == "code" and fig and fig.get("caption"):
            yield cell, fig


def missing(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [
        fig.get("name", "?")
        for cell, fig in figure_cells(nb)
        if not cell.metadata["mystnb"].get("image", {}).get("alt", "").strip()
    ]


def write(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    n = 0
    for cell, fig in figure_cells(nb):
        image = cell.metadata["mystnb"].setdefault("image", {})
        if not image.get("alt", "").strip():
            image["alt"] = plain(fig["caption"])
            n += 1
    if n:
        nbformat.write(nb, path)
    return n


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    paths = sorted((ROOT / "book").glob("*.ipynb"))
    if args.check:
        bad = {p.name: m for p in paths if (m := missing(p))}
        for name, figs in bad.items():
            print(f"{name}: no alt text for {', '.join(figs)}")
        return 1 if bad else 0
    total = sum(write(p) for p in paths)
    print(f"wrote alt text for {total} figures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
