"""Tests of the chapter 2 exercise checks: right answers pass, stubs are "not done
yet", and each typical wrong answer gets its own message."""

import numpy as np
import pytest

from lrnn_utils import checks, network, tasks, theory
from lrnn_utils.checks import ch02

# ------------------------------------------------------------------ euler_step


def student_euler(
    a,
    b,
    c,
    s,
    lr,
    sign=1.0,
    factor_T=True,
    power_shift=0,
    reverse=False,
    stop_ac_early=False,
    lr_power=1,
    lr_factor=1.0,
    return_rates=False,
    sequential=False,
):
    """A student's loop over input times, with switches for typical mistakes."""
    T = s.shape[-1]

    def rates(a, b, c):
        da, db, dc = np.zeros_like(a), np.zeros_like(b), np.zeros_like(c)
        for i in range(1, T + 1):
            lag = (i - 1 if reverse else T - i) + power_shift
            r = s[:, i - 1] - c * b**lag * a
            if not (stop_ac_early and i == T):
                da += c * b**lag * r
                dc += a * b**lag * r
            if i < T:
                factor = (T - i) if factor_T else 1.0
                db += factor * c * a * b ** (T - i - 1) * r
        return da, db, dc

    step = sign * lr_factor * lr**lr_power
    if sequential:
        a = a + step * rates(a, b, c)[0]
        b = b + step * rates(a, b, c)[1]
        return a, b, c + step * rates(a, b, c)[2]
    da, db, dc = rates(a, b, c)
    if return_rates:
        return da, db, dc
    return a + step * da, b + step * db, c + step * dc


def test_euler_right_answers_pass():
    assert checks.euler_step(student_euler).passed
    # the library's right-hand sides give the same step
    lib = lambda a, b, c, s, lr: tuple(  # noqa: E731
        x + lr * dx for x, dx in zip((a, b, c), theory.mode_flows(a, b, c, s))
    )
    assert checks.euler_step(lib).passed
    sim = lambda a, b, c, s, lr: tuple(  # noqa: E731
        getattr(theory.simulate_modes(a, b, c, s, lr=lr, steps=1), k)[-1] for k in "abc"
    )
    assert checks.euler_step(sim).passed


def test_euler_stub_is_not_done_yet():
    def stub(a, b, c, s, lr):
        raise NotImplementedError()

    res = checks.euler_step(stub)
    assert not res.done and not res.passed
    assert "not done yet" in repr(res) or repr(res).startswith("…")
    assert "NotImplementedError" in res.message


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(sign=-1.0), "wrong sign"),
        (dict(return_rates=True), "you returned the rates"),
        (dict(factor_T=False), "misses the factor (T - i)"),
        (dict(power_shift=1), "you used b^(T-i+1)"),
        (dict(power_shift=-1), "you used b^(T-i-1)"),
        (dict(reverse=True), "wrong way in time"),
        (dict(stop_ac_early=True), "you stopped at T - 1"),
        (dict(lr_power=2), "lr^2"),
        (dict(lr_factor=2.0), "2 lr"),
        (dict(sequential=True), "one after another"),
    ],
)
def test_euler_each_mistake_has_its_message(kwargs, words):
    res = checks.euler_step(
        lambda a, b, c, s, lr: student_euler(a, b, c, s, lr, **kwargs)
    )
    assert res.status == "failed"
    assert words in res.message, res.message


def test_euler_mistake_models_are_distinct_on_the_first_case():
    case = ch02._euler_cases()[0][0]
    models = [m for m in ch02._EULER_MISTAKES if m.wrong is not ch02._raw_power]
    outs = [np.concatenate(m.wrong(**case)) for m in models]
    ref = np.concatenate(ch02._euler_reference(**case))
    msgs = [m.message for m in models]
    for k, out in enumerate(outs):
        assert not np.allclose(out, ref)
        for j in range(k):
            if msgs[j] != msgs[k]:  # variants of one mistake may coincide
                assert not np.allclose(out, outs[j]), (msgs[j], msgs[k])


def test_euler_shape_and_exception_messages():
    res = checks.euler_step(lambda a, b, c, s, lr: (a, b))
    assert "returned 2 values, expected 3" in res.message
    res = checks.euler_step(lambda a, b, c, s, lr: (a[:, None], b, c))
    assert "a has shape" in res.message
    res = checks.euler_step(lambda a, b, c, s, lr: 1 / 0)
    assert "ZeroDivisionError" in res.message
    with pytest.raises(TypeError):
        checks.euler_step("not a function")


def test_euler_reference_matches_the_library():
    cases, edges = ch02._euler_cases(seed=3)
    for case in cases + [c for _, c in edges]:
        want = theory.simulate_modes(
            case["a"], case["b"], case["c"], case["s"], lr=case["lr"], steps=1
        )
        got = ch02._euler_reference(**case)
        for g, k in zip(got, "abc"):
            np.testing.assert_allclose(g, getattr(want, k)[-1], rtol=1e-13)


