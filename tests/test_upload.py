"""Uploading plans: the paper's worked example, LDA by eqs. 18-25 on hand-built chains, the exact DP
against brute force, and every planner's contract."""

import itertools
import json

import numpy as np
import pytest

from eosdnn.cli import main
from eosdnn.solvers.upload import PLANNERS
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.models import builtin_model
from eosdnn.problems.placement import save_placement
from eosdnn.problems.scenario import paper_scenario
from eosdnn.problems.upload import UploadProblem, largest_share, make_plan, ssd_of
from eosdnn.solvers import plan_upload
from eosdnn.solvers.upload.lmu import lda_star, merge_segment
from helpers import MB, chain, diamond, environment, scenario

PLANNER_NAMES = ["lmu", "non-uploading", "ionn", "recursive-efficiency", "exact"]


def test_paper_worked_example_ssd_is_2359():
    # Plan A of Table II: D, C, A, B upload in 13, 10, 6, 15 units; SD 63, 55, 44, 40, then 21 until 50
    assert ssd_of([13, 10, 6, 15], [63, 55, 44, 40], 21, 50) == 2359


def test_horizon_shorter_than_the_upload_is_an_error():
    with pytest.raises(EosdnnError, match="horizon"):
        ssd_of([13, 10], [63, 55], 21, 20)


# A three-layer chain; A = flops / 1 GHz on the client, C = flops / 10 GHz on an edge server.
A = [0.8, 1.2, 0.6]
OUT_MB = [2.0, 1.0, 0.5]
IN_MB = 1.5
CLIENT_EDGE, EDGE_EDGE = 10.0, 20.0


def three_layer_problem(nodes: list[str]) -> UploadProblem:
    env = environment(clients=(1.0,), edge=(10.0, 10.0), client_edge=CLIENT_EDGE, edge_edge=EDGE_EDGE)
    model = chain("m", [a * 1e9 for a in A], OUT_MB, input_mb=IN_MB, weights_mb=[1.0, 2.0, 3.0])
    where = {"client": 0, "edge0": 1, "edge1": 2}
    return UploadProblem(scenario(env, [model]), 0, [where[n] for n in nodes])


def test_lda_of_the_middle_layer_matches_eqs_18_to_21_on_one_server():
    problem = three_layer_problem(["edge0", "edge0", "edge0"])  # units 0, 1, 2 = layers 0, 1, 2
    a, c = A[1], A[1] / 10
    b_in, b_out = OUT_MB[0] / CLIENT_EDGE, OUT_MB[1] / CLIENT_EDGE
    assert problem.lda([], [1]) == pytest.approx(a - c - b_in - b_out)  # eq. 18, independent
    assert problem.lda([0], [1]) == pytest.approx(a - c + b_in - b_out)  # eq. 19, A-non-independent
    assert problem.lda([2], [1]) == pytest.approx(a - c - b_in + b_out)  # eq. 20, B-non-independent
    assert problem.lda([0, 2], [1]) == pytest.approx(a - c + b_in + b_out)  # eq. 21, C-non-independent
    # the paper's claim behind Principle 1: LDA* is the smallest of the four
    assert problem.lda([], [1]) <= min(problem.lda(s, [1]) for s in ([0], [2], [0, 2]))


def test_layer_times_are_the_papers_terms():
    problem = three_layer_problem(["edge0", "edge1", "edge0"])
    times = problem.layer_times()
    np.testing.assert_allclose(times["A"], A)
    np.testing.assert_allclose(times["C"], [a / 10 for a in A])
    np.testing.assert_allclose(times["B_in"], [IN_MB / CLIENT_EDGE, OUT_MB[0] / CLIENT_EDGE, OUT_MB[1] / CLIENT_EDGE])
    np.testing.assert_allclose(times["B_out"], [m / CLIENT_EDGE for m in OUT_MB])
    np.testing.assert_allclose(times["O"], [IN_MB / CLIENT_EDGE, OUT_MB[0] / EDGE_EDGE, OUT_MB[1] / EDGE_EDGE])


