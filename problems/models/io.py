"""Model JSON files (FORMATS.md "Model"): load with field-naming errors, save, resolve names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.files import read_json, write_json
from eosdnn.problems.models.graph import DnnModel, Layer, check_layer_count
from eosdnn.problems.models.zoo import BUILTIN, builtin_model

FORMAT = 1
LAYER_FIELDS = {"name", "flops", "out_bytes", "weight_bytes", "inputs", "module"}


def model_to_dict(model: DnnModel) -> dict[str, Any]:
    layers = []
    for layer in model.layers:
        entry: dict[str, Any] = {
            "name": layer.name,
            "flops": layer.flops,
            "out_bytes": layer.out_bytes,
            "weight_bytes": layer.weight_bytes,
            "inputs": list(layer.inputs),
        }
        if layer.module is not None:
            entry["module"] = layer.module
        layers.append(entry)
    return {"format": FORMAT, "name": model.name, "input_bytes": model.input_bytes, "layers": layers} | (
        {"ops_unit": model.ops_unit} if model.ops_unit != "flops" else {})


def model_from_dict(data: Any, source: str = "model") -> DnnModel:
    if not isinstance(data, dict):
        raise EosdnnError(f"{source}: a model file holds a JSON object")
    if data.get("format", FORMAT) != FORMAT:
        raise EosdnnError(f"{source}.format: unsupported format {data.get('format')!r} (expected {FORMAT})")
    for field in ("name", "input_bytes", "layers"):
        if field not in data:
            raise EosdnnError(f"{source}.{field}: missing")
    if not isinstance(data["layers"], list):
        raise EosdnnError(f"{source}.layers: must be a list")
    check_layer_count(f"{source}.layers", len(data["layers"]))
    layers = []
    for i, entry in enumerate(data["layers"]):
        where = f"{source}.layers[{i}]"
        if not isinstance(entry, dict):
            raise EosdnnError(f"{where}: must be an object")
        unknown = set(entry) - LAYER_FIELDS
        if unknown:
            raise EosdnnError(f"{where}.{sorted(unknown)[0]}: unknown field")
        for field in ("name", "flops", "out_bytes", "weight_bytes"):
            if field not in entry:
                raise EosdnnError(f"{where}.{field}: missing")
        inputs = entry.get("inputs", [])
        if not isinstance(inputs, list) or not all(isinstance(s, str) for s in inputs):
            raise EosdnnError(f"{where}.inputs: must be a list of layer names")
        module = entry.get("module")
        if module is not None and not isinstance(module, str):
            raise EosdnnError(f"{where}.module: must be a string")
        try:
            layers.append(Layer(entry["name"], entry["flops"], entry["out_bytes"], entry["weight_bytes"], tuple(inputs),
                                module))
        except EosdnnError as error:
            raise EosdnnError(f"{where}: {error}") from None
    try:
        return DnnModel(str(data["name"]), data["input_bytes"], tuple(layers), ops_unit=data.get("ops_unit", "flops"))
    except EosdnnError as error:  # name the file as well as the model
        raise EosdnnError(f"{source}: {error}") from None


def save_model(model: DnnModel, path: str | Path) -> None:
    write_json(path, model_to_dict(model))


def load_model_file(path: str | Path) -> DnnModel:
    path = Path(path)
    data = read_json(path, "model file")
    return model_from_dict(data, source=path.name)


def model_file(name_or_path: str, base_dir: Path | None = None) -> Path | None:
    """The file a model reference names (relative paths from `base_dir`), or None for a built-in."""
    key = name_or_path.lower()
    if key in BUILTIN or not (key.endswith((".json", ".onnx")) or "/" in key):
        return None
    path = Path(name_or_path)
    return base_dir / path if not path.is_absolute() and base_dir is not None else path


def resolve_model(name_or_path: str, base_dir: Path | None = None) -> DnnModel:
    """A built-in model by name, a model JSON file or an ONNX file (relative paths from `base_dir`)."""
    path = model_file(name_or_path, base_dir)
    if path is None:
        return builtin_model(name_or_path)
    if name_or_path.lower().endswith(".onnx"):  # imported on the fly, with the importer's defaults
        from eosdnn.problems.models.onnx_import import import_onnx

        return import_onnx(path)
    return load_model_file(path)
