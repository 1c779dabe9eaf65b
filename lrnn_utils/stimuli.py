"""Sensory-integration data from neurogym and the mode read-out of unaligned networks.

The stimuli come from neurogym's ``MultiSensoryIntegration-v0`` (paper Sec. 3.6,
App. P.4.3): two modalities with two channels each, so four stimulus dimensions once
the fixation input is dropped.  Each trial is a constant stimulus (0.5 plus a
coherence-dependent offset) with independent Gaussian noise at every step.  The data
are not whitened.  Every target is a weighted sum over the trajectory,
``y = Σ_t w_t x_t``, with the weights of :func:`target_weights`.

neurogym (2.2.0) is imported lazily, so the rest of the package works without it.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._validation import (
    check_choice,
    check_finite_scalar,
)

__all__ = [
    "TARGETS",
    "N_STIM",
    "target_weights",
    "trials",
    "neurogym_trials",
]

#: Names of the targets understood by :func:`target_weights` and :func:`trials`.
TARGETS = ("mean", "sum", "late", "early")
#: Number of stimulus dimensions (fixation input removed).
N_STIM = 4
_DT = 100  # neurogym's default time step (ms)


def _check_int(n, name: str, minimum: int = 1) -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(n).__name__}")
    if n < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {n}")
    return int(n)


def target_weights(target: str, T: int) -> np.ndarray:
    """Weights ``w_t`` (``t = 1..T``) of the target ``y = Σ_t w_t x_t``.

    * ``"mean"``: ``w_t = 1/T``;  ``"sum"``: ``w_t = 1``;
    * ``"late"`` (late importance, paper App. L): ``w_t = 0.1 t``;
    * ``"early"`` (early importance, paper App. L): ``w_t = 1/t``.

    Parameters
    ----------
    target : {"mean", "sum", "late", "early"}
    T : int
        Trajectory length, ``>= 1``.

    Returns
    -------
    numpy.ndarray, shape (T,)

    Raises
    ------
    TypeError
        ``target`` not a string or ``T`` not an integer.
    ValueError
        Unknown ``target`` or ``T < 1``.

    Examples
    --------
    >>> target_weights("late", 3)
    array([0.1, 0.2, 0.3])
    >>> target_weights("early", 4) * 12
    array([12.,  6.,  4.,  3.])
    """
    target = check_choice(target, "target", TARGETS)
    T = _check_int(T, "T")
    t = np.arange(1, T + 1, dtype=float)
    if target == "mean":
        return np.full(T, 1.0 / T)
    if target == "sum":
        return np.ones(T)
    if target == "late":
        return 0.1 * t
    return 1.0 / t


def trials(n_trials: int, T: int, rng, target: str = "mean", sigma: float = 1.0):
    """``n_trials`` stimulus trajectories of length ``T`` and their targets.

    The stimulus period of ``MultiSensoryIntegration-v0`` is timed to last exactly
    ``T`` steps (fixation and decision periods of length 0), and the fixation input
    is dropped.  neurogym's generator is seeded from ``rng``, so the same ``rng``
    state gives the same trials; its warnings are silenced.

    Parameters
    ----------
    n_trials : int
        Number of trials ``P >= 1``.
    T : int
        Trajectory length ``>= 1``.
    rng : numpy.random.Generator
        Seeds neurogym's generator (one draw).
    target : {"mean", "sum", "late", "early"}, default "mean"
        See :func:`target_weights`.
    sigma : float, default 1.0
        neurogym's noise parameter: the noise added at each 100 ms step has standard
        deviation ``sigma / 10``.

    Returns
    -------
    X : numpy.ndarray, shape (n_trials, T, 4)
    Y : numpy.ndarray, shape (n_trials, 4)
        ``Y[p] = Σ_t w_t X[p, t]``.

    Raises
    ------
    TypeError
        ``n_trials``/``T`` not integers, ``target`` not a string, ``rng`` not a
        ``numpy.random.Generator``.
    ValueError
        ``n_trials < 1``, ``T < 1`` or unknown ``target``.

    Examples
    --------
    >>> import numpy as np
    >>> X, Y = trials(3, 5, np.random.default_rng(0), target="sum")
    >>> X.shape, Y.shape
    ((3, 5, 4), (3, 4))
    >>> bool(np.allclose(Y, X.sum(axis=1)))
    True
    """
    n_trials = _check_int(n_trials, "n_trials")
    T = _check_int(T, "T")
    w = target_weights(target, T)
    sigma = check_finite_scalar(sigma, "sigma")
    if sigma < 0:
        raise ValueError(f"sigma must be >= 0, got {sigma}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, got {type(rng).__name__}"
        )
    seed = int(rng.integers(2**31 - 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import neurogym as ngym

        timing = {"fixation": 0, "stimulus": T * _DT, "decision": 0}
        env = ngym.make(
            "MultiSensoryIntegration-v0", timing=timing, sigma=sigma
        ).unwrapped
        env.seed(seed)
        X = np.empty((n_trials, T, N_STIM))
        for p in range(n_trials):
            env.new_trial()
            X[p] = env.ob[:T, 1:]  # drop the fixation input (column 0)
    return X, np.einsum("t,pti->pi", w, X)


def neurogym_trials(name: str, n_trials: int, rng, timing=None):
    """Trials of any neurogym task with a fixed trial length, as ``(X, Y)``.

    The inputs are neurogym's observations over the whole trial; the target of a
    trial is its ground truth at the last step, one-hot over the actions when the
    action space is discrete (so a linear network reads the answer out at the end).
    neurogym's generator is seeded from ``rng`` and its warnings are silenced.

    Parameters
    ----------
    name : str
        A registered neurogym task, e.g. ``"PerceptualDecisionMaking-v0"``.
    n_trials : int
        Number of trials ``P >= 1``.
    rng : numpy.random.Generator
        Seeds neurogym's generator (one draw).
    timing : dict, optional
        Durations (ms) of the task's periods, passed to ``neurogym.make``; use it to
        fix the length of a task whose periods are random.

    Returns
    -------
    X : numpy.ndarray, shape (n_trials, T, Nx)
    Y : numpy.ndarray, shape (n_trials, Ny)

    Raises
    ------
    TypeError
        ``name`` not a string, ``n_trials`` not an integer, ``rng`` not a Generator,
        ``timing`` not a dict.
    ValueError
        An unknown task, a task without observations or ground truth, or trials of
        different lengths (the message suggests ``timing``).

    Examples
    --------
    >>> import numpy as np
    >>> X, Y = neurogym_trials("GoNogo-v0", 4, np.random.default_rng(0))
    >>> X.shape, Y.shape
    ((4, 15, 3), (4, 2))
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a neurogym task name, got {type(name).__name__}")
    n_trials = _check_int(n_trials, "n_trials")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, got {type(rng).__name__}"
        )
    if timing is not None and not isinstance(timing, dict):
        raise TypeError(f"timing must be a dict, got {type(timing).__name__}")
    seed = int(rng.integers(2**31 - 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import neurogym as ngym

        kwargs = {} if timing is None else {"timing": timing}
        try:
            env = ngym.make(name, **kwargs).unwrapped
        except Exception as exc:  # gymnasium raises its own error types
            raise ValueError(
                f"name: cannot make neurogym task {name!r}: {exc}"
            ) from None
        env.seed(seed)
        obs, gts = [], []
        for _ in range(n_trials):
            env.new_trial()
            if not hasattr(env, "ob") or not hasattr(env, "gt"):
                raise ValueError(
                    f"name: neurogym task {name!r} has no trial observations or "
                    "ground truth"
                )
            obs.append(np.array(env.ob, dtype=float))
            gts.append(np.array(env.gt))
    lengths = sorted({o.shape[0] for o in obs})
    if len(lengths) > 1:
        raise ValueError(
            f"name: neurogym task {name!r} has trials of lengths {lengths[:5]}; "
            "the theory needs one length (pass timing= with fixed durations)"
        )
    X = np.stack(obs).reshape(n_trials, lengths[0], -1)
    last = np.stack([g[-1] for g in gts])
    n_act = getattr(env.action_space, "n", None)
    if n_act is not None and last.ndim == 1:
        Y = np.eye(int(n_act))[last.astype(int)]
    else:
        Y = last.reshape(n_trials, -1).astype(float)
    return X, Y
