"""Tidy tables for `--csv` (FORMATS.md "CSV"): one row per layer of a plan, one row per run of a
comparison; rows are lists, the first the header, written by `problems.files.csv_text`."""

from __future__ import annotations

from typing import Any

import numpy as np

from eosdnn.documents import plan_of
from eosdnn.framework import Result
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.schedule import schedule

PLAN_COLUMNS = ("task", "model", "client", "layer", "node", "pool", "ready", "start", "finish", "exec", "transfer",
                "wait")
RUN_COLUMNS = ("solver", "seed", "value", "gap_to_bound", "total", "makespan", "energy_j", "cost_usd", "feasible",
               "evaluations", "wall_s")


def plan_rows(problem: MigrationProblem, genes: np.ndarray) -> list[list[Any]]:
    """Every layer of every task: where and on which pool it runs, and when (seconds; transfer is its
    slowest input's, T2; wait is start - ready, T3)."""
    s = schedule(problem.workload, genes)
    env = problem.scenario.environment
    rows: list[list[Any]] = [list(PLAN_COLUMNS)]
    for t, task in enumerate(problem.scenario.tasks):
        part = problem.task_genes(t)
        for layer, g in zip(task.model.layers, range(part.start, part.stop)):
            rows.append([t, task.model.name, env.nodes[task.client].name, layer.name, env.nodes[int(s.node[g])].name,
                         int(s.pool[g]), float(s.ready[g]), float(s.start[g]), float(s.finish[g]), float(s.exec[g]),
                         float(s.transfer[g]), float(s.wait[g])])
    return rows


def run_rows(problem: MigrationProblem, runs: dict[str, list[Result]]) -> list[list[Any]]:
    """One row per run of each solver: its value, gap, delay, energy, cost, feasibility and effort."""
    rows: list[list[Any]] = [list(RUN_COLUMNS)]
    for name, results in runs.items():
        for r in results:
            plan = plan_of(r)
            rows.append([name, r.seed, r.value, problem.gap_to_bound(r.value), plan.total, plan.makespan,
                         plan.energy, plan.cost, plan.feasible, r.evaluations, r.wall_s])
    return rows


def gantt_parts(problem: MigrationProblem, genes: np.ndarray) -> dict[str, Any]:
    """What `plots.gantt` draws of a plan: the lanes (node and pool, only those used, in node order),
    each task's consecutive layers on one lane as one bar, the waits, the inputs in transit and where
    each result arrives."""
    s = schedule(problem.workload, genes)
    env = problem.scenario.environment
    w = problem.workload
    used = sorted({(int(n), int(k)) for n, k in zip(s.node, s.pool)}
                  | {(int(task.client), 0) for task in problem.scenario.tasks})
    lane_of = {key: i for i, key in enumerate(used)}
    lanes = [env.nodes[n].name + (f" #{k}" if env.nodes[n].pools > 1 else "") for n, k in used]
    order = np.argsort(s.start, kind="stable")
    bars: list[dict] = []
    waits, transfers = [], []
    last: dict[int, dict] = {}  # lane -> its open bar
    for g in order.tolist():
        t = int(np.searchsorted(w.gene_offset, g, side="right") - 1)
        layer = g - int(w.gene_offset[t])
        lane = lane_of[int(s.node[g]), int(s.pool[g])]
        if s.wait[g] > 0:
            waits.append((lane, float(s.ready[g]), float(s.start[g])))
        if s.transfer[g] > 0:
            transfers.append((lane, float(s.ready[g] - s.transfer[g]), float(s.ready[g])))
        bar = last.get(lane)
        if bar is not None and bar["task"] == t and bar["last"] == layer - 1 and s.start[g] <= bar["finish"] + 1e-12:
            bar["finish"], bar["last"] = float(s.finish[g]), layer
        else:
            bar = {"lane": lane, "task": t, "start": float(s.start[g]), "finish": float(s.finish[g]), "first": layer,
                   "last": layer}
            bars.append(bar)
            last[lane] = bar
    for bar in bars:
        bar["label"] = f"t{bar['task']} {bar['first']}" + (f"-{bar['last']}" if bar["last"] > bar["first"] else "")
    completions = [(lane_of[int(task.client), 0], t, float(s.completion[t])) for t, task in enumerate(problem.scenario.tasks)]
    tasks = [f"t{t} {task.model.name}" for t, task in enumerate(problem.scenario.tasks)]
    return {"lanes": lanes, "bars": bars, "waits": waits, "transfers": transfers, "completions": completions,
            "tasks": tasks}


def validation_rows(doc: dict[str, Any]) -> list[list[Any]]:
    """One row per heuristic run of a `validate` document: the instance, its exact reference, the run."""
    rows: list[list[Any]] = [["instance", "layers", "exact_method", "exact_status", "exact_value", "exact_bound",
                              "solver", "seed", "value", "gap", "hit", "evaluations", "wall_s"]]
    for entry in doc["instances"]:
        exact = entry["exact"]
        for name, runs in entry["runs"].items():
            for run in runs:
                rows.append([entry["name"], entry["layers"], exact["method"], exact["status"], exact["value"],
                             exact["bound"], name, run["seed"], run["value"], run["gap"], run["hit"],
                             run["evaluations"], run["wall_s"]])
    return rows


def upload_rows(doc: dict[str, Any]) -> list[list[Any]]:
    """One row per task and planner of an `upload` document: its SD before uploading, SSD, horizon and
    the number of partitions."""
    rows: list[list[Any]] = [["planner", "task", "model", "sd_initial", "ssd", "horizon", "partitions"]]
    for name, planner in doc["planners"].items():
        for task in planner["tasks"]:
            rows.append([name, task["task"], task["model"], task.get("sd_initial"), task.get("ssd"), task["horizon"],
                         len(task["partitions"])])
    return rows
