"""`eosdnn reproduce`: every figure runs in quick mode, writes its files, and its JSON holds what the plot shows."""

import json
from pathlib import Path

import matplotlib.colors
import pytest

from eosdnn import plots
from eosdnn.cli import main
from eosdnn.experiments import FIGURES, Settings
from eosdnn.experiments.settings import migrate
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.scenario import paper_scenario

PAPER_PLANNERS = ["non-uploading", "ionn", "recursive-efficiency", "lmu"]
MODELS = ["alexnet", "vgg19", "googlenet", "resnet101"]


DRAWN: dict[str, list[list[dict]]] = {}  # figure file -> per axes, every labelled line and bar as drawn


def record_and_save(save):
    """Wrap plots._save: note what each figure's axes hold (labels, colours, dashes, markers, data)."""
    def wrapped(fig, path):
        panels = []
        for ax in fig.axes:
            items = [{"label": line.get_label(), "color": matplotlib.colors.to_hex(line.get_color()),
                      "linestyle": str(line.get_linestyle()), "marker": str(line.get_marker()),
                      "data": (tuple(map(float, line.get_xdata())), tuple(map(float, line.get_ydata())))}
                     for line in ax.get_lines() if not line.get_label().startswith("_")]
            items += [{"label": bars.get_label(), "color": matplotlib.colors.to_hex(bars.patches[0].get_facecolor()),
                       "linestyle": "bar", "marker": str(bars.patches[0].get_hatch()), "data": None}
                      for bars in ax.containers if getattr(bars, "patches", None) and not bars.get_label().startswith("_")]
            panels.append(items)
        DRAWN[Path(path).name] = panels
        save(fig, path)
    return wrapped


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("reproduction")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plots, "_save", record_and_save(plots._save))
        assert main(["reproduce", "all", "--quick", "--seeds", "2", "--out", str(out)]) == 0
    return out, {name: json.loads((out / f"{name}.json").read_text()) for name in FIGURES}


def test_all_figures_write_a_png_and_a_json(quick_run):
    out, docs = quick_run
    assert set(FIGURES) == {f"fig{n}" for n in range(12, 19)} | {"convergence"}
    for name in FIGURES:
        assert (out / f"{name}.png").stat().st_size > 1000
        assert docs[name]["figure"] == name and docs[name]["seeds"] == [0, 1]


def test_fig12_holds_every_planner_and_model_and_non_uploading_is_the_off_client_share(quick_run):
    _, docs = quick_run
    assert set(docs["fig12"]["largest_share"]) == {"paper-method", "enhanced"}
    shares = docs["fig12"]["largest_share"]["paper-method"]
    assert set(shares) == set(PAPER_PLANNERS) and all(set(shares[p]) == set(MODELS) for p in PAPER_PLANNERS)
    # Non-uploading's one partition is every off-client layer: its share follows from the placement alone
    settings = Settings(seeds=2, quick=True)
    expected = {m: [] for m in MODELS}
    for seed in settings.seed_list:
        scenario = paper_scenario(seed)
        problem = MigrationProblem(scenario)
        nodes = problem.nodes_of(migrate(problem, "eosdnn-paper", settings, seed).x)
        per_task = {m: [] for m in MODELS}
        for task, where in zip(scenario.tasks, nodes):
            off = sum(layer.weight_bytes for layer, n in zip(task.model.layers, where) if n != task.client)
            per_task[task.model.name].append(off / task.model.total_weight_bytes)
        for m in MODELS:  # one value per seed: the mean over that seed's tasks of the model
            expected[m].append(sum(per_task[m]) / len(per_task[m]))
    for m in MODELS:
        assert shares["non-uploading"][m]["values"] == pytest.approx(expected[m])
        for p in PAPER_PLANNERS:
            assert 0.0 <= shares[p][m]["min"] <= shares[p][m]["mean"] <= shares[p][m]["max"] <= 1.0


@pytest.mark.parametrize("name", ["fig13", "fig14"])
def test_sd_figures_hold_the_timelines_and_savings_under_every_placement_and_reading(quick_run, name):
    _, docs = quick_run
    doc = docs[name]
    assert set(doc["runs"]) == {"paper-method", "enhanced", "axis", "axis-first-block", "axis-slowest-edge"}
    for runs in doc["runs"].values():
        assert len(runs) == 2
        for run in runs:
            assert set(run["timeline"]) == {"non-uploading", "ionn", "recursive-efficiency", "lmu@at-once", "lmu@requeue"}
            for times, values in run["timeline"].values():
                assert times[0] == 0.0 and len(times) == len(values) and times == sorted(times)
            for reading, savings in run["lmu_improvement"].items():
                for p, saving in savings.items():
                    assert saving == pytest.approx((run["ssd"][p] - run["ssd"][f"lmu@{reading}"]) / run["ssd"][p])


def test_fig13_pins_the_printed_breakpoints_under_the_axis_placement(quick_run):
    _, docs = quick_run
    doc = docs["fig13"]
    assert doc["paper_lmu_improvement_over_non_uploading"] == 0.4516 and doc["paper_interval_saving"] == 0.1341
    axis, block = doc["runs"]["axis"], doc["runs"]["axis-first-block"]
    assert axis[0]["units"] == 12 and block[0]["units"] == 10  # AlexNet's 12 layers after conv1; 10 after pool1
    # Table V's sizes over the 10 MB/s link: conv2 ends at 234.47 ms, conv2 + conv3 at 572.12 ms
    found = doc["breakpoints_found"]["axis"]["printed"]
    assert found["234.47 ms"] and found["572.12 ms"]
    assert set(doc["breakpoints_found"]["axis"]["derived"]) == {"6401.56 ms"}  # not printed in the paper


