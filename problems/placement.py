"""Placement JSON files (FORMATS.md "Placement"): genes <-> node names per task and layer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.files import read_json, write_json
from eosdnn.problems.migration import MigrationProblem

FORMAT = 1


def placement_to_dict(problem: MigrationProblem, genes: np.ndarray) -> dict[str, Any]:
    env = problem.scenario.environment
    tasks = []
    for t, (task, nodes) in enumerate(zip(problem.scenario.tasks, problem.nodes_of(genes))):
        tasks.append({
            "task": t,
            "model": task.model.name,
            "client": env.nodes[task.client].name,
            "nodes": {layer.name: env.nodes[n].name for layer, n in zip(task.model.layers, nodes)},
        })
    return {"format": FORMAT, "tasks": tasks}


def genes_from_dict(problem: MigrationProblem, data: Any, source: str = "placement") -> np.ndarray:
    """Genes of a placement document; every mismatch with the scenario is an error naming the field."""
    env = problem.scenario.environment
    if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
        raise EosdnnError(f"{source}.tasks: missing or not a list")
    if data.get("format", FORMAT) != FORMAT:
        raise EosdnnError(f"{source}.format: unsupported format {data.get('format')!r} (expected {FORMAT})")
    tasks = problem.scenario.tasks
    if len(data["tasks"]) != len(tasks):
        raise EosdnnError(f"{source}.tasks: {len(data['tasks'])} entries but the scenario has {len(tasks)} tasks")
    genes = np.empty(problem.n_var, dtype=np.int64)
    for t, (entry, task) in enumerate(zip(data["tasks"], tasks)):
        where = f"{source}.tasks[{t}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("nodes"), dict):
            raise EosdnnError(f"{where}.nodes: missing or not an object")
        if "task" in entry and (isinstance(entry["task"], bool) or entry["task"] != t):
            raise EosdnnError(f"{where}.task: {entry['task']!r} but entries must list tasks in order (expected {t})")
        if "model" in entry and entry["model"] != task.model.name:
            raise EosdnnError(f"{where}.model: {entry['model']!r} but the scenario's task {t} runs {task.model.name!r}")
        owner = env.nodes[task.client].name
        if "client" in entry and entry["client"] != owner:
            raise EosdnnError(f"{where}.client: {entry['client']!r} but the scenario's task {t} belongs to {owner}")
        allowed = env.allowed_nodes(task.client)
        nodes = entry["nodes"]
        unknown = set(nodes) - set(task.model.names)
        if unknown:
            raise EosdnnError(f"{where}.nodes: {task.model.name} has no layer {sorted(unknown)[0]!r}")
        part = problem.task_genes(t)
        for i, layer in enumerate(task.model.layers):
            if layer.name not in nodes:
                raise EosdnnError(f"{where}.nodes.{layer.name}: missing")
            try:
                node = env.index(str(nodes[layer.name]))
            except EosdnnError as error:
                raise EosdnnError(f"{where}.nodes.{layer.name}: {error}") from None
            if node not in allowed:
                raise EosdnnError(
                    f"{where}.nodes.{layer.name}: {nodes[layer.name]} is another client; "
                    f"task {t} may use {env.nodes[task.client].name}, edge and cloud servers"
                )
            genes[part.start + i] = allowed.index(node)
    return genes


def save_placement(problem: MigrationProblem, genes: np.ndarray, path: str | Path) -> None:
    """Write a placement file (FORMATS.md "Placement"): every layer's node by name, per task."""
    write_json(path, placement_to_dict(problem, genes))


def load_placement(problem: MigrationProblem, path: str | Path) -> np.ndarray:
    """The genes of a placement file, or of a result that holds one (`solve`, `run`, `pareto` JSON);
    every mismatch with the scenario is one error naming the field."""
    path = Path(path)
    data = read_json(path, "placement file")
    if isinstance(data, dict) and isinstance(data.get("placement"), dict):  # a `solve --json` or `run --json` result
        data = data["placement"]
    elif isinstance(data, dict) and isinstance(data.get("recommended"), dict) and isinstance(
            data["recommended"].get("placement"), dict):
        data = data["recommended"]["placement"]
    return genes_from_dict(problem, data, source=path.name)
