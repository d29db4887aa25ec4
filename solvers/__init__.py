"""eosdnn.solvers: migration solvers (and, later, uploading planners), registered by name.

Importing this package registers: psoga, ga, greedy, prepso, two-step, random, all-local,
all-edge, all-cloud, milp, milp-free, exhaustive. `make_solver(name, **params)` builds one.
"""

from eosdnn.framework import SOLVERS
from eosdnn.solvers import baselines, exhaustive, ga, greedy, milp, psoga, structured  # noqa: F401  (registration)


def make_solver(name: str, **params):
    return SOLVERS.create(name, **params)


__all__ = ["SOLVERS", "make_solver"]
