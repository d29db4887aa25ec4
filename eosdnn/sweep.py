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
import math
import sqlite3
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

from eosdnn import __version__
from eosdnn.framework import Budget
from eosdnn.framework.errors import EosdnnError
from eosdnn.framework.executors import Executor
from eosdnn.framework.params import shown
from eosdnn.framework.statistics import Spread
from eosdnn.jobs import ScenarioData, SolverJob, solve_job
from eosdnn.solvers.registry import SOLVERS
from eosdnn.problems.bounds import mean_gap
from eosdnn.problems import files
from eosdnn.problems.files import check_input, finite_json, read_text
from eosdnn.problems.placement import placement_to_dict
from eosdnn.problems.models import resolve_model
from eosdnn.problems.scenario import MAX_TASKS, PAPER_MODELS

DB_FORMAT = "eosdnn-results-1"
COLUMNS = ("key", "sweep", "point", "scenario_hash", "solver", "params", "seed", "budget", "status", "value",
           "lower_bound", "gap", "evaluations", "wall_s", "error", "placement", "version")
MAX_RUNS = 1_000_000
MAX_DATABASE_BYTES = 2**40  # the input limit does not apply: a results database grows with its sweep


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def digest(data: Any) -> str:
    return hashlib.sha256(canonical(data).encode()).hexdigest()[:20]


def run_sweep_job(job: SolverJob) -> dict[str, Any]:
    """The row figures of one run (a top-level function, so that workers can run it)."""
    problem, result = solve_job(job)
    return {"value": result.value, "lower_bound": problem.lower_bound, "gap": problem.gap_to_bound(result.value),
            "evaluations": result.evaluations, "wall_s": result.wall_s,
            "placement": canonical(finite_json(placement_to_dict(problem, result.x)))}


@attrs.frozen
class Run:
    """One row to be: where it sits in the grid, the job that computes it and its budget as the grid
    gave it (the database's `budget` column)."""

    key: str
    point: dict
    scenario_hash: str
    job: SolverJob
    budget: dict


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


def _table(where: str, value: Any) -> dict:
    if not isinstance(value, dict):
        raise EosdnnError(f"{where}: must be a table, got {shown(value)}")
    return value


def _scalar_axis(where: str, value: Any) -> list:
    """A grid axis: a value or a list of values, each a TOML scalar or a flat list (no nested tables)."""
    values = _axis(where, value)
    for item in values:
        if isinstance(item, dict) or (isinstance(item, list) and any(isinstance(v, (dict, list)) for v in item)):
            raise EosdnnError(f"{where}: values must be numbers, strings, booleans or flat lists, got {shown(item)}")
    return values


