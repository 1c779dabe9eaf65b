"""Catalogue of bad inputs for every public function of lrnn_utils.

For each public function (every callable in the ``__all__`` of every module
listed in ``lrnn_utils.__all__``, the checks included) there is one valid call
(checked to succeed), and a list of its arguments with their kind.  From the
kind, bad variants are generated automatically:

==========  =========================================  ==========================
kind        bad variants                               expected exception
==========  =========================================  ==========================
``arr``     a string; NaN; inf; a masked array of NaN;  TypeError; ValueError x3;
            one axis too many                          ValueError
``arr0``    as ``arr``, plus an empty array            ValueError (empty)
``bcast``   a string; NaN; inf; masked (broadcasting)  TypeError; ValueError x3
``seq``     as ``bcast``, plus zero time steps         ValueError (T < 1)
``int1``    2.5; "3"; 0                                TypeError x2; ValueError
``int0``    2.5; "3"; -1                               TypeError x2; ValueError
``pos``     "x"; NaN; 0; -1                            TypeError; ValueError x3
``nonneg``  "x"; NaN; inf; -1                          TypeError; ValueError x3
``real``    "x"; NaN; inf                              TypeError; ValueError x2
``name``    "no-such-name"; 3                          ValueError; TypeError
``str``     3                                          TypeError
``bool``    "yes"; 0.5                                 TypeError x2
``rng``     the integer 0                              TypeError
``task``    the string "task"                          TypeError
``obj``     the string "task" (a history, moments)     TypeError
``triple``  a string; the first two of (Wx, Wh, Wy)    TypeError; ValueError
``data``    a string; a list holding None (plotted     TypeError x2
            data: NaN is allowed, it leaves a gap)
``func``    the number 3.0 (a check's student)         TypeError
==========  =========================================  ==========================

Every exception must name the argument in its message.  ``TypeError`` is
satisfied by :class:`lrnn_utils._validation.ArgumentTypeError` (a subclass of
both TypeError and ValueError).  Callables deliberately left out are listed,
with the reason, in ``NOT_CATALOGUED``.  Cases that cannot be fixed by input
validation alone would be listed in ``KNOWN_GAPS`` and marked ``xfail``
(non-strict) with the reason, so that the catalogue documents them instead of
hiding them.
"""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from lrnn_utils import (  # noqa: E402
    checks,
    decoupling,
    engine,
    explore,
    feature_learning,
    kernels,
    learning_speed,
    moments,
    network,
    phase,
    plotting,
    report,
    rotations,
    stimuli,
    t_output,
    tasks,
    theory,
)

T, K = 3, 2


def _stub(*args, **kwargs):
    """A student answer that is still the stub: every check reports "not done yet"."""
    raise NotImplementedError


def base():
    """Fresh valid objects (a small whitened task and aligned weights)."""
    rng = np.random.default_rng(0)
    S = np.array([[1.0, 0.5], [0.8, 0.4], [0.6, 0.3]])
    task = tasks.make_task(S, P=8, rng=rng)
    Wx, Wh, Wy, R = network.aligned_init(task, 0.3, 0.2, 0.3, rng)
    X, Y = task.X, task.Y
    M = network.effective_maps(Wx, Wh, Wy, T)
    H = network.hidden_states(Wx, Wh, Wy, X)
    rtask = rotations.make_rotational_task(np.array([1.0, 0.5j]), 4, rng)
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
        Syx=moments.correlations(X, Y),
        Sxx=moments.input_correlations(X),
        H=H,
        mom=moments.moments(X, Y),
        hist=engine.train(Wx, Wh, Wy, X, Y, lr=0.1, steps=2),
        K0=kernels.ntk(Wx, Wh, Wy, X[:3]),
        sT=t_output.singular_values("inverse_exponential", 3, 1.0, 0.5),
        YT=np.repeat(Y[:, None, :], 3, axis=1),
        d_rot=np.array([1.0, 0.5 + 0.5j, 0.5j]),
        rtask=rtask,
        rW=rotations.aligned_weights(rtask, 0.5, 0.3 + 0.4j, 1.0, rng),
    )


_AXES = []


def axes():
    """One matplotlib axes shared by every plotting case (closed at the end)."""
    if not _AXES:
        _AXES.append(plt.figure().add_subplot())
    return _AXES[0]


@pytest.fixture(scope="module", autouse=True)
def _close_figures():
    yield
    plt.close("all")
    _AXES.clear()


