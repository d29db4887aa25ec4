"""ONNX import of today's networks, against hand counts: a transformer encoder block (multi-head
attention, layer norm, GELU), a channel-shuffle unit, a U-Net-style decoder (ConvTranspose, Resize,
skip concatenation) and a model with two inputs (token ids and a mask); and every plain inference
graph among the onnx package's light and small test models."""

from __future__ import annotations

import glob
import os
import warnings
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from eosdnn.framework.errors import EosdnnError  # noqa: E402
from eosdnn.problems.models.onnx_import import import_onnx  # noqa: E402

FLOAT = TensorProto.FLOAT


def constant(name: str, shape, dtype=np.float32, value=None):
    array = np.full(shape, 0.5, dtype=dtype) if value is None else np.asarray(value, dtype=dtype)
    return numpy_helper.from_array(array, name)


def save(tmp_path: Path, name: str, nodes, inputs, output, initializers) -> Path:
    graph = helper.make_graph(nodes, name, inputs, [helper.make_tensor_value_info(output, FLOAT, None)], initializers)
    path = tmp_path / f"{name}.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)]), str(path))
    return path


def test_a_transformer_encoder_block_counts_attention_norms_and_the_feed_forward(tmp_path):
    seq, d, heads, hidden = 8, 16, 2, 32
    dh = d // heads
    n = helper.make_node
    nodes = [
        n("LayerNormalization", ["x", "g1", "b1"], ["ln1"], axis=-1),
        n("MatMul", ["ln1", "wq"], ["q"]), n("MatMul", ["ln1", "wk"], ["k"]), n("MatMul", ["ln1", "wv"], ["v"]),
        n("Reshape", ["q", "heads"], ["q4"]), n("Transpose", ["q4"], ["qh"], perm=[0, 2, 1, 3]),
        n("Reshape", ["k", "heads"], ["k4"]), n("Transpose", ["k4"], ["kt"], perm=[0, 2, 3, 1]),
        n("Reshape", ["v", "heads"], ["v4"]), n("Transpose", ["v4"], ["vh"], perm=[0, 2, 1, 3]),
        n("MatMul", ["qh", "kt"], ["scores"]), n("Div", ["scores", "scale"], ["scaled"]),
        n("Softmax", ["scaled"], ["attention"], axis=-1),
        n("MatMul", ["attention", "vh"], ["context"]), n("Transpose", ["context"], ["context_t"], perm=[0, 2, 1, 3]),
        n("Reshape", ["context_t", "model_shape"], ["merged"]), n("MatMul", ["merged", "wo"], ["projected"]),
        n("Add", ["x", "projected"], ["residual"]),
        n("LayerNormalization", ["residual", "g2", "b2"], ["ln2"], axis=-1),
        n("MatMul", ["ln2", "w1"], ["up"]), n("Gelu", ["up"], ["activated"]), n("MatMul", ["activated", "w2"], ["down"]),
        n("Add", ["residual", "down"], ["y"]),
    ]
    initializers = [constant(name, shape) for name, shape in [
        ("g1", (d,)), ("b1", (d,)), ("wq", (d, d)), ("wk", (d, d)), ("wv", (d, d)), ("wo", (d, d)), ("g2", (d,)),
        ("b2", (d,)), ("w1", (d, hidden)), ("w2", (hidden, d)), ("scale", ())]]
    initializers += [constant("heads", None, np.int64, [1, seq, heads, dh]),
                     constant("model_shape", None, np.int64, [1, seq, d])]
    path = save(tmp_path, "encoder", nodes, [helper.make_tensor_value_info("x", FLOAT, [1, seq, d])], "y", initializers)
    model = import_onnx(path)
    tokens = seq * d
    norm, projection, per_head = 4 * tokens, seq * d * d, heads * seq * seq * dh
    expected = (norm + 3 * projection + per_head + heads * seq * seq + per_head + projection + tokens
                + norm + seq * d * hidden + seq * hidden * d + tokens)
    assert sum(layer.flops for layer in model.layers) == expected
    # reshapes, transposes, the scaling and GELU join their producers; two norms, six matrix products
    # of the attention, the softmax, two feed-forward products and two residual adds remain
    assert model.n_layers == 13
    names = [layer.name for layer in model.layers]
    assert "MatMul:scores" in names and "Softmax:attention" in names  # unnamed nodes: op and output
    weights = 4 * (4 * d + 4 * d * d + 2 * d * hidden + 1)  # float32: norms, projections, feed-forward, scale
    assert sum(layer.weight_bytes for layer in model.layers) == weights


