"""The grading path end to end: otter-grader assigns a chapter and grades it offline.

otter-grader is not in the book's environment (requirements-grading.txt, its own venv),
so this test skips when otter is absent. CI runs it in the grading venv:

    venv-grading/bin/python -m pytest tests/test_grading.py -p no:cacheprovider

About one minute on 2 cores (``otter assign`` re-runs the master; each ``otter run``
executes the whole chapter).
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "06_ntk.ipynb"  # three coding exercises, quick to run


def _load():
    spec = importlib.util.spec_from_file_location(
        "otter_master", ROOT / "scripts" / "otter_master.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _have_otter() -> bool:
    exe = Path(sys.executable).parent / "otter"
    return importlib.util.find_spec("otter") is not None and (
        exe.exists() or shutil.which("otter") is not None
    )


def test_master_has_one_question_per_coding_exercise():
    om = _load()
    import nbformat

    nb = nbformat.read(CHAPTER, as_version=4)
    n_ex = sum("### BEGIN SOLUTION" in c.source for c in nb.cells)
    master = om.otter_master(nb)
    raw = [c.source for c in master.cells if c.cell_type == "raw"]
    assert n_ex >= 2
    assert sum(s.startswith("# BEGIN QUESTION") for s in raw) == n_ex
    tests = [c.source for c in master.cells if "def test_" in c.source]
    assert len(tests) == n_ex
    assert all("checks." in t and "assert result.passed" in t for t in tests)


@pytest.mark.skipif(
    not _have_otter(), reason="otter-grader not installed (grading venv)"
)
def test_stub_scores_zero_and_solution_full_marks(tmp_path):
    got = _load().end_to_end(CHAPTER, tmp_path / "grading")
    stub, solved = got["stub"], got["solved"]
    assert set(stub) == set(solved) and len(stub) >= 2, (stub, solved)
    assert all(score == 0 for score, _ in stub.values()), stub
    assert all(score == possible > 0 for score, possible in solved.values()), solved
