"""The paper's evaluation, one function per figure (Figs. 12-18, and the convergence of every
migration solver): `reproduce` runs a selection,
writes each figure's PNG and JSON, and returns the figures for the report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from eosdnn.experiments import migration_figures, upload_figures
from eosdnn.experiments.settings import Context, Figure, Settings, Setup
from eosdnn.framework.executors import Executor, SerialExecutor
from eosdnn.progress import progress_steps
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.files import write_json

# name -> (figure function, the migration runs it reads for the settings)
FIGURES: dict[str, tuple[Callable[[Context], Figure], Callable[[Settings], list[tuple[Setup, str]]]]] = {
    "fig12": (upload_figures.fig12, upload_figures.runs),
    "fig13": (upload_figures.fig13, upload_figures.runs),
    "fig14": (upload_figures.fig14, upload_figures.runs),
    "fig15": (migration_figures.fig15, migration_figures.runs_fig15),
    "fig16": (migration_figures.fig16, migration_figures.runs_fig16),
    "fig17": (migration_figures.fig17, migration_figures.runs_fig17),
    "fig18": (migration_figures.fig18, migration_figures.runs_fig18),
    "convergence": (migration_figures.convergence, migration_figures.runs_convergence),
}


def figure_names(selection: str) -> list[str]:
    if selection == "all":
        return list(FIGURES)
    if selection not in FIGURES:
        raise EosdnnError(f"FIG: unknown figure {selection!r} (expected one of {', '.join(FIGURES)} or all)")
    return [selection]


def figure_files(names: list[str]) -> list[str]:
    """The files `reproduce` writes into its folder for these figures."""
    return [f"{name}.{suffix}" for name in names for suffix in ("png", "json")]


def reproduce(names: list[str], settings: Settings, out_dir: str | Path, *, executor: Executor | None = None,
              progress: bool | None = None, on_figure: Callable[[Figure], None] | None = None,
              on_run: Callable[[], None] | None = None) -> list[Figure]:
    """Run the figures' migration runs on `executor` (default: this process), then draw each figure,
    writing `<out_dir>/<fig>.png` and `<fig>.json`; figures share the runs of equal setups. Every run is
    seeded, so the figures are the same bits on any executor."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise EosdnnError(f"out: cannot create {out}: {error.strerror}") from None
    needs = list(dict.fromkeys(need for name in names for need in FIGURES[name][1](settings)))
    context = Context(settings)
    with progress_steps("reproduce", len(needs), progress, parallel=executor.workers if executor else 1) as step:
        def done(description: str, _seconds: float) -> None:
            step(description)
            if on_run is not None:  # e.g. the command line's interrupt check
                on_run()

        context.compute(needs, executor or SerialExecutor(), done)
    figures = []
    for name in names:
        figure = FIGURES[name][0](context)
        figure.draw(str(out / f"{name}.png"))
        document = {"format": 1, "figure": name, "title": figure.title, "settings": settings.describe(),
                    **figure.data}
        write_json(out / f"{name}.json", document)
        figures.append(figure)
        if on_figure is not None:
            on_figure(figure)
    return figures


def reproduction_document(settings: Settings, figures: list[Figure]) -> dict:
    """Every figure's numbers in one document (`reproduce --json`)."""
    return {"format": 1, "settings": settings.describe(), "figures": {f.name: f.data for f in figures}}


__all__ = ["FIGURES", "Figure", "Settings", "figure_files", "figure_names", "reproduce", "reproduction_document"]
