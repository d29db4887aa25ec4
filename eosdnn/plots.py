"""PNG plots (matplotlib, no display needed)."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def convergence_plot(path: str | Path, histories: dict[str, list[list[tuple[int, float]]]], title: str) -> None:
    """Best value against evaluations: per solver the mean over seeds, with the min-max band."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, runs in histories.items():
        runs = [run for run in runs if run]
        if not runs:
            continue
        end = max(run[-1][0] for run in runs)
        grid = np.unique(np.linspace(1, max(end, 1), 200).astype(int))
        curves = []
        for run in runs:
            evals = np.array([e for e, _ in run])
            best = np.array([v for _, v in run])
            idx = np.searchsorted(evals, grid, side="right") - 1
            curves.append(np.where(idx >= 0, best[np.clip(idx, 0, None)], np.nan))
        curves = np.array(curves)
        with warnings.catch_warnings():  # before a run's first evaluation its curve is NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(curves, axis=0)
            low, high = np.nanmin(curves, axis=0), np.nanmax(curves, axis=0)
        if len(runs[0]) == 1 and all(len(r) == 1 for r in runs):
            ax.axhline(mean[-1], linestyle="--", linewidth=1, label=name)
            continue
        line, = ax.plot(grid, mean, label=name)
        ax.fill_between(grid, low, high, alpha=0.15, color=line.get_color())
    ax.set_xlabel("evaluations")
    ax.set_ylabel("best objective (s)")
    ax.set_yscale("log")
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def sd_timelines(path: str | Path, panels: list[tuple[str, dict[str, tuple[np.ndarray, np.ndarray]]]]) -> None:
    """SD over upload time as step plots, one panel per task, one line per planner (Figs. 13-14)."""
    count = max(len(panels), 1)
    cols = min(count, 3)
    rows = (count + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.6 * rows), squeeze=False)
    for ax, (title, lines) in zip(axes.flat, panels):
        for name, (times, values) in lines.items():
            ax.step(times, values, where="post", label=name)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("upload time (s)")
        ax.set_ylabel("SD of one query (s)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
