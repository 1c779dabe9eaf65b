"""List the first use of each documented library function in the chapters.

Usage (from the repository root)::

    python book/api/link_first_use.py            # a Markdown table
    python book/api/link_first_use.py --json     # for an editing script

For every page of ``_toc.yml`` (in order) and every name the API reference documents
(``apigen.public_objects``, so the list follows a reorganisation of the package), the
first cell where the name is used as ``module.name`` (``engine.train``,
``checks.euler_step``, ``lrnn_utils.report.shown``) or imported with
``from lrnn_utils.module import name``. Each row gives the MyST role that links it to
the reference, e.g. ``{py:func}`engine.train <lrnn_utils.engine.train>```, to be put in
the prose next to that cell (a later, manual step: the chapters are not edited here).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import apigen  # noqa: E402


def _pages():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    found = []

    def walk(entries):
        for e in entries:
            found.append(e["file"])
            walk(e.get("sections", []))

    for part in toc["parts"]:
        walk(part["chapters"])
    return [p for p in found if (ROOT / f"{p}.ipynb").exists()]


def first_uses() -> list[dict]:
    """One row per documented object: where it is first used in the book."""
    objects = apigen.public_objects()
    names = {}  # short module.name patterns -> full target
    for module, members in objects.items():
        short = module.removeprefix(apigen.PACKAGE + ".").split(".")[-1]
        for m in members:
            full = f"{module}.{m}"
            for alias in {f"{short}.{m}", f"{module}.{m}", m}:
                names.setdefault(alias, full)
    rows, seen = [], set()
    for page in _pages():
        cells = nbformat.read(ROOT / f"{page}.ipynb", as_version=4).cells
        for k, cell in enumerate(cells):
            if cell.cell_type != "code":
                continue
            used = re.findall(r"\b((?:[a-z_]+\.)+[A-Za-z_]\w*)\s*\(", cell.source)
            for mod, items in re.findall(
                r"from lrnn_utils(?:\.(\w+))? import \(?([\w,\s]+)\)?", cell.source
            ):
                used += [i.strip() for i in items.split(",") if i.strip()]
            for name in used:
                full = names.get(name) or names.get(".".join(name.split(".")[-2:]))
                if full and full not in seen:
                    seen.add(full)
                    kind = "class" if full.split(".")[-1][:1].isupper() else "func"
                    short = ".".join(full.split(".")[-2:])
                    rows.append(
                        {
                            "page": page,
                            "cell": k,
                            "object": full,
                            "role": f"{{py:{kind}}}`{short} <{full}>`",
                        }
                    )
    return rows


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    rows = first_uses()
    if "--json" in argv:
        print(json.dumps(rows, indent=1))
        return 0
    print("| page | cell | object | MyST link |\n|---|---:|---|---|")
    for r in rows:
        print(f"| {r['page']} | {r['cell']} | `{r['object']}` | ``{r['role']}`` |")
    n = sum(len(v) for v in apigen.public_objects().values())
    print(f"\n{len(rows)} of {n} documented objects are used in the chapters.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
