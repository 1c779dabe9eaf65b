"""The library's layout rules (CONTRIBUTING.md, "Where library code goes").

Read from the source with ``ast``: which module imports which, and which names.
"""

import ast
import pathlib
import re

import pytest

PKG = pathlib.Path(__file__).resolve().parents[1] / "lrnn_utils"

CONCEPTS = {
    "tasks",
    "network",
    "moments",
    "theory",
    "engine",
    "kernels",
    "stimuli",
    "plotting",
    "report",
}
DRIVERS = {
    "decoupling",
    "learning_speed",
    "phase",
    "feature_learning",
    "t_output",
    "rotations",
    "explore",
}
SHARED = {"_validation", "_blas"}


def module_files():
    return sorted(p for p in PKG.rglob("*.py") if p.name != "__init__.py")


def imports(path):
    """(module, names) pairs for every ``lrnn_utils`` import of a file."""
    tree = ast.parse(path.read_text())
    rel = path.relative_to(PKG).with_suffix("").parts
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                base = list(rel[: len(rel) - node.level])
            elif (node.module or "").startswith("lrnn_utils"):
                base = []
                node_module = node.module.split(".")[1:]
                mod = ".".join(node_module)
                out.append((mod, [a.name for a in node.names]))
                continue
            else:
                continue
            mod = ".".join(base + (node.module.split(".") if node.module else []))
            out.append((mod, [a.name for a in node.names]))
    return out


def targets(path):
    """Top-level lrnn_utils modules a file imports (``from . import x`` counts x)."""
    found = set()
    for mod, names in imports(path):
        if mod == "":
            found |= set(names)
        else:
            found.add(mod.split(".")[0])
    return found


def test_the_layout_is_the_documented_one():
    top = {p.stem for p in PKG.glob("*.py")} - {"__init__"}
    assert top == CONCEPTS | DRIVERS | SHARED, sorted(
        top ^ (CONCEPTS | DRIVERS | SHARED)
    )


def private_imports(path, found=None):
    """Names starting with ``_`` that a file imports from another lrnn_utils module."""
    bad = []
    for mod, names in found if found is not None else imports(path):
        if mod.split(".")[0] in SHARED:
            continue
        bad += [f"{mod}.{n}" for n in names if n.startswith("_")]
    return bad


@pytest.mark.parametrize("path", module_files(), ids=lambda p: p.stem)
def test_no_private_name_is_imported_across_modules(path):
    assert not private_imports(path)


@pytest.mark.parametrize("path", sorted(PKG.glob("*.py")), ids=lambda p: p.stem)
def test_drivers_import_only_concepts_and_concepts_no_drivers(path):
    if path.stem == "__init__":
        return
    used = targets(path) - SHARED - {path.stem}
    if path.stem in DRIVERS:
        assert used <= CONCEPTS, f"driver {path.stem} imports {sorted(used - CONCEPTS)}"
    else:
        assert not used & DRIVERS, f"{path.stem} imports drivers {used & DRIVERS}"
        assert "checks" not in used


def test_checks_import_no_other_chapters_check():
    for path in (PKG / "checks").glob("ch*.py"):
        for mod, names in imports(path):
            others = {n for n in names if re.fullmatch(r"ch\d\d", n)} - {path.stem}
            assert not others, f"{path.name} imports {others}"


def test_the_rules_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from .engine import _run\nfrom ._validation import as_finite_array\n"
    )
    found = [(m, n) for m, n in imports_at(bad)]
    assert private_imports(bad, found) == ["engine._run"]


def imports_at(path):
    """:func:`imports` for a file outside the package (relative to lrnn_utils)."""
    tree = ast.parse(path.read_text())
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            out.append((node.module or "", [a.name for a in node.names]))
    return out
