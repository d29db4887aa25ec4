"""The commands of issue 2 end to end: run, evaluate, models."""

import json

import pytest

from conftest import LINBIN
from eosdnn.cli import main
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.scenario import paper_scenario


def test_run_reports_the_reference_plans(tmp_path, capsys):
    out = tmp_path / "run.json"
    assert main(["run", "--seed", "2", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert set(data["plans"]) == {"all-local", "all-edge", "all-cloud"}
    for plan in data["plans"].values():
        assert plan["total"] == pytest.approx(sum(t["completion"] for t in plan["tasks"]))
    assert "all-cloud" in capsys.readouterr().out


def test_evaluate_round_trips_a_placement_file(tmp_path):
    placement, result = tmp_path / "p.json", tmp_path / "r.json"
    assert main(["evaluate", "--plan", "all-edge", "--save-placement", str(placement)]) == 0
    assert main(["evaluate", "--placement", str(placement), "--json", str(result)]) == 0
    data = json.loads(result.read_text())
    problem = MigrationProblem(paper_scenario(0))
    assert data["value"] == pytest.approx(problem.details(problem.tier_plan("edge"))["total"], rel=1e-12)
    assert {"format", "objective", "value", "total", "makespan", "exec", "transfer", "wait", "tasks"} <= set(data)
    doc = json.loads(placement.read_text())
    doc["tasks"][0]["nodes"]["conv1"] = "client3"
    placement.write_text(json.dumps(doc))
    assert main(["evaluate", "--placement", str(placement)]) == 2


def test_models_show_writes_model_json(tmp_path, capsys):
    out = tmp_path / "vgg.json"
    assert main(["models", "show", "vgg19", "--json", str(out)]) == 0
    assert len(json.loads(out.read_text())["layers"]) == 24
    assert "conv5_4" in capsys.readouterr().out
    assert main(["models", "show", "nonet"]) == 2


@pytest.mark.skipif(not LINBIN.exists(), reason="shared data missing")
def test_models_import_reports_defects(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main(["models", "import", str(LINBIN / "resnet101.csv"), "--host-ghz", "2.9", "--unit", "mib8",
                 "--json", str(out)]) == 0
    assert "points backwards" in capsys.readouterr().out
    assert main(["models", "import", str(LINBIN / "resnet101.csv"), "--host-ghz", "2.9", "--strict"]) == 2
