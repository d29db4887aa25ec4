"""Rich progress bars for long runs (the command line's, not the framework's: a library user sees
none), shown only when output goes to a terminal."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)

from eosdnn.framework.solver import Search


@contextlib.contextmanager
def progress_callback(label: str, enabled: bool | None = None) -> Iterator[Callable[[Search], None] | None]:
    """Yields a solver callback that draws a bar, or None when output is not a terminal."""
    if enabled is None:
        enabled = sys.stdout.isatty()
    if not enabled:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("best {task.fields[best]}"),
                  TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task(label, total=1.0, best="-")

        def update(search: Search) -> None:
            bar.update(task, completed=search.fraction_done(), best=f"{search.best_value:.4f}")

        yield update


@contextlib.contextmanager
def progress_steps(label: str, total: int, enabled: bool | None = None, parallel: int = 1) -> Iterator[Callable[..., None]]:
    """Yields `step(description, failed=False)` that advances a bar of `total` steps with the steps
    running (up to `parallel` at once), the count of failed ones and the ETA (a no-op off a terminal)."""
    if enabled is None:
        enabled = sys.stdout.isatty()
    if not enabled:
        yield lambda description, failed=False: None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[state]}"), TimeElapsedColumn(), TextColumn("ETA"),
                  TimeRemainingColumn(), transient=True) as bar:
        failures = 0
        done = 0

        def state() -> str:
            running = min(parallel, total - done)
            return ", ".join(part for part in (f"{running} running" if parallel > 1 and running else "",
                                               f"{failures} failed" if failures else "") if part)

        task = bar.add_task(label, total=total, state=state())

        def step(description: str, failed: bool = False) -> None:
            nonlocal failures, done
            failures += failed
            done += 1
            bar.update(task, advance=1, description=description, state=state())

        yield step
