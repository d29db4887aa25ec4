"""Figs. 12-14: uploading plans under the EosDNN placement of the paper's scenario, and (Figs. 13-14)
under the placement the paper's Fig. 13 time axis implies."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.markup import escape
from rich.table import Table

from eosdnn import plots
from eosdnn.experiments.settings import Context, Figure, Settings, Setup, spread
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.scenario import Scenario
from eosdnn.problems.upload import UploadProblem, interval_saving, largest_share, ssd_saving
from eosdnn.upload_tasks import plan_task

PAPER_PLANNERS = ("non-uploading", "ionn", "recursive-efficiency", "lmu")  # the paper's four
PAPER_IMPROVEMENT = {"alexnet": 0.4516}  # Fig. 13(a): LMU's SSD against Non-uploading


def placements(ctx: Context):
    """The paper scenario and its EosDNN placement, per seed (12 tasks, 3 of each model)."""
    for seed in ctx.settings.seed_list:
        yield (seed, *ctx.paper_placement(seed))


def runs(settings: Settings) -> list[tuple[Setup, str]]:
    """The EosDNN placements the uploading figures plan under."""
    return [(Setup(seed), "eosdnn") for seed in settings.seed_list]


def fig12(ctx: Context) -> Figure:
    settings = ctx.settings
    shares: dict[str, dict[str, list[float]]] = {p: {m: [] for m in settings.models} for p in PAPER_PLANNERS}
    refused: list[str] = []
    for seed, scenario, nodes in placements(ctx):
        for t, task in enumerate(scenario.tasks):
            upload = UploadProblem(scenario, t, nodes[t])
            planned = plan_task(upload, PAPER_PLANNERS, params=settings.params, skip_refused=True)
            for name, plan in planned.plans.items():
                shares[name][task.model.name].append(largest_share(upload, plan))
            refused += [f"seed {seed} task {t} {name}: {error}" for name, error in planned.refused.items()]
    data: dict[str, Any]
    data = {"models": list(settings.models), "seeds": settings.seed_list, "refused": refused,
            "largest_share": {p: {m: spread(v) for m, v in by_model.items() if v} for p, by_model in shares.items()}}
    table = Table(title="Fig. 12: largest partition / whole model (mean over tasks and seeds)")
    table.add_column("model")
    for name in PAPER_PLANNERS:
        table.add_column(name, justify="right")
    for m in settings.models:
        table.add_row(m, *[f"{100 * data['largest_share'][p][m]['mean']:.1f}%" for p in PAPER_PLANNERS])

    def draw(path: str) -> None:
        plots.grouped_bars(path, list(settings.models), {
            p: [data["largest_share"][p][m] for m in settings.models] for p in PAPER_PLANNERS},
            "largest partition / model weights", "Fig. 12: largest partition per model (EosDNN placement)",
            percent=True)

    return Figure("fig12", str(table.title), data, table, draw)


PAPER_INTERVALS = [(0.23447, 0.57212), (17.38056, 23.78212)]  # Fig. 13(b), in seconds
PAPER_INTERVAL_SAVING = 0.1341  # LMU's SSD below IONN's within those intervals
PAPER_BREAKPOINTS = (0.23447, 0.57212, 6.40156, 17.38056, 23.78212)  # Fig. 13's time axis, seconds
BREAKPOINT_TOLERANCE = 1e-5  # 0.01 ms


def paper_axis_nodes(scenario: Scenario, task: int) -> list[int]:
    """The placement the paper's Fig. 13 time axis implies: the first layer (AlexNet's conv1) on the
    client, every other layer on the fastest edge server (its breakpoints are Table V's weight sizes
    over the 10 MB/s client-edge link)."""
    env = scenario.environment
    edge = [i for i, node in enumerate(env.nodes) if node.tier == "edge"]
    if not edge:
        raise EosdnnError("paper placement: the environment has no edge server")
    fastest = max(edge, key=lambda i: env.nodes[i].ghz)
    model = scenario.tasks[task].model
    return [scenario.tasks[task].client] + [fastest] * (model.n_layers - 1)


def sd_runs(model: str, ctx: Context, placement: str) -> list[dict]:
    """Per seed: one task of `model` under the `placement` ("eosdnn" or "paper"), every planner's SSD,
    LMU's savings, the paper's interval metric and the plans' breakpoints."""
    settings = ctx.settings
    runs = []
    for seed, scenario, nodes in placements(ctx):
        t = next(i for i, task in enumerate(scenario.tasks) if task.model.name == model)
        upload = UploadProblem(scenario, t, nodes[t] if placement == "eosdnn" else paper_axis_nodes(scenario, t))
        plans = plan_task(upload, PAPER_PLANNERS, params=settings.params).plans
        timelines = {p: plan.timeline() for p, plan in plans.items()}
        runs.append({
            "seed": seed, "task": t, "units": upload.n_units,
            "ssd": {p: plan.ssd for p, plan in plans.items()},
            "lmu_improvement": {p: ssd_saving(plans["lmu"], plan) for p, plan in plans.items() if p != "lmu"},
            "lmu_below_ionn_in_paper_intervals": interval_saving(timelines["lmu"], timelines["ionn"], PAPER_INTERVALS),
            "breakpoints": {p: [step.end for step in plan.steps] for p, plan in plans.items()},
            "timeline": {p: [arr.tolist() for arr in timeline] for p, timeline in timelines.items()},
        })
    return runs


