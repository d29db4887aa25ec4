"""`eosdnn sweep`: grids of scenarios x solvers x parameters x seeds, one row per run in an SQLite
results database. Every run has a unique key (its grid point, scenario, solver, parameters, seed
and budget), so a rerun of the same grid skips what is done: a sweep stopped by Ctrl-C or a crash
resumes where it was, with nothing lost and nothing run twice. Workers compute; only this process
writes the database.

Grid file (TOML)::

    name = "study"                    # optional; default: the file name
    seeds = 5                         # 0..4, or a list [0, 3, 7]
    budget = { evaluations = 5000 }   # or iterations / seconds
    scenario_seed = "run"             # "run": each seed also draws the scenario; "file": the file's own

    [scenario]
    file = "base.toml"                # optional; default: the paper's environment and workload
    [scenario.vary]                   # dotted keys of the scenario file, each a list of values
    tasks = [4, 8, 12]                # a whole number: that many tasks, the models round-robin
    "environment.edge.count" = [2, 5]

    [[solvers]]
    name = "psoga"
    params = { particles = [50, 100], iterations = 600 }   # lists are grid axes
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from eosdnn import __version__
from eosdnn.framework import SOLVERS, Budget
from eosdnn.framework.errors import EosdnnError
from eosdnn.framework.executors import Executor
from eosdnn.framework.solver import run_solver
from eosdnn.problems.files import finite_json, read_text
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.placement import placement_to_dict
from eosdnn.problems.scenario import PAPER_MODELS, scenario_from_dict

DB_FORMAT = "eosdnn-results-1"
COLUMNS = ("key", "sweep", "point", "scenario_hash", "solver", "params", "seed", "budget", "status", "value",
           "lower_bound", "gap", "evaluations", "wall_s", "error", "placement", "version")
MAX_RUNS = 1_000_000


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def digest(data: Any) -> str:
    return hashlib.sha256(canonical(data).encode()).hexdigest()[:20]


@attrs.frozen
class SweepJob:
    """One run as a worker receives it: the scenario as its file's dictionary, the solver and its
    parameters, the seed and the budget."""

    scenario: dict
    base_dir: str | None
    solver: str
    params: dict
    seed: int
    budget: dict


def run_sweep_job(job: SweepJob) -> dict[str, Any]:
    """The row figures of one run (a top-level function, so that workers can run it)."""
    scenario = scenario_from_dict(job.scenario, base_dir=Path(job.base_dir) if job.base_dir else None)
    problem = MigrationProblem(scenario)
    result = run_solver(SOLVERS.create(job.solver, **job.params), problem, budget=Budget(**job.budget), seed=job.seed)
    return {"value": result.value, "lower_bound": problem.lower_bound, "gap": problem.gap_to_bound(result.value),
            "evaluations": result.evaluations, "wall_s": result.wall_s,
            "placement": canonical(finite_json(placement_to_dict(problem, result.x)))}


@attrs.frozen
class Run:
    """One row to be: where it sits in the grid and the job that computes it."""

    key: str
    point: dict
    scenario_hash: str
    job: SweepJob


def _set_dotted(data: dict, key: str, value: Any) -> None:
    parts = key.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise EosdnnError(f"scenario.vary.{key}: {part} is not a table of the scenario")
    node[parts[-1]] = value


def _axis(where: str, value: Any) -> list:
    values = value if isinstance(value, list) else [value]
    if not values:
        raise EosdnnError(f"{where}: an empty list of values")
    return values


@attrs.frozen
class Grid:
    name: str
    runs: tuple[Run, ...]


def load_grid(path: str | Path) -> Grid:
    """Read a grid file and expand it into runs; every bad field is one error naming it."""
    path = Path(path)
    try:
        data = tomllib.loads(read_text(path, "grid file"))
    except tomllib.TOMLDecodeError as error:
        raise EosdnnError(f"{path.name}: invalid TOML ({error})") from None
    unknown = set(data) - {"name", "seeds", "budget", "scenario", "solvers", "scenario_seed"}
    if unknown:
        raise EosdnnError(f"{path.name}: unknown field {sorted(unknown)[0]!r}")
    seeds = data.get("seeds", 3)
    if isinstance(seeds, int) and not isinstance(seeds, bool) and 1 <= seeds <= 10_000:
        seeds = list(range(seeds))
    elif not (isinstance(seeds, list) and seeds and all(isinstance(s, int) and 0 <= s < 2**32 for s in seeds)):
        raise EosdnnError(f"seeds: a count 1..10,000 or a list of seeds, got {seeds!r}")
    budget = data.get("budget", {"evaluations": 5000})
    try:
        Budget(**budget).describe()
    except (TypeError, EosdnnError) as error:
        raise EosdnnError(f"budget: iterations, evaluations or seconds, got {budget!r} ({error})") from None
    scenario_seed = data.get("scenario_seed", "run")
    if scenario_seed not in ("run", "file"):
        raise EosdnnError(f"scenario_seed: run or file, got {scenario_seed!r}")
    section = data.get("scenario", {})
    if not isinstance(section, dict) or set(section) - {"file", "vary", "models"}:
        raise EosdnnError("scenario: a table with file, vary and models")
    base_dir = path.parent
    if "file" in section:
        scenario_path = (base_dir / section["file"]).resolve()
        try:
            base = tomllib.loads(read_text(scenario_path, "scenario file"))
        except tomllib.TOMLDecodeError as error:
            raise EosdnnError(f"scenario.file {section['file']!r}: invalid TOML ({error})") from None
        base_dir = scenario_path.parent
    else:
        base = {"environment": {"preset": "paper"}}
    models = section.get("models", list(PAPER_MODELS))
    vary = {key: _axis(f"scenario.vary.{key}", value) for key, value in section.get("vary", {}).items()}
    solvers = data.get("solvers")
    if not isinstance(solvers, list) or not solvers:
        raise EosdnnError("solvers: give at least one [[solvers]] table with a name")
    runs = []
    for values in itertools.product(*vary.values()):
        point = dict(zip(vary, values))
        scenario = json.loads(json.dumps(base))
        for key, value in point.items():
            if key == "tasks" and isinstance(value, int):
                scenario["tasks"] = [{"model": models[i % len(models)]} for i in range(value)]
            else:
                _set_dotted(scenario, key, value)
        for i, entry in enumerate(solvers):
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise EosdnnError(f"solvers[{i}].name: missing")
            name = entry["name"]
            SOLVERS.get(name)
            grid = {key: _axis(f"solvers[{i}].params.{key}", value) for key, value in entry.get("params", {}).items()}
            for combo in itertools.product(*grid.values()):
                params = dict(zip(grid, combo))
                SOLVERS.create(name, **params)  # a bad parameter is an error before any run
                for seed in seeds:
                    drawn = dict(scenario, seed=seed) if scenario_seed == "run" else scenario
                    scenario_hash = digest(drawn)
                    key = digest([point, scenario_hash, name, params, seed, budget])
                    runs.append(Run(key, point, scenario_hash, SweepJob(drawn, str(base_dir), name, params, seed, budget)))
    if len(runs) > MAX_RUNS:
        raise EosdnnError(f"{path.name}: {len(runs):,} runs, above the limit of {MAX_RUNS:,}")
    checked: set[str] = set()
    for run in runs:  # every grid point's scenario is built once here: a bad one fails now, not in a worker
        label = canonical(run.point)
        if label not in checked:
            checked.add(label)
            try:
                scenario_from_dict(run.job.scenario, base_dir=base_dir)
            except EosdnnError as error:
                raise EosdnnError(f"scenario at {label}: {error}") from None
    return Grid(str(data.get("name", path.stem)), tuple(runs))


class ResultsDatabase:
    """The SQLite file of a sweep's runs; refuses a file that is not one."""

    def __init__(self, path: str | Path, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise EosdnnError(f"{self.path}: no such results database")
        if self.path.exists() and self.path.is_dir():
            raise EosdnnError(f"{self.path}: is a directory, not a results database")
        if not self.path.parent.is_dir():
            raise EosdnnError(f"{self.path}: cannot create the results database (no folder {self.path.parent})")
        try:
            self.connection = sqlite3.connect(str(self.path))
            tables = {row[0] for row in self.connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not tables and create:
                self.connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
                self.connection.execute("INSERT INTO meta VALUES ('format', ?)", (DB_FORMAT,))
                self.connection.execute(
                    "CREATE TABLE runs (key TEXT PRIMARY KEY, sweep TEXT, point TEXT, scenario_hash TEXT, solver TEXT, "
                    "params TEXT, seed INTEGER, budget TEXT, status TEXT, value REAL, lower_bound REAL, gap REAL, "
                    "evaluations INTEGER, wall_s REAL, error TEXT, placement TEXT, version TEXT)")
                self.connection.commit()
            elif "meta" not in tables or self._format() != DB_FORMAT:
                raise EosdnnError(f"{self.path}: not an eosdnn results database (a SQLite file of other tables)")
        except sqlite3.DatabaseError as error:
            raise EosdnnError(f"{self.path}: not an eosdnn results database ({error})") from None

    def _format(self) -> str | None:
        row = self.connection.execute("SELECT value FROM meta WHERE key='format'").fetchone()
        return row[0] if row else None

    def done(self) -> set[str]:
        return {row[0] for row in self.connection.execute("SELECT key FROM runs WHERE status='ok'")}

    def write(self, sweep: str, run: Run, outcome: dict[str, Any] | None, error: str | None) -> None:
        row = {"key": run.key, "sweep": sweep, "point": canonical(run.point), "scenario_hash": run.scenario_hash,
               "solver": run.job.solver, "params": canonical(run.job.params), "seed": run.job.seed,
               "budget": canonical(run.job.budget), "status": "ok" if error is None else "failed", "error": error,
               "version": __version__, **(outcome or {})}
        values = [row.get(column) for column in COLUMNS]
        self.connection.execute(f"INSERT OR REPLACE INTO runs ({', '.join(COLUMNS)}) VALUES "
                                f"({', '.join('?' * len(COLUMNS))})", values)
        self.connection.commit()  # one row at a time: a crash loses at most the runs in flight

    def rows(self) -> list[dict[str, Any]]:
        cursor = self.connection.execute(f"SELECT {', '.join(COLUMNS)} FROM runs ORDER BY point, solver, params, seed")
        return [dict(zip(COLUMNS, row)) for row in cursor]

    def close(self) -> None:
        self.connection.close()


@attrs.frozen
class SweepProgress:
    done_before: int
    ran: int
    failed: int
    seconds: float


def run_sweep(grid: Grid, database: ResultsDatabase, executor: Executor,
              on_run: Callable[[str, bool], None] = lambda description, failed: None) -> SweepProgress:
    """Every run of the grid not yet in the database, on the executor; rows are written as runs finish."""
    started = time.perf_counter()
    done = database.done()
    todo = [run for run in grid.runs if run.key not in done]
    failed = 0
    for outcome in executor.run(run_sweep_job, [run.job for run in todo]):
        run = todo[outcome.index]
        error = str(outcome.value) if outcome.failed else None
        failed += outcome.failed
        database.write(grid.name, run, None if outcome.failed else outcome.value, error)
        on_run(f"{run.job.solver} seed {run.job.seed}", outcome.failed)
    return SweepProgress(len(grid.runs) - len(todo), len(todo), failed, time.perf_counter() - started)


def summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per grid point and solver (with its parameters): runs, mean, std, best, mean gap and the rank of
    the mean within the point."""
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for row in rows:
        if row["status"] == "ok":
            groups.setdefault((row["point"], row["solver"], row["params"]), []).append(row)
    out: list[dict[str, Any]] = []
    for (point, solver, params), members in groups.items():
        values = np.array([m["value"] for m in members])
        out.append({"point": point, "solver": solver, "params": params, "runs": len(members),
                    "mean": float(values.mean()), "std": float(values.std()), "best": float(values.min()),
                    "worst": float(values.max()),
                    "gap": float(np.mean([m["gap"] for m in members]))})
    for point in {entry["point"] for entry in out}:
        ranked = sorted((e for e in out if e["point"] == point), key=lambda e: e["mean"])
        for rank, entry in enumerate(ranked, start=1):
            entry["rank"] = rank
    failed = [row for row in rows if row["status"] != "ok"]
    return sorted(out, key=lambda e: (e["point"], e["rank"])) + [
        {"point": row["point"], "solver": row["solver"], "params": row["params"], "runs": 0, "error": row["error"]}
        for row in failed]


def iter_csv(rows: list[dict[str, Any]]) -> Iterator[list[Any]]:
    """A tidy table: one line per run, the grid point's keys as columns, no placements."""
    keys = sorted({key for row in rows for key in json.loads(row["point"])})
    columns = [c for c in COLUMNS if c not in ("placement", "point")]
    yield keys + columns
    for row in rows:
        point = json.loads(row["point"])
        yield [point.get(key) for key in keys] + [row[c] for c in columns]
