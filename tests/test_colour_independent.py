"""``plotting.colour_independent``: no distinction by colour alone, and its hook.

Each rule is shown to fail on a figure that breaks it and to pass on the same figure
with the distinction also carried by a line style, a marker or lightness.
"""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lrnn_utils import plotting  # noqa: E402
from lrnn_utils._validation import ArgumentTypeError  # noqa: E402

X = np.linspace(0.0, 1.0, 20)


@pytest.fixture
def fig_ax():
    fig, ax = plt.subplots()
    yield fig, ax
    plt.close(fig)


def two_curves(ax, style_a=None, style_b=None, colors=plotting.CYCLE[1:3]):
    ax.plot(X, X, color=colors[0], label="train", **(style_a or {}))
    ax.plot(X, X**2, color=colors[1], label="test", **(style_b or {}))
    ax.legend()


def test_two_colours_only_fail(fig_ax):
    fig, ax = fig_ax
    two_curves(ax)  # vermillion and green: L* 54 and 58
    (problem,) = plotting.colour_independent(fig)
    assert "'train' and 'test' differ only in hue" in problem


@pytest.mark.parametrize(
    "style_b",
    [{"linestyle": "--"}, {"marker": "o"}, {"linewidth": 4.0}],
    ids=["line style", "marker", "width"],
)
def test_a_second_channel_passes(fig_ax, style_b):
    fig, ax = fig_ax
    two_curves(ax, style_b=style_b)
    assert plotting.colour_independent(fig) == []


def test_lightness_difference_passes_and_its_threshold(fig_ax):
    fig, ax = fig_ax
    two_curves(ax, colors=(plotting.CYCLE[0], plotting.CYCLE[4]))  # L* 46 and 71
    assert plotting.colour_independent(fig) == []
    # greys L* 48 and 53 (5 apart, below the threshold 10) fail; 48 and 58 pass
    for grey, ok in (("0.5", False), ("0.55", True)):
        ax.clear()
        two_curves(ax, colors=("0.45", grey))
        assert (plotting.colour_independent(fig) == []) is ok, grey


def test_translucency_counts(fig_ax):
    # condition_colors(4) as the book's translucent simulation bands: too close
    fig, ax = fig_ax
    for k, c in enumerate(plotting.condition_colors(4)):
        plotting.plot_sim_and_theory(ax, X, X + k, X + k, color=c, label=f"k={k}")
    plotting.add_style_legend(ax)
    assert any("'k=1' and 'k=2'" in p for p in plotting.colour_independent(fig))
    # the same with one marker per condition passes
    ax.clear()
    for k, c in enumerate(plotting.condition_colors(4)):
        plotting.plot_sim_and_theory(
            ax, X, X + k, X + k, c, f"k={k}", marker=plotting.MARKERS[k], markevery=5
        )
    plotting.add_style_legend(ax)
    assert plotting.colour_independent(fig) == []


def test_a_marker_hidden_inside_a_broad_line_does_not_count(fig_ax):
    fig, ax = fig_ax
    two_curves(
        ax, {"lw": 4.5, "marker": "o", "ms": 3}, {"lw": 4.5, "marker": "s", "ms": 3}
    )
    assert len(plotting.colour_independent(fig)) == 1
    ax.clear()
    two_curves(
        ax, {"lw": 4.5, "marker": "o", "ms": 6}, {"lw": 4.5, "marker": "s", "ms": 6}
    )
    assert plotting.colour_independent(fig) == []


def test_grey_style_keys_are_not_compared_with_conditions(fig_ax):
    fig, ax = fig_ax
    # a green band has the lightness of the grey style key's band: not a problem
    plotting.plot_sim_and_theory(ax, X, X, X, color=plotting.CYCLE[2], label="a")
    plotting.add_style_legend(ax)
    assert plotting.colour_independent(fig) == []
    # but two grey keys of one style are
    ax.plot(X, X, color="0.3", lw=1, ls=":", label="one")
    ax.plot(X, X, color="0.33", lw=1, ls=":", label="two")
    ax.legend()
    assert len(plotting.colour_independent(fig)) == 1


def test_figure_legend_and_markers_only(fig_ax):
    fig, ax = fig_ax
    ax.plot(X, X, "o", color=plotting.CYCLE[1], label="a")
    ax.plot(X, X**2, "o", color=plotting.CYCLE[2], label="b")
    fig.legend()
    assert len(plotting.colour_independent(fig)) == 1
    ax.get_lines()[1].set_marker("s")
    fig.legends.clear()
    fig.legend()
    assert plotting.colour_independent(fig) == []


@pytest.mark.parametrize(
    "cmap, ok",
    [
        ("viridis", True),
        ("cividis", True),
        ("magma", True),
        ("Greys_r", True),
        ("RdBu_r", True),  # diverging, lightness symmetric about its middle
        ("jet", False),
        ("turbo", False),
        ("seismic", False),  # diverging but not symmetric in lightness
    ],
)
def test_colormaps_need_monotone_or_symmetric_lightness(fig_ax, cmap, ok):
    fig, ax = fig_ax
    z = np.arange(12.0).reshape(3, 4)
    ax.pcolormesh(z, cmap=cmap)
    problems = plotting.colour_independent(fig)
    assert (problems == []) is ok, problems
    ax.clear()
    ax.imshow(z, cmap=cmap)
    ax.contourf(z, cmap=cmap)
    assert (plotting.colour_independent(fig) == []) is ok


def test_rgb_image_has_no_colormap_to_check(fig_ax):
    fig, ax = fig_ax
    ax.imshow(np.random.default_rng(0).random((3, 4, 3)), cmap="jet")
    assert plotting.colour_independent(fig) == []


def test_bad_input():
    with pytest.raises(ArgumentTypeError, match="fig must be a matplotlib Figure"):
        plotting.colour_independent(plt.gca().get_lines())
    plt.close("all")


def test_book_style_installs_the_hook_which_warns_when_drawn():
    saved = dict(matplotlib.rcParams)
    try:
        plotting.use_book_style()
        fig, ax = plt.subplots()
        two_curves(ax)
        with pytest.warns(plotting.ColourOnlyWarning, match="'train' and 'test'"):
            fig.canvas.draw()
        ax.get_lines()[1].set_linestyle("--")
        ax.legend()
        with warnings.catch_warnings():
            warnings.simplefilter("error", plotting.ColourOnlyWarning)
            fig.canvas.draw()  # fixed: silent
        plt.close(fig)
    finally:
        matplotlib.rcParams.update(saved)
        plt.close("all")