def test_euler_raw_power_fails_only_at_b_zero():
    def raw(a, b, c, s, lr):
        lag = theory.time_lags(s.shape[-1])
        pw = b[:, None] ** lag
        r = s - (c * a)[:, None] * pw
        db = c * a * np.sum(lag * b[:, None] ** (lag - 1.0) * r, axis=-1)
        return (
            a + lr * c * np.sum(pw * r, axis=-1),
            b + lr * db,
            c + lr * a * np.sum(pw * r, axis=-1),
        )

    with np.errstate(all="ignore"):
        res = checks.euler_step(raw)
    assert res.status == "failed" and "NaN at b = 0" in res.message, res
    assert res.message.endswith("(edge case: b = 0)")


def test_euler_seed_gives_fresh_cases_and_the_same_verdict():
    from lrnn_utils.checks.ch02 import _euler_reference

    assert checks.euler_step(_euler_reference, seed=99).passed
    assert not np.allclose(
        ch02._euler_cases(99)[0][0]["s"][0], ch02._euler_cases()[0][0]["s"][0]
    )


def test_euler_output_is_deterministic():
    bad = lambda a, b, c, s, lr: student_euler(a, b, c, s, lr, lr_factor=1.5)  # noqa: E731
    assert repr(checks.euler_step(bad)) == repr(checks.euler_step(bad))


# ------------------------------------------------------------------ read_modes


def student_read(Wx, Wh, Wy, U, V, R, mistake=None):
    if mistake == "transposed":
        return (
            np.diag(R @ Wx @ V.T),
            np.diag(R @ Wh @ R.T),
            np.diag(U @ Wy @ R.T),
        )
    if mistake == "b_transposed":
        return np.diag(R.T @ Wx @ V), np.diag(R @ Wh @ R.T), np.diag(U.T @ Wy @ R)
    if mistake == "R_untransposed":
        return np.diag(R @ Wx @ V), np.diag(R @ Wh @ R), np.diag(U.T @ Wy @ R)
    if mistake == "V_for_R":
        return np.diag(V.T @ Wx @ V), np.diag(V.T @ Wh @ V), np.diag(U.T @ Wy @ V)
    if mistake == "svd":
        return tuple(np.linalg.svd(W)[1] for W in (Wx, Wh, Wy))
    if mistake == "eig":
        return np.diag(R.T @ Wx @ V), np.linalg.eigvals(Wh).real, np.diag(U.T @ Wy @ R)
    if mistake == "matrices":
        return R.T @ Wx @ V, R.T @ Wh @ R, U.T @ Wy @ R
    # right: element by element
    K = R.shape[1]
    a = np.array([R[:, k] @ Wx @ V[:, k] for k in range(K)])
    b = np.array([R[:, k] @ Wh @ R[:, k] for k in range(K)])
    c = np.array([U[:, k] @ Wy @ R[:, k] for k in range(K)])
    return a, b, c


def test_read_right_answer_passes():
    assert checks.read_modes(student_read).passed


def test_read_reference_matches_model_modes():
    rng = np.random.default_rng(0)
    task = tasks.make_task(rng.normal(size=(4, 3)), P=40, rng=rng, n_in=5, n_out=4)
    Wx, Wh, Wy, R = network.aligned_init(task, [0.2, -0.3, 0.4], 0.5, 1.1, rng)
    Wh = Wh + 0.1 * rng.normal(size=Wh.shape)  # also away from the aligned form
    got = ch02._read_reference(Wx, Wh, Wy, task.U, task.V, R)
    for g, w in zip(got, network.modes(Wx, Wh, Wy, task, R)):
        np.testing.assert_allclose(g, w, atol=1e-14)


def test_read_stub_is_not_done_yet():
    def stub(Wx, Wh, Wy, U, V, R):
        raise NotImplementedError()

    res = checks.read_modes(stub)
    assert not res.done and repr(res).startswith("…")


@pytest.mark.parametrize(
    "mistake, words",
    [
        ("transposed", "every projection is transposed"),
        ("b_transposed", "b is projected the wrong way round"),
        ("R_untransposed", "R must be transposed on the left"),
        ("V_for_R", "you used V where R belongs"),
        ("svd", "singular values are not the modes"),
        ("eig", "eigenvalues of W_h"),
        ("matrices", "return the diagonals"),
    ],
)
def test_read_each_mistake_has_its_message(mistake, words):
    res = checks.read_modes(
        lambda Wx, Wh, Wy, U, V, R: student_read(Wx, Wh, Wy, U, V, R, mistake)
    )
    assert res.status == "failed"
    assert words in res.message, res.message


def test_checks_are_exported():
    assert set(ch02.__all__) == {"euler_step", "read_modes"}