def test_lda_of_the_middle_layer_matches_eqs_22_to_25_across_servers():
    problem = three_layer_problem(["edge0", "edge1", "edge0"])
    a, c = A[1], A[1] / 10
    b_in, b_out = OUT_MB[0] / CLIENT_EDGE, OUT_MB[1] / CLIENT_EDGE
    b_out_prev, b_in_next = OUT_MB[0] / CLIENT_EDGE, OUT_MB[1] / CLIENT_EDGE
    o_j, o_next = OUT_MB[0] / EDGE_EDGE, OUT_MB[1] / EDGE_EDGE
    assert problem.lda([], [1]) == pytest.approx(a - c - b_in - b_out)  # eq. 22
    assert problem.lda([0], [1]) == pytest.approx(a - c + b_out_prev - b_out - o_j)  # eq. 23
    assert problem.lda([2], [1]) == pytest.approx(a - c - b_in + b_in_next - o_next)  # eq. 24
    assert problem.lda([0, 2], [1]) == pytest.approx(a - c + b_in_next + b_out_prev - o_j - o_next)  # eq. 25


def test_plan_timeline_and_ssd_by_hand():
    problem = three_layer_problem(["client", "edge0", "edge0"])  # units: layer 1, layer 2
    plan = make_plan(problem, "hand", [[1], [0]], horizon=2.0)
    up1, up2 = 3.0 / CLIENT_EDGE, 2.0 / CLIENT_EDGE  # MB of weights over the client link
    sd_none = sum(A)
    sd_after_1 = A[0] + A[1] + OUT_MB[1] / CLIENT_EDGE + A[2] / 10 + OUT_MB[2] / CLIENT_EDGE
    sd_all = A[0] + OUT_MB[0] / CLIENT_EDGE + A[1] / 10 + A[2] / 10 + OUT_MB[2] / CLIENT_EDGE
    assert [(s.start, s.end) for s in plan.steps] == [(0.0, pytest.approx(up1)), (pytest.approx(up1), pytest.approx(up1 + up2))]
    assert plan.sd_initial == pytest.approx(sd_none)
    assert [s.sd_after for s in plan.steps] == [pytest.approx(sd_after_1), pytest.approx(sd_all)]
    assert plan.ssd == pytest.approx(sd_none * up1 + sd_after_1 * up2 + sd_all * (2.0 - up1 - up2))
    assert largest_share(problem, plan) == pytest.approx(3.0 / 6.0)


def brute_force_ssd(problem: UploadProblem) -> float:
    """Least SSD over every ordered set partition of the units (recursion, no DP)."""
    n = problem.n_units

    def best(active: frozenset) -> float:
        rest = [u for u in range(n) if u not in active]
        if not rest:
            return 0.0
        here = problem.sd(active)
        options = []
        for size in range(1, len(rest) + 1):
            for part in itertools.combinations(rest, size):
                seconds = sum(problem.units[u].seconds for u in part)
                options.append(here * seconds + best(active | frozenset(part)))
        return min(options)

    return best(frozenset())  # the horizon is the total upload time: no tail after the last step


def random_upload_problem(seed: int, layers: int = 5) -> UploadProblem:
    rng = np.random.default_rng(seed)
    env = environment(clients=(1.5,), edge=(8.0, 12.0), cloud=(60.0,), client_edge=10.0, client_cloud=0.5,
                      edge_cloud=5.0)
    weights = [float(w) if rng.random() < 0.7 else 0.0 for w in rng.uniform(0.1, 4.0, layers)]
    model = chain("r", list(rng.uniform(1e8, 3e9, layers)), list(rng.uniform(0.05, 3.0, layers)),
                  input_mb=0.6, weights_mb=weights)
    nodes = [int(n) for n in rng.integers(0, 4, layers)]  # 0 = the client, 1-2 edge, 3 cloud
    return UploadProblem(scenario(env, [model]), 0, nodes)


def test_exact_equals_brute_force_and_is_never_worse_than_any_planner():
    for seed in range(8):
        problem = random_upload_problem(seed)
        exact = plan_upload("exact", problem)
        assert exact.ssd == pytest.approx(brute_force_ssd(problem), rel=1e-9, abs=1e-12)
        for name in PLANNER_NAMES:
            assert exact.ssd <= plan_upload(name, problem).ssd * (1 + 1e-12) + 1e-12


