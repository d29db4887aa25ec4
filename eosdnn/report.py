"""Rich tables for the command line: models, environments and evaluation results."""

from __future__ import annotations

import math

import json

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from eosdnn.compare import SolverSummary
from eosdnn.framework.registry import Registry
from eosdnn.problems.bounds import gap_to_bound
from eosdnn.problems.environment import MB
from eosdnn.problems.models import DnnModel
from eosdnn.problems.constraints import INFEASIBLE
from eosdnn.problems.objectives import OBJECTIVES, unit_of
from eosdnn.solvers.exhaustive import about
from eosdnn.problems.plan_report import PlanReport
from eosdnn.problems.scenario import Scenario
from eosdnn.sweep import point_label
from eosdnn.upload_tasks import UploadSummary


def seconds(value: float) -> str:
    return f"{value:.4f}"


def amount(value: float | None, unit: str) -> str:
    """A figure in its unit's style: seconds to 4 decimals, energy and money to 4 significant digits."""
    if value is None:
        return "-"
    return seconds(value) if unit == "s" else f"{value:.4g}"


def models_table(models: list[DnnModel]) -> Table:
    table = Table(title="Built-in models")
    for column in ("model", "layers", "params (M)", "GFLOPs (MAC)", "weights (MB)", "input (MB)", "chain"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for model in models:
        table.add_row(
            model.name,
            str(model.n_layers),
            f"{model.total_weight_bytes / 4 / 1e6:.2f}",
            f"{model.total_flops / 1e9:.3f}",
            f"{model.total_weight_bytes / MB:.1f}",
            f"{model.input_bytes / MB:.3f}",
            "yes" if model.is_chain() else "DAG",
        )
    return table


def model_summary_table(model: DnnModel) -> Table:
    """One model in one row: layers, modules, operations, weights and input (`--layers` for every layer)."""
    unit = "GFLOPs" if model.ops_unit == "flops" else "G cycles (measured)"
    modules = len({layer.module for layer in model.layers if layer.module})
    table = Table(title=f"{model.name} (--layers for every layer)")
    for column in ("model", "layers", "modules", unit, "weights (MB)", "input (MB)", "graph"):
        table.add_column(column, justify="left" if column in ("model", "graph") else "right")
    table.add_row(model.name, f"{model.n_layers:,}", f"{modules:,}", f"{model.total_flops / 1e9:.3f}",
                  f"{model.total_weight_bytes / MB:.1f}", f"{model.input_bytes / MB:.3f}",
                  "chain" if model.is_chain() else "DAG")
    return table


def model_table(model: DnnModel) -> Table:
    unit = "GFLOPs" if model.ops_unit == "flops" else "G cycles (measured)"
    per_layer = "MFLOPs" if model.ops_unit == "flops" else "M cycles"
    table = Table(title=f"{model.name}: {model.n_layers} layers, {model.total_flops / 1e9:.3f} {unit}, "
                        f"{model.total_weight_bytes / MB:.1f} MB of weights")
    for column in ("#", "layer", "module", per_layer, "out (MB)", "weights (MB)", "inputs"):
        table.add_column(column, justify="right" if column in ("#", per_layer, "out (MB)", "weights (MB)") else "left")
    for i, layer in enumerate(model.layers):
        table.add_row(
            str(i + 1),
            layer.name,
            layer.module or "",
            f"{layer.flops / 1e6:.2f}",
            f"{layer.out_bytes / MB:.4f}",
            f"{layer.weight_bytes / MB:.9f}",
            ", ".join(layer.inputs) if layer.inputs else "(input)",
        )
    return table


def environment_table(scenario: Scenario) -> Table:
    env = scenario.environment
    table = Table(title=f"Environment ({scenario.name}, seed {scenario.seed})")
    for column in ("node", "tier", "GHz", "pools"):
        table.add_column(column, justify="left" if column in ("node", "tier") else "right")
    for node in env.nodes:
        table.add_row(node.name, node.tier, f"{node.ghz:.3f}", str(node.pools))
    b = env.bandwidth
    table.caption = (f"MB/s: client-edge {b.client_edge:g}, client-cloud {b.client_cloud:g}, edge-cloud {b.edge_cloud:g}, "
                     f"edge-edge {b.edge_edge:g}, cloud-cloud {b.cloud_cloud:g}")
    return table


def gap(value: float, bound: float | None) -> str:
    """A plan's distance above the lower bound, as a share of the bound (MODEL.md section 7); "-"
    when the objective has no bound; "infeasible" for a value that breaks the scenario's limits."""
    return "infeasible" if value >= INFEASIBLE else percent(gap_to_bound(value, bound))


def figure(value: float) -> str:
    """An objective value of a summary, or "infeasible" for one that breaks the scenario's limits
    (MODEL.md section 3b: its value is the penalty, not a figure to read)."""
    return "infeasible" if value >= INFEASIBLE else seconds(value)


CONTENTION_FREE = "contention-free"


def bound_source(parts: dict[str, float], unit: str = "s") -> str | None:
    """Where a lower bound made of named parts (`MigrationProblem.bounds`) comes from, with the
    contention-free bound beside it when another part is larger; None for the contention-free one."""
    name = max(parts, key=lambda part: parts[part], default=CONTENTION_FREE)
    if name == CONTENTION_FREE:
        return None
    beside = f"; {CONTENTION_FREE} {amount(parts[CONTENTION_FREE], unit)} {unit}" if CONTENTION_FREE in parts else ""
    if name.endswith(" capacity"):
        return f"{name}: what the tier's pools can process in time, docs/MODEL.md section 7{beside}"
    return f"{name}, docs/MODEL.md section 7{beside}"


def bound_note(bound: float, source: str | None = None, unit: str = "s") -> str:
    why = source or "no plan can do better: each task's least completion time without waiting, docs/CHOICES.md"
    return f"lower bound {amount(bound, unit)} {unit} ({why}); gap = (value - bound) / bound. "


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 seed', '2 seeds'."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def exact_status_line(status: str, bound: float | None, gap_value: float | None, model_status: str | None,
                      unit: str = "s") -> str:
    """An exact solver's verdict in one formatted line (the table above shows the plan and its gap)."""
    model = f"; model status {model_status}" if model_status not in (None, status) else ""
    if status == "optimal":
        return f"status optimal: proven optimal for the evaluator (gap {percent(gap_value or 0.0)}){model}"
    if bound is None:
        return f"status {status}: no bound proven{model}"
    return (f"status {status}: proven bound {amount(bound, unit)} {unit}, gap {percent(gap_value or 0.0)}{model}")


