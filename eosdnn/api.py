"""The Python API in one place (docs/API.md): what a notebook needs, importable from `eosdnn`.

`from eosdnn import load_scenario, paper_scenario, MigrationProblem, solve, Budget, ...`; the names are
loaded on first use, so `import eosdnn` stays light (the command line checks its environment before
numba loads)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from eosdnn import plots
from eosdnn.framework import Budget, Result
from eosdnn.jobs import run_named
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.schedule import Schedule, schedule
from eosdnn.tables import gantt_parts, plan_rows


def solve(problem: MigrationProblem, solver: str, *, params: dict | None = None, budget: Budget | None = None,
          seed: int | None = 0) -> Result:
    """Run the registered solver `solver` (see `eosdnn solvers`) on `problem`: its parameters by name,
    a budget (its default when None), a seed (the same seed gives the same bits)."""
    return run_named(problem, solver, params or {}, budget or Budget(), seed)


def schedule_of(problem: MigrationProblem, genes: np.ndarray) -> Schedule:
    """Every layer's node, pool, ready, start and finish time, T1/T2/T3, and each task's completion,
    in gene order (task 0's layers in model order, then task 1's, ...)."""
    return schedule(problem.workload, np.asarray(genes))


def node_names(problem: MigrationProblem, genes: np.ndarray) -> list[list[str]]:
    """Per task, the name of the node of each of its layers (`client0`, `edge2`, `cloud4`, ...)."""
    names = problem.scenario.environment.names
    return [[names[n] for n in nodes] for nodes in problem.nodes_of(np.asarray(genes))]


def plan_table(problem: MigrationProblem, genes: np.ndarray) -> list[dict]:
    """The plan's per-layer table (the rows of `--csv`) as dictionaries."""
    header, *rows = plan_rows(problem, np.asarray(genes))
    return [dict(zip(header, row)) for row in rows]


def plot_gantt(problem: MigrationProblem, genes: np.ndarray, path: str | Path, title: str = "plan") -> None:
    """Draw the plan's schedule (`--gantt`) to `path` (any matplotlib format)."""
    plots.gantt(path, title=title, **gantt_parts(problem, np.asarray(genes)))
