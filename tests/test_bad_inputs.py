"""Catalogue of bad inputs for every public function of lrnn_utils.

For each public function there is one valid call (checked to succeed), and a
list of its arguments with their kind.  From the kind, bad variants are
generated automatically:

==========  =========================================  ==========================
kind        bad variants                               expected exception
==========  =========================================  ==========================
``arr``     a string; NaN; inf; one axis too many      TypeError; ValueError x3
``arr0``    as ``arr``, plus an empty array            ValueError (empty)
``bcast``   a string; NaN; inf (broadcasting arrays)   TypeError; ValueError x2
``seq``     as ``bcast``, plus zero time steps         ValueError (T < 1)
``int1``    2.5; "3"; 0                                TypeError x2; ValueError
``int0``    2.5; "3"; -1                               TypeError x2; ValueError
``pos``     "x"; NaN; 0; -1                            TypeError; ValueError x3
``real``    "x"; NaN; inf                              TypeError; ValueError x2
``name``    "no-such-name"; 3                          ValueError; TypeError
``rng``     the integer 0                              TypeError
``task``    the string "task"                          TypeError
==========  =========================================  ==========================

Every exception must name the argument in its message.  ``TypeError`` is
satisfied by :class:`lrnn_utils._validation.ArgumentTypeError` (a subclass of
both TypeError and ValueError).  Cases that the function's owner has not fixed
yet are listed in ``KNOWN_GAPS`` and marked ``xfail`` (non-strict) with the
reason, so that the catalogue documents them instead of hiding them.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from lrnn_utils import (
    correlation_form,
    decoupling,
    fast,
    learning_speed,
    model,
    report,
    stability,
    tasks,
    theory,
    unrolled,
)

T, K = 3, 2


def base():
    """Fresh valid objects (a small whitened task and aligned weights)."""
    rng = np.random.default_rng(0)
    S = np.array([[1.0, 0.5], [0.8, 0.4], [0.6, 0.3]])
    task = tasks.make_task(S, P=8, rng=rng)
    Wx, Wh, Wy, R = model.aligned_init(task, 0.3, 0.2, 0.3, rng)
    X, Y = task.X, task.Y
    M = model.effective_maps(Wx, Wh, Wy, T)
    return dict(
        rng=np.random.default_rng(1),
        task=task,
        Wx=Wx,
        Wh=Wh,
        Wy=Wy,
        R=R,
        X=X,
        Y=Y,
        M=M,
        s=task.s,
        s1=task.s[0],
        Syx=tasks.correlations(X, Y),
        Sxx=unrolled.input_correlations(X),
        H=model.hidden_states(Wx, Wh, Wy, X),
        mom=fast.moments(X, Y),
    )


def W3(b):
    return dict(Wx=b["Wx"], Wh=b["Wh"], Wy=b["Wy"])


# (function, builder of valid keyword arguments, {argument: kind})
CATALOGUE = [
    # ---------------------------------------------------------------- tasks
    (tasks.task_singular_values,
     lambda b: dict(kind="constant", T=3, delta=1.0, lam=0.9),
     dict(kind="name", T="int1", delta="bcast", lam="bcast")),
    (tasks.whiten, lambda b: dict(Z=b["rng"].standard_normal((6, 3))), dict(Z="arr0")),
    (tasks.random_orthonormal, lambda b: dict(n=3, k=2, rng=b["rng"]),
     dict(n="int1", k="int1", rng="rng")),
    (tasks.make_task, lambda b: dict(S=np.ones((3, 2)), P=8, rng=b["rng"]),
     dict(S="arr0", P="int1", rng="rng")),
    (tasks.correlations, lambda b: dict(X=b["X"], Y=b["Y"]), dict(X="arr0", Y="arr")),
    (tasks.correlations_from_svd,
     lambda b: dict(U=b["task"].U, S=b["task"].S, V=b["task"].V),
     dict(U="arr", S="arr", V="arr")),
    # ---------------------------------------------------------------- model
    (model.forward, lambda b: dict(**W3(b), X=b["X"]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0")),
    (model.hidden_states, lambda b: dict(**W3(b), X=b["X"]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0")),
    (model.effective_maps, lambda b: dict(**W3(b), T=3), dict(Wx="arr", T="int1")),
    (model.loss, lambda b: dict(**W3(b), X=b["X"], Y=b["Y"]),
     dict(Wx="arr", Wh="arr", X="arr0", Y="arr")),
    (model.gradients, lambda b: dict(**W3(b), X=b["X"], Y=b["Y"]),
     dict(Wy="arr", X="arr0", Y="arr")),
    (model.train, lambda b: dict(**W3(b), X=b["X"], Y=b["Y"], lr=0.1, steps=3),
     dict(Wx="arr", X="arr0", Y="arr", lr="pos", steps="int0")),
    (model.aligned_init,
     lambda b: dict(task=b["task"], a0=0.1, b0=0.1, c0=0.1, rng=b["rng"]),
     dict(task="task", a0="bcast", b0="bcast", c0="bcast", rng="rng")),
    (model.unaligned_init,
     lambda b: dict(n_in=2, n_hidden=3, n_out=1, scale=0.1, rng=b["rng"]),
     dict(n_in="int1", n_hidden="int1", n_out="int1", scale="pos", rng="rng")),
    (model.modes, lambda b: dict(**W3(b), task=b["task"], R=b["R"]),
     dict(Wx="bcast", task="task", R="arr")),
    # ---------------------------------------------------------------- theory
    (theory.energy, lambda b: dict(a=0.1, b=0.2, c=0.3, s=b["s"]),
     dict(a="bcast", b="bcast", c="bcast", s="seq")),
    (theory.mode_gradients, lambda b: dict(a=0.1, b=0.2, c=0.3, s=b["s"]),
     dict(a="bcast", s="seq")),
    (theory.time_lags, lambda b: dict(T=3), dict(T="int1")),
    (theory.decay_powers, lambda b: dict(b=0.5, T=3), dict(b="bcast", T="int1")),
    (theory.optimal_u, lambda b: dict(b=0.5, s=b["s"]), dict(b="bcast", s="seq")),
    (theory.effective_energy, lambda b: dict(b=0.5, s=b["s"]),
     dict(b="bcast", s="seq")),
    (theory.effective_singular_values, lambda b: dict(b=0.5, s=b["s"]),
     dict(b="bcast", s="seq")),
    (theory.simulate_modes,
     lambda b: dict(a0=0.1, b0=0.1, c0=0.1, s=b["s"], lr=0.1, steps=3),
     dict(a0="bcast", s="seq", lr="pos", steps="int0")),
    (theory.global_solution,
     lambda b: dict(kind="exponential", delta=1.0, lam=0.9, T=3),
     dict(kind="name", delta="bcast", lam="bcast", T="int1")),
    (theory.u_closed_form, lambda b: dict(t=1.0, u0=0.1, b=0.5, s=b["s"]),
     dict(t="bcast", u0="bcast", b="bcast", s="seq", tau="pos")),
    (theory.extrapolation_loss,
     lambda b: dict(kind="constant", delta=1.0, lam=0.9, T_train=3, T_test=5),
     dict(kind="name", delta="bcast", T_train="int1", T_test="int1")),
    # ------------------------------------------------------ correlation_form
    (correlation_form.correlation_loss, lambda b: dict(**W3(b), sigma_yx=b["Syx"]),
     dict(Wx="arr", sigma_yx="arr0")),
    (correlation_form.loss_offset, lambda b: dict(X=b["X"], Y=b["Y"]),
     dict(X="arr0", Y="arr")),
    (correlation_form.correlation_gradients, lambda b: dict(**W3(b), sigma_yx=b["Syx"]),
     dict(Wh="arr", sigma_yx="arr0")),
    # -------------------------------------------------------------- unrolled
    (unrolled.unrolled_hidden_states,
     lambda b: dict(Wx=b["Wx"], Wh=b["Wh"], X=b["X"]),
     dict(Wx="arr", Wh="arr", X="arr0")),
    (unrolled.apply_maps, lambda b: dict(M=b["M"], X=b["X"]), dict(M="arr0", X="arr")),
    (unrolled.impulse_response, lambda b: dict(**W3(b), T=3), dict(Wx="arr", T="int1")),
    (unrolled.scalar_input_weights, lambda b: dict(a=0.1, b=0.5, c=0.2, T=3),
     dict(a="bcast", b="bcast", c="bcast", T="int1")),
    (unrolled.input_correlations, lambda b: dict(X=b["X"]), dict(X="arr0")),
    (unrolled.output_second_moment, lambda b: dict(Y=b["Y"]), dict(Y="arr0")),
    (unrolled.loss_from_moments,
     lambda b: dict(M=b["M"], Syx=b["Syx"], Sxx=b["Sxx"], tr_yy=1.0),
     dict(M="arr0", Syx="arr", Sxx="arr", tr_yy="real")),
    (unrolled.hidden_norm_rms, lambda b: dict(H=b["H"]), dict(H="arr0")),
    (unrolled.hidden_norm_theory, lambda b: dict(Wx=b["Wx"], Wh=b["Wh"], T=3),
     dict(Wx="arr", Wh="arr", T="int1")),
    (unrolled.finite_difference_gradients,
     lambda b: dict(**W3(b), X=b["X"], Y=b["Y"]),
     dict(Wx="arr", X="arr0", Y="arr", eps="pos")),
    (unrolled.backprop_signals, lambda b: dict(**W3(b), X=b["X"], Y=b["Y"]),
     dict(Wx="arr", X="arr0", Y="arr")),
    (unrolled.ar1_inputs, lambda b: dict(P=5, T=3, Nx=2, rho=0.5, rng=b["rng"]),
     dict(P="int1", T="int1", Nx="int1", rho="real", rng="rng")),
    (unrolled.ar1_correlations, lambda b: dict(T=3, Nx=2, rho=0.5),
     dict(T="int1", Nx="int1", rho="real")),
    (unrolled.population_moments, lambda b: dict(A=b["M"], Sxx=b["Sxx"]),
     dict(A="arr0", Sxx="arr")),
    # ------------------------------------------------------------ decoupling
    (decoupling.aligned_blocks, lambda b: dict(**W3(b), task=b["task"], R=b["R"]),
     dict(Wx="bcast", task="task", R="arr")),
    (decoupling.misalignment, lambda b: dict(**W3(b), task=b["task"], R=b["R"]),
     dict(Wh="bcast", task="task", R="arr")),
    (decoupling.two_basis_init,
     lambda b: dict(task=b["task"], a0=0.1, b0=0.1, c0=0.1, rng=b["rng"]),
     dict(task="task", a0="bcast", rng="rng")),
    (decoupling.teacher_task,
     lambda b: dict(sx=[1.0, 0.5], sh=[0.5, 0.3], sy=[1.0, 0.8], T=3, P=8,
                    rng=b["rng"]),
     dict(sx="arr", T="int1", P="int1", rng="rng")),
    (decoupling.energy_gradient_fd, lambda b: dict(a=0.1, b=0.2, c=0.3, s=b["s"]),
     dict(a="bcast", s="seq", h="pos")),
    (decoupling.run_aligned,
     lambda b: dict(task=b["task"], a0=0.1, b0=0.1, c0=0.1, lr=0.1, steps=3,
                    rng=b["rng"]),
     dict(task="task", a0="bcast", lr="pos", steps="int0", rng="rng")),
    # -------------------------------------------------------- learning_speed
    (learning_speed.effective_singular_values, lambda b: dict(b=0.5, s=b["s"]),
     dict(b="bcast", s="seq")),
    (learning_speed.u_half_time, lambda b: dict(u0=0.01, b=0.5, s=b["s"]),
     dict(u0="bcast", b="bcast", s="seq", tau="pos")),
    (learning_speed.simulate_frozen,
     lambda b: dict(a0=0.1, b0=0.1, c0=0.1, s=b["s"], lr=0.1, steps=3),
     dict(a0="bcast", s="seq", lr="pos", steps="int0", trainable="name")),
    (learning_speed.energy_b_derivatives,
     lambda b: dict(b=0.5, u=0.3, s=b["s"], n_max=2),
     dict(b="bcast", u="bcast", s="seq", n_max="int0")),
    (learning_speed.flow_jet_polynomials, lambda b: dict(order=2), dict(order="int1")),
    (learning_speed.b_time_derivatives, lambda b: dict(b=0.5, u=0.3, s=b["s"], order=2),
     dict(b="bcast", s="seq", order="int1")),
    (learning_speed.windowed_taylor_b,
     lambda b: dict(b0=0.1, u=0.3, s=b["s"], window=0.1, n_windows=2),
     dict(b0="bcast", s="seq", window="pos", n_windows="int1")),
    (learning_speed.taylor_stability_limit, lambda b: dict(order=2),
     dict(order="int1")),
    (learning_speed.reference_b_flow,
     lambda b: dict(b0=0.1, u=0.3, s=b["s"], t_eval=[0.0, 0.1]),
     dict(b0="bcast", s="seq", t_eval="arr0")),
    (learning_speed.learning_time,
     lambda b: dict(t=np.linspace(0, 1, 5), x=np.linspace(0, 1, 5)),
     dict(t="arr0", x="arr", fraction="real")),
    (learning_speed.gradient_contributions,
     lambda b: dict(a=0.1, b=0.2, c=0.3, s=b["s"]),
     dict(a="bcast", s="seq")),
    (learning_speed.s1_crossing,
     lambda b: dict(s_first=[1.0, 0.0, 0.0], s_second=[0.0, 0.0, 1.0]),
     dict(s_first="arr0", s_second="arr", b_max="pos")),
    (learning_speed.learning_order,
     lambda b: dict(delta=[1.0, 1.0], lam=[0.5, 1.0], T=3, max_steps=2000),
     dict(delta="arr", lam="arr", T="int1", init="pos", max_steps="int1")),
    # ------------------------------------------------------------- stability
    (stability.make_task_with_vectors,
     lambda b: dict(S=b["task"].S, U=b["task"].U, V=b["task"].V, P=8, rng=b["rng"]),
     dict(S="arr0", U="arr", V="arr", P="int1", rng="rng")),
    (stability.loss_at_lengths,
     lambda b: dict(**W3(b), U=b["task"].U, V=b["task"].V, kind="constant",
                    delta=[1.0, 0.5], lam=[1.0, 1.0], T_tests=[3, 4], rng=b["rng"]),
     dict(Wx="arr", kind="name", T_tests="int1", rng="rng")),
    (stability.balanced_solution,
     lambda b: dict(kind="constant", delta=1.0, lam=1.0, T=3),
     dict(kind="name", delta="bcast", T="int1")),
    (stability.solution_weights,
     lambda b: dict(kind="constant", delta=1.0, lam=1.0, T_train=3, T_test=4),
     dict(kind="name", T_train="int1", T_test="int1")),
    (stability.minimise_energy, lambda b: dict(s=b["s1"]),
     dict(s="seq", b_bound="pos")),
    (stability.energy_hessian, lambda b: dict(a=0.1, b=0.2, c=0.3, s=b["s1"]),
     dict(a="bcast", s="seq")),
    (stability.sharpness, lambda b: dict(a=0.1, b=0.2, c=0.3, s=b["s1"]),
     dict(a="bcast", s="seq")),
    (stability.max_stable_lr, lambda b: dict(a=0.1, b=0.2, c=0.3, s=b["s1"]),
     dict(a="bcast", s="seq")),
    (stability.linearised_gradient_norm,
     lambda b: dict(a=0.1, b=0.2, c=0.3, s=b["s1"], db=0.01),
     dict(a="bcast", s="seq", db="real")),
    (stability.training_outcome, lambda b: dict(s=b["s1"], lr=0.01, steps=3),
     dict(s="seq", lr="pos", steps="int0", tol="pos")),
    (stability.hidden_power, lambda b: dict(a=0.1, b=0.5, T=3),
     dict(a="bcast", b="bcast", T="int1")),
    (stability.mode_gradient_norm, lambda b: dict(a=0.1, b=0.2, c=0.3, s=b["s1"]),
     dict(a="bcast", s="seq")),
    (stability.gradient_norm, lambda b: dict(**W3(b), X=b["X"], Y=b["Y"]),
     dict(Wx="arr", X="arr0", Y="arr")),
    # ---------------------------------------------------------------- report
    (report.fmt_bound, lambda b: dict(x=1e-13), dict(x="bcast", floor="pos")),
    (report.fmt_measured, lambda b: dict(x=1e-13), dict(x="bcast", bound="pos")),
    # ------------------------------------------------------------------ fast
    (fast.moments, lambda b: dict(X=b["X"], Y=b["Y"]), dict(X="arr0", Y="arr")),
    (fast.make_moments, lambda b: dict(sigma_yx=b["Syx"]), dict(sigma_yx="bcast")),
    (fast.loss_and_gradients, lambda b: dict(**W3(b), moments=b["mom"]),
     dict(Wx="bcast", Wh="bcast", Wy="bcast", method="name")),
    (fast.train_on_moments,
     lambda b: dict(**W3(b), moments=b["mom"], lr=0.1, steps=3),
     dict(Wx="arr", lr="pos", steps="int0", record_every="int1")),
    (fast.train, lambda b: dict(**W3(b), X=b["X"], Y=b["Y"], lr=0.1, steps=3),
     dict(Wx="arr", X="arr0", Y="arr", lr="pos", steps="int0")),
    (fast.train_batch, lambda b: dict(**W3(b), moments=b["mom"], lr=0.1, steps=3),
     dict(Wx="bcast", lr="pos", steps="int0", on_divergence="name")),
]  # fmt: skip

# The plotting helpers draw on matplotlib axes; their inputs are matplotlib's.
# ``use_book_style`` takes no argument.  Checks (lrnn_utils.checks) take student
# functions and report, never raise, by design.
NOT_CATALOGUED = {
    "plotting.use_book_style",
    "plotting.condition_colors",
    "plotting.darker",
    "plotting.plot_sim_and_theory",
    "plotting.add_style_legend",
}


def variants(kind, value):
    """(label, bad value, expected exception) for an argument of this kind."""
    arr = (
        np.asarray(value, dtype=float)
        if kind in {"arr", "arr0", "bcast", "seq"}
        else None
    )
    if arr is not None:
        out = [("string", "abc", TypeError)]
        if arr.size:
            out += [
                ("nan", np.where(np.ones_like(arr, bool), np.nan, arr), ValueError),
                ("inf", np.full_like(arr, np.inf), ValueError),
            ]
        if kind in {"arr", "arr0"}:
            out.append(("extra-axis", arr[None], ValueError))
        if kind == "arr0":
            shape = (0,) + arr.shape[1:]
            out.append(("empty", np.empty(shape), ValueError))
        if kind == "seq":
            out.append(("no-time-steps", np.empty(arr.shape[:-1] + (0,)), ValueError))
        return out
    if kind == "int1":
        return [
            ("float", 2.5, TypeError),
            ("string", "3", TypeError),
            ("zero", 0, ValueError),
        ]
    if kind == "int0":
        return [
            ("float", 2.5, TypeError),
            ("string", "3", TypeError),
            ("negative", -1, ValueError),
        ]
    if kind == "pos":
        return [
            ("string", "x", TypeError),
            ("nan", float("nan"), ValueError),
            ("zero", 0.0, ValueError),
            ("negative", -1.0, ValueError),
        ]
    if kind == "real":
        return [
            ("string", "x", TypeError),
            ("nan", float("nan"), ValueError),
            ("inf", float("inf"), ValueError),
        ]
    if kind == "name":
        return [("unknown", "no-such-name", ValueError), ("int", 3, TypeError)]
    if kind == "rng":
        return [("int", 0, TypeError)]
    if kind == "task":
        return [("string", "task", TypeError)]
    raise AssertionError(kind)  # pragma: no cover


def qualname(fn):
    return f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"


DEFAULTS = {"tau": 1.0, "eps": 1e-6, "h": 1e-6, "fraction": 0.5, "b_bound": 10.0,
            "init": 0.01, "tol": 1e-8, "floor": 1e-12, "bound": 1e-12,
            "record_every": 1, "method": "hankel", "trainable": "ac",
            "on_divergence": "raise", "max_steps": 2000}  # fmt: skip


def cases():
    for fn, build, kinds in CATALOGUE:
        valid = build(base())
        for arg, kind in kinds.items():
            value = valid.get(arg, DEFAULTS.get(arg))
            for label, bad, exc in variants(kind, value):
                yield pytest.param(
                    fn, build, arg, bad, exc, id=f"{qualname(fn)}-{arg}-{label}"
                )


#: Gaps left to the owners of the functions (see the module docstring).
_KIND = "tasks._check_kind: use _validation.check_choice(kind, 'kind', TASK_KINDS)"
_RNG = "check rng with _validation.check_instance(rng, np.random.Generator, 'rng')"
_TASK = "check task with _validation.check_instance(task, Task, 'task')"
_EMPTY_S = "validate s with as_finite_array and require s.shape[-1] >= 1"
_REPORT = "validate with _validation.as_finite_array / check_finite_scalar"
KNOWN_GAPS: dict[str, str] = {
    "tasks.task_singular_values-kind-int": _KIND,
    "theory.global_solution-kind-int": _KIND,
    "theory.extrapolation_loss-kind-int": _KIND,
    "stability.loss_at_lengths-kind-int": _KIND,
    "stability.balanced_solution-kind-int": _KIND,
    "stability.solution_weights-kind-int": _KIND,
    "tasks.whiten-Z-empty": "the P < D message should name Z",
    "tasks.random_orthonormal-rng-int": _RNG,
    "tasks.make_task-rng-int": _RNG,
    "model.aligned_init-rng-int": _RNG,
    "unrolled.ar1_inputs-rng-int": _RNG,
    "decoupling.two_basis_init-rng-int": _RNG,
    "decoupling.teacher_task-rng-int": _RNG,
    "decoupling.run_aligned-rng-int": _RNG,
    "stability.make_task_with_vectors-rng-int": _RNG,
    "stability.loss_at_lengths-rng-int": _RNG,
    "model.aligned_init-task-string": _TASK,
    "model.modes-task-string": _TASK,
    "decoupling.aligned_blocks-task-string": _TASK,
    "decoupling.misalignment-task-string": _TASK,
    "decoupling.two_basis_init-task-string": _TASK,
    "decoupling.run_aligned-task-string": _TASK,
    "theory.decay_powers-b-string": "validate b with as_finite_array(b, 'b')",
    "theory.decay_powers-b-nan": "validate b with as_finite_array(b, 'b')",
    "theory.decay_powers-b-inf": "validate b with as_finite_array(b, 'b')",
    "theory.simulate_modes-a0-string": "_prepare names a0 'a': validate a0 by name",
    "theory.simulate_modes-a0-nan": "_prepare names a0 'a': validate a0 by name",
    "theory.simulate_modes-a0-inf": "_prepare names a0 'a': validate a0 by name",
    "theory.extrapolation_loss-T_test-string": "accepts the string '3' (float('3'))",
    "learning_speed.simulate_frozen-trainable-int": "non-str trainable: TypeError",
    "learning_speed.learning_order-max_steps-float": "check_positive_int(max_steps)",
    "learning_speed.learning_order-max_steps-string": "check_positive_int(max_steps)",
    "stability.loss_at_lengths-T_tests-float": "message says T_test, not T_tests",
    "stability.loss_at_lengths-T_tests-string": "message says T_test, not T_tests",
    "stability.loss_at_lengths-T_tests-zero": "message says T_test, not T_tests",
    "stability.solution_weights-T_train-float": "message says T, not T_train",
    "stability.solution_weights-T_train-string": "message says T, not T_train",
    "stability.solution_weights-T_train-zero": "message says T, not T_train",
    "stability.minimise_energy-b_bound-string": "check_finite_scalar(b_bound, ...)",
    "stability.energy_hessian-s-no-time-steps": _EMPTY_S,
    "stability.sharpness-s-no-time-steps": _EMPTY_S,
    "stability.max_stable_lr-s-no-time-steps": _EMPTY_S,
    "stability.linearised_gradient_norm-s-no-time-steps": _EMPTY_S,
    "report.fmt_bound-x-string": _REPORT,
    "report.fmt_bound-floor-string": _REPORT,
    "report.fmt_measured-x-string": _REPORT,
    "report.fmt_measured-bound-string": _REPORT,
}


def test_catalogue_covers_every_public_function():
    import lrnn_utils

    listed = {fn for fn, _, _ in CATALOGUE}
    missing = set()
    for modname in list(lrnn_utils.__all__) + ["fast"]:
        mod = getattr(lrnn_utils, modname, fast)
        if modname == "checks" or not hasattr(mod, "__all__"):
            continue
        for name in mod.__all__:
            obj = getattr(mod, name)
            if not callable(obj) or isinstance(obj, type) or obj in listed:
                continue
            if f"{modname}.{name}" not in NOT_CATALOGUED:
                missing.add(f"{modname}.{name}")
    assert not missing, f"public functions not in the catalogue: {sorted(missing)}"


@pytest.mark.parametrize("fn, build", [(fn, build) for fn, build, _ in CATALOGUE],
                         ids=[qualname(fn) for fn, _, _ in CATALOGUE])  # fmt: skip
def test_valid_call_succeeds(fn, build):
    fn(**build(base()))


@pytest.mark.parametrize("fn, build, arg, bad, exc", list(cases()))
def test_bad_input_raises_naming_the_argument(request, fn, build, arg, bad, exc):
    key = request.node.callspec.id
    if key in KNOWN_GAPS:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_GAPS[key], strict=False))
    kwargs = build(base())
    kwargs[arg] = bad
    with np.errstate(all="ignore"):
        with pytest.raises(exc) as info:
            fn(**kwargs)
    assert re.search(rf"\b{re.escape(arg)}\b", str(info.value)), (
        f"the message does not name {arg!r}: {info.value}"
    )
