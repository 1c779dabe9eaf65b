import numpy as np
import pytest

from lrnn_utils.report import fmt_bound


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
