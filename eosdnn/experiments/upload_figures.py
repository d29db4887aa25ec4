"""Figs. 12-14: uploading plans under the placements of the paper's scenario, the paper's claims
judged by `verdicts`.

Fig. 12 plans every task under the paper's EosDNN placement (judged) and under EosDNN+'s (extra).
Figs. 13-14 plan one task under five placements: the paper's EosDNN's, EosDNN+'s, the placement the
paper's Fig. 13 time axis implies (judged: it is the placement the paper's figure was drawn under;
for VGG19, Fig. 14, an extrapolation of it) and, for sensitivity, that one with the model's first
block on the client, and on the slowest edge server (the axis pins only the weighted layers, and
no server); and LMU under both readings of Principle 4 (`lmu.rest`: `at-once`, judged: "then upload
the rest of the merged layer at once"; `requeue`, the rest waits for its turn)."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.markup import escape
from rich.table import Table

from eosdnn import plots
from eosdnn.experiments.settings import ENHANCED, LABELS, PAPER_METHOD, Context, Figure, Settings, Setup, spread
from eosdnn.experiments.verdicts import Claim, Comparison, claims_data
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.scenario import Scenario
from eosdnn.problems.upload import UploadProblem, interval_area, interval_saving, largest_share, ssd_saving
from eosdnn.styles import label_of
from eosdnn.upload_tasks import plan_task

PAPER_PLANNERS = ("non-uploading", "ionn", "recursive-efficiency", "lmu")  # the paper's four
RIVALS = ("non-uploading", "ionn", "recursive-efficiency")  # the paper's panels (a), (b), (c)
PAPER_IMPROVEMENT = {"alexnet": 0.4516}  # Fig. 13(a): LMU's SSD against Non-uploading
READINGS = ("at-once", "requeue")  # Principle 4's two readings (lmu.rest); the first is judged
JUDGED_READING = "at-once"
MIGRATION_PLACEMENTS = {"paper-method": PAPER_METHOD, "enhanced": ENHANCED}
PLACEMENT_LABELS = {
    "paper-method": f"{LABELS[PAPER_METHOD]}'s placement",
    "enhanced": f"{LABELS[ENHANCED]}'s placement",
    "axis": "axis-implied: first layer on the client, the rest on the fastest edge",
    "axis-first-block": "first block (to the first pooling layer) on the client, the rest on the fastest edge",
    "axis-slowest-edge": "first layer on the client, the rest on the slowest edge",
}
JUDGED_PLACEMENT = {"fig12": "paper-method", "fig13": "axis", "fig14": "axis"}


def runs(settings: Settings) -> list[tuple[Setup, str]]:
    """The migration placements the uploading figures plan under."""
    return [(Setup(seed), method) for seed in settings.seed_list for method in MIGRATION_PLACEMENTS.values()]


def fig12(ctx: Context) -> Figure:
    settings = ctx.settings
    models = list(settings.models)
    # placement -> planner -> model -> per-seed mean over that seed's tasks of the model
    shares: dict[str, dict[str, dict[str, list[float]]]] = {}
    refused: list[str] = []
    for kind, method in MIGRATION_PLACEMENTS.items():
        shares[kind] = {p: {m: [] for m in models} for p in PAPER_PLANNERS}
        for seed in settings.seed_list:
            scenario, nodes = ctx.paper_placement(seed, method)
            per_task: dict[str, dict[str, list[float]]] = {p: {m: [] for m in models} for p in PAPER_PLANNERS}
            for t, task in enumerate(scenario.tasks):
                upload = UploadProblem(scenario, t, nodes[t])
                planned = plan_task(upload, PAPER_PLANNERS, params=settings.params, skip_refused=True)
                for name, plan in planned.plans.items():
                    per_task[name][task.model.name].append(largest_share(upload, plan))
                refused += [f"{kind} seed {seed} task {t} {name}: {error}" for name, error in planned.refused.items()]
            for p in PAPER_PLANNERS:
                for m in models:
                    if per_task[p][m]:
                        shares[kind][p][m].append(float(np.mean(per_task[p][m])))
    claims = fig12_claims(models, shares[JUDGED_PLACEMENT["fig12"]])
    extra = fig12_claims(models, shares["enhanced"], "@enhanced")
    data: dict[str, Any]
    data = {"models": models, "seeds": settings.seed_list, "refused": refused,
            "judged_placement": JUDGED_PLACEMENT["fig12"], "placements": {k: PLACEMENT_LABELS[k] for k in shares},
            "values_are": "per seed: the mean over that seed's tasks of the model",
            "largest_share": {kind: {p: {m: spread(v) for m, v in by_model.items() if v} for p, by_model in table.items()}
                              for kind, table in shares.items()},
            "claims": claims_data(claims), "sensitivity": claims_data(extra)}
    table = Table(title=escape(f"Fig. 12: largest partition / whole model, {PLACEMENT_LABELS['paper-method']}: mean "
                               "[min, max] over seeds of each seed's mean over its tasks"))
    table.add_column("model")
    for name in PAPER_PLANNERS:
        table.add_column(label_of(name), justify="right")
    cells = data["largest_share"][JUDGED_PLACEMENT["fig12"]]
    for m in models:
        table.add_row(m, *[f"{100 * cells[p][m]['mean']:.1f}% \\[{100 * cells[p][m]['min']:.1f}, "
                           f"{100 * cells[p][m]['max']:.1f}]" for p in PAPER_PLANNERS])

    def draw(path: str) -> None:
        panels = {PLACEMENT_LABELS[kind] + (" (judged)" if kind == JUDGED_PLACEMENT["fig12"] else " (extra)"):
                  {label_of(p): [data["largest_share"][kind][p][m] for m in models] for p in PAPER_PLANNERS}
                  for kind in MIGRATION_PLACEMENTS}
        plots.bar_panels(path, models, panels, "Fig. 12: largest partition per model", log=False, scale=100.0,
                         ylabel="largest partition / model weights (%)", cols=1)

    return Figure("fig12", str(table.title), data, table, draw)


def fig12_claims(models: list[str], shares: dict, suffix: str = "") -> list[Claim]:
    """Fig. 12's claim on one placement's largest shares ({planner: {model: per-seed values}})."""
    return [Claim(f"fig12-lmu-smallest{suffix}", "LMU's largest partition is (significantly) smaller than IONN's and "
                                                 "Recursive-efficiency's for every model",
                  [Comparison(f"LMU below {label_of(rival)}, {m}", shares["lmu"][m], shares[rival][m])
                   for m in models for rival in ("ionn", "recursive-efficiency")])]


PAPER_INTERVALS = [(0.23447, 0.57212), (17.38056, 23.78212)]  # Fig. 13(b), in seconds
PAPER_INTERVAL_SAVING = 0.1341  # LMU's SSD below IONN's within those intervals
PAPER_BREAKPOINTS = (0.23447, 0.57212, 17.38056, 23.78212)  # Fig. 13's time axis, seconds (as printed)
DERIVED_BREAKPOINTS = (6.40156,)  # 23782.12 - 17380.56 ms: not printed in the paper, implied by two that are
BREAKPOINT_TOLERANCE = 1e-5  # 0.01 ms


def edge_server(scenario: Scenario, slowest: bool = False) -> int:
    """The fastest (or slowest) edge server of the scenario, by clock."""
    env = scenario.environment
    edge = [i for i, node in enumerate(env.nodes) if node.tier == "edge"]
    if not edge:
        raise EosdnnError("paper placement: the environment has no edge server")
    return (min if slowest else max)(edge, key=lambda i: env.nodes[i].ghz)


def paper_axis_nodes(scenario: Scenario, task: int, *, first_block: bool = False, slowest: bool = False) -> list[int]:
    """The placement the paper's Fig. 13 time axis implies: its printed breakpoints are Table V's
    weight sizes over the 10 MB/s client-edge link, so AlexNet's conv1 stays on the client and
    conv2..fc8 (its weighted layers) run on one edge server (the fastest, our choice; `slowest` for
    the other end). The axis pins no size-0 layer: they go with the rest (default) or, with
    `first_block`, every layer up to the first pooling layer stays on the client (AlexNet: norm1,
    pool1; VGG19: conv1_2, pool1)."""
    server = edge_server(scenario, slowest)
    model = scenario.tasks[task].model
    on_client = 1
    if first_block:
        pools = [i for i, layer in enumerate(model.layers) if layer.name.startswith("pool")]
        on_client = (pools[0] + 1) if pools else 1
    client = scenario.tasks[task].client
    return [client] * on_client + [server] * (model.n_layers - on_client)


def placement_nodes(ctx: Context, kind: str, seed: int, model: str) -> tuple[UploadProblem, int]:
    """One task of `model` in the paper scenario of `seed`, under the placement `kind`."""
    method = MIGRATION_PLACEMENTS.get(kind, PAPER_METHOD)
    scenario, nodes = ctx.paper_placement(seed, method)
    t = next(i for i, task in enumerate(scenario.tasks) if task.model.name == model)
    if kind in MIGRATION_PLACEMENTS:
        chosen = nodes[t]
    else:
        chosen = paper_axis_nodes(scenario, t, first_block=kind == "axis-first-block",
                                  slowest=kind == "axis-slowest-edge")
    return UploadProblem(scenario, t, chosen), t


def sd_runs(model: str, ctx: Context, kind: str) -> list[dict]:
    """Per seed: one task of `model` under the placement `kind`: every planner's SSD (LMU under both
    readings), LMU's savings, the SSD areas within the paper's intervals and the plans' breakpoints."""
    settings = ctx.settings
    out = []
    for seed in settings.seed_list:
        upload, t = placement_nodes(ctx, kind, seed, model)
        plans = plan_task(upload, RIVALS, params=settings.params).plans
        lmu = {reading: plan_task(upload, ("lmu",), params=settings.params | {
            "lmu": settings.of("lmu") | {"rest": reading}}).plans["lmu"] for reading in READINGS}
        every = plans | {f"lmu@{reading}": plan for reading, plan in lmu.items()}
        timelines = {name: plan.timeline() for name, plan in every.items()}
        out.append({
            "seed": seed, "task": t, "units": upload.n_units,
            "ssd": {name: plan.ssd for name, plan in every.items()},
            "lmu_improvement": {r: {p: ssd_saving(lmu[r], plan) for p, plan in plans.items()} for r in READINGS},
            "interval_area": {name: interval_area(timeline, PAPER_INTERVALS) for name, timeline in timelines.items()},
            "lmu_below_ionn_in_paper_intervals": {r: interval_saving(timelines[f"lmu@{r}"], timelines["ionn"],
                                                                     PAPER_INTERVALS) for r in READINGS},
            "breakpoints": {name: [step.end for step in plan.steps] for name, plan in every.items()},
            "timeline": {name: [arr.tolist() for arr in timeline] for name, timeline in timelines.items()},
        })
    return out


