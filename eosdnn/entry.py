"""The `eosdnn` console script: checks the environment, then imports the command line inside the
Ctrl-C guard, so that an interrupt during start-up (imports, loading numba's compiled code) is one
line and exit 130."""

from __future__ import annotations

import sys


def main() -> int:
    try:
        from eosdnn.startup import environment_error

        problem = environment_error()
        if problem is not None:
            print(f"error: {problem}", file=sys.stderr)
            return 2
        from eosdnn.cli import main as run
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return run()
