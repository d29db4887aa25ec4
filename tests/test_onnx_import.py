"""ONNX import: per-op counts on hand-built one-node graphs, the light models that ship inside the onnx
package against their own parameter tensors and hand-derived multiply-adds, the imported VGG19 against
the built-in one, module tags from structure, and an .onnx model in a scenario end to end."""

from __future__ import annotations

import os
from pathlib import Path

import attrs
import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from eosdnn.cli import main  # noqa: E402
from eosdnn.framework.errors import EosdnnError  # noqa: E402
from eosdnn.problems.models import builtin_model  # noqa: E402
from eosdnn.problems.models.modules import with_detected_modules  # noqa: E402
from eosdnn.problems.models.onnx_import import import_onnx  # noqa: E402

LIGHT = Path(os.path.dirname(onnx.__file__)) / "backend" / "test" / "data" / "light"


def one_node(tmp_path, node, input_shape, output_shape, initializers=()) -> Path:
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, input_shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, output_shape)],
                              initializer=list(initializers))
    path = tmp_path / f"{node.op_type}.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    return path


def weights(name, shape):
    return numpy_helper.from_array(np.zeros(shape, dtype=np.float32), name)


def test_convolution_counts_its_group_window_per_output_element(tmp_path):
    # 2 groups: 8 output channels each read 4 of the 8 input channels through 3x3; 10x10 output (pad 1)
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=2)
    path = one_node(tmp_path, node, [1, 8, 10, 10], [1, 8, 10, 10], [weights("w", (8, 4, 3, 3)), weights("b", (8,))])
    layer = import_onnx(path).layers[0]
    assert layer.flops == 10 * 10 * 8 * 4 * 3 * 3
    assert layer.weight_bytes == (8 * 4 * 3 * 3 + 8) * 4 and layer.out_bytes == 8 * 10 * 10 * 4


def test_dense_pooling_lrn_and_elementwise_counts(tmp_path):
    gemm = helper.make_node("Gemm", ["x", "w", "b"], ["y"], transB=1)
    layer = import_onnx(one_node(tmp_path, gemm, [2, 300], [2, 50], [weights("w", (50, 300)), weights("b", (50,))])).layers[0]
    assert layer.flops == 2 * 300 * 50 and layer.weight_bytes == (300 * 50 + 50) * 4
    pool = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2])
    assert import_onnx(one_node(tmp_path, pool, [1, 4, 9, 9], [1, 4, 4, 4])).layers[0].flops == 4 * 4 * 4 * 9
    average = helper.make_node("GlobalAveragePool", ["x"], ["y"])
    assert import_onnx(one_node(tmp_path, average, [1, 6, 7, 7], [1, 6, 1, 1])).layers[0].flops == 6 * 49
    lrn = helper.make_node("LRN", ["x"], ["y"], size=5)
    assert import_onnx(one_node(tmp_path, lrn, [1, 4, 3, 3], [1, 4, 3, 3])).layers[0].flops == 36 * 5
    softmax = helper.make_node("Softmax", ["x"], ["y"])
    assert import_onnx(one_node(tmp_path, softmax, [1, 10], [1, 10])).layers[0].flops == 10


