"""Execute every notebook of the book and measure its time and peak memory.

Run from the repository root with the book's environment::

    PYTHONPATH=$PWD python scripts/measure_pages.py

For each ``.ipynb`` page listed in ``_toc.yml`` (in order) the script starts a
fresh kernel (working directory ``book/``, ``PYTHONPATH`` = the repository),
runs all cells top to bottom, and records

* the wall time of executing the cells (kernel start-up excluded, reported
  separately) and
* the kernel's peak resident memory (``VmHWM`` of the kernel process, read
  from ``/proc`` before the kernel is shut down; Linux only).

The notebooks are not modified.  Results go to ``benchmarks/pages.json`` and
``benchmarks/pages.md`` (a Markdown table included in the book's appendix page),
together with the machine, its load and the versions of the book's packages.
Options: ``--only NAME`` (substring filter), ``--timeout`` (per cell, seconds).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Targets of the book (issue 11).
PAGE_SECONDS, BOOK_SECONDS, PAGE_MIB = 45.0, 180.0, 1024.0

#: Packages whose versions the appendix records.
PACKAGES = [
    "numpy",
    "scipy",
    "sympy",
    "matplotlib",
    "ipywidgets",
    "ipykernel",
    "jupyter-book",
    "myst-nb",
    "nbclient",
    "nbval",
    "pytest",
    "hypothesis",
    "neurogym",
]


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The ``.ipynb`` pages of ``_toc.yml`` in reading order."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files: list[str] = []

    def walk(entries):
        for e in entries or []:
            if "file" in e:
                files.append(e["file"])
            walk(e.get("sections"))
            walk(e.get("chapters"))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    out = []
    for f in files:
        p = root / (f if f.endswith(".ipynb") else f + ".ipynb")
        if p.exists():
            out.append(p)
    return out


def _peak_mib(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    m = re.search(r"^VmHWM:\s+(\d+)\s+kB", status, re.M)
    return int(m.group(1)) / 1024 if m else None


async def _execute(client, nb, env, cwd) -> dict:
    """Run all cells as ``NotebookClient.execute`` does, timing and measuring."""
    from nbclient.util import ensure_async

    client.reset_execution_trackers()
    t0 = time.perf_counter()
    async with client.async_setup_kernel(env=env, cwd=cwd):
        msg_id = await ensure_async(client.kc.kernel_info())
        await client.async_wait_for_reply(msg_id)  # the kernel is ready
        t1 = time.perf_counter()
        pid = client.km.provisioner.process.pid
        for index, cell in enumerate(nb.cells):
            await client.async_execute_cell(
                cell, index, execution_count=client.code_cells_executed + 1
            )
        t2 = time.perf_counter()
        peak = _peak_mib(pid)
    return {"startup_s": t1 - t0, "execute_s": t2 - t1, "peak_mib": peak}


def measure(path: Path, timeout: int = 300) -> dict:
    """Execute one notebook in a fresh kernel; wall times and peak memory."""
    import asyncio

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    env.pop("MPLBACKEND", None)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    res = asyncio.run(_execute(client, nb, env, str(path.parent)))
    return {"page": path.relative_to(ROOT).as_posix(), "cells": len(nb.cells), **res}


def versions() -> dict:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {"cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform()}
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
        info["memory_gib"] = kb / 2**20
    except (OSError, TypeError):
        pass
    return info


def render(res: dict) -> str:
    """Markdown table of the measured pages (nothing typed by hand)."""
    m = res["machine"]
    rows = res["pages"]
    L = ["<!-- generated by scripts/measure_pages.py; do not edit -->"]
    la = res.get("load_average", [None, None])
    L.append(
        f"Measured {res['started'][:16].replace('T', ' ')} UTC on {m['cpu']} "
        f"({m['cores']} cores"
        + (f", {m['memory_gib']:.1f} GiB memory" if "memory_gib" in m else "")
        + "), one fresh kernel per page, pages run one after the other."
    )
    if la[0] is not None:
        busy = max(la) > m["cores"]
        L.append(
            f"Load average (1 min) {la[0]:.1f} before and {la[1]:.1f} after, on "
            f"{m['cores']} cores: "
            + (
                "other processes shared the CPU, and the times are inflated by them."
                if busy
                else "the CPU was not oversubscribed, though other processes ran "
                "alongside (the load includes this run itself)."
            )
        )
    L.append("")
    L.append(
        f"| page | cells | execution | kernel start | peak memory | "
        f"within targets ({PAGE_SECONDS:.0f} s, {PAGE_MIB / 1024:.0f} GiB) |"
    )
    L.append("|---|---:|---:|---:|---:|---|")
    for r in rows:
        if r.get("error"):
            L.append(f"| {r['page']} | — | — | — | — | **no**: {r['error']} |")
            continue
        ok_t = r["execute_s"] <= PAGE_SECONDS
        ok_m = r["peak_mib"] is None or r["peak_mib"] <= PAGE_MIB
        verdict = (
            "yes"
            if ok_t and ok_m
            else "**no**: "
            + ", ".join(
                x for x, bad in [("time", not ok_t), ("memory", not ok_m)] if bad
            )
        )
        mem = "—" if r["peak_mib"] is None else f"{r['peak_mib']:.0f} MiB"
        L.append(
            f"| {r['page']} | {r['cells']} | {r['execute_s']:.1f} s | "
            f"{r['startup_s']:.1f} s | {mem} | {verdict} |"
        )
    failed = [r for r in rows if r.get("error")]
    rows = [r for r in rows if not r.get("error")]
    total = sum(r["execute_s"] for r in rows)
    L.append(
        f"| **all pages** | {sum(r['cells'] for r in rows)} | **{total:.1f} s** | "
        f"{sum(r['startup_s'] for r in rows):.1f} s | "
        f"{max((r['peak_mib'] or 0 for r in rows), default=0):.0f} MiB (max) | "
        f"{'yes' if total <= BOOK_SECONDS and not failed else '**no**'} "
        f"(book {BOOK_SECONDS / 60:.0f} min"
        + (f"; {len(failed)} page(s) failed" if failed else "")
        + ") |"
    )
    L.append("")
    v = res["versions"]
    L.append("Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".")
    L.append("")
    return "\n".join(L)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="measure pages containing this")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    ap.add_argument("--out", default=str(ROOT / "benchmarks"))
    ap.add_argument(
        "--render-only",
        action="store_true",
        help="rewrite pages.md from an existing pages.json (no measurement)",
    )
    args = ap.parse_args(argv)
    if args.render_only:
        out = Path(args.out)
        (out / "pages.md").write_text(
            render(json.loads((out / "pages.json").read_text()))
        )
        return 0
    res = {
        "started": _dt.datetime.now(_dt.UTC).isoformat(),
        "machine": machine(),
        "versions": versions(),
        "pages": [],
    }
    load0 = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    for path in toc_notebooks():
        if args.only and args.only not in path.name:
            continue
        try:
            r = measure(path, args.timeout)
        except Exception as exc:  # a failing page is reported, the others still run
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
            r = {
                "page": path.relative_to(ROOT).as_posix(),
                "cells": None,
                "startup_s": float("nan"),
                "execute_s": float("nan"),
                "peak_mib": None,
                "error": f"{type(exc).__name__}: {first[:200]}",
            }
        print(
            f"{r['page']:45s} {r['execute_s']:7.1f} s  "
            f"{r['peak_mib'] or float('nan'):7.0f} MiB  {r.get('error', '')}",
            flush=True,
        )
        res["pages"].append(r)
    load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    res["load_average"] = [load0, load1]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "pages.json").write_text(json.dumps(res, indent=1))
    (out / "pages.md").write_text(render(res))
    print("wrote", out / "pages.json", "and", out / "pages.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
