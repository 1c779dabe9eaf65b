"""Every figure of the book has alt text (scripts/figure_alt_text.py)."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "figure_alt_text", ROOT / "scripts" / "figure_alt_text.py"
)
fat = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fat)


@pytest.mark.parametrize(
    "path", sorted((ROOT / "book").glob("*.ipynb")), ids=lambda p: p.stem
)
def test_every_figure_has_alt_text(path):
    assert not fat.missing(path), "run: python scripts/figure_alt_text.py"


def test_captions_become_words():
    text = fat.plain(
        r"Weight $c\,b^{T-i}a$ of {numref}`fig-x` on $\mathbf x_i$ "
        r"($\lambda = 0.8$); see {ref}`the note <note-a>` and {cite:p}`p2025`."
    )
    assert text == (
        "Weight c b^(T-i)a of the figure cited on x_i (lambda = 0.8); "
        "see the note and the paper."
    )
    assert "$" not in fat.plain(r"$\frac{a}{b}$") and "\\" not in fat.plain("$\\alpha$")
