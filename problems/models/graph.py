"""A DNN model as a validated DAG of layers (MODEL.md section 2)."""

from __future__ import annotations

import heapq
import math

import attrs

from eosdnn.framework.errors import EosdnnError
from eosdnn.framework.params import as_tuple


def check_amount(where: str, field: str, value: object) -> float:
    """A finite, non-negative number, or an error naming `where.field`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise EosdnnError(f"{where}.{field}: must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise EosdnnError(f"{where}.{field}: must be finite and >= 0, got {value!r}")
    return float(value)


@attrs.frozen
class Layer:
    """One layer: its compute, output tensor, parameters and the layers it reads."""

    name: str
    flops: float
    out_bytes: float
    weight_bytes: float
    inputs: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)
    module: str | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise EosdnnError(f"layer.name: must be a non-empty string, got {self.name!r}")
        for field in ("flops", "out_bytes", "weight_bytes"):
            check_amount(f"layer {self.name!r}", field, getattr(self, field))


OPS_UNITS = ("flops", "cycles")


MAX_MODEL_LAYERS = 100_000  # a model above it is refused at once (the largest built-in has 140 layers)


def check_layer_count(field: str, count: int) -> None:
    """Refuse a model of more than MAX_MODEL_LAYERS layers, before it is built (readers call this on
    the count they see first: CSV rows, JSON entries, ONNX nodes)."""
    if count > MAX_MODEL_LAYERS:
        raise EosdnnError(f"{field}: {count:,} layers, above the limit of {MAX_MODEL_LAYERS:,}")


@attrs.frozen
class DnnModel:
    """Layers in topological order; exactly one layer's output is the result.

    A layer with no inputs reads the model input (`input_bytes`, on the owner client). Layers
    given out of topological order are sorted stably (Kahn's algorithm, smallest position first).
    """

    name: str
    input_bytes: float
    layers: tuple[Layer, ...] = attrs.field(converter=as_tuple)
    ops_unit: str = "flops"  # what `flops` counts: "flops" (multiply-adds, from shapes) or "cycles" (measured)

    def __attrs_post_init__(self) -> None:
        check_amount(f"model {self.name!r}", "input_bytes", self.input_bytes)
        if self.ops_unit not in OPS_UNITS:
            raise EosdnnError(f"model {self.name!r}.ops_unit: must be one of {', '.join(OPS_UNITS)}, got {self.ops_unit!r}")
        if not self.layers:
            raise EosdnnError(f"model {self.name!r}.layers: a model needs at least one layer")
        check_layer_count(f"model {self.name!r}.layers", len(self.layers))
        seen: set[str] = set()
        for layer in self.layers:
            if layer.name in seen:
                raise EosdnnError(f"model {self.name!r}: duplicate layer name {layer.name!r}")
            seen.add(layer.name)
        for layer in self.layers:
            for source in layer.inputs:
                if source == layer.name:
                    raise EosdnnError(f"layer {layer.name!r}.inputs: a layer cannot read itself")
                if source not in seen:
                    raise EosdnnError(f"layer {layer.name!r}.inputs: unknown layer {source!r}")
        names = [layer.name for layer in self.layers]
        order = topological_order(self.name, names, [layer.inputs for layer in self.layers])
        if order != list(range(len(names))):
            object.__setattr__(self, "layers", tuple(self.layers[i] for i in order))
        outputs = [layer.name for layer, readers in zip(self.layers, self.successors()) if not readers]
        if len(outputs) != 1:
            raise EosdnnError(
                f"model {self.name!r}: exactly one layer may have no reader (the result), "
                f"found {len(outputs)}: {', '.join(outputs[:5])}"
            )

    @property
    def n_layers(self) -> int:
        return len(self.layers)

    @property
    def names(self) -> list[str]:
        return [layer.name for layer in self.layers]

    def index(self) -> dict[str, int]:
        return {layer.name: i for i, layer in enumerate(self.layers)}

    def predecessors(self) -> list[list[int]]:
        """Positions of the layers each layer reads (empty: it reads the model input)."""
        where = self.index()
        return [[where[name] for name in dict.fromkeys(layer.inputs)] for layer in self.layers]

    def successors(self) -> list[list[int]]:
        result: list[list[int]] = [[] for _ in self.layers]
        for i, preds in enumerate(self.predecessors()):
            for p in preds:
                result[p].append(i)
        return result

    @property
    def output(self) -> int:
        """Position of the result layer."""
        return next(i for i, readers in enumerate(self.successors()) if not readers)

    def depths(self) -> list[int]:
        """Longest path from the model input, in layers (layers reading the input: 0)."""
        depth: list[int] = []
        for preds in self.predecessors():
            depth.append(1 + max(depth[p] for p in preds) if preds else 0)
        return depth

    def is_chain(self) -> bool:
        return all(preds == ([] if i == 0 else [i - 1]) for i, preds in enumerate(self.predecessors()))

    @property
    def total_flops(self) -> float:
        return sum(layer.flops for layer in self.layers)

    @property
    def total_weight_bytes(self) -> float:
        return sum(layer.weight_bytes for layer in self.layers)


def topological_order(model: str, names: list[str], inputs: list[tuple[str, ...]]) -> list[int]:
    """Kahn's algorithm, smallest original position first; a cycle is an error naming one of its layers."""
    where = {name: i for i, name in enumerate(names)}
    indegree = [len(set(sources)) for sources in inputs]
    readers: list[list[int]] = [[] for _ in names]
    for i, sources in enumerate(inputs):
        for source in set(sources):
            readers[where[source]].append(i)
    ready = [i for i, d in enumerate(indegree) if d == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for j in readers[i]:
            indegree[j] -= 1
            if indegree[j] == 0:
                heapq.heappush(ready, j)
    if len(order) != len(names):
        stuck = next(names[i] for i, d in enumerate(indegree) if d > 0)
        raise EosdnnError(f"model {model!r}: the layers form a cycle through layer {stuck!r}")
    return order