def load_grid(path: str | Path) -> Grid:
    """Read a grid file and expand it into runs; every bad field is one error naming it. The runs are
    counted before any is built, so an oversized grid is refused at once."""
    path = Path(path)
    try:
        data = tomllib.loads(read_text(path, "grid file"))
    except tomllib.TOMLDecodeError as error:
        raise EosdnnError(f"{path.name}: invalid TOML ({error})") from None
    except RecursionError:
        raise EosdnnError(f"{path.name}: nested too deeply to read") from None
    unknown = set(data) - {"name", "seeds", "budget", "scenario", "solvers", "scenario_seed"}
    if unknown:
        raise EosdnnError(f"{path.name}: unknown field {sorted(unknown)[0]!r}")
    if "name" in data and not isinstance(data["name"], str):
        raise EosdnnError(f"name: must be a string, got {shown(data['name'])}")
    seeds = data.get("seeds", 3)
    if isinstance(seeds, int) and not isinstance(seeds, bool) and 1 <= seeds <= 10_000:
        seeds = list(range(seeds))
    elif not (isinstance(seeds, list) and seeds and all(isinstance(s, int) and not isinstance(s, bool)
                                                        and 0 <= s < 2**32 for s in seeds)):
        raise EosdnnError(f"seeds: a count 1..10,000 or a list of seeds, got {shown(seeds)}")
    budget = _table("budget", data.get("budget", {"evaluations": 5000}))
    try:
        Budget(**budget).describe()
    except (TypeError, EosdnnError) as error:
        raise EosdnnError(f"budget: iterations, evaluations or seconds, got {budget!r} ({error})") from None
    scenario_seed = data.get("scenario_seed", "run")
    if scenario_seed not in ("run", "file"):
        raise EosdnnError(f"scenario_seed: run or file, got {shown(scenario_seed)}")
    section = _table("scenario", data.get("scenario", {}))
    if set(section) - {"file", "vary", "models"}:
        raise EosdnnError(f"scenario.{sorted(set(section) - {'file', 'vary', 'models'})[0]}: unknown field "
                          "(expected file, vary, models)")
    base_dir = path.parent
    if "file" in section:
        if not isinstance(section["file"], str) or not section["file"].strip():
            raise EosdnnError(f"scenario.file: must be a path to a scenario file, got {shown(section['file'])}")
        scenario_path = (base_dir / section["file"]).resolve()
        try:
            base = tomllib.loads(read_text(scenario_path, "scenario.file"))
        except tomllib.TOMLDecodeError as error:
            raise EosdnnError(f"scenario.file {section['file']!r}: invalid TOML ({error})") from None
        base_dir = scenario_path.parent
    else:
        base = {"environment": {"preset": "paper"}}
    models = section.get("models", list(PAPER_MODELS))
    if not isinstance(models, list) or not models or not all(isinstance(m, str) and m for m in models):
        raise EosdnnError(f"scenario.models: a non-empty list of model names or files, got {shown(models)}")
    for model in models:  # each model is resolved once here, so its error names the grid key
        try:
            resolve_model(model, base_dir)
        except EosdnnError as error:
            raise EosdnnError(f"scenario.models: {error}") from None
    vary_table = _table("scenario.vary", section.get("vary", {}))
    vary = {key: _scalar_axis(f"scenario.vary.{key}", value) for key, value in vary_table.items()}
    for value in vary.get("tasks", []):
        if isinstance(value, int) and not isinstance(value, bool) and not 1 <= value <= MAX_TASKS:
            raise EosdnnError(f"scenario.vary.tasks: {value:,} tasks, outside 1..{MAX_TASKS:,}")
    solvers = data.get("solvers")
    if not isinstance(solvers, list) or not solvers:
        raise EosdnnError("solvers: give at least one [[solvers]] table with a name")
    grids = []
    for i, entry in enumerate(solvers):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise EosdnnError(f"solvers[{i}].name: missing")
        if set(entry) - {"name", "params"}:
            raise EosdnnError(f"solvers[{i}].{sorted(set(entry) - {'name', 'params'})[0]}: unknown field "
                              "(expected name, params)")
        SOLVERS.get(entry["name"])
        params = _table(f"solvers[{i}].params", entry.get("params", {}))
        grids.append((entry["name"], {key: _scalar_axis(f"solvers[{i}].params.{key}", value)
                                      for key, value in params.items()}))
    points = math.prod(len(values) for values in vary.values())
    count = points * len(seeds) * sum(math.prod(len(v) for v in grid.values()) for _name, grid in grids)
    if count > MAX_RUNS:
        raise EosdnnError(f"{path.name}: {count:,} runs, above the limit of {MAX_RUNS:,}")
    runs = []
    for values in itertools.product(*vary.values()):
        point = dict(zip(vary, values))
        scenario = json.loads(json.dumps(base))
        for key, value in point.items():
            if key == "tasks" and isinstance(value, int):
                scenario["tasks"] = [{"model": models[i % len(models)]} for i in range(value)]
            else:
                _set_dotted(scenario, key, value)
        for i, (name, grid) in enumerate(grids):
            for combo in itertools.product(*grid.values()):
                params = dict(zip(grid, combo))
                try:
                    SOLVERS.create(name, **params)  # a bad parameter is an error before any run
                except EosdnnError as error:
                    raise EosdnnError(f"solvers[{i}].params: {error}") from None
                for seed in seeds:
                    drawn = dict(scenario, seed=seed) if scenario_seed == "run" else scenario
                    scenario_hash = digest(drawn)
                    key = digest([point, scenario_hash, name, params, seed, budget])
                    job = SolverJob(ScenarioData(drawn, str(base_dir)), name, params, Budget(**budget), seed)
                    runs.append(Run(key, point, scenario_hash, job, budget))
    checked: set[str] = set()
    for run in runs:  # every grid point's scenario is built once here: a bad one fails now, not in a worker
        label = canonical(run.point)
        if label not in checked:
            checked.add(label)
            try:
                run.job.source.scenario()
            except EosdnnError as error:
                raise EosdnnError(f"scenario at {label}: {error}") from None
    return Grid(str(data.get("name", path.stem)), tuple(runs))


