"""Run a notebook in a Jupyter kernel: the setup the book's scripts share.

``scripts/widget_sweep.py``, ``scripts/kernel_free.py``, ``scripts/colab_check.py`` and
``scripts/student_edition.py`` all execute notebooks with nbclient the same way: a
kernel whose working directory is the notebook's folder (as Jupyter and the book build
run it), a time limit per cell, and optionally an environment of the kernel's own.

>>> env = kernel_env({"PYTHONPATH": "/elsewhere"})
>>> env["PYTHONPATH"].split(os.pathsep) == [str(ROOT), "/elsewhere"]
True
>>> env["MPLBACKEND"]
'agg'
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def kernel_env(base: dict | None = None, backend: str | None = "agg") -> dict:
    """An environment for a kernel that imports ``lrnn_utils`` from this checkout.

    A copy of ``base`` (default ``os.environ``) with the checkout first on
    ``PYTHONPATH`` and, unless already set, ``MPLBACKEND=backend``. It is passed to the
    kernel only: changing ``os.environ`` instead would leak into every kernel the
    calling process starts later (a pytest run's nbval kernels among them).
    """
    env = dict(os.environ if base is None else base)
    parts = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if str(ROOT) not in parts:
        parts.insert(0, str(ROOT))
    env["PYTHONPATH"] = os.pathsep.join(parts)
    if backend:
        env.setdefault("MPLBACKEND", backend)
    return env


def execute(
    nb,
    cwd: Path | str,
    timeout: int = 600,
    kernel_name: str = "python3",
    env: dict | None = None,
):
    """Execute notebook ``nb`` (an nbformat node, changed in place) in folder ``cwd``.

    Raises nbclient's ``CellExecutionError`` (or ``CellTimeoutError``) when a cell
    fails; ``env`` is the kernel's environment (default: inherited).
    """
    from nbclient import NotebookClient

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(cwd)}},
    )
    if env is None:
        return client.execute()
    return client.execute(env=env)