@pytest.mark.parametrize("name", PLANNER_NAMES)
def test_every_planner_uploads_every_off_client_layer_exactly_once(name):
    problem_m = MigrationProblem(paper_scenario(1, per_model=1, models=("alexnet", "vgg19")))
    rng = np.random.default_rng(2)
    genes = rng.integers(0, problem_m.upper[0] + 1, problem_m.n_var)
    genes[problem_m.task_genes(1)][:6] = 0  # some VGG layers stay on the client
    for t, nodes in enumerate(problem_m.nodes_of(genes)):
        problem = UploadProblem(problem_m.scenario, t, nodes)
        if name == "exact" and problem.n_units > 16:
            continue
        plan = plan_upload(name, problem)
        uploaded = [i for step in plan.steps for u in step.units for i in problem.units[u].layers]
        off_client = [i for i, n in enumerate(nodes) if n != problem.client]
        assert sorted(uploaded) == off_client
        assert plan.steps[-1].end == pytest.approx(problem.total_seconds)
        assert plan.sd_final == pytest.approx(problem.sd(range(problem.n_units)))


def test_every_registered_planner_is_checked_here():
    assert set(PLANNERS.names()) == set(PLANNER_NAMES)


def test_merge_rules_leave_no_negative_partition_that_has_a_neighbour():
    for seed in range(6):
        problem = random_upload_problem(seed, layers=7)
        for segment in problem.segments():
            parts = merge_segment(problem, segment)
            assert [u for p in parts for u in p] == segment
            if len(parts) > 1:
                assert all(lda_star(problem, p) > 0 for p in parts)


def test_lmu_pre_uploads_a_size_0_layer_that_helps_at_time_0():
    # conv (weights) then a heavy size-0 layer whose output is tiny: running it on the edge pays off
    env = environment(clients=(1.0,), edge=(10.0,), client_edge=10.0)
    model = chain("p", [5e8, 3e9, 1e8], [2.0, 0.01, 0.01], input_mb=0.5, weights_mb=[4.0, 0.0, 1.0])
    problem = UploadProblem(scenario(env, [model]), 0, [0, 1, 1])  # conv on the client; pool, fc on the edge
    plan = plan_upload("lmu", problem)
    first = plan.steps[0]
    assert (first.start, first.end) == (0.0, 0.0) and first.units == (0,)
    assert first.sd_after < plan.sd_initial


def test_ionn_penalty_levels_and_bad_inputs():
    problem = random_upload_problem(3, layers=6)
    plan = plan_upload("ionn", problem)
    assert len(plan.steps) >= 1
    with pytest.raises(EosdnnError, match="base"):
        plan_upload("ionn", problem, base=1.5)
    env = environment(clients=(1.0,), edge=(10.0,), client_edge=10.0)
    dag = UploadProblem(scenario(env, [diamond()]), 0, [1, 1, 1, 1])  # branches without module tags
    with pytest.raises(EosdnnError, match="does not decompose"):
        plan_upload("ionn", dag)


def test_exact_refuses_large_models_with_the_count():
    problem_m = MigrationProblem(paper_scenario(0, per_model=1, models=("vgg19",)))
    nodes = problem_m.nodes_of(problem_m.tier_plan("edge"))[0]
    problem = UploadProblem(problem_m.scenario, 0, nodes)
    with pytest.raises(EosdnnError, match=r"has 24 off-client upload units \(19 with weights\), above the limit of 20"):
        plan_upload("exact", problem)


def test_module_layers_upload_as_one_unit():
    problem_m = MigrationProblem(paper_scenario(0, per_model=1, models=("googlenet",)))
    nodes = problem_m.nodes_of(problem_m.tier_plan("cloud"))[0]
    problem = UploadProblem(problem_m.scenario, 0, nodes)
    model = builtin_model("googlenet")
    modules = {layer.module for layer in model.layers if layer.module}
    loose = sum(1 for layer in model.layers if not layer.module)
    assert problem.n_units == len(modules) + loose


