"""Reader-facing size of every notebook page of ``_toc.yml`` against the page limits.

Run from the repository root: ``python scripts/page_stats.py`` (or give the root).
Counts prose words (mathematics and Python code excluded, exercise text included),
visible code cells over 25 lines, visible code lines over 88 characters, and asserts.
"""

import json
import pathlib
import re
import sys

HIDDEN = ("remove-input", "remove-cell", "hide-input", "hide-cell")


def page_stats(path):
    words = long_cells = long_lines = asserts = 0
    for c in json.loads(path.read_text())["cells"]:
        src = "".join(c["source"])
        tags = c.get("metadata", {}).get("tags", [])
        if c["cell_type"] == "markdown":
            t = re.sub(r"\$\$.*?\$\$", " ", src, flags=re.S)
            t = re.sub(r"\$[^$\n]*\$", " ", t)
            t = re.sub(r"```(python|py)\n.*?```", " ", t, flags=re.S)
            t = re.sub(r"^\s*:\w+:.*$", " ", t, flags=re.M)
            words += len(re.findall(r"[A-Za-z][A-Za-z'’-]*", t))
        elif c["cell_type"] == "code":
            asserts += len(re.findall(r"\bassert\b|assert_allclose|assert_array", src))
            if not any(x in tags for x in HIDDEN):
                lines = src.rstrip("\n").split("\n")
                long_cells += len(lines) > 25
                long_lines += sum(len(line) > 88 for line in lines)
    return words, long_cells, long_lines, asserts


def main(root):
    rows, over = [], 0
    for f in re.findall(r"file:\s*(\S+)", (root / "_toc.yml").read_text()):
        p = root / (f + ".ipynb")
        if p.exists():
            words, cells, lines, asserts = page_stats(p)
            bad = words > 3000 or cells or lines
            over += bool(bad)
            rows.append((f, words, cells, lines, asserts, "over" if bad else "ok"))
    print(f"{'page':45} {'words':>6} {'cells>25':>8} {'lines>88':>8} {'asserts':>7}")
    for r in rows:
        print(f"{r[0]:45} {r[1]:6d} {r[2]:8d} {r[3]:8d} {r[4]:7d}  {r[5]}")
    print(
        f"{over} of {len(rows)} pages over the limits "
        "(3,000 words; visible cells <= 25 lines, <= 88 chars)"
    )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
