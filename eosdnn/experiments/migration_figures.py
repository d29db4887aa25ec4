"""Figs. 15-18: migration delay of the paper's EosDNN (`eosdnn-paper`, what every verdict is judged
on), the enhanced EosDNN+ (`eosdnn-plus`, an extra line) and the rivals on the paper's setups, each
beside the scenario's lower bound, with the paper's claims judged by `verdicts`; and the convergence
of every solver."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.markup import escape
from rich.table import Table

from eosdnn import plots, report
from eosdnn.experiments.settings import (ALGORITHMS, ENHANCED, LABELS, PAPER_METHOD, PAPER_RIVALS, Context, Figure,
                                         Settings, Setup, spread)
from eosdnn.experiments.verdicts import Claim, Comparison, claims_data

ENVIRONMENTS = {"L-E": "paper-le", "L-C": "paper-lc", "L-E-C": "paper"}
PARTS = ("exec", "transfer", "wait", "total")


FIG15_ALGORITHMS = (PAPER_METHOD, ENHANCED, "greedy")
METHOD = LABELS[PAPER_METHOD]


def fig15_setups(settings: Settings) -> dict[tuple[str, str, int], Setup]:
    """(environment, model, seed) -> the setup: each model alone with its tasks, in L-E, L-C and L-E-C."""
    return {(env, model, seed): Setup(seed, preset=preset, per_model=settings.tasks_per_model, models=(model,))
            for env, preset in ENVIRONMENTS.items() for model in settings.models for seed in settings.seed_list}


def runs_fig15(settings: Settings) -> list[tuple[Setup, str]]:
    return [(setup, a) for setup in fig15_setups(settings).values() for a in FIG15_ALGORITHMS]


def fig15(ctx: Context) -> Figure:
    """The paper's EosDNN: execution, transmission, waiting and total delay per model in L-E, L-C and
    L-E-C, with EosDNN+'s and Greedy's totals and the lower bound beside it (the environment's effect
    told from the search's)."""
    settings = ctx.settings
    methods = (PAPER_METHOD, ENHANCED)
    values: dict[Any, Any] = {a: {part: {env: {m: [] for m in settings.models} for env in ENVIRONMENTS}
                                  for part in PARTS} for a in methods}
    greedy: dict[Any, Any] = {env: {m: [] for m in settings.models} for env in ENVIRONMENTS}
    bounds: dict[Any, Any] = {env: {m: [] for m in settings.models} for env in ENVIRONMENTS}
    for (env, model, _), setup in fig15_setups(settings).items():
        bounds[env][model].append(ctx.bound(setup))
        for method in methods:
            plan = ctx.run(setup, method).report
            for part in PARTS:
                values[method][part][env][model].append(getattr(plan, part))
        greedy[env][model].append(ctx.run(setup, "greedy").value)

    def summary(table: dict) -> dict:
        return {env: {m: spread(v) for m, v in by_model.items()} for env, by_model in table.items()}

    judged = values[PAPER_METHOD]
    claims = fig15_claims(settings, judged)
    extra = fig15_claims(settings, values[ENHANCED], f"@{ENHANCED}")
    data: dict[str, Any]
    data = {"environments": list(ENVIRONMENTS), "models": list(settings.models),
            "tasks_per_model": settings.tasks_per_model, "seeds": settings.seed_list, "judged": PAPER_METHOD,
            **{part: summary(judged[part]) for part in PARTS},
            "enhanced": {part: summary(values[ENHANCED][part]) for part in PARTS},
            "greedy_total": summary(greedy), "lower_bound": summary(bounds), "claims": claims_data(claims),
            "sensitivity": claims_data(extra)}
    table = Table(title=f"Fig. 15: {METHOD} delays (s, mean over seeds), {settings.tasks_per_model} tasks per model")
    for column in ("model", "env", "exec T1", "transfer T2", "wait T3", "total", f"{LABELS[ENHANCED]} total",
                   "Greedy total", "lower bound"):
        table.add_column(column, justify="left" if column in ("model", "env") else "right")
    for model in settings.models:
        for env in ENVIRONMENTS:
            table.add_row(model, env, *[f"{data[part][env][model]['mean']:.3f}" for part in PARTS],
                          f"{data['enhanced']['total'][env][model]['mean']:.3f}",
                          f"{data['greedy_total'][env][model]['mean']:.3f}",
                          f"{data['lower_bound'][env][model]['mean']:.3f}")

    def draw(path: str) -> None:
        panels = {f"{METHOD}: {part}": {env: [data[part][env][m] for m in settings.models] for env in ENVIRONMENTS}
                  for part in PARTS}
        panels[f"{LABELS[ENHANCED]}: total (extra)"] = {
            env: [data["enhanced"]["total"][env][m] for m in settings.models] for env in ENVIRONMENTS}
        panels["Greedy: total (reference)"] = {env: [data["greedy_total"][env][m] for m in settings.models]
                                               for env in ENVIRONMENTS}
        plots.bar_panels(path, list(settings.models), panels, f"Fig. 15: {METHOD} in L-E, L-C and L-E-C")

    return Figure("fig15", str(table.title), data, table, draw)


def fig15_claims(settings: Settings, delays: dict, suffix: str = "") -> list[Claim]:
    """Fig. 15's claims on one method's delays ({part: {env: {model: per-seed values}}})."""
    def highest(part: str, env: str) -> list[Comparison]:
        return [Comparison(f"{other} {part} below {env} {part}, {m}", delays[part][other][m], delays[part][env][m])
                for m in settings.models for other in ENVIRONMENTS if other != env]

    return [
        Claim(f"fig15-le-exec{suffix}", "L-E has the highest execution delay", highest("exec", "L-E")),
        Claim(f"fig15-le-wait{suffix}", "L-E has the highest waiting delay", highest("wait", "L-E")),
        Claim(f"fig15-lc-transfer{suffix}", "L-C has the highest transmission delay", highest("transfer", "L-C")),
        Claim(f"fig15-lec-total{suffix}", "L-E-C has the lowest migration delay",
              [Comparison(f"L-E-C total below {other} total, {m}", delays["total"]["L-E-C"][m], delays["total"][other][m])
               for m in settings.models for other in ENVIRONMENTS if other != "L-E-C"]),
    ]


def algorithm_sweep(ctx: Context, grid: dict) -> dict[str, dict]:
    """Every algorithm on every setup of `grid` ({(point, seed): setup}): {algorithm: {point: [delay]}},
    the best plan found per point and seed under "best", and the scenarios' lower bounds under "bound"."""
    points = list(dict.fromkeys(point for point, _ in grid))
    values: dict[Any, Any] = {a: {point: [] for point in points} for a in (*ALGORITHMS, "bound")}
    for (point, _), setup in grid.items():
        values["bound"][point].append(ctx.bound(setup))
        for algorithm in ALGORITHMS:
            values[algorithm][point].append(ctx.run(setup, algorithm).value)
    values["best"] = {point: [min(values[a][point][i] for a in ALGORITHMS) for i in range(ctx.settings.seeds)]
                      for point in points}
    return values


def sweep_runs(grid: dict) -> list[tuple[Setup, str]]:
    return [(setup, a) for setup in grid.values() for a in ALGORITHMS]


def fig16_grid(settings: Settings) -> dict[tuple[str, int], Setup]:
    """(model, seed) -> the setup: each model alone with its tasks, in L-E-C (Fig. 15's L-E-C setups)."""
    return {(model, seed): Setup(seed, per_model=settings.tasks_per_model, models=(model,))
            for model in settings.models for seed in settings.seed_list}


def runs_fig16(settings: Settings) -> list[tuple[Setup, str]]:
    return sweep_runs(fig16_grid(settings))


def fig16(ctx: Context) -> Figure:
    """Migration delay of the paper's EosDNN, EosDNN+, GA, prePSO, Greedy and HEFT per model, the best
    plan found and the lower bound; the paper's claim judged on the paper's EosDNN."""
    settings = ctx.settings
    values = algorithm_sweep(ctx, fig16_grid(settings))
    bound, best = values.pop("bound"), values.pop("best")
    claims = fig16_claims(settings, values, PAPER_METHOD)
    extra = fig16_claims(settings, values, ENHANCED, f"@{ENHANCED}")
    data: dict[str, Any]
    data = {"models": list(settings.models), "tasks_per_model": settings.tasks_per_model, "seeds": settings.seed_list,
            "judged": PAPER_METHOD,
            "delay": {a: {m: spread(v) for m, v in by_model.items()} for a, by_model in values.items()},
            "best": {m: spread(v) for m, v in best.items()},
            "lower_bound": {m: spread(v) for m, v in bound.items()}, "claims": claims_data(claims),
            "sensitivity": claims_data(extra)}
    title = (f"Fig. 16: migration delay (s, sum of completions), {settings.tasks_per_model} tasks per model: "
             "mean [min, max] over seeds")
    table = Table(title=escape(title))
    table.add_column("model")
    for algorithm in ALGORITHMS:
        table.add_column(LABELS[algorithm], justify="right")
    table.add_column("best found", justify="right")
    table.add_column("lower bound", justify="right")
    for model in settings.models:
        cells = [data["delay"][a][model] for a in ALGORITHMS]
        best = min(c["mean"] for c in cells)
        table.add_row(model, *[(f"[bold green]{c['mean']:.3f}[/]" if c["mean"] == best else f"{c['mean']:.3f}")
                               + f" \\[{c['min']:.3g}, {c['max']:.3g}]" for c in cells],
                      f"{data['best'][model]['mean']:.3f}", f"{data['lower_bound'][model]['mean']:.3f}")

    def draw(path: str) -> None:
        plots.grouped_bars(path, list(settings.models), {
            LABELS[a]: [data["delay"][a][m] for m in settings.models] for a in ALGORITHMS},
            "migration delay (s)", "Fig. 16: migration delay per model", log=True,
            marks={"lower bound": [data["lower_bound"][m]["mean"] for m in settings.models]})

    return Figure("fig16", title, data, table, draw)


def fig16_claims(settings: Settings, values: dict, method: str, suffix: str = "") -> list[Claim]:
    """Fig. 16's claims on one method ({algorithm: {model: per-seed delays}})."""
    label = LABELS[method]
    return [Claim(f"fig16-lowest{suffix}", f"{label} has the lowest migration delay on every model",
                  [Comparison(f"{label} below {LABELS[rival]}, {m}", values[method][m], values[rival][m])
                   for m in settings.models for rival in PAPER_RIVALS]),
            Claim(f"fig16-prepso{suffix}", f"prePSO is above {label} (merged layers forced onto the cloud)",
                  [Comparison(f"{label} below prePSO, {m}", values[method][m], values["prepso"][m])
                   for m in settings.models])]


def fig17_grid(settings: Settings) -> dict[tuple[int, int], Setup]:
    """(tasks, seed) -> the setup: the four models round-robin, in L-E-C."""
    return {(n, seed): Setup(seed, per_model=n // len(settings.models))
            for n in settings.task_counts for seed in settings.seed_list}


def runs_fig17(settings: Settings) -> list[tuple[Setup, str]]:
    return sweep_runs(fig17_grid(settings))


def fig17(ctx: Context) -> Figure:
    """Migration delay against the number of tasks (the four models round-robin), with the best plan found
    and the lower bound."""
    settings = ctx.settings
    values = algorithm_sweep(ctx, fig17_grid(settings))
    counts = settings.task_counts
    fluctuation = {a: [relative_spread(values[a][n]) for n in counts] for a in ALGORITHMS}
    claims = fig17_claims(settings, values, fluctuation, PAPER_METHOD)
    extra = fig17_claims(settings, values, fluctuation, ENHANCED, f"@{ENHANCED}")
    data: dict[str, Any]
    data = {"tasks": list(counts), "seeds": settings.seed_list, "judged": PAPER_METHOD,
            "delay": {a: [spread(values[a][n]) for n in counts] for a in ALGORITHMS},
            "best": [spread(values["best"][n]) for n in counts],
            "lower_bound": [spread(values["bound"][n]) for n in counts],
            "relative_spread": fluctuation, "claims": claims_data(claims), "sensitivity": claims_data(extra)}
    table = sweep_table("Fig. 17: migration delay (s) against the number of tasks", "tasks",
                        settings.task_counts, data["delay"] | {"best found": data["best"],
                                                               "lower bound": data["lower_bound"]})

    def draw(path: str) -> None:
        plots.sweep_lines(path, list(settings.task_counts), {LABELS[a]: data["delay"][a] for a in ALGORITHMS},
                          "tasks", "migration delay (s)", "Fig. 17: delay against the number of tasks",
                          bound=[cell["mean"] for cell in data["lower_bound"]], scales=("linear", "log"))

    return Figure("fig17", str(table.title), data, table, draw)


def fig17_claims(settings: Settings, values: dict, fluctuation: dict, method: str, suffix: str = "") -> list[Claim]:
    """Fig. 17's claims with `method` as the paper's PSO-GA ({algorithm: {tasks: per-seed delays}})."""
    counts = settings.task_counts
    label = LABELS[method]
    four = (method, *PAPER_RIVALS)
    return [
        Claim(f"fig17-linear{suffix}", f"{label}'s delay grows about linearly with the number of tasks",
              [Comparison(f"1 - R^2 of a straight line through {label}'s delays, seed {seed}, below {LINEAR_TOLERANCE}",
                          [1.0 - r_squared(list(counts), [values[method][n][i] for n in counts])],
                          [LINEAR_TOLERANCE]) for i, seed in enumerate(settings.seed_list)]),
        Claim(f"fig17-lowest{suffix}", f"{label} is the lowest of the paper's four at every number of tasks",
              [Comparison(f"{label} below {LABELS[rival]}, {n} tasks", values[method][n], values[rival][n])
               for n in counts for rival in PAPER_RIVALS]),
        Claim(f"fig17-greedy{suffix}", "Greedy fluctuates most: the largest relative spread over seeds at every "
                                       "number of tasks",
              [Comparison(f"{LABELS[a]}'s spread below Greedy's, {n} tasks", [fluctuation[a][j]], [fluctuation["greedy"][j]])
               for j, n in enumerate(counts) for a in four if a != "greedy"]),
    ]


CONVERGENCE_SOLVERS: dict[str, str] = {
    LABELS[PAPER_METHOD]: PAPER_METHOD, "PSO-GA (bare)": "psoga", "GA": "ga", "prePSO": "prepso",
    LABELS[ENHANCED]: ENHANCED, "local search from PEFT": "local-search", "Greedy": "greedy", "HEFT": "heft",
    "PEFT": "peft",
}


def runs_convergence(settings: Settings) -> list[tuple[Setup, str]]:
    return [(Setup(seed), solver) for seed in settings.seed_list for solver in CONVERGENCE_SOLVERS.values()]


def convergence(ctx: Context) -> Figure:
    """Best total against evaluations for every migration solver on the paper scenario (12 tasks),
    every seed, at the figures' budgets (`migrate`), with the lower bound."""
    settings = ctx.settings
    evaluations = settings.particles * settings.iterations
    histories: dict[str, list] = {label: [] for label in CONVERGENCE_SOLVERS}
    finals: dict[str, list[float]] = {label: [] for label in CONVERGENCE_SOLVERS}
    bounds = []
    for seed in settings.seed_list:
        setup = Setup(seed)
        bounds.append(ctx.bound(setup))
        for label, solver in CONVERGENCE_SOLVERS.items():
            result = ctx.run(setup, solver)
            histories[label].append([[int(e), float(v)] for e, v in result.history])
            finals[label].append(result.value)
    data: dict[str, Any]
    data = {"seeds": settings.seed_list, "evaluations": evaluations, "lower_bound": spread(bounds),
            "final": {label: spread(v) for label, v in finals.items()}, "histories": histories}
    budget = "a quick budget" if settings.quick else "the paper's budget"
    table = Table(title=f"Convergence on the paper scenario: best total (s) at {budget} ({evaluations:,} "
                        f"evaluations; PSO-GA, the paper's EosDNN and prePSO add their seeding GA), mean over "
                        f"{settings.seeds} seeds; "
                        f"lower bound {data['lower_bound']['mean']:.4f}")
    for column in ("solver", "mean", "min", "max", "gap to bound"):
        table.add_column(column, justify="left" if column == "solver" else "right")
    for label, cell in data["final"].items():
        table.add_row(label, f"{cell['mean']:.4f}", f"{cell['min']:.4f}", f"{cell['max']:.4f}",
                      report.gap(cell["mean"], data["lower_bound"]["mean"]))

    def draw(path: str) -> None:
        plots.convergence_plot(path, {label: [[tuple(p) for p in run] for run in runs] for label, runs in histories.items()},
                               "Convergence on the paper scenario (12 tasks)", data["lower_bound"]["mean"])

    return Figure("convergence", str(table.title), data, table, draw)


def fig18_setups(settings: Settings) -> dict[tuple[int, int], Setup]:
    """(clients, seed) -> the setup: 12 tasks (4 with --quick), the four models round-robin."""
    per_model = 1 if settings.quick else 3
    return {(clients, seed): Setup(seed, per_model=per_model, clients=clients)
            for clients in settings.client_counts for seed in settings.seed_list}


def runs_fig18(settings: Settings) -> list[tuple[Setup, str]]:
    return [(setup, a) for setup in fig18_setups(settings).values() for a in FIG15_ALGORITHMS]


FIG18_UNTESTABLE = ("docs/MODEL.md's links are contention-free: a client's tasks never share its uplink, so adding "
                    "clients adds no bandwidth and cannot lower transmission delay; the lower bound is the same for "
                    "every number of clients")


def fig18(ctx: Context) -> Figure:
    """The paper's EosDNN's delay and its parts against the number of clients (12 tasks), EosDNN+'s and
    Greedy's totals and the lower bound for reference; the paper's mechanism is untestable here."""
    settings = ctx.settings
    setups = fig18_setups(settings)
    tasks = next(iter(setups.values())).per_model * len(settings.models)
    clients = settings.client_counts
    values: dict[Any, Any] = {part: {c: [] for c in clients} for part in PARTS}
    enhanced: dict[Any, Any] = {c: [] for c in clients}
    greedy: dict[Any, Any] = {c: [] for c in clients}
    bounds: dict[Any, Any] = {c: [] for c in clients}
    for (count, _), setup in setups.items():
        bounds[count].append(ctx.bound(setup))
        plan = ctx.run(setup, PAPER_METHOD).report
        for part in PARTS:
            values[part][count].append(getattr(plan, part))
        enhanced[count].append(ctx.run(setup, ENHANCED).value)
        greedy[count].append(ctx.run(setup, "greedy").value)
    first, last = clients[0], clients[-1]
    claims = [Claim("fig18-falls", "the delay falls as clients are added, mostly through lower transmission delay",
                    [Comparison(f"{METHOD} total at {last} clients below at {first}", values["total"][last],
                                values["total"][first]),
                     Comparison(f"{METHOD} transfer at {last} clients below at {first}", values["transfer"][last],
                                values["transfer"][first]),
                     Comparison(f"lower bound at {last} clients below at {first}", bounds[last], bounds[first])],
                    untestable=FIG18_UNTESTABLE)]
    data: dict[str, Any]
    data = {"clients": list(clients), "tasks": tasks, "seeds": settings.seed_list, "judged": PAPER_METHOD,
            "paper_method": {part: [spread(values[part][c]) for c in clients] for part in PARTS},
            "enhanced_total": [spread(enhanced[c]) for c in clients],
            "greedy_total": [spread(greedy[c]) for c in clients],
            "lower_bound": [spread(bounds[c]) for c in clients], "claims": claims_data(claims)}
    parts = ("total", "exec", "transfer", "wait")  # the total first: it keeps the method's own colour
    series = ({f"{METHOD} {part}": data["paper_method"][part] for part in parts}
              | {f"{LABELS[ENHANCED]} total": data["enhanced_total"], "Greedy total": data["greedy_total"]})
    table = sweep_table(f"Fig. 18: delays (s) against the number of clients, {tasks} tasks", "clients",
                        clients, series | {"lower bound": data["lower_bound"]})

    def draw(path: str) -> None:
        totals = [f"{METHOD} total", f"{LABELS[ENHANCED]} total", "Greedy total"]
        plots.sweep_lines(path, list(clients), series, "clients", "delay (s)",
                          f"Fig. 18: delay against the number of clients ({tasks} tasks)",
                          bound=[cell["mean"] for cell in data["lower_bound"]],
                          panels={"totals (linear y axis)": totals,
                                  f"{METHOD}'s parts (linear y axis)": [f"{METHOD} {p}" for p in parts]},
                          bound_on=("totals (linear y axis)",))

    return Figure("fig18", str(table.title), data, table, draw)


def sweep_table(title: str, axis: str, points, series: dict[str, list[dict]]) -> Table:
    table = Table(title=title + ": mean over seeds")
    table.add_column(axis, justify="right")
    for name in series:
        table.add_column(LABELS.get(name, name), justify="right")
    for i, point in enumerate(points):
        table.add_row(str(point), *[f"{series[name][i]['mean']:.3f}" for name in series])
    return table


LINEAR_TOLERANCE = 0.02  # "grows about linearly": a straight line leaves under 2% of the variance unexplained


def r_squared(x: list[float], y: list[float]) -> float:
    """The share of y's variance a least-squares straight line through (x, y) explains."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    slope, intercept = np.polyfit(xs, ys, 1)
    residual = float(np.sum((ys - (slope * xs + intercept)) ** 2))
    total = float(np.sum((ys - ys.mean()) ** 2))
    return 1.0 if total == 0 else 1.0 - residual / total


def relative_spread(values: list[float]) -> float:
    """(max - min) / mean over seeds: how much a method's result fluctuates."""
    return (max(values) - min(values)) / float(np.mean(values))
