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


def test_fmt_bound_rounds_to_nearest_not_down():
    # a floor (truncation) would print 1.2e-02, -0.50 and 9.9e-01
    assert fmt_bound(0.0129) == "1.3e-02"
    assert fmt_bound(-0.506, spec=".2f") == "-0.51"
    assert fmt_bound(0.996) == "1.0e+00"
    assert fmt_bound(np.array([-0.0129, 1e-3])) == "1.3e-02"


def test_fmt_bound_floor_is_strict():
    # |x| < floor prints the floor; |x| == floor is a value at the floor, printed
    assert fmt_bound(9.99e-13) == "< 1e-12"
    assert fmt_bound(1e-12) == "1.0e-12"
    assert fmt_bound(2e-10, floor=1e-10) == "2.0e-10"


def test_fmt_below_prints_the_bound_not_the_value():
    assert fmt_below(9.9e-13) == "below 1e-12"
    assert fmt_below(0.0, bound=3e-8) == "below 3e-8"
    assert fmt_below(-0.99, bound=1.0) == "below 1e+00"
    with pytest.raises(ValueError, match="not below"):
        fmt_below(1.0000001e-12)


def test_shown_rounds_half_away_and_keeps_sign():
    assert shown(0.129, ".2f") == 0.13
    assert shown(-0.516, ".2f") == -0.52
    assert shown(2.96e-5, ".1e") == 3.0e-5
    assert shown(7.0, ".0f") == 7.0
