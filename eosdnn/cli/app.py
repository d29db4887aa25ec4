"""Running one command: errors become one `error:` line with exit code 2, interrupts one line with
exit 130 or 143, never a traceback."""

from __future__ import annotations

import argparse
import os
import sys

import eosdnn.solvers  # noqa: F401  (importing registers the built-in solvers and planners)
from eosdnn.cli.parser import build_parser
from eosdnn.cli.shared import Interrupted
from eosdnn.framework.errors import EosdnnError, show_warnings_as_lines
from eosdnn.interrupts import StopRequests


def with_flag(message: str, args: argparse.Namespace) -> str:
    """A library error names the field (`horizon: ...`); where the command has a flag for that field,
    the user reads the flag (`--horizon: ...`)."""
    field, sep, rest = message.partition(": ")
    flag = field.replace("_", "-")
    if sep and field.isidentifier() and hasattr(args, field):
        return f"--{flag}: {rest}"
    return message


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that Python's last flush at exit has nothing to fail on."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # a captured or closed stdout
        pass


def main(argv: list[str] | None = None) -> int:
    """Run one command; bad input is one `error:` line with exit 2; Ctrl-C or SIGTERM one line with
    exit 130 or 143 (after saving what the command had, where it was asked to)."""
    stop = StopRequests()
    try:
        stop.install()  # before parsing: building the parser takes a few tens of milliseconds
    except ValueError:  # not the main thread: signals stay as they are
        pass
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # usage errors (one line, 2), --help and --version (0)
        stop.uninstall()
        return done.code if isinstance(done.code, int) else 2
    except KeyboardInterrupt:
        stop.uninstall()
        print(f"error: {stop.name}", file=sys.stderr)
        return stop.exit_code
    show_warnings_as_lines()
    args.stop = stop
    try:
        args.func(args)
        sys.stdout.flush()
        args.stop.check()
    except EosdnnError as error:
        print(f"error: {with_flag(str(error), args)}", file=sys.stderr)
        return 2
    except Interrupted as stop:
        print(f"error: {stop}", file=sys.stderr)
        return args.stop.exit_code
    except KeyboardInterrupt:
        print(f"error: {args.stop.name}", file=sys.stderr)
        return args.stop.exit_code
    except BrokenPipeError:  # `eosdnn ... | head`: the reader left; nothing more to say
        _silence_stdout()
        return 0
    except OSError as error:  # standard output on a full or failing device
        _silence_stdout()
        where = error.filename or "standard output"
        print(f"error: {where}: cannot be written ({error.strerror or error})", file=sys.stderr)
        return 2
    finally:
        args.stop.uninstall()
    return 0
