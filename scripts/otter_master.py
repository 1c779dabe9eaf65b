"""Turn a chapter into an otter-grader master notebook whose tests call the checks.

Usage (from the repository root; otter-grader is an optional extra, not a dependency)::

    python scripts/otter_master.py book/02_decoupling.ipynb grading/02_master.ipynb
    otter assign grading/02_master.ipynb grading/dist      # needs otter-grader 7

Every coding exercise of the chapter (a cell with ``### BEGIN SOLUTION``) becomes one
otter question worth one point: the solution cell is wrapped in otter's solution block
and its test calls the function of :mod:`lrnn_utils.checks` that the chapter's
check cell calls, so a failing test shows the same specific feedback
("✘ euler_step: wrong sign ..."). Text solutions, gated solutions and cells tagged
``solution`` are removed as in the student edition.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("se", HERE / "student_edition.py")
se = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(se)

CHECK_CALL = re.compile(r"checks\.(\w+)\(\s*(\w+)")
CONFIG = "\n".join(
    ["# ASSIGNMENT CONFIG", "export_cell: false", "generate: true", "tests:"]
    + ["  ok_format: false"]
)
TEST = '''""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_{check}({arg}):
    from lrnn_utils import checks

    result = checks.{check}({arg})
    assert result.passed, repr(result)

test_{check}({arg})'''


def otter_master(nb):
    """The otter master notebook for one chapter notebook (a new object)."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:  # otter's markers have one '#'; nbgrader accepts both
        if cell.cell_type == "code":
            cell.source = cell.source.replace(se.BEGIN, "# BEGIN SOLUTION")
            cell.source = cell.source.replace(se.END, "# END SOLUTION")
    nb = se.student_notebook(nb, keep_solution=True, where="master")
    raw, code = nbformat.v4.new_raw_cell, nbformat.v4.new_code_cell
    cells, n = [raw(CONFIG)], 0
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "# BEGIN SOLUTION" not in cell.source:
            cells.append(cell)
            continue
        later = [c for c in nb.cells[k + 1 :] if c.cell_type == "code"]
        found = CHECK_CALL.search(later[0].source) if later else None
        if not found:
            raise ValueError(f"no check call after the exercise:\n{cell.source[:200]}")
        n += 1
        cells += [
            raw(f"# BEGIN QUESTION\nname: q{n}\npoints: 1"),
            raw("# BEGIN SOLUTION"),
            cell,
            raw("# END SOLUTION"),
            raw("# BEGIN TESTS"),
            code(TEST.format(check=found.group(1), arg=found.group(2))),
            raw("# END TESTS"),
            raw("# END QUESTION"),
        ]
    nb.cells = cells
    return nb


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(__doc__)
        return 2
    source, target = Path(argv[0]), Path(argv[1])
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(otter_master(nbformat.read(source, as_version=4)), target)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
