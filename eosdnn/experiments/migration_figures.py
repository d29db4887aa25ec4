"""Figs. 15-18: migration delay of EosDNN (the paper's method, `eosdnn`), bare PSO-GA and the rivals on
the paper's setups, each beside the scenario's lower bound; and the convergence of every solver."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from eosdnn import plots, report
from eosdnn.experiments.settings import ALGORITHMS, LABELS, Context, Figure, Settings, Setup, spread

ENVIRONMENTS = {"L-E": "paper-le", "L-C": "paper-lc", "L-E-C": "paper"}
PARTS = ("exec", "transfer", "wait", "total")


FIG15_ALGORITHMS = ("eosdnn", "psoga", "greedy")


def fig15_setups(settings: Settings) -> dict[tuple[str, str, int], Setup]:
    """(environment, model, seed) -> the setup: each model alone with its tasks, in L-E, L-C and L-E-C."""
    return {(env, model, seed): Setup(seed, preset=preset, per_model=settings.tasks_per_model, models=(model,))
            for env, preset in ENVIRONMENTS.items() for model in settings.models for seed in settings.seed_list}


def runs_fig15(settings: Settings) -> list[tuple[Setup, str]]:
    return [(setup, a) for setup in fig15_setups(settings).values() for a in FIG15_ALGORITHMS]


def fig15(ctx: Context) -> Figure:
    """EosDNN's execution, transmission, waiting and total delay per model in L-E, L-C, L-E-C, with bare
    PSO-GA's and Greedy's totals and the lower bound beside it: it tells the environment's effect from
    the search's."""
    settings = ctx.settings
    values: dict[Any, Any] = {part: {env: {m: [] for m in settings.models} for env in ENVIRONMENTS} for part in PARTS}
    greedy: dict[Any, Any] = {env: {m: [] for m in settings.models} for env in ENVIRONMENTS}
    psoga: dict[Any, Any] = {env: {m: [] for m in settings.models} for env in ENVIRONMENTS}
    bounds: dict[Any, Any] = {env: {m: [] for m in settings.models} for env in ENVIRONMENTS}
    for (env, model, _), setup in fig15_setups(settings).items():
        bounds[env][model].append(ctx.bound(setup))
        plan = ctx.run(setup, "eosdnn").report
        for part in PARTS:
            values[part][env][model].append(getattr(plan, part))
        psoga[env][model].append(ctx.run(setup, "psoga").value)
        greedy[env][model].append(ctx.run(setup, "greedy").value)
    data: dict[str, Any]
    data = {"environments": list(ENVIRONMENTS), "models": list(settings.models),
            "tasks_per_model": settings.tasks_per_model, "seeds": settings.seed_list,
            **{part: {env: {m: spread(v) for m, v in by_model.items()} for env, by_model in values[part].items()}
               for part in PARTS},
            "greedy_total": {env: {m: spread(v) for m, v in by_model.items()} for env, by_model in greedy.items()},
            "psoga_total": {env: {m: spread(v) for m, v in by_model.items()} for env, by_model in psoga.items()},
            "lower_bound": {env: {m: spread(v) for m, v in by_model.items()} for env, by_model in bounds.items()}}
    table = Table(title=f"Fig. 15: EosDNN delays (s, mean over seeds), {settings.tasks_per_model} tasks per model")
    for column in ("model", "env", "exec T1", "transfer T2", "wait T3", "total", "PSO-GA (bare) total",
                   "Greedy total", "lower bound"):
        table.add_column(column, justify="left" if column in ("model", "env") else "right")
    for model in settings.models:
        for env in ENVIRONMENTS:
            table.add_row(model, env, *[f"{data[part][env][model]['mean']:.3f}" for part in PARTS],
                          f"{data['psoga_total'][env][model]['mean']:.3f}",
                          f"{data['greedy_total'][env][model]['mean']:.3f}",
                          f"{data['lower_bound'][env][model]['mean']:.3f}")

    def draw(path: str) -> None:
        panels = {f"EosDNN {part}": {env: [data[part][env][m] for m in settings.models] for env in ENVIRONMENTS}
                  for part in PARTS}
        panels["Greedy total (reference)"] = {env: [data["greedy_total"][env][m] for m in settings.models]
                                              for env in ENVIRONMENTS}
        plots.bar_panels(path, list(settings.models), panels, "Fig. 15: EosDNN in L-E, L-C and L-E-C")

    return Figure("fig15", str(table.title), data, table, draw)


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
    """Migration delay of EosDNN, bare PSO-GA, GA, prePSO, Greedy and HEFT per model, the best plan found
    and the lower bound."""
    settings = ctx.settings
    values = algorithm_sweep(ctx, fig16_grid(settings))
    bound, best = values.pop("bound"), values.pop("best")
    data: dict[str, Any]
    data = {"models": list(settings.models), "tasks_per_model": settings.tasks_per_model, "seeds": settings.seed_list,
            "delay": {a: {m: spread(v) for m, v in by_model.items()} for a, by_model in values.items()},
            "best": {m: spread(v) for m, v in best.items()},
            "lower_bound": {m: spread(v) for m, v in bound.items()}}
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
    data: dict[str, Any]
    data = {"tasks": list(settings.task_counts), "seeds": settings.seed_list,
            "delay": {a: [spread(values[a][n]) for n in settings.task_counts] for a in ALGORITHMS},
            "best": [spread(values["best"][n]) for n in settings.task_counts],
            "lower_bound": [spread(values["bound"][n]) for n in settings.task_counts]}
    table = sweep_table("Fig. 17: migration delay (s) against the number of tasks", "tasks",
                        settings.task_counts, data["delay"] | {"best found": data["best"],
                                                               "lower bound": data["lower_bound"]})

    def draw(path: str) -> None:
        plots.sweep_lines(path, list(settings.task_counts), {LABELS[a]: data["delay"][a] for a in ALGORITHMS},
                          "tasks", "migration delay (s)", "Fig. 17: delay against the number of tasks",
                          bound=[cell["mean"] for cell in data["lower_bound"]])

    return Figure("fig17", str(table.title), data, table, draw)


