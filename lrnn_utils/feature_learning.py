"""Chapter 6b driver: grids of networks trained to measure feature learning.

:func:`run_grid` trains a whole grid of networks (initial scales of the input-output
and recurrent weights, aligned or unaligned) with the training engine and measures
how far each one's neural tangent kernel and weights moved (paper Fig. 5, App. J).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import engine
from ._blas import single_threaded
from ._validation import (
    as_finite_array,
    check_choice,
    check_finite_scalar,
    check_positive_int,
    record_steps,
)
from .kernels import (
    jacobian_batch,
    kernel_distance_batch,
    kernel_distance_jacobians,
    ntk_batch,
    relative_weight_change,
)
from .moments import moments
from .network import aligned_init, unaligned_init
from .tasks import make_task
from .theory import max_stable_lr

__all__ = [
    "GridRun",
    "run_grid",
]


@dataclass(frozen=True)
class GridRun:
    """Result of :func:`run_grid`: one trained network per grid point (and draw).

    Attributes
    ----------
    T, io_scale, rec_scale : ndarray
        The grid, each of the result shape ``S`` (the broadcast shape of the inputs,
        followed by an axis of length ``draws`` when ``draws`` is given).
    lr : ndarray, shape S
        Learning rate used at each grid point.
    distance : ndarray, shape S
        Kernel distance between the NTK at initialisation and at the end (NaN where
        training diverged).
    weight_change : ndarray, shape S
        Relative weight change ``‖θ_end − θ_0‖ / ‖θ_0‖``.
    loss0, loss : ndarray, shape S
        Loss at the start and at the end.
    steps : ndarray, shape (n,)
        Recorded steps (0 and the last step trained included).
    loss_history, distance_history : ndarray, shape (n,) + S
        Loss and kernel distance from the initial NTK at the recorded steps.
    diverged : ndarray of bool, shape S
        Networks whose training diverged.
    """

    T: np.ndarray
    io_scale: np.ndarray
    rec_scale: np.ndarray
    lr: np.ndarray
    distance: np.ndarray
    weight_change: np.ndarray
    loss0: np.ndarray
    loss: np.ndarray
    steps: np.ndarray
    loss_history: np.ndarray
    distance_history: np.ndarray
    diverged: np.ndarray


def _constant_task(K):
    """The task of Fig. 5 as a ``task(T, rng)`` builder (see :func:`run_grid`)."""

    def build(T, rng):
        task = make_task(np.ones((T, K)), P=K * T, rng=rng)

        def init(io, rec, rng, n_hidden):
            return aligned_init(task, io, rec, io, rng, n_hidden=n_hidden)[:3]

        return task.X, task.Y, init

    return build


def _train_group(W, X, Y, lr, rec, tol=None, block=10):
    """Train one batch of networks that share a task; weights and loss at ``rec``.

    With ``tol``, training runs in blocks of ``block`` records and stops after the
    first block at whose end every network that has not diverged has a loss of at
    most ``tol``; the records are then those up to that block's end.  The blocks
    continue from the recorded weights, so the records are those of one run.
    Returns ``(hist, loss, diverged_step, n)`` with ``n`` the records trained.
    """
    mom = moments(X, Y, whitened=True)
    every = int(rec[1] - rec[0]) if rec.size > 2 else max(int(rec[-1]), 1)
    n, B = rec.size, W[0].shape[0]
    if tol is None:
        block = n
    hist = [np.full((n,) + w.shape, np.nan) for w in W]
    loss, diverged = np.full((n, B), np.nan), np.full(B, -1)
    cur, active, j = [np.array(w) for w in W], np.arange(B), 0
    while True:
        j_end = min(j + block, n - 1)
        out = engine.train_batch(
            *(c[active] for c in cur),
            mom,
            lr[active],
            int(rec[j_end] - rec[j]),
            record_every=every,
            on_divergence="mask",
        )
        loss[j : j_end + 1, active] = out.loss
        for h, c, o in zip(hist, cur, (out.Wx, out.Wh, out.Wy)):
            h[j : j_end + 1, active] = o
            c[active] = o[-1]
        gone = out.diverged_step >= 0
        diverged[active[gone]] = rec[j] + out.diverged_step[gone]
        active, j = active[~gone], j_end
        if j == n - 1 or not active.size or np.all(loss[j, active] <= tol):
            return hist, loss, diverged, j + 1


def _distances(W0, hist, X, loss, budget=2**22):
    """Kernel distance of every record ``hist[m][j, b]`` from ``W0[m][b]``.

    ``(n, B)``, NaN where the loss is not finite.  Small networks (fewer parameters
    than outputs) go through their Jacobians, never forming the kernels, with the
    records in chunks that keep the Jacobians below about ``budget`` numbers; wide
    ones form the kernels, one record at a time.
    """
    n, B = loss.shape
    P, T, Nx = X.shape
    Nh, Ny = W0[0].shape[-2], W0[2].shape[-2]
    XB = np.broadcast_to(X, (B,) + X.shape)
    out = np.full((n, B), np.nan)
    if Nh * (Nx + Nh + Ny) >= P * Ny:  # wide: the kernels, one record at a time
        K0 = ntk_batch(*W0, XB)
        for j in range(n):
            out[j] = kernel_distance_batch(K0, ntk_batch(*(h[j] for h in hist), XB))
    else:
        J0 = jacobian_batch(*W0, XB)
        per = max(1, budget // J0.size)  # records in a chunk
        for j in range(0, n, per):
            Xj = np.broadcast_to(X, (min(per, n - j), B) + X.shape)
            J = jacobian_batch(*(h[j : j + per] for h in hist), Xj)
            out[j : j + per] = kernel_distance_jacobians(J0, J)
    return np.where(np.isfinite(loss), out, np.nan)


def run_grid(
    T,
    io_scale,
    rec_scale=None,
    init: str = "aligned",
    steps: int = 1500,
    rng=None,
    n_hidden: int = 4,
    K: int = 4,
    lr=None,
    lr_fraction: float = 0.8,
    lr_max: float = 0.1,
    record_every: int | None = None,
    draws: int | None = None,
    task=None,
    tol: float | None = None,
) -> GridRun:
    """Train one network per grid point on the constant task and measure the NTK's move.

    The task (paper Fig. 5) has constant dynamics ``s_t = δ = 1`` in ``K`` singular
    dimensions, ``Nx = Ny = K``, with ``P = K T`` exactly whitened trajectories (the
    kernel distance of whitened data does not depend on ``P``).  Every grid point
    gets a fresh network; the networks of each ``T`` are trained together by
    :func:`lrnn_utils.engine.train_batch` (which trains wide networks one by one
    without forming powers of ``W_h``), and the NTK is computed at the recorded
    steps.

    Parameters
    ----------
    T : int or array_like of int
        Trajectory lengths (``T = 1`` is the feedforward baseline).
    io_scale : float or array_like
        Initial scale of the input and output weights.
    rec_scale : float or array_like, optional
        Initial scale of the recurrent weights (default: ``io_scale``).
    init : {"aligned", "unaligned"}
        ``"aligned"``: modes ``a = c = io_scale``, ``b = rec_scale`` in the task's
        singular basis.  ``"unaligned"``: Gaussian entries with variance
        ``scale²/fan_in`` (``io_scale`` for ``W_x`` and ``W_y``, ``rec_scale`` for
        ``W_h``).
    steps : int
        Gradient-descent steps.
    rng : numpy.random.Generator
    n_hidden : int, default 4
        Hidden size (``>= K`` for aligned networks).
    K : int, default 4
        Number of singular dimensions of the task.
    lr : float or array_like, optional
        Learning rate(s).  Default: ``min(lr_max, lr_fraction · 2/λ_max)`` with
        ``λ_max`` the largest curvature of the mode energy at the zero-loss solution
        ``a = b = c = 1`` of each ``T``.
    lr_fraction, lr_max : float
        Used by the default learning rate.
    record_every : int, optional
        Record loss and kernel distance every ``record_every`` steps (default: only
        at the start and the end).
    draws : int, optional
        Independent networks per grid point; adds a last axis of this length.
    task : callable, optional
        Another task: ``task(T, rng) -> (X, Y, init)`` with exactly whitened inputs
        ``X`` of shape ``(P, T, Nx)``, targets ``Y`` of shape ``(P, Ny)`` and
        ``init(io, rec, rng, n_hidden) -> (Wx, Wh, Wy)`` the aligned weights (e.g.
        :func:`lrnn_utils.rotations.grid_task`, paper Fig. A4).  Default: the
        constant task above; ``K`` is then ignored.
    tol : float, optional
        Stop early: training runs in blocks of 10 records and stops after the first
        block at whose end the loss of every network that has not diverged is at
        most ``tol`` (e.g. the floor of a plot, below which nothing moves that a
        figure could show).  ``steps`` and the histories then end there.

    Returns
    -------
    GridRun
        Arrays of the broadcast shape of ``T``, ``io_scale`` and ``rec_scale`` (plus
        the draws axis).  Diverged networks have NaN distance, weight change and loss.

    Raises
    ------
    TypeError
        If ``rng`` is not a ``numpy.random.Generator``.
    ValueError
        Unknown ``init``, non-positive scales or lengths.

    Examples
    --------
    >>> import numpy as np
    >>> g = run_grid([1, 3], 0.1, steps=300, rng=np.random.default_rng(0))
    >>> g.distance.shape, bool(g.distance[1] > g.distance[0])
    ((2,), True)
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, got {type(rng).__name__}"
        )
    check_choice(init, "init", ("aligned", "unaligned"))
    if task is not None and not callable(task):
        raise TypeError(
            f"task must be callable task(T, rng), got {type(task).__name__}"
        )
    lr_fraction = check_finite_scalar(lr_fraction, "lr_fraction", positive=True)
    lr_max = check_finite_scalar(lr_max, "lr_max", positive=True)
    rec_scale = io_scale if rec_scale is None else rec_scale
    T, io, rec = np.broadcast_arrays(
        np.asarray(T),
        as_finite_array(io_scale, "io_scale"),
        as_finite_array(rec_scale, "rec_scale"),
    )
    if draws is not None:
        draws = check_positive_int(draws, "draws")
        T, io, rec = (np.repeat(v[..., None], draws, axis=-1) for v in (T, io, rec))
    if np.any(io <= 0) or np.any(rec <= 0):
        raise ValueError("io_scale and rec_scale must be > 0")
    Ts = np.array([check_positive_int(t, "T") for t in T.ravel()], dtype=int)
    if tol is not None:
        tol = check_finite_scalar(tol, "tol", positive=True)
        if np.unique(Ts).size > 1:
            raise ValueError("tol needs a single trajectory length T")
    n_hidden = check_positive_int(n_hidden, "n_hidden")
    K = check_positive_int(K, "K")
    steps = check_positive_int(steps, "steps", minimum=0)
    if record_every is None:
        every = max(steps, 1)
    else:
        every = check_positive_int(record_every, "record_every")
    rec_steps = record_steps(steps, every)
    if lr is None:
        lim = {t: float(max_stable_lr(1.0, 1.0, 1.0, np.ones(t))) for t in set(Ts)}
        lr_arr = np.array([min(lr_max, lr_fraction * lim[t]) for t in Ts])
    else:
        lr_arr = np.broadcast_to(as_finite_array(lr, "lr"), T.shape).ravel()
        if np.any(lr_arr <= 0):
            raise ValueError("lr must be > 0")
    n, N = rec_steps.size, Ts.size
    loss_h, dist_h = np.full((n, N), np.nan), np.full((n, N), np.nan)
    W0 = [None, None, None]
    W1 = [None, None, None]
    for t in sorted(set(Ts.tolist())):
        idx = np.flatnonzero(Ts == t)
        with single_threaded():  # small SVDs, which threads only slow down
            X, Y, aligned = (task or _constant_task(K))(t, rng)
        Nx, Ny = X.shape[-1], Y.shape[-1]
        Ws = []
        for a, b in zip(io.ravel()[idx], rec.ravel()[idx]):
            if init == "aligned":
                Ws.append(aligned(a, b, rng, n_hidden))
            else:
                Wx, _, Wy = unaligned_init(Nx, n_hidden, Ny, a, rng)
                Wh = unaligned_init(Nx, n_hidden, Ny, b, rng)[1]
                Ws.append((Wx, Wh, Wy))
        W = [np.array(w) for w in zip(*Ws)]
        hist, loss, _, n_t = _train_group(W, X, Y, lr_arr[idx], rec_steps, tol)
        if n_t < n:  # stopped early (``tol``, a single ``T``): the records end here
            n, rec_steps, loss_h, dist_h = (
                n_t,
                rec_steps[:n_t],
                loss_h[:n_t],
                dist_h[:n_t],
            )
            hist, loss = [h[:n] for h in hist], loss[:n]
        # one BLAS thread: many mid-sized products, which threads only slow down
        with np.errstate(over="ignore", invalid="ignore"), single_threaded():
            dist_h[:, idx] = _distances(W, hist, X, loss)
        loss_h[:, idx] = loss
        for m in range(3):
            if W0[m] is None:
                W0[m] = np.full((N,) + W[m].shape[1:], np.nan)
                W1[m] = np.full((N,) + W[m].shape[1:], np.nan)
            W0[m][idx], W1[m][idx] = W[m], hist[m][-1]
    diverged = ~np.isfinite(loss_h[-1])
    wc = np.full(N, np.nan)
    if (~diverged).any():
        sel = lambda Ws: tuple(w[~diverged] for w in Ws)  # noqa: E731
        wc[~diverged] = relative_weight_change(sel(W0), sel(W1))
    shape = T.shape
    return GridRun(
        T=T.astype(int),
        io_scale=io,
        rec_scale=rec,
        lr=lr_arr.reshape(shape),
        distance=dist_h[-1].reshape(shape),
        weight_change=wc.reshape(shape),
        loss0=loss_h[0].reshape(shape),
        loss=loss_h[-1].reshape(shape),
        steps=rec_steps,
        loss_history=loss_h.reshape((n,) + shape),
        distance_history=dist_h.reshape((n,) + shape),
        diverged=diverged.reshape(shape),
    )