def results_table(title: str, rows: dict[str, PlanReport], objective: str, bound: float | None = None,
                  bound_source: str | None = None) -> Table:
    """One row per plan: total, makespan, the T1/T2/T3 sums, energy, cost and the gap to the lower
    bound; the best objective value in bold green."""
    table = Table(title=title)
    columns = {"total": "total (s)", "makespan": "makespan (s)", "exec": "exec T1", "transfer": "transfer T2",
               "wait": "wait T3", "energy": "energy (J)", "cost": "cost (USD)"}
    table.add_column("plan")
    for key, label in columns.items():
        table.add_column(f"{label} *" if key == objective else label, justify="right")
    if bound is not None:
        table.add_column("gap to bound", justify="right")
    best = min(row.value for row in rows.values()) if rows else None
    for name, row in rows.items():
        cells = []
        for key in columns:
            cell = amount(getattr(row, key), unit_of(key) if key in ("energy", "cost") else "s")
            if key == objective and row.value == best:
                cell = f"[bold green]{cell}[/]"
            cells.append(cell)
        if bound is not None:
            cells.append(gap(row.value, bound) if row.feasible else f"breaks limits by {percent(row.violation)}")
        table.add_row(name, *cells)
    table.caption = ((bound_note(bound, bound_source, unit_of(objective)) if bound is not None else "")
                     + f"* objective: {OBJECTIVES.describe(objective)}; best in green. exec, transfer and wait are "
                     "sums over every layer of every task; layers overlap in time, so they do not add up to the "
                     "completion times")
    return table


