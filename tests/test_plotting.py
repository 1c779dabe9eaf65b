import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lrnn_utils import plotting  # noqa: E402


def test_sim_solid_theory_dashed_same_hue():
    fig, ax = plt.subplots()
    x = np.linspace(0, 1, 5)
    line = plotting.plot_sim_and_theory(ax, x, x**2, x**2, color="tab:blue", label="a")
    sim, th = ax.get_lines()
    assert line is sim and sim.get_linestyle() == "-" and th.get_linestyle() == "--"
    np.testing.assert_allclose(th.get_color(), plotting.darker("tab:blue"))
    plotting.plot_sim_and_theory(
        ax, x, x, 0.5, color="tab:red"
    )  # scalar theory: a horizontal line
    leg = plotting.add_style_legend(ax)
    assert [t.get_text() for t in leg.get_texts()] == ["a", "simulation", "theory"]
    plt.close(fig)


def test_condition_colors_and_darker_bad_input():
    assert len(plotting.condition_colors(4)) == 4
    with pytest.raises(ValueError):
        plotting.condition_colors(0)
    with pytest.raises(ValueError):
        plotting.darker("k", amount=1.5)


def test_darker_scales_rgb_towards_black():
    from matplotlib.colors import to_rgb

    base = np.asarray(to_rgb("tab:blue"))
    np.testing.assert_allclose(plotting.darker("tab:blue"), 0.6 * base, atol=1e-15)
    np.testing.assert_allclose(
        plotting.darker("tab:red", 0.25),
        0.75 * np.asarray(to_rgb("tab:red")),
        atol=1e-15,
    )
    np.testing.assert_allclose(plotting.darker("w", 1.0), (0.0, 0.0, 0.0))
    np.testing.assert_allclose(plotting.darker("tab:green", 0.0), to_rgb("tab:green"))


def test_theory_curve_is_drawn_darker_than_simulation():
    from matplotlib.colors import to_rgb

    fig, ax = plt.subplots()
    x = np.linspace(0, 1, 5)
    plotting.plot_sim_and_theory(ax, x, x, x, color="tab:orange")
    sim, th = ax.get_lines()
    sim_rgb, th_rgb = (
        np.asarray(to_rgb(sim.get_color())),
        np.asarray(to_rgb(th.get_color())),
    )
    assert np.all(th_rgb <= sim_rgb) and np.sum(th_rgb) < 0.9 * np.sum(sim_rgb)
    plt.close(fig)
