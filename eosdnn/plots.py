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
