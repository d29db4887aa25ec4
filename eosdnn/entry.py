"""The `eosdnn` console script: checks the environment, then imports the command line inside the
Ctrl-C guard, so that an interrupt during start-up (imports, loading numba's compiled code) is one
line and exit 130."""

from __future__ import annotations

import os
import signal
import sys

MESSAGES = {signal.SIGINT: ("error: interrupted", 130), signal.SIGTERM: ("error: terminated (SIGTERM)", 143)}


def main() -> int:
    """Start-up under a guard that remembers a signal as well as raising it: Python ignores an
    exception raised inside some of importlib's callbacks, which would lose a Ctrl-C pressed during
    the imports and leave the command running; and it would print that ignored exception with its
    traceback (through `sys.unraisablehook`), so the hook stays quiet about the interrupts it has
    remembered."""
    received: list[int] = []

    def remember(number: int, _frame) -> None:
        received.append(number)
        raise KeyboardInterrupt

    default_hook = sys.unraisablehook

    def quiet_interrupts(unraisable) -> None:
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):
            default_hook(unraisable)

    previous = {number: signal.signal(number, remember) for number in MESSAGES
                if signal.getsignal(number) is not signal.SIG_IGN}
    sys.unraisablehook = quiet_interrupts
    try:
        from eosdnn.startup import environment_error

        problem = environment_error()
        if problem is not None:
            print(f"error: {problem}", file=sys.stderr)
            return 2
        from eosdnn.cli import main as run
    except KeyboardInterrupt:
        received.append(signal.SIGINT)
    except Exception:  # an interrupt inside a C extension's import surfaces as its ImportError
        if not received:
            raise
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        sys.unraisablehook = default_hook
    if received:
        message, code = MESSAGES[signal.Signals(received[0])]
        print(message, file=sys.stderr)
        sys.stderr.flush()
        # at once: an interrupt that reached Python's own start-up code marks the interpreter to end
        # by SIGINT (exit -2) whatever the exit code; nothing has been opened yet, nothing to clean up
        os._exit(code)
    return run()