def W3(b):
    return dict(Wx=b["Wx"], Wh=b["Wh"], Wy=b["Wy"])


def _check(fn, **extra):
    """Catalogue entry of a check: the stub is a valid answer, a non-function is not."""
    return (fn, lambda b: dict(student=_stub), dict(student="func", **extra))


# (function, builder of valid keyword arguments, {argument: kind})
CATALOGUE = [
    # ---------------------------------------------------------------- tasks
    (tasks.task_singular_values,
     lambda b: dict(kind="constant", T=3, delta=1.0, lam=0.9),
     dict(kind="name", T="int1", delta="bcast", lam="bcast")),
    (tasks.whiten, lambda b: dict(Z=b["rng"].standard_normal((6, 3))), dict(Z="arr0")),
    (tasks.random_orthonormal, lambda b: dict(n=3, k=2, rng=b["rng"]),
     dict(n="int1", k="int1", rng="rng")),
    (tasks.make_task,
     lambda b: dict(S=np.ones((3, 2)), P=8, rng=b["rng"], U=b["task"].U,
                    V=b["task"].V),
     dict(S="arr0", P="int1", rng="rng", n_in="int1", n_out="int1", U="arr",
          V="arr")),
    (moments.correlations, lambda b: dict(X=b["X"], Y=b["Y"]), dict(X="arr0", Y="arr")),
    (moments.correlations_from_svd,
     lambda b: dict(U=b["task"].U, s=b["task"].s, V=b["task"].V),
     dict(U="arr", s="arr", V="arr")),
    (tasks.modified_singular_values,
     lambda b: dict(kind="exponential", T=3, delta=1.0, lam=0.9, kappa=0.5),
     dict(kind="name", T="int1", delta="bcast", lam="bcast", kappa="bcast")),
    (tasks.dirac_singular_values, lambda b: dict(T=3, beta=0.8, kappa=1.0),
     dict(T="int1", beta="bcast", kappa="bcast")),
    # -------------------------------------------------------------- network
    (network.forward, lambda b: dict(**W3(b), X=b["X"]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0")),
    (network.hidden_states, lambda b: dict(**W3(b), X=b["X"]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0")),
    (network.effective_maps, lambda b: dict(**W3(b), T=3),
     dict(Wx="arr", Wh="arr", Wy="arr", T="int1")),
    (network.loss, lambda b: dict(**W3(b), X=b["X"], Y=b["Y"]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0", Y="arr")),
    (network.check_weights, lambda b: dict(**W3(b), X=b["X"], Y=b["Y"]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0", Y="arr")),
    (network.gradients, lambda b: dict(**W3(b), X=b["X"], Y=b["Y"]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0", Y="arr")),
    (engine.train, lambda b: dict(**W3(b), X=b["X"], Y=b["Y"], lr=0.1, steps=3),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0", Y="arr", lr="pos", steps="int0",
          record_every="int1", on_divergence="name", method="name")),
    (network.aligned_init,
     lambda b: dict(task=b["task"], a0=0.1, b0=0.1, c0=0.1, rng=b["rng"]),
     dict(task="task", a0="bcast", b0="bcast", c0="bcast", rng="rng",
          n_hidden="int1")),
    (network.unaligned_init,
     lambda b: dict(n_in=2, n_hidden=3, n_out=1, scale=0.1, rng=b["rng"]),
     dict(n_in="int1", n_hidden="int1", n_out="int1", scale="pos", rng="rng")),
    (network.modes, lambda b: dict(**W3(b), task=b["task"], R=b["R"]),
     dict(Wx="bcast", Wh="bcast", Wy="bcast", task="task", R="arr")),
    # ---------------------------------------------------------------- theory
    (theory.energy, lambda b: dict(a=0.1, b=0.2, c=0.3, s=b["s"]),
     dict(a="bcast", b="bcast", c="bcast", s="seq")),
    (theory.mode_flows, lambda b: dict(a=0.1, b=0.2, c=0.3, s=b["s"]),
     dict(a="bcast", b="bcast", c="bcast", s="seq")),
    (theory.time_lags, lambda b: dict(T=3), dict(T="int1")),
    (theory.decay_powers, lambda b: dict(b=0.5, T=3), dict(b="bcast", T="int1")),
    (theory.optimal_u, lambda b: dict(b=0.5, s=b["s"]), dict(b="bcast", s="seq")),
    (theory.effective_energy, lambda b: dict(b=0.5, s=b["s"]),
     dict(b="bcast", s="seq")),
    (theory.effective_singular_values, lambda b: dict(b=0.5, s=b["s"]),
     dict(b="bcast", s="seq")),
    (theory.simulate_modes,
     lambda b: dict(a0=0.1, b0=0.1, c0=0.1, s=b["s"], lr=0.1, steps=3),
     dict(a0="bcast", b0="bcast", c0="bcast", s="seq", lr="pos", steps="int0",
          record_every="int1", trainable="name", tol="pos", check_every="int1")),
    (theory.global_solution,
     lambda b: dict(kind="exponential", delta=1.0, lam=0.9, T=3),
     dict(kind="name", delta="bcast", lam="bcast", T="int1")),
    (theory.u_closed_form, lambda b: dict(t=1.0, u0=0.1, b=0.5, s=b["s"]),
     dict(t="bcast", u0="bcast", b="bcast", s="seq", tau="pos")),
    (theory.extrapolation_loss,
     lambda b: dict(kind="constant", delta=1.0, lam=0.9, T_train=3, T_test=5),
     dict(kind="name", delta="bcast", lam="bcast", T_train="int1", T_test="int1")),
    (theory.regularization_term, lambda b: dict(a=0.5, b=0.5, c=0.5, T=3),
     dict(a="bcast", b="bcast", c="bcast", T="int1")),
    (theory.landau_critical_beta, lambda b: dict(T=4), dict(T="int1")),
    # -------------------------------------------------------------- moments
    (moments.correlation_loss, lambda b: dict(**W3(b), sigma_yx=b["Syx"]),
     dict(Wx="arr", Wh="arr", Wy="arr", sigma_yx="arr0")),
    (moments.loss_offset, lambda b: dict(X=b["X"], Y=b["Y"]),
     dict(X="arr0", Y="arr")),
    (moments.correlation_gradients, lambda b: dict(**W3(b), sigma_yx=b["Syx"]),
     dict(Wx="arr", Wh="arr", Wy="arr", sigma_yx="arr0")),
    # -------------------------------------------------------------- plotting
    (plotting.condition_colors, lambda b: dict(n=3), dict(n="int1", cmap="name")),
    (plotting.darker, lambda b: dict(color="C0", amount=0.4), dict(amount="real")),
    (plotting.plot_sim_and_theory,
     lambda b: dict(ax=axes(), x=[0.0, 1.0, 2.0], sim=[1.0, 0.5, 0.2],
                    theory=[1.0, 0.4, 0.2]),
     dict(x="data", sim="data", theory="data")),
    # ---------------------------------------------------------------- report
    (report.fmt_bound, lambda b: dict(x=1e-13),
     dict(x="bcast", floor="pos", spec="str")),
    (report.fmt_below, lambda b: dict(x=1e-13), dict(x="bcast", bound="pos")),
    (report.shown, lambda b: dict(x=0.123, spec=".2f"), dict(x="real", spec="str")),
    # ------------------------------------------------ network and moments
    (network.apply_maps, lambda b: dict(M=b["M"], X=b["X"]), dict(M="arr0", X="arr")),
    (network.impulse_response, lambda b: dict(**W3(b), T=3),
     dict(Wx="arr", Wh="arr", Wy="arr", T="int1")),
    (moments.input_correlations, lambda b: dict(X=b["X"]),
     dict(X="arr0", flat="bool")),
    (moments.output_second_moment, lambda b: dict(Y=b["Y"]), dict(Y="arr0")),
    (moments.loss_from_moments,
     lambda b: dict(M=b["M"], Syx=b["Syx"], Sxx=b["Sxx"], tr_yy=1.0),
     dict(M="arr0", Syx="arr", Sxx="arr", tr_yy="real")),
    (network.hidden_norm_rms, lambda b: dict(H=b["H"]), dict(H="arr0")),
    (network.hidden_norm_theory, lambda b: dict(Wx=b["Wx"], Wh=b["Wh"], T=3),
     dict(Wx="arr", Wh="arr", T="int1")),
    (network.finite_difference_gradients,
     lambda b: dict(**W3(b), X=b["X"], Y=b["Y"]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0", Y="arr", eps="pos")),
    (moments.ar1_inputs, lambda b: dict(P=5, T=3, Nx=2, rho=0.5, rng=b["rng"]),
     dict(P="int1", T="int1", Nx="int1", rho="real", rng="rng")),
    (moments.ar1_correlations, lambda b: dict(T=3, Nx=2, rho=0.5),
     dict(T="int1", Nx="int1", rho="real")),
    (moments.population_moments, lambda b: dict(A=b["M"], Sxx=b["Sxx"]),
     dict(A="arr0", Sxx="arr")),
    # ------------------------------------------------------------ decoupling
    (network.aligned_blocks, lambda b: dict(**W3(b), task=b["task"], R=b["R"]),
     dict(Wx="bcast", Wh="bcast", Wy="bcast", task="task", R="arr")),
    (network.misalignment, lambda b: dict(**W3(b), task=b["task"], R=b["R"]),
     dict(Wx="bcast", Wh="bcast", Wy="bcast", task="task", R="arr")),
    (decoupling.two_basis_init,
     lambda b: dict(task=b["task"], a0=0.1, b0=0.1, c0=0.1, rng=b["rng"]),
     dict(task="task", a0="bcast", b0="bcast", c0="bcast", rng="rng")),
    (decoupling.teacher_task,
     lambda b: dict(sx=[1.0, 0.5], sh=[0.5, 0.3], sy=[1.0, 0.8], T=3, P=8,
                    rng=b["rng"]),
     dict(sx="arr", sh="arr", sy="arr", T="int1", P="int1", rng="rng",
          n_in="int1", n_out="int1")),
    (decoupling.energy_gradient_fd, lambda b: dict(a=0.1, b=0.2, c=0.3, s=b["s"]),
     dict(a="bcast", b="bcast", c="bcast", s="seq", h="pos")),
    (decoupling.run_aligned,
     lambda b: dict(task=b["task"], a0=0.1, b0=0.1, c0=0.1, lr=0.1, steps=3,
                    rng=b["rng"]),
     dict(task="task", a0="bcast", b0="bcast", c0="bcast", lr="pos",
          steps="int0", rng="rng", record_every="int1")),
    # -------------------------------------------------------- learning_speed
    (learning_speed.u_half_time, lambda b: dict(u0=0.01, b=0.5, s=b["s"]),
     dict(u0="bcast", b="bcast", s="seq", tau="pos")),
    (learning_speed.energy_b_derivatives,
     lambda b: dict(b=0.5, u=0.3, s=b["s"], n_max=2),
     dict(b="bcast", u="bcast", s="seq", n_max="int0")),
    (learning_speed.flow_jet_polynomials, lambda b: dict(order=2), dict(order="int1")),
    (learning_speed.b_time_derivatives, lambda b: dict(b=0.5, u=0.3, s=b["s"], order=2),
     dict(b="bcast", u="bcast", s="seq", order="int1")),
    (learning_speed.windowed_taylor_b,
     lambda b: dict(b0=0.1, u=0.3, s=b["s"], window=0.1, n_windows=2),
     dict(b0="bcast", u="bcast", s="seq", window="pos", n_windows="int1",
          order="int1", points_per_window="int1")),
    (learning_speed.taylor_window_factor, lambda b: dict(x=[0.5, -0.3], order=3),
     dict(x="bcast", order="int1")),
    (learning_speed.taylor_stability_limit, lambda b: dict(order=2),
     dict(order="int1")),
    (learning_speed.reference_b_flow,
     lambda b: dict(b0=0.1, u=0.3, s=b["s"], t_eval=[0.0, 0.1]),
     dict(b0="bcast", u="bcast", s="seq", t_eval="arr0", rtol="pos",
          atol="nonneg")),
    (learning_speed.learning_time,
     lambda b: dict(t=np.linspace(0, 1, 5), x=np.linspace(0, 1, 5)),
     dict(t="arr0", x="arr", fraction="real", start="real", target="real")),
    (learning_speed.s1_crossing,
     lambda b: dict(s_first=[1.0, 0.0, 0.0], s_second=[0.0, 0.0, 1.0]),
     dict(s_first="arr0", s_second="arr", b_max="pos")),
    (learning_speed.learning_order,
     lambda b: dict(delta=[1.0, 1.0], lam=[0.5, 1.0], T=3, max_steps=2000),
     dict(delta="arr", lam="arr", T="int1", init="pos", init_b="real", t_end="pos",
          lr="pos", max_steps="int1")),
    # ------------------------------------------------ theory (curvature)
    (theory.loss_at_lengths,
     lambda b: dict(**W3(b), U=b["task"].U, V=b["task"].V, kind="constant",
                    delta=[1.0, 0.5], lam=[1.0, 1.0], T_tests=[3, 4], rng=b["rng"]),
     dict(Wx="arr", Wh="arr", Wy="arr", U="arr", V="arr", kind="name",
          delta="bcast", lam="bcast", T_tests="int1", rng="rng", P="int1")),
    (theory.minimise_energy, lambda b: dict(s=b["s1"], b_starts=[-1.0, 0.5]),
     dict(s="seq", b_starts="arr0", b_bound="pos")),
    (theory.hessian_parts, lambda b: dict(a=0.1, b=0.2, c=0.3, s=b["s1"]),
     dict(a="bcast", b="bcast", c="bcast", s="seq")),
    (theory.energy_hessian, lambda b: dict(a=0.1, b=0.2, c=0.3, s=b["s1"]),
     dict(a="bcast", b="bcast", c="bcast", s="seq")),
    (theory.sharpness, lambda b: dict(a=0.1, b=0.2, c=0.3, s=b["s1"]),
     dict(a="bcast", b="bcast", c="bcast", s="seq")),
    (theory.max_stable_lr, lambda b: dict(a=0.1, b=0.2, c=0.3, s=b["s1"]),
     dict(a="bcast", b="bcast", c="bcast", s="seq")),
    # ----------------------------------------------------------------- phase
    (phase.energy_terms, lambda b: dict(a=0.5, b=0.5, c=0.5, s=b["s1"]),
     dict(a="bcast", b="bcast", c="bcast", s="seq")),
    (phase.landscape, lambda b: dict(b=[0.0, 1.0], u=[0.0, 1.0, 2.0], s=b["s1"]),
     dict(b="bcast", u="bcast", s="seq")),
    (phase.observed_critical,
     lambda b: dict(param=[0.5, 1.0, 1.5], b_final=[[0.0, 0.9, 1.2]]),
     dict(param="arr0", b_final="bcast", threshold="pos")),
    (phase.brute_force_critical_beta,
     lambda b: dict(T=3, beta=np.linspace(0.5, 1.0, 6), b=np.linspace(1e-3, 3, 30)),
     dict(T="int1", beta="arr0", b="arr0")),
    # --------------------------------------------------------------- kernels
    (kernels.backward_maps, lambda b: dict(**W3(b), T=3),
     dict(Wx="arr", Wh="arr", Wy="arr", T="int1")),
    (kernels.jacobian, lambda b: dict(**W3(b), X=b["X"]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0")),
    (kernels.ntk, lambda b: dict(**W3(b), X=b["X"]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0")),
    (kernels.ntk_kronecker, lambda b: dict(**W3(b), X=b["X"]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0")),
    (kernels.matrix_power, lambda b: dict(W=b["Wh"], n=2), dict(W="arr", n="int0")),
    (kernels.paper_recurrent_block, lambda b: dict(**W3(b), X=b["X"]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0", r_range="name")),
    (kernels.kernel_distance, lambda b: dict(K0=b["K0"], K1=2 * b["K0"]),
     dict(K0="arr0", K1="arr")),
    (kernels.relative_weight_change,
     lambda b: dict(W0=(b["Wx"], b["Wh"], b["Wy"]),
                    W1=(2 * b["Wx"], b["Wh"], b["Wy"])),
     dict(W0="triple", W1="triple")),
    (feature_learning.run_grid,
     lambda b: dict(T=[1, 2], io_scale=0.1, steps=2, rng=b["rng"], n_hidden=2, K=2),
     dict(T="int1", io_scale="pos", rec_scale="pos", init="name", steps="int0",
          rng="rng", n_hidden="int1", K="int1", lr="pos", lr_fraction="pos",
          lr_max="pos", record_every="int1")),
    # --------------------------------------------------------------- stimuli
    (stimuli.target_weights, lambda b: dict(target="late", T=3),
     dict(target="name", T="int1")),
    (stimuli.trials, lambda b: dict(n_trials=1, T=2, rng=b["rng"]),
     dict(n_trials="int1", T="int1", rng="rng", target="name", sigma="nonneg")),
    (network.read_modes,
     lambda b: dict(**W3(b), U=b["task"].U, V=b["task"].V),
     dict(Wx="bcast", Wh="bcast", Wy="bcast", U="arr", V="arr")),
    (theory.best_mode,
     lambda b: dict(w=np.ones(3), C=np.eye(3), b_grid=np.linspace(-2, 2, 21)),
     dict(w="arr0", C="bcast", b_grid="arr0")),
    (engine.hidden_speed, lambda b: dict(history=b["hist"], X=b["X"], lr=0.1),
     dict(history="obj", X="arr0", lr="pos")),
    (network.network_hessian, lambda b: dict(**W3(b), X=b["X"], Y=b["Y"]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0", Y="arr", eps="pos")),
    (network.network_sharpness, lambda b: dict(**W3(b), X=b["X"], Y=b["Y"]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0", Y="arr", eps="pos")),
    # ---------------------------------------------------------------- engine
    (moments.moments, lambda b: dict(X=b["X"], Y=b["Y"]),
     dict(X="arr0", Y="arr", whitened="bool")),
    (moments.make_moments,
     lambda b: dict(sigma_yx=b["Syx"], sigma_xx=b["Sxx"], yy=1.0),
     dict(sigma_yx="bcast", sigma_xx="bcast", yy="bcast")),
    (engine.loss_and_gradients, lambda b: dict(**W3(b), moments=b["mom"]),
     dict(Wx="bcast", Wh="bcast", Wy="bcast", moments="obj", method="name")),
    (engine.train_on_moments,
     lambda b: dict(**W3(b), moments=b["mom"], lr=0.1, steps=3),
     dict(Wx="arr", Wh="arr", Wy="arr", moments="obj", lr="pos", steps="int0",
          record_every="int1")),
    (engine.train_batch, lambda b: dict(**W3(b), moments=b["mom"], lr=0.1, steps=3),
     dict(Wx="bcast", Wh="bcast", Wy="bcast", moments="obj", lr="pos",
          steps="int0", record_every="int1", on_divergence="name")),
    # -------------------------------------------------------------- T outputs
    (t_output.singular_values,
     lambda b: dict(kind="constant", T=3, delta=1.0, lam=0.9, kappa=2.0),
     dict(kind="name", T="int1", delta="bcast", lam="bcast", kappa="bcast")),
    (t_output.make_task, lambda b: dict(s=b["sT"][None], P=6, rng=b["rng"], n_in=2),
     dict(s="arr", P="int1", rng="rng", n_in="int1", n_out="int1")),
    (t_output.correlations, lambda b: dict(X=b["X"], Y=b["YT"]),
     dict(X="arr0", Y="arr")),
    (t_output.forward, lambda b: dict(**W3(b), X=b["X"]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0")),
    (t_output.loss, lambda b: dict(**W3(b), X=b["X"], Y=b["YT"]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0", Y="arr")),
    (t_output.gradients, lambda b: dict(**W3(b), X=b["X"], Y=b["YT"]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0", Y="arr")),
    (t_output.moments, lambda b: dict(X=b["X"], Y=b["YT"]),
     dict(X="arr0", Y="arr")),
    (t_output.train, lambda b: dict(**W3(b), X=b["X"], Y=b["YT"], lr=0.01, steps=2),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0", Y="arr", lr="pos", steps="int0",
          record_every="int1", on_divergence="name")),
    (t_output.lag_profile, lambda b: dict(s=b["sT"]), dict(s="bcast")),
    (t_output.energy, lambda b: dict(a=0.1, b=0.2, c=0.3, s=b["sT"]),
     dict(a="bcast", b="bcast", c="bcast", s="bcast")),
    (t_output.mode_flows, lambda b: dict(a=0.1, b=0.2, c=0.3, s=b["sT"]),
     dict(a="bcast", b="bcast", c="bcast", s="bcast")),
    (t_output.simulate_modes,
     lambda b: dict(a0=0.1, b0=0.2, c0=0.3, s=b["sT"], lr=0.01, steps=3),
     dict(a0="bcast", b0="bcast", c0="bcast", s="bcast", lr="pos", steps="int0",
          record_every="int1")),
    (t_output.optimal_u, lambda b: dict(b=0.5, s=b["sT"]), dict(b="bcast", s="bcast")),
    (t_output.effective_energy, lambda b: dict(b=0.5, s=b["sT"]),
     dict(b="bcast", s="bcast")),
    (t_output.regularization_term, lambda b: dict(a=0.1, b=0.2, c=0.3, T=3),
     dict(a="bcast", b="bcast", c="bcast", T="int1")),
    (t_output.jacobian, lambda b: dict(**W3(b), X=b["X"]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0")),
    (t_output.ntk, lambda b: dict(**W3(b), X=b["X"][:3]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0")),
    (t_output.ntk_kronecker, lambda b: dict(**W3(b), X=b["X"][:3]),
     dict(Wx="arr", Wh="arr", Wy="arr", X="arr0")),
    # -------------------------------------------------------------- rotations
    (rotations.task_eigenvalues,
     lambda b: dict(kind="constant", T=3, delta=1.0, lam=0.5 + 0.5j),
     dict(kind="name", T="int1", delta="bcast", lam="bcast")),
    (rotations.rotation_block, lambda b: dict(d=[1.0 + 0.5j, 0.3j]), dict(d="bcast")),
    (rotations.pair_basis, lambda b: dict(Q=np.eye(2)), dict(Q="arr")),
    (rotations.make_rotational_task,
     lambda b: dict(d=b["d_rot"], P=6, rng=b["rng"]),
     dict(d="seq", P="int1", rng="rng")),
    (rotations.aligned_weights,
     lambda b: dict(task=b["rtask"], a0=0.5, b0=0.3 + 0.4j, c0=1.0, rng=b["rng"]),
     dict(task="task", a0="bcast", b0="bcast", c0="bcast", rng="rng")),
    (rotations.read_modes,
     lambda b: dict(Wx=b["rW"][0], Wh=b["rW"][1], Wy=b["rW"][2], task=b["rtask"],
                    O=b["rW"][3]),
     dict(Wx="bcast", Wh="bcast", Wy="bcast", task="task", O="arr")),
    (rotations.energy, lambda b: dict(a=1.0, b=0.5j, c=1.0, d=b["d_rot"]),
     dict(a="bcast", b="bcast", c="bcast", d="seq")),
    (rotations.mode_flows, lambda b: dict(a=1.0, b=0.5j, c=1.0, d=b["d_rot"]),
     dict(a="bcast", b="bcast", c="bcast", d="seq")),
    (rotations.simulate,
     lambda b: dict(a0=0.1, b0=0.1, c0=0.1, d=b["d_rot"], lr=0.1, steps=3),
     dict(a0="bcast", b0="bcast", c0="bcast", d="seq", lr="pos", steps="int0",
          record_every="int1")),
    (rotations.solution, lambda b: dict(kind="exponential", delta=1.0, lam=2j, T=2),
     dict(kind="name", delta="bcast", lam="bcast", T="int1")),
    (rotations.energy_hessian, lambda b: dict(a=1.0, b=1.0, c=1.0, d=b["d_rot"]),
     dict(a="real", b="bcast", c="real", d="seq")),
    (rotations.max_stable_lr, lambda b: dict(a=1.0, b=1.0, c=1.0, d=b["d_rot"]),
     dict(a="real", b="bcast", c="real", d="seq")),
    (rotations.progress, lambda b: dict(z=[1.0, 1.5j, 2j], target=2j),
     dict(z="arr", target="bcast")),
    (rotations.grid_task,
     lambda b: dict(lam=1j, delta=1.0, kind="inverse_exponential", pairs=2),
     dict(lam="bcast", delta="bcast", kind="name", pairs="int1")),
    # ---------------------------------------------------------------- checks
    (checks.check_function,
     lambda b: dict(name="double", student=_stub, reference=lambda x: 2 * x,
                    cases=[dict(x=1.0)]),
     dict(student="func")),
    _check(checks.unrolled_output),
    _check(checks.bptt_gradients),
    _check(checks.euler_step),
    _check(checks.read_modes),
    _check(checks.u_frozen_b),
    _check(checks.window_factor),
    _check(checks.feedforward_fraction_time),
    _check(checks.stable_learning_rate),
    _check(checks.extrapolation_loss),
    _check(checks.regularization_gradient),
    _check(checks.landau_quadratic),
    _check(checks.dirac_euler_step),
    _check(checks.jacobian_wh),
    _check(checks.kernel_distance),
    _check(checks.linearised_step),
    _check(checks.estimate_weights),
    _check(checks.unaligned_modes),
    _check(checks.sensory_test_loss),
    _check(checks.complex_euler_step),
    _check(checks.read_complex_modes),
    _check(checks.t_output_loss),
    _check(checks.t_output_flows),
    # ---------------------------------------------------------------- explore
    (explore.predict, lambda b: dict(s=b["s"], steps=5),
     dict(s="seq", scale="pos", lr="pos", steps="int1", T_test="int1",
          extend="func", max_steps="int1")),
    (explore.measure, lambda b: dict(X=b["X"], Y=b["Y"]),
     dict(X="arr0", Y="arr", rtol="pos")),
    (explore.lag_extension, lambda b: dict(s=b["s"], T_new=4),
     dict(s="seq", T_new="int1")),
    (explore.parse_profile, lambda b: dict(text="0.2 0.5 1"), dict(text="str")),
    (explore.neurogym_task,
     lambda b: dict(name="GoNogo-v0", n_trials=2, rng=b["rng"]),
     dict(name="str", n_trials="int1", rng="rng")),
    (stimuli.neurogym_trials,
     lambda b: dict(name="GoNogo-v0", n_trials=2, rng=b["rng"]),
     dict(name="str", n_trials="int1", rng="rng")),
]  # fmt: skip

#: Public callables without a catalogue entry, and why.
NOT_CATALOGUED = {
    "network.rollout": "unvalidated kernel (callers validate once, at their boundary)",
    "network.bptt": "unvalidated kernel (callers validate once, at their boundary)",
    "network.time_major": "a layout helper for the kernels, no validation by design",
    "plotting.use_book_style": "takes no argument",
    "plotting.add_style_legend": "takes an axes and legend labels, no data",
    "plotting.colour_independent": "takes a Figure: anything else raises TypeError "
    "(tests/test_colour_independent.py)",
    "plotting.check_colours_on_draw": "a figure hook: pyplot passes a Figure",
    "checks.check_value": "compares any value; reports a wrong value, never raises",
    "explore.main": "the command line: argparse reports usage errors (tested by "
    "subprocess in tests/test_explore.py)",
}


def variants(kind, value):
    """(label, bad value, expected exception) for an argument of this kind."""
    arr = (
        np.asarray(value, dtype=np.result_type(np.asarray(value), float))
        if kind in {"arr", "arr0", "bcast", "seq"}
        else None
    )
    if arr is not None:
        out = [("string", "abc", TypeError)]
        if arr.size:
            out += [
                ("nan", np.where(np.ones_like(arr, bool), np.nan, arr), ValueError),
                ("inf", np.full_like(arr, np.inf), ValueError),
                # a NaN hidden under a mask must not slip through the finite check
                ("masked", np.ma.masked_invalid(np.full_like(arr, np.nan)), ValueError),
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
    if kind == "nonneg":
        return [
            ("string", "x", TypeError),
            ("nan", float("nan"), ValueError),
            ("inf", float("inf"), ValueError),
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
    if kind in {"task", "obj"}:
        return [("string", "task", TypeError)]
    if kind == "bool":
        return [("string", "yes", TypeError), ("none-like", 0.5, TypeError)]
    if kind == "str":
        return [("int", 3, TypeError)]
    if kind == "func":
        return [("not-callable", 3.0, TypeError)]
    if kind == "triple":
        return [("string", "abc", TypeError), ("pair", tuple(value)[:2], ValueError)]
    if kind == "data":
        return [("string", "abc", TypeError), ("none", [1.0, None, 2.0], TypeError)]
    raise AssertionError(kind)  # pragma: no cover


def qualname(fn):
    """``module.name`` as in ``__all__`` (checks: ``checks.name``)."""
    parts = fn.__module__.split(".")
    module = "checks" if parts[1] == "checks" else parts[-1]
    return f"{module}.{fn.__name__}"


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


#: Cases that could not be fixed by input validation alone (see the module docstring).
KNOWN_GAPS: dict[str, str] = {}


def public_functions():
    """``{"module.name": function}`` of every callable in every module's ``__all__``."""
    import lrnn_utils

    out = {}
    for modname in lrnn_utils.__all__:
        mod = getattr(lrnn_utils, modname)
        for name in getattr(mod, "__all__", ()):
            obj = getattr(mod, name)
            if callable(obj) and not isinstance(obj, type):
                out[f"{modname}.{name}"] = obj
    return out


def test_catalogue_covers_every_public_function():
    public = public_functions()
    listed = {fn for fn, _, _ in CATALOGUE}
    missing = {
        key
        for key, fn in public.items()
        if fn not in listed and key not in NOT_CATALOGUED
    }
    assert not missing, f"public functions not in the catalogue: {sorted(missing)}"
    stale = (set(NOT_CATALOGUED) - set(public)) | {
        qualname(fn) for fn in listed if fn not in public.values()
    }
    assert not stale, f"catalogued names that are not public: {sorted(stale)}"
    assert len({qualname(fn) for fn in listed}) == len(CATALOGUE)


def test_known_gaps_name_existing_cases():
    ids = {param.id for param in cases()}
    assert not set(KNOWN_GAPS) - ids, sorted(set(KNOWN_GAPS) - ids)


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
