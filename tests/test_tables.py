"""Tidy CSV tables and the Gantt picture: a plan's rows hold the reference evaluator's times and the
pool rule's pools, every layer appears once in the picture's bars, and every command's `--csv`
writes one row per layer, run, task or grid run."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from eosdnn.cli import main
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.reference import reference_schedule
from eosdnn.problems.scenario import paper_scenario
from eosdnn.tables import gantt_parts, plan_rows

from helpers import chain, environment, scenario


def read(path) -> list[dict]:
    return list(csv.DictReader(open(path)))


def test_a_plans_rows_hold_the_reference_schedule_and_pools_within_each_node():
    env = environment(clients=(1.0,), edge=(6.0,), cloud=(20.0,), edge_pools=2, cloud_pools=1,
                      client_edge=8.0, client_cloud=2.0)
    models = [chain("a", [2e9, 3e9, 1e9], [0.5, 0.2, 0.1]), chain("b", [1e9, 4e9], [0.8, 0.1]),
              chain("c", [3e9, 1e9], [0.4, 0.1])]
    problem = MigrationProblem(scenario(env, models, clients=[0, 0, 0]))
    genes = np.array([1, 1, 2, 1, 1, 1, 0])
    rows = plan_rows(problem, genes)
    header, body = rows[0], rows[1:]
    assert header[:6] == ["task", "model", "client", "layer", "node", "pool"] and len(body) == problem.n_var
    ref = reference_schedule(problem.scenario, problem.nodes_of(genes))
    for row in body:
        record = dict(zip(header, row))
        key = (record["task"], [layer.name for layer in models[record["task"]].layers].index(record["layer"]))
        assert record["start"] == pytest.approx(ref.start[key], rel=1e-12)
        assert record["finish"] == pytest.approx(ref.finish[key], rel=1e-12)
        assert record["wait"] == pytest.approx(record["start"] - record["ready"], abs=1e-12)
    # on each pool of the 2-pool edge server, no two layers overlap (the pool rule's assignment)
    edge = [dict(zip(header, row)) for row in body if row[4] == "edge0"]
    for pool in (0, 1):
        spans = sorted((r["start"], r["finish"]) for r in edge if r["pool"] == pool)
        assert all(a_end <= b_start + 1e-12 for (_, a_end), (b_start, _) in zip(spans, spans[1:]))
    assert {r["pool"] for r in edge} == {0, 1}  # three tasks at once: both pools used


def test_the_gantt_bars_cover_every_layer_once_and_the_picture_is_written(tmp_path):
    problem = MigrationProblem(paper_scenario(0))
    genes = problem.named_plan("all-edge")
    parts = gantt_parts(problem, genes)
    covered = sum(bar["last"] - bar["first"] + 1 for bar in parts["bars"])
    assert covered == problem.n_var  # consecutive layers of a task on a lane are one bar, none lost
    assert len(parts["completions"]) == len(problem.scenario.tasks)
    assert main(["evaluate", "--plan", "all-edge", "--gantt", str(tmp_path / "g.png")]) == 0
    assert (tmp_path / "g.png").stat().st_size > 20_000


def test_every_command_writes_its_tidy_table(tmp_path, capsys):
    plan = tmp_path / "plan.json"
    assert main(["solve", "--solver", "greedy", "--json", str(plan), "--csv", str(tmp_path / "solve.csv"),
                 "--quiet"]) == 0
    problem = MigrationProblem(paper_scenario(0))
    assert len(read(tmp_path / "solve.csv")) == problem.n_var
    assert main(["plot", str(plan), "--gantt", str(tmp_path / "plan.png"), "--csv", str(tmp_path / "plot.csv")]) == 0
    assert read(tmp_path / "plot.csv") == read(tmp_path / "solve.csv")  # the same plan, the same rows
    assert main(["compare", "--solvers", "greedy,all-edge", "--seeds", "2", "--workers", "1",
                 "--csv", str(tmp_path / "compare.csv")]) == 0
    runs = read(tmp_path / "compare.csv")
    assert [(r["solver"], r["seed"]) for r in runs] == [("greedy", "0"), ("greedy", "1"), ("all-edge", "0"),
                                                        ("all-edge", "1")]
    assert main(["upload", "--solver", "all-edge", "--tasks", "0,1", "--planner", "lmu,ionn",
                 "--csv", str(tmp_path / "upload.csv")]) == 0
    assert [(r["planner"], r["task"]) for r in read(tmp_path / "upload.csv")] == [
        ("lmu", "0"), ("lmu", "1"), ("ionn", "0"), ("ionn", "1")]
    assert main(["validate", "--instances", "2", "--tasks", "1", "--layers", "2", "--seeds", "1",
                 "--solvers", "greedy,all-local", "--csv", str(tmp_path / "validate.csv")]) == 0
    assert len(read(tmp_path / "validate.csv")) == 4
    capsys.readouterr()
    assert main(["evaluate", "--plan", "all-cloud", "--csv", "-"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("task,model,client,layer,node,pool,") and "Evaluation" in captured.err


def test_the_sweep_table_has_a_column_per_varied_key_and_per_parameter(tmp_path, capsys):
    grid = tmp_path / "grid.toml"
    grid.write_text('seeds = 1\nbudget = { evaluations = 100 }\n[scenario.vary]\ntasks = [4]\n'
                    '[[solvers]]\nname = "psoga"\nparams = { particles = [10, 20] }\n')
    database = tmp_path / "runs.db"
    assert main(["sweep", str(grid), str(database), "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["sweep", "report", str(database), "--csv", "-"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert sorted(row["param.particles"] for row in rows) == ["10", "20"]
    assert all(row["tasks"] == "4" for row in rows) and "params" not in rows[0]
    assert json.loads(rows[0]["budget"]) == {"evaluations": 100}