def test_upload_command_writes_the_format(tmp_path, capsys):
    problem = MigrationProblem(paper_scenario(0))
    placement = tmp_path / "p.json"
    save_placement(problem, problem.tier_plan("edge"), placement)
    out, plot = tmp_path / "u.json", tmp_path / "sd.png"
    assert main(["upload", "--placement", str(placement), "--tasks", "0,3", "--planner", "lmu,ionn,exact",
                 "--skip-refused", "--plot", str(plot), "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["format"] == 1 and set(doc["planners"]) == {"lmu", "ionn", "exact"}
    lmu = doc["planners"]["lmu"]["tasks"]
    assert [t["task"] for t in lmu] == [0, 3]
    first = lmu[0]
    assert {"sd_initial", "ssd", "horizon", "partitions", "improvement", "largest_share"} <= set(first)
    assert {"layers", "start", "end", "sd_after"} <= set(first["partitions"][0])
    assert doc["planners"]["exact"]["refused"][0]["task"] == 3  # VGG19 all on the edge: 24 units
    assert plot.stat().st_size > 0
    assert "refused" in capsys.readouterr().out
    assert main(["upload", "--placement", str(placement), "--tasks", "3", "--planner", "exact"]) == 2
    assert main(["upload", "--placement", str(placement), "--planner", "nope"]) == 2
    assert main(["upload", "--placement", str(placement), "--tasks", "99"]) == 2
    assert main(["upload", "--placement", str(placement), "--planner", ","]) == 2
    assert main(["upload", "--placement", str(placement), "--tasks", "0", "--horizon", "1"]) == 2
    assert "--horizon" in capsys.readouterr().err


def test_run_reports_the_lmu_plan_of_every_task(tmp_path):
    out = tmp_path / "run.json"
    assert main(["run", "--evaluations", "100", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert len(doc["upload"]["planners"]["lmu"]["tasks"]) == 12


def test_the_interval_metric_on_a_hand_built_timeline():
    from eosdnn.problems.upload import interval_saving, step_area

    # the paper's worked example: SD 63, 55, 44, 40 over uploads of 13, 10, 6, 15 s, then 21 to 50 s
    times, values = np.array([0, 13, 23, 29, 44, 50.0]), np.array([63, 55, 44, 40, 21, 21.0])
    assert step_area(times, values, 0, 50) == pytest.approx(2359)
    assert step_area(times, values, 10, 25) == pytest.approx(3 * 63 + 10 * 55 + 2 * 44)
    # a rival that is flat at 50: within [10, 25] and [40, 45] ours is 827 + 4 * 40 + 21 = 1008, theirs 1000
    rival = (np.array([0.0, 50.0]), np.array([50.0, 50.0]))
    assert interval_saving((times, values), rival, [(10, 25), (40, 45)]) == pytest.approx(1 - 1008 / 1000)


def test_paper_placement_breakpoints_are_table_v_sizes_over_10_mb_s():
    from eosdnn.experiments.upload_figures import paper_axis_nodes
    from eosdnn.problems.scenario import paper_scenario
    from eosdnn.problems.upload import UploadProblem

    scenario = paper_scenario(3)
    upload = UploadProblem(scenario, 0, paper_axis_nodes(scenario, 0))
    seconds = {unit.name: unit.seconds for unit in upload.units}
    # Table V: conv2 2.3447 MB, conv3 3.3765 MB, fc7 64.0156 MB; all of conv2..fc8 237.8212 MB
    assert 1000 * seconds["conv2"] == pytest.approx(234.47, abs=0.01)
    assert 1000 * (seconds["conv2"] + seconds["conv3"]) == pytest.approx(572.12, abs=0.01)
    assert 1000 * seconds["fc7"] == pytest.approx(6401.56, abs=0.01)
    assert 1000 * upload.total_seconds == pytest.approx(23782.12, abs=0.01)
    lmu = plan_upload("lmu", upload)
    ends = [1000 * step.end for step in lmu.steps]
    assert any(abs(end - 234.47) <= 0.01 for end in ends) and any(abs(end - 572.12) <= 0.01 for end in ends)