def feasibility_line(scenario: Scenario, plan: PlanReport) -> str | None:
    """For a scenario with limits or deadlines: whether the plan keeps them, or how far the least
    violating plan found is from keeping them; None without limits."""
    if not scenario.constrained:
        return None
    deadlines = sum(task.deadline is not None for task in scenario.tasks)
    kept = ", ".join([str(limit) for limit in scenario.constraints] + ([plural(deadlines, "task deadline")]
                                                                       if deadlines else []))
    if plan.feasible:
        return f"The plan keeps every limit ({kept})."
    return (f"No feasible plan found: the least violating plan breaks the limits ({kept}) by {percent(plan.violation)} "
            "in all (relative to each limit); plans that keep them may not exist")


def free_order_line(free, seconds_limit: float) -> str:
    """What the fixed order u costs one placement (`solvers.cpsat.FreeOrderSchedule`), in one line."""
    found = "none found" if free.value is None else f"{seconds(free.value)} s found"
    proven = "proven optimal" if free.status == "optimal" else f"at least {seconds(free.bound)} s proven"
    return (f"Free-order schedule of this placement (CP-SAT, at most {seconds_limit:g} s): {found}, {proven}; "
            f"the evaluator's fixed order u ({seconds(free.fixed_value)} s) costs at most {percent(free.cost_of_order)}")


def recommendation_line(label: str, value: float, wall_s: float, bound: float | None, others: dict[str, float],
                        unit: str = "s") -> str:
    """The recommended plan, its gap to the bound (when the objective has one) and how much it saves
    against every other plan."""
    savings = ", ".join(f"{percent((v - value) / v if v > 0 else 0.0)} below {name}" for name, v in others.items())
    above = "" if bound is None else f", {gap(value, bound)} above the lower bound {amount(bound, unit)}"
    return f"Recommended: {label}, {amount(value, unit)} {unit} ({wall_s:.1f} s of search){above}; {savings}"


def tasks_table(title: str, scenario: Scenario, plan: PlanReport) -> Table:
    table = Table(title=title)
    for column in ("task", "model", "client", "completion (s)", "exec", "transfer", "wait"):
        table.add_column(column, justify="left" if column in ("model", "client") else "right")
    env = scenario.environment
    for entry, task in zip(plan.tasks, scenario.tasks):
        table.add_row(str(entry.task), task.model.name, env.nodes[task.client].name, seconds(entry.completion),
                      seconds(entry.exec), seconds(entry.transfer), seconds(entry.wait))
    return table


def _plain(cell) -> str:
    if isinstance(cell, Text):
        return cell.plain
    return Text.from_markup(cell).plain if isinstance(cell, str) else str(cell)


def _widths(table: Table, index: int) -> tuple[int, int, bool]:
    """(natural width, least width without splitting a word or number, whether it may wrap) of one
    column: a cell wraps only between words; a number or a name is never split."""
    column = table.columns[index]
    header = _plain(column.header)
    cells = [_plain(cell) for cell in column._cells]
    natural = max((cell_len(line) for text in [header, *cells] for line in text.splitlines() or [""]), default=1)
    wraps = any(" " in cell.strip() for cell in cells)
    # a wrapping column may break its cells between words, any column its header; numbers and names never
    pieces = [word for cell in cells for word in cell.split()] if wraps else cells
    least = max([cell_len(piece) for piece in pieces] + [cell_len(word) for word in header.split()], default=1)
    return natural, least, wraps


def _chrome(table: Table, n_columns: int) -> int:
    """Columns of a table's borders and padding for `n_columns` columns."""
    edges = (n_columns + 1) if table.box is not None and table.show_edge else max(n_columns - 1, 0)
    return edges + n_columns * 2


def _sub_table(table: Table, indices: list[int], part: int, parts: int) -> Table:
    title = table.title if part == 0 else f"{_plain(table.title or '')} (continued, {part + 1}/{parts})"
    sub = Table(title=title, caption=table.caption if part == parts - 1 else None, box=table.box,
                show_edge=table.show_edge, show_header=table.show_header)
    for i in indices:
        column = table.columns[i]
        sub.add_column(column.header, justify=column.justify, style=column.style, no_wrap=column.no_wrap)
    for row in zip(*(table.columns[i]._cells for i in indices)):
        sub.add_row(*row)
    return sub


