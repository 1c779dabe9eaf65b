"""Build the student edition of the book from the full edition.

The full edition (``book/``, ``_toc.yml``) is the master. Its coursework uses nbgrader's
solution markers (the cells carry no nbgrader metadata, so nbgrader cannot use them as
they are; ``scripts/otter_master.py`` turns a chapter into an otter-grader assignment,
and ``scripts/export_student.py`` publishes the edition from a repository of its own):

* in a code cell, the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
  (always inside a function body) are the solution; the student edition replaces them by
  ``# YOUR CODE HERE`` and ``raise NotImplementedError()``;
* a cell tagged ``solution`` (for example a hidden assertion that the solution passes
  its check) is dropped;
* a ``{solution}`` directive in a markdown cell is removed, and so is everything from a
  ``{solution-start}`` cell to the matching ``{solution-end}`` cell;
* the cells the book hides (tag ``remove-input``: the verification) are collapsed in
  Jupyter too (``jupyter.source_hidden``), and run timestamps are dropped.

Usage (from the repository root)::

    python scripts/student_edition.py                  # write student/ (the edition)
    python scripts/student_edition.py --check          # fail if student/ is stale
    python scripts/student_edition.py --solutions --out DIR   # markers only stripped
    python scripts/student_edition.py --verify DIR --expect todo|passed

``student/`` is a Jupyter Book of its own (``jupyter-book build student``) whose launch
buttons open the student notebooks. ``--verify`` executes every notebook in ``DIR/book``
and reads the verdicts the checks print: with ``--expect todo`` (the stubs) no cell may
fail and no check may report a wrong answer; with ``--expect passed`` (solutions filled
in) every check must pass.
"""

from __future__ import annotations

import argparse
import copy
import re
import shutil
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
# pages for teachers and maintainers, left out of the student edition
INSTRUCTOR_ONLY = {"book/instructors", "book/performance"}
# the lines a check prints start with one of these symbols (lrnn_utils.checks._core)
VERDICT = re.compile(r"^([✔✘…]) (.+?): ", re.M)
FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}", re.M)


class EditionError(RuntimeError):
    """A notebook breaks the conventions the student edition relies on."""


def strip_code(source: str, keep_solution: bool, where: str) -> str:
    """Replace (or, with ``keep_solution``, unmark) every solution region of a cell."""
    out, inside, indent = [], False, ""
    for line in source.split("\n"):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise EditionError(f"{where}: nested {BEGIN}")
            inside, indent = True, line[: len(line) - len(line.lstrip())]
            if not indent:
                raise EditionError(f"{where}: a solution region must be inside a def")
            if not keep_solution:
                out += [indent + s for s in STUB]
            continue
        if stripped == END:
            if not inside:
                raise EditionError(f"{where}: {END} without {BEGIN}")
            inside = False
            continue
        if keep_solution or not inside:
            out.append(line)
    if inside:
        raise EditionError(f"{where}: {BEGIN} without {END}")
    return "\n".join(out)


def strip_solution_directives(source: str) -> str:
    """Remove every ``{solution}`` directive block from a markdown cell."""
    lines, out, k = source.split("\n"), [], 0
    while k < len(lines):
        m = FENCE.match(lines[k])
        if m and m.group("name") == "solution":
            fence = m.group("fence")
            k += 1
            while k < len(lines) and lines[k].strip() != fence:
                k += 1
            k += 1  # skip the closing fence
            continue
        out.append(lines[k])
        k += 1
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


def _directive(cell, name: str) -> bool:
    if cell.cell_type != "markdown":
        return False
    return any(m.group("name") == name for m in FENCE.finditer(cell.source))


def student_notebook(nb, keep_solution: bool = False, where: str = "notebook"):
    """The student version of one notebook (a new object; ``nb`` is not changed)."""
    nb = copy.deepcopy(nb)
    cells, gated = [], False
    for k, cell in enumerate(nb.cells):
        here = f"{where}, cell {k}"
        if _directive(cell, "solution-start"):
            if gated:
                raise EditionError(f"{here}: nested solution-start")
            gated = True
            continue
        if _directive(cell, "solution-end"):
            if not gated:
                raise EditionError(f"{here}: solution-end without solution-start")
            gated = False
            continue
        if gated or "solution" in cell.metadata.get("tags", []):
            continue
        cell.metadata.pop("execution", None)  # run timestamps of the full edition
        if cell.cell_type == "code":
            cell.source = strip_code(cell.source, keep_solution, here)
            cell.outputs, cell.execution_count = [], None
            if "remove-input" in cell.metadata.get("tags", []):
                # the book's hidden verification: collapsed in Jupyter as in the HTML
                cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
        elif cell.cell_type == "markdown":
            cell.source = strip_solution_directives(cell.source)
            if not cell.source.strip():
                continue
        cells.append(cell)
    if gated:
        raise EditionError(f"{where}: solution-start without solution-end")
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    return nb


def toc_files(toc: dict) -> list[str]:
    """Every file named in a jb-book table of contents, in order."""
    found = []

    def walk(entries):
        for e in entries:
            if "file" in e:
                found.append(e["file"])
            walk(e.get("sections", []))

    found.append(toc["root"])
    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    return found


