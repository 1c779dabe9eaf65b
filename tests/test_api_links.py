"""The chapters link the first use of each library function to the API reference.

``book/api/link_first_use.py`` finds, for every documented function and class, the
first code cell the reader sees that uses it (``first_uses(visible_only=True)``). That
name must be linked (a ``{py:func}`` or ``{py:class}`` role resolving to it) in the
prose before that cell or in the markdown cell right after it (the prose that
introduces the code), on the same page or an earlier one. Names used only in code the
book hides are not required. Runs in about two seconds, without building the book.
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "api"))
import apigen  # noqa: E402
import link_first_use  # noqa: E402

ROLE = re.compile(r"\{py:(\w+)\}`([^`]*)`")


def links(markdown: str) -> list[str | None]:
    """The full name each Python role of a markdown text points to (None: none)."""
    found = []
    for _, text in ROLE.findall(markdown):
        explicit = re.fullmatch(r"(?s).*<([^<>]+)>", text)
        target = explicit.group(1) if explicit else text
        found.append(apigen.resolve(target.strip().lstrip("~").removesuffix("()")))
    return found


def unlinked(rows: list[dict], cells: dict[str, list]) -> list[str]:
    """The first uses in ``rows`` that no link precedes or introduces."""
    order = link_first_use.pages()
    missing = []
    for r in rows:
        page_cells = cells[r["page"]]
        after = r["cell"] + 1
        while after < len(page_cells) and page_cells[after].cell_type != "markdown":
            after += 1
        prose = [c for p in order[: order.index(r["page"])] for c in cells[p]]
        prose += page_cells[: after + 1]
        linked = {
            full for c in prose if c.cell_type == "markdown" for full in links(c.source)
        }
        if r["object"] not in linked:
            missing.append(f"{r['page']} cell {r['cell']}: {r['role']}")
    return missing


def _cells() -> dict[str, list]:
    return {
        p: nbformat.read(ROOT / f"{p}.ipynb", as_version=4).cells
        for p in link_first_use.pages()
    }


def test_every_visible_first_use_is_linked():
    rows = link_first_use.first_uses(visible_only=True)
    assert len(rows) >= 90  # the finder still sees the chapters' calls
    missing = unlinked(rows, _cells())
    assert not missing, "link these names in the prose at their first use:\n" + (
        "\n".join(missing)
    )


def test_a_removed_link_is_reported():
    rows = link_first_use.first_uses(visible_only=True)
    cells = copy.deepcopy(_cells())
    row = next(r for r in rows if r["object"] == "lrnn_utils.engine.train")
    for c in cells[row["page"]]:
        if c.cell_type == "markdown":
            c.source = c.source.replace("{py:func}`engine.train`", "`engine.train`")
    assert unlinked(rows, cells) == [f"{row['page']} cell {row['cell']}: {row['role']}"]


def test_every_link_in_the_chapters_resolves():
    """A role the reference cannot resolve would fail the nitpicky book build."""
    bad = [
        f"{page}: {c.source[:60]!r}"
        for page, cells in _cells().items()
        for c in cells
        if c.cell_type == "markdown" and None in links(c.source)
    ]
    assert not bad


def test_finder_resolves_names_through_the_imports():
    names = link_first_use.imports(
        "from lrnn_utils import checks, learning_speed as ls\n"
        "from lrnn_utils.report import fmt_below\n"
    )
    src = "ls.learning_time(x)\nchecks.euler_step(f)\nprint(fmt_below(e, 1))\nfmt_below"
    found = link_first_use.uses(src, names, apigen.targets())
    assert [f for _, f in found] == [
        "lrnn_utils.theory.learning_time",  # re-exported by learning_speed
        "lrnn_utils.checks.ch02.euler_step",
        "lrnn_utils.report.fmt_below",
    ]
    # the module `moments` is not the function `moments.moments`
    names = link_first_use.imports("from lrnn_utils import moments\n")
    found = link_first_use.uses("moments.correlations(X)", names, apigen.targets())
    assert found == [("moments.correlations", "lrnn_utils.moments.correlations")]