def breakpoint_check(runs: list[dict]) -> dict[str, bool]:
    """Which of the paper's Fig. 13 breakpoints appear among our plans' breakpoints (any planner)."""
    ours = [end for run in runs for ends in run["breakpoints"].values() for end in ends]
    return {f"{1000 * bp:.2f} ms": any(abs(end - bp) <= BREAKPOINT_TOLERANCE for end in ours) for bp in PAPER_BREAKPOINTS}


def sd_figure(name: str, model: str, ctx: Context) -> Figure:
    """Figs. 13-14: SD over upload time for one task of `model` under the four planners, under the
    EosDNN placement and under the placement the paper's Fig. 13 axis implies."""
    settings = ctx.settings
    by_placement = {kind: sd_runs(model, ctx, kind) for kind in ("eosdnn", "paper")}
    per_seed = by_placement["eosdnn"]
    first = per_seed[0]
    summary: dict[Any, Any]
    summary = {kind: {
        "lmu_improvement": {p: spread([run["lmu_improvement"][p] for run in runs]) for p in PAPER_PLANNERS if p != "lmu"},
        "lmu_below_ionn_in_paper_intervals": spread([run["lmu_below_ionn_in_paper_intervals"] for run in runs]),
    } for kind, runs in by_placement.items()}
    improvements = summary["eosdnn"]["lmu_improvement"]
    data: dict[str, Any]
    data = {"model": model, "seeds": settings.seed_list, "runs": per_seed, "lmu_improvement": improvements,
            "paper_lmu_improvement_over_non_uploading": PAPER_IMPROVEMENT.get(model),
            "paper_placement": {"runs": by_placement["paper"], **summary["paper"],
                                "breakpoints_found": breakpoint_check(by_placement["paper"])},
            "paper_metrics": {
                "lmu_vs_non_uploading": {"paper_value": PAPER_IMPROVEMENT.get(model),
                                         **{f"{kind}_placement": summary[kind]["lmu_improvement"]["non-uploading"]
                                            for kind in summary}},
                "lmu_below_ionn_in_intervals": {"paper_value": PAPER_INTERVAL_SAVING if model == "alexnet" else None,
                                                "intervals_s": PAPER_INTERVALS,
                                                **{f"{kind}_placement": summary[kind]["lmu_below_ionn_in_paper_intervals"]
                                                   for kind in summary}}}}
    title = (f"{name}: SSD of one {model} task per planner; LMU's saving against each (mean [min, max] over "
             f"{len(per_seed)} seeds), under the EosDNN placement and under the paper's implied placement (first "
             "layer on the client, the rest on the fastest edge)")
    table = Table(title=escape(title))
    for column in ("planner", f"SSD seed {first['seed']}", "LMU saves, EosDNN placement", "LMU saves, paper placement"):
        table.add_column(column, justify="left" if column == "planner" else "right")

    def cell(stats: dict | None) -> str:
        return "-" if stats is None else f"{100 * stats['mean']:.2f}% [{100 * stats['min']:.1f}, {100 * stats['max']:.1f}]"

    for p in PAPER_PLANNERS:
        table.add_row(p, f"{first['ssd'][p]:.4g}", cell(summary["eosdnn"]["lmu_improvement"].get(p)),
                      cell(summary["paper"]["lmu_improvement"].get(p)))
    table.add_row("LMU below IONN within 234.47-572.12 and 17380.56-23782.12 ms"
                  + (" (paper: 13.41%)" if model == "alexnet" else ""), "",
                  cell(summary["eosdnn"]["lmu_below_ionn_in_paper_intervals"]),
                  cell(summary["paper"]["lmu_below_ionn_in_paper_intervals"]))
    found = data["paper_placement"]["breakpoints_found"]
    table.caption = ("paper's breakpoints found under the paper placement: "
                     + ", ".join(f"{bp} {'yes' if ok else 'no'}" for bp, ok in found.items()))

    def draw(path: str) -> None:
        lines = {p: (np.array(first["timeline"][p][0]), np.array(first["timeline"][p][1])) for p in PAPER_PLANNERS}
        paper = by_placement["paper"][0]
        paper_lines = {p: (np.array(paper["timeline"][p][0]), np.array(paper["timeline"][p][1])) for p in PAPER_PLANNERS}
        plots.sd_timelines(path, [(f"{name}: {model}, task {first['task']}, seed {first['seed']}, EosDNN placement",
                                   lines),
                                  (f"{model}, paper's implied placement (seed {paper['seed']})", paper_lines)])

    return Figure(name, title, data, table, draw)


def fig13(ctx: Context) -> Figure:
    return sd_figure("fig13", "alexnet", ctx)


def fig14(ctx: Context) -> Figure:
    return sd_figure("fig14", "vgg19", ctx)
