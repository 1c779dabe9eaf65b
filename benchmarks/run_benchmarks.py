"""Benchmark: one linear-RNN training job in lrnn_utils, PyTorch and JAX; sweeps.

Run from the repository root (PyTorch and JAX are optional extras, see
``benchmarks/requirements.txt``; without them their rows are skipped)::

    python -m venv /tmp/benchvenv
    /tmp/benchvenv/bin/pip install -r requirements.txt -r benchmarks/requirements.txt
    PYTHONPATH=$PWD /tmp/benchvenv/bin/python benchmarks/run_benchmarks.py

It writes ``benchmarks/results.json`` and ``benchmarks/report.md`` (included in
the book's appendix page).  Every number in the report is measured in this one
process run; speed ratios are ratios of medians of repeated runs.  Options:
``--quick`` (fewer repeats, for a smoke test), ``--out DIR`` and
``--render-only`` (rewrite the report from ``results.json``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

# Every framework single-threaded by default (set LRNN_BENCH_THREADS to change):
# the problem is tiny, and on a shared machine idle-spinning worker threads of
# OpenMP can slow a PyTorch loop down by orders of magnitude.  Must be set
# before numpy, torch or jax are imported.
THREADS = os.environ.setdefault("LRNN_BENCH_THREADS", "1")
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, THREADS)
if THREADS == "1":
    os.environ.setdefault(
        "XLA_FLAGS",
        "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
    )

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lrnn_utils import engine, moments, network, tasks  # noqa: E402

# The job of the issue: T = 10, N = 4, P = 64, 2000 steps, float64.
T, N, P, STEPS, LR = 10, 4, 64, 2000, 0.02


def median_time(fn, repeats):
    """Median wall time of ``fn()`` over ``repeats`` calls, and the last result."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, out


def make_job(P=P, seed=0):
    """Whitened task with 4 modes and aligned initial weights (Assumptions 1-3)."""
    rng = np.random.default_rng(seed)
    S = np.stack(
        [
            tasks.task_singular_values("inverse_exponential", T, d, lam)
            for d, lam in [(1.0, 0.9), (0.8, 0.8), (0.6, 0.95), (0.4, 0.7)]
        ],
        axis=1,
    )
    task = tasks.make_task(S, P=P, rng=rng, n_in=N, n_out=N)
    Wx, Wh, Wy, _ = network.aligned_init(
        task, [0.3, 0.25, 0.2, 0.35], [0.2, 0.1, 0.3, 0.15], 0.3, rng
    )
    return task.X, task.Y, (Wx, Wh, Wy), task


# --------------------------------------------------------------------- PyTorch
def torch_trainer():
    import torch

    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(int(THREADS))
    try:
        torch.set_num_interop_threads(int(THREADS))
    except RuntimeError:  # already set (second call in the same process)
        pass

    def train(W0, X, Y, lr, steps):
        """A straightforward loop: forward over T, autograd.grad, in-place update."""
        Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
        Wx, Wh, Wy = (torch.tensor(w, requires_grad=True) for w in W0)
        Pn, Tn, _ = Xt.shape
        for _ in range(steps):
            h = torch.zeros(Pn, Wh.shape[0])
            for t in range(Tn):
                h = h @ Wh.T + Xt[:, t] @ Wx.T
            loss = 0.5 * ((h @ Wy.T - Yt) ** 2).sum() / Pn
            gx, gh, gy = torch.autograd.grad(loss, (Wx, Wh, Wy))
            with torch.no_grad():
                Wx -= lr * gx
                Wh -= lr * gh
                Wy -= lr * gy
        return tuple(w.detach().numpy().copy() for w in (Wx, Wh, Wy))

    return train, torch.__version__, torch.get_num_threads()


