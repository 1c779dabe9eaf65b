"""Check the Colab path: a bare environment plus the Colab cell runs every chapter.

Run from anywhere with the book's environment (CI runs it; it needs network access to
PyPI, like the Colab cell itself)::

    python scripts/colab_check.py [--repo DIR] [--timeout 120] [--keep]

1. Creates a fresh virtual environment holding only what Colab ships for the book:
   numpy, scipy, matplotlib, sympy, ipywidgets and ipykernel, at the versions pinned
   in ``requirements.txt``.
2. Reads the install command out of every chapter's Colab cell (the code cell tagged
   ``remove-cell`` guarded by ``if "google.colab" in sys.modules``), replaces the
   repository's ``git+https://...`` URL by a copy of the local checkout, and runs it
   with that environment's Python, as the cell would on Colab.
3. Executes every chapter notebook of ``_toc.yml`` (``book/NN...``; not the back
   matter) top to bottom, alone in an empty folder (as Colab opens it), with a kernel
   running that environment's Python and a time limit per cell. The kernel cannot see
   the checkout; a final injected cell asserts that ``lrnn_utils`` came from the
   environment.

Exits 1 if a chapter has no Colab cell, an install fails, or any cell raises.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import nbformat
import yaml
from nbclient.exceptions import CellExecutionError, CellTimeoutError

sys.path.insert(0, str(Path(__file__).parent))
import notebook_run  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
#: What Colab ships for the book; installed at the versions of requirements.txt.
COLAB_SHIPS = ["numpy", "scipy", "matplotlib", "sympy", "ipywidgets", "ipykernel"]
KERNEL = "lrnn-colab-check"
EXECUTABLE = object()  # stands for sys.executable in an extracted command

CHECK_CELL = """\
import sys
import lrnn_utils

assert sys.prefix == {prefix!r}, sys.prefix
assert lrnn_utils.__file__.startswith({prefix!r}), lrnn_utils.__file__
"""


def pins(repo: Path, names: list[str]) -> list[str]:
    """``name==version`` from requirements.txt for each of ``names``."""
    found = {}
    for line in (repo / "requirements.txt").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if m:
            found[m[1].lower().replace("_", "-")] = line.strip()
    missing = [n for n in names if n not in found]
    if missing:
        sys.exit(f"requirements.txt pins none of {missing}")
    return [found[n] for n in names]


def chapters(repo: Path) -> list[Path]:
    """The chapter notebooks (``book/NN...``) of ``_toc.yml``, in reading order."""
    toc = yaml.safe_load((repo / "_toc.yml").read_text())
    files = []

    def walk(entries):
        for e in entries:
            if "file" in e:
                files.append(e["file"])
            walk(e.get("sections", []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    return [repo / f"{f}.ipynb" for f in files if re.match(r"book/\d\d", f)]


def colab_command(nb_path: Path) -> list:
    """The argument list of the pip call in the notebook's Colab cell."""
    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code" or "remove-cell" not in cell.metadata.get(
            "tags", []
        ):
            continue
        tree = ast.parse(cell.source)
        guard = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.If)
            and isinstance(node.test, ast.Compare)
            and isinstance(node.test.left, ast.Constant)
            and node.test.left.value == "google.colab"
        ]
        if not guard:
            continue
        for node in ast.walk(guard[0]):
            if (
                isinstance(node, ast.Call)
                and ast.unparse(node.func) == "subprocess.run"
                and node.args
                and isinstance(node.args[0], ast.List)
            ):
                cmd = []
                for elt in node.args[0].elts:
                    if ast.unparse(elt) == "sys.executable":
                        cmd.append(EXECUTABLE)
                    else:
                        cmd.append(ast.literal_eval(elt))
                if cmd[1:4] != ["-m", "pip", "install"]:
                    sys.exit(f"{nb_path.name}: Colab cell does not run pip install")
                return cmd
    sys.exit(f"{nb_path.name}: no Colab cell (remove-cell, 'google.colab' guard)")


