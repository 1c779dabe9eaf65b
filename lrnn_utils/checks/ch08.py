"""Checks for the coding exercises of chapter 8 (outputs at every time step)."""

from __future__ import annotations

import numpy as np

from .. import t_output
from ..network import rollout, time_major
from ._core import CheckResult, Mistake, check_function

__all__ = ["t_output_loss", "t_output_flows"]


# --- the loss over every output time --------------------------------------------
def _loss(Wx, Wh, Wy, X, Y, readout=1, over_t="sum", per_sample=True, half=True):
    H = rollout(Wx, Wh, time_major(X))  # h_1 .. h_{T+1}
    T = X.shape[1]
    Yhat = np.swapaxes(H[readout : readout + T] @ Wy.T, 0, 1)
    if over_t == "last":
        err = Y[:, -1] - Yhat[:, -1]
    else:
        err = Y - Yhat
    val = np.sum(err**2) / (X.shape[0] if per_sample else 1)
    if over_t == "mean":
        val /= T
    return float(val * (0.5 if half else 1.0))


def _loss_ref(Wx, Wh, Wy, X, Y):
    return _loss(Wx, Wh, Wy, X, Y)


def _loss_cases(seed: int = 808):
    rng = np.random.default_rng(seed)

    def case(P, T, Nx, Nh, Ny):
        return dict(
            Wx=0.6 * rng.standard_normal((Nh, Nx)),
            Wh=0.6 * rng.standard_normal((Nh, Nh)),
            Wy=0.6 * rng.standard_normal((Ny, Nh)),
            X=rng.standard_normal((P, T, Nx)),
            Y=rng.standard_normal((P, T, Ny)),
        )

    cases = [case(5, 4, 2, 3, 2), case(3, 6, 1, 2, 1), case(7, 3, 3, 3, 2)]
    edges = [("T = 1", case(4, 1, 2, 2, 1)), ("one sample", case(1, 5, 2, 3, 2))]
    return cases, edges


_LOSS_MISTAKES = [
    Mistake(
        "that is the single-output loss of the last step: add the errors of every "
        "output time t = 1..T",
        lambda **k: _loss(**k, over_t="last"),
    ),
    Mistake(
        "divided by T: the book (like paper eq. 144) sums over output times and "
        "averages over samples only",
        lambda **k: _loss(**k, over_t="mean"),
    ),
    Mistake(
        "off by one in time: the output at time t reads h_{t+1} (the state after "
        "input x_t), not h_t",
        lambda **k: _loss(**k, readout=0),
    ),
    Mistake(
        "the 1/P is missing: the loss averages over the P samples",
        lambda **k: _loss(**k, per_sample=False),
    ),
    Mistake(
        "the factor ½ is missing",
        lambda **k: _loss(**k, half=False),
    ),
]


def t_output_loss(student, seed: int = 808) -> CheckResult:
    """Check ``t_output_loss(Wx, Wh, Wy, X, Y)``, the loss over every output time.

    ``L = (1/2P) Σ_p Σ_t ‖y_{p,t} − ŷ_{p,t}‖²``.

    ``X`` is ``(P, T, Nx)``, ``Y`` is ``(P, T, Ny)`` and ``ŷ_t = W_y h_{t+1}``.
    Three random networks, then the edges T = 1 and a single sample.

    Examples
    --------
    >>> t_output_loss(_loss_ref)
    ✔ t_output_loss: matches the reference on 3 random cases and 2 edge cases \
(T = 1; one sample)
    """
    cases, edges = _loss_cases(seed)
    return check_function(
        "t_output_loss",
        student,
        _loss_ref,
        cases,
        _LOSS_MISTAKES,
        edges=edges,
        rtol=1e-9,
        atol=1e-12,
        labels=("loss",),
    )


# --- the mode equations of the T-output case -------------------------------------
def _flows(a, b, c, s, lag="t-i", upper=False, factor=True, sign=1.0, rows="all"):
    T = s.shape[-1]
    t = np.arange(1, T + 1)[:, None]
    i = np.arange(1, T + 1)[None, :]
    k = (t - i if lag == "t-i" else T - i) * np.ones_like(t)
    keep = np.ones((T, T), bool) if upper else (i <= t)
    if rows == "last":
        keep = keep & (t == T)
    b_ = np.asarray(b, dtype=float)[..., None, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pw = np.where(keep, b_ ** k.astype(float), 0.0)
        dk = np.where(keep & (k > 0), (k if factor else 1) * b_ ** (k - 1.0), 0.0)
        u = (np.asarray(a) * np.asarray(c))[..., None, None]
        r = np.where(keep, s - u * pw, 0.0)
        g = np.sum(pw * r, axis=(-2, -1))
        gb = np.sum(dk * r, axis=(-2, -1))
    return sign * c * g, sign * a * c * gb, sign * a * g


def _flows_check_ref(a, b, c, s):
    return t_output.mode_flows(a, b, c, s)


def _flow_cases(seed: int = 818):
    rng = np.random.default_rng(seed)

    def case(T, n=5, b=None):
        return dict(
            a=rng.normal(size=n),
            b=rng.uniform(-1.3, 1.3, n) if b is None else np.asarray(b, float),
            c=rng.normal(size=n),
            s=np.tril(rng.normal(size=(n, T, T))),
        )

    cases = [case(3), case(5), case(4)]
    edges = [("b = 0", case(4, b=[0.0, 0.5, 0.0, -0.3, 0.0])), ("T = 1", case(1))]
    return cases, edges


_FLOW_MISTAKES = [
    Mistake(
        "that is the single-output flow of the last output time: sum the flows of "
        "every output time t = 1..T",
        lambda **k: _flows(**k, rows="last"),
    ),
    Mistake(
        "the lag is t − i (output time minus input time), not T − i",
        lambda **k: _flows(**k, lag="T-i"),
    ),
    Mistake(
        "the inner sum runs over i ≤ t only: an output cannot depend on later inputs",
        lambda **k: _flows(**k, upper=True),
    ),
    Mistake(
        "ḃ misses the factor (t − i) from d(b^{t−i})/db",
        lambda **k: _flows(**k, factor=False),
    ),
    Mistake(
        "wrong sign: the flows are −∂E/∂(a, b, c), downhill",
        lambda **k: _flows(**k, sign=-1.0),
    ),
]


def t_output_flows(student, seed: int = 818) -> CheckResult:
    """Check ``t_output_flows(a, b, c, s)`` = the right-hand sides of paper eqs
    (152), (154), (155) with τ = 1, for ``s`` of shape ``(..., T, T)``.

    Three random cases (five modes each), then the edges b = 0 and T = 1.

    Examples
    --------
    >>> t_output_flows(_flows_check_ref)
    ✔ t_output_flows: matches the reference on 3 random cases and 2 edge cases \
(b = 0; T = 1)
    """
    cases, edges = _flow_cases(seed)
    return check_function(
        "t_output_flows",
        student,
        _flows_check_ref,
        cases,
        _FLOW_MISTAKES,
        edges=edges,
        rtol=1e-9,
        atol=1e-12,
        labels=("da", "db", "dc"),
    )
