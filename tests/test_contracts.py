"""What users script against: one seed, one --param grammar, honest statuses, atomic outputs,
refusals of oversized requests, interrupts, and reports that never cut a number."""

from __future__ import annotations

import io
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import attrs
import numpy as np
import pytest

from eosdnn import __version__, report
from eosdnn.cli import main
from eosdnn.framework import Budget, Search
from eosdnn.problems.environment import Bandwidth, Environment, Node
from eosdnn.framework.errors import EosdnnError
from eosdnn.solvers.registry import SOLVERS
from eosdnn.problems.files import write_json, write_text
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.models import DnnModel, Layer
from eosdnn.problems.scenario import paper_scenario
from eosdnn.problems.upload import UploadProblem
from eosdnn.solvers import plan_upload
from helpers import chain, environment, scenario

SCENARIO = 'seed = 5\n[environment.edge]\ncount = 2\n[environment.cloud]\ncount = 1\n[[tasks]]\nmodel = "alexnet"\ncount = 2\n'


def solve_json(tmp_path: Path, *args: str) -> dict:
    out = tmp_path / f"solve-{len(list(tmp_path.iterdir()))}.json"
    assert main(["solve", *args, "--json", str(out)]) == 0
    return json.loads(out.read_text())


def test_seed_is_the_run_seed_even_when_the_scenario_file_sets_one(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO)
    common = ["--scenario", str(path), "--solver", "psoga", "--iterations", "20"]
    one, two, again = (solve_json(tmp_path, *common, "--seed", seed) for seed in ("1", "2", "1"))
    assert one["history"] != two["history"]  # different runs of PSO-GA
    assert one["history"] == again["history"] and one["placement"] == again["placement"]  # same bits
    # the scenario's own seed still fixes its drawn clocks: the all-cloud plan is the same under both seeds
    clouds = [solve_json(tmp_path, "--scenario", str(path), "--solver", "all-cloud", "--seed", s)["value"]
              for s in ("1", "2")]
    assert clouds[0] == clouds[1]


def test_compare_applies_a_bare_param_to_its_one_solver(tmp_path, capsys):
    out = tmp_path / "c.json"
    assert main(["compare", "--solvers", "psoga", "--seeds", "1", "--param", "particles=7",
                 "--param", "seed_generations=0", "--evaluations", "700", "--json", str(out)]) == 0
    history = json.loads(out.read_text())["runs"]["psoga"][0]["history"]
    steps = np.diff([e for e, _ in history])
    assert history[0][0] == 7 and set(steps.tolist()) == {7}  # 7 particles per iteration, no more
    assert history[-1][0] == 700


def test_compare_addresses_one_of_several_solvers(tmp_path):
    out = tmp_path / "c.json"
    assert main(["compare", "--solvers", "psoga,random", "--seeds", "1", "--evaluations", "210",
                 "--param", "psoga.particles=7", "--param", "psoga.seed_generations=0",
                 "--param", "random.batch=30", "--json", str(out)]) == 0
    runs = json.loads(out.read_text())["runs"]
    assert runs["psoga"][0]["history"][0][0] == 7 and runs["random"][0]["history"][0][0] == 30


