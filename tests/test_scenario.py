"""Scenario presets and TOML validation: every bad field is one error line naming it."""

import subprocess
import sys

import pytest

from eosdnn.cli import main
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.scenario import load_scenario, paper_scenario, scenario_from_dict


def test_paper_preset_follows_section_vii_a():
    scenario = paper_scenario(7)
    env = scenario.environment
    assert (env.n_clients, env.n_edge, env.n_cloud) == (4, 5, 5)
    ranges = {"client": (1.1, 2.3), "edge": (4.2, 18.3), "cloud": (40, 120)}
    pools = {"client": 1, "edge": 2, "cloud": 8}
    for node in env.nodes:
        low, high = ranges[node.tier]
        assert low <= node.ghz <= high and node.pools == pools[node.tier]
    assert env.bandwidth.client_cloud == 0.5 and env.bandwidth.edge_cloud == 5.0
    assert [t.model.name for t in scenario.tasks] == ["alexnet"] * 3 + ["vgg19"] * 3 + ["googlenet"] * 3 + ["resnet101"] * 3
    assert [t.client for t in scenario.tasks] == [0, 1, 2, 3] * 3
    assert paper_scenario(7).environment == env
    assert paper_scenario(8).environment != env


def test_a_full_toml_scenario(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("""
seed = 3
objective = "makespan"
priority = "task"
[environment]
preset = "paper"
[environment.clients]
count = 2
ghz = [1.5, 2.0]
[environment.edge]
count = 1
ghz = 10.0
pools = [3]
[environment.cloud]
count = 2
ghz_range = [50, 60]
[environment.bandwidth]
client_edge = 20.0
[[tasks]]
model = "alexnet"
count = 3
[[tasks]]
model = "vgg19"
client = 1
""")
    s = load_scenario(path)
    env = s.environment
    assert env.names == ["client0", "client1", "edge0", "cloud0", "cloud1"]
    assert [n.ghz for n in env.nodes[:3]] == [1.5, 2.0, 10.0] and env.nodes[2].pools == 3
    assert all(50 <= n.ghz <= 60 for n in env.nodes[3:])
    assert env.bandwidth.client_edge == 20.0 and env.bandwidth.client_cloud == 0.5
    assert [t.client for t in s.tasks] == [0, 1, 0, 1]
    assert (s.objective, s.priority, s.seed) == ("makespan", "task", 3)


@pytest.mark.parametrize("doc,field", [
    ({"environment": {"edge": {"tier": "x"}}}, "environment.edge.tier: unknown field"),
    ({"environment": {"preset": "moon"}}, "environment.preset"),
    ({"environment": {"bandwidth": {"client_edge": 0}}}, "bandwidth.client_edge"),
    ({"environment": {"bandwidth": {"edge_cloud": -5}}}, "bandwidth.edge_cloud"),
    ({"environment": {"clients": {"count": 2, "ghz": [1.0]}}}, "environment.clients.ghz: list has 1 entries"),
    ({"environment": {"cloud": {"ghz": -1.0}}}, "environment.cloud.ghz"),
    ({"environment": {"edge": {"pools": 0}}}, "environment.edge.pools"),
    ({"tasks": [{"model": "lenet"}]}, r"tasks\[0\]\.model: model 'lenet': unknown model"),
    ({"tasks": [{"model": "alexnet", "client": 9}]}, r"tasks\[0\]\.client: client index 9 out of range"),
    ({"objective": "carbon"}, "objective"),
    ({"priority": "random"}, "priority"),
    ({"colour": 1}, "colour: unknown field"),
])
def test_bad_fields_are_named(doc, field):
    with pytest.raises(EosdnnError, match=field):
        scenario_from_dict(doc)


def test_cli_reports_bad_input_in_one_line_without_traceback(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text('[environment.bandwidth]\nclient_cloud = -1\n')
    assert main(["evaluate", "--scenario", str(path), "--plan", "all-edge"]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "bandwidth.client_cloud" in err and "Traceback" not in err


def test_console_script_exit_code_for_unknown_model(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[[tasks]]\nmodel = "nope"\n')
    run = subprocess.run([sys.executable, "-m", "eosdnn", "run", "--scenario", str(path)], capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr.startswith("error: scenario file") and "tasks[0].model" in run.stderr and "Traceback" not in run.stderr