CONVERGENCE_SOLVERS: dict[str, str] = {
    "PSO-GA (bare)": "psoga", "GA": "ga", "prePSO": "prepso", "EosDNN": "eosdnn",
    "local search from PEFT": "local-search", "Greedy": "greedy", "HEFT": "heft", "PEFT": "peft",
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
                        f"evaluations; PSO-GA and prePSO add their seeding GA), mean over {settings.seeds} seeds; "
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


def fig18(ctx: Context) -> Figure:
    """EosDNN's delay and its parts against the number of clients (12 tasks), bare PSO-GA's and Greedy's
    totals and the lower bound for reference."""
    settings = ctx.settings
    setups = fig18_setups(settings)
    tasks = next(iter(setups.values())).per_model * len(settings.models)
    values: dict[Any, Any] = {part: {c: [] for c in settings.client_counts} for part in PARTS}
    greedy: dict[Any, Any] = {c: [] for c in settings.client_counts}
    psoga: dict[Any, Any] = {c: [] for c in settings.client_counts}
    bounds: dict[Any, Any] = {c: [] for c in settings.client_counts}
    for (clients, _), setup in setups.items():
        bounds[clients].append(ctx.bound(setup))
        plan = ctx.run(setup, "eosdnn").report
        for part in PARTS:
            values[part][clients].append(getattr(plan, part))
        psoga[clients].append(ctx.run(setup, "psoga").value)
        greedy[clients].append(ctx.run(setup, "greedy").value)
    data: dict[str, Any]
    data = {"clients": list(settings.client_counts), "tasks": tasks, "seeds": settings.seed_list,
            "eosdnn": {part: [spread(values[part][c]) for c in settings.client_counts] for part in PARTS},
            "psoga_total": [spread(psoga[c]) for c in settings.client_counts],
            "greedy_total": [spread(greedy[c]) for c in settings.client_counts],
            "lower_bound": [spread(bounds[c]) for c in settings.client_counts]}
    series = ({f"EosDNN {part}": data["eosdnn"][part] for part in PARTS}
              | {"PSO-GA (bare) total": data["psoga_total"], "Greedy total": data["greedy_total"]})
    table = sweep_table(f"Fig. 18: delays (s) against the number of clients, {tasks} tasks", "clients",
                        settings.client_counts, series | {"lower bound": data["lower_bound"]})

    def draw(path: str) -> None:
        plots.sweep_lines(path, list(settings.client_counts), series, "clients", "delay (s)",
                          "Fig. 18: delay against the number of clients")

    return Figure("fig18", str(table.title), data, table, draw)


def sweep_table(title: str, axis: str, points, series: dict[str, list[dict]]) -> Table:
    table = Table(title=title + ": mean over seeds")
    table.add_column(axis, justify="right")
    for name in series:
        table.add_column(LABELS.get(name, name), justify="right")
    for i, point in enumerate(points):
        table.add_row(str(point), *[f"{series[name][i]['mean']:.3f}" for name in series])
    return table
