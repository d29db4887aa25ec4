"""The fault corpus, second round (issue 19): every kind of case from the outside measurement,
table-driven. A case is a command line with {placeholders} for the files the fixture makes and the
text its one `error:` line must contain; every error case is exit 2, one line, no traceback, and
leaves a pre-existing output file untouched. Cases that must succeed check what was written.
Cases run in-process (seconds in all); signals and the process environment are in
test_signals_and_environment.py."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sqlite3
import stat
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

from eosdnn import report
from eosdnn.cli import main
from eosdnn.solvers.registry import SOLVERS
from eosdnn.operators.registry import OPERATORS
from eosdnn.problems.bounds import gap_to_bound
from eosdnn.problems.files import MAX_INPUT_BYTES
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.placement import save_placement
from eosdnn.problems.scenario import load_scenario
from eosdnn.solvers.upload import PLANNERS
from eosdnn.sweep import COLUMNS, ResultsDatabase, point_label, point_order
from eosdnn.problems.objectives import OBJECTIVES
from helpers import assert_one_error_line

KEEP = '{"keep": "this file must survive a failed command"}\n'
TINY = ('seed = 3\n[environment.clients]\ncount = 1\n[environment.edge]\ncount = 1\npools = 1\n'
        '[environment.cloud]\ncount = 1\npools = 1\n[[tasks]]\nmodel = "chain4.json"\n')
GRID = ('name = "g"\nseeds = 1\nbudget = { evaluations = 50 }\n[scenario]\nfile = "tiny.toml"\n'
        '[[solvers]]\nname = "greedy"\n')


def chain_model(n: int, name: str) -> dict:
    layers = [{"name": f"l{i}", "flops": 1e8, "out_bytes": 1e5, "weight_bytes": 1e6,
               "inputs": [f"l{i - 1}"] if i else []} for i in range(n)]
    return {"format": 1, "name": name, "input_bytes": 1e5, "layers": layers}


def database(path: Path, rows: list[dict] | None = None, drop: str | None = None) -> Path:
    """A results database with `rows` (a well-formed row where a dict is empty), or a broken one."""
    db = ResultsDatabase(path)
    db.close()
    connection = sqlite3.connect(path)
    good = {"key": "k0", "sweep": "g", "point": '{"tasks":5}', "scenario_hash": "h", "solver": "greedy",
            "params": "{}", "seed": 0, "budget": "{}", "status": "ok", "value": 1.5, "lower_bound": 1.0,
            "gap": 0.5, "evaluations": 1, "wall_s": 0.1, "error": None, "placement": "{}", "version": "x"}
    for i, row in enumerate(rows or []):
        values = good | {"key": f"k{i}"} | row
        connection.execute(f"INSERT INTO runs VALUES ({', '.join('?' * len(COLUMNS))})",
                           [values[c] for c in COLUMNS])
    if drop == "runs":
        connection.execute("DROP TABLE runs")
    elif drop == "columns":
        connection.execute("ALTER TABLE runs RENAME TO old")
        connection.execute("CREATE TABLE runs (key TEXT PRIMARY KEY, value REAL)")
    connection.commit()
    connection.close()
    return path


@contextlib.contextmanager
def read_only(path: Path):
    """`path` unwritable even for root (an immutable file or folder), or by permissions."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("faults")
    (root / "chain4.json").write_text(json.dumps(chain_model(4, "chain4")))
    (root / "chain300.json").write_text(json.dumps(chain_model(300, "chain300")))
    (root / "chain25k.json").write_text(json.dumps(chain_model(25_000, "chain25k")))
    texts = {
        "tiny.toml": TINY,
        "long.toml": TINY.replace("chain4.json", "chain300.json"),
        "huge-chain.toml": TINY.replace("chain4.json", "chain25k.json"),
        "grid.toml": GRID,
        "seed-neg.toml": "seed = -1\n", "seed-frac.toml": "seed = 1.5\n", "seed-date.toml": "seed = 1979-05-27\n",
        "seed-big.toml": "seed = 99999999999\n",
        "preset-list.toml": '[environment]\npreset = ["paper"]\n',
        "preset-table.toml": '[environment.preset]\nname = "paper"\n',
        "ghz-denormal.toml": "[environment.edge]\nghz = 1e-310\n",
        "ghz-huge.toml": "[environment.cloud]\nghz = 1e300\n",
        "bandwidth-denormal.toml": "[environment.bandwidth]\nclient_edge = 1e-310\n",
        "fpc-denormal.toml": "[environment]\nflops_per_cycle = 1e-310\n",
        "grid-params.toml": GRID + "params = 3\n",
        "grid-vary.toml": GRID.replace('file = "tiny.toml"', 'file = "tiny.toml"\nvary = 3'),
        "grid-file.toml": GRID.replace('file = "tiny.toml"', "file = 3"),
        "grid-models.toml": GRID.replace('file = "tiny.toml"', "models = []"),
        "grid-model.toml": GRID.replace('file = "tiny.toml"', 'models = ["nosuch"]'),
        "grid-nested.toml": GRID.replace('file = "tiny.toml"', 'file = "tiny.toml"\n[scenario.vary]\n'
                                                                '"environment.edge.count" = [{a = {b = 1}}]'),
        "grid-huge.toml": GRID.replace("seeds = 1", "seeds = 10000").replace(
            'file = "tiny.toml"', 'file = "tiny.toml"\n[scenario.vary]\n"environment.edge.count" = '
                                  + str(list(range(1, 151)))),
        "grid-tasks.toml": GRID.replace('file = "tiny.toml"', '[scenario.vary]\ntasks = [100000000]'),
        "grid-seeds.toml": GRID.replace("seeds = 1", 'seeds = "many"'),
        "grid-budget.toml": GRID.replace("budget = { evaluations = 50 }", "budget = 3"),
        "rows.csv": "layer,layer_number,exec_time_s,output_size_mb,successors\n" + "".join(
            f"l{i},{i},0.001,0.1,{i + 1}\n" for i in range(100_001)),
    }
    for name, text in texts.items():
        (root / name).write_text(text)
    os.mkfifo(root / "fifo.toml")
    os.mkfifo(root / "fifo.json")
    os.mkfifo(root / "fifo.csv")
    os.mkfifo(root / "fifo.onnx")
    os.mkfifo(root / "fifo.sqlite")
    with open(root / "big.toml", "wb") as handle:  # sparse: no disk used
        handle.truncate(MAX_INPUT_BYTES + 1)
    problem = MigrationProblem(load_scenario(root / "tiny.toml"))
    save_placement(problem, np.zeros(problem.n_var, dtype=np.int64), root / "plan.json")
    database(root / "meta-only.sqlite", drop="runs")
    database(root / "few-columns.sqlite", drop="columns")
    database(root / "good.sqlite", [{}])
    database(root / "bad-rows.sqlite", [{}, {"value": None}, {"value": "text"}, {"point": "{not json"},
                                        {"seed": 1.5}])
    (root / "folder").mkdir()
    paths = {name: str(root / name) for name in list(texts) + [
        "chain4.json", "plan.json", "fifo.toml", "fifo.json", "fifo.csv", "fifo.onnx", "fifo.sqlite", "big.toml",
        "meta-only.sqlite", "few-columns.sqlite", "good.sqlite", "bad-rows.sqlite", "folder"]}
    paths["root"] = str(root)
    return paths


