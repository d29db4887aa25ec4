"""Rich tables for the command line: models, environments and evaluation results."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from eosdnn.framework.registry import Registry
from eosdnn.problems.bounds import gap_to_bound
from eosdnn.problems.environment import MB
from eosdnn.problems.models import DnnModel
from eosdnn.problems.objectives import OBJECTIVES
from eosdnn.problems.scenario import Scenario


def seconds(value: float) -> str:
    return f"{value:.4f}"


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


def gap(value: float, bound: float) -> str:
    """A plan's distance above the lower bound, as a share of its value."""
    return percent(gap_to_bound(value, bound))


def bound_note(bound: float) -> str:
    return (f"lower bound {seconds(bound)} s (no plan can do better: each task's least completion time "
            "without waiting, docs/CHOICES.md); gap = (value - bound) / value. ")


def results_table(title: str, rows: dict[str, dict], objective: str, bound: float | None = None) -> Table:
    """One row per plan: total, makespan, the T1/T2/T3 sums and the gap to the lower bound; the best
    objective value in bold green."""
    table = Table(title=title)
    columns = {"total": "total (s)", "makespan": "makespan (s)", "exec": "exec T1", "transfer": "transfer T2",
               "wait": "wait T3"}
    table.add_column("plan")
    for key, label in columns.items():
        table.add_column(f"{label} *" if key == objective else label, justify="right")
    if bound is not None:
        table.add_column("gap to bound", justify="right")
    best = min(row["value"] for row in rows.values()) if rows else None
    for name, row in rows.items():
        cells = []
        for key in columns:
            cell = seconds(row[key])
            if key == objective and row["value"] == best:
                cell = f"[bold green]{cell}[/]"
            cells.append(cell)
        if bound is not None:
            cells.append(gap(row["value"], bound))
        table.add_row(name, *cells)
    table.caption = ((bound_note(bound) if bound is not None else "")
                     + f"* objective ({objective}); best in green. exec, transfer and wait are sums over every "
                     "layer of every task; layers overlap in time, so they do not add up to the "
                     + OBJECTIVES.describe(objective).replace(": ", " (", 1) + ")")
    return table


def recommendation_line(label: str, value: float, wall_s: float, bound: float, others: dict[str, float]) -> str:
    """The recommended plan, its gap to the bound and how much it saves against every other plan."""
    savings = ", ".join(f"{gap(v, value)} below {name}" for name, v in others.items())
    return (f"Recommended: {label}, {seconds(value)} s ({wall_s:.1f} s of search), {gap(value, bound)} above the "
            f"lower bound {seconds(bound)}; {savings}")


def tasks_table(title: str, scenario: Scenario, report: dict) -> Table:
    table = Table(title=title)
    for column in ("task", "model", "client", "completion (s)", "exec", "transfer", "wait"):
        table.add_column(column, justify="left" if column in ("model", "client") else "right")
    env = scenario.environment
    for entry, task in zip(report["tasks"], scenario.tasks):
        table.add_row(str(entry["task"]), task.model.name, env.nodes[task.client].name, seconds(entry["completion"]),
                      seconds(entry["exec"]), seconds(entry["transfer"]), seconds(entry["wait"]))
    return table


class ReportConsole(Console):
    """A console whose tables never cut a number: a cell too wide for its column folds onto the
    next line instead of ending in an ellipsis. Off a terminal (a pipe, a file) lines may be as
    wide as the tables need."""

    def print(self, *objects, **kwargs) -> None:  # noqa: A003 (rich's name)
        for item in objects:
            if isinstance(item, Table):
                for column in item.columns:
                    column.overflow = "fold"
        super().print(*objects, **kwargs)


def console() -> Console:
    probe = Console()
    return ReportConsole(width=None if probe.is_terminal else 200)


