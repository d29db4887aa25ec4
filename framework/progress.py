"""A rich progress bar for long runs, shown only when output goes to a terminal."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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
def progress_steps(label: str, total: int, enabled: bool | None = None) -> Iterator[Callable[[str], None]]:
    """Yields `step(description)` that advances a bar of `total` steps (a no-op off a terminal)."""
    if enabled is None:
        enabled = sys.stdout.isatty()
    if not enabled:
        yield lambda description: None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda description: bar.update(task, advance=1, description=description)
