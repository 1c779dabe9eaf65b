"""Tests of the chapter 9 exercise checks: right answers pass, stubs are "not done yet",
and every typical wrong answer gets its own message."""

import numpy as np
import pytest

from lrnn_utils import checks


def _stub(*args, **kwargs):
    raise NotImplementedError()


def _step(a, b, c, d, lr, conj=True, half=False, factor=True, shift=0):
    k = np.arange(len(d) - 1, -1, -1)
    cj = np.conj if conj else (lambda z: z)
    r = d - c * b**k * a
    p1 = (k if factor else 1) * b ** np.maximum(k - 1 + shift, 0)
    g = 0.5 if half else 1.0
    return (
        a + g * lr * np.sum(cj(c * b**k) * r),
        b + g * lr * np.sum(cj(c * a * p1) * r),
        c + g * lr * np.sum(cj(a * b**k) * r),
    )


WRONG_STEP = {
    "no complex conjugates": lambda a, b, c, d, lr: _step(a, b, c, d, lr, conj=False),
    "half the step": lambda a, b, c, d, lr: _step(a, b, c, d, lr, half=True),
    "factor (T − i)": lambda a, b, c, d, lr: _step(a, b, c, d, lr, factor=False),
    "off by one in b's power": lambda a, b, c, d, lr: _step(a, b, c, d, lr, shift=1),
}


def test_euler_step_right_and_stub():
    assert checks.complex_euler_step(_step).passed
    assert "not done yet" in repr(checks.complex_euler_step(_stub)) or "…" in repr(
        checks.complex_euler_step(_stub)
    )


@pytest.mark.parametrize("key", sorted(WRONG_STEP))
def test_euler_step_mistakes_are_named(key):
    res = checks.complex_euler_step(WRONG_STEP[key])
    assert not res.passed
    assert key in repr(res), repr(res)


def _read(Wx, Wh, Wy, P, O, T=lambda M: M.conj().T, hidden=True, sel=0, real=False):
    Oh = O if hidden else np.eye(O.shape[0])
    out = (
        np.diagonal(T(P) @ Oh.T @ Wx @ P)[sel::2],
        np.diagonal(T(P) @ Oh.T @ Wh @ Oh @ P)[sel::2],
        np.diagonal(T(P) @ Wy @ Oh @ P)[sel::2],
    )
    return tuple(m.real for m in out) if real else out


WRONG_READ = {
    "P† = conj(P)ᵀ": lambda Wx, Wh, Wy, P, O: _read(Wx, Wh, Wy, P, O, T=np.transpose),
    "conjugates": lambda Wx, Wh, Wy, P, O: _read(Wx, Wh, Wy, P, O, sel=1),
    "hidden basis O is missing": lambda Wx, Wh, Wy, P, O: _read(
        Wx, Wh, Wy, P, O, hidden=False
    ),
    "only the real parts": lambda Wx, Wh, Wy, P, O: _read(Wx, Wh, Wy, P, O, real=True),
}


def test_read_right_and_stub():
    assert checks.read_complex_modes(_read).passed
    assert not checks.read_complex_modes(_stub).passed


@pytest.mark.parametrize("key", sorted(WRONG_READ))
def test_read_mistakes_are_named(key):
    res = checks.read_complex_modes(WRONG_READ[key])
    assert not res.passed
    assert key in repr(res), repr(res)