def _drop_instructor_pages(entries):
    kept = []
    for e in entries:
        if e.get("file") in INSTRUCTOR_ONLY:
            continue
        e = dict(e)
        if "sections" in e:
            e["sections"] = _drop_instructor_pages(e["sections"])
        kept.append(e)
    return kept


def student_toc(toc: dict) -> dict:
    toc = copy.deepcopy(toc)
    for part in toc.get("parts", []):
        part["chapters"] = _drop_instructor_pages(part["chapters"])
    return toc


def student_config(config: dict, out_name: str) -> dict:
    config = copy.deepcopy(config)
    config["title"] = config["title"] + " (student edition)"
    # launch buttons open the student notebooks, which live in <repo>/<out_name>/
    config.setdefault("repository", {})["path_to_book"] = out_name
    return config


def build(out: Path, keep_solution: bool = False) -> list[Path]:
    """Write the edition into ``out``; return the notebooks written."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    if out.exists():  # start afresh, but keep a previous build of the edition
        for item in out.iterdir():
            if item.name != "_build":
                shutil.rmtree(item) if item.is_dir() else item.unlink()
    (out / "book").mkdir(parents=True)
    header = "# Generated by scripts/student_edition.py. Do not edit.\n"
    (out / "_toc.yml").write_text(
        header + yaml.safe_dump(student_toc(toc), sort_keys=False)
    )
    (out / "_config.yml").write_text(
        header + yaml.safe_dump(student_config(config, out.name), sort_keys=False)
    )
    written = []
    for item in sorted((ROOT / "book").iterdir()):
        if item.name.startswith((".", "_")) and item.name != "_static":
            continue
        target = out / "book" / item.name
        if item.is_dir():  # e.g. book/api/ (its extension is imported: no caches)
            shutil.copytree(
                item, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        elif f"book/{item.stem}" in INSTRUCTOR_ONLY:
            continue
        elif item.suffix == ".ipynb":
            nb = nbformat.read(item, as_version=4)
            nbformat.write(student_notebook(nb, keep_solution, item.name), target)
            written.append(target)
        else:
            shutil.copy2(item, target)
    return written


def _files(root: Path) -> set[Path]:
    """The edition's files, without a build of it (``_build/``)."""
    return {
        p.relative_to(root)
        for p in root.rglob("*")
        if p.is_file()
        and p.relative_to(root).parts[0] != "_build"
        and "__pycache__" not in p.parts
    }


def _same_tree(a: Path, b: Path) -> list[str]:
    files_a, files_b = _files(a), _files(b)
    diff = sorted(str(p) for p in files_a ^ files_b)
    diff += sorted(
        str(p)
        for p in files_a & files_b
        if (a / p).read_bytes() != (b / p).read_bytes()
    )
    return diff


def verify(folder: Path, expect: str, timeout: int = 300) -> int:
    """Execute every notebook of an edition and read the checks' verdicts."""
    from nbclient.exceptions import CellExecutionError

    sys.path.insert(0, str(Path(__file__).parent))
    from notebook_run import execute

    problems, totals = [], {"✔": 0, "✘": 0, "…": 0}
    for path in sorted((folder / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        try:
            execute(nb, path.parent, timeout=timeout)
        except CellExecutionError as exc:
            problems.append(f"{path.name}: a cell failed: {str(exc).splitlines()[-1]}")
            continue
        seen = {"✔": 0, "✘": 0, "…": 0}
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                text = output.get("text", "") or output.get("data", {}).get(
                    "text/plain", ""
                )
                for symbol, name in VERDICT.findall(text):
                    seen[symbol] += 1
                    if symbol == "✘" or (expect == "passed" and symbol == "…"):
                        problems.append(f"{path.name}: check {name!r} printed {symbol}")
        full = ROOT / "book" / path.name
        n_ex = full.read_text().count(BEGIN) if full.exists() else 0
        if expect == "passed" and seen["✔"] < n_ex:
            problems.append(f"{path.name}: {seen['✔']} checks passed, {n_ex} exercises")
        print(
            f"{path.name}: {seen['✔']} passed, {seen['…']} not done, {seen['✘']} wrong"
        )
        for k in totals:
            totals[k] += seen[k]
    print(
        f"checks: {totals['✔']} passed, {totals['…']} not done yet, {totals['✘']} wrong"
    )
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "student")
    parser.add_argument("--solutions", action="store_true", help="keep solution code")
    parser.add_argument("--check", action="store_true", help="fail if --out is stale")
    parser.add_argument(
        "--verify", type=Path, help="execute an edition and read verdicts"
    )
    parser.add_argument("--expect", choices=["todo", "passed"], default="todo")
    args = parser.parse_args(argv)
    if args.verify:
        return verify(args.verify, args.expect)
    if args.check:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / args.out.name
            build(fresh, args.solutions)
            stale = _same_tree(fresh, args.out)
        if stale:
            print(
                "student edition is stale; run scripts/student_edition.py:", *stale[:20]
            )
            return 1
        print(f"{args.out} is up to date")
        return 0
    written = build(args.out, args.solutions)
    print(f"wrote {len(written)} notebooks to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
