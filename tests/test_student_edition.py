"""The student edition: removal rules, no leaked solutions, committed copy fresh."""

import importlib.util
import json
import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "student_edition", ROOT / "scripts" / "student_edition.py"
)
se = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(se)

SOLVED = '''def f(x):
    """Twice x."""
    ### BEGIN SOLUTION
    y = 2 * x
    return y
    ### END SOLUTION'''


def test_code_region_becomes_a_stub():
    out = se.strip_code(SOLVED, keep_solution=False, where="t")
    assert "2 * x" not in out and "BEGIN" not in out
    assert out.endswith("    # YOUR CODE HERE\n    raise NotImplementedError()")
    ns = {}
    exec(out, ns)
    with pytest.raises(NotImplementedError):
        ns["f"](1)


def test_solutions_mode_only_removes_the_markers():
    out = se.strip_code(SOLVED, keep_solution=True, where="t")
    ns = {}
    exec(out, ns)
    assert ns["f"](3) == 6 and "SOLUTION" not in out


@pytest.mark.parametrize(
    "source, problem",
    [
        ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "inside a def"),
        ("def f():\n    ### BEGIN SOLUTION\n    return 1", "without ### END"),
        ("def f():\n    return 1\n    ### END SOLUTION", "without ### BEGIN"),
    ],
)
def test_malformed_regions_are_rejected(source, problem):
    with pytest.raises(se.EditionError, match=problem):
        se.strip_code(source, keep_solution=False, where="t")


def test_solution_directives_are_removed_and_exercises_kept():
    md = (
        "```{exercise}\n:label: ex-a\n\nDo it.\n```\n\n"
        "```{solution} ex-a\n:class: dropdown\n\nThe answer is 42.\n```\n\n"
        ":::{solution} ex-a\nAlso 42.\n:::\nAfter."
    )
    out = se.strip_solution_directives(md)
    assert "42" not in out and "{exercise}" in out and out.endswith("After.")