COLUMN_TYPES = {"seed": int, "evaluations": int, "value": float, "lower_bound": float, "gap": float, "wall_s": float}


def _database_error(path: Path, error: sqlite3.Error) -> EosdnnError:
    text = str(error)
    if "readonly" in text or "read-only" in text:
        return EosdnnError(f"{path}: the results database is read-only ({text}); copy it somewhere writable")
    if "full" in text:
        return EosdnnError(f"{path}: cannot write the results database ({text}); the runs done so far are kept")
    return EosdnnError(f"{path}: not an eosdnn results database ({text})")


class ResultsDatabase:
    """The SQLite file of a sweep's runs; refuses, on open, a file that is not one (other tables, a
    `runs` table missing columns, another format), and a file that is not a regular file. `create`
    False opens an existing database read-only (`sweep report`)."""

    def __init__(self, path: str | Path, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise EosdnnError(f"{self.path}: no such results database")
        if self.path.exists():
            check_input(self.path, "results database", MAX_DATABASE_BYTES)
        elif not self.path.parent.is_dir():
            raise EosdnnError(f"{self.path}: cannot create the results database (no folder {self.path.parent})")
        try:
            if create:
                self.connection = sqlite3.connect(str(self.path))
            else:
                self.connection = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
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
            elif "runs" not in tables:
                raise EosdnnError(f"{self.path}: not a complete eosdnn results database (no runs table)")
            else:
                present = {row[1] for row in self.connection.execute("PRAGMA table_info(runs)")}
                missing = [column for column in COLUMNS if column not in present]
                if missing:
                    raise EosdnnError(f"{self.path}: the runs table lacks the column {missing[0]!r}: not an "
                                      f"{DB_FORMAT} database")
            if create:  # a sweep writes: prove it can, before any run (a read-only file, folder or disk says no)
                self.connection.execute("UPDATE meta SET value=? WHERE key='format'", (DB_FORMAT,))
                self.connection.commit()
        except sqlite3.Error as error:
            raise _database_error(self.path, error) from None

    def _format(self) -> str | None:
        row = self.connection.execute("SELECT value FROM meta WHERE key='format'").fetchone()
        return row[0] if row else None

    def done(self) -> set[str]:
        try:
            return {row[0] for row in self.connection.execute("SELECT key FROM runs WHERE status='ok'")}
        except sqlite3.Error as error:
            raise _database_error(self.path, error) from None

    def write(self, sweep: str, run: Run, outcome: dict[str, Any] | None, error: str | None) -> None:
        row = {"key": run.key, "sweep": sweep, "point": canonical(run.point), "scenario_hash": run.scenario_hash,
               "solver": run.job.solver, "params": canonical(run.job.params), "seed": run.job.seed,
               "budget": canonical(run.budget), "status": "ok" if error is None else "failed", "error": error,
               "version": __version__, **(outcome or {})}
        values = [row.get(column) for column in COLUMNS]
        try:
            self.connection.execute(f"INSERT OR REPLACE INTO runs ({', '.join(COLUMNS)}) VALUES "
                                    f"({', '.join('?' * len(COLUMNS))})", values)
            self.connection.commit()  # one row at a time: a crash loses at most the runs in flight
        except sqlite3.Error as error:
            raise _database_error(self.path, error) from None

    def rows(self, warn: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
        """Every well-formed row; a malformed one (null, text or unreadable values where numbers or
        JSON belong) is skipped, with a warning naming its key."""
        try:
            cursor = self.connection.execute(f"SELECT {', '.join(COLUMNS)} FROM runs ORDER BY point, solver, params, seed")
            raw = [dict(zip(COLUMNS, row)) for row in cursor]
        except sqlite3.Error as error:
            raise _database_error(self.path, error) from None
        good = []
        for row in raw:
            problem = row_problem(row)
            if problem is None:
                good.append(row)
            elif warn is not None:
                warn(f"{self.path}: run {row.get('key')!r} skipped: {problem}")
        return good

    def close(self) -> None:
        self.connection.close()


def row_problem(row: dict[str, Any]) -> str | None:
    """What is wrong with a database row, or None: the report reads JSON from point, params and
    budget, and numbers from the figures of an `ok` row."""
    for column in ("point", "params", "budget"):
        try:
            value = json.loads(row[column]) if isinstance(row[column], str) else None
        except json.JSONDecodeError:
            value = None
        if not isinstance(value, dict):
            return f"{column} is not a JSON object ({row[column]!r})"
    if row["status"] not in ("ok", "failed"):
        return f"status {row['status']!r} is neither ok nor failed"
    if not isinstance(row["solver"], str):
        return f"solver is {row['solver']!r}"
    if row["status"] == "ok":
        for column, kind in COLUMN_TYPES.items():
            value = row[column]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                    kind is int and not isinstance(value, int)) or not math.isfinite(value):
                return f"{column} is {value!r}, not a {'whole ' if kind is int else ''}number"
    return None


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


def point_order(point: dict) -> tuple:
    """Grid points in numeric order where a value is a number (5 before 20), else by its text."""
    return tuple((0, float(v), "") if isinstance(v, (int, float)) and not isinstance(v, bool) else (1, 0.0, str(v))
                 for _key, v in sorted(point.items()))


def point_label(point: dict) -> str:
    """`edge.count=5, tasks=12`: the varied keys with their values (a dotted key without its first part)."""
    return ", ".join(f"{key.split('.', 1)[-1] if key.count('.') > 1 else key}={value}"
                     for key, value in point.items()) or "all"


def params_label(solver: str, params: dict) -> str:
    """`psoga (particles=20)`: a solver with the parameters of its grid entry."""
    return solver + (" (" + ", ".join(f"{k}={v}" for k, v in params.items()) + ")" if params else "")


def summarise_runs(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per grid point and solver (with its parameters): runs, mean, std, best, mean gap and the rank of
    the mean within the point."""
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for row in rows:
        if row["status"] == "ok":
            groups.setdefault((row["point"], row["solver"], row["params"]), []).append(row)
    out: list[dict[str, Any]] = []
    for (point, solver, params), members in groups.items():
        values = Spread.of(m["value"] for m in members)
        out.append({"point": point, "solver": solver, "params": params, "runs": len(members),
                    "mean": values.mean, "std": values.std, "best": values.min, "worst": values.max,
                    "gap": mean_gap([m["gap"] for m in members])})
    for point in {entry["point"] for entry in out}:
        ranked = sorted((e for e in out if e["point"] == point), key=lambda e: e["mean"])
        for rank, entry in enumerate(ranked, start=1):
            entry["rank"] = rank
    failed = [row for row in rows if row["status"] != "ok"]
    return sorted(out, key=lambda e: (point_order(json.loads(e["point"])), e["point"], e["rank"])) + [
        {"point": row["point"], "solver": row["solver"], "params": row["params"], "runs": 0, "error": row["error"]}
        for row in failed]


def csv_text(rows: list[dict[str, Any]]) -> str:
    """The tidy table of `iter_csv` as CSV text."""
    return files.csv_text(iter_csv(rows))


def _cell(value: Any) -> Any:
    """A grid value as one CSV cell: numbers and text as they are, lists and tables as JSON."""
    return json.dumps(value, sort_keys=True) if isinstance(value, (list, dict)) else value


def iter_csv(rows: list[dict[str, Any]]) -> Iterator[list[Any]]:
    """A tidy table: one line per run, a column per varied key of the grid point and per solver
    parameter (`param.NAME`), no placements."""
    keys = sorted({key for row in rows for key in json.loads(row["point"])})
    params = sorted({key for row in rows for key in json.loads(row["params"] or "{}")})
    columns = [c for c in COLUMNS if c not in ("placement", "point", "params")]
    yield keys + [f"param.{key}" for key in params] + columns
    for row in rows:
        point, values = json.loads(row["point"]), json.loads(row["params"] or "{}")
        yield ([_cell(point.get(key)) for key in keys] + [_cell(values.get(key)) for key in params]
               + [row[c] for c in columns])
