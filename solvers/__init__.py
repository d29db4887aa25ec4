"""eosdnn.solvers: migration solvers (and, later, uploading planners), registered by name.

Importing this package registers: psoga, ga, greedy, prepso, two-step, random, all-local,
all-edge, all-cloud, milp, milp-free, exhaustive. `SOLVERS.create(name, **params)` builds one.
Uploading planners live in `eosdnn.solvers.upload` (PLANNERS: lmu, non-uploading, ionn,
recursive-efficiency, exact); `plan_upload(name, upload_problem)` returns a timed plan.
"""

from eosdnn.framework import SOLVERS
from eosdnn.solvers import (  # noqa: F401  (registration)
    eosdnn_solver, exhaustive, ga, graph_reductions, greedy, heft, local_search, milp, psoga, random_search, tier_plans)
from eosdnn.solvers.upload import PLANNERS, plan_upload


__all__ = ["PLANNERS", "SOLVERS", "plan_upload"]
