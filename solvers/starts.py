"""Constructive plans by name (greedy, HEFT, PEFT, the tier plans): starting points for searches.

A search that runs on a reduced problem (inside prePSO or two-step) gets the plans of the full
problem, reduced (each group takes its first member's node)."""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from eosdnn.framework import Problem
from eosdnn.framework.params import ParameterError
from eosdnn.framework.reduction import ReducedProblem
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.migration import TIER_PLANS, MigrationProblem
from eosdnn.solvers.greedy import greedy_genes
from eosdnn.solvers.heft import heft_genes, peft_genes

CONSTRUCTIVE: dict[str, Callable[[MigrationProblem], np.ndarray]] = {
    "greedy": greedy_genes,
    "heft": heft_genes,
    "peft": peft_genes,
} | {name: functools.partial(MigrationProblem.named_plan, name=name) for name in TIER_PLANS}


def check_starts(_instance, attribute, value) -> None:
    """attrs validator: a list of constructive plan names."""
    if not isinstance(value, tuple) or not all(isinstance(v, str) and v in CONSTRUCTIVE for v in value):
        raise ParameterError(attribute.name, f"must be a list of {', '.join(CONSTRUCTIVE)}, got {value!r}")


check_starts.span = f"a list of {', '.join(CONSTRUCTIVE)}"  # type: ignore[attr-defined]


def start_plans(problem: Problem, names: tuple[str, ...]) -> np.ndarray:
    """(k, n_var): the named plans for this problem; a plan the environment cannot make (all-edge
    without edge servers) is left out; a problem with no layers and nodes gives none."""
    if isinstance(problem, ReducedProblem):
        full = start_plans(problem.problem, names)
        return np.array([problem.reduce(x) for x in full], dtype=np.int64).reshape(len(full), problem.n_var)
    if not isinstance(problem, MigrationProblem):
        return np.zeros((0, problem.n_var), dtype=np.int64)
    plans = []
    for name in names:
        try:
            plans.append(CONSTRUCTIVE[name](problem))
        except EosdnnError:
            continue
    return np.array(plans, dtype=np.int64).reshape(len(plans), problem.n_var)
