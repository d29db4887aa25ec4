"""DNN models: the layer graph, built-in architectures, JSON files and measured layer tables."""

from eosdnn.problems.models.graph import DnnModel, Layer
from eosdnn.problems.models.io import load_model_file, model_from_dict, model_to_dict, resolve_model, save_model
from eosdnn.problems.models.zoo import BUILTIN, builtin_model

__all__ = [
    "BUILTIN", "DnnModel", "Layer", "builtin_model", "load_model_file", "model_from_dict", "model_to_dict",
    "resolve_model", "save_model",
]
