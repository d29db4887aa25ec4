"""`eosdnn reproduce`: every figure runs in quick mode, writes its files, and its JSON holds what the plot shows."""

import json

import pytest

from eosdnn.cli import main
from eosdnn.experiments import FIGURES, Settings
from eosdnn.experiments.settings import migrate
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.scenario import paper_scenario

PAPER_PLANNERS = ["non-uploading", "ionn", "recursive-efficiency", "lmu"]
MODELS = ["alexnet", "vgg19", "googlenet", "resnet101"]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("reproduction")
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
    shares = docs["fig12"]["largest_share"]
    assert set(shares) == set(PAPER_PLANNERS) and all(set(shares[p]) == set(MODELS) for p in PAPER_PLANNERS)
    # Non-uploading's one partition is every off-client layer: its share follows from the placement alone
    settings = Settings(seeds=2, quick=True)
    expected = {m: [] for m in MODELS}
    for seed in settings.seed_list:
        scenario = paper_scenario(seed)
        problem = MigrationProblem(scenario)
        nodes = problem.nodes_of(migrate(problem, "eosdnn", settings, seed).x)
        for task, where in zip(scenario.tasks, nodes):
            off = sum(layer.weight_bytes for layer, n in zip(task.model.layers, where) if n != task.client)
            expected[task.model.name].append(off / task.model.total_weight_bytes)
    for m in MODELS:
        assert shares["non-uploading"][m]["mean"] == pytest.approx(sum(expected[m]) / len(expected[m]))
        for p in PAPER_PLANNERS:
            assert 0.0 <= shares[p][m]["min"] <= shares[p][m]["mean"] <= shares[p][m]["max"] <= 1.0


@pytest.mark.parametrize("name", ["fig13", "fig14"])
def test_sd_figures_hold_the_timelines_and_savings(quick_run, name):
    _, docs = quick_run
    doc = docs[name]
    for run in doc["runs"]:
        assert set(run["timeline"]) == set(PAPER_PLANNERS)
        for times, values in run["timeline"].values():
            assert times[0] == 0.0 and len(times) == len(values) and times == sorted(times)
        for p, saving in run["lmu_improvement"].items():
            assert saving == pytest.approx((run["ssd"][p] - run["ssd"]["lmu"]) / run["ssd"][p])
    assert set(doc["lmu_improvement"]) == {"non-uploading", "ionn", "recursive-efficiency"}


def test_fig13_holds_the_papers_metrics_under_both_placements(quick_run):
    _, docs = quick_run
    metrics = docs["fig13"]["paper_metrics"]
    assert metrics["lmu_vs_non_uploading"]["paper_value"] == 0.4516
    assert metrics["lmu_below_ionn_in_intervals"]["paper_value"] == 0.1341
    for kind in ("eosdnn_placement", "paper_placement"):
        for name in ("lmu_vs_non_uploading", "lmu_below_ionn_in_intervals"):
            cell = metrics[name][kind]
            assert cell["min"] <= cell["mean"] <= cell["max"]
    paper = docs["fig13"]["paper_placement"]
    assert len(paper["runs"]) == 2 and paper["runs"][0]["units"] == 12  # AlexNet's 12 layers after conv1
    # Table V's sizes over the 10 MB/s link: conv2 ends at 234.47 ms, conv2 + conv3 at 572.12 ms
    assert paper["breakpoints_found"]["234.47 ms"] and paper["breakpoints_found"]["572.12 ms"]


def test_the_convergence_figure_holds_every_solver_and_the_bound(quick_run):
    _, docs = quick_run
    doc = docs["convergence"]
    assert set(doc["final"]) == {"PSO-GA (bare)", "GA", "prePSO", "EosDNN", "local search from PEFT", "Greedy", "HEFT",
                                 "PEFT"}
    for label, runs in doc["histories"].items():
        assert len(runs) == 2
        for run, final in zip(runs, [doc["final"][label]["min"], doc["final"][label]["max"]]):
            best = [v for _, v in run]
            assert best == sorted(best, reverse=True) and best[-1] >= doc["lower_bound"]["min"] - 1e-9
    assert doc["lower_bound"]["max"] <= min(cell["min"] for cell in doc["final"].values())


def test_migration_figures_hold_their_series(quick_run):
    _, docs = quick_run
    fig15 = docs["fig15"]
    for part in ("exec", "transfer", "wait", "total", "greedy_total", "psoga_total", "lower_bound"):
        assert set(fig15[part]) == {"L-E", "L-C", "L-E-C"}
        assert all(set(fig15[part][env]) == set(MODELS) for env in fig15[part])
    fig16 = docs["fig16"]
    assert set(fig16["delay"]) == {"eosdnn", "psoga", "ga", "prepso", "greedy", "heft"}
    for m in MODELS:  # the best plan found is the least of the algorithms' per seed; the bound is below it
        assert fig16["best"][m]["min"] == min(fig16["delay"][a][m]["min"] for a in fig16["delay"])
        assert fig16["lower_bound"][m]["mean"] <= fig16["best"][m]["mean"]  # bound <= best on every seed
    # Greedy is deterministic: its figure value is the greedy plan of that scenario
    scenario = paper_scenario(1, per_model=fig16["tasks_per_model"], models=("vgg19",))
    greedy = migrate(MigrationProblem(scenario), "greedy", Settings(quick=True), 1).value
    assert fig16["delay"]["greedy"]["vgg19"]["max"] >= greedy >= fig16["delay"]["greedy"]["vgg19"]["min"]
    fig17, fig18 = docs["fig17"], docs["fig18"]
    assert all(len(fig17["delay"][a]) == len(fig17["tasks"]) for a in fig17["delay"])
    assert all(len(fig18["eosdnn"][part]) == len(fig18["clients"]) for part in fig18["eosdnn"])
    assert len(fig18["psoga_total"]) == len(fig18["lower_bound"]) == len(fig18["clients"])
    assert len(fig18["greedy_total"]) == len(fig18["clients"])


def test_bad_figure_and_seeds_are_one_line_errors(tmp_path, capsys):
    assert main(["reproduce", "fig99", "--out", str(tmp_path)]) == 2
    assert main(["reproduce", "fig12", "--quick", "--seeds", "0", "--out", str(tmp_path)]) == 2
    assert "error: FIG: unknown figure" in capsys.readouterr().err
