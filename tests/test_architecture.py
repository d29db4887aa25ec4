"""Registries, operators with parameters, what solvers accept, and errors naming fields."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import numpy as np
import pytest

from eosdnn.cli import main
from eosdnn.framework import Budget
from eosdnn.framework.errors import EosdnnError
from eosdnn.framework.reduction import ReducedProblem
from eosdnn.framework.solver import run_solver
from eosdnn.operators import operator
from eosdnn.problems.instances import InstanceShape, random_scenario
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.scenario import paper_scenario
from eosdnn.solvers.registry import SOLVERS
from eosdnn.operators.registry import OPERATORS


def test_built_in_entries_are_found_after_importing_only_the_registries():
    probe = ("from eosdnn.solvers.registry import SOLVERS\nfrom eosdnn.operators.registry import OPERATORS\n"
             "print(type(SOLVERS.create('psoga')).__name__, OPERATORS.describe('mutation:reset'))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("PsoGa Every gene independently redrawn")


def test_an_operator_takes_its_parameters_by_name_and_checks_them():
    rng = np.random.default_rng(0)
    X = np.zeros((200, 50), dtype=np.int64)
    lower, upper = np.zeros(50, dtype=np.int64), np.full(50, 2, dtype=np.int64)
    changed = (operator("mutation", "reset,rate=0.5")(rng, X, lower, upper) != 0).mean()
    assert 0.30 < changed < 0.37  # half the genes redrawn, two thirds of those to a new value
    with pytest.raises(EosdnnError, match="mutation:reset.rate"):
        operator("mutation", "reset,rate=2")
    with pytest.raises(EosdnnError, match="takes no parameters"):
        operator("mutation", "random-gene,rate=0.5")


def test_a_solver_takes_an_operator_with_parameters_from_the_command_line(capsys):
    assert main(["solve", "--solver", "psoga", "--iterations", "2", "--param", "mutation=reset,rate=0.1",
                 "--quiet"]) == 0
    assert main(["solve", "--solver", "psoga", "--param", "mutation=reset,rate=-1"]) == 2
    assert "error: psoga.mutation: mutation:reset.rate" in capsys.readouterr().err


def test_a_solver_that_reads_layers_refuses_a_reduced_problem_in_one_check():
    problem = MigrationProblem(paper_scenario(0, per_model=1))
    reduced = ReducedProblem(problem, [[0, 1]])
    with pytest.raises(EosdnnError, match="solver greedy: needs a MigrationProblem, got a ReducedProblem"):
        run_solver(SOLVERS.create("greedy"), reduced, budget=Budget(iterations=1), seed=0)
    assert run_solver(SOLVERS.create("random"), reduced, budget=Budget(iterations=1), seed=0).value > 0


def test_library_errors_name_the_field_and_the_command_line_names_the_flag(capsys):
    from eosdnn.problems.upload import UploadProblem
    from eosdnn.solvers.upload import plan_upload

    scenario = paper_scenario(0, per_model=1)
    upload = UploadProblem(scenario, 0, [scenario.tasks[0].client] + [5] * (scenario.tasks[0].model.n_layers - 1))
    with pytest.raises(EosdnnError, match=r"^horizon: "):
        plan_upload("lmu", upload, horizon=1e-6)
    assert main(["upload", "--horizon", "0.000001", "--solver", "greedy"]) == 2
    assert "error: --horizon: " in capsys.readouterr().err


def test_solvers_declare_their_traits_and_the_groups_follow(tmp_path, capsys):
    """Groups come from the registry, not typed lists: a plug-in joins them by what it declares."""
    from typing import ClassVar

    import attrs

    from eosdnn.framework.solver import SolverTraits
    from eosdnn.solvers.registry import SOLVERS, exact_solvers, heuristics, solver_traits

    assert set(exact_solvers()) == {"milp", "milp-free", "exhaustive", "cpsat"}
    assert {"eosdnn-plus", "eosdnn-paper", "local-search", "heft", "peft", "greedy", "psoga"} <= set(heuristics())
    assert not set(heuristics()) & {"milp", "exhaustive", "all-edge"}
    assert solver_traits("eosdnn-plus").budget_unit == "evaluations" and solver_traits("psoga").budget_unit == "iterations"

    @attrs.define
    class Plugin:
        """A plug-in heuristic."""

        traits: ClassVar[SolverTraits] = SolverTraits(budget_unit="evaluations")

        def solve(self, problem, *, budget, seed, callback=None):
            return SOLVERS.create("greedy").solve(problem, budget=budget, seed=seed, callback=callback)

    SOLVERS.register("test-plugin", Plugin)
    try:
        assert "test-plugin" in heuristics()
        out = tmp_path / "v.json"
        assert main(["validate", "--instances", "1", "--tasks", "1", "--layers", "2", "--seeds", "1",
                     "--evaluations", "20", "--json", str(out)]) == 0
        assert set(json.loads(out.read_text())["solvers"]) == set(heuristics())  # the plug-in included
    finally:
        SOLVERS.unregister("test-plugin")


def test_exact_flags_go_only_to_the_solvers_that_take_them(capsys):
    # validate used to forward --backend to every exact solver: `exhaustive.backend: unknown parameter`
    assert main(["validate", "--instances", "1", "--tasks", "2", "--layers", "2", "--seeds", "1",
                 "--solvers", "greedy,exhaustive", "--backend", "highs"]) == 0
    capsys.readouterr()
    assert main(["solve", "--solver", "exhaustive", "--backend", "highs"]) == 2
    assert capsys.readouterr().err.strip() == "error: --backend: only milp, milp-free take it"


def test_runs_recommended_set_is_computed_from_traits_and_a_plugin_joins_it():
    """`run` keeps its order and labels, read from what the solvers declare; a plug-in that declares a
    place is tried (and wins when it is best)."""
    from typing import ClassVar

    import attrs

    from eosdnn.framework import Search
    from eosdnn.framework.solver import Recommended, SolverTraits
    from eosdnn.recommend import recommend
    from eosdnn.solvers.registry import recommended

    assert [label for label, _, _ in recommended()] == [
        "greedy", "heft", "peft", "all-local", "all-edge", "all-cloud", "eosdnn-plus", "best-response"]
    assert recommended()[-1][1:] == ("best-response", {})

    problem = MigrationProblem(random_scenario(3, InstanceShape(tasks=2, layers=3), "total"))
    every = np.array(list(itertools.product(*[range(int(u) + 1) for u in problem.upper])))
    optimum = every[problem.evaluate(every).argmin()]

    @attrs.define
    class Oracle:
        """A plug-in that knows the brute-force optimum."""

        traits: ClassVar[SolverTraits] = SolverTraits(budget_unit="none", recommended=Recommended(5, "oracle"))

        def solve(self, problem, *, budget, seed, callback=None):
            search = Search("oracle", problem, budget, seed, callback)
            search.evaluate(optimum[None, :])
            search.next_iteration()
            return search.result()

    SOLVERS.register("test-oracle", Oracle)
    try:
        labels = [label for label, _, _ in recommended()]
        assert labels.index("oracle") == labels.index("all-cloud") + 1  # rank 5 ties all-cloud: registered later
        chosen = recommend(problem, seed=0, evaluations=200)
        assert "oracle" in chosen.results
        assert chosen.result.value == pytest.approx(float(problem.evaluate(optimum[None, :])[0]))
    finally:
        SOLVERS.unregister("test-oracle")


def test_a_budget_shares_round_down_or_up_and_never_below_one():
    half = Budget(iterations=3, evaluations=7, seconds=2.0).share(0.5)
    assert (half.iterations, half.evaluations, half.seconds) == (1, 3, 1.0)
    up = Budget(iterations=3, evaluations=7).share(0.5, round_up=True)
    assert (up.iterations, up.evaluations, up.seconds) == (2, 4, None)
    assert Budget(evaluations=1).share(0.01).evaluations == 1
