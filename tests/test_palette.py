"""The book's colours stay distinguishable under colour-vision deficiencies.

Method: each colour is converted from sRGB to linear RGB, passed through Machado,
Oliveira & Fernandes's (2009) simulation matrix at full severity (protanopia,
deuteranopia, tritanopia; colour-science's ``matrix_cvd_Machado2009``), and the
pairwise CIEDE2000 colour difference (Delta E 00, in CIELAB under D65) is taken between
every two colours that a figure uses together. A just-noticeable difference between
large patches is about Delta E 00 = 1-2; lines and markers are thin marks, which need
several times that.

Thresholds (minimum pairwise Delta E 00, in normal vision and each simulation):

* the colour cycle (``CYCLE``, first 6 colours, categorical: the reader must match a
  line to a legend entry by colour alone): 10; their ``darker`` theory shades: 7.5;
* ``condition_colors(n)`` for n <= 4 (viridis, plasma; ordered conditions that also
  differ monotonically in lightness and carry labels): 8; their ``darker`` shades: 5.

Simulation and its theory share a hue on purpose; they differ by line style (solid band
vs thin dashes), checked here too.
"""

import itertools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lrnn_utils import plotting

# colour-science sets numpy's print options to the legacy "1.13" style when imported,
# which would change every array repr printed after it (the package's doctests, say)
_print_options = np.get_printoptions()
colour = pytest.importorskip("colour")
np.set_printoptions(**_print_options)

SIMULATIONS = (None, "Protanomaly", "Deuteranomaly", "Tritanomaly")
NAMES = {
    None: "normal vision",
    "Protanomaly": "protanopia",
    "Deuteranomaly": "deuteranopia",
    "Tritanomaly": "tritanopia",
}


def lab(colors, deficiency):
    """CIELAB of ``colors`` as seen with ``deficiency`` (None: normal vision)."""
    from matplotlib.colors import to_rgb

    rgb = np.array([to_rgb(c) for c in colors])
    linear = colour.cctf_decoding(rgb, function="sRGB")
    if deficiency is not None:
        with colour.utilities.suppress_warnings(colour_usage_warnings=True):
            m = colour.blindness.matrix_cvd_Machado2009(deficiency, 1.0)
        linear = np.clip(linear @ m.T, 0.0, 1.0)
    xyz = colour.RGB_to_XYZ(
        linear, colour.RGB_COLOURSPACES["sRGB"], apply_cctf_decoding=False
    )
    return colour.XYZ_to_Lab(xyz)


def min_difference(colors, deficiency):
    """Smallest pairwise CIEDE2000 difference between ``colors``."""
    x = lab(colors, deficiency)
    return min(
        float(colour.delta_E(x[i], x[j], method="CIE 2000"))
        for i, j in itertools.combinations(range(len(colors)), 2)
    )


def test_simulation_changes_colours():
    # guard: the simulation is active (red and green collapse under deuteranopia)
    assert min_difference(["#d62728", "#2ca02c"], None) > 40
    assert min_difference(["#d62728", "#2ca02c"], "Deuteranomaly") < 15


def test_matplotlib_default_cycle_would_fail():
    # the check can fail: matplotlib's tab10 cycle confuses its colours
    tab10 = plt.rcParamsDefault["axes.prop_cycle"].by_key()["color"][:6]
    assert min_difference(tab10, "Protanomaly") < 10


@pytest.mark.parametrize("deficiency", SIMULATIONS, ids=NAMES.get)
def test_cycle_distinguishable(deficiency):
    plotting.use_book_style()
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    assert cycle == list(plotting.CYCLE)
    first = cycle[:6]
    assert min_difference(first, deficiency) >= 10
    assert min_difference([plotting.darker(c) for c in first], deficiency) >= 7.5


@pytest.mark.parametrize("deficiency", SIMULATIONS, ids=NAMES.get)
@pytest.mark.parametrize("cmap", ["viridis", "plasma"])
@pytest.mark.parametrize("n", [2, 3, 4])
def test_condition_colors_distinguishable(n, cmap, deficiency):
    colors = plotting.condition_colors(n, cmap)
    assert min_difference(colors, deficiency) >= 8
    assert min_difference([plotting.darker(c) for c in colors], deficiency) >= 5


def test_sim_and_theory_differ_by_line_style_not_only_colour():
    fig, ax = plt.subplots()
    x = np.linspace(0.0, 1.0, 5)
    plotting.plot_sim_and_theory(ax, x, x, x, color=plotting.CYCLE[0])
    plotting.plot_sim_and_theory(ax, x, x, 0.5, color=plotting.CYCLE[1])
    leg = plotting.add_style_legend(ax)
    lines = ax.get_lines()
    sims, theories = lines[0::2], lines[1::2]
    for sim, theory in zip(sims, theories):
        assert sim.get_linestyle() == "-"
        assert theory.get_linestyle() == "--"
        assert sim.get_linewidth() >= 2 * theory.get_linewidth()
    # the legend's style entries differ in dash pattern and width, in grey
    sim_entry, theory_entry = leg.get_lines()[-2:]
    assert sim_entry.get_linestyle() == "-" and theory_entry.get_linestyle() == "--"
    assert sim_entry.get_linewidth() > theory_entry.get_linewidth()
    plt.close(fig)
