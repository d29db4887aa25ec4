"""`eosdnn reproduce`: the paper's Figs. 12-18 (`eosdnn.experiments`)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from eosdnn.cli import flags
from eosdnn.cli.shared import built_params, check_outputs, console, progress_shown, run_seed
from eosdnn.framework.errors import EosdnnError
from eosdnn.framework.executors import make_executor
from eosdnn.problems.files import STDOUT, check_folder, same_file, write_json
from eosdnn.solvers.registry import SOLVERS
from eosdnn.solvers.upload import PLANNERS

HELP = "the paper's Figs. 12-18: PNG, JSON and a table each"


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("figure", metavar="FIG", help="fig12 ... fig18, or all")
    p.add_argument("--out", default="reproduction", help="folder for the PNG and JSON files (default ./reproduction)")
    p.add_argument("--seeds", type=flags.whole_number(1, 1_000), default=None,
                   help="seeds per setting (default 5; 2 with --quick)")
    p.add_argument("--seed", type=flags.seed_number, default=None, help="first seed (default 0)")
    p.add_argument("--quick", action="store_true", help="tiny budgets and sweeps (all figures in seconds, for tests)")
    p.add_argument("--json", metavar="PATH", help="also write every figure's numbers into one file")
    flags.workers(p, ", and 1 with --quick")
    flags.params(p, "psoga.w_max=0.9, lmu.rest=requeue")


def run(args: argparse.Namespace) -> None:
    from eosdnn.experiments import Settings, figure_files, figure_names, reproduce, reproduction_document
    from eosdnn.experiments.settings import ALGORITHMS
    from eosdnn.experiments.upload_figures import PAPER_PLANNERS

    check_outputs(args)
    names = figure_names(args.figure)
    check_folder(args.out, "--out", figure_files(names))
    if args.json and args.json != STDOUT and any(same_file(args.json, Path(args.out) / name)
                                                 for name in figure_files(names)):
        raise EosdnnError(f"--json {args.json!r}: the same file as a figure's JSON in --out")
    raw = built_params(args.param, dict.fromkeys(ALGORITHMS, SOLVERS) | dict.fromkeys(PAPER_PLANNERS, PLANNERS),
                       "solver or planner")
    seeds = args.seeds if args.seeds is not None else (2 if args.quick else 5)
    settings = Settings(seeds=seeds, first_seed=run_seed(args), quick=args.quick,
                        params={name: values for name, values in raw.items() if values})
    out = console(args)
    out.print(f"Reproducing {', '.join(names)}: {settings.describe()}; files in {args.out}")
    started = time.perf_counter()
    executor = make_executor(args.workers if args.workers is not None or not args.quick else 1)
    figures = reproduce(names, settings, args.out, executor=executor, on_figure=lambda figure: out.print(figure.table),
                        on_run=args.stop.check, progress=progress_shown(args))
    out.print(f"{len(figures)} figure(s) in {time.perf_counter() - started:.1f} s on {executor.workers} worker(s): "
              f"PNG and JSON in {args.out}")
    if args.json:
        write_json(args.json, reproduction_document(settings, figures))
