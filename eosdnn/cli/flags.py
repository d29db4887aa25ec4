"""The command line's flag types and the flag groups several commands share.

Number flags are built from the parameter validators of `framework.params`, so that a flag, a
solver's `--param` and a solver's own field share one rule and one message."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, NoReturn

from eosdnn.framework.executors import cpu_count
from eosdnn.framework.params import ParameterError, number, whole

SEED_MAX = 2**32 - 1
SEED_HELP = ("seed of this run: the solvers' randomness and, without --scenario, the paper scenario's drawn clock "
             "rates (a scenario file's own `seed` seeds only that file's draws); default 0")
EXACT_FLAGS = {"backend": "--backend", "time_limit": "--time-limit", "gap": "--gap", "warm_start": "--warm-start"}
OUTPUT_FLAGS = {"json": "--json", "csv": "--csv", "placement_out": "--placement-out",
                "save_placement": "--save-placement", "plot": "--plot", "gantt": "--gantt"}
STDOUT_FLAGS = ("json", "csv")  # the outputs that take `-` for standard output
PLOT_KEYS = ("plot", "gantt")
MAX_DIMENSION = 2**31 - 1


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one `error:` line and exit code 2 (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"error: {message}\n")
        sys.exit(2)


FLAG_VALUE = SimpleNamespace(name="value")  # what a validator names: the flag's value


def flag_type(validator, parse: Callable[[str], Any], kind: str):
    """An argparse type from a parameter validator (framework.params)."""
    def convert(text: str) -> Any:
        try:
            value = parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {kind}, got {text!r}") from None
        try:
            validator(None, FLAG_VALUE, value)
        except ParameterError as error:
            raise argparse.ArgumentTypeError(error.message) from None
        return value
    return convert


def whole_number(minimum: int, maximum: int | None = None):
    """An argparse type: a whole number in [minimum, maximum]."""
    return flag_type(whole(minimum, maximum), int, "a whole number")


positive_number = flag_type(number(0, None, open_low=True), float, "a number")  # positive and finite
fraction = flag_type(number(0, 1), float, "a number")  # in [0, 1]
seed_number = whole_number(0, SEED_MAX)


def shape_type(text: str) -> tuple[int, ...]:
    """A tensor shape: whole numbers in 1..2^31-1 separated by commas (or x)."""
    try:
        dims = tuple(int(part) for part in text.replace("x", ",").split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 1,3,224,224, got {text!r}") from None
    if not dims or min(dims) < 1 or max(dims) > MAX_DIMENSION:
        raise argparse.ArgumentTypeError(f"sizes must be whole numbers in 1..{MAX_DIMENSION:,}, got {text!r}")
    return dims


def common(p: argparse.ArgumentParser, scenario: bool = True) -> None:
    if scenario:
        p.add_argument("--scenario", help="scenario TOML file (default: the paper's scenario)")
        p.add_argument("--objective", metavar="NAME",
                       help="what plans are scored by, instead of the scenario's: total (default), makespan, "
                            "energy (J), cost (USD), or a plug-in's (eosdnn solvers lists them)")
        p.add_argument("--constraint", action="append", metavar="LIMIT",
                       help="a limit every plan must keep, e.g. energy<=2.5 or makespan<=1.2 (repeatable; added "
                            "to the scenario's constraints); plans that break one lose to every plan that keeps all")
    p.add_argument("--seed", type=seed_number, default=None, help=SEED_HELP)
    p.add_argument("--json", metavar="PATH", help="write the machine-readable result here")


def params(p: argparse.ArgumentParser, example: str) -> None:
    p.add_argument("--param", action="append", metavar="KEY=VALUE",
                   help=f"a parameter: key=value for the one solver/planner named, name.key=value to address "
                        f"one of several (repeatable), e.g. {example}")


def workers(p: argparse.ArgumentParser, default_note: str = "") -> None:
    p.add_argument("--workers", type=whole_number(1, 1_024), default=None,
                   help=f"local worker processes for the runs (default: one per core, {cpu_count()} here"
                        f"{default_note}; 1 runs in this process); the results are the same bits for any count")


def budget(p: argparse.ArgumentParser) -> None:
    p.add_argument("--iterations", type=whole_number(1), help="budget: iterations (generations)")
    p.add_argument("--evaluations", type=whole_number(1), help="budget: objective evaluations")
    p.add_argument("--seconds", type=positive_number, help="budget: wall-clock seconds")


def plan_output(p: argparse.ArgumentParser) -> None:
    p.add_argument("--plan-detail", action="store_true", help="print every layer's node and timing")
    p.add_argument("--quiet", action="store_true", help="print the summary only")


def plan_files(p: argparse.ArgumentParser, which: str = "the plan") -> None:
    """`--csv` (one row per layer) and `--gantt` (a picture of the schedule) of a command's plan."""
    p.add_argument("--csv", metavar="PATH", help=f"write {which} as CSV, one row per layer: task, layer, node, pool, "
                                                 "ready, start, finish, exec, transfer, wait (- for stdout)")
    p.add_argument("--gantt", metavar="PNG", help=f"draw {which}'s schedule: one lane per node and pool")


def exact(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=["highs", "cbc"], help="milp: HiGHS through highspy (default) or CBC")
    p.add_argument("--time-limit", type=positive_number, help="milp: seconds before the search stops (default 60)")
    p.add_argument("--gap", type=fraction, help="milp: relative gap at which the search may stop (default 1e-4)")
    p.add_argument("--warm-start", help="milp: greedy (default), none, or a placement JSON file")