def command(line: str, files: dict[str, str]) -> list[str]:
    words = []
    for word in line.split(" "):
        for name, path in files.items():
            word = word.replace("{" + name + "}", path)
        words.append(word)
    return words


def one_error_line(args: list[str], needle: str, capsys) -> str:
    return assert_one_error_line(main, args, needle, capsys)


# (kind, command line, text of the one error line)
ERRORS = [
    # outputs: empty, a device that is not a stream, a name too long, an output that is an input
    ("output", "solve --solver greedy --json ", "--json: empty path"),
    ("output", "sweep report {good.sqlite} --csv ", "--csv: empty path"),
    ("output", "solve --solver greedy --placement-out -", "--placement-out: cannot write to standard output"),
    ("output", f"solve --solver greedy --json {{root}}/{'n' * 300}.json", "longer than the file system allows"),
    ("output", "sweep report {good.sqlite} --csv {good.sqlite}", "input files"),
    ("output", "sweep report {good.sqlite} --plot {good.sqlite}", "--plot"),
    ("output", "sweep report {good.sqlite} --plot {root}/s.xyz", "unknown file type '.xyz'"),
    ("output", "sweep {grid.toml} --csv {root}/x.csv", "--csv: only `sweep report DB`"),
    ("output", "sweep {grid.toml} {grid.toml}", "is the grid file itself"),
    ("output", "upload --placement {plan.json} --scenario {tiny.toml} --json {plan.json}", "input files"),
    ("output", "models import {rows.csv} --host-ghz 2 --json {rows.csv}", "input files"),
    ("output", "solve --scenario {tiny.toml} --solver greedy --json {chain4.json}", "input files (a model of the scenario)"),
    ("output", "reproduce fig16 --quick --out {tiny.toml}", "--out"),
    # an upload planner's unit limit, checked before the migration search
    ("before work", "run --scenario {long.toml} --evaluations 100", "lmu.max_units: task 0 (chain300) may have up to 300"),
    ("before work", "upload --scenario {long.toml} --solver greedy --planner exact", "exact.max_units"),
    ("before work", "upload --planner exact --param exact.max_units=23", "exact.max_units: must be a whole number in 0..22"),
    # special files as inputs
    ("special input", "evaluate --scenario {fifo.toml} --plan all-edge", "not a regular file"),
    ("special input", "evaluate --scenario {tiny.toml} --placement {fifo.json}", "not a regular file"),
    ("special input", "models show {fifo.json}", "not a regular file"),
    ("special input", "models import {fifo.csv} --host-ghz 2", "not a regular file"),
    ("special input", "models import {fifo.onnx}", "not a regular file"),
    ("special input", "sweep {fifo.toml}", "not a regular file"),
    ("special input", "sweep report {fifo.sqlite}", "not a regular file"),
    ("special input", "evaluate --scenario /dev/zero --plan all-edge", "not a regular file"),
    ("special input", "evaluate --placement /dev/urandom", "not a regular file"),
    ("special input", "models import /dev/zero --host-ghz 2", "not a regular file"),
    ("special input", "evaluate --scenario {big.toml} --plan all-edge", "above the input limit"),
    # sizes checked before the work
    ("size", "models import {rows.csv} --host-ghz 2", "100,001 layers, above the limit of 100,000"),
    ("size", "sweep {grid-huge.toml}", "1,500,000 runs, above the limit"),
    ("size", "sweep {grid-tasks.toml}", "scenario.vary.tasks: 100,000,000 tasks"),
    ("size", "solve --scenario {huge-chain.toml} --solver milp --time-limit 10", "milp.max_binaries"),
    ("size", "models import x.onnx --input-shape 4294967296,4294967296,8,8", "argument --input-shape"),
    ("size", "models import x.onnx --input-shape 99999999999999999999,1", "argument --input-shape"),
    ("size", "validate --exhaustive-limit 1e30", "argument --exhaustive-limit"),
    ("size", "validate --exhaustive-limit 1000000000000000000000000000000", "argument --exhaustive-limit"),
    # budgets the solver would never end
    ("budget", "solve --solver local-search --param start=local-search", "local-search.start"),
    ("budget", "solve --solver psoga --seconds 0", "argument --seconds"),
    ("budget", "upload --scenario {tiny.toml} --iterations 5", "--iterations: the recommended plan's searches"),
    # databases
    ("database", "sweep report {meta-only.sqlite}", "no runs table"),
    ("database", "sweep report {few-columns.sqlite}", "lacks the column"),
    ("database", "sweep report {folder}", "is a directory"),
    ("database", "sweep report {tiny.toml}", "not an eosdnn results database"),
    # grid files with wrong types
    ("grid", "sweep {grid-params.toml}", "solvers[0].params: must be a table"),
    ("grid", "sweep {grid-vary.toml}", "scenario.vary: must be a table"),
    ("grid", "sweep {grid-file.toml}", "scenario.file: must be a path"),
    ("grid", "sweep {grid-models.toml}", "scenario.models: a non-empty list"),
    ("grid", "sweep {grid-model.toml}", "scenario.models: model 'nosuch'"),
    ("grid", "sweep {grid-nested.toml}", "scenario.vary.environment.edge.count: values must be"),
    ("grid", "sweep {grid-seeds.toml}", "seeds:"),
    ("grid", "sweep {grid-budget.toml}", "budget: must be a table"),
    ("grid", "sweep {grid.toml} --dask tcp://localhost", "--dask: expected a scheduler address"),
    ("grid", "sweep {grid.toml} --dask nonsense", "--dask: expected a scheduler address"),
    # scenario fields named as the file's, with sane ranges
    ("scenario field", "evaluate --scenario {seed-neg.toml} --plan all-edge", "seed-neg.toml': seed: must be"),
    ("scenario field", "evaluate --scenario {seed-frac.toml} --plan all-edge", "seed-frac.toml': seed: must be"),
    ("scenario field", "evaluate --scenario {seed-date.toml} --plan all-edge", "seed: must be a whole number in 0..4,294,967,295, got a date (1979-05-27)"),
    ("scenario field", "evaluate --scenario {seed-big.toml} --plan all-edge", "seed-big.toml': seed: must be a whole number in 0..4,294,967,295, got 99999999999"),
    ("scenario field", "evaluate --scenario {preset-list.toml} --plan all-edge", "environment.preset: unknown preset"),
    ("scenario field", "evaluate --scenario {preset-table.toml} --plan all-edge", "environment.preset: unknown preset"),
    ("scenario field", "evaluate --scenario {ghz-denormal.toml} --plan all-edge", "environment.edge.ghz: 1e-310 is outside"),
    ("scenario field", "evaluate --scenario {ghz-huge.toml} --plan all-edge", "environment.cloud.ghz: 1e+300 is outside"),
    ("scenario field", "evaluate --scenario {bandwidth-denormal.toml} --plan all-edge", "client_edge: 1e-310 is outside"),
    ("scenario field", "evaluate --scenario {fpc-denormal.toml} --plan all-edge", "flops_per_cycle: 1e-310 is outside"),
    ("scenario field", "solve --solver milp --param time_limit=0", "milp.time_limit: must be a finite number in (0, inf]"),
]


