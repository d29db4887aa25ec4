"""eosdnn.solvers: migration solvers (and, later, uploading planners), registered by name.

Importing this package registers: psoga, ga, greedy, prepso, two-step, random, all-local,
all-edge, all-cloud, milp, milp-free, exhaustive. `make_solver(name, **params)` builds one.
Uploading planners live in `eosdnn.solvers.upload` (PLANNERS: lmu, non-uploading, ionn,
recursive-efficiency, exact); `plan_upload(name, upload_problem)` returns a timed plan.
"""

from eosdnn.framework import SOLVERS
from eosdnn.solvers import eosdnn_solver, exhaustive, ga, greedy, heft, local_search, milp, psoga, simple_plans, structured  # noqa: F401  (registration)
from eosdnn.solvers.upload import PLANNERS, plan_upload


def make_solver(name: str, **params):
    return SOLVERS.create(name, **params)


__all__ = ["PLANNERS", "SOLVERS", "make_solver", "plan_upload"]