def test_unsupported_ops_are_one_error_or_zero_operations(tmp_path, capsys):
    node = helper.make_node("Hardmax", ["x"], ["y"], name="odd")
    path = one_node(tmp_path, node, [1, 10], [1, 10])
    with pytest.raises(EosdnnError, match="node 'odd': unsupported op Hardmax"):
        import_onnx(path)
    with pytest.warns(UserWarning, match="Hardmax"):
        assert import_onnx(path, unknown="zero").layers[0].flops == 0
    assert main(["models", "import", str(path)]) == 2
    assert main(["models", "import", str(path), "--unknown", "zero"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("error: Hardmax.onnx: node 'odd': unsupported op Hardmax")
    assert err[1:] == ["warning: Hardmax.onnx: unsupported op Hardmax (1 node), imported with zero operations"]
    (tmp_path / "junk.onnx").write_bytes(b"not a model")
    with pytest.raises(EosdnnError, match="junk.onnx: not a readable ONNX model"):
        import_onnx(tmp_path / "junk.onnx")


def parameter_total(path: Path) -> int:
    """Elements of every floating-point parameter tensor a node reads: initializers and ConstantOfShape
    outputs (ResNet-50 also ships one unused 1x1 blob, which no layer reads)."""
    model = onnx.load(str(path))
    read = {name for node in model.graph.node for name in node.input}
    total = sum(int(np.prod(t.dims)) for t in model.graph.initializer
                if t.data_type == TensorProto.FLOAT and t.name in read)
    for node in model.graph.node:
        if node.op_type == "ConstantOfShape":
            shape = next(t for t in model.graph.initializer if t.name == node.input[0])
            total += int(np.prod(numpy_helper.to_array(shape)))
    return total


@pytest.mark.parametrize("name", ["light_bvlc_alexnet", "light_vgg19", "light_inception_v1", "light_resnet50"])
def test_light_models_hold_every_parameter_tensor(name):
    model = import_onnx(LIGHT / f"{name}.onnx")
    assert sum(layer.weight_bytes for layer in model.layers) == 4 * parameter_total(LIGHT / f"{name}.onnx")


def test_alexnet_and_vgg19_totals_are_the_published_ones():
    alexnet, vgg19 = import_onnx(LIGHT / "light_bvlc_alexnet.onnx"), import_onnx(LIGHT / "light_vgg19.onnx")
    assert round(sum(layer.weight_bytes for layer in alexnet.layers) / 4 / 1e6, 2) == 60.97  # two-GPU grouped
    assert round(sum(layer.weight_bytes for layer in vgg19.layers) / 4 / 1e6, 2) == 143.67
    # VGG19's convolutions and fully connected layers, by hand from their shapes (224x224 input)
    macs = 0
    size, channels = 224, 3
    for stage, (width, convs) in enumerate([(64, 2), (128, 2), (256, 4), (512, 4), (512, 4)]):
        for _ in range(convs):
            macs += size * size * width * channels * 9
            channels = width
        size //= 2
    macs += 512 * 7 * 7 * 4096 + 4096 * 4096 + 4096 * 1000
    dense = sum(layer.flops for layer in vgg19.layers if layer.weight_bytes > 0)
    assert dense == macs and round(macs / 1e9, 2) == 19.63


def test_imported_vgg19_matches_the_built_in_on_every_layer():
    imported, built_in = import_onnx(LIGHT / "light_vgg19.onnx"), builtin_model("vgg19")
    assert imported.n_layers == built_in.n_layers + 1 and imported.layers[-1].flops == 1000  # the softmax
    for ours, theirs in zip(imported.layers, built_in.layers):
        assert (ours.flops, ours.out_bytes, ours.weight_bytes) == (theirs.flops, theirs.out_bytes, theirs.weight_bytes)
    assert imported.input_bytes == built_in.input_bytes


def groups(model) -> set[frozenset[str]]:
    found: dict[str, set[str]] = {}
    for layer in model.layers:
        if layer.module:
            found.setdefault(layer.module, set()).add(layer.name)
    return {frozenset(v) for v in found.values()}


@pytest.mark.parametrize("name", ["googlenet", "resnet101", "alexnet"])
def test_fork_join_detection_reproduces_the_built_ins_hand_written_modules(name):
    model = builtin_model(name)
    untagged = attrs.evolve(model, layers=tuple(attrs.evolve(layer, module=None) for layer in model.layers))
    assert groups(with_detected_modules(untagged)) == groups(model)


def test_imported_inception_and_resnet_get_their_modules():
    assert len(groups(import_onnx(LIGHT / "light_inception_v1.onnx"))) == 9  # inception 3a ... 5b
    assert len(groups(import_onnx(LIGHT / "light_resnet50.onnx"))) == 16  # 3 + 4 + 6 + 3 bottlenecks


def test_a_scenario_with_an_onnx_model_runs_solve_upload_and_two_step(tmp_path):
    (tmp_path / "net.onnx").write_bytes((LIGHT / "light_inception_v1.onnx").read_bytes())
    scenario = tmp_path / "s.toml"
    scenario.write_text('[environment]\npreset = "paper"\n\n[[tasks]]\nmodel = "net.onnx"\nclient = 0\n')
    for command in (["solve", "--solver", "two-step", "--iterations", "3"],
                    ["solve", "--solver", "greedy"], ["upload", "--solver", "greedy"]):
        assert main([*command, "--scenario", str(scenario), "--quiet"] if command[0] == "solve"
                    else [*command, "--scenario", str(scenario)]) == 0
    assert main(["models", "show", str(tmp_path / "net.onnx")]) == 0
