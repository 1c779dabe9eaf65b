"""Structural checks of the chapter notebooks: the anatomy every chapter shares.

These tests read the committed notebooks; they do not execute them (that is
``pytest --nbval``'s job).
"""

from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = []
    for part in toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    return files


CHAPTERS = sorted(
    str(p.relative_to(ROOT).with_suffix(""))
    for p in (ROOT / "book").glob("[0-9][0-9]_*.ipynb")
)


def _nb(name):
    return nbformat.read(ROOT / f"{name}.ipynb", as_version=4)


def _tags(cell):
    return set(cell.metadata.get("tags", []))


def test_every_chapter_is_in_the_toc():
    assert CHAPTERS, "no chapter notebooks found"
    toc = _toc_files()
    for ch in CHAPTERS:
        assert ch in toc, f"{ch} is not listed in _toc.yml"


@pytest.mark.parametrize("name", CHAPTERS)
def test_anatomy(name):
    nb = _nb(name)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), (
        "a chapter starts with its # title"
    )
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "minutes" in md.split("\n## ")[0], "the opening states a time estimate"
    assert "```{exercise}" in md and "{solution" in md, "exercises with solutions"
    assert "\n## Summary" in md, "a closing summary section"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert any(
        "google.colab" in c.source and "remove-cell" in _tags(c) for c in code
    ), "Colab guard cell"
    assert all("init_printing" not in c.source for c in code), (
        "sp.init_printing breaks MathJax output"
    )


@pytest.mark.parametrize("name", CHAPTERS)
def test_committed_outputs_come_from_one_clean_run(name):
    counts = [c.execution_count for c in _nb(name).cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), (
        "re-run the notebook top to bottom before committing"
    )


@pytest.mark.parametrize("name", CHAPTERS)
def test_only_interact_cells_ignore_their_output(name):
    cells = [c for c in _nb(name).cells if c.cell_type == "code"]
    interact = [c for c in cells if "interact(" in c.source]
    assert interact, "every chapter has an interactive demo"
    for c in interact:
        assert {"nbval-ignore-output", "remove-output"} <= _tags(c), (
            "tag interact cells so nbval and the book skip their output"
        )
    for c in cells:
        if "nbval-ignore-output" in _tags(c):
            assert "interact(" in c.source, (
                f"only interact cells may ignore their output:\n{c.source[:200]}"
            )


@pytest.mark.parametrize("name", CHAPTERS)
def test_figures_have_numbered_captions(name):
    for c in _nb(name).cells:
        if c.cell_type != "code" or "remove-output" in _tags(c):
            continue
        n_png = sum("image/png" in o.get("data", {}) for o in c.get("outputs", []))
        if n_png:
            fig = c.metadata.get("mystnb", {}).get("figure", {})
            assert n_png == 1, (
                f"one figure per cell, so it can carry one caption:\n{c.source[:200]}"
            )
            assert fig.get("caption") and fig.get("name"), (
                f"figure without caption/name:\n{c.source[:200]}"
            )
