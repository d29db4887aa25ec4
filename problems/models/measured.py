"""Models from measured per-layer tables (the CSV layout of the paper's public dataset).

Columns: `layer`, `layer_number`, `exec_time_s` (seconds on a host of `host_ghz`),
`output_size_mb`, `successors` (comma-separated layer numbers). Cycles are time x host clock,
stored as `flops` with one operation per cycle. The tables carry no weight sizes: every layer
gets `weight_bytes = 0` unless the caller supplies them, and that is reported.

Every defect is reported in `MeasuredModel.notes`; the loader repairs what it can name a
rule for and refuses the rest (`repair=False` refuses every structural defect):
- an edge to a missing layer, a self-loop, an edge pointing backwards: dropped;
- a layer without predecessor other than the first: reads the layer in the row before it;
- an inception module (GoogLeNet naming) whose edges are not the four-branch pattern:
  rebuilt as input -> first layer of each branch -> ... -> concat.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import attrs

from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.files import read_text
from eosdnn.problems.models.modules import with_detected_modules
from eosdnn.problems.models.graph import DnnModel, Layer, check_layer_count

# bytes of one unit of `output_size_mb`
UNITS = {
    "mib": 2.0**20,  # MiB of float32
    "mb": 1e6,  # decimal MB of float32
    "mib8": 2.0**19,  # elements * 8 / 2**20: twice the float32 MiB
}

INCEPTION_BRANCH = re.compile(r"^inception_(?:conv|pool)_(\w+?)(\d)/")
INCEPTION_CONCAT = re.compile(r"^inception_(\w+)/DepthConcat$")


NO_WEIGHTS = "no weight sizes in the table"


@attrs.frozen
class MeasuredModel:
    model: DnnModel
    notes: tuple[str, ...]


def load_measured_table(path: str | Path, *, host_ghz: float, unit: str = "mib", name: str | None = None,
                        input_bytes: float = 3 * 224 * 224 * 4, repair: bool = True) -> MeasuredModel:
    """Read a measured layer table and turn it into a model, reporting every defect found."""
    path = Path(path)
    if unit not in UNITS:
        raise EosdnnError(f"unit: unknown unit {unit!r} (expected one of {', '.join(UNITS)})")
    if not (math.isfinite(host_ghz) and host_ghz > 0):
        raise EosdnnError(f"host_ghz: must be a positive number, got {host_ghz!r}")
    rows = _read_rows(path)
    notes: list[str] = []
    ids = [row["id"] for row in rows]
    position = {layer_id: i for i, layer_id in enumerate(ids)}
    successors: dict[int, list[int]] = {}
    structural: list[str] = []
    for row in rows:
        kept = []
        for target in row["successors"]:
            if target not in position:
                structural.append(f"layer {row['id']} ({row['name']}): successor {target} does not exist; edge dropped")
            elif target == row["id"]:
                structural.append(f"layer {row['id']} ({row['name']}): successor {target} is itself; edge dropped")
            elif position[target] < position[row["id"]]:
                structural.append(f"layer {row['id']} ({row['name']}): successor {target} points backwards; edge dropped")
            else:
                kept.append(target)
        successors[row["id"]] = kept
    predecessors: dict[int, list[int]] = defaultdict(list)
    for source, targets in successors.items():
        for target in targets:
            predecessors[target].append(source)
    rootless = [row for row in rows[1:] if not predecessors[row["id"]]]
    for row in rootless:
        previous = ids[position[row["id"]] - 1]
        structural.append(f"layer {row['id']} ({row['name']}): no predecessor; reads layer {previous} (the row before)")
        predecessors[row["id"]].append(previous)
        successors[previous].append(row["id"])
    structural += _repair_inception_modules(rows, predecessors)
    if structural and not repair:
        raise EosdnnError(f"{path.name}: {len(structural)} structural defects, first: {structural[0]}")
    notes += structural
    if all(row["weights"] is None for row in rows):
        notes.append(f"{path.name}: {NO_WEIGHTS} (no weight_mb column); weight_bytes = 0 for every layer: give "
                     "--weights-from MODEL to take them from a model with the same layers")
    name_of = {row["id"]: row["name"] for row in rows}
    layers = [
        Layer(
            row["name"],
            row["seconds"] * host_ghz * 1e9,
            row["size"] * UNITS[unit],
            (row["weights"] or 0.0) * UNITS[unit],
            tuple(name_of[p] for p in predecessors[row["id"]]),
        )
        for row in rows
    ]
    model = with_detected_modules(DnnModel(name or path.stem, float(input_bytes), tuple(layers), ops_unit="cycles"))
    return MeasuredModel(model, tuple(notes))


def _key(name: str) -> str:
    return name.lower().replace("/", "_").replace("-", "_")


def with_weights_from(model: DnnModel, reference: DnnModel) -> MeasuredModel:
    """`model` with the weight sizes of `reference`'s layers: matched by name (case and `/ - _`
    ignored), or, when no name matches and both have as many layers, by position. The notes say how
    many layers matched and how many kept no weights."""
    weights = {_key(layer.name): layer.weight_bytes for layer in reference.layers}
    matched = [_key(layer.name) in weights for layer in model.layers]
    if any(matched):
        values = [weights.get(_key(layer.name), 0.0) for layer in model.layers]
        how = "by name"
    elif model.n_layers == reference.n_layers:
        values = [layer.weight_bytes for layer in reference.layers]
        matched = [True] * model.n_layers
        how = "by position (no layer name matched)"
    else:
        raise EosdnnError(f"weights_from: no layer of {reference.name!r} matches a layer of {model.name!r} by name, "
                          f"and they have {reference.n_layers} and {model.n_layers} layers")
    missing = [layer.name for layer, ok in zip(model.layers, matched) if not ok]
    notes = [f"weights from {reference.name}: {sum(matched)} of {model.n_layers} layers matched {how}, "
             f"{sum(values) / 2**20:.1f} MiB in all"]
    if missing:
        notes.append(f"no weights for {len(missing)} layers: {', '.join(missing[:8])}" + (" ..." if len(missing) > 8 else ""))
    layers = tuple(attrs.evolve(layer, weight_bytes=value) for layer, value in zip(model.layers, values))
    return MeasuredModel(attrs.evolve(model, layers=layers), tuple(notes))


def _read_rows(path: Path) -> list[dict]:
    text = read_text(path, "measured table")
    check_layer_count(f"{path.name}", text.count("\n") - 1)  # rows, counted before any is parsed
    reader = csv.DictReader(io.StringIO(text, newline=""))
    needed = {"layer", "layer_number", "exec_time_s", "output_size_mb", "successors"}
    try:
        missing = needed - set(reader.fieldnames or [])
    except csv.Error as error:
        raise EosdnnError(f"{path.name}: unreadable CSV ({error})") from None
    if missing:
        raise EosdnnError(f"{path.name}: missing column {sorted(missing)[0]!r}")
    rows = []
    try:
        for line, raw in enumerate(reader, start=2):
            where = f"{path.name} line {line}"
            try:
                row: dict[str, Any] = {
                    "name": (raw["layer"] or "").strip(),
                    "id": int(raw["layer_number"]),
                    "seconds": float(raw["exec_time_s"]),
                    "size": float(raw["output_size_mb"]),
                    "successors": [int(s) for s in (raw["successors"] or "").replace(" ", "").split(",") if s],
                    "weights": float(raw["weight_mb"]) if raw.get("weight_mb") not in (None, "") else None,
                }
            except (ValueError, TypeError) as error:
                raise EosdnnError(f"{where}: unreadable number ({error})") from None
            for field in ("seconds", "size", "weights"):
                if row[field] is not None and (not math.isfinite(row[field]) or row[field] < 0):
                    column = {"seconds": "exec_time_s", "size": "output_size_mb", "weights": "weight_mb"}[field]
                    raise EosdnnError(f"{where}.{column}: must be finite and >= 0, got {row[field]!r}")
            rows.append(row)
    except csv.Error as error:
        raise EosdnnError(f"{path.name}: unreadable CSV ({error})") from None
    if not rows:
        raise EosdnnError(f"{path.name}: no layers")
    if len({row["id"] for row in rows}) != len(rows):
        raise EosdnnError(f"{path.name}.layer_number: duplicate layer numbers")
    return rows


def _repair_inception_modules(rows: list[dict], predecessors: dict[int, list[int]]) -> list[str]:
    """Rebuild GoogLeNet-named inception modules whose edges are not input -> branches -> concat."""
    branches: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    concat: dict[str, int] = {}
    for row in rows:
        if match := INCEPTION_BRANCH.match(row["name"]):
            branches[match.group(1)][int(match.group(2))].append(row["id"])
        elif match := INCEPTION_CONCAT.match(row["name"]):
            concat[match.group(1)] = row["id"]
    notes = []
    for module, members in branches.items():
        if module not in concat:
            continue
        inside = {layer for layers in members.values() for layer in layers}
        entries = {p for layer in inside for p in predecessors[layer] if p not in inside}
        if len(entries) != 1:
            continue
        entry = entries.pop()
        expected: dict[int, list[int]] = {}
        for layers in members.values():
            expected[layers[0]] = [entry]
            for before, after in zip(layers, layers[1:]):
                expected[after] = [before]
        expected[concat[module]] = [layers[-1] for layers in members.values()]
        if any(sorted(predecessors[layer]) != sorted(sources) for layer, sources in expected.items()):
            notes.append(f"inception {module}: edges do not follow its branches; rebuilt as input -> branches -> concat")
            predecessors.update(expected)
    return notes
