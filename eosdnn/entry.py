"""The `eosdnn` console script: imports the command line inside the Ctrl-C guard, so that an
interrupt during start-up (imports, loading numba's compiled code) is one line and exit 130."""

from __future__ import annotations

import sys


def main() -> int:
    try:
        from eosdnn.cli import main as run
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return run()
