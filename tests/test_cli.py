"""The commands of issue 2 end to end: run, evaluate, models."""

import json

import pytest

from conftest import LINBIN
from eosdnn.cli import main
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.scenario import paper_scenario


def test_run_recommends_the_best_plan_against_the_references(tmp_path, capsys):
    out = tmp_path / "run.json"
    assert main(["run", "--seed", "2", "--evaluations", "300", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert set(data["plans"]) == {"greedy", "heft", "peft", "all-local", "all-edge", "all-cloud", "eosdnn-plus",
                                  "best-response"}
    recommended = data["recommended"]
    assert recommended["value"] == pytest.approx(min(plan["value"] for plan in data["plans"].values()), rel=1e-12)
    assert recommended["value"] == pytest.approx(data["plans"][recommended["solver"]]["value"])
    problem = MigrationProblem(paper_scenario(2))
    from eosdnn.problems.placement import genes_from_dict

    genes = genes_from_dict(problem, recommended["placement"])
    assert problem.evaluate(genes[None, :])[0] == pytest.approx(recommended["value"], rel=1e-12)
    assert recommended["lower_bound"] == pytest.approx(problem.lower_bound)
    assert recommended["lower_bound"] <= recommended["value"]
    for plan in data["plans"].values():
        assert plan["total"] == pytest.approx(sum(t["completion"] for t in plan["tasks"]))
    assert "Recommended: " in capsys.readouterr().out


def test_evaluate_round_trips_a_placement_file(tmp_path):
    placement, result = tmp_path / "p.json", tmp_path / "r.json"
    assert main(["evaluate", "--plan", "all-edge", "--save-placement", str(placement)]) == 0
    assert main(["evaluate", "--placement", str(placement), "--json", str(result)]) == 0
    data = json.loads(result.read_text())
    problem = MigrationProblem(paper_scenario(0))
    assert data["value"] == pytest.approx(problem.report(problem.tier_plan("edge")).total, rel=1e-12)
    assert {"format", "objective", "value", "total", "makespan", "exec", "transfer", "wait", "tasks"} <= set(data)
    doc = json.loads(placement.read_text())
    doc["tasks"][0]["nodes"]["conv1"] = "client3"
    placement.write_text(json.dumps(doc))
    assert main(["evaluate", "--placement", str(placement)]) == 2


def test_models_show_writes_model_json(tmp_path, capsys):
    out = tmp_path / "vgg.json"
    assert main(["models", "show", "vgg19", "--json", str(out)]) == 0
    assert len(json.loads(out.read_text())["layers"]) == 24
    summary = capsys.readouterr().out
    assert "conv5_4" not in summary and "24" in summary  # one line by default
    assert main(["models", "show", "vgg19", "--layers"]) == 0
    assert "conv5_4" in capsys.readouterr().out
    assert main(["models", "show", "nonet"]) == 2


@pytest.mark.skipif(not LINBIN.exists(), reason="shared data missing")
def test_models_import_reports_defects(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main(["models", "import", str(LINBIN / "resnet101.csv"), "--host-ghz", "2.9", "--unit", "mib8",
                 "--json", str(out)]) == 0
    assert "points backwards" in capsys.readouterr().out
    assert main(["models", "import", str(LINBIN / "resnet101.csv"), "--host-ghz", "2.9", "--strict"]) == 2


def test_solve_writes_placement_and_history(tmp_path):
    out, placement = tmp_path / "s.json", tmp_path / "p.json"
    assert main(["solve", "--solver", "ga", "--evaluations", "400", "--param", "population=20", "--seed", "3",
                 "--json", str(out), "--placement-out", str(placement)]) == 0
    doc = json.loads(out.read_text())
    assert doc["solver"] == "ga" and doc["evaluations"] >= 400 and doc["seed"] == 3
    assert all(b >= a for (_, a), (_, b) in zip(doc["history"][1:], doc["history"]))
    result = tmp_path / "r.json"  # --seed 3 also drew the paper scenario's clock rates
    assert main(["evaluate", "--seed", "3", "--placement", str(placement), "--json", str(result)]) == 0
    assert json.loads(result.read_text())["value"] == pytest.approx(doc["value"], rel=1e-12)


def test_compare_table_json_and_plot(tmp_path, capsys):
    out, plot = tmp_path / "c.json", tmp_path / "c.png"
    assert main(["compare", "--solvers", "psoga,greedy,random", "--seeds", "2", "--evaluations", "300",
                 "--json", str(out), "--plot", str(plot)]) == 0
    doc = json.loads(out.read_text())
    assert set(doc["solvers"]) == {"psoga", "greedy", "random"} and doc["seeds"] == [0, 1]
    assert doc["solvers"]["greedy"]["std"] == 0.0
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "greedy" in capsys.readouterr().out


def test_unknown_solver_and_bad_param_are_one_line_errors(capsys):
    assert main(["solve", "--solver", "simulated-annealing"]) == 2
    assert "solver 'simulated-annealing': unknown" in capsys.readouterr().err
    assert main(["solve", "--solver", "psoga", "--param", "colour=3", "--iterations", "1"]) == 2
    assert "psoga.colour: unknown parameter" in capsys.readouterr().err


def test_empty_or_unknown_name_lists_are_one_line_errors(capsys):
    assert main(["compare", "--solvers", ",", "--evaluations", "10"]) == 2
    assert main(["validate", "--solvers", "greedy,nope"]) == 2
    assert main(["upload", "--planner", " , "]) == 2
    err = capsys.readouterr().err
    assert "--solvers: give at least one solver name" in err and "solver 'nope': unknown" in err
    assert "--planner: give at least one planner name" in err


def test_the_renamed_solver_warns_once_on_standard_error_and_still_solves(capsys):
    from eosdnn.solvers.registry import SOLVERS

    SOLVERS._warned.discard("eosdnn")
    assert main(["solve", "--solver", "eosdnn", "--evaluations", "300", "--quiet"]) == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: solver 'eosdnn' is now 'eosdnn-plus': the enhanced method's name until this "
                        "release; the paper's own method is 'eosdnn-paper'; 'eosdnn' will be removed in the next "
                        "release"]
    assert "301 evaluations" in captured.out and "Traceback" not in captured.err


def test_a_parameter_of_the_renamed_solver_reaches_eosdnn_plus_in_reproduce(tmp_path, capsys):
    from eosdnn.solvers.registry import SOLVERS

    SOLVERS._warned.discard("eosdnn")
    out = tmp_path / "figures"
    assert main(["reproduce", "fig16", "--quick", "--seeds", "1", "--out", str(out), "--json", str(tmp_path / "r.json"),
                 "--param", "eosdnn.particles=6"]) == 0
    assert "warning: solver 'eosdnn' is now 'eosdnn-plus'" in capsys.readouterr().err
    from eosdnn.cli.shared import built_params

    assert built_params(["eosdnn.particles=6"], {"eosdnn-plus": SOLVERS, "ga": SOLVERS}, "solver") == {
        "eosdnn-plus": {"particles": 6}, "ga": {}}
    assert main(["reproduce", "fig16", "--quick", "--seeds", "1", "--out", str(out), "--param", "nosuch.particles=6"]) == 2