def fit_table(table: Table, width: int) -> list[Table]:
    """The table as one or more tables no wider than `width` in which no number or word is split:
    words wrap inside a cell, and columns that cannot fit move to a continued table that repeats
    the first (label) column. A single column wider than `width` is left whole (the terminal
    wraps the line; the number is still intact)."""
    measures = [_widths(table, i) for i in range(len(table.columns))]
    if sum(m[0] for m in measures) + _chrome(table, len(measures)) <= width:
        for column in table.columns:
            column.no_wrap = True
        return [table]
    if sum(m[1] for m in measures) + _chrome(table, len(measures)) > width and len(measures) > 2:
        groups: list[list[int]] = [[0]]
        for i in range(1, len(measures)):
            trial = groups[-1] + [i]
            if len(groups[-1]) > 1 and sum(measures[j][1] for j in trial) + _chrome(table, len(trial)) > width:
                groups.append([0, i])
            else:
                groups[-1] = trial
        if len(groups) > 1:
            return [piece for part, indices in enumerate(groups)
                    for piece in fit_table(_sub_table(table, indices, part, len(groups)), width)]
    widths = [natural for natural, _least, _wraps in measures]
    deficit = sum(widths) + _chrome(table, len(measures)) - width
    while deficit > 0:  # take one column at a time from the column with most room above its least width
        room, i = max((widths[j] - measures[j][1], j) for j in range(len(widths)))
        if room <= 0:
            break
        widths[i] -= 1
        deficit -= 1
    for column, column_width, (natural, _least, wraps) in zip(table.columns, widths, measures):
        column.width = column_width
        column.overflow = "fold"
        column.no_wrap = not wraps and column_width >= natural
    return [table]


class ReportConsole(Console):
    """A console whose tables never split a number or a word (docs/FORMATS.md): cells wrap only
    between words, and a table too wide for the console continues in a second table that repeats
    its label column. Off a terminal (a pipe, a file) lines may be as wide as the tables need."""

    def print(self, *objects, **kwargs) -> None:  # noqa: A003 (rich's name)
        fitted: list = []
        for item in objects:
            fitted += fit_table(item, self.width) if isinstance(item, Table) else [item]
        for item in fitted:
            super().print(item, **kwargs)


def console(stderr: bool = False) -> Console:
    """The report console: standard output (or standard error, when a machine-readable output goes
    to standard output); 80 columns where the terminal is narrower than that is unknown."""
    probe = Console(stderr=stderr)
    return ReportConsole(stderr=stderr, width=None if probe.is_terminal else 200)


def comparison_table(title: str, rows: dict[str, SolverSummary], bound: float | None = None,
                     bound_from: str | None = None) -> Table:
    """Per solver over seeds: mean, std, best, the mean's gap to the lower bound, evaluations, wall
    time, T1/T2/T3 means; best mean in green."""
    table = Table(title=title)
    columns = ["solver", "mean", "std", "best", "gap to bound", "evals", "wall (s)", "exec T1", "transfer T2",
               "wait T3"]
    if bound is None:
        columns.remove("gap to bound")
    else:
        table.caption = bound_note(bound, bound_from) + "Gap of the mean."
    for column in columns:
        table.add_column(column, justify="left" if column == "solver" else "right")
    best_mean = min(row.mean for row in rows.values())
    best_best = min(row.best for row in rows.values())
    for name, row in rows.items():
        mean = figure(row.mean)
        best = figure(row.best)
        table.add_row(
            name,
            f"[bold green]{mean}[/]" if row.mean == best_mean else mean,
            seconds(row.std),
            f"[bold green]{best}[/]" if row.best == best_best else best,
            *([gap(row.mean, bound)] if bound is not None else []),
            f"{row.evaluations:.0f}",
            f"{row.wall_s:.2f}",
            seconds(row.exec),
            seconds(row.transfer),
            seconds(row.wait),
        )
    return table


def plan_runs(names: list[str], nodes: list[str]) -> str:
    """'conv1..pool2 -> edge3; conv3 -> cloud1' : consecutive layers on one node folded together."""
    parts = []
    start = 0
    for i in range(1, len(names) + 1):
        if i == len(names) or nodes[i] != nodes[start]:
            span = names[start] if i - 1 == start else f"{names[start]}..{names[i - 1]}"
            parts.append(f"{span} -> {nodes[start]}")
            start = i
    return "; ".join(parts)


