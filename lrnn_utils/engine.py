"""The training engine: one trainer family for every page.

Full-batch gradient descent ``W ← W − η ∂L/∂W`` on all three matrices, with the
loss ``L = (1/2P) Σ_p ‖y_p − ŷ_p‖²``.  Two ways to compute the same gradient:

* ``method="bptt"``: backpropagation through time on the samples at every step
  (:func:`lrnn_utils.network.bptt`), the reference the chapters teach;
* ``method="moments"`` (default): through the data's second moments
  (:mod:`lrnn_utils.moments`), computed once.  With ``G_k = ∂L/∂M_k``::

    ∂L/∂W_y = Σ_k G_k (W_h^k W_x)ᵀ
    ∂L/∂W_x = Σ_k (W_y W_h^k)ᵀ G_k
    ∂L/∂W_h = Σ_{r+q+1 ≤ T−1} (W_y W_h^r)ᵀ G_{r+q+1} (W_h^q W_x)ᵀ

  A step then costs nothing that grows with the number of samples ``P``.  For the
  book's small networks a step is a short fixed list of numpy calls: the powers
  ``W_h^k`` come from ``⌈log₂ T⌉`` batched products and the double sum is one
  product with a block-Hankel matrix of the ``G_k``; for large batches the double
  sum becomes a backward recursion over the lags.  Wide networks on exactly
  whitened inputs (from :data:`WIDE_HIDDEN` hidden units) take a path of their
  own, chosen automatically: no power of ``W_h`` is formed (a step costs
  ``O(T Nh² min(Nx, Ny))``) and the networks are trained one by one, each in the
  CPU cache, in one worker thread a core (``_WideEngine``).

Entry points: :func:`train` (data in, either method), :func:`train_on_moments`
(moments in), :func:`train_batch` (a whole batch of networks and tasks at once,
for sweeps).  All return one :class:`TrainingHistory` and follow one divergence
policy (``on_divergence="raise"`` names the step; ``"mask"`` records NaN after
it).  Both methods agree to rounding.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy import vdot

from ._blas import n_workers, single_threaded
from ._validation import (
    DIVERGENCE_LIMIT,
    TrainingDivergedError,
    as_finite_array,
    check_choice,
    check_diverged,
    check_finite_scalar,
    check_instance,
    check_positive_int,
    record_steps,
)
from .moments import Moments
from .moments import moments as data_moments
from .network import (
    bptt_step,
    bptt_workspace,
    check_weights,
    rollout,
    stack_weights,
    time_major,
)

__all__ = [
    "TrainingHistory",
    "DIVERGENCE_POLICIES",
    "train",
    "train_on_moments",
    "train_batch",
    "loss_and_gradients",
    "hidden_speed",
]


@dataclass(frozen=True)
class TrainingHistory:
    """Recorded trajectory of full-matrix gradient descent (one network or a batch).

    The one result type of every full-matrix trainer (:func:`train`,
    :func:`lrnn_utils.engine.train`, :func:`lrnn_utils.engine.train_on_moments`,
    :func:`lrnn_utils.engine.train_batch`).

    Attributes
    ----------
    steps : ndarray, shape (n,)
        Update-step index of each record (0 = initial weights).
    Wx, Wh, Wy : ndarray, shapes (n,) + batch + weight shape
        Weights at each recorded step (``batch = ()`` for one network); NaN after a
        network diverged under ``on_divergence="mask"``.
    loss : ndarray, shape (n,) + batch
        Loss at each recorded step (NaN after a divergence).
    diverged_step : int or ndarray of int, shape batch
        Step at which each network diverged, ``-1`` if it never did.
    """

    steps: np.ndarray
    Wx: np.ndarray
    Wh: np.ndarray
    Wy: np.ndarray
    loss: np.ndarray
    diverged_step: np.ndarray | int = -1


DIVERGENCE_POLICIES = ("raise", "mask")

#: Values of ``method`` in :func:`train`.
METHODS = ("moments", "bptt")


def _train_bptt(Wx, Wh, Wy, X, Y, lr, rec, on_divergence) -> TrainingHistory:
    """:func:`train` with ``method="bptt"`` on validated arguments."""
    steps = int(rec[-1])
    n = rec.size
    Nh, (P, T, _) = Wh.shape[0], X.shape
    Wcat, Wy = stack_weights(Wx, Wh), Wy.copy()  # [W_hᵀ; W_xᵀ]: one product a step
    Z, G = bptt_workspace(time_major(X), Nh), np.empty((T, P, Nh))
    hist = [np.full((n,) + w.shape, np.nan) for w in (Wx, Wh, Wy)]
    losses = np.full(n, np.nan)
    lim, lim2 = DIVERGENCE_LIMIT, DIVERGENCE_LIMIT**2
    hint = "try a smaller learning rate or initialisation"
    diverged, j = -1, 0
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps + 1):
            lval, dWcat, dWy = bptt_step(Wcat, Wy, Z, Y, G)
            if not lval <= lim:  # also NaN
                diverged = step
                if on_divergence == "raise":
                    check_diverged(step, hint, loss=lval)
                break
            if rec[j] == step:
                hist[0][j], hist[1][j] = Wcat[Nh:].T, Wcat[:Nh].T
                hist[2][j], losses[j] = Wy, lval
                j += 1
            if step == steps:
                break
            dWcat *= lr
            Wcat -= dWcat
            dWy *= lr
            Wy -= dWy
            # sum of squares <= 1e300: every entry finite and <= 1e150 (cheap test)
            if not max(vdot(Wcat, Wcat), vdot(Wy, Wy)) <= lim2 and not (
                np.all(np.abs(Wcat) <= lim) and np.all(np.abs(Wy) <= lim)
            ):
                diverged = step + 1
                if on_divergence == "raise":
                    Wx, Wh = Wcat[Nh:].T, Wcat[:Nh].T
                    check_diverged(step + 1, hint, Wx=Wx, Wh=Wh, Wy=Wy)
                break
    return TrainingHistory(
        steps=rec,
        Wx=hist[0],
        Wh=hist[1],
        Wy=hist[2],
        loss=losses,
        diverged_step=diverged,
    )


#: A loss offset ``½ tr Σ^{YY} − ½ Σ_t ‖Σ^{YX_t}‖²`` below this fraction of
#: ``tr Σ^{YY}`` is rounding noise and counts as 0 (exactly linear targets).
OFFSET_RTOL = 1e-12


def _hankel_is_faster(B: int, T: int, Nx: int, Nh: int, Ny: int) -> bool:
    """Whether the block-Hankel step is expected to beat the lag recursion.

    Two cost models of one step in µs, fitted (non-negative least squares on the
    relative error) to both methods timed at 348 sizes (``Nh`` 2–64, ``T`` 2–80,
    ``B`` 1–256, one BLAS thread, 2-core Xeon): the choice they make was never
    more than 1.28× slower than the faster method, 1.005× on average.  The Hankel
    step pays ``O(T²)`` arithmetic and the powers of ``W_h`` (``T Nh³``); the
    recursion ``O(T)`` arithmetic but ``2T`` numpy calls.
    """
    hankel = 7.0 + B * (
        1.9e-4 * T * T * Ny * Nx * Nh
        + 1.7e-5 * T * Nh**3
        + 3.5e-4 * T * Ny * Nh * Nh
        + 1.3e-4 * T * T * Ny * Nx
        + 0.11 * T
        + 0.027
    )
    recursion = (
        2.15
        + 1.93 * T
        + B * T * (9.6e-5 * Nh * Nh * (Nx + Ny) + 4.6e-3 * Nh * Nx + 0.049)
    )
    return hankel < recursion


#: Hidden sizes from which exactly whitened training runs network by network
#: (:class:`_WideEngine`); measured crossover with the batched engine.
WIDE_HIDDEN = 96

_HINT = "try a smaller learning rate or initialisation"


def _loss_offset(syx_flat, yy):
    """Loss offset ``½ tr Σ^{YY} − ½ Σ_t ‖Σ^{YX_t}‖²``, one per row of ``syx_flat``.

    The weight-independent part of the loss for whitened inputs (>= 0 by Bessel's
    inequality).  It is 0 for targets that are a linear function of the inputs, and
    then its computed value is rounding noise (~1e-16 yy) that would put a floor
    under the loss; below ``OFFSET_RTOL * yy`` it is taken as exactly 0.
    """
    off = 0.5 * (yy - np.sum(syx_flat**2, axis=1))
    return np.where(off > OFFSET_RTOL * yy, off, 0.0)


class _Engine:
    """Loss and gradients of a batch of ``B`` networks in the lag layout.

    Weights live in one flat buffer ``theta`` of shape ``(B, n)``; ``Wx``, ``Wh``
    and ``Wy`` are views of it, so an update is a single array operation.  Every
    intermediate has a preallocated buffer and every view is built once, so a
    step is a fixed list of numpy calls.

    Two ways to sum the chain rule over the lags (by default chosen by measured
    cost models, :func:`_hankel_is_faster`):

    * ``"hankel"`` (few small networks, short T): all powers ``W_h^k`` by
      repeated doubling and ``∂L/∂W_x``, ``∂L/∂W_h`` from one product with the
      block-Hankel matrix ``[G_{r+q}]`` — the fewest numpy calls, ``O(T²)``
      arithmetic;
    * ``"recursion"`` (large batches, long T or wide networks): ``R_k = W_h^k
      W_x`` and the adjoints ``A_j = W_yᵀ G_j + W_hᵀ A_{j+1}``
      (``∂L/∂W_x = A_0``, ``∂L/∂W_h = Σ_{j≥1} A_j R_{j−1}ᵀ``) lag by lag, each
      adjoint one product ``[W_y; W_h]ᵀ [G_j; A_{j+1}]`` (the layout of
      :class:`_WideEngine`) — ``O(T)`` arithmetic, the per-call cost spread over
      the batch.
    """

    def __init__(self, Wx, Wh, Wy, mom: Moments, method: str | None = None):
        B, Nh, Nx = Wx.shape
        Ny = Wy.shape[1]
        T = mom.T
        self.B, self.Nh, self.Nx, self.Ny, self.T = B, Nh, Nx, Ny, T
        if method is None:
            fast = _hankel_is_faster(B, T, Nx, Nh, Ny)
            method = "hankel" if fast else "recursion"
        self.method = method
        a, b = Nh * Nx, Nh * Nx + Ny * Nh
        if method == "hankel":
            # One buffer per network: [W_x | W_y | I | W_h | W_h^2 ... W_h^{T-1}].
            # The weights theta = [W_x | W_y | I | W_h] are its first part, and the
            # powers P_k = W_h^k (k = 0..T-1) its last part, so P_1 *is* W_h (never
            # copied).  The gradient has the layout of theta with a zero block at
            # I, so that [∂L/∂W_y; 0; ∂L/∂W_h] is one (Ny + 2 Nh, Nh) block and the
            # update theta -= lr * grad leaves I unchanged.
            n_pow = max(T, 2)
            self.buf = np.zeros((B, b + n_pow * Nh * Nh))
            self.P_all = self.buf[:, b:].reshape(B, n_pow, Nh, Nh)
            self.P_all[:, 0] = np.eye(Nh)
            self.P = self.P_all[:, :T]
            n_theta = b + 2 * Nh * Nh
            self.theta = self.buf[:, :n_theta]
            self.layout = (a, b, b + Nh * Nh)  # starts of W_y, I, W_h
        else:
            # theta = [W_x | W_y | W_h]: [W_y; W_h] is one (Ny + Nh, Nh) block
            n_theta = b + Nh * Nh
            self.theta = np.empty((B, n_theta))
            self.layout = (a, b, b)  # starts of W_y, W_h (no I), W_h
        self.grad = np.zeros((B, n_theta))
        c = self.layout[2]
        self.views = [
            (buf[:, :a].reshape(B, Nh, Nx),
             buf[:, c:].reshape(B, Nh, Nh),
             buf[:, a:b].reshape(B, Ny, Nh))
            for buf in (self.theta, self.grad)
        ]  # fmt: skip
        for view, W in zip(self.views[0], (Wx, Wh, Wy)):
            view[...] = W
        if method == "hankel":
            self.grad_yh = self.grad[:, a:].reshape(B, Ny + 2 * Nh, Nh)
        # Σ^{YX} in the lag layout: column k*Nx + i holds Σ^{YX_t}[:, i], t = T − k.
        syx = np.flip(mom.sigma_yx, axis=-3)  # (..., k, Ny, Nx)
        lead = syx.shape[:-3]
        syx = np.moveaxis(syx, -2, -3).reshape(lead + (Ny, T * Nx))
        self.syx = np.ascontiguousarray(syx.reshape((-1, Ny, T * Nx)))
        if mom.sigma_xx is None:
            self.cxx = None
        else:
            c = np.flip(mom.sigma_xx, axis=(-4, -2))
            self.cxx = c.reshape((-1, T * Nx, T * Nx))
        yy = np.asarray(mom.yy, dtype=float).reshape(-1)
        self.half_yy = 0.5 * yy
        self.offset = _loss_offset(self.syx.reshape(self.syx.shape[0], -1), yy)
        self.M = np.empty((B, Ny, T * Nx))
        if method == "hankel":
            self._init_hankel()
        else:
            self._init_recursion()
        self.step_fn = self._make_step()

    def _init_hankel(self):
        B, Nh, Nx, Ny, T = self.B, self.Nh, self.Nx, self.Ny, self.T
        P = self.P
        # W_h^k for k = 0..T-1 by repeated doubling:
        # W_h^{f-1+j} = W_h^{f-1} W_h^j for j = 1..n, with n <= f-1 powers known
        plan, filled = [], 2
        while filled < T:
            n = min(filled - 1, T - filled)
            plan.append(
                (P[:, filled - 1 : filled], P[:, 1 : n + 1], P[:, filled : filled + n])
            )
            filled += n
        self.plan = plan
        # (W_h^k W_x)ᵀ stacked over k: rows (k, i)
        self.RT4 = np.empty((B, T, Nx, Nh))
        self.RT = self.RT4.reshape(B, T * Nx, Nh)
        self.R = self.RT.transpose(0, 2, 1)
        self.PT = self.P.transpose(0, 1, 3, 2)
        # One buffer GZ of shape (B, Ny + 2 Nh, (T+1)*Nx): rows :Ny hold the G_k
        # (columns k*Nx + i; the last Nx columns stay zero), the next Nh rows stay
        # zero (the I block of theta) and the last Nh rows hold
        # Z = Σ_r (W_y W_h^r)ᵀ [G_{r+1} ... G_{r+T} | G_r].  Then one product
        # GZ[..., :T*Nx] @ [(W_h^k W_x)ᵀ]_k gives ∂L/∂W_y and ∂L/∂W_h together.
        W = (T + 1) * Nx
        self.GZ = np.zeros((B, Ny + 2 * Nh, W))
        self.G = self.GZ[:, :Ny, : T * Nx]
        self.G_rows = self.GZ[:, :Ny]  # G and zeros: same sum of squares
        self.Z = self.GZ[:, Ny + Nh :]
        self.Z_head = self.Z[:, :, T * Nx :]
        self.GZ_left = self.GZ[:, :, : T * Nx]
        # block-Hankel gather from GZ: row (r, o), column (c, i) -> G_{r+c+1}[o, i]
        # for c < T and G_r[o, i] for c = T; lags >= T read a zero of the G rows
        r = np.arange(T)[:, None, None, None]
        o = np.arange(Ny)[None, :, None, None]
        c = np.arange(T + 1)[None, None, :, None]
        i = np.arange(Nx)[None, None, None, :]
        k = np.where(c < T, r + c + 1, r)
        idx = np.where(k < T, o * W + k * Nx + i, T * Nx)
        self.hankel_idx = idx.reshape(T * Ny, W)
        self.H = np.empty((B, T * Ny, W))
        self.L4 = np.empty((B, T, Ny, Nh))
        self.LT = self.L4.reshape(B, T * Ny, Nh).transpose(0, 2, 1)
        Wx, _, Wy = self.views[0]  # views of theta: fixed for the whole run
        self.WxT, self.Wy_b = Wx.transpose(0, 2, 1)[:, None], Wy[:, None]
        self.GZ_flat = self.GZ.reshape(B, -1)

    def _init_recursion(self):
        B, Nh, Nx, Ny, T = self.B, self.Nh, self.Nx, self.Ny, self.T
        a = Nh * Nx
        # R (B, Nh, T Nx), block k = R_k = W_h^k W_x.  For whitened inputs R sits
        # on top of −Σ^{YX} and W_y left of I, so that G = [W_y | I] [R; −Σ^{YX}]
        # is one product
        self.R_aug = np.empty((B, Nh + Ny, T * Nx))
        self.R_aug[:, Nh:] = -self.syx
        self.Wy_aug = np.zeros((B, Ny, Nh + Ny))
        self.Wy_aug[:, :, Nh:] = np.eye(Ny)
        self.R = self.R_aug[:, :Nh]
        self.RT = self.R.transpose(0, 2, 1)
        self.Rb = [self.R[:, :, k * Nx : (k + 1) * Nx] for k in range(T)]
        # V (B, Ny + Nh, T, Nx), column block j = [G_j; A_{j+1}] with A_T = 0.  Then
        # A_j = [W_y; W_h]ᵀ V_j is one product a lag (no separate sum), and
        # [∂L/∂W_y; ∂L/∂W_h] = Σ_j V_j R_jᵀ one more; the G rows are the
        # (Ny, T Nx) layout of every network, contiguous.
        self.V = np.zeros((B, Ny + Nh, T, Nx))
        self.Vb = [self.V[:, :, j] for j in range(T)]
        self.Ab = [self.V[:, Ny:, j] for j in range(T)]  # A_{j+1}
        self.V_flat = self.V.reshape(B, Ny + Nh, T * Nx)
        self.G = self.V_flat[:, :Ny]
        self.G_rows = self.G
        self.W_catT = self.theta[:, a:].reshape(B, Ny + Nh, Nh).transpose(0, 2, 1)
        self.g_cat = self.grad[:, a:].reshape(B, Ny + Nh, Nh)

    def step(self):
        """Gradients at the current weights into ``self.grad``."""
        self.step_fn()

    def _make_step(self):
        """The gradient computation as a closure over local names.

        A step is a fixed list of numpy calls on preallocated buffers; binding
        every buffer and view to a local name avoids attribute look-ups, which
        matter at this size.
        """
        mm, sub, copyto = np.matmul, np.subtract, np.copyto
        (Wx, Wh, Wy), (gx, gh, gy) = self.views
        T, M, G, syx, cxx = self.T, self.M, self.G, self.syx, self.cxx
        if self.method == "hankel":
            plan, WxT, PT, RT4, R, RT = (
                self.plan, self.WxT, self.PT, self.RT4, self.R, self.RT
            )  # fmt: skip
            idx, H = self.hankel_idx, self.H
            Wy_b, P, L4, LT, Z, Z_head = (
                self.Wy_b, self.P, self.L4, self.LT, self.Z, self.Z_head
            )  # fmt: skip
            GZ_left, grad_yh = self.GZ_left, self.grad_yh
            # the bound ``take`` method with mode "clip" (indices are valid by
            # construction) skips the bounds checks of np.take: the cheapest gather
            if self.B == 1:
                gather, g_axis, g_out = self.GZ_flat[0].take, None, H[0]
            else:
                gather, g_axis, g_out = self.GZ_flat.take, 1, H

            def step():
                for last, src, out in plan:  # W_h^k, k < T (P_1 is W_h itself)
                    mm(last, src, out)
                mm(WxT, PT, RT4)  # (W_h^k W_x)ᵀ
                mm(Wy, R, M)  # the maps M_k, columns (k, i)
                if cxx is None:
                    sub(M, syx, G)
                else:
                    mm(M, cxx, G)
                    sub(G, syx, G)
                gather(idx, g_axis, g_out, "clip")  # block-Hankel matrix of G
                mm(Wy_b, P, L4)  # W_y W_h^k
                mm(LT, H, Z)
                copyto(gx, Z_head)
                mm(GZ_left, RT, grad_yh)  # ∂L/∂W_y, 0, ∂L/∂W_h

            return step

        Rb, Vb, Ab, R, RT, V_flat = (
            self.Rb, self.Vb, self.Ab, self.R, self.RT, self.V_flat
        )  # fmt: skip
        W_catT, g_cat = self.W_catT, self.g_cat
        Wy_aug, R_aug = self.Wy_aug, self.R_aug
        Wy_aug_left = Wy_aug[:, :, : self.Nh]

        def step():
            copyto(Rb[0], Wx)
            for k in range(T - 1):
                mm(Wh, Rb[k], out=Rb[k + 1])  # R_k = W_h^k W_x
            if cxx is None:  # G = [W_y | I] [R; −Σ^{YX}] = M − Σ^{YX}
                copyto(Wy_aug_left, Wy)
                mm(Wy_aug, R_aug, out=G)
            else:
                mm(Wy, R, out=M)  # the maps M_k, columns (k, i)
                mm(M, cxx, out=G)
                sub(G, syx, out=G)
            for j in range(T - 1, 0, -1):  # A_j = W_yᵀ G_j + W_hᵀ A_{j+1}
                mm(W_catT, Vb[j], out=Ab[j - 1])
            mm(W_catT, Vb[0], out=gx)  # ∂L/∂W_x = A_0
            mm(V_flat, RT, out=g_cat)  # [∂L/∂W_y; ∂L/∂W_h]

        return step

    def loss(self):
        """Loss of every network at the weights of the last :meth:`step`."""
        B = self.B
        if self.cxx is None:
            Gf = self.G_rows.reshape(B, -1)
            return 0.5 * np.einsum("bi,bi->b", Gf, Gf) + self.offset
        Mf = self.M.reshape(B, -1)
        Df = self.G.reshape(B, -1) - self.syx.reshape(-1, Mf.shape[1])
        return 0.5 * np.einsum("bi,bi->b", Mf, Df) + self.half_yy


class _WideEngine:
    """One wide network on exactly whitened inputs: no power of ``W_h`` is formed.

    A step costs ``O(T Nh² min(Nx, Ny))`` instead of the ``O(T Nh³)`` of the powers.
    Three buffers hold everything:

    * ``R`` ``(Nh, T Nx)``, block ``k`` ``= R_k = W_h^k W_x``; block 0 *is* ``W_x``;
    * ``U = [W_hᵀ | W_yᵀ]`` ``(Nh, Nh + Ny)``;
    * ``L`` ``(T + 1, Nx, Nh + Ny)``, block ``j`` ``= [A_jᵀ | G_{j−1}ᵀ]`` with the
      adjoints ``A_j = W_yᵀ G_j + W_hᵀ A_{j+1}`` (``A_T = 0``).

    Then ``A_jᵀ = L_{j+1} Uᵀ`` is one product a lag, ``∂L/∂W_x = A_0`` and
    ``[∂L/∂W_hᵀ | ∂L/∂W_yᵀ] = Σ_{j≥1} R_{j−1} L_j`` (two products with the stacked
    blocks, one for each part), subtracted from ``U`` in place.  The learning rate
    multiplies ``G`` once, so the update needs no separate scaling.  One network at
    a time keeps ``W_h`` in the CPU cache through all ``2(T − 1)`` products of a
    step, which is what makes this fast (a batch of such networks does not fit).
    """

    def __init__(self, Wx, Wh, Wy, syx, offset):
        Nh, Nx = Wx.shape
        Ny, T = Wy.shape[0], syx.shape[0]
        self.T, self.Nh, self.offset = T, Nh, float(offset)
        self.R = np.empty((Nh, T * Nx))
        self.Rb = [self.R[:, k * Nx : (k + 1) * Nx] for k in range(T)]
        self.Wx = self.Rb[0]
        self.U = np.empty((Nh, Nh + Ny))
        self.Wh, self.Wy = self.U[:, :Nh].T, self.U[:, Nh:].T
        self.Wx[...], self.Wh[...], self.Wy[...] = Wx, Wh, Wy
        self.UT = self.U.T
        self.L = np.zeros((T + 1, Nx, Nh + Ny))
        self.Lb = list(self.L)
        self.AT = [blk[:, :Nh] for blk in self.L]
        self.GT = self.L[1:, :, Nh:]  # G_kᵀ sits in block k + 1
        self.Lf = self.L[1:].reshape(T * Nx, Nh + Ny)
        # Σ^{YX} in the lag layout: column k*Nx + i holds Σ^{YX_t}[:, i], t = T − k
        self.syx = np.ascontiguousarray(
            np.moveaxis(syx[::-1], 1, 0).reshape(Ny, T * Nx)
        )
        self.G = np.empty((Ny, T * Nx))
        self.G_lags = self.G.reshape(Ny, T, Nx).transpose(1, 2, 0)  # (T, Nx, Ny)
        self.G_flat = self.G.reshape(-1)
        self.U_flat = self.U.reshape(-1)
        self.dU = np.empty_like(self.U)
        # block T of L has A_T = 0: the W_h part of the update needs blocks 1..T-1
        k = (T - 1) * Nx
        self.upd_h = (self.R[:, :k], self.Lf[:k, :Nh], self.dU[:, :Nh])
        self.upd_y = (self.R, self.Lf[:, Nh:], self.dU[:, Nh:])
        self.U_y = self.U[:, Nh:]

    def loss(self):
        """Forward pass: the maps ``W_h^k W_x``, the errors ``G_k`` and the loss."""
        mm, Rb, Wh = np.matmul, self.Rb, self.Wh
        for k in range(1, self.T):
            mm(Wh, Rb[k - 1], out=Rb[k])
        mm(self.Wy, self.R, out=self.G)
        self.G -= self.syx
        return 0.5 * float(np.vdot(self.G_flat, self.G_flat)) + self.offset

    def norm2(self):
        """Squared norm of all weights."""
        return float(np.vdot(self.U_flat, self.U_flat) + np.sum(self.Wx * self.Wx))

    def descend(self, lr):
        """One gradient step from the errors of the last :meth:`loss`."""
        mm, T, Lb, AT, UT = np.matmul, self.T, self.Lb, self.AT, self.UT
        self.G *= lr
        np.copyto(self.GT, self.G_lags)
        mm(self.GT[T - 1], self.Wy, out=AT[T - 1])
        for j in range(T - 2, -1, -1):
            mm(Lb[j + 1], UT, out=AT[j])
        mm(*self.upd_y)
        if T > 1:
            mm(*self.upd_h)
            self.U -= self.dU
        else:  # no recurrent gradient
            self.U_y -= self.upd_y[2]
        self.Wx -= AT[0].T

    def weights(self):
        return self.Wx, self.Wh, self.Wy


def _run_wide(Wx, Wh, Wy, mom, lr, rec, on_divergence, hint, quick):
    """Train ``B`` wide networks (flat batch) one by one in worker threads.

    The same updates, records and divergence policy as :func:`_run`: the loss is
    checked at every step and the squared weight norm at every step (at every 8th
    when ``quick``, a single network); ``"raise"`` raises for the earliest step at
    which any network diverges (the lowest index among those), ``"mask"`` stops the
    diverged networks and leaves their later records NaN.  Each network runs on one
    BLAS thread (:mod:`lrnn_utils._blas`); the result does not depend on how many
    workers there are.
    """
    B, Nh, Nx = Wx.shape
    Ny = Wy.shape[1]
    n = rec.size
    hist = [np.full((n, B) + s, np.nan) for s in ((Nh, Nx), (Nh, Nh), (Ny, Nh))]
    loss_hist = np.full((n, B), np.nan)
    diverged = np.full(B, -1)
    syx = mom.sigma_yx.reshape((-1,) + mom.sigma_yx.shape[-3:])
    yy = np.asarray(mom.yy, dtype=float).reshape(-1)
    offset = _loss_offset(syx.reshape(syx.shape[0], -1), yy)
    lr = np.broadcast_to(np.asarray(lr, dtype=float).reshape(-1), (B,))
    rec_list = [int(r) for r in rec]
    last, lim, lim2 = rec_list[-1], DIVERGENCE_LIMIT, DIVERGENCE_LIMIT**2
    first = {"step": np.inf, "index": B, "error": None}
    lock = threading.Lock()

    def diverge(b, step, loss, wn):
        diverged[b] = step
        if on_divergence == "raise":
            bad = ("loss", loss) if not loss <= lim else ("weights", np.sqrt(wn))
            with lock:
                if (step, b) < (first["step"], first["index"]):
                    first.update(step=step, index=b, error=bad)

    def work(b):
        t = b if syx.shape[0] > 1 else 0
        eng = _WideEngine(Wx[b], Wh[b], Wy[b], syx[t], offset[t])
        j = 0
        with np.errstate(over="ignore", invalid="ignore"):
            for step in range(last + 1):
                if step > first["step"]:  # an earlier divergence will be raised
                    return
                loss = eng.loss()
                if not (loss <= lim and ((quick and step & 7) or eng.norm2() <= lim2)):
                    wn = eng.norm2()
                    if not (loss <= lim and wn <= lim2):
                        diverge(b, step, loss, wn)
                        return
                if step == rec_list[j]:
                    for h, w in zip(hist, eng.weights()):
                        h[j, b] = w
                    loss_hist[j, b] = max(loss, 0.0)
                    j += 1
                if step == last:
                    return
                eng.descend(lr[b])

    with single_threaded() as alone:
        workers = n_workers(B) if alone else 1
        if workers == 1:
            for b in range(B):
                work(b)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                try:
                    for f in [pool.submit(work, b) for b in range(B)]:
                        f.result()
                except BaseException:
                    first["step"] = -1  # stop the other workers at their next step
                    raise
    if first["error"] is not None:
        what, value = first["error"]
        raise TrainingDivergedError(
            first["step"],
            what,
            hint,
            value=value,
            index=first["index"] if B > 1 else None,
        )
    return hist, loss_hist, diverged


def _use_wide(Nh: int, mom: Moments) -> bool:
    """Whether the network-by-network wide path is the faster one."""
    return mom.sigma_xx is None and Nh >= WIDE_HIDDEN


def _check_match(Wx, Wy, mom):
    Nx, Ny = Wx.shape[-1], Wy.shape[-2]
    if mom.sigma_yx.shape[-2:] != (Ny, Nx):
        raise ValueError(
            f"moments.sigma_yx must end in shape (Ny, Nx) = ({Ny}, {Nx}), "
            f"got {mom.sigma_yx.shape}"
        )


def _prepare_batch(Wx, Wh, Wy, mom, extra=()):
    mom = _check_moments(mom)
    Wx = as_finite_array(Wx, "Wx", min_ndim=2)
    Wh = as_finite_array(Wh, "Wh", min_ndim=2)
    Wy = as_finite_array(Wy, "Wy", min_ndim=2)
    try:
        batch = np.broadcast_shapes(Wx.shape[:-2], Wh.shape[:-2], Wy.shape[:-2])
        batch = np.broadcast_shapes(batch, mom.sigma_yx.shape[:-3], extra)
    except ValueError as exc:
        raise ValueError(
            f"the leading (batch) axes of Wx {Wx.shape}, Wh {Wh.shape}, Wy {Wy.shape}, "
            f"sigma_yx {mom.sigma_yx.shape} and lr {extra} must broadcast"
        ) from exc
    Nh, Nx = Wx.shape[-2:]
    if Wh.shape[-2:] != (Nh, Nh):
        raise ValueError(
            f"Wh must end in shape ({Nh}, {Nh}) to match Wx {Wx.shape}, got {Wh.shape}"
        )
    if Wy.shape[-1] != Nh:
        raise ValueError(
            f"Wy must end in shape (Ny, {Nh}) to match Wx {Wx.shape}, got {Wy.shape}"
        )
    _check_match(Wx, Wy, mom)
    B = int(np.prod(batch, dtype=int))

    def flat(W):
        return np.broadcast_to(W, batch + W.shape[-2:]).reshape((B,) + W.shape[-2:])

    # moments: keep a shared task shared (leading size 1), else broadcast
    lead = mom.sigma_yx.shape[:-3]
    if lead and lead != batch:
        mom = Moments(
            sigma_yx=np.broadcast_to(mom.sigma_yx, batch + mom.sigma_yx.shape[-3:]),
            sigma_xx=None
            if mom.sigma_xx is None
            else np.broadcast_to(mom.sigma_xx, batch + mom.sigma_xx.shape[-4:]),
            yy=np.broadcast_to(mom.yy, batch),
        )
    elif not lead and mom.sigma_xx is not None and mom.sigma_xx.ndim > 4:
        raise ValueError("sigma_xx has batch axes but sigma_yx has none")
    return flat(Wx), flat(Wh), flat(Wy), mom, batch


def loss_and_gradients(Wx, Wh, Wy, moments: Moments, method: str | None = None):
    """Loss and gradients of (a batch of) linear RNNs from the data's moments.

    Parameters
    ----------
    Wx, Wh, Wy : array_like
        Weights of shapes ``(..., Nh, Nx)``, ``(..., Nh, Nh)``, ``(..., Ny, Nh)``;
        leading axes (a batch of networks) broadcast with those of ``moments``.
    moments : Moments
    method : {"hankel", "recursion"}, optional
        How the sum over lags is organised (see the module notes); by default
        ``"hankel"`` when ``B T² Ny Nx Nh <= 1e5`` (B networks), else
        ``"recursion"``, the faster one on either side of that line.  Both give
        the same result up to rounding.

    Returns
    -------
    (loss, dWx, dWh, dWy)
        ``loss`` has the batch shape; the gradients the weights' shapes.  For a
        single network they equal :func:`lrnn_utils.network.loss` and
        :func:`lrnn_utils.network.gradients` on the data up to rounding.

    Examples
    --------
    >>> from lrnn_utils import network, tasks
    >>> from lrnn_utils.moments import moments
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.standard_normal((20, 3, 2)), rng.standard_normal((20, 1))
    >>> W = [rng.standard_normal(s) for s in [(2, 2), (2, 2), (1, 2)]]
    >>> loss, *grads = loss_and_gradients(*W, moments(X, Y))
    >>> bool(np.isclose(loss, network.loss(*W, X, Y), rtol=1e-12))
    True
    >>> ref = network.gradients(*W, X, Y)
    >>> all(np.allclose(g, h, rtol=1e-10) for g, h in zip(grads, ref))
    True
    """
    if method is not None:
        method = check_choice(method, "method", ("hankel", "recursion"))
    Wx, Wh, Wy, mom, batch = _prepare_batch(Wx, Wh, Wy, moments)
    eng = _Engine(Wx, Wh, Wy, mom, method)
    with np.errstate(over="ignore", invalid="ignore"):
        eng.step()
        loss = eng.loss()
    gx, gh, gy = (v.reshape(batch + v.shape[1:]).copy() for v in eng.views[1])
    return loss.reshape(batch), gx, gh, gy


def _run(eng: _Engine, lr, rec, on_divergence: str, hint: str):
    """Gradient descent; records weights and loss at the steps ``rec``.

    A network has diverged when its loss or its squared weight norm is
    non-finite or exceeds ``1e150`` (resp. ``1e300``).  The loss is checked at
    every step; for a single network on whitened inputs the weight norm only at
    every 8th step (non-finite weights already make the loss non-finite).
    """
    n, B = rec.size, eng.B
    theta_hist = np.empty((n, B, eng.theta.shape[1]))
    loss_hist = np.empty((n, B))
    diverged = np.full(B, -1)
    lr_col = np.broadcast_to(np.asarray(lr, dtype=float).reshape(-1, 1), (B, 1)).copy()
    lim, lim2 = DIVERGENCE_LIMIT, DIVERGENCE_LIMIT**2
    theta, grad = eng.theta, eng.grad
    # one network, whitened inputs: the cheapest possible per-step check
    quick = B == 1 and eng.cxx is None
    g_flat, t_flat, vdot = eng.G_rows.reshape(-1), theta.reshape(-1), np.vdot
    rec_list = [int(r) for r in rec] + [-1]
    last, j, nxt = rec_list[-2], 0, rec_list[0]
    mul, sub, grad_step = np.multiply, np.subtract, eng.step_fn
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(last + 1):
            grad_step()
            if quick:
                # ½ Σ G² <= 1e150 is the loss criterion up to the (tiny) offset.
                # NaN/inf weights make the loss NaN/inf at once; huge finite
                # weights with a small loss are caught at the next multiple of 8.
                ok = vdot(g_flat, g_flat) <= 2 * lim and (
                    step & 7 or vdot(t_flat, t_flat) <= lim2
                )
                loss = None
            else:
                loss = eng.loss()
                wn = np.einsum("bi,bi->b", theta, theta)
                ok = loss.max() <= lim and wn.max() <= lim2
            if not ok:
                loss = eng.loss()
                wn = np.einsum("bi,bi->b", theta, theta)
                bad = ~((loss <= lim) & (wn <= lim2)) & (diverged < 0)
                if np.any(bad):
                    b0 = int(np.argmax(bad))
                    what, value = (
                        ("loss", loss[b0])
                        if not loss[b0] <= lim
                        else ("weights", np.sqrt(wn[b0]))
                    )
                    if on_divergence == "raise":
                        raise TrainingDivergedError(
                            step, what, hint, value=value, index=b0 if B > 1 else None
                        )
                    diverged[bad] = step
                    theta[bad] = 0.0  # frozen: zero weights have zero gradient
                    lr_col[bad] = 0.0
                    eng.step()
            if step == nxt:
                theta_hist[j] = theta
                # a loss is >= 0: clip rounding below zero
                loss_hist[j] = np.maximum(eng.loss(), 0.0)
                dead = diverged >= 0
                if dead.any():
                    theta_hist[j, dead] = np.nan
                    loss_hist[j, dead] = np.nan
                j += 1
                nxt = rec_list[j]
            if step == last:
                break
            mul(grad, lr_col, grad)
            sub(theta, grad, theta)
    return theta_hist, loss_hist, diverged


def _split(eng: _Engine, theta_hist, shape):
    n = theta_hist.shape[0]
    Nh, Nx, Ny = eng.Nh, eng.Nx, eng.Ny
    a, b, c = eng.layout  # starts of W_y, I, W_h in [W_x | W_y | I | W_h]
    return (
        theta_hist[..., :a].reshape((n,) + shape + (Nh, Nx)),
        theta_hist[..., c:].reshape((n,) + shape + (Nh, Nh)),
        theta_hist[..., a:b].reshape((n,) + shape + (Ny, Nh)),
    )


def _check_moments(moments) -> Moments:
    if not isinstance(moments, Moments):
        raise TypeError(
            "moments must be a lrnn_utils.moments.Moments (see moments.moments), "
            f"got {type(moments).__name__}"
        )
    return moments


def _train_one(Wx, Wh, Wy, mom, lr, rec, on_divergence) -> TrainingHistory:
    """One network, arguments already validated."""
    if _use_wide(Wx.shape[0], mom):
        (Wx_h, Wh_h, Wy_h), loss_hist, diverged = _run_wide(
            Wx[None], Wh[None], Wy[None], mom, lr, rec, on_divergence, _HINT, True
        )
        Wx_h, Wh_h, Wy_h = Wx_h[:, 0], Wh_h[:, 0], Wy_h[:, 0]
    else:
        eng = _Engine(Wx[None], Wh[None], Wy[None], mom)
        theta_hist, loss_hist, diverged = _run(eng, lr, rec, on_divergence, _HINT)
        Wx_h, Wh_h, Wy_h = _split(eng, theta_hist[:, 0], ())
    return TrainingHistory(
        steps=rec,
        Wx=Wx_h,
        Wh=Wh_h,
        Wy=Wy_h,
        loss=loss_hist[:, 0],
        diverged_step=int(diverged[0]),
    )


def train_on_moments(
    Wx,
    Wh,
    Wy,
    moments: Moments,
    lr: float,
    steps: int,
    record_every: int = 1,
    on_divergence: str = "raise",
) -> TrainingHistory:
    """Full-batch gradient descent on one network, from the data's moments.

    The same updates as :func:`lrnn_utils.engine.train` (equal up to rounding),
    at a cost per step that does not depend on the number of samples.

    Parameters
    ----------
    Wx, Wh, Wy : array_like
        Initial weights ``(Nh, Nx)``, ``(Nh, Nh)``, ``(Ny, Nh)`` (not modified).
    moments : Moments
        From :func:`~lrnn_utils.moments.moments` (data) or
        :func:`~lrnn_utils.moments.make_moments` (given correlations).
    lr : float
        Learning rate ``> 0``.
    steps : int
        Number of updates (``>= 0``).
    record_every : int, default 1
        Record every ``record_every`` steps (step 0 and the last step always).
    on_divergence : {"raise", "mask"}, default "raise"
        As in :func:`lrnn_utils.engine.train`.

    Returns
    -------
    lrnn_utils.engine.TrainingHistory

    Raises
    ------
    TrainingDivergedError
        When the loss or the weights become non-finite or exceed 1e150; carries
        ``step``, ``quantity`` (``"loss"`` or ``"weights"``) and ``value``.
    """
    Wx, Wh, Wy = check_weights(Wx, Wh, Wy)
    mom = _check_moments(moments)
    if mom.sigma_yx.ndim != 3:
        raise ValueError(
            "moments has batch axes; use train_batch for a batch of networks"
        )
    _check_match(Wx, Wy, mom)
    lr = check_finite_scalar(lr, "lr", positive=True)
    on_divergence = check_choice(on_divergence, "on_divergence", DIVERGENCE_POLICIES)
    rec = record_steps(steps, record_every)
    return _train_one(Wx, Wh, Wy, mom, lr, rec, on_divergence)


def train(
    Wx,
    Wh,
    Wy,
    X,
    Y,
    lr: float,
    steps: int,
    record_every: int = 1,
    on_divergence: str = "raise",
    method: str = "moments",
) -> TrainingHistory:
    """Full-batch gradient descent ``W ← W − lr ∂L/∂W`` on all three matrices.

    The book's trainer.  ``method`` chooses how the gradient is computed; both give
    the same trajectory up to rounding (tested over whole trajectories).

    Parameters
    ----------
    Wx, Wh, Wy : array_like
        Initial weights (not modified).
    X, Y : array_like
        Inputs ``(P, T, Nx)`` and targets ``(P, Ny)``.
    lr : float
        Learning rate η > 0.
    steps : int
        Number of updates (``>= 0``).
    record_every : int, default 1
        Record every ``record_every`` steps (step 0 and the last step are always
        recorded).
    on_divergence : {"raise", "mask"}, default "raise"
        ``"raise"``: raise :class:`~lrnn_utils.TrainingDivergedError` naming the
        step.  ``"mask"``: stop there; the records from that step on are NaN and
        ``diverged_step`` says when.
    method : {"moments", "bptt"}, default "moments"
        ``"moments"``: through the data's second moments, computed once
        (:func:`lrnn_utils.moments.moments`), then :func:`train_on_moments`'s
        updates; cost per step independent of the number of samples.
        ``"bptt"``: backpropagation through time on the samples at every step
        (:func:`lrnn_utils.network.bptt`), the reference the chapters teach.

    Returns
    -------
    TrainingHistory

    Raises
    ------
    ValueError
        Bad shapes, non-finite input, non-positive ``lr``.
    TrainingDivergedError
        When weights or loss become non-finite or exceed 1e150; the message names the
        step.

    Examples
    --------
    >>> X = np.ones((1, 2, 1))
    >>> W = np.full((1, 1), 0.5), np.full((1, 1), 0.5), np.full((1, 1), 0.5)
    >>> h = train(*W, X, np.ones((1, 1)), lr=0.1, steps=200, record_every=100)
    >>> h.steps.tolist(), bool(h.loss[-1] < 1e-6 * h.loss[0])
    ([0, 100, 200], True)
    >>> h = train(*W, X, np.ones((1, 1)), lr=1e3, steps=50, on_divergence="mask")
    >>> h.diverged_step, bool(np.isnan(h.loss[-1]))
    (3, True)
    >>> ref = train(*W, X, np.ones((1, 1)), lr=0.1, steps=200, method="bptt")
    >>> bool(np.allclose(ref.Wh[-1], train(*W, X, np.ones((1, 1)), 0.1, 200).Wh[-1]))
    True
    """
    Wx, Wh, Wy, X, Y = check_weights(Wx, Wh, Wy, X, Y)
    lr = check_finite_scalar(lr, "lr", positive=True)
    on_divergence = check_choice(on_divergence, "on_divergence", DIVERGENCE_POLICIES)
    method = check_choice(method, "method", METHODS)
    rec = record_steps(steps, record_every)
    if method == "bptt":
        return _train_bptt(Wx, Wh, Wy, X, Y, lr, rec, on_divergence)
    return _train_one(Wx, Wh, Wy, data_moments(X, Y), lr, rec, on_divergence)


def train_batch(
    Wx,
    Wh,
    Wy,
    moments: Moments,
    lr,
    steps: int,
    record_every: int | None = None,
    on_divergence: str = "raise",
) -> TrainingHistory:
    """Gradient descent on a whole batch of networks in the same numpy calls.

    Every network ``b`` follows exactly the updates of :func:`train_on_moments`
    with its own weights, task moments and learning rate; the cost of a step
    is nearly that of one network as long as the batch is small enough for
    the arithmetic not to dominate.  Use it for sweeps (phase diagrams,
    learning-rate scans, many seeds).

    Parameters
    ----------
    Wx, Wh, Wy : array_like
        Initial weights with leading batch axes, e.g. ``(nδ, nλ, Nh, Nx)``.
        Leading axes broadcast against each other and against those of
        ``moments`` (a single task can be shared by all networks).
    moments : Moments
        Moments with optional leading batch axes.
    lr : float or array_like
        Learning rate(s) ``> 0``, a scalar or one per network (batch shape).
    steps : int
        Number of updates (``>= 0``).
    record_every : int, optional
        Record every ``record_every`` steps; default: only the first and last.
    on_divergence : {"raise", "mask"}
        ``"raise"``: raise :class:`~lrnn_utils.TrainingDivergedError` (with
        ``index``, the flat index of the network) as soon as one network
        diverges.  ``"mask"``: stop only the diverged networks (their later
        records are NaN, ``diverged_step`` says when), continue the others.

    Returns
    -------
    lrnn_utils.engine.TrainingHistory
        With the batch axes after the record axis (``Wx`` of shape
        ``(n,) + batch + (Nh, Nx)``, ``loss`` of ``(n,) + batch``) and
        ``diverged_step`` of the batch shape.

    Examples
    --------
    Three learning rates on the same task, in one call:

    >>> from lrnn_utils import network, tasks
    >>> from lrnn_utils.moments import moments
    >>> rng = np.random.default_rng(0)
    >>> task = tasks.make_task(np.ones((3, 1)), P=6, rng=rng)
    >>> Wx, Wh, Wy, _ = network.aligned_init(task, 0.5, 0.5, 0.5, rng)
    >>> lr = np.array([0.05, 0.1, 3.0])
    >>> out = train_batch(Wx, Wh, Wy, moments(task.X, task.Y), lr, steps=100,
    ...                   on_divergence="mask")
    >>> out.Wh.shape, out.diverged_step.tolist()
    ((2, 3, 1, 1), [-1, -1, 3])
    """
    on_divergence = check_choice(on_divergence, "on_divergence", DIVERGENCE_POLICIES)
    lr = as_finite_array(lr, "lr")
    if np.any(lr <= 0):
        raise ValueError("lr must be > 0 for every network")
    Wx, Wh, Wy, mom, batch = _prepare_batch(Wx, Wh, Wy, moments, lr.shape)
    lr = np.broadcast_to(lr, batch)
    steps = check_positive_int(steps, "steps", minimum=0)
    if record_every is None:
        record_every = max(steps, 1)
    rec = record_steps(steps, record_every)
    if _use_wide(Wx.shape[-2], mom):
        hist, loss_hist, diverged = _run_wide(
            Wx, Wh, Wy, mom, lr, rec, on_divergence, _HINT, Wx.shape[0] == 1
        )
        n = rec.size
        Wx_h, Wh_h, Wy_h = (h.reshape((n,) + batch + h.shape[2:]) for h in hist)
    else:
        eng = _Engine(Wx, Wh, Wy, mom)
        theta_hist, loss_hist, diverged = _run(eng, lr, rec, on_divergence, _HINT)
        Wx_h, Wh_h, Wy_h = _split(eng, theta_hist, batch)
    return TrainingHistory(
        steps=rec,
        Wx=Wx_h,
        Wh=Wh_h,
        Wy=Wy_h,
        loss=loss_hist.reshape((rec.size,) + batch),
        diverged_step=diverged.reshape(batch),
    )


def hidden_speed(history, X, lr: float) -> np.ndarray:
    """How fast the read-out hidden state moves during training, per unit time.

    ``‖h_{T+1}(n+1) − h_{T+1}(n)‖ / (η Δn)`` between consecutive records of a
    training history, root-mean-square over the trials in ``X``: the size of
    ``dh_{T+1}/dt`` (paper App. L calls it the hidden-layer gradient).

    Parameters
    ----------
    history : lrnn_utils.engine.TrainingHistory
    X : array_like, shape (P, T, Nx)
    lr : float
        The learning rate η of the run.

    Returns
    -------
    numpy.ndarray, shape (n_records - 1,)

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_utils.engine import TrainingHistory
    >>> one = np.ones((1, 1, 1))
    >>> Wx = np.stack([one[0], 2 * one[0]])  # W_x = 1, then 2
    >>> zero, w1 = np.zeros((2, 1, 1)), np.ones((2, 1, 1))
    >>> hist = TrainingHistory(np.array([0, 2]), Wx, zero, w1, np.zeros(2))
    >>> hidden_speed(hist, one, lr=0.5)  # h_{T+1} = W_x x moves from 1 to 2 in time 1
    array([1.])
    """
    check_instance(history, TrainingHistory, "history")
    X = as_finite_array(X, "X", ndim=3)
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must hold at least one trial and time step, got {X.shape}")
    lr = check_finite_scalar(lr, "lr", positive=True)
    h = rollout(history.Wx, history.Wh, time_major(X))[..., -1, :, :]
    dn = np.diff(history.steps).astype(float)
    dh = np.diff(h, axis=0)
    return np.sqrt(np.mean(np.sum(dh**2, axis=-1), axis=-1)) / (lr * dn)
