"""The claims ledger (book/claims_ledger.md) and its data (book/ledger/*.yml).

The first tests check the committed ledger; the others break a copy of the data in a
temporary folder, one way at a time, and assert that the check catches it.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "claims_ledger", ROOT / "scripts/claims_ledger.py"
)
cl = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cl)

BOOK = ROOT / "book"
LEDGER = BOOK / "ledger"


# ---------------------------------------------------------------- the committed ledger
def test_ledger_is_consistent():
    assert cl.check(LEDGER, BOOK) == []


def test_committed_page_is_current():
    assert cl.main(["--check"]) == 0, "run python scripts/claims_ledger.py"


def test_page_is_in_the_back_matter():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    back = next(p for p in toc["parts"] if p["caption"] == "Back matter")
    assert {"file": "book/claims_ledger"} in back["chapters"]


def test_one_file_per_chapter():
    chapters = {ch["chapter"] for ch in cl.load(LEDGER)}
    pages = {p.stem[:2] for p in BOOK.glob("0*.ipynb")}
    assert {f"{c:02d}" for c in chapters if c is not None} == pages
    # every chapter page is listed by its ledger file
    listed = {p for ch in cl.load(LEDGER) for p in ch.get("pages") or []}
    assert listed == {p.stem for p in BOOK.glob("0*.ipynb")}


def test_the_whole_paper_is_covered():
    rows = [row for _, row in cl.rows(cl.load(LEDGER))]
    eqs = set().union(*(cl.numbers(r.get("eqs")) for r in rows))
    assert eqs >= cl.PAPER_EQS
    figs = {f for r in rows for f in r.get("figs") or []}
    assert figs >= cl.PAPER_FIGS
    # the appendix on T outputs is not covered, and says so
    verdicts = {r["id"]: r["verdict"] for r in rows}
    # App. M (T outputs) is covered by chapter 8, App. N/O by chapter 9
    assert verdicts["appM-modes"] == verdicts["appM-reg"] == "reproduced"


def test_every_erratum_is_a_differs_row():
    notes = cl.paper_notes(BOOK)
    errata = {label for e in notes if e["kind"] == "Erratum" for label in e["labels"]}
    assert errata, "the notes list errata"
    rows = [row for _, row in cl.rows(cl.load(LEDGER))]
    differs = {n for r in rows if r["verdict"] == "differs" for n in r["notes"]}
    assert errata <= differs


def test_rendered_links():
    assert cl._link("eq:ch1-rnn") == "{eq}`ch1-rnn`"
    assert cl._link("ref:note-x|note") == "{ref}`note <note-x>`"
    assert cl._link("prf:ch1-lemma") == "{prf:ref}`ch1-lemma`"
    assert cl._link("numref:fig-a") == "{numref}`fig-a`"
    page = (BOOK / cl.PAGE).read_text()
    assert "eq. {eq}" not in page and "Eq. {eq}" not in page  # no "eq. Eq. (N)"


# ---------------------------------------------------------------- each check can fail
@pytest.fixture
def broken(tmp_path):
    """A copy of the ledger data and a function that edits one row of one file."""
    folder = tmp_path / "ledger"
    shutil.copytree(LEDGER, folder)

    def edit(file, row_id, change):
        path = folder / file
        data = yaml.safe_load(path.read_text())
        for i, row in enumerate(data["claims"]):
            if row["id"] == row_id:
                result = change(row)
                if result is None:
                    del data["claims"][i]
                break
        else:
            raise KeyError(row_id)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        return cl.check(folder, BOOK)

    assert cl.check(folder, BOOK) == []
    return edit


def _has(problems, *words):
    return any(all(w in p for w in words) for p in problems)


def test_fails_on_a_missing_target(broken):
    def bad(row):
        row["where"] = ["eq:ch1-no-such-equation"]
        return row

    assert _has(broken("ch01.yml", "model", bad), "ch1-no-such-equation", "missing")


@pytest.mark.parametrize(
    "link",
    ["numref:fig-nowhere", "prf:nowhere", "ref:nowhere", "doc:nowhere", "xx:nowhere"],
)
def test_fails_on_every_kind_of_dangling_link(broken, link):
    def bad(row):
        row["where"].append(link)
        return row

    assert _has(broken("ch03.yml", "fig2", bad), "nowhere")


def test_fails_on_a_wrong_link_kind_for_an_existing_label(broken):
    # a figure name used as an equation label does not resolve
    def bad(row):
        row["where"] = ["eq:fig-ch3-fig2"]
        return row

    assert _has(broken("ch03.yml", "fig2", bad), "fig-ch3-fig2", "missing")


def test_fails_on_a_math_title_without_link_text(broken):
    def bad(row):
        row["where"] = ["ref:ch3-sec-appc"]
        return row

    assert _has(broken("ch03.yml", "logistic", bad), "ch3-sec-appc", "math")


def test_fails_when_a_book_lemma_has_no_row(broken):
    def bad(row):
        row["where"] = ["eq:ch2-energy"]
        return row

    assert _has(broken("ch02.yml", "lemma-3-1", bad), "ch2-lemma-energy", "no row")


def test_fails_when_a_reproduced_figure_has_no_row(broken):
    problems = broken("ch04.yml", "fig3", lambda row: None)
    assert _has(problems, "fig-ch4-fig3", "no row")
    assert _has(problems, "figs", "3")  # and paper Fig. 3 is no longer covered


def test_fails_when_a_paper_equation_has_no_row(broken):
    def bad(row):
        row["eqs"] = "136-142"
        return row

    assert _has(broken("ch09.yml", "appK", bad), "eqs", "143")


def test_fails_when_a_paper_lemma_has_no_row(broken):
    def bad(row):
        del row["lemmas"]
        return row

    assert _has(broken("ch05.yml", "lemma-3-2", bad), "lemmas", "3.2")


def test_fails_on_a_duplicate_row(broken, tmp_path):
    folder = tmp_path / "ledger"
    data = yaml.safe_load((folder / "ch07.yml").read_text())
    data["claims"].append(dict(data["claims"][0]))
    (folder / "ch07.yml").write_text(yaml.safe_dump(data, allow_unicode=True))
    problems = cl.check(folder, BOOK)
    assert _has(problems, "duplicate row id", "constant-dynamics")
    assert _has(problems, "duplicate row for")


def test_fails_on_a_doubled_equation_label(broken):
    def bad(row):
        row["comment"] = "see eq. {eq}`ch1-rnn`"
        return row

    assert _has(broken("ch01.yml", "model", bad), "comment", "eq. Eq.")


def test_fails_on_a_verdict_outside_the_vocabulary(broken):
    def bad(row):
        row["verdict"] = "mostly right"
        return row

    assert _has(broken("ch01.yml", "model", bad), "verdict", "mostly right")


@pytest.mark.parametrize(
    ("field", "value"), [("kind", "theorem"), ("how", ["vibes"]), ("colour", "red")]
)
def test_fails_on_other_vocabularies_and_fields(broken, field, value):
    def bad(row):
        row[field] = value
        return row

    assert _has(broken("ch01.yml", "model", bad), field if field != "how" else "vibes")


@pytest.mark.parametrize(
    ("row_id", "verdict", "needs"),
    [("model", "differs", "correct"), ("model", "other-setting", "setting")],
)
def test_fails_when_a_verdict_lacks_its_explanation(broken, row_id, verdict, needs):
    def bad(row):
        row["verdict"] = verdict
        return row

    assert _has(broken("ch01.yml", row_id, bad), verdict, needs)


def test_fails_when_not_covered_says_nothing(broken):
    def bad(row):  # a row turned into an uncovered one without saying why
        row.update(verdict="not-covered", where=[], how=["none"])
        row.pop("comment", None)
        row.pop("notes", None)
        return row

    assert _has(broken("ch01.yml", "model", bad), "not-covered", "comment")


def test_fails_when_a_differs_row_names_no_note(broken):
    def bad(row):
        del row["notes"]
        return row

    problems = broken("ch03.yml", "eq65", bad)
    assert _has(problems, "eq65", "must name a note")
    assert _has(problems, "note-ch3-eq65", "no row")  # the note lost its row too


def test_fails_when_a_row_names_a_note_that_does_not_exist(broken):
    def bad(row):
        row["notes"] = ["note-ch3-nowhere"]
        return row

    problems = broken("ch03.yml", "eq65", bad)
    assert _has(problems, "note-ch3-nowhere", "not in the book")
    assert _has(problems, "note-ch3-nowhere", "not listed in paper_notes")


def test_fails_when_an_erratum_is_not_a_differs_row(broken):
    def bad(row):
        row["verdict"] = "reproduced"
        return row

    assert _has(broken("ch04.yml", "eq84", bad), "erratum", "note-ch4-eq84", "differs")


def test_fails_when_a_finding_has_no_row(broken):
    def bad(row):
        del row["notes"]
        return row

    assert _has(broken("ch03.yml", "window", bad), "note-ch3-window", "no row")


def test_check_fails_on_a_stale_page(tmp_path, capsys):
    book = tmp_path / "book"
    shutil.copytree(BOOK, book, ignore=shutil.ignore_patterns("_build"))
    (book / cl.PAGE).write_text((BOOK / cl.PAGE).read_text() + "\nhand edit\n")
    assert cl.main(["--check", "--book", str(book)]) == 1
    assert "stale" in capsys.readouterr().err
    assert cl.main(["--book", str(book)]) == 0  # regenerating fixes it
    assert cl.main(["--check", "--book", str(book)]) == 0


def test_numbers_and_links_parse():
    assert cl.numbers("1-2, 12, 14") == {1, 2, 12, 14}
    assert cl.numbers(None) == set()
    assert cl.parse_link("ref:a-b|some text") == ("ref", "a-b", "some text")
    assert cl.parse_link("eq:a") == ("eq", "a", None)