def localise(cmd: list, repo: Path, source: Path, python: Path) -> list[str]:
    """Point the repository's git URL at ``source`` and run with ``python``."""
    home = tomllib.loads((repo / "pyproject.toml").read_text())["project"]["urls"][
        "Homepage"
    ]
    url = re.compile(re.escape("git+" + home) + r"(\.git)?(@[^\s#]+)?(#\S*)?")
    out = []
    for arg in cmd:
        if arg is EXECUTABLE:
            out.append(str(python))
            continue
        if re.search(r"@\s*" + url.pattern, arg):  # name[extra] @ git+URL
            arg = url.sub(source.as_uri(), arg)
        else:  # a bare git+URL
            arg = url.sub(str(source), arg)
        if home.split("://", 1)[1] in arg:
            sys.exit(f"could not point {arg!r} at the local checkout")
        out.append(arg)
    return out


def run(cmd: list[str], **kw) -> None:
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kw)


def execute(nb_path: Path, folder: Path, prefix: str, timeout: int) -> str | None:
    """Run one notebook alone in ``folder``; return an error summary or None."""
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(CHECK_CELL.format(prefix=prefix)))
    folder.mkdir(parents=True)
    try:
        notebook_run.execute(nb, folder, timeout=timeout, kernel_name=KERNEL)
    except (CellExecutionError, CellTimeoutError) as err:
        return str(err)[-3000:]
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", type=Path, default=ROOT, help="checkout to test")
    parser.add_argument("--python", default=sys.executable, help="venv's interpreter")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per cell")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    repo = args.repo.resolve()
    start = time.monotonic()

    notebooks = chapters(repo)
    # Distinct install commands (normally one, shared by every chapter) -> notebooks.
    commands: dict[str, list[Path]] = {}
    for nb in notebooks:
        commands.setdefault(repr(colab_command(nb)), []).append(nb)
    work = Path(tempfile.mkdtemp(prefix="lrnn-colab-"))
    try:
        # Install from a copy: building in place would leave build/ in the checkout.
        source = work / "src"
        source.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(repo / name, source / name)
        shutil.copytree(
            repo / "lrnn_utils",
            source / "lrnn_utils",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        venv = work / "venv"
        run([args.python, "-m", "venv", str(venv)])
        python = venv / "bin" / "python"
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        ships = pins(repo, COLAB_SHIPS)
        run([str(python), "-m", "pip", "install", "-q", *ships], env=env)
        for nbs in commands.values():
            print(f"Colab cell of {', '.join(nb.name for nb in nbs)}:")
            run(localise(colab_command(nbs[0]), repo, source, python), env=env)
        run([str(python), "-m", "pip", "check"], env=env)
        t_install = time.monotonic() - start

        # A kernelspec for the venv, found through JUPYTER_PATH.
        spec = work / "jupyter" / "kernels" / KERNEL
        spec.mkdir(parents=True)
        argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        kernel = {"argv": argv, "display_name": KERNEL, "language": "python"}
        (spec / "kernel.json").write_text(json.dumps(kernel))
        os.environ["JUPYTER_PATH"] = str(work / "jupyter")
        os.environ.pop("PYTHONPATH", None)  # the kernel must not see the checkout
        os.environ.pop("MPLBACKEND", None)

        failures = []
        for nb in notebooks:
            t0 = time.monotonic()
            error = execute(nb, work / "run" / nb.stem, str(venv), args.timeout)
            verdict = "ok" if error is None else "FAILED"
            print(f"{nb.name:40} {time.monotonic() - t0:6.1f} s  {verdict}", flush=True)
            if error is not None:
                failures.append(nb.name)
                print(error, flush=True)
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    total = time.monotonic() - start
    print(
        f"install {t_install:.0f} s, total {total:.0f} s; "
        f"{len(notebooks) - len(failures)} of {len(notebooks)} chapter notebooks ran"
    )
    if failures:
        print("FAILED:", ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
