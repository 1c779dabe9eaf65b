"""A battery of generic wrong answers run against every exercise check.

Each check must: pass the right answer (also on fresh cases from another seed), call
the stub "not done yet", give the same verdict twice, and FAIL every generic wrong
answer below with a one-line verdict, never an exception from inside the check. The
wrong answers are made by wrapping the reference: wrong sign, transposed, reversed in
time, off by one in time, a missing factor 2 or 1/2, the input returned, zeros, a list
instead of an array, NaN, a rounded value, an extra term, None, a dict, a string, a
ragged list, complex numbers, too few or too many values. A wrong answer that leaves
every output unchanged (a transpose of a vector, say) does not apply and is skipped.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from lrnn_utils import checks, network
from lrnn_utils.checks import ch02, ch03, ch04, ch05, ch06, ch07

#: check -> the right answer (the reference the check compares with)
RIGHT = {
    "unrolled_output": (checks.unrolled_output, network.forward),
    "bptt_gradients": (checks.bptt_gradients, network.gradients),
    "euler_step": (checks.euler_step, ch02._euler_reference),
    "read_modes": (checks.read_modes, ch02._read_reference),
    "u_frozen_b": (checks.u_frozen_b, ch03._u_ref),
    "window_factor": (checks.window_factor, ch03._factor_ref),
    "feedforward_fraction_time": (checks.feedforward_fraction_time, ch03._ff_ref),
    "stable_learning_rate": (checks.stable_learning_rate, ch04._stable_lr_reference),
    "extrapolation_loss": (checks.extrapolation_loss, ch04._extrapolation_reference),
    "regularization_gradient": (checks.regularization_gradient, ch05._reg_grad_ref),
    "landau_quadratic": (checks.landau_quadratic, ch05._landau_ref),
    "dirac_euler_step": (checks.dirac_euler_step, ch05._step),
    "jacobian_wh": (checks.jacobian_wh, ch06._jh_ref),
    "kernel_distance": (checks.kernel_distance, ch06._kd_ref),
    "linearised_step": (checks.linearised_step, ch06._step_ref),
    "estimate_weights": (checks.estimate_weights, ch07._lstsq_ref),
    "unaligned_modes": (checks.unaligned_modes, network.read_modes),
    "sensory_test_loss": (checks.sensory_test_loss, ch07._extrapolation_reference),
}
MULTI = [k for k in RIGHT if k in ("bptt_gradients", "euler_step", "read_modes")] + [
    "dirac_euler_step",
    "unaligned_modes",
]


def _is_multi(out) -> bool:
    return isinstance(out, tuple)


def _map(out, f):
    """Apply ``f`` to every output (a tuple stays a tuple)."""
    return tuple(f(x) for x in out) if _is_multi(out) else f(out)


def _shift_in_time(kw: dict) -> dict:
    """Off by one in time: drop the first input time, or lengthen T by one."""
    kw = dict(kw)
    if "X" in kw:
        kw["X"] = kw["X"][:, 1:] if kw["X"].shape[1] > 1 else kw["X"] * 0
        if "w" in kw:
            kw["w"] = kw["w"][1:]
    elif "s" in kw:
        kw["s"] = np.concatenate(
            [kw["s"][..., 1:], np.zeros_like(kw["s"][..., :1])], -1
        )
    elif "T_test" in kw:
        kw["T_test"] += 1
    elif "T" in kw:
        kw["T"] += 1
    elif "order" in kw:
        kw["order"] += 1
    else:
        kw["K1"] = kw["K1"] + np.eye(len(kw["K1"]))
    return kw


def _first_argument(kw: dict):
    arrays = [v for v in kw.values() if isinstance(v, np.ndarray)]
    return arrays[0] if arrays else next(iter(kw.values()))


def _outputs_equal(a, b) -> bool:
    a, b = (a if _is_multi(a) else (a,)), (b if _is_multi(b) else (b,))
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if isinstance(x, (list, tuple)) != isinstance(y, (list, tuple)):
            return False
        try:
            if not np.array_equal(np.asarray(x), np.asarray(y), equal_nan=True):
                return False
        except Exception:
            return False
    return True


def _transposed(x):
    x = np.asarray(x)
    return np.swapaxes(x, -1, -2) if x.ndim >= 2 else x


def _reversed(x):
    x = np.asarray(x)
    return x[..., ::-1] if x.ndim >= 1 else x


def _as_list(x):
    return x.tolist() if isinstance(x, np.ndarray) and x.ndim >= 1 else x


#: name -> wrong answer made from (reference output, keyword arguments, reference)
WRONG = {
    "wrong sign": lambda out, kw, ref: _map(out, lambda x: -np.asarray(x)),
    "transposed": lambda out, kw, ref: _map(out, _transposed),
    "reversed in time": lambda out, kw, ref: _map(out, _reversed),
    "off by one in time": lambda out, kw, ref: ref(**_shift_in_time(kw)),
    "missing factor 2": lambda out, kw, ref: _map(out, lambda x: 0.5 * np.asarray(x)),
    "missing factor 1/2": lambda out, kw, ref: _map(out, lambda x: 2 * np.asarray(x)),
    "returns the input": lambda out, kw, ref: _first_argument(kw),
    "zeros": lambda out, kw, ref: _map(out, np.zeros_like),
    "list instead of an array": lambda out, kw, ref: _map(out, _as_list),
    "NaN": lambda out, kw, ref: _map(out, lambda x: np.asarray(x) * np.nan),
    "rounded": lambda out, kw, ref: _map(out, lambda x: np.round(x, 2)),
    "an extra term": lambda out, kw, ref: _map(
        out, lambda x: np.asarray(x) + 0.05 * np.asarray(x) ** 2 + 0.01
    ),
    "None": lambda out, kw, ref: None,
    "a dict": lambda out, kw, ref: {"answer": out},
    "a string": lambda out, kw, ref: "answer",
    "a ragged list": lambda out, kw, ref: [[1.0, 2.0], [3.0]],
    "complex": lambda out, kw, ref: _map(out, lambda x: np.asarray(x) + 1e-3j),
    "an object": lambda out, kw, ref: object(),
    "too few values": lambda out, kw, ref: out[:-1] if _is_multi(out) else (),
    "too many values": lambda out, kw, ref: (
        (out + (out[0],)) if _is_multi(out) else (out, out)
    ),
}


def _wrong(name: str, ref, record: list):
    def student(**kw):
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = ref(
                **{k: v.copy() if hasattr(v, "copy") else v for k, v in kw.items()}
            )
            got = WRONG[name](out, kw, ref)
        record.append(not _outputs_equal(got, out))
        return got

    return student


@pytest.mark.parametrize("check_name", list(RIGHT))
def test_right_answer_passes_with_the_default_and_a_fresh_seed(check_name):
    check, ref = RIGHT[check_name]
    res = check(ref)
    assert res.passed and repr(res).startswith("✔ "), res
    assert "matches the reference on" in res.message
    assert check(ref, seed=12345).passed
    assert repr(check(ref)) == repr(res)  # deterministic: strict nbval compares it


@pytest.mark.parametrize("check_name", list(RIGHT))
def test_stub_is_not_done_yet(check_name):
    def stub(**kw):
        raise NotImplementedError()

    res = RIGHT[check_name][0](stub)
    assert res.status == "not done yet" and not res.done, res


@pytest.mark.parametrize("wrong", list(WRONG))
@pytest.mark.parametrize("check_name", list(RIGHT))
def test_generic_wrong_answer_fails(check_name, wrong):
    check, ref = RIGHT[check_name]
    record: list[bool] = []
    res = check(_wrong(wrong, ref, record))  # must not raise
    if not any(record):
        pytest.skip(f"{wrong} leaves every output of {check_name} unchanged")
    assert res.status == "failed", res
    assert "\n" not in repr(res) and len(res.message) < 400, res
    if wrong in ("an extra term", "rounded"):  # not a factor: never called one
        assert "constant factor" not in res.message, res
    if wrong == "list instead of an array":
        assert "not a numpy array" in res.message or "single number" in res.message
    if wrong == "complex":
        assert "complex" in res.message, res
    if wrong in ("None", "a dict", "a string", "a ragged list", "an object"):
        assert "raised" not in res.message, res  # a verdict, not a crash


@pytest.mark.parametrize("check_name", MULTI)
@pytest.mark.parametrize("container", [list, np.ndarray])
def test_right_outputs_in_any_sequence_pass(check_name, container):
    check, ref = RIGHT[check_name]

    def student(**kw):
        out = ref(**kw)
        if container is list:
            return list(out)
        packed = np.empty(len(out), dtype=object)  # outputs of different shapes
        packed[:] = list(out)
        return packed

    assert check(student).passed


@pytest.mark.parametrize("check_name", MULTI)
def test_multi_output_says_which_output_differs(check_name):
    check, ref = RIGHT[check_name]
    labels = {
        "bptt_gradients": ("dWx", "dWh", "dWy"),
    }.get(check_name, ("a", "b", "c"))

    def student(**kw):
        out = list(ref(**kw))
        out[1] = out[1] + 0.3 * np.cos(np.arange(out[1].size)).reshape(out[1].shape)
        return tuple(out)

    res = check(student)
    assert res.status == "failed"
    assert res.message.startswith(f"{labels[1]} differs"), res
    assert f"{labels[0]} and {labels[2]} match" in res.message, res


@pytest.mark.parametrize(
    "value, words",
    [
        (-(2**-0.5), "wrong sign"),
        (1.5 * 2**-0.5, "differs"),
        (0.0, "all zeros"),
        (np.nan, "NaN"),
        (0.707, "close: relative error 2e-4 — rounded by hand?"),
        ("1/sqrt(2)", "string"),
        (1j, "complex"),
        ([1, 2], "shape"),
    ],
)
def test_a_value_check_battery(value, words):
    res = checks.check_value("root", value, 2**-0.5)
    assert res.status == "failed" and words in res.message, res
    assert "constant factor" not in res.message


@pytest.mark.parametrize("check_name", list(RIGHT))
def test_drawing_never_raises(check_name):
    """The picture behind .plot(): quiet for the stub, a crash and a wrong shape."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    check, ref = RIGHT[check_name]

    def stub(**kw):
        raise NotImplementedError()

    for answer in (stub, lambda **kw: 1 / 0, lambda **kw: "answer"):
        plt.close("all")
        assert check(answer).plot() is None and plt.get_fignums() == []
    plt.close("all")
    check(ref).plot()  # draws, or returns None for a check without a picture
    plt.close("all")
