"""Turn a chapter into an otter-grader master notebook whose tests call the checks.

Usage (from the repository root; otter-grader is an optional extra, not a dependency:
``pip install -r requirements-grading.txt`` in a venv of its own)::

    python scripts/otter_master.py book/02_decoupling.ipynb grading/02_master.ipynb
    otter assign grading/02_master.ipynb grading/dist      # needs otter-grader 7
    python scripts/otter_master.py --end-to-end book/06_ntk.ipynb   # the CI check

``--end-to-end`` runs the whole path offline in a temporary folder: master notebook,
``otter assign``, then ``otter run`` on the student notebook as handed out (stubs)
and on the autograder's solved notebook; it prints both scores and fails unless the
stubs get 0 and the solutions full marks. ``tests/test_grading.py`` calls it.

Every coding exercise of the chapter (a cell with ``### BEGIN SOLUTION``) becomes one
otter question worth one point: the solution cell is wrapped in otter's solution block
and its test calls the function of :mod:`lrnn_utils.checks` that the chapter's
check cell calls, so a failing test shows the same specific feedback
("✘ euler_step: wrong sign ..."). Text solutions, gated solutions and cells tagged
``solution`` are removed as in the student edition.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
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


def _otter() -> list[str]:
    """The otter command of this Python environment (next to its interpreter)."""
    exe = Path(sys.executable).parent / "otter"
    found = exe if exe.exists() else shutil.which("otter")
    if not found:
        raise FileNotFoundError("otter-grader is not installed in this environment")
    return [str(found)]


def _scores(results: Path) -> dict[str, tuple[float, float]]:
    """Question name -> (score, possible) from otter's results.json."""
    tests = json.loads(results.read_text())["tests"]
    return {
        t["name"]: (float(t["score"]), float(t["max_score"]))
        for t in tests
        if t.get("max_score") is not None
    }


def end_to_end(chapter: Path, work: Path, timeout: int = 600) -> dict:
    """Assign one chapter with otter and grade a stubbed and a solved submission.

    Returns ``{"stub": scores, "solved": scores, "seconds": {...}}`` where each
    ``scores`` maps the question name to (score, possible). Runs offline; the kernels
    import ``lrnn_utils`` from the repository (``PYTHONPATH``).
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in [str(ROOT), env.get("PYTHONPATH", "")] if p
    )
    name = chapter.stem + ".ipynb"  # otter needs the student to keep the file name
    work.mkdir(parents=True, exist_ok=True)
    nbformat.write(otter_master(nbformat.read(chapter, as_version=4)), work / name)
    seconds = {}

    def run(args, cwd):
        start = time.perf_counter()
        subprocess.run(args, cwd=cwd, env=env, check=True, timeout=timeout)
        return time.perf_counter() - start

    seconds["assign"] = run(_otter() + ["assign", name, "dist"], work)
    (zipped,) = (work / "dist" / "autograder").glob("*.zip")
    result = {}
    for kind, source in [("stub", "student"), ("solved", "autograder")]:
        sub, out = work / f"submission_{kind}", work / f"out_{kind}"
        sub.mkdir()
        out.mkdir()
        shutil.copy(work / "dist" / source / name, sub / name)
        seconds[kind] = run(
            _otter() + ["run", "-a", str(zipped), "-o", str(out), str(sub / name)],
            work,
        )
        # otter run exits 0 even when tests fail: the scores are in results.json
        result[kind] = _scores(out / "results.json")
    result["seconds"] = seconds
    return result


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 2 and argv[0] == "--end-to-end":
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            got = end_to_end(Path(argv[1]), Path(tmp) / "grading")
        ok = True
        for kind in ("stub", "solved"):
            scores = got[kind]
            total = sum(s for s, _ in scores.values())
            possible = sum(p for _, p in scores.values())
            want = 0.0 if kind == "stub" else possible
            ok &= bool(scores) and total == want
            print(f"{kind}: {total:g} of {possible:g} points ({len(scores)} questions)")
        print("seconds:", {k: round(v, 1) for k, v in got["seconds"].items()})
        return 0 if ok else 1
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