def test_the_convergence_figure_holds_every_solver_and_the_bound(quick_run):
    _, docs = quick_run
    doc = docs["convergence"]
    assert set(doc["final"]) == {"EosDNN (paper)", "PSO-GA (bare)", "GA", "prePSO", "EosDNN+", "local search from PEFT",
                                 "Greedy", "HEFT", "PEFT"}
    for label, runs in doc["histories"].items():
        assert len(runs) == 2
        for run, final in zip(runs, [doc["final"][label]["min"], doc["final"][label]["max"]]):
            best = [v for _, v in run]
            assert best == sorted(best, reverse=True) and best[-1] >= doc["lower_bound"]["min"] - 1e-9
    assert doc["lower_bound"]["max"] <= min(cell["min"] for cell in doc["final"].values())


def test_migration_figures_hold_their_series(quick_run):
    _, docs = quick_run
    fig15 = docs["fig15"]
    for part in ("exec", "transfer", "wait", "total", "greedy_total", "lower_bound"):
        assert set(fig15[part]) == {"L-E", "L-C", "L-E-C"}
        assert all(set(fig15[part][env]) == set(MODELS) for env in fig15[part])
    assert set(fig15["enhanced"]) == {"exec", "transfer", "wait", "total"}
    fig16 = docs["fig16"]
    assert set(fig16["delay"]) == {"eosdnn-paper", "eosdnn-plus", "ga", "prepso", "greedy", "heft"}
    for m in MODELS:  # the best plan found is the least of the algorithms' per seed; the bound is below it
        assert fig16["best"][m]["min"] == min(fig16["delay"][a][m]["min"] for a in fig16["delay"])
        assert fig16["lower_bound"][m]["mean"] <= fig16["best"][m]["mean"]  # bound <= best on every seed
    # Greedy is deterministic: its figure value is the greedy plan of that scenario
    scenario = paper_scenario(1, per_model=fig16["tasks_per_model"], models=("vgg19",))
    greedy = migrate(MigrationProblem(scenario), "greedy", Settings(quick=True), 1).value
    assert fig16["delay"]["greedy"]["vgg19"]["max"] >= greedy >= fig16["delay"]["greedy"]["vgg19"]["min"]
    fig17, fig18 = docs["fig17"], docs["fig18"]
    assert all(len(fig17["delay"][a]) == len(fig17["tasks"]) for a in fig17["delay"])
    assert all(len(fig18["paper_method"][part]) == len(fig18["clients"]) for part in fig18["paper_method"])
    assert len(fig18["enhanced_total"]) == len(fig18["lower_bound"]) == len(fig18["clients"])
    assert len(fig18["greedy_total"]) == len(fig18["clients"])


def test_bad_figure_and_seeds_are_one_line_errors(tmp_path, capsys):
    assert main(["reproduce", "fig99", "--out", str(tmp_path)]) == 2
    assert main(["reproduce", "fig12", "--quick", "--seeds", "0", "--out", str(tmp_path)]) == 2
    assert "error: FIG: unknown figure" in capsys.readouterr().err


def test_no_two_series_of_a_panel_look_alike_and_each_method_looks_the_same_everywhere(quick_run):
    """Every labelled line or bar set of a panel differs from the others in colour, dash or marker (so a
    line drawn over an identical one, such as IONN over Recursive-efficiency, stays visible), and a
    method's colour is the same in every figure."""
    assert set(DRAWN) == {f"{name}.png" for name in FIGURES}
    colour_of: dict[str, set[str]] = {}
    for figure, panels in DRAWN.items():
        for items in panels:
            looks = [(item["color"], item["linestyle"], item["marker"]) for item in items]
            assert len(set(looks)) == len(looks), (figure, [item["label"] for item in items])
            for item in items:
                method = item["label"].split(",")[0].split(" total")[0]
                colour_of.setdefault(method, set()).add(item["color"])
    for method in ("EosDNN (paper)", "EosDNN+", "GA", "prePSO", "Greedy", "HEFT", "IONN", "Recursive-efficiency",
                   "Non-uploading", "lower bound"):
        assert len(colour_of.get(method, {"x"})) == 1, (method, colour_of.get(method))
    assert "IONN" in colour_of and "EosDNN (paper)" in colour_of


def test_sweep_axes_have_a_tick_at_each_swept_count_only(quick_run):
    """Fig. 17's x axis is a count of tasks: ticks at the swept counts, never 12.5."""
    import matplotlib.pyplot as plt

    from eosdnn.experiments.settings import Settings as S

    captured = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plots, "_save", lambda fig, path: (captured.append([list(ax.get_xticks()) for ax in fig.axes]),
                                                         plt.close(fig)))
        plots.sweep_lines("unused.png", [4, 8, 12], {"GA": [{"mean": 1, "min": 1, "max": 1}] * 3}, "tasks", "s", "t",
                          scales=("linear", "log"))
    assert captured == [[[4, 8, 12], [4, 8, 12]]] and S(quick=True).task_counts == (4, 8)
