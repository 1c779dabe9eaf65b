"""Helper package of the book *Learning dynamics in linear recurrent neural networks*.

Modules
-------
tasks
    Singular-value profiles, exactly whitened data, correlations.
model
    The linear RNN: forward pass, loss, backpropagation through time, training,
    aligned initialisation and mode read-out.
theory
    Mode equations, energy, closed forms and zero-loss solutions.
fast
    Gradient descent through the data's second moments: a drop-in fast trainer and a
    batched trainer for sweeps.
correlation_form
    The loss and its gradients through the input-output correlations (whitened inputs).
plotting
    The book's figure conventions (theory dashed, simulation solid).
report
    Printing rounding-level deviations as bounds, so committed outputs do not depend
    on the machine.

Chapter-specific helpers: ``unrolled`` (ch. 1), ``decoupling`` (ch. 2),
``learning_speed`` (ch. 3), ``stability`` (ch. 4),
``phase`` (ch. 5),
``ntk`` (ch. 6), ``sensory`` (ch. 7).
"""

from . import (
    checks,
    correlation_form,
    decoupling,
    fast,
    learning_speed,
    model,
    ntk,
    phase,
    plotting,
    report,
    sensory,
    stability,
    tasks,
    theory,
    unrolled,
)
from ._validation import TrainingDivergedError

__all__ = [
    "tasks",
    "model",
    "fast",
    "theory",
    "correlation_form",
    "plotting",
    "report",
    "unrolled",
    "decoupling",
    "learning_speed",
    "stability",
    "phase",
    "ntk",
    "sensory",
    "checks",
    "TrainingDivergedError",
]
__version__ = "0.1.0"