def plan_lines(scenario: Scenario, placement: dict, plan: PlanReport) -> list[str]:
    """One line per task: completion time and runs of consecutive layers with their node,
    e.g. `task 0 alexnet client0 0.6110 s: conv1 client0 | conv2..fc8 edge3`."""
    lines = []
    for entry, task, result in zip(placement["tasks"], scenario.tasks, plan.tasks):
        names = task.model.names
        runs = plan_runs(names, [entry["nodes"][n] for n in names]).replace(" -> ", " ").replace("; ", " | ")
        lines.append(f"task {entry['task']} {task.model.name} {entry['client']} {seconds(result.completion)} s: {runs}")
    return lines


def plan_detail_table(title: str, scenario: Scenario, placement: dict, schedule) -> Table:
    """Every layer of every task: node, start, finish and its exec, transfer and wait (seconds)."""
    table = Table(title=title)
    for column in ("task", "layer", "node", "start", "finish", "exec", "transfer", "wait"):
        table.add_column(column, justify="left" if column in ("layer", "node") else "right")
    position = 0
    for entry, task in zip(placement["tasks"], scenario.tasks):
        for name in task.model.names:
            table.add_row(str(entry["task"]), name, entry["nodes"][name], seconds(schedule.start[position]),
                          seconds(schedule.finish[position]), seconds(schedule.exec[position]),
                          seconds(schedule.transfer[position]), seconds(schedule.wait[position]))
            position += 1
    return table


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


def validation_table(title: str, solvers: dict[str, dict]) -> Table:
    """Per solver: mean and max gap to the optimum, hits of the optimum, wall time; best mean in green."""
    table = Table(title=title)
    for column in ("solver", "mean gap", "max gap", "hit optimum", "evals", "wall (s)"):
        table.add_column(column, justify="left" if column == "solver" else "right")
    best = min(row["mean_gap"] for row in solvers.values())
    for name, row in solvers.items():
        mean = percent(row["mean_gap"])
        table.add_row(
            name,
            f"[bold green]{mean}[/]" if row["mean_gap"] == best else mean,
            percent(row["max_gap"]),
            f"{row['hits']}/{row['certified_runs']}",
            f"{row['evaluations']:.0f}",
            f"{row['wall_s']:.3f}",
        )
    return table


def count_text(count: int) -> str:
    """A count for people: exact below 10^15, else `about 5.78e270` (a real model's placements)."""
    return f"{count:,}" if count < 10**15 else about(math.log10(count))


def instances_table(instances: list[dict]) -> Table:
    """How each instance's reference was obtained."""
    table = Table(title="Instances and their exact reference")
    for column in ("instance", "tasks", "layers", "pools", "placements", "method", "status", "optimum", "lower bound",
                   "time (s)", "order u costs"):
        table.add_column(column, justify="left" if column in ("instance", "method", "status", "pools") else "right")
    for entry in instances:
        exact = entry["exact"]
        table.add_row(
            entry["name"], str(entry["tasks"]), str(entry["layers"]), ",".join(map(str, entry["pools"])),
            count_text(entry["placements"]), exact["method"], exact["status"],
            seconds(exact["value"]) if exact["certified"] else f">= {seconds(exact['bound'])}",
            seconds(entry["lower_bound"]),
            f"{exact['wall_s']:.2f}",
            percent(exact.get("cost_of_order")),
        )
    table.caption = ("order u costs: the optimum's excess over the best schedule with any order on each pool "
                     "(CP-SAT), where both are proven; - otherwise")
    return table


PLANNER_LABELS = {"lmu": "LMU", "non-uploading": "non-upl.", "ionn": "IONN", "recursive-efficiency": "rec.-eff.",
                  "exact": "exact"}


def ssd_text(value: float) -> str:
    """SSD in s^2, one format for a whole column (two decimals)."""
    return f"{value:.2f}"