# ------------------------------------------------------------------------- JAX
def jax_trainer():
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax import lax

    def loss(W, X, Y):
        Wx, Wh, Wy = W

        def cell(h, x_t):
            return h @ Wh.T + x_t @ Wx.T, None

        h0 = jnp.zeros((X.shape[0], Wh.shape[0]))
        h, _ = lax.scan(cell, h0, jnp.swapaxes(X, 0, 1))
        return 0.5 * jnp.sum((h @ Wy.T - Y) ** 2) / X.shape[0]

    grad = jax.grad(loss)

    def train(W, X, Y, lr, steps):
        def step(W, _):
            g = grad(W, X, Y)
            return tuple(w - lr * d for w, d in zip(W, g)), None

        W, _ = lax.scan(step, W, None, length=steps)
        return W

    def compile_(W0, X, Y, lr, steps):
        args = (tuple(jnp.asarray(w) for w in W0), jnp.asarray(X), jnp.asarray(Y))
        jitted = jax.jit(train, static_argnums=(3, 4))
        compiled = jitted.lower(*args, lr, steps).compile()

        def run():
            out = compiled(*args)
            return tuple(np.asarray(w.block_until_ready()) for w in out)

        return run

    return compile_, jax.__version__


def max_dev(A, B):
    return max(float(np.max(np.abs(a - b))) for a, b in zip(A, B))


def final(hist):
    return hist.Wx[-1], hist.Wh[-1], hist.Wy[-1]


