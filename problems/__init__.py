"""eosdnn.problems: environment, DNN models, the delay evaluator and the optimisation problems."""

from eosdnn.framework.errors import EosdnnError

__all__ = ["EosdnnError"]
