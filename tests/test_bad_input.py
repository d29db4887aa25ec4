"""The bad-input corpus: every case is exit code 2, exactly one `error:` line on stderr that names
the field, flag or file, no traceback, nothing on stdout that looks like a result, and a
pre-existing output file left untouched. Cases run in-process, so the module takes seconds."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from eosdnn.cli import main
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.placement import save_placement
from eosdnn.problems.scenario import paper_scenario
from helpers import assert_one_error_line

KEEP = '{"keep": "this file must survive a failed command"}\n'


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    """Input files of every kind, good and bad."""
    root = tmp_path_factory.mktemp("corpus")
    (root / "folder").mkdir()
    write = {
        "good.toml": 'seed = 5\n[environment.edge]\ncount = 1\n[environment.cloud]\ncount = 1\n'
                     '[[tasks]]\nmodel = "alexnet"\ncount = 2\n',
        "empty.toml": "",
        "many-tasks.toml": '[[tasks]]\nmodel = "alexnet"\ncount = 1000000000\n',
        "many-edge.toml": '[environment.edge]\ncount = 1000000\n',
        "many-pools.toml": '[environment.edge]\npools = 1000000000\n',
        "many-pairs.toml": '[environment.edge]\ncount = 1024\n[[tasks]]\nmodel = "resnet101"\ncount = 5000\n',
        "deep.toml": "a = " + "[" * 100_000 + "]" * 100_000 + "\n",
        "deep.json": "[" * 100_000 + "]" * 100_000,
        "deep-model.toml": '[[tasks]]\nmodel = "deep.json"\n',
        "big-seed.toml": "seed = 99999999999\n",
        "bad.csv": "layer,layer_number\n",
    }
    for name, text in write.items():
        (root / name).write_text(text)
    (root / "latin1.toml").write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    (root / "latin1.json").write_bytes('{"format": 1, "tasks": "\xe9"}'.encode("latin-1"))
    problem = MigrationProblem(paper_scenario(0))
    save_placement(problem, np.zeros(problem.n_var, dtype=np.int64), root / "plan.json")
    plan = json.loads((root / "plan.json").read_text())
    swapped = json.loads(json.dumps(plan))
    swapped["tasks"][0]["task"] = 1
    (root / "wrong-task.json").write_text(json.dumps(swapped))
    other = json.loads(json.dumps(plan))
    other["tasks"][0]["client"] = "client2"
    (root / "wrong-client.json").write_text(json.dumps(other))
    paths = {name: str(root / name) for name in write}
    paths |= {name: str(root / name) for name in ("latin1.toml", "latin1.json", "plan.json", "wrong-task.json",
                                                  "wrong-client.json", "folder")}
    paths["root"] = str(root)
    return paths


# (command line with {placeholders}, text the one error line must contain)
CASES = [
    # 1-3: seeds, parameters and numbers
    ("solve --solver psoga --seed -1", "argument --seed"),
    ("solve --solver psoga --seed 1.5", "argument --seed"),
    ("compare --solvers psoga --seeds 0", "argument --seeds"),
    ("validate --seeds 0", "argument --seeds"),
    ("reproduce fig12 --seeds 0", "argument --seeds"),
    ("reproduce fig12 --workers 0", "argument --workers"),
    ("solve --solver milp --time-limit nan", "argument --time-limit"),
    ("solve --solver milp --time-limit inf", "argument --time-limit"),
    ("upload --horizon nan", "argument --horizon"),
    ("upload --horizon inf", "argument --horizon"),
    ("solve --solver psoga --iterations 0", "argument --iterations"),
    ("solve --solver psoga --evaluations -5", "argument --evaluations"),
    ("solve --solver psoga --seconds nan", "argument --seconds"),
    ("compare --solvers psoga,greedy,psoga", "--solvers: 'psoga' is listed twice"),
    ("validate --solvers greedy,greedy", "--solvers: 'greedy' is listed twice"),
    ("upload --tasks 0,0", "--tasks: task 0 is listed twice"),
    ("upload --tasks 99", "--tasks: task 99"),
    ("compare --solvers psoga,ga --param particles=50", "--param particles: name the solver"),
    ("compare --solvers psoga --param psoga.partcles=3", "psoga.partcles: unknown parameter"),
    ("compare --solvers psoga,ga --param sa.particles=3", "--param sa.particles: 'sa' is not a solver"),
    ("compare --solvers psoga --param particles", "--param 'particles': expected key=value"),
    ("validate --param psoga.particles=1", "psoga.particles"),
    ("validate --param milp.particles=3", "milp.particles: 'milp' is not a solver of this command"),
    ("validate --solvers milp --param milp.particles=3", "milp.particles: unknown parameter"),
    ("solve --solver psoga --param particles=0", "psoga.particles"),
    ("solve --solver psoga --param particles=2.5", "psoga.particles"),
    ("solve --solver psoga --param eps1=5", "psoga.eps1"),
    ("solve --solver psoga --param w_max=nan", "psoga.w_max"),
    ("solve --solver psoga --param w_max=NaN", "psoga.w_max"),
    ("solve --solver psoga --param crossover=nope", "psoga.crossover"),
    ("solve --solver psoga --param seed_generations=-3", "psoga.seed_generations"),
    ("solve --solver ga --param crossover_prob=2", "ga.crossover_prob"),
    ("solve --solver ga --param population=0", "ga.population"),
    ("solve --solver random --param batch=0", "random.batch"),
    ("solve --solver exhaustive --param batch=0", "exhaustive.batch"),
    ("solve --solver milp --param threads=0", "milp.threads"),
    ("solve --solver greedy --param particles=5", "greedy.particles: unknown parameter"),
    ("solve --solver all-edge --param x=1", "all-edge.x: unknown parameter"),
    ("solve --solver psoga --time-limit 5", "--time-limit: only cpsat, milp, milp-free take it"),
    ("solve --solver nosuch", "solver 'nosuch': unknown"),
    ("upload --param lmu.rest=never", "lmu.rest"),
    ("upload --param ionn.base=1", "ionn.base"),
    ("upload --planner exact --param exact.max_units=40", "exact.max_units"),
    ("upload --param rest=requeue", "--param rest: name the planner or solver"),
    ("upload --param psoga.particles=0", "psoga.particles"),
    ("upload --planner nosuch", "planner 'nosuch': unknown"),
    ("reproduce fig12 --param psoga.particles=0", "psoga.particles"),
    ("reproduce fig12 --param particles=5", "--param particles: name the solver or planner"),
    # 8: solver-in-solver combinations
    ("solve --solver prepso --param inner=all-edge", "prepso.inner"),
    ("solve --solver two-step --param inner=greedy", "two-step.inner"),
    ("solve --solver prepso --param inner=two-step", "prepso.inner"),
    ("solve --solver prepso --param inner=milp", "prepso.inner"),
    ("solve --solver prepso --param inner=nosuch", "prepso.inner"),
    ('solve --solver prepso --param inner_params={"particles":0}', "prepso.inner_params: psoga.particles"),
    # 4: paths that are directories, not UTF-8, or nested too deeply
    ("evaluate --scenario {folder} --plan all-edge", "scenario file"),
    ("evaluate --scenario {latin1.toml} --plan all-edge", "not UTF-8"),
    ("evaluate --scenario {deep.toml} --plan all-edge", "nested too deeply"),
    ("evaluate --scenario {deep-model.toml} --plan all-edge", "nested too deeply"),
    ("evaluate --placement {folder}", "is a directory"),
    ("evaluate --placement {latin1.json}", "not UTF-8"),
    ("evaluate --placement {deep.json}", "nested too deeply"),
    ("models show {deep.json}", "nested too deeply"),
    ("models import {folder} --host-ghz 2", "is a directory"),
    ("models import {bad.csv} --host-ghz 2", "missing column"),
    ("solve --solver milp --warm-start {folder}", "is a directory"),
    ("evaluate --scenario {missing.toml} --plan all-edge", "not found"),
    # 12, 14: placements checked against the scenario; empty scenario file
    ("evaluate --placement {wrong-task.json}", "tasks[0].task"),
    ("evaluate --placement {wrong-client.json}", "tasks[0].client"),
    ("evaluate --scenario {empty.toml} --plan all-edge", "empty"),
    # 7: oversized requests
    ("evaluate --scenario {many-tasks.toml} --plan all-edge", "tasks[0].count"),
    ("evaluate --scenario {many-edge.toml} --plan all-edge", "environment.edge.count"),
    ("evaluate --scenario {many-pools.toml} --plan all-edge", "environment.edge.pools"),
    ("evaluate --scenario {many-pairs.toml} --plan all-edge", "tasks: 700,000 layers on 1,033 nodes"),
    ("evaluate --scenario {big-seed.toml} --plan all-edge", "seed"),
    ("validate --max-pools 1000000000000", "argument --max-pools"),
    ("validate --tasks 100000", "argument --tasks"),
    ("solve --solver exhaustive", "exhaustive.limit"),
    ("solve --solver milp", "milp.max_binaries"),
]

# 5: output paths checked before any work
OUTPUT_CASES = [
    ("solve --solver psoga --json {root}/nofolder/out.json", "--json"),
    ("solve --solver psoga --json {folder}", "--json"),
    ("solve --solver psoga --placement-out {root}/nofolder/p.json", "--placement-out"),
    ("compare --solvers greedy --seeds 1 --plot {root}/plot.xyz", "--plot"),
    ("upload --plot {root}/sd.nothing", "--plot"),
    ("evaluate --plan all-edge --save-placement {root}/nofolder/p.json", "--save-placement"),
    ("models show vgg19 --json {root}/nofolder/vgg.json", "--json"),
    ("evaluate --placement {plan.json} --save-placement {plan.json}", "input files"),
    ("solve --scenario {good.toml} --solver greedy --json {good.toml}", "input files"),
    ("solve --solver greedy --json {root}/same.json --placement-out {root}/same.json", "the same file"),
]


def command(line: str, files: dict[str, str]) -> list[str]:
    words = []
    for word in line.split(" "):
        for name, path in files.items():
            word = word.replace("{" + name + "}", path)
        word = word.replace("{missing.toml}", files["root"] + "/missing.toml")
        words.append(word)
    return words


def assert_one_line_error(args: list[str], needle: str, capsys) -> None:
    assert_one_error_line(main, args, needle, capsys)


@pytest.mark.parametrize("line, needle", CASES, ids=[c[0][:60] for c in CASES])
def test_bad_input_is_one_error_line_and_keeps_the_output(line, needle, files, tmp_path, capsys):
    out = tmp_path / "out.json"
    out.write_text(KEEP)
    args = command(line, files)
    if args[0] != "solvers":
        args += ["--json", str(out)]
    assert_one_line_error(args, needle, capsys)
    assert out.read_text() == KEEP


@pytest.mark.parametrize("line, needle", OUTPUT_CASES, ids=[c[0][:60] for c in OUTPUT_CASES])
def test_bad_output_paths_are_refused_before_any_work(line, needle, files, capsys):
    before = Path(files["plan.json"]).read_text(), Path(files["good.toml"]).read_text()
    assert_one_line_error(command(line, files), needle, capsys)
    assert (Path(files["plan.json"]).read_text(), Path(files["good.toml"]).read_text()) == before