def upload_table(title: str, rows: dict[str, dict], refused: dict[str, str] | None = None) -> Table:
    """Per planner: SSD, improvement over Non-uploading, partitions, largest share, upload time; the
    least SSD in green."""
    table = Table(title=title)
    for column in ("planner", "SSD (s^2)", "vs non-upl.", "parts", "largest", "upload (s)", "SD start->end (s)"):
        table.add_column(column, justify="left" if column == "planner" else "right")
    best = min((row["ssd"] for row in rows.values()), default=None)
    for name, row in rows.items():
        ssd = ssd_text(row["ssd"])
        table.add_row(
            name,
            f"[bold green]{ssd}[/]" if row["ssd"] == best else ssd,
            percent(row["improvement"]),
            str(row["partitions"]),
            percent(row["largest_share"]),
            f"{row['upload_s']:.2f}",
            f"{row['sd_initial']:.4f}->{row['sd_final']:.4f}",
        )
    for name in refused or {}:
        table.add_row(name, "refused", "", "", "", "", "")
    return table


def upload_tasks_table(title: str, summary: UploadSummary, planners: list[str]) -> Table:
    """One line per task: every planner's SSD (s^2), the task's least marked with `*` (and green); a
    last line sums the SSDs over the tasks (of the planners that planned all); the caption counts
    each planner's wins."""
    rows, totals, wins = summary.rows, summary.totals, summary.wins
    table = Table(title=title)
    table.add_column("task", justify="right")
    table.add_column("model")
    table.add_column("units", justify="right")
    label = {name: PLANNER_LABELS.get(name, name) for name in planners}
    for name in planners:
        table.add_column(label[name], justify="right")
    for row in rows:
        cells = []
        for name in planners:
            value = row.ssd.get(name)
            text = "refused" if value is None else ssd_text(value)
            cells.append(f"[bold green]{text}*[/]" if name == row.best else f"{text} ")
        table.add_row(str(row.task), row.model, str(row.units), *cells)
    table.add_section()
    table.add_row("all", plural(len(rows), "task"), str(sum(row.units for row in rows)),
                  *[f"{ssd_text(totals[name])} " if name in totals else "- " for name in planners])
    best = ", ".join(f"{label[name]} on {plural(count, 'task')}" for name, count in wins.items() if count)
    table.caption = ("SSD of each planner in s^2: the area under a query's delay while the weights upload "
                     "(MODEL.md section 6); * the task's least" + (f"; best: {best}" if best else "")
                     + "; the last line sums over the tasks")
    return table


def parameter_lines(registry: Registry, name: str) -> str:
    """`key = default (range)`, one line per parameter, or `none`."""
    details = registry.parameter_details(name)
    if not details:
        return "none"
    lines = []
    for key, default, span in details:
        shown = json.dumps(list(default) if isinstance(default, tuple) else default)
        lines.append(f"{key} = {shown}" + (f" ({span})" if span else ""))
    return "\n".join(lines)


def registry_table(title: str, registry: Registry) -> Table:
    """Every entry of a registry: its name, what it does (one whole sentence) and the parameters it
    takes, each with its default and the values it accepts."""
    table = Table(title=title, show_lines=True)
    for column in ("name", "what it does", "parameters (default, accepted values)"):
        table.add_column(column)
    for name in registry.names():
        table.add_row(name, escape(registry.describe(name)), escape(parameter_lines(registry, name)))
    aliases = registry.aliases()
    if aliases:
        table.caption = "; ".join(f"{old}: old name of {new}, still accepted with a warning" for old, new in aliases.items())
    return table


def sweep_table(title: str, entries: list[dict]) -> Table:
    """A sweep's summary: per grid point, every solver (with its parameters) ranked by its mean."""
    table = Table(title=title)
    for column in ("grid point", "solver", "params", "runs", "mean", "std", "best", "gap to bound", "rank"):
        table.add_column(column, justify="left" if column in ("grid point", "solver", "params") else "right")
    for entry in entries:
        point = point_label(json.loads(entry["point"]))
        params = ", ".join(f"{k}={v}" for k, v in json.loads(entry["params"]).items()) or "-"
        if entry["runs"] == 0:
            table.add_row(point, entry["solver"], params, "failed", escape(str(entry["error"])), "", "", "", "")
            continue
        infeasible = entry["mean"] >= INFEASIBLE
        table.add_row(point, entry["solver"], params, str(entry["runs"]), figure(entry["mean"]),
                      "-" if infeasible else f"{entry['std']:.4f}", figure(entry["best"]),
                      "infeasible" if infeasible else percent(entry["gap"]), str(entry["rank"]))
    return table