def _nb(cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return nb


def test_gated_solutions_and_tagged_cells_are_dropped():
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    hidden = code("assert f(1) == 2", metadata={"tags": ["remove-input", "solution"]})
    nb = _nb(
        [
            md("# T"),
            code(SOLVED),
            hidden,
            md("```{solution-start} ex-a\n:class: dropdown\n```"),
            code("print('worked solution')"),
            md("```{solution-end}\n```"),
            md("Next."),
        ]
    )
    out = se.student_notebook(nb)
    text = json.dumps(out)
    assert "worked solution" not in text and "assert f(1)" not in text
    assert [c.source for c in out.cells][-1] == "Next." and len(out.cells) == 3
    with pytest.raises(se.EditionError, match="without solution-end"):
        se.student_notebook(_nb(nb.cells[:5]))


def _split_lines(nb):
    """Substantial lines of a full-edition notebook: (solution, lesson) sets."""
    sol, lesson, gated = [], [], False
    for cell in nb.cells:
        if se._directive(cell, "solution-start"):
            gated = True
            continue
        if se._directive(cell, "solution-end"):
            gated = False
            continue
        src = cell.source
        if gated or "solution" in cell.metadata.get("tags", []):
            sol += src.split("\n")
        elif cell.cell_type == "code" and se.BEGIN in src:
            parts = src.split(se.BEGIN)
            lesson += parts[0].split("\n")
            for part in parts[1:]:
                inside, _, after = part.partition(se.END)
                sol += inside.split("\n")
                lesson += after.split("\n")
        elif cell.cell_type == "markdown":
            kept = se.strip_solution_directives(src).split("\n")
            sol += [ln for ln in src.split("\n") if ln not in kept]
            lesson += kept
        else:
            lesson += src.split("\n")

    def big(lines):
        return {ln.strip() for ln in lines if len(ln.strip()) > 30}

    return big(sol), big(lesson)


FULL = sorted((ROOT / "book").glob("[0-9][0-9]*_*.ipynb"))


@pytest.mark.parametrize("path", FULL, ids=lambda p: p.stem)
def test_committed_student_notebook_has_no_solution(path):
    student = ROOT / "student" / "book" / path.name
    assert student.exists(), "run scripts/student_edition.py and commit student/"
    text = student.read_text()
    assert se.BEGIN not in text and "{solution" not in text
    assert '"solution"' not in text, "cells tagged solution must be dropped"
    cells = nbformat.read(student, as_version=4).cells
    body = {ln.strip() for c in cells for ln in c.source.split("\n")}
    sol, lesson = _split_lines(nbformat.read(path, as_version=4))
    leaked = [ln for ln in sol - lesson if ln in body]
    assert not leaked, f"solution lines in the student edition: {leaked[:3]}"


def test_committed_student_edition_is_up_to_date():
    assert se.main(["--check"]) == 0, "run python scripts/student_edition.py"


def test_student_launch_buttons_open_the_student_notebooks():
    config = yaml.safe_load((ROOT / "student" / "_config.yml").read_text())
    assert config["repository"]["path_to_book"] == "student"
    toc = yaml.safe_load((ROOT / "student" / "_toc.yml").read_text())
    assert not set(se.toc_files(toc)) & se.INSTRUCTOR_ONLY


def test_otter_master_wraps_each_coding_exercise_in_a_question():
    spec = importlib.util.spec_from_file_location(
        "otter_master", ROOT / "scripts" / "otter_master.py"
    )
    om = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(om)
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    hidden = code("assert checks.double(f).passed", metadata={"tags": ["solution"]})
    nb = _nb([md("# T"), code(SOLVED), code("checks.double(f)"), hidden])
    master = om.otter_master(nb)
    raw = [c.source.split("\n")[0] for c in master.cells if c.cell_type == "raw"]
    assert raw == [
        "# ASSIGNMENT CONFIG",
        "# BEGIN QUESTION",
        "# BEGIN SOLUTION",
        "# END SOLUTION",
        "# BEGIN TESTS",
        "# END TESTS",
        "# END QUESTION",
    ]
    text = "\n".join(c.source for c in master.cells)
    assert "    # BEGIN SOLUTION\n    y = 2 * x" in text and "###" not in text
    assert "result = checks.double(f)" in text and "assert checks.double" not in text


GLUE_SET = re.compile(r"""glue\(\s*(f?)["']([^"']+)["']""")
GLUE_USE = re.compile(r"\{glue(?::\w+)?\}`([\w.-]+)")


def _glue_pattern(is_f: str, name: str) -> re.Pattern:
    """A glued name; in an f-string every ``{...}`` field matches any characters."""
    if not is_f:
        return re.compile(re.escape(name) + "$")
    parts = re.split(r"\{[^}]*\}", name)
    return re.compile("[\\w.-]*".join(re.escape(p) for p in parts) + "$")


def _student_edition_texts():
    """(glued names set in kept code, names the kept prose shows) of the edition."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    kept = [f for f in se.toc_files(toc) if f not in se.INSTRUCTOR_ONLY]
    setters, shown = [], set()
    for f in kept:
        path = ROOT / (f + ".ipynb")
        if path.exists():
            nb = se.student_notebook(nbformat.read(path, as_version=4), where=f)
            for cell in nb.cells:
                if cell.cell_type == "code":
                    setters += [(f, m) for m in GLUE_SET.findall(cell.source)]
                else:
                    shown.update(GLUE_USE.findall(cell.source))
        else:
            md = ROOT / (f + ".md")
            text = md.read_text() if md.exists() else ""
            shown.update(GLUE_USE.findall(se.strip_solution_directives(text)))
    for md in (ROOT / "book").glob("*/*.md"):  # included fragments (notes, glossary)
        shown.update(GLUE_USE.findall(se.strip_solution_directives(md.read_text())))
    return setters, {n.split(":")[0] for n in shown}


def test_no_glued_value_is_shown_only_in_a_solution():
    # a value glued in a kept cell but shown only inside a removed solution would reach
    # the student through the notebook (its code prints the answer when run)
    setters, shown = _student_edition_texts()
    orphans = [
        (page, name)
        for page, (is_f, name) in setters
        if not any(_glue_pattern(is_f, name).match(n) for n in shown)
    ]
    assert not orphans, (
        "glued in a kept cell but shown nowhere in the student edition (compute it "
        f"inside the solution, or drop it): {orphans}"
    )


def test_glue_leak_detector_can_fail():
    assert _glue_pattern("f", "ch4_peak_{m}").match("ch4_peak_3")
    assert not _glue_pattern("", "ch5_tie_est").match("ch5_tie_est_x")


def test_student_notebooks_hide_verification_and_drop_timestamps():
    nb = nbformat.v4.new_notebook()
    hidden = nbformat.v4.new_code_cell("assert 1 + 1 == 2")
    hidden.metadata.update(tags=["remove-input"], execution={"iopub.status.busy": "x"})
    nb.cells = [hidden, nbformat.v4.new_code_cell("x = 1")]
    out = se.student_notebook(nb)
    assert out.cells[0].metadata["jupyter"]["source_hidden"] is True
    assert "execution" not in out.cells[0].metadata
    assert "jupyter" not in out.cells[1].metadata
