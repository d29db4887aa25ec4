"""The measured-table loader on the paper's own dataset: every known defect is reported."""

import pytest

from conftest import LINBIN
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.models.measured import load_measured_table

pytestmark = pytest.mark.skipif(not LINBIN.exists(), reason="shared/data/linbin not beside the repository")


def test_alexnet_table_units_and_cycles():
    result = load_measured_table(LINBIN / "alexnet.csv", host_ghz=3.2, unit="mib")
    model = result.model
    assert model.n_layers == 11 and model.is_chain()
    assert model.layers[0].flops == pytest.approx(0.155 * 3.2e9)
    assert model.layers[0].out_bytes == pytest.approx(1.1 * 2**20)
    assert any("no weight sizes" in note for note in result.notes)


def test_vgg19_table_is_a_clean_chain():
    result = load_measured_table(LINBIN / "vgg19.csv", host_ghz=3.2, unit="mb")
    assert result.model.n_layers == 24 and result.model.is_chain()
    assert result.model.layers[0].out_bytes == pytest.approx(12.8e6)
    assert len(result.notes) == 1


def test_googlenet_shifted_inception_4b_is_detected_and_rebuilt():
    result = load_measured_table(LINBIN / "googlenet.csv", host_ghz=2.9, unit="mib8")
    assert any("inception 4b" in note for note in result.notes)
    model = result.model
    concat = model.layers[model.index()["inception_4b/DepthConcat"]]
    assert set(concat.inputs) == {"inception_conv_4b1/1x1_s1", "inception_conv_4b2/3x3_s1",
                                  "inception_conv_4b3/5x5_s1", "inception_conv_4b4/1x1_s1"}
    assert model.layers[0].out_bytes == pytest.approx(6.125 * 2**19)


def test_resnet101_defects_are_each_reported():
    result = load_measured_table(LINBIN / "resnet101.csv", host_ghz=2.9, unit="mib8")
    notes = result.notes
    # the dataset README counts 37 layers without a valid predecessor: conv1 (the input layer) and 36 others
    assert sum("no predecessor" in n for n in notes) == 36
    assert any(n.startswith("layer 84 ") and "is itself" in n for n in notes)
    assert any(n.startswith("layer 97 ") and "points backwards" in n for n in notes)
    assert any(n.startswith("layer 104 ") and "150 does not exist" in n for n in notes)
    assert result.model.n_layers == 136


def test_strict_loading_refuses_a_defective_table():
    with pytest.raises(EosdnnError, match="structural defects"):
        load_measured_table(LINBIN / "resnet101.csv", host_ghz=2.9, unit="mib8", repair=False)


def test_bad_numbers_name_the_line_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("layer,layer_number,exec_time_s,output_size_mb,successors\na,1,-0.5,1.0,2\nb,2,0.1,1.0,\n")
    with pytest.raises(EosdnnError, match="bad.csv line 2.exec_time_s"):
        load_measured_table(path, host_ghz=3.0)


def test_weights_from_a_built_in_match_by_name_and_report_it():
    from eosdnn.problems.models import builtin_model
    from eosdnn.problems.models.measured import with_weights_from

    table = load_measured_table(LINBIN / "vgg19.csv", host_ghz=3.2, unit="mb")
    assert table.model.total_weight_bytes == 0 and table.model.ops_unit == "cycles"
    weighted = with_weights_from(table.model, builtin_model("vgg19"))
    built_in = {layer.name: layer.weight_bytes for layer in builtin_model("vgg19").layers}
    assert all(layer.weight_bytes == built_in[layer.name] for layer in weighted.model.layers)
    assert "24 of 24 layers matched by name" in weighted.notes[0]
    alexnet = with_weights_from(load_measured_table(LINBIN / "alexnet.csv", host_ghz=3.2).model, builtin_model("alexnet"))
    assert "11 of 11 layers matched by name" in alexnet.notes[0]  # the table has no LRN layers


def test_a_weight_column_gives_weights_and_the_report_says_cycles(tmp_path, capsys):
    from eosdnn.cli import main

    table = tmp_path / "net.csv"
    table.write_text("layer,layer_number,exec_time_s,output_size_mb,successors,weight_mb\n"
                     "a,1,0.1,1.0,2,2.0\nb,2,0.2,0.5,,0.5\n")
    model = load_measured_table(table, host_ghz=2.0, unit="mb").model
    assert [layer.weight_bytes for layer in model.layers] == [2.0e6, 0.5e6]
    assert main(["models", "import", str(table), "--host-ghz", "2"]) == 0
    out = capsys.readouterr().out
    assert "G cycles (measured)" in out and "GFLOPs" not in out


def test_upload_warns_when_a_model_has_no_weights(tmp_path, capsys):
    from eosdnn.cli import main

    assert main(["models", "import", str(LINBIN / "alexnet.csv"), "--host-ghz", "3.2", "--json",
                 str(tmp_path / "alexnet.json")]) == 0
    (tmp_path / "s.toml").write_text('[environment]\npreset = "paper"\n\n[[tasks]]\nmodel = "alexnet.json"\nclient = 0\n')
    capsys.readouterr()
    assert main(["upload", "--scenario", str(tmp_path / "s.toml"), "--solver", "greedy"]) == 0
    assert "warning: model alexnet has no weight sizes" in capsys.readouterr().err
    assert main(["models", "import", str(LINBIN / "alexnet.csv"), "--host-ghz", "3.2", "--weights-from", "alexnet",
                 "--json", str(tmp_path / "alexnet.json")]) == 0
    capsys.readouterr()
    assert main(["upload", "--scenario", str(tmp_path / "s.toml"), "--solver", "greedy"]) == 0
    assert "warning" not in capsys.readouterr().err
