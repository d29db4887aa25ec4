"""PNG plots (matplotlib, no display needed)."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from eosdnn.problems.files import write_atomically  # noqa: E402
from eosdnn.styles import KNOWN, styles_for  # noqa: E402

SPREAD_NOTE = "bands and whiskers: min to max over seeds"


def plot_suffixes() -> list[str]:
    """File types `--plot` can write (matplotlib's savefig formats)."""
    fig = plt.figure()
    try:
        return sorted(fig.canvas.get_supported_filetypes())
    finally:
        plt.close(fig)


def _save(fig, path: str | Path) -> None:
    """Write the figure atomically, in the format its suffix names, cropped to what is drawn (legends
    outside the axes included)."""
    fig.tight_layout()
    kind = Path(path).suffix.lower().lstrip(".") or "png"
    try:
        write_atomically(path, lambda temporary: fig.savefig(temporary, dpi=120, format=kind, bbox_inches="tight"))
    finally:
        plt.close(fig)


def _legend_outside(fig, axes) -> None:
    """One legend for the figure, right of the panels (never over the data): every labelled series
    of every panel, once each."""
    handles: dict[str, object] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    if handles:
        fig.legend(list(handles.values()), list(handles), loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8,
                   frameon=False)


def _bound_style() -> dict:
    bound = KNOWN["lower bound"]
    return {"color": bound.color, "linestyle": bound.linestyle, "linewidth": 1.5}


def convergence_plot(path: str | Path, histories: dict[str, list[list[tuple[int, float]]]], title: str,
                     bound: float | None = None) -> None:
    """Best value against evaluations: per solver the mean over seeds, with the min-max band; the
    lower bound (when given) as a black line: no curve can cross it."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    styles = styles_for(list(histories))
    for name, runs in histories.items():
        style = styles[name]
        color = style.color
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
        table = np.array(curves)
        with warnings.catch_warnings():  # before a run's first evaluation its curve is NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(table, axis=0)
            low, high = np.nanmin(table, axis=0), np.nanmax(table, axis=0)
        if len(runs[0]) == 1 and all(len(r) == 1 for r in runs):  # a one-plan rule: its value, as a line
            ax.axhline(mean[-1], linestyle="--" if style.linestyle == "-" else style.linestyle, linewidth=1,
                       label=name, color=color)
            continue
        ax.plot(grid, mean, label=name, color=color, linestyle=style.linestyle, marker=style.marker, markevery=25,
                markersize=4)
        ax.fill_between(grid, low, high, alpha=0.15, color=color)
    if bound is not None:
        ax.axhline(bound, **_bound_style(), label=f"lower bound {bound:.3f}")
    ax.set_xlabel("evaluations")
    ax.set_ylabel("best objective (s)")
    ax.set_yscale("log")
    ax.set_title(title + f"\n(mean over seeds; {SPREAD_NOTE})", fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, frameon=False)
    ax.grid(alpha=0.3)
    _save(fig, path)


def sd_timelines(path: str | Path, panels: list[tuple], title: str | None = None, cols: int = 3) -> None:
    """SD over upload time as step plots, one panel per task (or per comparison), one line per
    planner (Figs. 13-14): each panel is (title, {planner: (times, values)}) or (title, lines, spans),
    `spans` time intervals to shade. Lines drawn later are thinner and on top, each planner in its own
    colour, marker and dash, so two planners with the same timeline both stay visible."""
    count = max(len(panels), 1)
    cols = min(count, cols)
    rows = (count + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(5.0 * cols, 3.5 * rows), squeeze=False)
    names = list(dict.fromkeys(name for panel in panels for name in panel[1]))
    styles = styles_for(names)
    for ax, (panel_title, lines, *rest) in zip(axes.flat, panels):
        for start, end in (rest[0] if rest else []):
            ax.axvspan(start, end, color="#f0e442", alpha=0.25, linewidth=0)
        for name, (times, values) in lines.items():
            order = names.index(name)
            style = styles[name]
            ax.step(times, values, where="post", label=style.label, color=style.color, linestyle=style.linestyle,
                    linewidth=max(3.0 - 0.6 * order, 1.0), marker=style.marker or None, markersize=3.5,
                    zorder=2 + order)
        ax.set_title(panel_title, fontsize=9)
        ax.set_xlabel("upload time (s)")
        ax.set_ylabel("SD of one query (s)")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=10)
    _legend_outside(fig, axes.flat)
    _save(fig, path)


def _bars(ax, categories: list[str], series: dict[str, list[dict]], log: bool = False, scale: float = 1.0) -> None:
    """Grouped bars of means with min-max whiskers (dicts with mean/min/max)."""
    width = 0.8 / max(len(series), 1)
    x = np.arange(len(categories))
    styles = styles_for(list(series))
    for i, (name, cells) in enumerate(series.items()):
        mean = np.array([c["mean"] for c in cells]) * scale
        low = np.clip(mean - np.array([c["min"] for c in cells]) * scale, 0.0, None)  # rounding can make the
        high = np.clip(np.array([c["max"] for c in cells]) * scale - mean, 0.0, None)  # mean stray past min or max
        style = styles[name]
        ax.bar(x + (i - (len(series) - 1) / 2) * width, mean, width, yerr=[low, high], capsize=2, label=name,
               color=style.color, hatch=None if style.linestyle == "-" else "//", edgecolor="white", linewidth=0.5)
    ax.set_xticks(x, categories)
    if log:
        ax.set_yscale("log")
    ax.grid(alpha=0.3, axis="y")


def grouped_bars(path: str | Path, categories: list[str], series: dict[str, list[dict]], ylabel: str, title: str,
                 *, percent: bool = False, log: bool = False, marks: dict[str, list[float]] | None = None) -> None:
    """Grouped bars with min-max whiskers; `marks` (e.g. a lower bound) as a black tick across each group."""
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    _bars(ax, categories, series, log=log, scale=100.0 if percent else 1.0)
    for name, values in (marks or {}).items():
        for i, value in enumerate(values):
            ax.hlines(value, i - 0.45, i + 0.45, colors="black", linewidth=1.5, label=name if i == 0 else "_nolegend_")
    ax.set_ylabel(ylabel + (" (%)" if percent else ""))
    ax.set_title(title + f"\n({SPREAD_NOTE})", fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, frameon=False)
    if len(categories) * max((len(c) for c in categories), default=0) > 70:  # long labels would run into each other
        plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    _save(fig, path)


def bar_panels(path: str | Path, categories: list[str], panels: dict[str, dict[str, list[dict]]], title: str, *,
               log: bool | None = None, scale: float = 1.0, ylabel: str = "seconds", cols: int = 2) -> None:
    """One grouped-bar panel per quantity (e.g. exec, transfer, wait, total); `log` None: a log axis
    wherever every value is positive."""
    count = len(panels)
    cols = min(cols, count) if count else 1
    rows = (count + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(6.5 * cols, 3.8 * rows), squeeze=False)
    for ax, (name, series) in zip(axes.flat, panels.items()):
        positive = all(cell["min"] > 0 for cells in series.values() for cell in cells)
        on_log = positive if log is None else log  # a zero (no waiting) has no place on a log axis
        _bars(ax, categories, series, log=on_log, scale=scale)
        ax.set_title(name + (" (log y axis)" if on_log else ""), fontsize=10)
        ax.set_ylabel(ylabel)
    for ax in list(axes.flat)[count:]:
        ax.set_visible(False)
    fig.suptitle(f"{title} ({SPREAD_NOTE})")
    _legend_outside(fig, axes.flat)
    _save(fig, path)


def sweep_lines(path: str | Path, x: list[float], series: dict[str, list[dict]], xlabel: str, ylabel: str,
                title: str, bound: list[float] | None = None, scales: tuple[str, ...] = ("linear",),
                panels: dict[str, list[str]] | None = None, bound_on: tuple[str, ...] | None = None) -> None:
    """Mean against a swept setting (ticks at the swept values), with the min-max band over seeds;
    `bound` as a black line. One panel per y scale in `scales` (linear first: a claim of linear
    growth is read on a linear axis), or one panel per entry of `panels` (title -> series names);
    the bound on every panel, or on those named in `bound_on` (a bound on totals is no bound on parts)."""
    layout = panels or {scale: list(series) for scale in scales}
    fig, axes = plt.subplots(1, len(layout), figsize=(5.6 * len(layout), 4.3), squeeze=False)
    styles = styles_for(list(series))
    for ax, (panel, names) in zip(axes[0], layout.items()):
        for name in names:
            cells = series[name]
            style = styles[name]
            mean = np.array([c["mean"] for c in cells])
            ax.plot(x, mean, label=name, **style.line_kwargs())
            ax.fill_between(x, [c["min"] for c in cells], [c["max"] for c in cells], alpha=0.15, color=style.color)
        if bound is not None and (bound_on is None or panel in bound_on):
            ax.plot(x, bound, **_bound_style(), label="lower bound")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_xticks(x)  # the swept values themselves: no 12.5 tasks
        scale = panel if panel in ("linear", "log") else "linear"
        ax.set_yscale(scale)
        if scale == "linear":
            ax.set_ylim(bottom=0)
        ax.set_title(f"{panel} y axis" if panel in ("linear", "log") else panel, fontsize=10)
        ax.grid(alpha=0.3)
    fig.suptitle(f"{title}\n(mean over seeds; {SPREAD_NOTE})", fontsize=10)
    _legend_outside(fig, axes[0])
    _save(fig, path)


def sweep_summary(path: str | Path, entries: list[dict]) -> None:
    """A sweep's mean value per grid point (groups, in numeric order) and solver with its parameters
    (bars), min-max whiskers; groups labelled by the varied keys, bars by solver and parameters."""
    import json

    from eosdnn.sweep import params_label, point_label, point_order

    done = [e for e in entries if e["runs"]]
    points = sorted(dict.fromkeys(e["point"] for e in done), key=lambda p: point_order(json.loads(p)))
    labels = list(dict.fromkeys((e["solver"], e["params"]) for e in done))
    empty = {"mean": np.nan, "min": np.nan, "max": np.nan}
    cells = {(e["point"], e["solver"], e["params"]): {"mean": e["mean"], "min": e["best"], "max": e["worst"]} for e in done}
    series = {params_label(solver, json.loads(params)): [cells.get((point, solver, params), empty) for point in points]
              for solver, params in labels}
    grouped_bars(path, [point_label(json.loads(point)) for point in points], series, "value (s)",
                 "Sweep: mean per grid point and solver")


def pareto_plot(path: str | Path, names: list[str], units: list[str], front: np.ndarray, picked: int,
                starts: dict[str, np.ndarray], lower: np.ndarray, title: str) -> None:
    """The front as scatter plots, one panel per pair of objectives (one panel for two): the chosen
    plan ringed, each objective's own best plan and the tier plans marked by name, each lower bound a
    dashed line. Axes are logarithmic where an objective spans more than two decades."""
    pairs = [(a, b) for a in range(len(names)) for b in range(a + 1, len(names))]
    fig, axes = plt.subplots(1, len(pairs), figsize=(5.2 * len(pairs), 4.6), squeeze=False)
    markers = "^sDvP*X"
    for ax, (a, b) in zip(axes[0], pairs):
        ax.scatter(front[:, a], front[:, b], s=14, color="tab:blue", alpha=0.7, label="front")
        ax.scatter(front[picked, a], front[picked, b], s=120, facecolors="none", edgecolors="tab:red",
                   linewidths=1.8, label="chosen")
        for marker, (label, values) in zip(markers, starts.items()):
            ax.scatter(values[a], values[b], marker=marker, s=60, color="black", alpha=0.8, label=label)
        for axis, index, line in ((ax.axvline, a, "x"), (ax.axhline, b, "y")):
            axis(lower[index], color="grey", linestyle="--", linewidth=1)
        for index, scale, limits in ((a, ax.set_xscale, ax.set_xlim), (b, ax.set_yscale, ax.set_ylim)):
            column = np.concatenate([front[:, index], [v[index] for v in starts.values()], [lower[index]]])
            positive = column[column > 0]
            if positive.size and positive.max() > 100 * positive.min():
                scale("symlog", linthresh=float(positive.min()))
                limits(min(0.0, float(column.min())), float(column.max()) * 2.0)
        ax.set_xlabel(f"{names[a]} ({units[a]})")
        ax.set_ylabel(f"{names[b]} ({units[b]})")
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7, loc="best")
    fig.suptitle(title + "; dashed: lower bounds", fontsize=10)
    _save(fig, path)


def gantt(path: str | Path, lanes: list[str], bars: list[dict], waits: list[tuple[int, float, float]],
          transfers: list[tuple[int, float, float]], completions: list[tuple[int, int, float]], tasks: list[str],
          title: str) -> None:
    """A schedule: one lane per node and pool (top to bottom as given), each bar a run of one task's
    consecutive layers on the lane (`lane`, `start`, `finish`, `task`, `label`), coloured by task;
    `waits` (lane, ready, start) hatched before their bar, `transfers` (lane, sent, arrived) a thin
    line where the input travels to the lane, `completions` (lane, task, time) a marker where each
    result is back on its client."""
    colours = plt.get_cmap("tab20" if len(tasks) > 10 else "tab10")
    height = max(3.0, 0.32 * len(lanes) + 1.6)
    fig, ax = plt.subplots(figsize=(13, height))
    for lane, ready, start in waits:
        ax.barh(lane, start - ready, left=ready, height=0.5, color="none", edgecolor="grey", hatch="///",
                linewidth=0.3)
    for lane, sent, arrived in transfers:
        ax.plot([sent, arrived], [lane + 0.33, lane + 0.33], color="black", linewidth=0.6, alpha=0.6)
    span = max((bar["finish"] for bar in bars), default=1.0)
    for bar in bars:
        width = bar["finish"] - bar["start"]
        ax.barh(bar["lane"], width, left=bar["start"], height=0.6, color=colours(bar["task"] % colours.N),
                edgecolor="black", linewidth=0.3)
        if width > 0.04 * span:
            ax.text(bar["start"] + width / 2, bar["lane"], bar["label"], ha="center", va="center", fontsize=6)
    for lane, task, time in completions:
        ax.plot(time, lane - 0.42, marker="v", color=colours(task % colours.N), markeredgecolor="black",
                markersize=6)
    ax.set_yticks(range(len(lanes)))
    ax.set_yticklabels(lanes, fontsize=7)
    ax.set_ylim(len(lanes) - 0.5, -0.7)
    ax.set_xlabel("time (s)")
    ax.grid(axis="x", alpha=0.3)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours(t % colours.N)) for t in range(len(tasks))]
    ax.legend(handles, tasks, fontsize=6, ncol=min(6, len(tasks)), loc="upper center",
              bbox_to_anchor=(0.5, -0.12 if len(lanes) < 12 else -0.05), frameon=False)
    ax.set_title(title + "; hatched: waiting for a pool, lines: inputs in transit, v: result back", fontsize=9)
    _save(fig, path)
