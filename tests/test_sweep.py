"""`eosdnn sweep`: a grid runs into an SQLite database with one row per run; local workers and Dask give
the same rows; a sweep stopped halfway and restarted runs every run exactly once; a corrupt or
foreign database file is one error line."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time

import pytest

from eosdnn.cli import main
from eosdnn.sweep import ResultsDatabase, load_grid

GRID = """name = "t"
seeds = 2
budget = { evaluations = 200 }

[scenario.vary]
tasks = [1, 2]

[[solvers]]
name = "psoga"
params = { particles = [10, 20] }

[[solvers]]
name = "greedy"
"""


def rows(path) -> list[tuple]:
    """Every row without its wall time (the one figure that depends on where a run executes)."""
    database = ResultsDatabase(path, create=False)
    out = sorted(tuple(v for k, v in row.items() if k != "wall_s") for row in database.rows())
    database.close()
    return out


@pytest.fixture()
def grid(tmp_path):
    path = tmp_path / "grid.toml"
    path.write_text(GRID)
    return path


def test_a_grid_expands_into_one_run_per_point_solver_parameters_and_seed(grid):
    runs = load_grid(grid).runs
    assert len(runs) == 2 * (2 + 1) * 2 and len({run.key for run in runs}) == len(runs)
    assert {len(run.job.source.data["tasks"]) for run in runs} == {1, 2}


def test_two_workers_and_dask_local_write_the_same_rows(grid, tmp_path):
    pytest.importorskip("distributed")
    assert main(["sweep", str(grid), str(tmp_path / "local.sqlite"), "--workers", "2"]) == 0
    assert main(["sweep", str(grid), str(tmp_path / "dask.sqlite"), "--dask", "local", "--workers", "2"]) == 0
    local = rows(tmp_path / "local.sqlite")
    assert len(local) == 12 and all("ok" in row for row in local)  # every status ok
    assert local == rows(tmp_path / "dask.sqlite")


def test_a_sweep_killed_halfway_and_restarted_runs_every_run_once(grid, tmp_path):
    heavier = grid.read_text().replace("evaluations = 200", "evaluations = 3000")
    grid.write_text(heavier)
    database = tmp_path / "kill.sqlite"
    process = subprocess.Popen([sys.executable, "-m", "eosdnn", "sweep", str(grid), str(database), "--workers", "1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:  # wait until some, not all, runs are in
        time.sleep(0.2)
        if database.exists():
            try:
                count = sqlite3.connect(database).execute("SELECT COUNT(*) FROM runs").fetchone()[0]
            except sqlite3.Error:
                continue
            if count >= 3:
                break
    process.kill()
    process.wait()
    before = len(rows(database))
    assert 3 <= before < 12
    assert main(["sweep", str(grid), str(database), "--workers", "1"]) == 0
    after = rows(database)
    assert len(after) == 12 and len({row[0] for row in after}) == 12  # every run exactly once


def test_report_summarises_ranks_and_exports_a_tidy_csv(grid, tmp_path, capsys):
    database = tmp_path / "r.sqlite"
    assert main(["sweep", str(grid), str(database), "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["sweep", "report", str(database), "--csv", str(tmp_path / "runs.csv"),
                 "--plot", str(tmp_path / "sweep.png")]) == 0
    out = capsys.readouterr().out
    assert "greedy" in out and "particles=10" in out and "rank" in out
    lines = (tmp_path / "runs.csv").read_text().splitlines()
    assert lines[0].startswith("tasks,param.particles,key,") and len(lines) == 13  # a column per parameter
    assert (tmp_path / "sweep.png").stat().st_size > 1000
    assert main(["sweep", str(grid), str(database), "--workers", "1"]) == 0  # nothing left to run
    assert "0 runs in" in capsys.readouterr().out


def test_a_failed_run_is_a_row_with_its_error(tmp_path):
    grid = tmp_path / "g.toml"
    grid.write_text('seeds = 1\nbudget = { iterations = 1 }\n[scenario.vary]\n"environment.edge.count" = [0, 1]\n'
                    '[[solvers]]\nname = "all-edge"\n')
    assert main(["sweep", str(grid), str(tmp_path / "f.sqlite"), "--workers", "1"]) == 0
    database = ResultsDatabase(tmp_path / "f.sqlite", create=False)
    found = {json.loads(row["point"])["environment.edge.count"]: row for row in database.rows()}
    assert found[1]["status"] == "ok" and found[0]["status"] == "failed" and "no edge server" in found[0]["error"]


def test_a_corrupt_or_foreign_database_is_one_error_line(grid, tmp_path, capsys):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database at all" * 100)
    assert main(["sweep", str(grid), str(junk)]) == 2
    foreign = tmp_path / "foreign.sqlite"
    sqlite3.connect(foreign).execute("CREATE TABLE people (name TEXT)").connection.commit()
    assert main(["sweep", "report", str(foreign)]) == 2
    assert main(["sweep", "report", str(tmp_path / "missing.sqlite")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and all(line.startswith("error: ") for line in err)
    assert "not an eosdnn results database" in err[0] and "not an eosdnn results database" in err[1]
    assert junk.read_bytes().startswith(b"this is not")  # the user's file is left as it was


def test_bad_grids_are_one_error_line(tmp_path, capsys):
    cases = {"seeds = 0\n[[solvers]]\nname = 'greedy'\n": "seeds:",
             "[[solvers]]\nname = 'nope'\n": "solver 'nope'",
             "[[solvers]]\nname = 'psoga'\nparams = { particles = [0] }\n": "psoga.particles",
             "colour = 1\n": "unknown field 'colour'"}
    for text, expected in cases.items():
        path = tmp_path / "bad.toml"
        path.write_text(text)
        assert main(["sweep", str(path), str(tmp_path / "bad.sqlite")]) == 2
        assert expected in capsys.readouterr().err