def machine_info():
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {
        "cpu": cpu,
        "cores_visible": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": np.__version__,
        "threads": THREADS,
    }
    try:
        info["load_average_start"] = list(os.getloadavg())
    except OSError:
        pass
    return info


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--out", default=str(ROOT / "benchmarks"))
    ap.add_argument(
        "--render-only",
        action="store_true",
        help="rewrite report.md from an existing results.json (no measurement)",
    )
    args = ap.parse_args(argv)
    if args.render_only:
        outdir = Path(args.out)
        res = json.loads((outdir / "results.json").read_text())
        (outdir / "report.md").write_text(render(res))
        return
    rep = 2 if args.quick else 7
    rep_slow = 1 if args.quick else 3
    out = {"machine": machine_info(), "started": _dt.datetime.now(_dt.UTC).isoformat()}
    out["job"] = dict(T=T, N=N, P=P, steps=STEPS, lr=LR, dtype="float64")
    print("machine:", out["machine"], flush=True)

    # ------------------------------------------------ single training job
    # The trainers take turns (round robin), so that a change of the machine's
    # load during the run affects all of them alike.
    X, Y, W0, task0 = make_job()
    versions = {"numpy": np.__version__}
    contenders = {
        'engine.train(method="bptt")': lambda: final(
            engine.train(*W0, X, Y, LR, STEPS, record_every=STEPS, method="bptt")
        ),
        "engine.train": lambda: final(
            engine.train(*W0, X, Y, LR, STEPS, record_every=STEPS)
        ),
    }
    compile_s = None
    try:
        torch_train, tv, threads = torch_trainer()
        versions["torch"] = tv
        out["machine"]["torch_threads"] = threads
        contenders["PyTorch loop (autograd)"] = lambda: torch_train(W0, X, Y, LR, STEPS)
    except ImportError as exc:
        print("PyTorch skipped:", exc)
    try:
        jax_compile, jv = jax_trainer()
        versions["jax"] = jv
        t0 = time.perf_counter()
        contenders["JAX jit + lax.scan (run only)"] = jax_compile(W0, X, Y, LR, STEPS)
        compile_s = time.perf_counter() - t0
    except ImportError as exc:
        print("JAX skipped:", exc)
    runs = {k: [] for k in contenders}
    finals = {}
    for _ in range(rep):
        for k, fn in contenders.items():
            t0 = time.perf_counter()
            finals[k] = fn()
            runs[k].append(time.perf_counter() - t0)
    ref = finals['engine.train(method="bptt")']
    res = {
        k: dict(
            median_s=statistics.median(v), runs_s=v, max_dev=max_dev(finals[k], ref)
        )
        for k, v in runs.items()
    }
    fast_t = res["engine.train"]["median_s"]
    jx = res.get("JAX jit + lax.scan (run only)")
    if jx:
        jx["compile_s"] = compile_s
        res["JAX jit + lax.scan (compile + run)"] = dict(
            median_s=jx["median_s"] + compile_s, runs_s=[], max_dev=jx["max_dev"]
        )
    out["single_job"] = res
    out["versions"] = versions
    for k, v in res.items():
        print(
            f"{k:40s} {v['median_s'] * 1e3:9.1f} ms  dev {v['max_dev']:.1e}", flush=True
        )

    # ------------------------------------------------ cost against P
    steps_p = 200
    scan = []
    for Pn in [64, 256, 1024, 4096, 16384]:
        Xp, Yp, Wp, _ = make_job(P=Pn, seed=1)
        tr, _, Wr = median_time(
            lambda: final(engine.train(*Wp, Xp, Yp, LR, steps_p, record_every=steps_p)),
            rep_slow,
        )
        tm, _, mom = median_time(lambda: moments.moments(Xp, Yp), rep_slow)
        tf, _, Wf = median_time(
            lambda: final(
                engine.train_on_moments(*Wp, mom, LR, steps_p, record_every=steps_p)
            ),
            rep,
        )
        row = dict(
            P=Pn,
            steps=steps_p,
            reference_s=tr,
            moments_s=tm,
            fast_steps_s=tf,
            max_dev=max_dev(Wf, Wr),
        )
        scan.append(row)
        print(row, flush=True)
    out["cost_vs_P"] = scan

    # ------------------------------------------------ sweep over a task grid
    n_side = 20
    deltas = np.linspace(0.5, 1.0, n_side)
    lams = np.linspace(0.6, 0.9, n_side)
    # the tasks share the singular vectors of the single job, so that its aligned
    # initial weights stay aligned: long runs then agree to rounding
    Ux, Vx = task0.U, task0.V
    prof = tasks.task_singular_values(
        "inverse_exponential", T, deltas[:, None], lams[None, :]
    )  # (n, n, T): mode 1 of every task; the other modes fixed
    S = np.empty((n_side, n_side, T, N))
    S[..., 0] = prof
    for k, (d, lam) in enumerate([(0.8, 0.8), (0.6, 0.95), (0.4, 0.7)], start=1):
        S[..., k] = tasks.task_singular_values("inverse_exponential", T, d, lam)
    sig = np.einsum("ok,...tk,ik->...toi", Ux, S, Vx)
    mom = moments.make_moments(sig)
    B = n_side * n_side
    Wxs = np.broadcast_to(W0[0], (n_side, n_side) + W0[0].shape)
    tb, _, hb = median_time(
        lambda: engine.train_batch(
            Wxs, W0[1], W0[2], mom, LR, STEPS, on_divergence="mask"
        ),
        rep_slow,
    )
    # per-point loops, timed on a subset of the grid (same per-point work)
    n_sub = 10
    # compare on networks that converged: where gradient descent oscillates at
    # the edge of stability, a 1e-15 change of the weights grows to 1e-2
    converged = (hb.diverged_step < 0) & (hb.loss[-1] < 1e-8)
    ok = np.argwhere(converged)
    sub = [tuple(int(v) for v in ok[(37 * n) % len(ok)]) for n in range(n_sub)]

    def loop_fast():
        return [
            final(
                engine.train_on_moments(
                    *W0,
                    moments.make_moments(sig[i, j]),
                    LR,
                    STEPS,
                    record_every=STEPS,
                )
            )
            for i, j in sub
        ]

    tl, _, Wl = median_time(loop_fast, 1 if args.quick else 2)
    dev_batch = max(
        max_dev(Wl[n], (hb.Wx[-1][i, j], hb.Wh[-1][i, j], hb.Wy[-1][i, j]))
        for n, (i, j) in enumerate(sub)
    )
    # the reference and torch need data: a whitened data set per configuration
    n_ref = 3
    datasets = []
    for i, j in sub[:n_ref]:
        r = np.random.default_rng(100 + i)
        Xs = tasks.whiten(r.standard_normal((P, T * N))).reshape(P, T, N)
        Ys = np.einsum("toi,pti->po", sig[i, j], Xs)
        datasets.append((Xs, Ys))
    tr, _, Wr = median_time(
        lambda: [
            final(engine.train(*W0, Xs, Ys, LR, STEPS, record_every=STEPS))
            for Xs, Ys in datasets
        ],
        1,
    )
    dev_ref = max(
        max_dev(Wr[n], (hb.Wx[-1][i, j], hb.Wh[-1][i, j], hb.Wy[-1][i, j]))
        for n, (i, j) in enumerate(sub[:n_ref])
    )
    sweep = dict(
        grid=[n_side, n_side],
        networks=B,
        steps=STEPS,
        batched_total_s=tb,
        batched_per_network_s=tb / B,
        fast_loop_per_network_s=tl / n_sub,
        reference_loop_per_network_s=tr / n_ref,
        max_dev_batch_vs_loop=dev_batch,
        max_dev_batch_vs_reference=dev_ref,
        diverged=int(np.sum(hb.diverged_step >= 0)),
        converged=int(np.sum(converged)),
    )
    if "PyTorch loop (autograd)" in res:
        torch_train, _, _ = torch_trainer()
        tt, _, Wt = median_time(
            lambda: [torch_train(W0, Xs, Ys, LR, STEPS) for Xs, Ys in datasets[:2]], 1
        )
        sweep["torch_loop_per_network_s"] = tt / 2
    out["sweep"] = sweep
    print(sweep, flush=True)
    out["fast_single_s"] = fast_t
    try:
        out["machine"]["load_average_end"] = list(os.getloadavg())
    except OSError:
        pass
    out["finished"] = _dt.datetime.now(_dt.UTC).isoformat()
    outdir = Path(args.out)
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "results.json").write_text(json.dumps(out, indent=1))
    (outdir / "report.md").write_text(render(out))
    print("wrote", outdir / "results.json", "and", outdir / "report.md")


