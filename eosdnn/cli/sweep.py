"""`eosdnn sweep`: grids of scenarios x solvers x seeds into a resumable SQLite database, and
`sweep report DB` to summarise one (`eosdnn.sweep`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eosdnn import plots, report
from eosdnn.cli import flags
from eosdnn.cli.shared import Interrupted, check_outputs, console
from eosdnn.framework.errors import EosdnnError
from eosdnn.framework.executors import make_executor
from eosdnn.problems.files import same_file, write_text
from eosdnn.progress import progress_steps

HELP = ("grids of scenarios x solvers x seeds into an SQLite results database (resumable); `sweep report DB` "
        "summarises one")


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("target", metavar="GRID|report", help="a grid file (TOML), or `report`")
    p.add_argument("database", nargs="?", metavar="DB",
                   help="the results database (default: the grid file's name with .sqlite)")
    flags.workers(p)
    p.add_argument("--dask", metavar="ADDRESS", help="run on a Dask cluster: tcp://HOST:PORT, or `local` for a "
                                                     "LocalCluster here (needs eosdnn[dask])")
    p.add_argument("--csv", metavar="PATH", help="report: write every run as a tidy CSV table")
    p.add_argument("--plot", metavar="PATH", help="report: plot the mean per grid point and solver")


def summarise(args: argparse.Namespace) -> None:
    """`sweep report DB`: the table of means per grid point and solver, a CSV and a plot."""
    from eosdnn.sweep import ResultsDatabase, csv_text, summarise_runs

    if not args.database:
        raise EosdnnError("sweep report: give the results database, e.g. `eosdnn sweep report study.sqlite`")
    check_outputs(args)
    database = ResultsDatabase(args.database, create=False)
    try:
        rows = database.rows(warn=lambda text: print(f"warning: {text}", file=sys.stderr))
    finally:
        database.close()
    entries = summarise_runs(rows)
    console(args).print(report.sweep_table(f"{args.database}: {report.plural(len(rows), 'run')}", entries))
    if args.csv:
        write_text(args.csv, csv_text(rows))
    if args.plot:
        plots.sweep_summary(args.plot, entries)


def run(args: argparse.Namespace) -> None:
    from eosdnn.sweep import ResultsDatabase, load_grid, run_sweep

    if args.target == "report":
        summarise(args)
        return
    for key in ("csv", "plot"):
        if getattr(args, key):
            raise EosdnnError(f"--{key}: only `sweep report DB` writes a table or a plot")
    if args.database is None:
        args.database = str(Path(args.target).with_suffix(".sqlite"))
    if same_file(args.database, args.target):
        raise EosdnnError(f"DB {args.database!r}: is the grid file itself; give a database path ending in .sqlite")
    grid = load_grid(args.target)
    executor = make_executor(args.workers, args.dask)
    database = ResultsDatabase(args.database)
    out = console(args)
    done = database.done()
    todo = sum(run.key not in done for run in grid.runs)
    out.print(f"Sweep {grid.name}: {report.plural(len(grid.runs), 'run')}, {len(grid.runs) - todo} already in "
              f"{database.path}; {todo} to run on {args.dask or report.plural(executor.workers, 'worker')}",
              highlight=False)
    try:
        with progress_steps("sweep", todo, parallel=executor.workers or 1) as step:
            def on_run(description: str, failed: bool) -> None:
                step(description, failed)
                args.stop.check()

            progress = run_sweep(grid, database, executor, on_run)
    except KeyboardInterrupt:
        raise Interrupted(f"{args.stop.name}; the runs finished so far are in {database.path} (a rerun resumes)") from None
    finally:
        database.close()
    out.print(f"{report.plural(progress.ran, 'run')} in {progress.seconds:.1f} s, {progress.failed} failed; "
              f"`eosdnn sweep report {database.path}` summarises them", highlight=False)
