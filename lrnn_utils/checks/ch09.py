"""Checks for the coding exercises of chapter 9 (rotations, complex modes).

* :func:`complex_euler_step`: one Euler step of the complex mode equations (paper
  eqs. (182)–(184));
* :func:`read_complex_modes`: the complex modes of a conjugate pair read off real,
  eigenvector-aligned weights (paper eqs. (200)–(202)).

Examples
--------
>>> def stub(a, b, c, d, lr):
...     raise NotImplementedError()
>>> complex_euler_step(stub)
… complex_euler_step: the function still raises NotImplementedError
"""

from __future__ import annotations

import numpy as np

from .. import rotations
from ._core import CheckResult, Mistake, check_function

__all__ = ["complex_euler_step", "read_complex_modes"]


# ----------------------------------------------------------------------------
# one Euler step of the complex mode equations
# ----------------------------------------------------------------------------


def _step_reference(a, b, c, d, lr):
    da, db, dc = rotations.mode_flows(a, b, c, d)
    return a + lr * da, b + lr * db, c + lr * dc


def _step_with(flows):
    def step(a, b, c, d, lr):
        da, db, dc = flows(complex(a), complex(b), complex(c), np.asarray(d))
        return a + lr * da, b + lr * db, c + lr * dc

    return step


def _flows_variant(conj=True, half=False, lag_shift=0, b_factor=True):
    def flows(a, b, c, d):
        T = d.size
        k = np.arange(T - 1, -1, -1)
        cj = np.conj if conj else (lambda z: z)
        r = d - c * b**k * a
        p1 = (k if b_factor else 1) * b ** np.maximum(k - 1 + lag_shift, 0)
        out = (
            np.sum(cj(c * b**k) * r),
            np.sum(cj(c * a * p1) * r),
            np.sum(cj(a * b**k) * r),
        )
        return tuple(0.5 * x for x in out) if half else out

    return flows


def _step_cases(seed: int = 909):
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(4):
        T = int(rng.integers(3, 7))
        a, b, c = rng.normal(size=3) * 0.6 + 1j * rng.normal(size=3) * 0.6
        lam = 0.9 * np.exp(1j * rng.uniform(-np.pi, np.pi))
        d = rotations.task_eigenvalues("inverse_exponential", T, 1.0, lam)
        cases.append(dict(a=a, b=b, c=c, d=d, lr=0.05))
    edges = [
        (
            "b = 0",
            dict(a=0.5 + 0.2j, b=0j, c=0.3 - 0.4j, d=np.array([1j, 2.0]), lr=0.1),
        ),
        (
            "T = 1",
            dict(a=0.5 + 0.2j, b=0.7j, c=0.3 - 0.4j, d=np.array([1 + 1j]), lr=0.1),
        ),
    ]
    return cases, edges


def complex_euler_step(student, seed: int = 909) -> CheckResult:
    """Check ``euler_step(a, b, c, d, lr)`` → ``(a, b, c)`` after one step.

    The step is ``a ← a + η Σ_i conj(c b^{T−i}) r_i`` and alike for ``b`` and ``c``
    (paper eqs. (182)–(184) with τ = 1), ``r_i = d_i − c b^{T−i} a``.

    Examples
    --------
    >>> complex_euler_step(_step_reference)
    ✔ complex_euler_step: matches the reference on 4 random cases and 2 edge \
cases (b = 0; T = 1)
    """
    cases, edges = _step_cases(seed)
    mistakes = [
        Mistake(
            "no complex conjugates: the gradient of |r|² with respect to the real "
            "and imaginary parts of a is conj(∂r/∂a)·r, not (∂r/∂a)·r",
            _step_with(_flows_variant(conj=False)),
        ),
        Mistake(
            "half the step: you used −∂E/∂ā; gradient descent on the real and "
            "imaginary parts gives ȧ = −2 ∂E/∂ā for E = ½ Σ |r_i|²",
            _step_with(_flows_variant(half=True)),
        ),
        Mistake(
            "b's update misses the factor (T − i) from differentiating b^(T−i)",
            _step_with(_flows_variant(b_factor=False)),
        ),
        Mistake(
            "off by one in b's power: ∂ b^k/∂b = k b^(k−1), not k b^k",
            _step_with(_flows_variant(lag_shift=1)),
        ),
    ]
    return check_function(
        "complex_euler_step",
        student,
        _step_reference,
        cases,
        edges=edges,
        mistakes=mistakes,
        labels=("a", "b", "c"),
    )


