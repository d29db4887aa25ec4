"""eosdnn.framework: generic metaheuristic machinery (problems, solvers, budgets, results, registry).

It knows nothing of DNNs: a problem is integer genes with bounds and a vectorised evaluate.
"""

from eosdnn.framework.budget import Budget
from eosdnn.framework.problem import Problem
from eosdnn.framework.registry import Registry
from eosdnn.framework.result import Result
from eosdnn.framework.solver import Search, Solver

__all__ = ["Budget", "Problem", "Registry", "Result", "Search", "Solver"]
