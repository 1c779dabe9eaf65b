"""List the first use of each documented library function in the chapters.

Usage (from the repository root)::

    python book/api/link_first_use.py            # a Markdown table
    python book/api/link_first_use.py --visible  # only code the reader sees
    python book/api/link_first_use.py --json     # for an editing script

For every page of ``_toc.yml`` (in order) and every function or class the API reference
documents (``apigen.public_objects``, so the list follows a reorganisation of the
package), the first cell where it is used. Names are resolved through the page's own
imports, as Python would: ``checks.euler_step`` after ``from lrnn_utils import checks``
is ``lrnn_utils.checks.ch02.euler_step``; ``ls.learning_time`` after ``from lrnn_utils
import learning_speed as ls`` is ``lrnn_utils.learning_speed.learning_time``; a bare
``fmt_below(...)`` after ``from lrnn_utils.report import fmt_below`` is
``lrnn_utils.report.fmt_below``. An import alone is not a use. With ``visible_only``
(``--visible``), cells the reader does not see in the book (tags ``hide-input``,
``remove-input``, ``hide-cell``, ``remove-cell``) are skipped, though their imports
still count. Each row gives the MyST role that links the name to the reference, e.g.
``{py:func}`engine.train```; the chapters put it in the prose
at that cell (tests/test_api_page.py checks that they do).
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import apigen  # noqa: E402

#: cell tags whose code the reader of the book does not see
HIDDEN = {"hide-input", "remove-input", "hide-cell", "remove-cell"}
_IMPORT = re.compile(
    r"^[ \t]*from[ \t]+(lrnn_utils(?:\.\w+)*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*)",
    re.M,
)
_DOTTED = re.compile(r"(?<![\w.])([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)+)")
_BARE_CALL = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\s*\(")


def pages() -> list[str]:
    """The notebooks of ``_toc.yml``, in order (``book/01_linear_rnn``, ...)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    found = []

    def walk(entries):
        for e in entries:
            found.append(e["file"])
            walk(e.get("sections", []))

    for part in toc["parts"]:
        walk(part["chapters"])
    return [p for p in found if (ROOT / f"{p}.ipynb").exists()]


def imports(source: str) -> dict[str, object]:
    """Local name -> object, for the ``from lrnn_utils... import ...`` of a cell."""
    found = {}
    for module, items in _IMPORT.findall(source):
        mod = importlib.import_module(module)
        for item in items.strip("()").replace("\n", " ").split(","):
            words = item.split()
            if not words:
                continue
            name, local = words[0], words[-1]  # "name" or "name as local"
            if hasattr(mod, name):
                found[local] = getattr(mod, name)
            else:  # a submodule not imported by the package
                found[local] = importlib.import_module(f"{module}.{name}")
    return found


def uses(source: str, names: dict[str, object], targets: dict[int, str]):
    """``(spelling, target)`` of each documented object a cell uses, in order."""
    found = []
    for m in _DOTTED.finditer(source):
        obj = names.get(m.group(1))
        spelled = m.group(1)
        for attr in m.group(2).split(".")[1:]:
            if obj is None or not hasattr(obj, attr):
                obj = None
                break
            obj, spelled = getattr(obj, attr), f"{spelled}.{attr}"
            if id(obj) in targets:
                found.append((m.start(), spelled, targets[id(obj)]))
                break
    for m in _BARE_CALL.finditer(source):
        obj = names.get(m.group(1))
        if obj is not None and id(obj) in targets:
            found.append((m.start(), m.group(1), targets[id(obj)]))
    return [(spelled, target) for _, spelled, target in sorted(found)]


def link_text(spelled: str, full: str) -> str:
    """The short name a chapter links: as the code spells it (``checks.euler_step``),
    but with a module's own name for an alias (``ls.learning_time`` ->
    ``learning_speed.learning_time``) and the module for a bare name (``fmt_below`` ->
    ``report.fmt_below``). :func:`apigen.resolve` maps it back to ``full``."""
    modules = {m.split(".")[-1] for m in apigen.public_modules()}
    head, _, rest = spelled.partition(".")
    if not rest or head not in modules:
        spelled = ".".join(full.split(".")[-2:])
    if apigen.resolve(spelled) != full:
        spelled = full
    return spelled


def first_uses(visible_only: bool = False) -> list[dict]:
    """One row per documented object: where it is first used in the book."""
    targets = apigen.targets()
    rows, seen = [], set()
    for page in pages():
        cells = nbformat.read(ROOT / f"{page}.ipynb", as_version=4).cells
        names = {}
        for k, cell in enumerate(cells):
            if cell.cell_type != "code":
                continue
            names.update(imports(cell.source))
            if visible_only and HIDDEN & set(cell.metadata.get("tags", [])):
                continue
            for spelled, full in uses(cell.source, names, targets):
                if full in seen:
                    continue
                seen.add(full)
                kind = "class" if full.split(".")[-1][:1].isupper() else "func"
                rows.append(
                    {
                        "page": page,
                        "cell": k,
                        "object": full,
                        "role": f"{{py:{kind}}}`{link_text(spelled, full)}`",
                    }
                )
    return rows


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    rows = first_uses(visible_only="--visible" in argv)
    if "--json" in argv:
        print(json.dumps(rows, indent=1))
        return 0
    print("| page | cell | object | MyST link |\n|---|---:|---|---|")
    for r in rows:
        print(f"| {r['page']} | {r['cell']} | `{r['object']}` | ``{r['role']}`` |")
    n = len(apigen.targets())
    print(f"\n{len(rows)} of {n} documented functions and classes are used.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
