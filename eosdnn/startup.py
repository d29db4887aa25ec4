"""Checks of the process environment that must pass before the heavy imports (numba reads its
variables once, at import; matplotlib validates MPLBACKEND at import): each failure is one line
for the command line to print, never a traceback from inside a library."""

from __future__ import annotations

import os


def _thread_count(variable: str, unset: str) -> str | None:
    text = os.environ.get(variable)
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        return f"{variable}: must be a whole number >= 1, got {text!r} (unset it to {unset})"
    return None


def _numba_threads() -> str | None:
    return _thread_count("NUMBA_NUM_THREADS", "use every core")


def _evaluator_threads() -> str | None:
    return _thread_count("EOSDNN_THREADS", "evaluate on one thread")


def _matplotlib_backend() -> str | None:
    """eosdnn draws with Agg whatever the variable says, but matplotlib refuses to import with an
    unknown backend in it."""
    text = os.environ.get("MPLBACKEND")
    if text is None:
        return None
    del os.environ["MPLBACKEND"]
    from matplotlib import rcsetup

    try:
        rcsetup.validate_backend(text)
    except ValueError:
        return f"MPLBACKEND: {text!r} is not a matplotlib backend (eosdnn draws with agg; unset it)"
    os.environ["MPLBACKEND"] = text
    return None


def _working_directory() -> str | None:
    try:
        os.getcwd()
    except OSError as error:
        return f"working directory: cannot be read ({error.strerror or error}; it was probably deleted)"
    return None


def environment_error() -> str | None:
    """The first problem with this process's environment, as one line, or None."""
    for check in (_working_directory, _numba_threads, _evaluator_threads, _matplotlib_backend):
        problem = check()
        if problem is not None:
            return problem
    return None
