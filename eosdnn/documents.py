"""FORMATS.md's JSON documents, one function each: an evaluated plan, a solver's run, an interrupted
run, `run`'s recommendation and uploading plans (a comparison, a validation and a sweep build theirs
in their own modules). Commands build their files here and write them with `problems.files.write_json`."""

from __future__ import annotations

from typing import Any

from eosdnn.framework import Result
from eosdnn.framework.solver import SearchTracker
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.placement import placement_to_dict
from eosdnn.problems.plan_report import PlanReport, plan_report
from eosdnn.problems.upload import largest_share
from eosdnn.recommend import Recommendation
from eosdnn.upload_tasks import TaskPlans


def history_document(result: Result) -> list[list[float]]:
    return [[e, v] for e, v in result.history]


def plan_of(result: Result) -> PlanReport:
    """The plan report a migration solver's result carries."""
    if not isinstance(result.report, PlanReport):
        raise TypeError(f"{result.solver}: the result is not a migration plan")
    return result.report


def evaluation_document(problem: MigrationProblem, plan: PlanReport) -> dict[str, Any]:
    """One plan: its figures (FORMATS.md's common result fields), the lower bound and the gap."""
    return plan.document() | {"lower_bound": problem.lower_bound, "bounds": problem.bounds,
                              "gap_to_bound": problem.gap_to_bound(plan.value)}


def solve_document(problem: MigrationProblem, result: Result) -> dict[str, Any]:
    """One run: its plan's figures, the bound and gap, the placement, and how the search went."""
    doc = evaluation_document(problem, plan_of(result))
    doc.update({
        "solver": result.solver,
        "seed": result.seed,
        "placement": placement_to_dict(problem, result.x),
        "evaluations": result.evaluations,
        "wall_s": result.wall_s,
        "history": history_document(result),
    })
    if result.status is not None:
        doc.update({"status": result.status, "bound": result.bound, "gap": result.gap})
    if result.model_status is not None:
        doc["model_status"] = result.model_status
    if result.model_value is not None:
        doc["model_value"] = result.model_value
    if result.info:
        doc["info"] = dict(result.info)
    return doc


def interrupted_document(problem: MigrationProblem, name: str, seed: int, tracker: SearchTracker) -> dict | None:
    """What an interrupted run had: its best placement so far, with status `interrupted`."""
    found = tracker.best()
    if found is None:
        return None
    x, _value, evaluations = found
    return plan_report(problem, x).document() | {"solver": name, "seed": seed, "status": "interrupted",
                                                 "placement": placement_to_dict(problem, x),
                                                 "evaluations": evaluations}


def interrupted(doc: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A command's document marked `status: interrupted`, with `extra` fields (e.g. the run that was
    cut short, `interrupted_run`)."""
    return doc | {"status": "interrupted"} | extra


def strongest_bound(problem: MigrationProblem, result: Result) -> tuple[float | None, str | None]:
    """The bound a report shows beside a result: the problem's lower bound, or an exact solver's
    proven bound where it is larger (with where it came from)."""
    bound = problem.lower_bound
    if result.bound is not None and (bound is None or result.bound > bound):
        return result.bound, f"proven by {result.solver}"
    return bound, None


def run_document(problem: MigrationProblem, chosen: Recommendation, seed: int, uploads: list[TaskPlans],
                 planners: list[str]) -> dict[str, Any]:
    """`eosdnn run`: the recommended plan, every plan tried with its gap, the uploading plans."""
    best = chosen.result
    migration = solve_document(problem, best)
    recommended = {"solver": chosen.best, "value": best.value, "placement": migration["placement"],
                   "lower_bound": problem.lower_bound, "gap_to_bound": problem.gap_to_bound(best.value),
                   "wall_s": best.wall_s, "evaluations": best.evaluations}
    plans = {label: plan_of(result).document() | {"gap_to_bound": problem.gap_to_bound(result.value)}
             for label, result in chosen.results.items()}
    return {"format": 1, "scenario": problem.scenario.name, "seed": seed, "lower_bound": problem.lower_bound,
            "bounds": problem.bounds, "recommended": recommended, "migration": migration, "plans": plans,
            "upload": upload_document(uploads, planners)}


def upload_summary(task: TaskPlans, name: str) -> dict:
    """One planner's plan of one task in figures: SSD, its saving, partitions, largest share, times."""
    plan = task.plans[name]
    return {
        "ssd": plan.ssd,
        "improvement": task.improvement(name),
        "partitions": len(plan.steps),
        "largest_share": largest_share(task.problem, plan),
        "upload_s": plan.upload_seconds,
        "sd_initial": plan.sd_initial,
        "sd_final": plan.sd_final,
    }


def upload_plan_document(task: TaskPlans, name: str) -> dict:
    """One task's plan in FORMATS.md's upload JSON."""
    problem, plan = task.problem, task.plans[name]
    layer_names = problem.model.names
    return {
        "task": problem.task_index,
        "model": problem.model.name,
        **upload_summary(task, name),
        "horizon": plan.horizon,
        "partitions": [{
            "layers": [layer_names[i] for u in step.units for i in problem.units[u].layers],
            "start": step.start,
            "end": step.end,
            "sd_after": step.sd_after,
        } for step in plan.steps],
    }


def upload_document(tasks: list[TaskPlans], planners: list[str], placement: str | None = None) -> dict:
    """Every planner's plans of every task (FORMATS.md's upload JSON), and where the placement came
    from when the command chose it."""
    doc: dict = {"format": 1, "planners": {}}
    for name in planners:
        entries = [upload_plan_document(task, name) for task in tasks if name in task.plans]
        refused = [{"task": task.problem.task_index, "error": task.refused[name]} for task in tasks if name in task.refused]
        doc["planners"][name] = {"tasks": entries} | ({"refused": refused} if refused else {})
    if placement is not None:
        doc["placement"] = placement
    return doc