def breakpoint_check(runs: list[dict], breakpoints: tuple[float, ...]) -> dict[str, bool]:
    """Which of these breakpoints appear among our plans' breakpoints (any planner, any seed)."""
    ours = [end for run in runs for ends in run["breakpoints"].values() for end in ends]
    return {f"{1000 * bp:.2f} ms": any(abs(end - bp) <= BREAKPOINT_TOLERANCE for end in ours) for bp in breakpoints}


def sd_claims(name: str, model: str, runs: list[dict], reading: str, suffix: str = "") -> list[Claim]:
    """The paper's three panels as claims, on one placement's runs and one reading of Principle 4."""
    lmu = f"lmu@{reading}"
    ssd = {p: [run["ssd"][p] for run in runs] for p in (*RIVALS, lmu)}
    if model == "alexnet":  # Fig. 13(b) is stated within the paper's intervals
        area = {p: [run["interval_area"][p] for run in runs] for p in (lmu, "ionn")}
        middle = Comparison("LMU's SSD below IONN's within 234.47-572.12 and 17380.56-23782.12 ms", area[lmu],
                            area["ionn"])
    else:
        middle = Comparison("LMU's SSD below IONN's", ssd[lmu], ssd["ionn"])
    return [Claim(f"{name}a{suffix}", "(a) LMU's SSD is below Non-uploading's",
                  [Comparison("LMU's SSD below Non-uploading's", ssd[lmu], ssd["non-uploading"])]),
            Claim(f"{name}b{suffix}", "(b) LMU's SSD is below IONN's", [middle]),
            Claim(f"{name}c{suffix}", "(c) LMU's SSD is below Recursive-efficiency's",
                  [Comparison("LMU's SSD below Recursive-efficiency's", ssd[lmu], ssd["recursive-efficiency"])])]


