"""Solvers that exploit the layer graph: prePSO (chain contraction, [30]) and the two-step migration
of MODEL.md section 4 (condense modules, solve the chain, then place each module's branches)."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from eosdnn.framework import Budget, Result
from eosdnn.framework.params import ParameterError
from eosdnn.framework.reduction import ReducedProblem
from eosdnn.framework.result import run_after
from eosdnn.framework.solver import Solver, SolverTraits, accepted, run_solver
from eosdnn.framework.errors import EosdnnError
from eosdnn.solvers.registry import SOLVERS
from eosdnn.problems.migration import MigrationProblem


def check_inner(instance: Any, _attribute: Any, _value: Any) -> None:
    """`inner` names a registered solver that works on any integer problem (a reduced problem has
    no layers or nodes), and `inner_params` are valid for it: checked when the solver is built."""
    inner = instance.inner
    if not isinstance(inner, str):
        raise ParameterError("inner", f"must be a solver name, got {inner!r}")
    if not isinstance(instance.inner_params, dict):
        raise ParameterError("inner_params", f"must be an object of parameters, got {instance.inner_params!r}")
    if not SOLVERS.knows(inner):
        raise ParameterError("inner", f"unknown solver {inner!r} (available: {', '.join(SOLVERS.names())})")
    try:
        solver = SOLVERS.create(inner, **instance.inner_params)
    except EosdnnError as error:
        raise ParameterError("inner_params", str(error)) from None
    if not issubclass(ReducedProblem, accepted(solver)):
        raise ParameterError("inner", f"{inner} needs the full migration problem (layers and nodes) and cannot "
                                      "solve a reduced one; use a search such as psoga, ga, random or exhaustive")


check_inner.span = "a solver of integer problems: psoga, ga, random, exhaustive, ..."  # type: ignore[attr-defined]



def contracted_groups(problem: MigrationProblem) -> list[list[int]]:
    """[30]'s preprocessing as chain contraction: a layer merges with its successor when it has exactly
    one successor and that successor exactly one predecessor, repeatedly."""
    groups = []
    for t, task in enumerate(problem.scenario.tasks):
        offset = problem.task_genes(t).start
        preds, succs = task.model.predecessors(), task.model.successors()
        head_of: dict[int, list[int]] = {}
        for i in range(task.model.n_layers):
            joined = len(preds[i]) == 1 and len(succs[preds[i][0]]) == 1
            if joined:
                group = head_of[preds[i][0]]
            else:
                group = []
                groups.append(group)
            group.append(offset + i)
            head_of[i] = group
    return groups


@attrs.define
class OnReducedProblem:
    """What prePSO and two-step share: the solver they run on the reduced problem (`inner`, with its
    parameters), checked when the solver is built."""

    inner: str = attrs.field(default="psoga", validator=check_inner)
    inner_params: dict = attrs.field(factory=dict, metadata={"accepts": "a JSON object of the inner solver's parameters"})
    accepts: ClassVar[type] = MigrationProblem  # reads the layers and nodes

    def inner_solver(self) -> Solver:
        return SOLVERS.create(self.inner, **self.inner_params)


@SOLVERS.register("prepso")
@attrs.define
class PrePso(OnReducedProblem):
    """Merge chains of layers into one gene each, then run PSO-GA (or `inner`) on the merged graph."""

    traits: ClassVar[SolverTraits] = SolverTraits(cost=1.5)

    name: str = "prepso"

    def solve(self, problem, *, budget: Budget, seed: int | None, callback=None) -> Result:
        reduced = ReducedProblem(problem, contracted_groups(problem))
        return reduced.lift(run_solver(self.inner_solver(), reduced, budget=budget, seed=seed, callback=callback),
                            self.name)


def has_modules(problem: MigrationProblem) -> bool:
    """Whether any task's model has modules (inception modules, residual blocks): where two-step applies."""
    return any(layer.module is not None for task in problem.scenario.tasks for layer in task.model.layers)


def psoga_in_frame(problem: MigrationProblem, psoga_params: dict, two_step: str) -> Solver:
    """EosDNN's frame, the paper's and the enhanced one: PSO-GA with `psoga_params`, inside two-step
    where `two_step` is "auto" and a model has modules."""
    if two_step == "auto" and has_modules(problem):
        return SOLVERS.create("two-step", inner="psoga", inner_params=psoga_params)
    return SOLVERS.create("psoga", **psoga_params)


def module_groups(problem: MigrationProblem) -> list[list[int]]:
    """Step 1: every module's layers form one gene; other layers keep their own."""
    groups = []
    for t, task in enumerate(problem.scenario.tasks):
        offset = problem.task_genes(t).start
        by_module: dict[str, list[int]] = {}
        for i, layer in enumerate(task.model.layers):
            if layer.module is None:
                groups.append([offset + i])
            elif layer.module in by_module:
                by_module[layer.module].append(offset + i)
            else:
                by_module[layer.module] = [offset + i]
                groups.append(by_module[layer.module])
    return groups


def branch_groups(problem: MigrationProblem) -> list[list[int]]:
    """Step 2: inside each module, layers that read the same inputs form one gene; the module's
    output layer (read from outside the module, or the task's result) stays where step 1 put it."""
    groups = []
    for t, task in enumerate(problem.scenario.tasks):
        offset = problem.task_genes(t).start
        layers = task.model.layers
        succs = task.model.successors()
        by_key: dict[tuple, list[int]] = {}
        for i, layer in enumerate(layers):
            if layer.module is None:
                continue
            is_exit = not succs[i] or any(layers[j].module != layer.module for j in succs[i])
            if is_exit:
                continue
            key = (layer.module, tuple(sorted(layer.inputs)))
            if key not in by_key:
                by_key[key] = []
                groups.append(by_key[key])
            by_key[key].append(offset + i)
    return groups


@SOLVERS.register("two-step")
@attrs.define
class TwoStep(OnReducedProblem):
    """Initial migration on the condensed chain, secondary migration of the modules' branches."""

    name: str = "two-step"

    def solve(self, problem, *, budget: Budget, seed: int | None, callback=None) -> Result:
        condensed = ReducedProblem(problem, module_groups(problem))
        branches = branch_groups(problem)
        step_budget = budget.share(0.5, round_up=True) if branches else budget  # each of the two steps
        first = condensed.lift(run_solver(self.inner_solver(), condensed,
                                          budget=step_budget, seed=seed, callback=callback), self.name)
        if not branches:
            return first
        secondary = ReducedProblem(problem, branches, base=first.x)
        second = secondary.lift(
            run_solver(self.inner_solver(), secondary, budget=step_budget,
                       seed=None if seed is None else seed + 1, callback=callback),
            self.name)
        return run_after(first, second)