def test_outputs_are_written_atomically_and_as_standard_json(tmp_path, monkeypatch):
    target = tmp_path / "result.json"
    target.write_text("previous")

    def broken_fsync(_fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(EosdnnError, match="cannot be written"):
        write_text(target, "x" * 10_000)
    assert target.read_text() == "previous" and os.listdir(tmp_path) == ["result.json"]
    monkeypatch.undo()
    write_json(target, {"a": math.nan, "b": [math.inf, 1.0], "c": np.float64(-math.inf)})
    assert json.loads(target.read_text()) == {"a": None, "b": [None, 1.0], "c": None}
    assert "NaN" not in target.read_text() and "Infinity" not in target.read_text()


def long_chain(n: int) -> DnnModel:
    return DnnModel("long", 1e5, tuple(Layer(f"l{i}", 1e8, 1e5, 1e5, (f"l{i - 1}",) if i else ()) for i in range(n)))


def test_oversized_requests_are_refused_before_the_work():
    env = environment(clients=(1.0,), edge=(10.0,), cloud=(50.0,))
    huge = MigrationProblem(scenario(env, [long_chain(5000)]))
    with pytest.raises(EosdnnError, match=r"exhaustive.limit: the instance has about [0-9.]+e2385 placements"):
        SOLVERS.create("exhaustive").solve(huge, budget=Budget(), seed=0)
    upload = UploadProblem(huge.scenario, 0, [2] * 5000)
    for planner in ("lmu", "recursive-efficiency", "ionn"):
        with pytest.raises(EosdnnError, match=f"{planner}.max_units: task 0 .* 5000 off-client upload units"):
            plan_upload(planner, upload)


def test_the_milp_time_limit_covers_building_the_model():
    problem = MigrationProblem(paper_scenario(0))
    started = time.perf_counter()
    result = SOLVERS.create("milp", time_limit=0.5, max_binaries=10**9, max_constraints=10**9).solve(
        problem, budget=Budget(), seed=0)
    assert result.status == "no solution" and "while the model was being built" in result.info["stopped"]
    assert result.value == pytest.approx(SOLVERS.create("greedy").solve(problem, budget=Budget(), seed=0).value)
    assert time.perf_counter() - started < 60  # building it in full takes minutes


def test_a_budget_shorter_than_one_iteration_returns_the_best_of_one_batch():
    problem = MigrationProblem(paper_scenario(0))
    for name in ("ga", "psoga", "random", "two-step", "prepso"):
        result = SOLVERS.create(name).solve(problem, budget=Budget(seconds=1e-9), seed=0)
        assert result.evaluations > 0 and result.value == pytest.approx(problem.evaluate(result.x[None, :])[0])


def test_upload_says_when_a_task_has_nothing_to_upload(tmp_path, capsys):
    problem = MigrationProblem(paper_scenario(0))
    from eosdnn.problems.placement import save_placement

    path = tmp_path / "client.json"
    save_placement(problem, np.zeros(problem.n_var, dtype=np.int64), path)
    assert main(["upload", "--placement", str(path), "--tasks", "0,3", "--json", str(tmp_path / "u.json")]) == 0
    out = capsys.readouterr().out
    assert "Task 0 (alexnet): every layer runs on client0, so there is nothing to upload" in out
    assert "Task 3 (vgg19): every layer runs on client3" in out


def test_a_reduction_around_an_exact_solver_claims_no_certificate():
    env = environment(clients=(1.0,), edge=(8.0,), cloud=(60.0,))
    problem = MigrationProblem(scenario(env, [chain("a", [3e8, 1e8, 4e8], [0.5, 0.2, 0.1])] * 2))
    result = SOLVERS.create("prepso", inner="exhaustive").solve(problem, budget=Budget(), seed=0)
    assert result.status == "feasible" and result.bound is None and result.gap is None
    assert result.info["reduced_status"] == "optimal"
    optimum = SOLVERS.create("exhaustive").solve(problem, budget=Budget(), seed=0)
    assert optimum.status == "optimal" and optimum.value <= result.value


def test_validate_warns_when_a_budget_covers_the_whole_space(tmp_path, capsys):
    out = tmp_path / "v.json"
    assert main(["validate", "--instances", "1", "--tasks", "1", "--layers", "2", "--solvers", "random,greedy",
                 "--seeds", "1", "--evaluations", "1000", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "warning: random evaluated at least as many placements" in text
    assert json.loads(out.read_text())["exhaustive_runs"] == {"random": ["random-0"]}


def test_validate_defaults_stay_well_below_the_space():
    from eosdnn.problems.instances import InstanceShape, random_scenario
    from eosdnn.solvers.exhaustive import placement_count
    from eosdnn.validation import DEFAULT_EVALUATIONS

    problem = MigrationProblem(random_scenario(0, InstanceShape(tasks=3, layers=4), "total"))
    assert DEFAULT_EVALUATIONS <= 0.01 * placement_count(problem)


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"eosdnn {__version__}"


def test_tables_never_cut_numbers_at_80_columns():
    from eosdnn.problems.plan_report import PlanReport

    rows = {name: PlanReport("total", 123456.123456, 123456.123456, 98765.4321, 1234.5678, 99999.9999, 55555.5555, ())
            for name in ("recursive-efficiency-long-name", "psoga")}
    buffer = io.StringIO()
    console = report.ReportConsole(width=80, file=buffer, color_system=None)
    console.print(report.results_table("A table wider than 80 columns", rows, "total"))
    text = buffer.getvalue()
    assert "…" not in text
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "exec, transfer and wait are sums over every" in " ".join(text.split())


def test_run_prints_one_line_per_task_by_default(capsys):
    assert main(["run", "--evaluations", "100"]) == 0
    out = capsys.readouterr().out
    plan_lines = [line for line in out.splitlines() if line.startswith("task ")]
    assert len(plan_lines) == 12 and plan_lines[0].startswith("task 0 alexnet client0 ")
    assert len(out.splitlines()) < 100
    assert main(["run", "--evaluations", "100", "--quiet"]) == 0
    assert "task 0 alexnet" not in capsys.readouterr().out
    assert main(["run", "--evaluations", "100", "--plan-detail"]) == 0
    assert "res4b22_branch2c" in capsys.readouterr().out  # the per-layer table


def test_bandwidth_matrix_matches_the_tier_rule_on_a_large_environment():
    nodes = [Node(f"client{i}", "client", 1.0, 1) for i in range(3)]
    nodes += [Node(f"edge{i}", "edge", 5.0, 2) for i in range(400)] + [Node(f"cloud{i}", "cloud", 50.0, 8) for i in range(5)]
    env = Environment(nodes, Bandwidth(client_edge=11, client_cloud=0.7, edge_cloud=3, edge_edge=13, cloud_cloud=17))
    matrix = env.bandwidth_mb_s()
    for a, b in [(0, 1), (0, 3), (0, 404), (3, 4), (3, 404), (404, 405), (7, 7), (2, 2)]:
        expected = math.inf if a == b else env.bandwidth.between(nodes[a].tier, nodes[b].tier)
        assert matrix[a, b] == expected and matrix[b, a] == expected


@attrs.define
class Interrupting:
    """A test solver: evaluates a few batches, then the user presses Ctrl-C (on call `on_call`)."""

    calls: list = attrs.field(factory=list)
    on_call: int = 1
    name: str = "test-interrupt"

    def solve(self, problem, *, budget, seed, callback=None):
        self.calls.append(seed)
        search = Search(self.name, problem, budget, seed, callback)
        rng = np.random.default_rng(seed)
        for _ in range(3):
            search.evaluate(rng.integers(problem.lower, problem.upper + 1, size=(4, problem.n_var)))
            search.next_iteration()
        if len(self.calls) >= self.on_call:
            raise KeyboardInterrupt
        return search.result()


@pytest.fixture
def interrupting():
    calls: list = []
    SOLVERS.register("test-interrupt", lambda on_call=1: Interrupting(calls, on_call))
    yield calls
    SOLVERS.unregister("test-interrupt")


def test_an_interrupted_solve_writes_its_best_placement(interrupting, tmp_path, capsys):
    out, plan = tmp_path / "out.json", tmp_path / "plan.json"
    assert main(["solve", "--solver", "test-interrupt", "--json", str(out), "--placement-out", str(plan)]) == 130
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("error: interrupted; the results so far")
    doc = json.loads(out.read_text())
    assert doc["status"] == "interrupted" and doc["evaluations"] == 12
    problem = MigrationProblem(paper_scenario(0))
    from eosdnn.problems.placement import load_placement

    genes = load_placement(problem, plan)
    assert doc["value"] == pytest.approx(problem.evaluate(genes[None, :])[0])


def test_a_second_ctrl_c_while_saving_does_not_break_the_write(interrupting, tmp_path, capsys, monkeypatch):
    import eosdnn.cli.shared as cli

    original = cli.write_json

    def impatient(path, data):  # the user presses Ctrl-C again as the results are being saved
        os.kill(os.getpid(), signal.SIGINT)
        original(path, data)

    monkeypatch.setattr(cli, "write_json", impatient)
    out = tmp_path / "out.json"
    assert main(["solve", "--solver", "test-interrupt", "--json", str(out)]) == 130
    assert json.loads(out.read_text())["status"] == "interrupted"
    assert capsys.readouterr().err.startswith("error: interrupted; the results so far (status interrupted) are in")


def test_an_interrupted_compare_and_validate_keep_what_they_finished(interrupting, tmp_path, capsys):
    out = tmp_path / "c.json"
    assert main(["compare", "--solvers", "greedy,test-interrupt", "--seeds", "2", "--json", str(out)]) == 130
    doc = json.loads(out.read_text())
    assert doc["status"] == "interrupted" and list(doc["solvers"]) == ["greedy"]
    assert doc["interrupted_run"]["solver"] == "test-interrupt" and doc["interrupted_run"]["status"] == "interrupted"
    capsys.readouterr()
    interrupting.clear()
    out = tmp_path / "v.json"
    assert main(["validate", "--instances", "2", "--tasks", "1", "--layers", "2", "--seeds", "1",
                 "--solvers", "greedy,test-interrupt", "--param", "test-interrupt.on_call=2",
                 "--json", str(out)]) == 130
    doc = json.loads(out.read_text())
    assert doc["status"] == "interrupted" and len(doc["instances"]) == 1
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize("delay, number, code, text", [
    (0.2, signal.SIGINT, 130, "error: interrupted"), (4.0, signal.SIGINT, 130, "error: interrupted"),
    (5.0, signal.SIGTERM, 143, "error: terminated (SIGTERM)")])
def test_ctrl_c_or_sigterm_at_any_moment_is_one_line(delay, number, code, text, tmp_path):
    """SIGINT during start-up (imports, loading compiled code) or during the search; SIGTERM is
    handled the same way, with exit 143."""
    out = tmp_path / "out.json"
    process = subprocess.Popen([sys.executable, "-m", "eosdnn", "solve", "--solver", "psoga", "--iterations",
                                "1000000", "--json", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    time.sleep(delay)
    process.send_signal(number)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(text) and stdout == ""
    if out.exists():
        assert json.loads(out.read_text())["status"] == "interrupted"
