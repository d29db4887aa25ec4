"""eosdnn.framework: generic metaheuristic machinery (problems, solvers, budgets, results, registry).

It knows nothing of DNNs: a problem is integer genes with bounds and a vectorised evaluate.
"""

from eosdnn.framework.problem import Problem

__all__ = ["Problem"]
