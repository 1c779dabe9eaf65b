"""Run numpy's BLAS on one thread for a while, so that worker threads share the CPUs.

Training wide networks network by network in several Python threads is only fast when
every matrix product runs on the thread that calls it: OpenBLAS would otherwise start
its own threads inside each product, and two workers on two cores would fight over
them (measured: a 300-unit step ~15 times slower).  :func:`single_threaded` sets the
OpenBLAS that numpy loaded to one thread and restores the previous setting on exit.
When numpy's BLAS is not an OpenBLAS this module can find (another BLAS, an unusual
build), :func:`single_threaded` yields ``False`` and callers run on one thread.
"""

from __future__ import annotations

import ctypes
import glob
import os
import threading
from contextlib import contextmanager

import numpy as np

#: (setter, getter) names of the thread count in the OpenBLAS builds numpy ships
_SYMBOLS = (
    ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
    ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
    ("openblas_set_num_threads", "openblas_get_num_threads"),
)
_lock = threading.Lock()
_depth = 0
_saved = None
_controls = None  # (set, get) once looked up; False when there are none


def _candidates():
    """Paths of the OpenBLAS libraries numpy may have loaded."""
    paths = []
    try:
        with open("/proc/self/maps") as f:  # Linux: what is actually loaded
            paths = [ln.split()[-1] for ln in f if "openblas" in ln.lower()]
    except OSError:
        pass
    root = os.path.dirname(np.__file__)
    for sub in ("../numpy.libs", ".dylibs", "../numpy.libs/*"):
        paths += glob.glob(os.path.join(root, sub, "*openblas*"))
    return list(dict.fromkeys(p for p in paths if os.path.isfile(p)))


def _find_controls():
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for set_name, get_name in _SYMBOLS:
            setter = getattr(lib, set_name, None)
            getter = getattr(lib, get_name, None)
            if setter is not None and getter is not None:
                setter.argtypes, setter.restype = [ctypes.c_int], None
                getter.argtypes, getter.restype = [], ctypes.c_int
                return setter, getter
    return False


def thread_controls():
    """``(set_num_threads, get_num_threads)`` of numpy's OpenBLAS, or ``False``."""
    global _controls
    if _controls is None:
        _controls = _find_controls()
    return _controls


@contextmanager
def single_threaded():
    """Context in which numpy's OpenBLAS uses one thread; yields whether it could.

    Re-entrant and safe to enter from several threads: the previous thread count
    is restored when the outermost context exits.

    Examples
    --------
    >>> with single_threaded() as ok:
    ...     isinstance(ok, bool)
    True
    """
    global _depth, _saved
    controls = thread_controls()
    if not controls:
        yield False
        return
    setter, getter = controls
    with _lock:
        if _depth == 0:
            _saved = getter()
            setter(1)
        _depth += 1
    try:
        yield True
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                setter(_saved)


def n_workers(n_tasks: int) -> int:
    """How many worker threads to use for ``n_tasks`` independent jobs."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, n_tasks))
