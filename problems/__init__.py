"""eosdnn.problems: environment, DNN models, the delay evaluator and the optimisation problems."""

from eosdnn.problems.errors import EosdnnError

__all__ = ["EosdnnError"]