def _ms(s):
    return f"{s * 1e3:,.1f} ms"


#: Final weights of every trainer must agree with the reference to this.
AGREE_TOL = 1e-8

#: Targets of issue 11 (speed-up factors).
TARGET_VS_TORCH, TARGET_SWEEP_VS_TORCH = 20.0, 100.0


def targets(out) -> str:
    """The issue's targets with the measured values and a verdict."""
    res, sw = out["single_job"], out["sweep"]
    fast_t = res["engine.train"]["median_s"]
    rows = []
    torch_t = res.get("PyTorch loop (autograd)", {}).get("median_s")
    if torch_t:
        r = torch_t / fast_t
        rows.append(
            (f"one job ≥ {TARGET_VS_TORCH:.0f}× faster than the PyTorch loop",
             f"{r:.1f}×", r >= TARGET_VS_TORCH)
        )  # fmt: skip
    jx = res.get("JAX jit + lax.scan (compile + run)")
    if jx:
        rows.append(
            ("one job not slower than JAX including its compile time",
             f"{_ms(fast_t)} vs {_ms(jx['median_s'])}", fast_t <= jx["median_s"])
        )  # fmt: skip
    if "torch_loop_per_network_s" in sw:
        r = sw["torch_loop_per_network_s"] / sw["batched_per_network_s"]
        rows.append(
            (f"sweep ≥ {TARGET_SWEEP_VS_TORCH:.0f}× faster per network than the "
             "PyTorch loop once per configuration", f"{r:.0f}×",
             r >= TARGET_SWEEP_VS_TORCH)
        )  # fmt: skip
    L = ["| target | measured | met |", "|---|---:|---|"]
    L += [f"| {a} | {b} | {'yes' if ok else '**no**'} |" for a, b, ok in rows]
    return "**Targets**\n\n" + "\n".join(L)