def test_a_channel_shuffle_unit_joins_its_reshape_and_transpose_to_the_convolution(tmp_path):
    n = helper.make_node
    nodes = [n("Conv", ["x", "w1"], ["a"], kernel_shape=[1, 1]),
             n("Reshape", ["a", "split_shape"], ["groups"]), n("Transpose", ["groups"], ["shuffled"], perm=[0, 2, 1, 3, 4]),
             n("Reshape", ["shuffled", "flat_shape"], ["b"]),
             n("Conv", ["b", "w2"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=8)]
    initializers = [constant("w1", (8, 8, 1, 1)), constant("w2", (8, 1, 3, 3)),
                    constant("split_shape", None, np.int64, [1, 2, 4, 4, 4]),
                    constant("flat_shape", None, np.int64, [1, 8, 4, 4])]
    path = save(tmp_path, "shuffle", nodes, [helper.make_tensor_value_info("x", FLOAT, [1, 8, 4, 4])], "y",
                initializers)
    model = import_onnx(path)
    assert [layer.flops for layer in model.layers] == [16 * 8 * 8, 16 * 8 * 9]
    assert model.layers[1].inputs == (model.layers[0].name,)


def test_a_unet_decoder_counts_its_transposed_convolution_resize_and_skip_join(tmp_path):
    n = helper.make_node
    nodes = [n("Conv", ["x", "w_enc"], ["encoded"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             n("MaxPool", ["encoded"], ["down"], kernel_shape=[2, 2], strides=[2, 2]),
             n("ConvTranspose", ["down", "w_up"], ["up"], kernel_shape=[2, 2], strides=[2, 2]),
             n("Resize", ["down", "", "scales"], ["resized"], mode="nearest"),
             n("Concat", ["encoded", "up", "resized"], ["joined"], axis=1),
             n("Conv", ["joined", "w_out"], ["y"], kernel_shape=[1, 1])]
    initializers = [constant("w_enc", (8, 8, 3, 3)), constant("w_up", (8, 4, 2, 2)), constant("w_out", (2, 20, 1, 1)),
                    constant("scales", None, np.float32, [1, 1, 2, 2])]
    path = save(tmp_path, "decoder", nodes, [helper.make_tensor_value_info("x", FLOAT, [1, 8, 4, 4])], "y",
                initializers)
    model = import_onnx(path, granularity="node")
    flops = {layer.name.split(":")[0]: layer.flops for layer in model.layers}
    assert flops == {"Conv": 16 * 2 * 20, "MaxPool": 8 * 2 * 2 * 4, "ConvTranspose": 2 * 2 * 8 * 4 * 2 * 2,
                     "Resize": 8 * 16, "Concat": 20 * 16} | {"Conv": 16 * 2 * 20}
    first_conv = model.layers[0]
    assert first_conv.flops == 16 * 8 * 8 * 9
    concat = next(layer for layer in model.layers if layer.name.startswith("Concat"))
    assert len(concat.inputs) == 3  # the skip connection and both upsampling paths join here
    assert sum(layer.flops for layer in model.layers) == 9216 + 128 + 512 + 128 + 320 + 640


def test_a_model_with_token_ids_and_a_mask_starts_both_on_the_client(tmp_path):
    n = helper.make_node
    nodes = [n("Gather", ["table", "ids"], ["embedded"]), n("Unsqueeze", ["mask", "last"], ["mask3"]),
             n("Mul", ["embedded", "mask3"], ["masked"]), n("ReduceMean", ["masked", "tokens"], ["pooled"], keepdims=0),
             n("Gemm", ["pooled", "w", "b"], ["y"], transB=1)]
    initializers = [constant("table", (50, 8)), constant("w", (3, 8)), constant("b", (3,)),
                    constant("last", None, np.int64, [2]), constant("tokens", None, np.int64, [1])]
    inputs = [helper.make_tensor_value_info("ids", TensorProto.INT64, [1, 6]),
              helper.make_tensor_value_info("mask", FLOAT, [1, 6])]
    path = save(tmp_path, "text", nodes, inputs, "y", initializers)
    model = import_onnx(path)
    assert model.input_bytes == 6 * 8 + 6 * 4  # both inputs leave the client
    roots = [layer for layer in model.layers if not layer.inputs]
    assert {layer.name.split(":")[0] for layer in roots} == {"Gather", "Unsqueeze"}
    assert sum(layer.flops for layer in model.layers) == 48 + 6 + 48 + 48 + 24
    assert model.layers[0].weight_bytes == 50 * 8 * 4


def test_several_graph_outputs_return_through_one_result_layer(tmp_path):
    n = helper.make_node
    nodes = [n("Relu", ["x"], ["a"]), n("Neg", ["a"], ["y"]), n("Exp", ["a"], ["z"])]
    graph = helper.make_graph(nodes, "two", [helper.make_tensor_value_info("x", FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("y", FLOAT, None),
                               helper.make_tensor_value_info("z", FLOAT, None)])
    path = tmp_path / "two.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)]), str(path))
    model = import_onnx(path, granularity="node")
    assert model.layers[-1].name == "outputs" and len(model.layers[-1].inputs) == 2
    assert model.layers[-1].out_bytes == 2 * 4 * 4


NOT_INFERENCE = ("Gradient", "SequenceConstruct", "SequenceInsert", "SplitToSequence", "StringNormalizer")


def test_every_plain_inference_graph_of_the_onnx_package_imports():
    base = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data")
    files = glob.glob(os.path.join(base, "light", "*.onnx"))
    files += [f for sub in ("simple", "pytorch-converted", "pytorch-operator")
              for f in glob.glob(os.path.join(base, sub, "*", "model.onnx"))]
    if not files:
        pytest.skip("the onnx package ships no test models here")
    refused = {}
    for path in sorted(files):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                import_onnx(path)
            except EosdnnError as error:
                refused[path] = str(error)
    # what is refused is not a tensor inference graph: training (Gradient), sequences, strings
    assert all(any(f"unsupported op {op}" in message for op in NOT_INFERENCE) for message in refused.values()), refused
    assert len(files) - len(refused) >= 133
