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
plotting
    The book's figure conventions (theory dashed, simulation solid).
"""

from . import model, plotting, tasks, theory
from ._validation import TrainingDivergedError

__all__ = ["tasks", "model", "theory", "plotting", "TrainingDivergedError"]
__version__ = "0.1.0"
