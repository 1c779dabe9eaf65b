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
