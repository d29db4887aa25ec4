"""Figs. 12-14: uploading plans under the PSO-GA placement of the paper's scenario."""

from __future__ import annotations

import numpy as np
from rich.table import Table

from eosdnn import plots
from eosdnn.experiments.settings import Context, Figure, Settings, spread
from eosdnn.problems.errors import EosdnnError
from eosdnn.problems.upload import UploadProblem, largest_share
from eosdnn.solvers import plan_upload

PLANNERS = ("non-uploading", "ionn", "recursive-efficiency", "lmu")  # the paper's four
PAPER_IMPROVEMENT = {"alexnet": 0.4516}  # Fig. 13(a): LMU's SSD against Non-uploading


def placements(ctx: Context):
    """The paper scenario and its PSO-GA placement, per seed (12 tasks, 3 of each model)."""
    for seed in ctx.settings.seed_list:
        yield (seed, *ctx.paper_placement(seed))


def steps(settings: Settings) -> int:
    return settings.seeds


def fig12(ctx: Context) -> Figure:
    settings = ctx.settings
    shares: dict[str, dict[str, list[float]]] = {p: {m: [] for m in settings.models} for p in PLANNERS}
    refused: list[str] = []
    for seed, scenario, nodes in placements(ctx):
        for t, task in enumerate(scenario.tasks):
            upload = UploadProblem(scenario, t, nodes[t])
            for name in PLANNERS:
                try:
                    shares[name][task.model.name].append(largest_share(upload, plan_upload(name, upload, **settings.of(name))))
                except EosdnnError as error:
                    refused.append(f"seed {seed} task {t} {name}: {error}")
    data = {"models": list(settings.models), "seeds": settings.seed_list, "refused": refused,
            "largest_share": {p: {m: spread(v) for m, v in by_model.items() if v} for p, by_model in shares.items()}}
    table = Table(title="Fig. 12: largest partition / whole model (mean over tasks and seeds)")
    table.add_column("model")
    for name in PLANNERS:
        table.add_column(name, justify="right")
    for m in settings.models:
        table.add_row(m, *[f"{100 * data['largest_share'][p][m]['mean']:.1f}%" for p in PLANNERS])

    def draw(path: str) -> None:
        plots.grouped_bars(path, list(settings.models), {
            p: [data["largest_share"][p][m] for m in settings.models] for p in PLANNERS},
            "largest partition / model weights", "Fig. 12: largest partition per model (PSO-GA placement)",
            percent=True)

    return Figure("fig12", table.title, data, table, draw)


def sd_figure(name: str, model: str, ctx: Context) -> Figure:
    """Figs. 13-14: SD over upload time for one task of `model` under the four planners."""
    settings = ctx.settings
    per_seed = []
    for seed, scenario, nodes in placements(ctx):
        t = next(i for i, task in enumerate(scenario.tasks) if task.model.name == model)
        upload = UploadProblem(scenario, t, nodes[t])
        plans = {p: plan_upload(p, upload, **settings.of(p)) for p in PLANNERS}
        per_seed.append({
            "seed": seed, "task": t, "units": upload.n_units,
            "ssd": {p: plan.ssd for p, plan in plans.items()},
            "lmu_improvement": {p: (plan.ssd - plans["lmu"].ssd) / plan.ssd if plan.ssd > 0 else 0.0
                                for p, plan in plans.items() if p != "lmu"},
            "timeline": {p: [arr.tolist() for arr in plan.timeline()] for p, plan in plans.items()},
        })
    first = per_seed[0]
    improvements = {p: spread([run["lmu_improvement"][p] for run in per_seed]) for p in PLANNERS if p != "lmu"}
    data = {"model": model, "seeds": settings.seed_list, "runs": per_seed, "lmu_improvement": improvements,
            "paper_lmu_improvement_over_non_uploading": PAPER_IMPROVEMENT.get(model)}
    table = Table(title=f"{name}: SSD of one {model} task per planner; LMU's saving against each "
                        f"(mean over {len(per_seed)} seeds)")
    for column in ("planner", f"SSD seed {first['seed']}", "LMU saves (mean)", "min", "max"):
        table.add_column(column, justify="left" if column == "planner" else "right")
    for p in PLANNERS:
        row = improvements.get(p)
        table.add_row(p, f"{first['ssd'][p]:.4g}", *(["-", "-", "-"] if row is None else
                      [f"{100 * row['mean']:.2f}%", f"{100 * row['min']:.2f}%", f"{100 * row['max']:.2f}%"]))

    def draw(path: str) -> None:
        lines = {p: (np.array(first["timeline"][p][0]), np.array(first["timeline"][p][1])) for p in PLANNERS}
        plots.sd_timelines(path, [(f"{name}: {model}, task {first['task']}, seed {first['seed']}", lines)])

    return Figure(name, table.title, data, table, draw)


def fig13(ctx: Context) -> Figure:
    return sd_figure("fig13", "alexnet", ctx)


def fig14(ctx: Context) -> Figure:
    return sd_figure("fig14", "vgg19", ctx)