@pytest.mark.parametrize("kind, line, needle", ERRORS, ids=[f"{c[0]}: {c[1][:50]}" for c in ERRORS])
def test_every_fault_is_one_error_line_and_keeps_the_output(kind, line, needle, files, tmp_path, capsys):
    out = tmp_path / "keep.json"
    out.write_text(KEEP)
    args = command(line, files)
    if "--json" not in args and args[0] not in ("sweep", "reproduce"):
        args += ["--json", str(out)]
    one_error_line(args, needle, capsys)
    assert out.read_text() == KEEP


def test_the_corpus_covers_every_kind():
    kinds = {}
    for kind, _line, _needle in ERRORS:
        kinds[kind] = kinds.get(kind, 0) + 1
    assert set(kinds) == {"output", "before work", "special input", "size", "budget", "database", "grid",
                          "scenario field"}
    assert sum(kinds.values()) >= 60


# --- outputs that are links, devices, pipes and standard output ---------------------------------


def test_a_symlink_output_is_written_through_and_stays_a_link(files, tmp_path):
    target = tmp_path / "target.json"
    target.write_text(KEEP)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "created.json")
    assert main(["solve", "--scenario", files["tiny.toml"], "--solver", "greedy", "--json", str(link),
                 "--placement-out", str(dangling)]) == 0
    assert link.is_symlink() and json.loads(target.read_text())["solver"] == "greedy"
    assert dangling.is_symlink() and "tasks" in json.loads((tmp_path / "created.json").read_text())


