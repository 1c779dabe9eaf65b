"""Structural checks of the chapter notebooks: the anatomy every chapter shares.

A chapter ``NN`` is one page ``book/NN_name.ipynb`` or several pages sharing the number
prefix (``NN_name``, ``NNb_more``). Some rules hold per page, some per chapter.
These tests read the committed notebooks; they do not execute them (that is
``pytest --nbval``'s job).
"""

import re
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(
    str(p.relative_to(ROOT).with_suffix(""))
    for p in (ROOT / "book").glob("[0-9][0-9]*_*.ipynb")
)
CHAPTERS = defaultdict(list)
for _page in PAGES:
    CHAPTERS[Path(_page).name[:2]].append(_page)
HIDDEN = {"remove-input", "remove-cell", "hide-input", "hide-cell"}


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = []

    def walk(entries):
        for e in entries:
            files.append(e.get("file"))
            walk(e.get("sections", []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    return files


def _nb(name):
    return nbformat.read(ROOT / f"{name}.ipynb", as_version=4)


def _tags(cell):
    return set(cell.metadata.get("tags", []))


def _cells(pages, kind=None):
    return [
        c for p in pages for c in _nb(p).cells if kind is None or c.cell_type == kind
    ]


def test_every_page_is_in_the_toc():
    assert PAGES, "no chapter notebooks found"
    toc = _toc_files()
    for page in PAGES:
        assert page in toc, f"{page} is not listed in _toc.yml"


@pytest.mark.parametrize("name", PAGES)
def test_page_anatomy(name):
    nb = _nb(name)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), (
        "a page starts with its # title"
    )
    assert re.search(r"about \d+ minutes", first.source), (
        "the opening states a time estimate ('about NN minutes')"
    )
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert any(
        "google.colab" in c.source and "remove-cell" in _tags(c) for c in code
    ), "Colab guard cell"
    assert all("init_printing" not in c.source for c in code), (
        "sp.init_printing breaks MathJax output"
    )


@pytest.mark.parametrize("name", PAGES)
def test_visible_code_fits_the_page(name):
    """Visible code cells: at most 25 lines (the template's limit)."""
    for c in _nb(name).cells:
        if c.cell_type == "code" and not _tags(c) & HIDDEN:
            n = len(c.source.rstrip("\n").split("\n"))
            assert n <= 25, f"visible code cell of {n} lines:\n{c.source[:200]}"


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_chapter_anatomy(chapter):
    pages = CHAPTERS[chapter]
    md = "\n".join(c.source for c in _cells(pages, "markdown"))
    assert "{exercise}" in md and "{solution" in md, "exercises with solutions"
    assert "\n## Summary" in md, "a closing summary section"


#: Chapters whose coding exercises are optional: the playground (issue 20).
NO_CODING_EXERCISES = {"10"}


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_chapter_has_coding_exercises_with_checks(chapter):
    """At least two exercises the student writes, each followed by its check."""
    if chapter in NO_CODING_EXERCISES:
        return
    cells = _cells(CHAPTERS[chapter], "code")
    stubs = [k for k, c in enumerate(cells) if "### BEGIN SOLUTION" in c.source]
    assert len(stubs) >= 2, "at least two coding exercises (### BEGIN SOLUTION)"
    for k in stubs:
        after = [c for c in cells[k + 1 :] if "solution" not in _tags(c)]
        assert after and "checks." in after[0].source, (
            f"the cell after an exercise calls its check:\n{cells[k].source[:200]}"
        )


@pytest.mark.parametrize("name", PAGES)
def test_committed_outputs_come_from_one_clean_run(name):
    counts = [c.execution_count for c in _nb(name).cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), (
        "re-run the notebook top to bottom before committing"
    )


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_chapter_has_an_interactive_demo(chapter):
    cells = _cells(CHAPTERS[chapter], "code")
    interact = [c for c in cells if "interact(" in c.source]
    assert interact, "every chapter has an interactive demo"


@pytest.mark.parametrize("name", PAGES)
def test_only_interact_cells_ignore_their_output(name):
    for c in _nb(name).cells:
        if c.cell_type != "code":
            continue
        if "interact(" in c.source:
            assert {"nbval-ignore-output", "remove-output"} <= _tags(c), (
                "tag interact cells so nbval and the book skip their output"
            )
        if "nbval-ignore-output" in _tags(c):
            assert "interact(" in c.source, (
                f"only interact cells may ignore their output:\n{c.source[:200]}"
            )


@pytest.mark.parametrize("name", PAGES)
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


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_paper_notes_are_listed_on_the_back_matter_page(chapter):
    """Every 'Note on the paper' admonition has an entry that links to it."""
    md = "\n".join(c.source for c in _cells(CHAPTERS[chapter], "markdown"))
    names = re.findall(
        r"\{admonition\}\s*Note on the paper[^\n]*\n(?:\s*:[\w-]+:[^\n]*\n)*?"
        r"\s*:name:\s*(\S+)",
        md,
    )
    fragment = (ROOT / "book" / "paper_notes" / f"ch{chapter}.md").read_text()
    for name in names:
        assert f"<{name}>" in fragment, f"note {name} is not listed on the notes page"


# ``{eq}`` renders "Eq. (N)" (math_eqref_format in _config.yml) and ``{numref}`` of a
# figure "Fig. N", so a word in front of the role doubles the label: "eq. Eq. (N)".
DOUBLED_LABEL = re.compile(
    r"\b(?:(?:eqs?|eqns?)\.?|equations?)[\s~]*[(\[]?\s*\{eq\}"
    r"|\b(?:figs?\.?|figures?)[\s~]*[(\[]?\s*\{numref\}",
    re.IGNORECASE,
)


def doubled_labels(text):
    """Each place in ``text`` where a word repeats the label an eq/numref role prints.

    Examples
    --------
    >>> doubled_labels("as eq. {eq}`e1` shows, Fig.~{numref}`f` and {eq}`e2`")
    ['eq. {eq}', 'Fig.~{numref}']
    >>> doubled_labels("see {eq}`e1` and paper eq. 43")
    []
    """
    return [m.group(0) for m in DOUBLED_LABEL.finditer(text)]


def _rendered_markdown():
    """(where, text) of everything the book renders as MyST markdown."""
    for path in sorted((ROOT / "book").rglob("*.md")):
        yield str(path.relative_to(ROOT)), path.read_text()
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        for k, cell in enumerate(nbformat.read(path, as_version=4).cells):
            where = f"{path.relative_to(ROOT)} cell {k}"
            if cell.cell_type == "markdown":
                yield where, cell.source
            caption = cell.metadata.get("mystnb", {}).get("figure", {}).get("caption")
            if caption:
                yield where + " (figure caption)", caption


def test_doubled_labels_are_found():
    assert doubled_labels("eq.\n{eq}`a`, Eqs. ({eq}`b`), equation {eq}`c`") == [
        "eq.\n{eq}",
        "Eqs. ({eq}",
        "equation {eq}",
    ]
    assert doubled_labels("Figure {numref}`f` and figs. {numref}`g`") == [
        "Figure {numref}",
        "figs. {numref}",
    ]
    assert not doubled_labels("{eq}`a`, {numref}`f`, the paper's eq. (31), Fig. 2")


def test_no_doubled_equation_or_figure_labels():
    """``{eq}`` already prints "Eq. (N)" and ``{numref}`` "Fig. N": no word before."""
    found = [
        f"{where}: {hit!r}"
        for where, text in _rendered_markdown()
        for hit in doubled_labels(text)
    ]
    assert not found, "label word doubled by the role:\n" + "\n".join(found)


def test_exercise_labels_are_lower_case():
    """Sphinx lower-cases the target of a {ref}; sphinx-exercise compares it with the
    label as written, so a reference to ``ex-ch3-ffT`` prints a bare "Exercise"."""
    md = "\n".join(c.source for c in _cells(PAGES, "markdown"))
    labels = re.findall(
        r"\{exercise(?:-start)?\}[^\n]*\n(?:\s*:[\w-]+:[^\n]*\n)*?"
        r"\s*:label:\s*(\S+)",
        md,
    )
    assert len(labels) >= len(PAGES), "exercise labels are found"
    upper = [label for label in labels if label != label.lower()]
    assert not upper, f"exercise labels with capitals: {upper}"
