"""How LMU's time grows with the layers of one task: ResNet-101 stacked 1, 2, 4 and 8 times (140, 280,
560 and 1,120 layers), every layer but the first three on the fastest edge server of the paper
environment (seed 0).

Run: python bench/bench_upload_scaling.py [--copies 1,2,4,8] [--planner lmu]
Target (issue "beyond the paper's size"): LMU on the 560-layer task in under 1 s, and at most
quadratic growth with the layers. Prints units, SD evaluations, wall and CPU seconds per size.
"""

from __future__ import annotations

import argparse
import time

import attrs

from eosdnn.problems.models import DnnModel, builtin_model
from eosdnn.problems.scenario import Scenario, Task, paper_scenario
from eosdnn.problems.upload import UploadProblem
from eosdnn.solvers.upload import plan_upload


def stacked(model: DnnModel, copies: int) -> DnnModel:
    """`copies` copies of a model one after the other: copy k's first layers read copy k-1's result."""
    last = model.layers[model.output].name
    layers = []
    for k in range(copies):
        for layer in model.layers:
            inputs = tuple(f"{name}#{k}" for name in layer.inputs)
            if not layer.inputs and k > 0:
                inputs = (f"{last}#{k - 1}",)
            layers.append(attrs.evolve(layer, name=f"{layer.name}#{k}", inputs=inputs,
                                       module=None if layer.module is None else f"{layer.module}#{k}"))
    return DnnModel(f"{model.name}x{copies}", model.input_bytes, tuple(layers))


def task_on_edge(copies: int) -> UploadProblem:
    base = paper_scenario(0, per_model=1)
    model = stacked(builtin_model("resnet101"), copies)
    scenario = Scenario(base.environment, [Task(model, 0)], name="scaling")
    env = scenario.environment
    edge = max((i for i, n in enumerate(env.nodes) if n.tier == "edge"), key=lambda i: env.nodes[i].ghz)
    return UploadProblem(scenario, 0, [0] * 3 + [edge] * (model.n_layers - 3))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", default="1,2,4,8")
    parser.add_argument("--planner", default="lmu")
    args = parser.parse_args()
    plan_upload(args.planner, task_on_edge(1), max_units=10_000)  # compile the evaluator before timing
    print(f"{'layers':>6} {'units':>5} {'SD sets':>8} {'wall s':>8} {'cpu s':>8} {'SSD':>14}")
    for copies in [int(c) for c in args.copies.split(",")]:
        upload = task_on_edge(copies)
        wall, cpu = time.perf_counter(), time.process_time()
        plan = plan_upload(args.planner, upload, max_units=10_000)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"{upload.model.n_layers:>6} {upload.n_units:>5} {upload.sd_evaluations:>8} {wall:>8.2f} {cpu:>8.2f} "
              f"{plan.ssd:>14.6f}")


if __name__ == "__main__":
    main()