def render(out) -> str:
    """Markdown report from the measured results (no number typed by hand)."""
    m, job, res = out["machine"], out["job"], out["single_job"]
    L = []
    L.append("<!-- generated by benchmarks/run_benchmarks.py; do not edit -->")
    L.append(
        f"Measured {out['started'][:16].replace('T', ' ')} UTC on {m['cpu']} "
        f"({m['cores_usable']} usable cores of {m['cores_visible']}; every "
        f"framework limited to {m.get('threads', '?')} thread(s)), "
        f"Python {m['python']}, "
        + ", ".join(f"{k} {v}" for k, v in out["versions"].items())
        + "."
    )
    if "load_average_start" in m:
        la0 = m["load_average_start"][0]
        la1 = m.get("load_average_end", [float("nan")])[0]
        busy = max(la0, la1) > m["cores_usable"]
        L.append(
            f"Load average (1 min) {la0:.1f} at the start and {la1:.1f} at the end, "
            f"on {m['cores_usable']} cores: "
            + (
                "other processes shared the CPU, and every time below is inflated "
                "by them (the ratios less so: the contenders take turns)."
                if busy
                else "the CPU was not oversubscribed, though other processes ran "
                "alongside (the load includes this run itself)."
            )
        )
    L.append("")
    L.append(
        f"**One training job** (T = {job['T']}, N = {job['N']}, P = {job['P']}, "
        f"{job['steps']} steps, learning rate {job['lr']}, {job['dtype']}, "
        "aligned initial weights). Median of repeated runs; *speed-up* is the "
        "PyTorch loop's median divided by the row's median; *max |ΔW|* is the "
        "largest difference of the final weights from `lrnn_utils.engine.train`."
    )
    L.append("")
    L.append("| trainer | median time | speed-up vs PyTorch | max abs ΔW |")
    L.append("|---|---:|---:|---:|")
    torch_t = res.get("PyTorch loop (autograd)", {}).get("median_s")
    for k, v in res.items():
        sp = f"{torch_t / v['median_s']:.1f}×" if torch_t else "—"
        L.append(f"| {k} | {_ms(v['median_s'])} | {sp} | {v['max_dev']:.1e} |")
    jx = res.get("JAX jit + lax.scan (run only)")
    if jx:
        L.append("")
        L.append(f"JAX compile time alone: {_ms(jx['compile_s'])}.")
    devs = [v["max_dev"] for v in res.values()]
    devs += [r["max_dev"] for r in out["cost_vs_P"]]
    sw = out["sweep"]
    devs += [sw["max_dev_batch_vs_loop"], sw["max_dev_batch_vs_reference"]]
    worst = max(devs)
    L.append("")
    L.append(
        f"Check: every trainer ends at the reference's weights to {AGREE_TOL:.0e} "
        f"(largest difference in this report {worst:.1e}): "
        + ("**passed**." if worst <= AGREE_TOL else "**FAILED**.")
    )
    L.append("")
    L.append(
        "**Cost against the number of samples P** "
        f"({out['cost_vs_P'][0]['steps']} steps each). The reference trainer "
        "back-propagates through every sample; the moment trainer pays once for "
        "the moments and then a cost per step that does not depend on P."
    )
    L.append("")
    L.append(
        "| P | reference (BPTT) | moments (once) | moment trainer steps | max abs ΔW |"
    )
    L.append("|---:|---:|---:|---:|---:|")
    for r in out["cost_vs_P"]:
        L.append(
            f"| {r['P']} | {_ms(r['reference_s'])} | {_ms(r['moments_s'])} | "
            f"{_ms(r['fast_steps_s'])} | {r['max_dev']:.1e} |"
        )
    sw = out["sweep"]
    L.append("")
    L.append(targets(out))
    L.append("")
    L.append(
        f"**Sweep**: a {sw['grid'][0]} × {sw['grid'][1]} grid of tasks "
        f"({sw['networks']} networks, {sw['steps']} steps each). Time per network; "
        "the per-point loops were timed on a subset of the grid points."
    )
    L.append("")
    L.append("| method | time per network | batched speed-up |")
    L.append("|---|---:|---:|")
    b = sw["batched_per_network_s"]
    rows = [
        ("`engine.train_batch`, whole grid in one call", b),
        ("`engine.train_on_moments`, loop over points", sw["fast_loop_per_network_s"]),
        ("`engine.train`, loop over points", sw["reference_loop_per_network_s"]),
    ]
    if "torch_loop_per_network_s" in sw:
        rows.append(
            ("PyTorch loop, once per configuration", sw["torch_loop_per_network_s"])
        )
    for name, v in rows:
        L.append(f"| {name} | {_ms(v)} | {v / b:.0f}× |")
    L.append("")
    L.append(
        f"Largest weight difference, batched vs per-point: "
        f"{sw['max_dev_batch_vs_loop']:.1e} (moment trainer), "
        f"{sw['max_dev_batch_vs_reference']:.1e} (reference on sampled data), "
        f"compared on networks that converged ({sw.get('converged', '?')} of "
        f"{sw['networks']})."
    )
    L.append("")
    return "\n".join(L)


if __name__ == "__main__":
    main()