# ----------------------------------------------------------------------------
# reading the complex modes off real weights
# ----------------------------------------------------------------------------


def _read_reference(Wx, Wh, Wy, P, O):
    Ph = P.conj().T
    return (
        np.diagonal(Ph @ O.T @ Wx @ P)[::2],
        np.diagonal(Ph @ O.T @ Wh @ O @ P)[::2],
        np.diagonal(Ph @ Wy @ O @ P)[::2],
    )


def _read_cases(seed: int = 919):
    rng = np.random.default_rng(seed)
    cases = []
    for K in (1, 2, 2, 3):
        task = rotations.make_rotational_task(np.ones((K, 2)), 4 * K, rng)
        a, b, c = (rng.normal(size=(3, K)) + 1j * rng.normal(size=(3, K))) * 0.5
        Wx, Wh, Wy, O = rotations.aligned_weights(task, a, b, c, rng)
        cases.append(dict(Wx=Wx, Wh=Wh, Wy=Wy, P=task.P, O=O))
    return cases


def read_complex_modes(student, seed: int = 919) -> CheckResult:
    """Check ``read_modes(Wx, Wh, Wy, P, O)`` → ``(a, b, c)``, one entry per pair.

    ``a = diag(P† Oᵀ W_x P)`` (every other entry: the first member of each pair),
    ``b = diag(P† Oᵀ W_h O P)``, ``c = diag(P† W_y O P)``.

    Examples
    --------
    >>> read_complex_modes(_read_reference)
    ✔ read_complex_modes: matches the reference on 4 random cases
    """

    def variant(fn):
        def wrong(Wx, Wh, Wy, P, O):
            return fn(Wx, Wh, Wy, P, O)

        return wrong

    def no_conj(Wx, Wh, Wy, P, O):
        Pt = P.T
        return (
            np.diagonal(Pt @ O.T @ Wx @ P)[::2],
            np.diagonal(Pt @ O.T @ Wh @ O @ P)[::2],
            np.diagonal(Pt @ Wy @ O @ P)[::2],
        )

    def partner(Wx, Wh, Wy, P, O):
        return tuple(np.conj(m) for m in _read_reference(Wx, Wh, Wy, P, O))

    def no_O(Wx, Wh, Wy, P, O):
        Ph = P.conj().T
        return (
            np.diagonal(Ph @ Wx @ P)[::2],
            np.diagonal(Ph @ Wh @ P)[::2],
            np.diagonal(Ph @ Wy @ P)[::2],
        )

    def real_part(Wx, Wh, Wy, P, O):
        return tuple(m.real for m in _read_reference(Wx, Wh, Wy, P, O))

    mistakes = [
        Mistake(
            "you used Pᵀ instead of P† = conj(P)ᵀ: P is complex, and its inverse is "
            "its conjugate transpose",
            variant(no_conj),
        ),
        Mistake(
            "these are the conjugates: take the entries 0, 2, 4, ... of the diagonal "
            "(the first member of each pair, whose eigenvector is column 2k of P)",
            variant(partner),
        ),
        Mistake(
            "the hidden basis O is missing: the weights are O P A P†, O P B P† Oᵀ, "
            "P C P† Oᵀ, so undo O on the hidden side first",
            variant(no_O),
        ),
        Mistake(
            "you kept only the real parts; the modes are complex",
            variant(real_part),
        ),
    ]
    return check_function(
        "read_complex_modes",
        student,
        _read_reference,
        _read_cases(seed),
        mistakes=mistakes,
        labels=("a", "b", "c"),
    )
