import numpy as np
import pytest

from lrnn_utils.report import fmt_below, fmt_bound, shown


def test_fmt_bound():
    assert fmt_bound(3.2e-16) == "< 1e-12"
    assert fmt_bound(-3.2e-16, floor=1e-10) == "< 1e-10"
    assert fmt_bound(0.0123) == "1.2e-02"
    assert fmt_bound(0.0123, spec=".4f") == "0.0123"
    assert fmt_bound(np.array([1e-17, -2e-3])) == "2.0e-03"
    assert fmt_bound(-0.5, spec=".2f") == "-0.50"


@pytest.mark.parametrize("x, floor", [([], 1e-12), (np.nan, 1e-12), (1.0, 0.0)])
def test_fmt_bound_bad_input(x, floor):
    with pytest.raises(ValueError):
        fmt_bound(x, floor=floor)


def test_fmt_below_prints_only_the_bound():
    # the measured magnitude differs between BLAS kernels; the printed text must not
    for x in (0.0, 3e-17, -4.9e-13, [1e-16, -2e-15]):
        assert fmt_below(x) == "below 1e-12"
    assert fmt_below(5e-11, bound=1e-10) == "below 1e-10"
    assert fmt_below(0.04, bound=0.05) == "below 5e-2"


@pytest.mark.parametrize("x, bound", [(1e-12, 1e-12), (-2e-9, 1e-10), (np.nan, 1.0)])
def test_fmt_below_raises_when_not_below(x, bound):
    with pytest.raises(ValueError):
        fmt_below(x, bound)


def test_shown_rounds_to_the_printed_digits():
    assert shown(40.82896929509427, ".0f") == 41.0
    assert shown(40.82896929509544, ".0f") == 41.0
    assert shown(0.2250002386381167, ".4f") == shown(0.22500023863811683, ".4f")
    assert shown(1.5620622944507193e-08, ".1e") == 1.6e-08
    assert shown(-0.513176, ".2f") == -0.51