def comparison_table(title: str, rows: dict[str, dict], bound: float | None = None) -> Table:
    """Per solver over seeds: mean, std, best, the mean's gap to the lower bound, evaluations, wall
    time, T1/T2/T3 means; best mean in green."""
    table = Table(title=title)
    columns = ["solver", "mean", "std", "best", "gap to bound", "evals", "wall (s)", "exec T1", "transfer T2",
               "wait T3"]
    if bound is None:
        columns.remove("gap to bound")
    else:
        table.caption = bound_note(bound) + "Gap of the mean."
    for column in columns:
        table.add_column(column, justify="left" if column == "solver" else "right")
    best_mean = min(row["mean"] for row in rows.values())
    best_best = min(row["best"] for row in rows.values())
    for name, row in rows.items():
        mean = seconds(row["mean"])
        best = seconds(row["best"])
        table.add_row(
            name,
            f"[bold green]{mean}[/]" if row["mean"] == best_mean else mean,
            seconds(row["std"]),
            f"[bold green]{best}[/]" if row["best"] == best_best else best,
            *([gap(row["mean"], bound)] if bound is not None else []),
            f"{row['evaluations']:.0f}",
            f"{row['wall_s']:.2f}",
            seconds(row["exec"]),
            seconds(row["transfer"]),
            seconds(row["wait"]),
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


def plan_lines(scenario: Scenario, placement: dict, report: dict) -> list[str]:
    """One line per task: completion time and runs of consecutive layers with their node,
    e.g. `task 0 alexnet client0 0.6110 s: conv1 client0 | conv2..fc8 edge3`."""
    lines = []
    for entry, task, result in zip(placement["tasks"], scenario.tasks, report["tasks"]):
        names = task.model.names
        runs = plan_runs(names, [entry["nodes"][n] for n in names]).replace(" -> ", " ").replace("; ", " | ")
        lines.append(f"task {entry['task']} {task.model.name} {entry['client']} {seconds(result['completion'])} s: {runs}")
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


def percent(value: float) -> str:
    return f"{100 * value:.2f}%"


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


def instances_table(instances: list[dict]) -> Table:
    """How each instance's reference was obtained."""
    table = Table(title="Instances and their exact reference")
    for column in ("instance", "tasks", "layers", "pools", "placements", "method", "status", "optimum", "lower bound",
                   "time (s)"):
        table.add_column(column, justify="left" if column in ("instance", "method", "status", "pools") else "right")
    for entry in instances:
        exact = entry["exact"]
        table.add_row(
            entry["name"], str(entry["tasks"]), str(entry["layers"]), ",".join(map(str, entry["pools"])),
            f"{entry['placements']:,}", exact["method"], exact["status"],
            seconds(exact["value"]) if exact["certified"] else f">= {seconds(exact['bound'])}",
            seconds(entry["lower_bound"]),
            f"{exact['wall_s']:.2f}",
        )
    return table


def upload_table(title: str, rows: dict[str, dict], refused: dict[str, str] | None = None) -> Table:
    """Per planner: SSD, improvement over Non-uploading, partitions, largest share, upload time."""
    table = Table(title=title)
    for column in ("planner", "SSD (s^2)", "vs non-upl.", "parts", "largest", "upload (s)", "SD start->end"):
        table.add_column(column, justify="left" if column == "planner" else "right")
    best = min((row["ssd"] for row in rows.values()), default=None)
    for name, row in rows.items():
        ssd = f"{row['ssd']:.4g}"
        table.add_row(
            name,
            f"[bold green]{ssd}[/]" if row["ssd"] == best else ssd,
            percent(row["improvement"]),
            str(row["partitions"]),
            percent(row["largest_share"]),
            f"{row['upload_s']:.2f}",
            f"{row['sd_initial']:.3f}->{row['sd_final']:.3f}",
        )
    for name in refused or {}:
        table.add_row(name, "refused", "", "", "", "", "")
    return table


def lmu_tasks_table(title: str, rows: list[dict]) -> Table:
    """One line per task: the LMU plan against Non-uploading."""
    table = Table(title=title)
    for column in ("task", "model", "units", "SSD LMU", "SSD non-upl.", "saved", "parts", "largest", "upload (s)"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for row in rows:
        table.add_row(str(row["task"]), row["model"], str(row["units"]), f"{row['ssd']:.4g}",
                      f"{row['baseline_ssd']:.4g}", percent(row["improvement"]), str(row["partitions"]),
                      percent(row["largest_share"]), f"{row['upload_s']:.1f}")
    return table


def registry_table(title: str, registry: Registry) -> Table:
    """Every entry of a registry: its name, what it does and the parameters it takes."""
    table = Table(title=title)
    for column in ("name", "what it does", "parameters"):
        table.add_column(column)
    for name in registry.names():
        takes = registry.parameters(name)
        table.add_row(name, registry.describe(name),
                      "-" if takes is None else ", ".join(takes) or "none")
    return table


def sweep_table(title: str, entries: list[dict]) -> Table:
    """A sweep's summary: per grid point, every solver (with its parameters) ranked by its mean."""
    table = Table(title=title)
    for column in ("grid point", "solver", "params", "runs", "mean", "std", "best", "gap to bound", "rank"):
        table.add_column(column, justify="left" if column in ("grid point", "solver", "params") else "right")
    for entry in entries:
        point = ", ".join(f"{k}={v}" for k, v in json.loads(entry["point"]).items()) or "-"
        params = ", ".join(f"{k}={v}" for k, v in json.loads(entry["params"]).items()) or "-"
        if entry["runs"] == 0:
            table.add_row(point, entry["solver"], params, "failed", escape(str(entry["error"])), "", "", "", "")
            continue
        table.add_row(point, entry["solver"], params, str(entry["runs"]), f"{entry['mean']:.4f}", f"{entry['std']:.4f}",
                      f"{entry['best']:.4f}", f"{100 * entry['gap']:.2f}%", str(entry["rank"]))
    return table
