"""The `eosdnn` argument parser: one sub-command per module of this package, in the order users
read them in `eosdnn --help`."""

from __future__ import annotations

import argparse

from eosdnn import __version__
from eosdnn.cli import compare, evaluate, models, pareto, plot, reproduce, run, solve, solvers, sweep, upload, validate
from eosdnn.cli.flags import OneLineParser

COMMANDS = {"run": run, "solve": solve, "compare": compare, "validate": validate, "upload": upload,
            "pareto": pareto, "plot": plot, "reproduce": reproduce, "sweep": sweep, "solvers": solvers, "evaluate": evaluate,
            "models": models}


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="eosdnn", description="Plan DNN inference offloading in local-edge-cloud systems.")
    parser.add_argument("--version", action="version", version=f"eosdnn {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, command in COMMANDS.items():
        p = sub.add_parser(name, help=command.HELP)
        command.arguments(p)
        p.set_defaults(func=command.run)
    return parser
