"""The `eosdnn` command line: `parser` builds the argument parser from one module per command
(parse the flags, call the library once, render its typed report), `flags` holds the flag types
and shared flag groups, `shared` what several commands do alike, `app` runs one command.

Bad input ends in one `error:` line and exit code 2, never a traceback."""

from eosdnn.cli.app import main
from eosdnn.cli.parser import build_parser

__all__ = ["build_parser", "main"]
