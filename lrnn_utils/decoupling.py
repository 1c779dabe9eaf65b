"""Infrastructure for chapter 2: decoupling the aligned linear RNN into modes.

The lesson itself (reading the modes off the weights, one Euler step of the mode
equations, gradient descent on the full matrices next to it) is written out in the
chapter. This module keeps what the chapter uses after it has shown that computation:

* :func:`two_basis_init` -- the initialisation as printed in App. P.1.1 of the paper
  (two hidden bases, ``R_y = R_x^{-1}``), kept to show why it is not aligned;
* :func:`teacher_task` -- data from an aligned linear-RNN teacher (App. B, eqs 26-29);
* :func:`energy_gradient_fd` -- central finite differences of the energy;
* :func:`run_aligned` -- the reference runner: full-matrix gradient descent from an
  aligned start next to the Euler-integrated mode equations.

The weights seen in the aligned basis and their distance from the aligned form are
read-outs of the network: :func:`lrnn_utils.network.aligned_blocks`,
:func:`lrnn_utils.network.misalignment`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import engine as _engine
from . import network as _network
from . import theory as _theory
from ._validation import (
    as_finite_array,
    check_choice,
    check_finite_scalar,
    check_mode_vector,
    check_positive_int,
    check_rng,
)
from .tasks import Task, check_task, make_task, random_orthonormal

__all__ = [
    "two_basis_init",
    "teacher_task",
    "energy_gradient_fd",
    "AlignedRun",
    "run_aligned",
]


def two_basis_init(task: Task, a0, b0, c0, rng: np.random.Generator):
    """The aligned initialisation as literally written in the paper's App. P.1.1.

    ``W_x = R_x A Vᵀ``, ``W_h = R_y B R_xᵀ``, ``W_y = U C R_yᵀ`` with
    ``R_y = R_x^{-1} = R_xᵀ`` (paper eqs 191-193).  Then
    ``W_y W_h^k W_x = U C B^k A Vᵀ`` holds for ``k = 1`` only; it is kept here
    to demonstrate the inconsistency (use :func:`lrnn_utils.network.aligned_init`,
    which uses one basis ``R``, for actual work).

    Parameters
    ----------
    task : Task
    a0, b0, c0 : float or array_like of shape (K,)
    rng : numpy.random.Generator

    Returns
    -------
    (Wx, Wh, Wy, Rx, Ry)
        Hidden size ``K``.

    Raises
    ------
    TypeError
        If ``task`` is not a Task or ``rng`` not a ``numpy.random.Generator``.
    ValueError
        If a mode vector has the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_utils import network, tasks
    >>> rng = np.random.default_rng(1)
    >>> task = tasks.make_task(np.ones((3, 3)), P=18, rng=rng)
    >>> Wx, Wh, Wy, Rx, Ry = two_basis_init(task, 1.0, 0.5, 1.0, rng)
    >>> M = network.effective_maps(Wx, Wh, Wy, 3)  # M[T-1-k] has k recurrent steps
    >>> aligned = [task.U @ (0.5**k * task.V.T) for k in range(3)]
    >>> [bool(np.allclose(M[2 - k], aligned[k])) for k in range(3)]
    [False, True, False]
    """
    check_task(task)
    check_rng(rng)
    K = task.K
    A = np.diag(check_mode_vector(a0, K, "a0"))
    B = np.diag(check_mode_vector(b0, K, "b0"))
    C = np.diag(check_mode_vector(c0, K, "c0"))
    Rx = random_orthonormal(K, K, rng)
    Ry = np.linalg.inv(Rx)
    return Rx @ A @ task.V.T, Ry @ B @ Rx.T, task.U @ C @ Ry.T, Rx, Ry


def teacher_task(
    sx, sh, sy, T: int, P: int, rng: np.random.Generator, n_in=None, n_out=None
):
    """Data produced by a diagonalizable linear-RNN teacher (paper App. B, eqs 26-29).

    The teacher has ``W̃_x = R̃ diag(sx) Vᵀ``, ``W̃_h = R̃ diag(sh) R̃ᵀ``,
    ``W̃_y = U diag(sy) R̃ᵀ``; inputs are whitened exactly and the targets are
    the teacher's outputs.  Its correlations are then
    ``Σ^{YX_t} = U diag(sy · sh^{T−t} · sx) Vᵀ``: constant singular vectors
    (Assumption 2) and, per mode, inverse-exponential singular values with
    ``δ = sy·sx`` and ``λ = sh``.

    Parameters
    ----------
    sx, sh, sy : array_like, shape (K,)
        Diagonals of the teacher's input, recurrent and output matrices.
    T, P : int
        Trajectory length and number of trajectories (``P >= T * n_in``).
    rng : numpy.random.Generator
    n_in, n_out : int, optional
        Input/output dimensions (default ``K``).

    Returns
    -------
    (task, teacher)
        ``task`` is a :class:`~lrnn_utils.tasks.Task` whose ``Y`` are the
        teacher's outputs and whose ``S`` holds the predicted singular values;
        ``teacher`` is the tuple ``(W̃_x, W̃_h, W̃_y)``.

    Raises
    ------
    ValueError
        If ``sx, sh, sy`` differ in shape, ``T`` is not a positive integer, or
        ``P`` is too small to whiten the inputs.

    Examples
    --------
    >>> import numpy as np
    >>> task, teacher = teacher_task(
    ...     [1.0], [0.5], [2.0], T=3, P=6, rng=np.random.default_rng(0)
    ... )
    >>> task.s.T[:, 0]  # delta lambda^(T-t) with delta = 2, lambda = 0.5
    array([0.5, 1. , 2. ])
    """
    sx = as_finite_array(sx, "sx", ndim=1)
    sh = as_finite_array(sh, "sh", ndim=1)
    sy = as_finite_array(sy, "sy", ndim=1)
    if not (sx.shape == sh.shape == sy.shape):
        raise ValueError(
            "sx, sh, sy must have the same shape (K,), got "
            f"{sx.shape}, {sh.shape}, {sy.shape}"
        )
    T = check_positive_int(T, "T")
    # s_t = sy * sh^(T-t) * sx for t = 1..T, shape (T, K)
    S = (sy * sx)[None, :] * _theory.decay_powers(sh, T).T
    # make_task supplies whitened X and the singular vectors U, V
    base = make_task(S, P, rng, n_in=n_in, n_out=n_out)
    K = sx.size
    Rt = random_orthonormal(K, K, rng)
    Wx_t = Rt @ (sx[:, None] * base.V.T)
    Wh_t = Rt @ (sh[:, None] * Rt.T)
    Wy_t = base.U @ (sy[:, None] * Rt.T)
    Y = _network.forward(Wx_t, Wh_t, Wy_t, base.X)
    return Task(X=base.X, Y=Y, U=base.U, V=base.V, s=S.T.copy()), (Wx_t, Wh_t, Wy_t)


def energy_gradient_fd(a, b, c, s, h: float = 1e-6):
    """Central finite differences of :func:`lrnn_utils.theory.energy`.

    Returns ``(∂E/∂a, ∂E/∂b, ∂E/∂c)`` approximated as ``(E(x+h) − E(x−h)) / 2h``;
    broadcasts like :func:`lrnn_utils.theory.energy`.

    Raises
    ------
    ValueError
        If ``h`` is not a positive finite number or an input is not finite.

    Examples
    --------
    >>> import numpy as np
    >>> da, db, dc = energy_gradient_fd(1.0, 0.5, 1.0, np.array([0.0, 1.0]))
    >>> round(float(da), 6)  # dE/da = -(s_1 - c b a) c b = 0.5 * 0.5
    0.25
    """
    h = check_finite_scalar(h, "h", positive=True)
    a = as_finite_array(a, "a")
    b = as_finite_array(b, "b")
    c = as_finite_array(c, "c")
    E = _theory.energy
    da = (E(a + h, b, c, s) - E(a - h, b, c, s)) / (2 * h)
    db = (E(a, b + h, c, s) - E(a, b - h, c, s)) / (2 * h)
    dc = (E(a, b, c + h, s) - E(a, b, c - h, s)) / (2 * h)
    return da, db, dc


@dataclass(frozen=True)
class AlignedRun:
    """Full-matrix gradient descent and the mode equations, side by side.

    Attributes
    ----------
    steps : ndarray, shape (n,)
        Recorded update steps.
    a, b, c : ndarray, shape (n, K)
        Modes read off the full-matrix weights with :func:`lrnn_utils.network.modes`.
    loss : ndarray, shape (n,)
        Full-matrix loss.
    misalignment : ndarray, shape (n,)
        :func:`lrnn_utils.network.misalignment` of the full-matrix weights.
    theory : lrnn_utils.theory.ModeTrajectory
        Euler integration of the mode equations from the same start.
    final_weights : tuple of ndarray
        ``(W_x, W_h, W_y)`` after the last step.
    R : ndarray, shape (Nh, Nh)
        The hidden basis drawn by :func:`lrnn_utils.network.aligned_init`.
    """

    steps: np.ndarray
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    loss: np.ndarray
    misalignment: np.ndarray
    theory: _theory.ModeTrajectory
    final_weights: tuple
    R: np.ndarray

    @property
    def u(self) -> np.ndarray:
        """``u = a c`` of the full-matrix run."""
        return self.a * self.c

    @property
    def max_deviation(self) -> float:
        """Largest ``|simulation − theory|`` over steps, modes and ``a, b, c``."""
        return float(
            max(
                np.max(np.abs(self.a - self.theory.a)),
                np.max(np.abs(self.b - self.theory.b)),
                np.max(np.abs(self.c - self.theory.c)),
            )
        )


def run_aligned(
    task: Task,
    a0,
    b0,
    c0,
    lr: float,
    steps: int,
    rng: np.random.Generator,
    record_every: int = 1,
    method: str = "bptt",
):
    """Train the full matrices from an aligned start and integrate the mode equations.

    Builds weights with :func:`lrnn_utils.network.aligned_init`, runs
    :func:`lrnn_utils.engine.train` with the chosen ``method`` and
    :func:`lrnn_utils.theory.simulate_modes` with the same learning rate and step
    count, and reads the modes off the full-matrix history.

    Parameters
    ----------
    task : Task
    a0, b0, c0 : float or array_like of shape (K,)
        Initial modes.
    lr : float
        Learning rate (= Euler step of the mode equations).
    steps : int
        Number of updates.
    rng : numpy.random.Generator
        Draws the hidden basis ``R``.
    record_every : int, default 1
    method : {"bptt", "moments"}, default "bptt"
        The engine's gradient: backpropagation through time on the samples, or
        the same gradient through the data's second moments, equal up to rounding
        and several times faster (see :func:`lrnn_utils.engine.train`).

    Returns
    -------
    AlignedRun

    Raises
    ------
    lrnn_utils.TrainingDivergedError
        If either run diverges.
    TypeError
        If ``task`` is not a :class:`~lrnn_utils.tasks.Task`, or ``method`` is not
        a string.
    ValueError
        If ``method`` is not ``"bptt"`` or ``"moments"``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_utils import tasks
    >>> rng = np.random.default_rng(0)
    >>> task = tasks.make_task(np.ones((3, 1)), P=6, rng=rng)
    >>> run = run_aligned(task, 0.1, 0.1, 0.1, lr=0.05, steps=20, rng=rng)
    >>> bool(run.max_deviation < 1e-12), run.a.shape
    (True, (21, 1))
    >>> quick = run_aligned(task, 0.1, 0.1, 0.1, 0.05, 20, rng, method="moments")
    >>> bool(quick.max_deviation < 1e-12)
    True
    """
    check_task(task)
    method = check_choice(method, "method", ("bptt", "moments"))
    Wx, Wh, Wy, R = _network.aligned_init(task, a0, b0, c0, rng)
    hist = _engine.train(
        Wx, Wh, Wy, task.X, task.Y, lr, steps, record_every, method=method
    )
    a, b, c = _network.modes(hist.Wx, hist.Wh, hist.Wy, task, R)
    mis = _network.misalignment(hist.Wx, hist.Wh, hist.Wy, task, R)
    K = task.K
    a0, b0, c0 = (np.broadcast_to(np.asarray(x, float), (K,)) for x in (a0, b0, c0))
    if K == 1:  # one mode: the scalar path (plain floats, several times faster)
        one = _theory.simulate_modes(
            a0[0], b0[0], c0[0], task.s[0], lr, steps, record_every
        )
        traj = _theory.ModeTrajectory(
            one.steps, *(x[:, None] for x in (one.a, one.b, one.c, one.energy))
        )
    else:
        traj = _theory.simulate_modes(
            a0, b0, c0, task.s, lr=lr, steps=steps, record_every=record_every
        )
    final = (hist.Wx[-1].copy(), hist.Wh[-1].copy(), hist.Wy[-1].copy())
    return AlignedRun(
        steps=hist.steps,
        a=a,
        b=b,
        c=c,
        loss=hist.loss,
        misalignment=mis,
        theory=traj,
        final_weights=final,
        R=R,
    )
