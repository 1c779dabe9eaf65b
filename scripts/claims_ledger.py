"""Build the claims ledger (``book/claims_ledger.md``) from ``book/ledger/*.yml``.

The ledger lists every numbered claim of the paper (lemmas, equations, figures and the
quantitative statements of the text) with where the book checks it, how, and the
verdict.
Its data live next to the chapters, one YAML file a chapter (``book/ledger/chNN.yml``,
plus ``beyond.yml`` for what no chapter covers). Each file holds::

    chapter: 3                      # number shown in the heading (null: no chapter)
    title: ...                      # the chapter's title
    pages: [03_learning_speed, ...] # its pages (docs under book/)
    claims:
      - id: eq45                    # unique over the whole ledger
        kind: equation              # one of KINDS
        paper: App. C eq. (45)      # where the claim is in the paper (free text)
        eqs: "45"                   # paper equation numbers covered ("1-2, 12, 14")
        figs: ["A1"]                # paper figures covered (optional)
        lemmas: ["3.1"]             # paper lemmas covered (optional)
        assumptions: ["1"]          # paper assumptions covered (optional)
        claim: ...                  # what the paper states, in one or two lines (MyST)
        where: ["eq:ch3-thalf", "numref:fig-ch3-fig2", "ref:note-ch3-eq45|note"]
        how: [sympy, numeric]       # from HOWS
        verdict: differs            # from VERDICTS
        correct: ...                # verdict differs: the corrected statement
        setting: ...                # verdict other-setting: which setting differs
        comment: ...                # anything else; required for not-covered
        notes: [note-ch3-eq45]      # notes on the paper this row relies on

A link in ``where`` is ``kind:target`` or ``kind:target|text``: ``eq`` (an equation
label, ``$$ ... $$ (label)``), ``numref`` (a figure name), ``prf`` (a ``prf:`` directive
label), ``ref`` (a ``(label)=`` target, an exercise label or an admonition ``:name:``)
or ``doc`` (a page under ``book/``). Every target must exist in the book's sources.

The notes on the paper (``book/paper_notes/chNN.md``, shown on the page
``notes_on_the_paper``) and the ledger must agree: every note appears in a row, every
erratum in a row with verdict ``differs``, and every ``differs`` row names a note. The
kind of each note (Erratum, Ambiguity, Finding, ...) is read from the notes themselves.

Usage (from the repository root)::

    python scripts/claims_ledger.py            # check the data and write the page
    python scripts/claims_ledger.py --check    # fail if the data are inconsistent or
                                               # the committed page is stale
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PAGE = "claims_ledger.md"

KINDS = {
    "lemma": "Lemmas",
    "assumption": "Assumptions",
    "equation": "Equations",
    "figure": "Figures",
    "statement": "Statements",
}
VERDICTS = {
    "reproduced": "✔ reproduced",
    "other-setting": "≈ reproduced, other setting",
    "differs": "✘ differs",
    "not-covered": "— not covered",
}
HOWS = {
    "sympy": "sympy",
    "numeric": "numeric assertion",
    "figure": "figure",
    "proof": "proof",
    "none": "—",
}
LINK_KINDS = ("eq", "numref", "prf", "ref", "doc")
REQUIRED = ("id", "kind", "paper", "claim", "where", "how", "verdict")
OPTIONAL = (
    "eqs",
    "figs",
    "lemmas",
    "assumptions",
    "correct",
    "setting",
    "comment",
    "notes",
)
NEEDS = {"differs": "correct", "other-setting": "setting", "not-covered": "comment"}

# what the paper numbers: equations 1-204 (66 is followed by 68), Figs 1-6 and A1-A11
PAPER_EQS = set(range(1, 205)) - {67}
PAPER_FIGS = {str(i) for i in range(1, 7)} | {f"A{i}" for i in range(1, 12)}
PAPER_LEMMAS = {"3.1", "3.2"}
PAPER_ASSUMPTIONS = {"1", "2", "3"}
# {eq} renders as "Eq. (N)" already: "eq. {eq}`x`" would show "eq. Eq. (N)"
DOUBLED_EQ = re.compile(r"\b[Ee]q(?:s|uation)?\.?\s*\{eq\}")
# a caption that cites a figure of the paper: "paper Fig. 4", "the paper's Fig. A3", ...
CITES_PAPER_FIG = re.compile(r"\bFig(?:ure)?s?\.?\s+A?\d")


# ---------------------------------------------------------------- loading the data
def load(folder: Path) -> list[dict]:
    """The chapter files of a ledger folder; ``beyond.yml`` comes last."""
    files = sorted(folder.glob("*.yml"), key=lambda p: (p.stem == "beyond", p.stem))
    chapters = []
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path.name}: expected a mapping at the top level")
        data["_file"] = path.name
        chapters.append(data)
    return chapters


def rows(chapters: list[dict]):
    """Every (file name, row) pair of the ledger."""
    for ch in chapters:
        for row in ch.get("claims") or []:
            yield ch["_file"], row


def numbers(spec) -> set[int]:
    """Equation numbers of a spec such as ``"1-2, 12, 14"``."""
    found: set[int] = set()
    for part in str(spec or "").split(","):
        part = part.strip()
        if not part:
            continue
        lo, _, hi = part.partition("-")
        found.update(range(int(lo), int(hi or lo) + 1))
    return found


def parse_link(link: str) -> tuple[str, str, str | None]:
    """``"ref:label|text"`` -> ``("ref", "label", "text")``."""
    kind, _, rest = link.partition(":")
    target, _, text = rest.partition("|")
    return kind, target, text or None


# ---------------------------------------------------------------- the book's targets
def _cells(path: Path) -> list[tuple[str, str, dict]]:
    """(cell type, source, metadata) of a notebook, or one markdown cell for a .md."""
    if path.suffix == ".md":
        return [("markdown", path.read_text(encoding="utf-8"), {})]
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [
        (c["cell_type"], "".join(c["source"]), c.get("metadata", {}))
        for c in nb["cells"]
    ]


def targets(book: Path) -> dict[str, set[str]]:
    """Every link target the book defines, by link kind; and figure captions."""
    found: dict[str, set[str]] = {k: set() for k in LINK_KINDS}
    found["lemma"] = set()  # prf:lemma / prf:theorem labels, which need a ledger row
    found["paper-figure"] = set()  # figure names whose caption cites a paper figure
    found["note"] = set()  # admonition names note-...
    found["math-title"] = set()  # section titles with math: {ref} needs a text
    sources = sorted(book.glob("*.ipynb")) + sorted(book.glob("*.md"))
    for path in sources:
        if path.name == PAGE:
            continue
        found["doc"].add(path.stem)
        for cell_type, src, meta in _cells(path):
            fig = meta.get("mystnb", {}).get("figure")
            if fig and fig.get("name"):
                found["numref"].add(fig["name"])
                if CITES_PAPER_FIG.search(str(fig.get("caption", ""))):
                    found["paper-figure"].add(fig["name"])
            if cell_type != "markdown":
                continue
            found["ref"].update(re.findall(r"^\(([^)\s]+)\)=\s*$", src, re.M))
            for label, title in re.findall(r"^\(([^)\s]+)\)=\s*\n+#+ (.*)$", src, re.M):
                if "$" in title:
                    found["math-title"].add(label)
            found["eq"].update(re.findall(r"\$\$\s*\(([^)\s]+)\)", src))
            for m in re.finditer(r"^(`{3,}|:{3,})\{([\w:-]+)\}[^\n]*\n", src, re.M):
                fence, directive = m.group(1), m.group(2)
                end = src.find(fence, m.end())
                body = src[m.end() : end if end >= 0 else len(src)]
                label = re.search(r"^:(?:label|name):\s*(\S+)", body, re.M)
                if not label:
                    continue
                name = label.group(1)
                if directive.startswith("prf:"):
                    found["prf"].add(name)
                    if directive in ("prf:lemma", "prf:theorem"):
                        found["lemma"].add(name)
                elif directive == "figure":
                    found["numref"].add(name)
                else:
                    found["ref"].add(name)
                    if name.startswith("note-"):
                        found["note"].add(name)
    return found


# ---------------------------------------------------------------- notes on the paper
NOTE_HEADING = re.compile(r"^### (?P<kind>\w+)\s+—\s+(?P<title>.+)$", re.M)
NOTE_LINK = re.compile(r"\{ref\}`[^`<]*<(note-[^>]+)>`")


def paper_notes(book: Path) -> list[dict]:
    """Every entry of ``book/paper_notes/*.md``: kind, title, note label(s), file."""
    entries = []
    for path in sorted((book / "paper_notes").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        heads = list(NOTE_HEADING.finditer(text))
        for i, m in enumerate(heads):
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            labels = NOTE_LINK.findall(text[m.end() : end])
            entries.append(
                {
                    "kind": m.group("kind"),
                    "title": m.group("title").strip(),
                    "labels": labels,
                    "file": path.name,
                }
            )
    return entries


# ---------------------------------------------------------------- checks
def check_schema(chapters: list[dict]) -> list[str]:
    """Fields, vocabularies, and no duplicate rows."""
    problems = []
    ids: Counter = Counter()
    claims: Counter = Counter()
    for ch in chapters:
        for key in ("title", "claims"):
            if key not in ch:
                problems.append(f"{ch['_file']}: no '{key}'")
    for name, row in rows(chapters):
        rid = row.get("id", "?")
        where = f"{name}: row '{rid}'"
        for key in REQUIRED:
            if key not in row:
                problems.append(f"{where}: missing '{key}'")
        for key in row:
            if key not in REQUIRED + OPTIONAL:
                problems.append(f"{where}: unknown field '{key}'")
        if row.get("kind") not in KINDS:
            problems.append(f"{where}: kind '{row.get('kind')}' not in {sorted(KINDS)}")
        verdict = row.get("verdict")
        if verdict not in VERDICTS:
            problems.append(f"{where}: verdict '{verdict}' not in {sorted(VERDICTS)}")
        elif verdict in NEEDS and not row.get(NEEDS[verdict]):
            problems.append(f"{where}: verdict '{verdict}' needs '{NEEDS[verdict]}'")
        for how in row.get("how") or []:
            if how not in HOWS:
                problems.append(f"{where}: how '{how}' not in {sorted(HOWS)}")
        if not row.get("how"):
            problems.append(f"{where}: empty 'how'")
        if verdict != "not-covered" and not row.get("where"):
            problems.append(f"{where}: no link to where the book checks it")
        if verdict == "differs" and not row.get("notes"):
            problems.append(f"{where}: verdict 'differs' must name a note on the paper")
        try:
            numbers(row.get("eqs"))
        except ValueError:
            problems.append(f"{where}: cannot read eqs '{row.get('eqs')}'")
        for key in ("claim", "correct", "setting", "comment"):
            if DOUBLED_EQ.search(str(row.get(key, ""))):
                problems.append(
                    f"{where}: '{key}' writes eq. before {{eq}} (eq. Eq. (N))"
                )
        ids[rid] += 1
        claims[(str(row.get("paper")), str(row.get("claim")))] += 1
    problems += [f"duplicate row id '{k}'" for k, n in ids.items() if n > 1]
    problems += [
        f"duplicate row for '{k[0]}': {k[1][:40]}" for k, n in claims.items() if n > 1
    ]
    return problems


def check_links(chapters: list[dict], found: dict[str, set[str]]) -> list[str]:
    """Every link of the ledger points at a target that exists."""
    problems = []
    for name, row in rows(chapters):
        for link in row.get("where") or []:
            kind, target, text = parse_link(link)
            if kind not in LINK_KINDS:
                problems.append(
                    f"{name}: row '{row.get('id')}': bad link kind in '{link}'"
                )
            elif target not in found[kind]:
                problems.append(
                    f"{name}: row '{row.get('id')}': {kind} target '{target}' missing"
                )
            elif kind == "ref" and text is None and target in found["math-title"]:
                problems.append(
                    f"{name}: row '{row.get('id')}': '{target}' has math in its title;"
                    " give the link a text (ref:label|text)"
                )
        for note in row.get("notes") or []:
            if note not in found["note"]:
                problems.append(
                    f"{name}: row '{row.get('id')}': note '{note}' not in the book"
                )
    return problems


def check_notes(chapters: list[dict], notes: list[dict]) -> list[str]:
    """The notes on the paper and the ledger agree, both ways."""
    problems = []
    listed = {label for entry in notes for label in entry["labels"]}
    named: set[str] = set()
    in_differs: set[str] = set()
    for name, row in rows(chapters):
        row_notes = set(row.get("notes") or [])
        named |= row_notes
        if row.get("verdict") == "differs":
            in_differs |= row_notes
        for note in row_notes - listed:
            problems.append(
                f"{name}: row '{row.get('id')}' names '{note}',"
                " not listed in paper_notes/"
            )
    for entry in notes:
        if not entry["labels"]:
            problems.append(
                f"{entry['file']}: note '{entry['title']}' links no evidence"
            )
        for label in entry["labels"]:
            if label not in named:
                problems.append(
                    f"{entry['file']}: note '{label}' has no row in the ledger"
                )
            if entry["kind"] == "Erratum" and label not in in_differs:
                problems.append(
                    f"{entry['file']}: erratum '{label}' has no row"
                    " with verdict 'differs'"
                )
    return problems


def check_coverage(chapters: list[dict], found: dict[str, set[str]]) -> list[str]:
    """Every claim of the chapters and every numbered item of the paper has a row."""
    problems = []
    linked = {
        parse_link(w)[1] for _, row in rows(chapters) for w in row.get("where") or []
    }
    for label in sorted(found["lemma"] - linked):
        problems.append(f"book lemma '{label}' appears in no row")
    for name in sorted(found["paper-figure"] - linked):
        problems.append(f"figure '{name}' cites a paper figure but appears in no row")
    covered = {
        "eqs": set().union(*(numbers(r.get("eqs")) for _, r in rows(chapters))),
        "figs": {str(f) for _, r in rows(chapters) for f in r.get("figs") or []},
        "lemmas": {str(f) for _, r in rows(chapters) for f in r.get("lemmas") or []},
        "assumptions": {
            str(f) for _, r in rows(chapters) for f in r.get("assumptions") or []
        },
    }
    wanted = {
        "eqs": PAPER_EQS,
        "figs": PAPER_FIGS,
        "lemmas": PAPER_LEMMAS,
        "assumptions": PAPER_ASSUMPTIONS,
    }
    for key, want in wanted.items():
        missing = sorted(
            want - covered[key], key=lambda x: (str(x)[0] == "A", len(str(x)), x)
        )
        if missing:
            problems.append(f"paper {key} with no row: {', '.join(map(str, missing))}")
    return problems


def check(folder: Path, book: Path) -> list[str]:
    """Every consistency problem of a ledger folder against a book folder."""
    chapters = load(folder)
    problems = check_schema(chapters)
    found = targets(book)
    problems += check_links(chapters, found)
    problems += check_notes(chapters, paper_notes(book))
    problems += check_coverage(chapters, found)
    return problems


# ---------------------------------------------------------------- rendering
def _link(link: str) -> str:
    kind, target, text = parse_link(link)
    if kind == "eq":
        return f"{{eq}}`{target}`"
    if kind == "numref":
        return f"{{numref}}`{target}`"
    if kind == "prf":
        return f"{{prf:ref}}`{target}`"
    if kind == "doc":
        return f"{{doc}}`{text + ' <' + target + '>' if text else target}`"
    return f"{{ref}}`{text} <{target}>`" if text else f"{{ref}}`{target}`"


def _one_line(text) -> str:
    return " ".join(str(text).split())


def row_label(row: dict) -> str:
    """The target in front of a row, ``ledger-<id>``: other pages link to the row
    with ``{ref}`text <ledger-<id>>``` (the figure gallery does)."""
    return f"ledger-{row['id']}"


def _verdict(row: dict, note_kind: dict[str, str]) -> str:
    parts = [f"**{VERDICTS[row['verdict']]}**"]
    detail = row.get("correct") or row.get("setting")
    if row["verdict"] == "differs":
        parts.append(f"Correct: {_one_line(detail)}")
    elif detail:
        parts.append(_one_line(detail))
    if row["verdict"] == "not-covered" and row.get("comment"):
        parts.append(_one_line(row["comment"]))
    for note in row.get("notes") or []:
        parts.append(f"{note_kind.get(note, 'Note')}: {{ref}}`note <{note}>`")
    return "\n\n    ".join(parts)


def _table(chapter: dict, note_kind: dict[str, str]) -> list[str]:
    out = [
        ":::{list-table}",
        ":header-rows: 1",
        ":widths: 14 46 40",
        ":class: claims-ledger",
        "",
        "* - Paper",
        "  - Claim, and where the book checks it",
        "  - Verdict",
    ]
    for row in chapter["claims"]:
        claim = _one_line(row["claim"])
        where = ", ".join(_link(w) for w in row.get("where") or []) or "nowhere yet"
        how = ", ".join(HOWS[h] for h in row["how"] if h != "none")
        checked = f"*Checked in* {where}" + (f" (*how:* {how})." if how else ".")
        cell = [claim, checked]
        if row.get("comment") and row["verdict"] != "not-covered":
            cell.append("*Book:* " + _one_line(row["comment"]))
        out += [
            f"* - ({row_label(row)})=",
            "",
            f"    {_one_line(row['paper'])}",
            "  - " + "\n\n    ".join(cell),
            f"  - {_verdict(row, note_kind)}",
        ]
    out += [":::", ""]
    return out


def _counts(chapters: list[dict]) -> list[str]:
    count = Counter((row["kind"], row["verdict"]) for _, row in rows(chapters))
    out = [
        ":::{list-table} Rows of the ledger by kind and verdict",
        ":header-rows: 1",
        ":name: tab-ledger-counts",
        "",
        "* - Kind",
        *[f"  - {v}" for v in VERDICTS.values()],
        "  - Total",
    ]
    for kind, label in KINDS.items():
        cells = [count[(kind, v)] for v in VERDICTS]
        out += [f"* - {label}", *[f"  - {c}" for c in cells], f"  - {sum(cells)}"]
    totals = [sum(count[(k, v)] for k in KINDS) for v in VERDICTS]
    out += [
        "* - All rows",
        *[f"  - {c}" for c in totals],
        f"  - {sum(totals)}",
        ":::",
        "",
    ]
    return out


INTRO = """\
Every numbered claim of {cite:t}`proca2025learning` (its lemmas, the equations the
book derives, its figures in the main text and the appendix, and the quantitative
statements of its text) has a row here: where in the book it is checked, how, and the
verdict.

- **✔ reproduced**: the book derives or simulates the claim and asserts it.
- **≈ reproduced, other setting**: reproduced, but in a setting that differs from the
  paper's or with a condition the paper does not state; the row says which.
- **✘ differs**: the paper's statement is not right as printed; the row gives the
  corrected statement and links the note on the paper with the evidence.
- **— not covered**: the book does not check it yet.

*How* says what kind of check stands behind the verdict: `sympy` (symbolic
derivation), a numeric assertion in the chapter, a figure comparing simulation with
theory, or a proof in the text. Paper numbers (equations, figures, sections) are the
paper's; links lead to the book's own equations, figures and notes. The notes are
collected on {doc}`notes_on_the_paper`, where each one says what the paper prints, what
is right and how sure we are.

This page is generated by `scripts/claims_ledger.py` from `book/ledger/*.yml`, which
sit next to the chapters; a test fails when a link points nowhere, when a lemma or a
reproduced figure of a chapter has no row, when a paper equation or figure is missing,
or when the ledger and the notes on the paper disagree.
"""


def render(chapters: list[dict], notes: list[dict]) -> str:
    """The MyST page."""
    kinds: dict[str, list[str]] = {}
    for entry in notes:
        for label in entry["labels"]:
            kinds.setdefault(label, []).append(entry["kind"])
    note_kind = {label: ", ".join(k) for label, k in kinds.items()}
    out = [
        "<!-- Generated by scripts/claims_ledger.py from book/ledger/*.yml."
        " Do not edit. -->",
        "",
        "(claims-ledger)=",
        "# Claims ledger",
        "",
        INTRO,
        *_counts(chapters),
    ]
    for ch in chapters:
        if not ch["claims"]:  # nothing left uncovered: no empty section
            continue
        if ch.get("chapter") is not None:
            heading = f"## Chapter {ch['chapter']}: {ch['title']}"
        else:
            heading = f"## {ch['title']}"
        out += [heading, ""]
        pages = ch.get("pages") or []
        if pages:
            links = ", ".join(f"{{doc}}`{p}`" for p in pages)
            out += [f"Pages: {links}.", ""]
        out += _table(ch, note_kind)
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="fail if stale or inconsistent"
    )
    parser.add_argument("--book", type=Path, default=ROOT / "book", help="book folder")
    parser.add_argument("--ledger", type=Path, default=None, help="ledger folder")
    args = parser.parse_args(argv)
    book = args.book
    folder = args.ledger or book / "ledger"
    problems = check(folder, book)
    for problem in problems:
        print(f"ledger: {problem}", file=sys.stderr)
    if problems:
        return 1
    text = render(load(folder), paper_notes(book))
    page = book / PAGE
    if args.check:
        if not page.exists() or page.read_text(encoding="utf-8") != text:
            print(
                f"ledger: {page} is stale; run python scripts/claims_ledger.py",
                file=sys.stderr,
            )
            return 1
        return 0
    page.write_text(text, encoding="utf-8")
    print(f"wrote {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