def test_devices_and_pipes_are_written_directly_never_replaced(files, tmp_path):
    to_null = tmp_path / "null.json"
    to_null.symlink_to(os.devnull)
    assert main(["evaluate", "--scenario", files["tiny.toml"], "--plan", "all-edge", "--json", str(to_null)]) == 0
    assert to_null.is_symlink() and stat.S_ISCHR(os.stat(os.devnull).st_mode)
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    assert main(["evaluate", "--scenario", files["tiny.toml"], "--plan", "all-edge", "--json", str(fifo)]) == 0
    reader.join(timeout=30)
    assert stat.S_ISFIFO(fifo.stat().st_mode) and json.loads(received[0])["objective"] == "total"


def test_dash_is_standard_output_and_the_tables_go_to_standard_error(files, capsys):
    assert main(["evaluate", "--scenario", files["tiny.toml"], "--plan", "all-edge", "--json", "-"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["objective"] == "total" and "Evaluation of all-edge" in captured.err
    assert main(["sweep", "report", files["good.sqlite"], "--csv", "-"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0].startswith("tasks,key,sweep") and "grid point" in captured.err
    assert not Path("-").exists()


def test_a_read_only_output_folder_is_refused_before_the_figures_run(tmp_path, capsys):
    out = tmp_path / "ro"
    out.mkdir()
    (out / "fig16.png").write_bytes(b"old figure")
    with read_only(out):
        one_error_line(["reproduce", "fig16", "--quick", "--out", str(out)], "--out", capsys)
    assert (out / "fig16.png").read_bytes() == b"old figure"


def test_an_immutable_existing_output_is_refused_before_the_work(files, tmp_path, capsys):
    out = tmp_path / "frozen.json"
    out.write_text(KEEP)
    with read_only(out):
        one_error_line(["solve", "--scenario", files["tiny.toml"], "--solver", "greedy", "--json", str(out)],
                       "not writable", capsys)
    assert out.read_text() == KEEP


# --- databases: read-only, bad rows -------------------------------------------------------------


def test_a_read_only_database_is_refused_for_a_sweep_but_reported(files, tmp_path, capsys):
    db = database(tmp_path / "ro.sqlite", [{}])
    with read_only(db):
        one_error_line(["sweep", files["grid.toml"], str(db)], "read-only", capsys)
        assert main(["sweep", "report", str(db)]) == 0
    assert "greedy" in capsys.readouterr().out


def test_bad_rows_are_skipped_with_a_warning_naming_their_key(files, capsys):
    assert main(["sweep", "report", files["bad-rows.sqlite"], "--csv", "-"]) == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 4 and all("run 'k" in line and "skipped" in line for line in warnings)
    assert {"'k1'", "'k2'", "'k3'", "'k4'"} == {re.search(r"run ('k\d')", w).group(1) for w in warnings}
    assert len(captured.out.splitlines()) == 2  # the header and the one good row


# --- budgets ------------------------------------------------------------------------------------


def test_local_search_honours_an_iteration_budget(files, tmp_path):
    out = tmp_path / "ls.json"
    assert main(["solve", "--scenario", files["tiny.toml"], "--solver", "local-search", "--iterations", "2",
                 "--param", "batch=8", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    # the start plan's own evaluation, then two steps of 8 neighbours each (a restart adds one)
    assert doc["evaluations"] <= 1 + 2 * 8 + 2


def test_the_milp_honours_an_iteration_budget(files, tmp_path):
    out = tmp_path / "milp.json"
    assert main(["solve", "--scenario", files["tiny.toml"], "--solver", "milp", "--iterations", "1",
                 "--json", str(out)]) == 0
    assert json.loads(out.read_text())["info"]["rounds"] <= 1


# --- what a new user trips over -----------------------------------------------------------------


def split_cells(text: str) -> list[str]:
    return [cell.strip() for line in text.splitlines() for cell in re.split(r"[│┃]", line) if cell.strip()]


@pytest.mark.parametrize("width", [60, 80, 100])
def test_tables_never_split_a_number_or_a_word(width):
    names = ("recursive-efficiency", "alexnet", "local-search from peft")
    from eosdnn.problems.plan_report import PlanReport
    from eosdnn.upload_tasks import UploadRow, UploadSummary

    rows = {name: PlanReport("total", 18670.1234, 18670.1234, 2078.5, 0.7801, 99999.9999, 55555.5555, ())
            for name in names}
    buffer = io.StringIO()
    console = report.ReportConsole(width=width, file=buffer, color_system=None)
    console.print(report.results_table("Plans", rows, "total", bound=1000.0))
    planners = ["lmu", "ionn", "recursive-efficiency", "non-uploading"]
    row = UploadRow(0, "alexnet", 13, dict.fromkeys(planners, 18670.12), "recursive-efficiency")
    console.print(report.upload_tasks_table("Uploads", UploadSummary((row,), {"lmu": 18670.12}, {"lmu": 1}), planners))
    text = buffer.getvalue()
    cells = split_cells(text)
    assert all(len(line) <= width for line in text.splitlines())
    for whole in ("18670.1234", "2078.5000", "0.7801", "99999.9999", "1767.01%", "18670.12*"):
        assert whole in cells, whole  # a whole cell, never "18670." / "1234"
    for name in ("recursive-efficiency", "alexnet", "rec.-eff."):
        assert name in cells  # a name is never split ("alexne" / "t")


def test_the_gap_is_measured_from_the_bound_everywhere(files, tmp_path, capsys):
    assert gap_to_bound(105.37, 100.0) == pytest.approx(0.0537)  # "5.37% above the bound 100"
    out = tmp_path / "e.json"
    assert main(["evaluate", "--scenario", files["tiny.toml"], "--plan", "all-cloud", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["gap_to_bound"] == pytest.approx((doc["value"] - doc["lower_bound"]) / doc["lower_bound"])
    assert f"{100 * doc['gap_to_bound']:.2f}%" in capsys.readouterr().out


def test_an_exact_solver_prints_one_formatted_bound_line(files, capsys):
    assert main(["solve", "--scenario", files["tiny.toml"], "--solver", "milp"]) == 0
    out = capsys.readouterr().out
    status = [line for line in out.splitlines() if line.startswith("status ")]
    assert len(status) == 1 and status[0].startswith("status optimal: proven optimal")
    assert not re.search(r"\d\.\d{7,}", out)  # no raw floats


def test_every_registry_entry_has_its_own_whole_sentence_and_every_parameter_its_default(capsys):
    for registry in (SOLVERS, OPERATORS, PLANNERS, OBJECTIVES):
        descriptions = [registry.describe(name) for name in registry.names()]
        assert len(set(descriptions)) == len(descriptions), registry.kind
        for name, text in zip(registry.names(), descriptions):
            assert "docstring" not in text and not text.endswith((" as", " to", " one", " such")), (name, text)
    for name, default, _span in SOLVERS.parameter_details("psoga"):
        assert name and default is not None or name == "starts"
    assert main(["solvers"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "particles = 100 (whole number in 2..100,000)" in out and "max_units = 20 (whole number in 0..22)" in out


def test_a_solve_result_is_read_as_a_placement(files, tmp_path, capsys):
    result = tmp_path / "r.json"
    assert main(["solve", "--scenario", files["tiny.toml"], "--solver", "heft", "--json", str(result)]) == 0
    value = json.loads(result.read_text())["value"]
    again = tmp_path / "e.json"
    assert main(["evaluate", "--scenario", files["tiny.toml"], "--placement", str(result), "--json", str(again)]) == 0
    assert json.loads(again.read_text())["value"] == value


def test_upload_plans_under_the_recommended_plan_and_warns_when_uploading_cannot_help(files, tmp_path, capsys):
    assert main(["upload", "--scenario", files["tiny.toml"], "--evaluations", "200"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Placement: the recommended plan" in out and "All 1 task: SSD (s^2) per planner" in out
    slow = tmp_path / "slow.toml"  # the cloud is far: all-cloud, fully uploaded, is slower than the client
    slow.write_text(TINY.replace("chain4.json", str(Path(files["chain4.json"]))) +
                    "[environment.bandwidth]\nclient_cloud = 0.001\nclient_edge = 0.001\n")
    plan = tmp_path / "cloud.json"
    assert main(["evaluate", "--scenario", str(slow), "--plan", "all-cloud", "--save-placement", str(plan)]) == 0
    capsys.readouterr()
    assert main(["upload", "--scenario", str(slow), "--placement", str(plan)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "warning: task 0 (chain4): fully uploaded" in out and "uploading cannot help" in out


def test_run_compares_lmu_with_every_uploading_rival(files, tmp_path):
    out = tmp_path / "run.json"
    assert main(["run", "--scenario", files["tiny.toml"], "--evaluations", "200", "--quiet", "--json", str(out)]) == 0
    planners = json.loads(out.read_text())["upload"]["planners"]
    assert set(planners) == {"lmu", "ionn", "recursive-efficiency", "non-uploading"}


def test_sweep_plots_label_points_by_their_keys_in_numeric_order():
    points = [{"tasks": 20.0}, {"tasks": 5.0}, {"tasks": 12}]
    assert [p["tasks"] for p in sorted(points, key=point_order)] == [5.0, 12, 20.0]
    assert point_label({"environment.edge.count": 5, "tasks": 12}) == "edge.count=5, tasks=12"
    assert point_label({}) == "all"


def test_models_print_a_summary_unless_every_layer_is_asked_for(capsys):
    assert main(["models", "show", "resnet101"]) == 0
    summary = capsys.readouterr().out
    assert "conv1" not in summary and "140" in summary and "33" in summary  # layers and residual blocks
    assert main(["models", "show", "resnet101", "--layers"]) == 0
    assert "conv1" in capsys.readouterr().out


def test_an_onnx_tensor_too_large_to_count_is_one_error(tmp_path, capsys):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    node = helper.make_node("Relu", ["x"], ["y"])
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", "c", 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", "c", 8, 8])])
    path = tmp_path / "relu.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    one_error_line(["models", "import", str(path), "--input-shape", "2147483647,2147483647,8,8"],
                   "above the limit of", capsys)


def test_an_interrupted_comparison_on_workers_keeps_the_runs_that_finished(files):
    from eosdnn.compare import Comparison, compare_on
    from eosdnn.framework import Budget
    from eosdnn.framework.executors import Outcome

    class OneThenInterrupt:
        """Finishes the first job, then the user presses Ctrl-C."""

        workers = 2

        def run(self, function, items):
            items = list(items)
            yield Outcome(0, function(items[0]), 0.0)
            raise KeyboardInterrupt

    problem = MigrationProblem(load_scenario(files["tiny.toml"]))
    comparison = Comparison(problem, ["greedy", "heft"], [0], Budget())
    with pytest.raises(KeyboardInterrupt):
        compare_on(OneThenInterrupt(), problem, ["greedy", "heft"], {}, [0], Budget(), into=comparison)
    assert list(comparison.runs) == ["greedy"] and comparison.document()["solvers"]["greedy"]["mean"] > 0


def test_a_full_database_is_one_error_and_keeps_the_runs_so_far(files, tmp_path):
    from eosdnn.framework.errors import EosdnnError
    from eosdnn.framework.executors import SerialExecutor
    from eosdnn.sweep import load_grid, run_sweep

    grid_file = tmp_path / "grid.toml"
    grid_file.write_text(GRID.replace("seeds = 1", "seeds = 40").replace('"tiny.toml"', f'"{files["tiny.toml"]}"'))
    grid = load_grid(grid_file)
    db = ResultsDatabase(tmp_path / "full.sqlite")
    pages = db.connection.execute("PRAGMA page_count").fetchone()[0]
    db.connection.execute(f"PRAGMA max_page_count = {pages + 1}")  # the disk fills up after a few rows
    with pytest.raises(EosdnnError, match="cannot write the results database .*full"):
        run_sweep(grid, db, SerialExecutor())
    kept = len(db.rows())
    db.close()
    assert 0 < kept < len(grid.runs)
