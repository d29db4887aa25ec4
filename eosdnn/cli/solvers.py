"""`eosdnn solvers`: every registry (solvers, operators, planners, objectives) with its entries'
descriptions and parameters."""

from __future__ import annotations

import argparse

from eosdnn import report
from eosdnn.cli.shared import console
from eosdnn.operators.registry import OPERATORS
from eosdnn.problems.objectives import OBJECTIVES
from eosdnn.solvers.registry import SOLVERS
from eosdnn.solvers.upload import PLANNERS

HELP = "list the registered solvers with their parameters, operators and planners"


def arguments(p: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> None:
    out = console(args)
    for title, registry in (("Migration solvers", SOLVERS), ("Operators (kind:name)", OPERATORS),
                            ("Uploading planners", PLANNERS), ("Objectives", OBJECTIVES)):
        out.print(report.registry_table(title, registry))
