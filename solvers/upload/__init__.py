"""Uploading plans (MODEL.md section 6), in one place: the planner contract, the `PLANNERS` registry,
`plan_upload`, and the planners: the paper's rivals (`baselines`), LMU (`lmu`) and the exact dynamic
programme (`exact`). A planner turns a task's fixed placement into an ordered list of partitions;
`plan_upload(name, problem)` times them into a plan.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Protocol

from eosdnn.framework.errors import EosdnnError
from eosdnn.framework.registry import Registry
from eosdnn.problems.upload import UploadPlan, UploadProblem, make_plan


class Planner(Protocol):
    def partitions(self, problem: UploadProblem) -> list[list[int]]: ...


PLANNERS: Registry[Planner] = Registry("planner", "eosdnn.planners", builtins=("eosdnn.solvers.upload",))


def check_units(planner: str, problem: UploadProblem, limit: int, growth: str) -> None:
    """Refuse, before any work, a task with more upload units than the planner's `max_units`."""
    n = problem.n_units
    if n > limit:
        weighted = sum(unit.weighted for unit in problem.units)
        raise EosdnnError(
            f"{planner}.max_units: task {problem.task_index} ({problem.model.name}) has {n} off-client upload units "
            f"({weighted} with weights), above the limit of {limit} (the work grows as {growth}); "
            f"raise it with {planner}.max_units=N")


def plan_upload(name: str, problem: UploadProblem, horizon: float | None = None, **params) -> UploadPlan:
    """Run one registered planner and time its partitions."""
    planner = PLANNERS.create(name, **params)
    return make_plan(problem, name, planner.partitions(problem), horizon)


for _module in pkgutil.iter_modules(__path__):  # registration: every planner module registers its own
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["PLANNERS", "Planner", "check_units", "plan_upload"]
