"""Scenarios: an environment plus the tasks to place (FORMATS.md "Scenario"), from TOML or presets."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from eosdnn.problems.environment import (
    BANDWIDTH_RANGE,
    FLOPS_PER_CYCLE_RANGE,
    GHZ_RANGE,
    PAPER_COUNTS,
    PAPER_GHZ_RANGES,
    PAPER_POOLS,
    in_range,
    TIERS,
    Bandwidth,
    Environment,
    make_nodes,
)
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.constraints import Limit, parse_limit
from eosdnn.problems.files import read_text
from eosdnn.problems.tariffs import POWER_FIELDS, POWER_RANGE, PRICE_FIELDS, PRICE_RANGE, TIER_PRICES, Power, Price, \
    check_amount
from eosdnn.problems.models import DnnModel, resolve_model
from eosdnn.problems.models.io import model_file
from eosdnn.problems.objectives import OBJECTIVES
from eosdnn.framework.params import FieldName, as_tuple, shown, whole

PRIORITIES = ("depth", "task")
PAPER_MODELS = ("alexnet", "vgg19", "googlenet", "resnet101")
TIER_TABLES = {"client": "clients", "edge": "edge", "cloud": "cloud"}

# Size limits: larger requests are refused at once, naming the field, instead of exhausting memory.
MAX_NODES_PER_TIER = 1_024
MAX_POOLS = 4_096
MAX_TASKS = 10_000
MAX_LAYER_NODES = 20_000_000  # layers of all tasks x nodes: the evaluator's table of execution times

# Presets: tier counts; the paper's L-E, L-C and L-E-C environments (Fig. 15).
PRESETS: dict[str, dict[str, int]] = {
    "paper": dict(PAPER_COUNTS),
    "paper-le": {"client": 4, "edge": 5, "cloud": 0},
    "paper-lc": {"client": 4, "edge": 0, "cloud": 5},
}


@attrs.frozen
class Task:
    """One query of one model, owned by one client; `deadline` (seconds, optional) the latest its
    result may be back on the client (`problems.constraints`)."""

    model: DnnModel
    client: int
    deadline: float | None = None


@attrs.frozen
class Scenario:
    """An environment, the tasks on its clients, the objective plans are scored by, the priority rule
    of the order u, the seed its clock rates were drawn with, and the limits plans must keep."""

    environment: Environment
    tasks: tuple[Task, ...] = attrs.field(converter=as_tuple)
    objective: str = "total"
    priority: str = "depth"
    seed: int = 0
    name: str = "scenario"
    files: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, eq=False)  # the files it was read from
    constraints: tuple[Limit, ...] = attrs.field(default=(), converter=as_tuple)  # limits a plan must keep

    @property
    def constrained(self) -> bool:
        """Whether a plan must keep any limit or deadline."""
        return bool(self.constraints) or any(task.deadline is not None for task in self.tasks)

    def __attrs_post_init__(self) -> None:
        if self.objective not in OBJECTIVES.names():
            raise EosdnnError(f"objective: unknown objective {self.objective!r} (expected one of "
                              f"{', '.join(OBJECTIVES.names())})")
        if self.priority not in PRIORITIES:
            raise EosdnnError(f"priority: unknown order {self.priority!r} (expected depth or task)")
        if not self.tasks:
            raise EosdnnError("tasks: a scenario needs at least one task")
        layers = sum(task.model.n_layers for task in self.tasks)
        if layers * len(self.environment.nodes) > MAX_LAYER_NODES:
            raise EosdnnError(f"tasks: {layers:,} layers on {len(self.environment.nodes):,} nodes, above the limit of "
                              f"{MAX_LAYER_NODES:,} layer-node pairs; use fewer tasks or nodes")
        for i, task in enumerate(self.tasks):
            if not 0 <= task.client < self.environment.n_clients:
                raise EosdnnError(
                    f"tasks[{i}].client: client index {task.client} out of range (0..{self.environment.n_clients - 1})"
                )

    def with_changes(self, **changes: Any) -> "Scenario":
        return attrs.evolve(self, **changes)


def draw_ghz(seed: int, tier: str, count: int, low: float, high: float) -> list[float]:
    """Per-node GHz drawn uniformly; each tier has its own stream so overriding one tier keeps the others."""
    rng = np.random.default_rng([seed, TIERS.index(tier)])
    return [round(float(x), 3) for x in rng.uniform(low, high, count)]


def round_robin_tasks(models: list[DnnModel], n_clients: int) -> list[Task]:
    return [Task(model, i % n_clients) for i, model in enumerate(models)]


def paper_models(per_model: int = 3, names: tuple[str, ...] = PAPER_MODELS) -> list[DnnModel]:
    return [resolve_model(name) for name in names for _ in range(per_model)]


def paper_scenario(seed: int = 0, *, preset: str = "paper", per_model: int = 3,
                   models: tuple[str, ...] = PAPER_MODELS, objective: str = "total",
                   clients: int | None = None) -> Scenario:
    """The paper's setup (section VII-A): 14 nodes, 12 tasks (3 of each model) round-robin over 4
    clients; `clients` changes the number of clients (the paper's Fig. 18)."""
    table: dict = {"preset": preset}
    if clients is not None:
        table["clients"] = {"count": clients}
    environment = build_environment(table, seed)
    tasks = round_robin_tasks(paper_models(per_model, models), environment.n_clients)
    return Scenario(environment, tasks, objective=objective, seed=seed, name=preset)


# --- TOML -------------------------------------------------------------------------------------


def _number(field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise EosdnnError(f"{field}: must be a number, got {shown(value)}")
    return float(value)


def _whole(field: str, value: Any, minimum: int, maximum: int | None = None) -> int:
    """A whole-number field, by the validator flags and solver parameters use (`framework.params.whole`)."""
    whole(minimum, maximum)(None, FieldName(field), value)
    return value


def _no_unknown(field: str, table: dict, known: set[str]) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        prefix = f"{field}." if field else ""
        raise EosdnnError(f"{prefix}{unknown[0]}: unknown field (expected one of {', '.join(sorted(known))})")


def _per_node(field: str, value: Any, count: int, convert) -> list:
    if isinstance(value, list):
        if len(value) != count:
            raise EosdnnError(f"{field}: list has {len(value)} entries but count is {count}")
        return [convert(f"{field}[{i}]", v) for i, v in enumerate(value)]
    return [convert(field, value)] * count


def _tier_nodes(tier: str, table: dict, preset_count: int, seed: int) -> list:
    field = f"environment.{TIER_TABLES[tier]}"
    if not isinstance(table, dict):
        raise EosdnnError(f"{field}: must be a table")
    tariff_keys = set(POWER_FIELDS) if tier == "client" else set(PRICE_FIELDS)
    _no_unknown(field, table, {"count", "ghz", "ghz_range", "pools"} | tariff_keys)
    count = _whole(f"{field}.count", table.get("count", preset_count), 0, MAX_NODES_PER_TIER)
    if "ghz" in table and "ghz_range" in table:
        raise EosdnnError(f"{field}: give ghz or ghz_range, not both")
    if "ghz" in table:
        ghz = _per_node(f"{field}.ghz", table["ghz"], count, _number)
        for i, g in enumerate(ghz):
            in_range(f"{field}.ghz" + (f"[{i}]" if isinstance(table["ghz"], list) else ""), g, GHZ_RANGE)
    else:
        bounds = table.get("ghz_range", list(PAPER_GHZ_RANGES[tier]))
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise EosdnnError(f"{field}.ghz_range: must be a list [low, high]")
        low, high = bounds
        low, high = _number(f"{field}.ghz_range", low), _number(f"{field}.ghz_range", high)
        if not 0 < low <= high:
            raise EosdnnError(f"{field}.ghz_range: needs 0 < low <= high, got [{low}, {high}]")
        in_range(f"{field}.ghz_range", low, GHZ_RANGE)
        in_range(f"{field}.ghz_range", high, GHZ_RANGE)
        ghz = draw_ghz(seed, tier, count, low, high)
    pools = _per_node(f"{field}.pools", table.get("pools", PAPER_POOLS[tier]), count,
                      lambda f, v: _whole(f, v, 1, MAX_POOLS))
    if tier == "client":
        default = Power()
        limits = POWER_RANGE
        values = {key: _per_node(f"{field}.{key}", table.get(key, getattr(default, key)), count,
                                 lambda f, v: check_amount(f, v, limits)) for key in POWER_FIELDS}
        power = [Power(**{key: values[key][i] for key in POWER_FIELDS}) for i in range(count)]
        return make_nodes(tier, ghz, pools, power=power)
    tier_price = TIER_PRICES[tier]
    prices = {key: _per_node(f"{field}.{key}", table.get(key, getattr(tier_price, name)), count,
                             lambda f, v: check_amount(f, v, PRICE_RANGE)) for key, name in PRICE_FIELDS.items()}
    price = [Price(**{name: prices[key][i] for key, name in PRICE_FIELDS.items()}) for i in range(count)]
    return make_nodes(tier, ghz, pools, price=price)


def build_environment(table: dict, seed: int) -> Environment:
    """The [environment] table: a preset (default `paper`) overridden tier by tier."""
    if not isinstance(table, dict):
        raise EosdnnError("environment: must be a table")
    _no_unknown("environment", table, {"preset", "flops_per_cycle", "clients", "edge", "cloud", "bandwidth"})
    preset = table.get("preset", "paper")
    if not isinstance(preset, str) or preset not in PRESETS:
        raise EosdnnError(f"environment.preset: unknown preset {preset!r} (expected one of {', '.join(PRESETS)})")
    nodes = []
    for tier in TIERS:
        nodes += _tier_nodes(tier, table.get(TIER_TABLES[tier], {}), PRESETS[preset][tier], seed)
    bandwidth_table = table.get("bandwidth", {})
    if not isinstance(bandwidth_table, dict):
        raise EosdnnError("environment.bandwidth: must be a table")
    known = {f.name for f in attrs.fields(Bandwidth)}
    _no_unknown("environment.bandwidth", bandwidth_table, known)
    for key, value in bandwidth_table.items():
        in_range(f"environment.bandwidth.{key}", value, BANDWIDTH_RANGE)
    bandwidth = Bandwidth(**bandwidth_table)
    flops_per_cycle = table.get("flops_per_cycle", 1.0)
    in_range("environment.flops_per_cycle", flops_per_cycle, FLOPS_PER_CYCLE_RANGE)
    return Environment(nodes, bandwidth, flops_per_cycle)


def _tasks(entries: Any, n_clients: int, base_dir: Path | None) -> list[Task]:
    if not isinstance(entries, list):
        raise EosdnnError("tasks: must be an array of tables ([[tasks]])")
    tasks: list[Task] = []
    next_client = 0
    for i, entry in enumerate(entries):
        field = f"tasks[{i}]"
        if not isinstance(entry, dict):
            raise EosdnnError(f"{field}: must be a table")
        _no_unknown(field, entry, {"model", "client", "count", "deadline"})
        if "model" not in entry or not isinstance(entry["model"], str):
            raise EosdnnError(f"{field}.model: missing (a built-in model name or a model JSON path)")
        try:
            model = resolve_model(entry["model"], base_dir)
        except EosdnnError as error:
            raise EosdnnError(f"{field}.model: {error}") from None
        count = _whole(f"{field}.count", entry.get("count", 1), 1, MAX_TASKS)
        deadline = None
        if "deadline" in entry:
            deadline = _number(f"{field}.deadline", entry["deadline"])
            if not math.isfinite(deadline) or deadline <= 0:
                raise EosdnnError(f"{field}.deadline: must be a positive number of seconds, got {entry['deadline']!r}")
        if len(tasks) + count > MAX_TASKS:
            raise EosdnnError(f"{field}.count: {len(tasks) + count:,} tasks in all, above the limit of {MAX_TASKS:,}")
        for _ in range(count):
            if "client" in entry:
                client = _whole(f"{field}.client", entry["client"], 0)
                if client >= n_clients:
                    raise EosdnnError(f"{field}.client: client index {client} out of range (0..{n_clients - 1})")
            else:
                client = next_client % n_clients
                next_client += 1
            tasks.append(Task(model, client, deadline))
    return tasks


def scenario_from_dict(data: dict, name: str = "scenario", base_dir: Path | None = None) -> Scenario:
    _no_unknown("", data, {"seed", "objective", "priority", "environment", "tasks", "name", "constraints"})
    seed = _whole("seed", data.get("seed", 0), 0, 2**32 - 1)
    environment = build_environment(data.get("environment", {}), seed)
    if "tasks" in data:
        tasks = _tasks(data["tasks"], environment.n_clients, base_dir)
    else:
        tasks = round_robin_tasks(paper_models(), environment.n_clients)
    objective = data.get("objective", "total")
    priority = data.get("priority", "depth")
    models = [entry["model"] for entry in data.get("tasks", []) if isinstance(entry, dict)]
    files = [str(path) for path in dict.fromkeys(model_file(model, base_dir) for model in models) if path is not None]
    limits = data.get("constraints", [])
    if not isinstance(limits, list):
        raise EosdnnError("constraints: must be a list of limits like [\"energy<=2.5\"]")
    constraints = [parse_limit(text, f"constraints[{i}]") for i, text in enumerate(limits)]
    return Scenario(environment, tasks, objective=objective, priority=priority, seed=seed,
                    name=str(data.get("name", name)), files=files, constraints=constraints)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario TOML file; every bad field is one EosdnnError naming it."""
    path = Path(path)
    text = read_text(path, "scenario file")
    label = f"scenario file {str(path)!r}"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise EosdnnError(f"{label}: invalid TOML ({error})") from None
    except RecursionError:
        raise EosdnnError(f"{label}: nested too deeply to read") from None
    if not data:
        raise EosdnnError(f"{label}: empty (give at least [environment] or [[tasks]]; "
                          "without a scenario the paper's is used)")
    try:
        scenario = scenario_from_dict(data, name=path.stem, base_dir=path.parent)
    except EosdnnError as error:  # the field is the file's (`seed` is not the --seed flag)
        raise EosdnnError(f"{label}: {error}") from None
    return attrs.evolve(scenario, files=(str(path), *scenario.files))