def sd_figure(name: str, model: str, ctx: Context) -> Figure:
    """Figs. 13-14: SD over upload time for one task of `model`: the paper's three comparisons under
    every placement and both readings of Principle 4, judged on the axis-implied placement and the
    `at-once` reading."""
    settings = ctx.settings
    by_placement = {kind: sd_runs(model, ctx, kind) for kind in PLACEMENT_LABELS}
    judged_kind = JUDGED_PLACEMENT[name]
    claims = sd_claims(name, model, by_placement[judged_kind], JUDGED_READING)
    sensitivity = [claim for kind, runs_ in by_placement.items() for reading in READINGS
                   for claim in sd_claims(name, model, runs_, reading, f"@{kind}@{reading}")]
    summary = {kind: {
        "lmu_improvement": {r: {p: spread([run["lmu_improvement"][r][p] for run in runs_]) for p in RIVALS}
                            for r in READINGS},
        "lmu_below_ionn_in_paper_intervals": {r: spread([run["lmu_below_ionn_in_paper_intervals"][r] for run in runs_])
                                              for r in READINGS},
    } for kind, runs_ in by_placement.items()}
    data: dict[str, Any]
    data = {"model": model, "seeds": settings.seed_list, "judged_placement": judged_kind,
            "judged_reading": JUDGED_READING, "readings": list(READINGS), "placements": PLACEMENT_LABELS,
            "runs": by_placement, "summary": summary,
            "paper_lmu_improvement_over_non_uploading": PAPER_IMPROVEMENT.get(model),
            "paper_interval_saving": PAPER_INTERVAL_SAVING if model == "alexnet" else None,
            "intervals_s": PAPER_INTERVALS,
            "breakpoints_found": {kind: {"printed": breakpoint_check(runs_, PAPER_BREAKPOINTS),
                                         "derived": breakpoint_check(runs_, DERIVED_BREAKPOINTS)}
                                  for kind, runs_ in by_placement.items()} if model == "alexnet" else None,
            "claims": claims_data(claims), "sensitivity": claims_data(sensitivity)}
    title = (f"{name}: LMU's SSD saving against each rival, one {model} task, mean [min, max] over "
             f"{len(settings.seed_list)} seeds, per placement and reading of Principle 4 (lmu.rest)")
    table = Table(title=escape(title))
    table.add_column("placement")
    table.add_column("rest", justify="left")
    for rival in RIVALS:
        table.add_column(f"vs {label_of(rival)}", justify="right")
    if model == "alexnet":
        table.add_column("below IONN in the paper's intervals (paper 13.41%)", justify="right")

    def cell(stats: dict) -> str:
        return f"{100 * stats['mean']:.2f}% \\[{100 * stats['min']:.1f}, {100 * stats['max']:.1f}]"

    for kind in PLACEMENT_LABELS:
        for reading in READINGS:
            row = [cell(summary[kind]["lmu_improvement"][reading][r]) for r in RIVALS]
            if model == "alexnet":
                row.append(cell(summary[kind]["lmu_below_ionn_in_paper_intervals"][reading]))
            table.add_row(kind + (" (judged)" if kind == judged_kind and reading == JUDGED_READING else ""), reading,
                          *row)
    table.caption = "placements: " + "; ".join(f"{kind}: {text}" for kind, text in PLACEMENT_LABELS.items())

    def draw(path: str) -> None:
        panels = []
        for kind in (judged_kind, "paper-method"):
            run = by_placement[kind][0]
            for letter, rival in zip("abc", RIVALS):
                lines = {label_of(rival): run["timeline"][rival]}
                lines |= {f"LMU, rest {r}": run["timeline"][f"lmu@{r}"] for r in READINGS}
                spans = PAPER_INTERVALS if (model == "alexnet" and letter == "b") else []
                panels.append((f"({letter}) vs {label_of(rival)}; {kind} placement", lines, spans))
        first = by_placement[judged_kind][0]
        plots.sd_timelines(path, panels, cols=3,
                           title=f"{name}: {model}, task {first['task']}, seed {first['seed']} of "
                                 f"{settings.seed_list[0]}-{settings.seed_list[-1]} (the tables give every seed)\ntop: "
                                 f"{PLACEMENT_LABELS[judged_kind]} (judged); bottom: {PLACEMENT_LABELS['paper-method']}"
                                 + ("\nshaded: the paper's Fig. 13(b) intervals" if model == "alexnet" else ""))

    return Figure(name, title, data, table, draw)


def fig13(ctx: Context) -> Figure:
    return sd_figure("fig13", "alexnet", ctx)


def fig14(ctx: Context) -> Figure:
    return sd_figure("fig14", "vgg19", ctx)
