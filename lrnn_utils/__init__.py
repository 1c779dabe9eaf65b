"""Helper package of the book *Learning dynamics in linear recurrent neural networks*.

One module per concept
----------------------
tasks
    Singular-value profiles and exactly whitened data sets (Assumptions 1-2).
network
    The linear RNN: forward recurrence, loss, backpropagation through time,
    initialisations, read-out of the connectivity modes.
moments
    Second moments of the data and the loss written through them.
theory
    Mode theory: energy, mode equations, closed forms, zero-loss solutions,
    curvature and stable learning rates, extrapolation.
engine
    Training: one trainer family (backpropagation through time or the moment
    form, one network or a batch), one divergence policy, one result type.
kernels
    The neural tangent kernel and how far it moves.
stimuli
    Sensory-integration stimuli from neurogym.
plotting
    The book's figure conventions (theory dashed, simulation solid).
report
    Printing rounding-level deviations as bounds, so committed outputs do not depend
    on the machine.
checks
    The exercise checks, one module per chapter.

Chapter drivers (import only the concept modules, never each other):
``decoupling`` (ch. 2), ``learning_speed`` (ch. 3), ``phase`` (ch. 5),
``feature_learning`` (ch. 6b), ``t_output`` (ch. 8), ``rotations`` (ch. 9), ``explore``
(the playground: every prediction of the theory for a task of your own).
"""

from . import (
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
from ._validation import TrainingDivergedError

__all__ = [
    "tasks",
    "network",
    "moments",
    "theory",
    "engine",
    "kernels",
    "stimuli",
    "plotting",
    "report",
    "checks",
    "decoupling",
    "learning_speed",
    "phase",
    "feature_learning",
    "t_output",
    "rotations",
    "explore",
    "TrainingDivergedError",
]
__version__ = "0.1.0"
