"""Built-in models against the paper's Tables IV-VI; graph validation; JSON files."""

import json
import math

import pytest

from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.models import DnnModel, Layer, builtin_model, load_model_file, model_from_dict, model_to_dict, save_model

MB = 2**20

# Paper Table V (AlexNet) and Table VI (VGG19): layer sizes in MB as printed.
TABLE_V = [0.133300781, 0, 0, 2.344726563, 0, 0, 3.376464844, 5.063964844, 3.375976563, 0, 144.015625, 64.015625,
           15.6288147]
TABLE_VI = [0.006835938, 0.140869141, 0, 0.281738281, 0.562988281, 0, 1.125976563, 2.250976563, 2.250976563,
            2.250976563, 0, 4.501953125, 9.001953125, 9.001953125, 9.001953125, 0, 9.001953125, 9.001953125,
            9.001953125, 9.001953125, 0, 392.015625, 64.015625, 15.6288147]
# Table IV: params (M), GFLOPs, model size (MB)
TABLE_IV = {"alexnet": (62.1, 0.7, 237), "googlenet": (7.1, 1.6, 27), "vgg19": (143.7, 19.6, 548),
            "resnet101": (44.6, 7.6, 170)}


def printed_digits(value: float) -> int:
    text = repr(value)
    return len(text.split(".")[1]) if "." in text else 0


@pytest.mark.parametrize("name,table", [("alexnet", TABLE_V), ("vgg19", TABLE_VI)])
def test_weight_sizes_equal_the_paper_tables_to_the_printed_digits(name, table):
    model = builtin_model(name)
    assert model.n_layers == len(table)
    for layer, printed in zip(model.layers, table):
        digits = printed_digits(printed)
        assert abs(layer.weight_bytes / MB - printed) <= 0.5 * 10**-digits + 1e-12, layer.name


@pytest.mark.parametrize("name", list(TABLE_IV))
def test_totals_are_within_five_percent_of_table_iv(name):
    params, gflops, size = TABLE_IV[name]
    model = builtin_model(name)
    assert model.total_weight_bytes / 4 / 1e6 == pytest.approx(params, rel=0.05)
    assert model.total_weight_bytes / MB == pytest.approx(size, rel=0.05)
    if name == "alexnet":
        # Table IV's 0.7 G is the grouped two-GPU AlexNet; Table V's weights are the ungrouped one.
        assert model.total_flops / 1e9 == pytest.approx(1.14, rel=0.01)
    else:
        assert model.total_flops / 1e9 == pytest.approx(gflops, rel=0.05)


def test_vgg19_flops_are_multiply_adds():
    conv1_1 = builtin_model("vgg19").layers[0]
    assert conv1_1.flops == 224 * 224 * 64 * 3 * 9


def test_googlenet_has_nine_four_branch_inception_modules_and_no_auxiliary_heads():
    model = builtin_model("googlenet")
    modules = {}
    for layer in model.layers:
        if layer.module:
            modules.setdefault(layer.module, []).append(layer)
    assert len(modules) == 9
    for name, layers in modules.items():
        concat = layers[-1]
        assert len(concat.inputs) == 4, name
        entry = {source for layer in layers for source in layer.inputs} - {layer.name for layer in layers}
        assert len(entry) == 1
    assert not any("loss1" in n or "loss2" in n for n in model.names)
    assert model.layers[model.output].name == "loss3/classifier"


def test_resnet101_has_33_bottlenecks_with_shortcut_and_add():
    model = builtin_model("resnet101")
    adds = [layer for layer in model.layers if len(layer.inputs) == 2]
    assert len(adds) == 33
    assert sum(1 for n in model.names if n.endswith("_branch1")) == 4  # projection shortcuts
    convs = [l for l in model.layers if l.weight_bytes > 0]
    assert len(convs) == 1 + 33 * 3 + 4 + 1  # the 101 weighted layers plus 3 projections


def test_layers_out_of_order_are_sorted_stably():
    model = DnnModel("m", 4.0, (Layer("b", 1, 1, 0, ("a",)), Layer("a", 1, 1, 0), Layer("c", 1, 1, 0, ("b",))))
    assert model.names == ["a", "b", "c"]


@pytest.mark.parametrize("layers,message", [
    ([Layer("a", 1, 1, 0, ("b",)), Layer("b", 1, 1, 0, ("a",))], "cycle"),
    ([Layer("a", 1, 1, 0), Layer("b", 1, 1, 0, ("zz",))], r"layer 'b'.inputs: unknown layer 'zz'"),
    ([Layer("a", 1, 1, 0), Layer("b", 1, 1, 0, ("a",)), Layer("c", 1, 1, 0, ("a",))], "exactly one layer"),
    ([Layer("a", 1, 1, 0), Layer("a", 1, 1, 0, ("a",))], "duplicate layer name"),
    ([Layer("a", 1, 1, 0, ("a",))], "cannot read itself"),
])
def test_invalid_graphs_are_rejected_with_a_named_error(layers, message):
    with pytest.raises(EosdnnError, match=message):
        DnnModel("m", 4.0, tuple(layers))


@pytest.mark.parametrize("field,value", [("flops", -1.0), ("out_bytes", math.inf), ("weight_bytes", math.nan)])
def test_negative_or_non_finite_numbers_are_rejected(field, value):
    values = {"flops": 1.0, "out_bytes": 1.0, "weight_bytes": 0.0, field: value}
    with pytest.raises(EosdnnError, match=rf"layer 'x'\.{field}"):
        Layer("x", **values)


def test_model_json_round_trip(tmp_path):
    model = builtin_model("googlenet")
    path = tmp_path / "g.json"
    save_model(model, path)
    assert load_model_file(path) == model
    assert json.loads(path.read_text())["format"] == 1


@pytest.mark.parametrize("patch,message", [
    ({"format": 2}, "format"),
    ({"layers": [{"name": "a", "flops": 1, "out_bytes": 1}]}, r"layers\[0\]\.weight_bytes: missing"),
    ({"layers": [{"name": "a", "flops": "x", "out_bytes": 1, "weight_bytes": 0}]}, r"'a'\.flops"),
    ({"layers": [{"name": "a", "flops": 1, "out_bytes": 1, "weight_bytes": 0, "colour": 1}]}, "colour: unknown field"),
])
def test_bad_model_documents_name_the_field(patch, message):
    doc = model_to_dict(builtin_model("alexnet"))
    doc.update(patch)
    with pytest.raises(EosdnnError, match=message):
        model_from_dict(doc)
