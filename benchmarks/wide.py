"""Benchmark: training wide networks (Fig. A5, hidden width 300), old path against new.

Run from the repository root (needs git, to load the old trainer from history)::

    PYTHONPATH=$PWD python benchmarks/wide.py [--quick]

Writes ``benchmarks/wide.md`` and ``benchmarks/wide.json``.  BLAS threads are left at
numpy's default, as on the book's pages: the new path sets numpy's OpenBLAS to one
thread itself and trains the networks in one worker thread a core.  The *old* path is
``ntk._train_wide`` as of commit ``OLD_COMMIT`` (batched over the networks, a
``T × T`` sum of einsums a step), loaded from git history and run unchanged.
"""

from __future__ import annotations

import argparse
import ast
import datetime as _dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lrnn_utils import _blas, engine, feature_learning, network, tasks  # noqa: E402
from lrnn_utils._validation import DIVERGENCE_LIMIT, record_steps  # noqa: E402
from lrnn_utils.moments import moments  # noqa: E402

OLD_COMMIT = "505cab5"
NH, K, LR = 300, 4, 0.01
SCALES = np.round(np.linspace(0.05, 0.5, 10), 2)  # the scale axis of Fig. 5 / A5


def old_trainer():
    """``_train_wide`` from ``lrnn_utils/ntk.py`` at ``OLD_COMMIT``, unchanged."""
    src = subprocess.run(
        ["git", "show", f"{OLD_COMMIT}:lrnn_utils/ntk.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    node = next(
        n
        for n in ast.parse(src).body
        if isinstance(n, ast.FunctionDef) and n.name == "_train_wide"
    )
    space = {"np": np, "DIVERGENCE_LIMIT": DIVERGENCE_LIMIT}
    exec(ast.get_source_segment(src, node), space)
    return space["_train_wide"]


def networks(T, n, rng, n_hidden=NH):
    """``n`` unaligned networks (the grid's scales, cycled) and the task moments."""
    task = tasks.make_task(np.ones((T, K)), P=K * T, rng=rng)
    Ws = [
        network.unaligned_init(K, n_hidden, K, SCALES[i % SCALES.size], rng)
        for i in range(n)
    ]
    return [np.array(w) for w in zip(*Ws)], moments(task.X, task.Y, whitened=True)


def weights(h):
    return h.Wx, h.Wh, h.Wy


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def forced(wide, fn):
    """Run ``fn`` with the engine's wide path switched on (or off) for every size."""
    saved = engine.WIDE_HIDDEN
    engine.WIDE_HIDDEN = 1 if wide else 10**9
    try:
        return fn()
    finally:
        engine.WIDE_HIDDEN = saved


def one_worker(fn):
    saved = engine.n_workers
    engine.n_workers = lambda n: 1
    try:
        return fn()
    finally:
        engine.n_workers = saved


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    steps = 50 if args.quick else 200
    grid_steps = 100 if args.quick else 1200
    load0 = os.getloadavg()
    res = {"steps": steps, "per_T": [], "crossover": []}
    train_wide = old_trainer()
    rec = record_steps(steps, steps)
    # 1. ten 300-unit networks per T: old, new (workers = cores), new on one worker
    for T in (1, 2, 4, 8):
        W, mom = networks(T, 10, np.random.default_rng(T))
        lr = np.full(10, LR)
        t_old, old = timed(lambda: train_wide(*W, mom.sigma_yx, lr, rec))
        t_new, new = timed(
            lambda: engine.train_batch(*W, mom, lr, steps, on_divergence="mask")
        )
        t_one, one = one_worker(
            lambda: timed(
                lambda: engine.train_batch(*W, mom, lr, steps, on_divergence="mask")
            )
        )
        t_ref, ref = forced(
            False,
            lambda: timed(
                lambda: engine.train_batch(*W, mom, lr, steps, on_divergence="mask")
            ),
        )
        d_old, d_ref, d_one = (
            max(np.abs(a[-1] - b[-1]).max() for a, b in zip(ws, weights(new)))
            for ws in (old[0], weights(ref), weights(one))
        )
        res["per_T"].append(
            dict(T=T, old=t_old, new=t_new, one=t_one, ref=t_ref, d_old=d_old,
                 d_ref=d_ref, d_one=d_one)
        )  # fmt: skip
        print(res["per_T"][-1], flush=True)
    # 2. crossover with the batched engine: T = 4, one and ten networks
    for B in (1, 10):
        for nh in (32, 64, 96, 128, 192):
            W, mom = networks(4, B, np.random.default_rng(nh), n_hidden=nh)
            run = lambda: engine.train_batch(*W, mom, LR, steps, on_divergence="mask")  # noqa: E731
            t_b = forced(False, lambda: timed(run))[0]
            t_w = forced(True, lambda: timed(run))[0]
            res["crossover"].append(dict(B=B, Nh=nh, batched=t_b, wide=t_w))
            print(res["crossover"][-1], flush=True)
    # 3. the whole Fig. A5 grid (one draw a cell) with run_grid, new path
    T_grid = np.arange(1, 9)
    TT, SS = np.meshgrid(T_grid, SCALES, indexing="ij")
    t_grid, g = timed(
        lambda: feature_learning.run_grid(
            TT, SS, init="unaligned", n_hidden=NH, steps=grid_steps,
            rng=np.random.default_rng(1),
        )
    )  # fmt: skip
    res["grid"] = dict(steps=grid_steps, time=t_grid, cells=int(TT.size))
    # old path on the same grid: per-step time of the old trainer at every T,
    # measured over `steps` steps on the ten networks of that T
    old_est = 0.0
    for T in T_grid:
        W, mom = networks(int(T), 10, np.random.default_rng(int(T)))
        t, _ = timed(lambda: train_wide(*W, mom.sigma_yx, np.full(10, LR), rec))
        old_est += t / steps * grid_steps
    res["grid"]["old_training_estimate"] = old_est
    print(res["grid"], flush=True)
    load1 = os.getloadavg()
    res.update(
        load=(load0[0], load1[0]),
        cores=_blas.n_workers(1 << 10),
        cpu=platform.processor() or platform.machine(),
        python=platform.python_version(),
        numpy=np.__version__,
        blas_control=bool(_blas.thread_controls()),
        date=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )
    (ROOT / "benchmarks" / "wide.json").write_text(json.dumps(res, indent=1) + "\n")
    (ROOT / "benchmarks" / "wide.md").write_text(render(res))


def cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def render(res):
    us = lambda t, n: f"{t / n * 1e6:,.0f} µs"  # noqa: E731
    n = 10 * res["steps"]
    lines = [
        "<!-- generated by benchmarks/wide.py; do not edit -->",
        f"Measured {res['date']} on {cpu_name()} ({res['cores']} usable cores), "
        f"Python {res['python']}, numpy {res['numpy']}; BLAS threads at numpy's "
        "default, as on the book's pages (the new path sets OpenBLAS to one thread "
        f"itself: {'available' if res['blas_control'] else 'NOT available'} here). "
        f"Load average (1 min) {res['load'][0]:.1f} at the start and "
        f"{res['load'][1]:.1f} at the end, on {res['cores']} cores (other "
        "engineers' jobs share the machine; the load includes this run).",
        "",
        f"**Ten unaligned {NH}-unit networks on the constant task**, {res['steps']} "
        "steps, one run each. *old*: `ntk._train_wide` of commit "
        f"`{OLD_COMMIT}` (batched, a T × T sum of einsums a step); *new*: "
        "`engine.train_batch`, which now trains wide networks one by one, one worker "
        "thread a core; *batched engine*: the same call forced onto the batched "
        "lag recursion. Times per network and step; *max |ΔW|*: largest difference "
        "of the final weights from the new path.",
        "",
        "| T | old | new | new, 1 worker | batched engine | speed-up (old/new) "
        "| max abs ΔW old | max abs ΔW batched | max abs ΔW 1 worker |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in res["per_T"]:
        lines.append(
            f"| {r['T']} | {us(r['old'], n)} | {us(r['new'], n)} | {us(r['one'], n)} "
            f"| {us(r['ref'], n)} | {r['old'] / r['new']:.1f}× | {r['d_old']:.1e} "
            f"| {r['d_ref']:.1e} | {r['d_one']:.1e} |"
        )
    lines += [
        "",
        f"**Crossover** (T = 4, {res['steps']} steps): the batched engine against "
        "the wide path, total time for one and for ten networks. "
        f"`engine.WIDE_HIDDEN = {engine.WIDE_HIDDEN}` is set from this table.",
        "",
        "| networks | hidden size | batched engine | wide path |",
        "|---:|---:|---:|---:|",
    ]
    for r in res["crossover"]:
        lines.append(
            f"| {r['B']} | {r['Nh']} | {r['batched'] * 1e3:,.0f} ms "
            f"| {r['wide'] * 1e3:,.0f} ms |"
        )
    g = res["grid"]
    lines += [
        "",
        f"**The whole Fig. A5 grid** ({g['cells']} cells, one network a cell, "
        f"{g['steps']} steps, `feature_learning.run_grid(..., n_hidden={NH})` "
        f"including the kernels): {g['time']:.1f} s with the new path. The old "
        f"trainer on the same grid: {g['old_training_estimate']:.0f} s for the "
        "training alone, extrapolated from its measured time per step at every T.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
