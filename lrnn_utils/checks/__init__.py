"""Self-checks for the book's coding exercises.

One function per coding exercise. Each takes the student's answer (a function or a
value), tests it against the reference implementation on random cases drawn from a fixed
seed (pass ``seed=`` for fresh ones) and on the edge cases the exercise names (b = 0,
T = 1, a stack of networks, ...), and returns a :class:`CheckResult` whose one-line repr
says ``✔`` (passed), ``✘`` with what is wrong (which output, wrong shape, wrong sign, an
off-by-one in the time index, a missing factor, ...), or ``…`` while the answer is still
the stub. Whatever the answer returns, the check gives a verdict and never raises.

Examples
--------
>>> from lrnn_utils import checks
>>> checks.check_value("my first answer", ..., 1.0)
… my first answer: no answer yet (replace the ...)
"""

from . import ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09
from ._core import CheckResult, Mistake, check_function, check_value
from .ch01 import *  # noqa: F401,F403
from .ch02 import *  # noqa: F401,F403
from .ch03 import *  # noqa: F401,F403
from .ch04 import *  # noqa: F401,F403
from .ch05 import *  # noqa: F401,F403
from .ch06 import *  # noqa: F401,F403
from .ch07 import *  # noqa: F401,F403
from .ch08 import *  # noqa: F401,F403
from .ch09 import *  # noqa: F401,F403

__all__ = ["CheckResult", "Mistake", "check_function", "check_value"]
for _m in (ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09):
    _clash = set(__all__) & set(_m.__all__)
    if _clash:  # a star import would silently shadow another chapter's check
        raise ImportError(f"{_m.__name__} redefines checks {sorted(_clash)}")
    __all__ += _m.__all__
