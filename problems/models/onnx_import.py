"""ONNX models as layer graphs, by the `onnx` package's shape inference (no runtime needed).

Rules (docs/FORMATS.md): every compute node (convolution, dense, pooling, LRN, concat, add,
softmax) is a layer; with granularity `fused` (the default) elementwise and shape-only nodes (ReLU,
batch normalisation, dropout, flatten, reshape, ...) join the layer that produced their input, as
the built-ins fold them; with `node` every node is a layer. Operation counts use the built-ins'
formulas (`problems.models.ops`); `out_bytes` is the inferred output shape times its element size;
`weight_bytes` counts the constant floating-point tensors a layer reads (integer constants are
shapes, axes or indices): graph initializers and tensors computed from constants only (e.g.
`ConstantOfShape`). Dynamic dimensions take `batch`.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.files import check_input
from eosdnn.problems.models.graph import DnnModel, Layer, check_layer_count
from eosdnn.problems.models.modules import with_detected_modules
from eosdnn.problems.models.ops import conv_ops, dense_ops, elementwise_ops, lrn_ops, pool_ops

GRANULARITIES = ("fused", "node")
MAX_ONNX_BYTES = 2**31  # protobuf's limit for one message
MAX_TENSOR_BYTES = 2**50  # one tensor above a pebibyte is a wrong --input-shape, not a model
ELEMENTWISE_OPS = frozenset({  # one value per element: join the layer that made their input
    "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Sigmoid", "HardSigmoid", "Tanh", "Clip", "Softplus", "Softsign",
    "BatchNormalization", "Dropout", "Cast", "Exp", "Log", "Pow", "Sqrt", "Reciprocal", "Div", "Sub", "Neg", "Abs",
    "Sign", "Erf", "Gelu", "HardSwish", "Mish", "Shrink", "Floor", "Ceil", "Round", "Min", "Max", "Mean", "Where",
    "Not", "And", "Or", "Xor", "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "IsNaN", "IsInf", "Sin",
    "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "ThresholdedRelu", "Celu",
})
SHAPE_OPS = frozenset({  # move or reshape values: join the layer that made their input
    "Flatten", "Reshape", "Identity", "Squeeze", "Unsqueeze", "Transpose", "Pad", "Split", "Slice", "Gather",
    "GatherElements", "Expand", "Tile", "Shape", "Size", "ConstantOfShape", "Range", "DepthToSpace", "SpaceToDepth",
})
FUSED_OPS = ELEMENTWISE_OPS | SHAPE_OPS
COMPUTE_OPS = frozenset({
    "Conv", "ConvTranspose", "Gemm", "MatMul", "Einsum", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
    "LRN", "Concat", "Add", "Sum", "Mul", "Softmax", "LogSoftmax", "LayerNormalization", "InstanceNormalization",
    "GroupNormalization", "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
    "ReduceSumSquare", "ReduceLogSumExp", "Resize", "Upsample", "ArgMax", "ArgMin", "TopK", "CumSum",
})
SUPPORTED_OPS = FUSED_OPS | COMPUTE_OPS
OUTPUTS_LAYER = "outputs"  # the layer that gathers a graph's several outputs (no operations)


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise EosdnnError("onnx: importing .onnx models needs the onnx package (pip install 'eosdnn[onnx]')") from None
    return onnx


def _attribute(node: Any, name: str, default: Any) -> Any:
    onnx = _onnx()
    for attribute in node.attribute:
        if attribute.name == name:
            return onnx.helper.get_attribute_value(attribute)
    return default


def _fix_dynamic_inputs(model: Any, batch: int, input_shape: tuple[int, ...] | None, constants: set[str]) -> None:
    """Give every unknown dimension of the data input `batch` (or the whole shape `input_shape`)."""
    for graph_input in model.graph.input:
        if graph_input.name in constants:
            continue
        dims = graph_input.type.tensor_type.shape.dim
        if input_shape is not None:
            if len(input_shape) != len(dims):
                raise EosdnnError(f"input_shape: the input {graph_input.name!r} has {len(dims)} dimensions, "
                                  f"got {len(input_shape)}")
            for dim, size in zip(dims, input_shape):
                dim.ClearField("dim_param")
                dim.dim_value = size
            continue
        for dim in dims:
            if not dim.HasField("dim_value") or dim.dim_value <= 0:
                dim.ClearField("dim_param")
                dim.dim_value = batch


def import_onnx(path: str | Path, *, granularity: str = "fused", batch: int = 1,
                input_shape: tuple[int, ...] | None = None, unknown: str = "error", name: str | None = None) -> DnnModel:
    """The layer graph of an ONNX file (module docstring: the rules)."""
    onnx = _onnx()
    path = Path(path)
    if granularity not in GRANULARITIES:
        raise EosdnnError(f"granularity: must be one of {', '.join(GRANULARITIES)}, got {granularity!r}")
    if unknown not in ("error", "zero"):
        raise EosdnnError(f"unknown: must be error or zero, got {unknown!r}")
    if batch < 1:
        raise EosdnnError(f"batch: must be at least 1, got {batch}")
    check_input(path, "ONNX model", MAX_ONNX_BYTES)  # a FIFO or a device would block or never end
    try:
        model = onnx.load(str(path))
    except FileNotFoundError:
        raise EosdnnError(f"{path}: no such file") from None
    except Exception as error:  # protobuf decode errors have no common type
        raise EosdnnError(f"{path.name}: not a readable ONNX model ({type(error).__name__}: {error})") from None
    check_layer_count(f"{path.name}", len(model.graph.node))
    constants = {tensor.name for tensor in model.graph.initializer}
    _fix_dynamic_inputs(model, batch, input_shape, constants)
    try:
        inferred = onnx.shape_inference.infer_shapes(model, data_prop=True)
    except Exception as error:
        raise EosdnnError(f"{path.name}: shape inference failed ({error})") from None
    graph = inferred.graph
    shapes: dict[str, tuple[list[int], int]] = {}
    for info in [*graph.value_info, *graph.input, *graph.output]:
        tensor = info.type.tensor_type
        if tensor.HasField("shape"):
            shapes[info.name] = ([d.dim_value if d.HasField("dim_value") else -1 for d in tensor.shape.dim],
                                 tensor.elem_type)
    for tensor in graph.initializer:
        shapes[tensor.name] = (list(tensor.dims), tensor.data_type)

    def nbytes(tensor: str, where: str) -> float:
        if tensor not in shapes or any(d < 0 for d in shapes[tensor][0]):
            raise EosdnnError(f"{path.name}: node {where!r}: the shape of {tensor!r} is unknown "
                              "(give --input-shape, or export the model with static shapes)")
        dims, elem = shapes[tensor]
        size = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(elem)).itemsize
        total = math.prod(dims) * size  # Python integers: no overflow
        if total > MAX_TENSOR_BYTES:
            raise EosdnnError(f"{path.name}: node {where!r}: tensor {tensor!r} of shape {'x'.join(map(str, dims))} "
                              f"holds {total:,} bytes, above the limit of {MAX_TENSOR_BYTES:,} (check --input-shape)")
        return float(total)

    def is_float(tensor: str) -> bool:
        """Parameters are floating-point tensors; integer constants are shapes, axes or indices."""
        return np.issubdtype(onnx.helper.tensor_dtype_to_np_dtype(shapes[tensor][1]), np.floating) if tensor in shapes else False

    def dims_of(tensor: str) -> list[int]:
        return shapes[tensor][0]

    data_inputs = [i.name for i in graph.input if i.name not in constants]
    if not data_inputs:
        raise EosdnnError(f"{path.name}: the graph has no data input (every input is a constant)")
    layers: list[dict[str, Any]] = []
    producer: dict[str, int | None] = dict.fromkeys(data_inputs)  # tensor -> the layer that makes it (None: input)
    unsupported: dict[str, int] = {}
    for position, node in enumerate(graph.node):
        where = node.name or f"{node.op_type}:{node.output[0] if node.output else position}"
        inputs = [t for t in node.input if t]
        if all(t in constants for t in inputs):  # computed from constants only: a parameter, not a layer
            constants.update(t for t in node.output if t)
            continue
        data = [t for t in inputs if t not in constants]
        params = sum(nbytes(t, where) for t in inputs if t in constants and is_float(t))
        missing = [t for t in data if t not in producer]
        if missing:
            raise EosdnnError(f"{path.name}: node {where!r} reads {missing[0]!r}, which no node before it makes")
        out = node.output[0]
        hosts = {producer[t] for t in data}
        if node.op_type in FUSED_OPS and granularity == "fused" and len(hosts) == 1 and None not in hosts:
            host = producer[data[0]]  # one producer: the op joins it (several: a join layer of its own)
            assert host is not None
            layers[host]["weight_bytes"] += params
            layers[host]["out_bytes"] = nbytes(out, where)
            layers[host]["output"] = out
            for tensor in node.output:
                producer[tensor] = host
            continue
        if node.op_type not in SUPPORTED_OPS:
            if unknown == "error":
                raise EosdnnError(f"{path.name}: node {where!r}: unsupported op {node.op_type} "
                                  "(--unknown zero imports it with zero operations)")
            unsupported[node.op_type] = unsupported.get(node.op_type, 0) + 1
        flops = operations(node, data, out, dims_of) if node.op_type in SUPPORTED_OPS else 0
        reads = [producer[t] for t in data]
        layers.append({"name": where, "flops": float(flops), "out_bytes": nbytes(out, where), "weight_bytes": params,
                       "inputs": list(dict.fromkeys(i for i in reads if i is not None)), "output": out})
        for tensor in node.output:
            producer[tensor] = len(layers) - 1
    for op, count in sorted(unsupported.items()):
        warnings.warn(f"{path.name}: unsupported op {op} ({count} node{'s' if count > 1 else ''}), imported with "
                      "zero operations", stacklevel=2)
    if not layers:
        raise EosdnnError(f"{path.name}: no compute node")
    names = [layer["name"] for layer in layers]
    if len(set(names)) != len(names):  # repeated node names: name layers by their op and output
        names = [f"{layer['name'].split(':')[0]}:{layer['output']}" for layer in layers]
    if len(set(names)) != len(names):
        names = [f"{n}#{i}" for i, n in enumerate(names)]
    input_bytes = sum(nbytes(source, "input") for source in data_inputs)  # every data input starts on the client
    built = [Layer(names[i], layer["flops"], layer["out_bytes"], layer["weight_bytes"],
                   tuple(names[j] for j in layer["inputs"])) for i, layer in enumerate(layers)]
    read = {j for layer in layers for j in layer["inputs"]}
    sinks = [i for i in range(len(layers)) if i not in read]
    if len(sinks) > 1:  # several graph outputs: one result layer gathers them for the trip back to the client
        built.append(Layer(OUTPUTS_LAYER, 0.0, sum(layers[i]["out_bytes"] for i in sinks), 0.0,
                           tuple(names[i] for i in sinks)))
    return with_detected_modules(DnnModel(name or path.stem, input_bytes, tuple(built)))


def operations(node: Any, data: list[str], out: str, dims_of: Any) -> int:
    """Operations of one compute node by the built-ins' formulas (`problems.models.ops`)."""
    op = node.op_type
    out_dims = dims_of(out)
    elements = int(np.prod(out_dims, dtype=np.int64))
    if op == "Conv":
        weight = dims_of(node.input[1])  # (M, C / group, kH, kW)
        batch, channels, *spatial = out_dims
        oh, ow = (spatial + [1, 1])[:2]
        kh, kw = (list(weight[2:]) + [1, 1])[:2]
        return batch * conv_ops(channels, weight[1], kh, kw, oh, ow)
    if op in ("Gemm", "MatMul"):
        left = dims_of(data[0])
        inputs = left[-2] if op == "Gemm" and _attribute(node, "transA", 0) else left[-1]
        rows = elements // out_dims[-1]
        return rows * dense_ops(inputs, out_dims[-1])
    if op in ("MaxPool", "AveragePool"):
        kernel = list(_attribute(node, "kernel_shape", [1, 1])) + [1, 1]
        batch, channels, *spatial = out_dims
        oh, ow = (spatial + [1, 1])[:2]
        return batch * pool_ops(channels, oh, ow, kernel[0], kernel[1])
    if op in ("GlobalAveragePool", "GlobalMaxPool"):
        batch, channels, *spatial = dims_of(data[0])
        h, w = (spatial + [1, 1])[:2]
        return batch * pool_ops(channels, 1, 1, h, w)
    if op == "ConvTranspose":
        weight = dims_of(node.input[1])  # (C, M / group, kH, kW): every input element spreads over a window
        batch, channels, *spatial = dims_of(data[0])
        ih, iw = (spatial + [1, 1])[:2]
        kh, kw = (list(weight[2:]) + [1, 1])[:2]
        return batch * conv_ops(channels, weight[1], kh, kw, ih, iw)
    if op == "Einsum":
        equation = _attribute(node, "equation", "")
        text = equation.decode() if isinstance(equation, bytes) else str(equation)
        return einsum_ops(text, [dims_of(t) for t in node.input if t])
    if op == "LRN":
        return lrn_ops(elements, int(_attribute(node, "size", 1)))
    if op.startswith("Reduce") or op in ("ArgMax", "ArgMin", "TopK", "CumSum"):
        return elementwise_ops(int(np.prod(dims_of(data[0]), dtype=np.int64)))  # one operation per input element
    if op in ("LayerNormalization", "InstanceNormalization", "GroupNormalization"):
        return NORMALISATION_OPS * elements  # mean, variance, scale and shift of every element
    return elementwise_ops(elements)  # Concat, Add, Sum, Mul, Softmax, Resize and fused ops as layers


NORMALISATION_OPS = 4  # a normalisation's operations per element: mean, variance, normalise, scale and shift


def einsum_ops(equation: str, shapes: list[list[int]]) -> int:
    """Multiply-adds of an Einsum: the product of the sizes of every distinct index (each output
    element sums over the contracted ones)."""
    operands = equation.replace(" ", "").split("->")[0].split(",")
    sizes: dict[str, int] = {}
    for letters, dims in zip(operands, shapes):
        letters = letters.replace("...", "")
        for letter, size in zip(letters[::-1], dims[::-1]):  # an ellipsis covers the leading dimensions
            sizes[letter] = max(sizes.get(letter, 1), int(size))
    return int(np.prod(list(sizes.values()), dtype=np.int64)) if sizes else 0
