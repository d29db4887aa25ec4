"""Small random instances (chains and DAGs, several tasks, mixed pools) for checking solvers
against exact optima. Clock ranges and bandwidths are the paper's; layer sizes are drawn so that
neither computing nor sending dominates everywhere."""

from __future__ import annotations

import attrs
import numpy as np

from eosdnn.problems.environment import MB, PAPER_GHZ_RANGES, Bandwidth, Environment, Node
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.models import DnnModel, Layer
from eosdnn.problems.scenario import Scenario, Task, build_environment, round_robin_tasks


@attrs.frozen
class InstanceShape:
    """Sizes of a random instance; pools of each server are drawn from 1..max_pools."""

    tasks: int = 2
    layers: int = 4
    clients: int = 2
    edge: int = 1
    cloud: int = 1
    max_pools: int = 2
    dag_share: float = 0.5  # chance that a model is a DAG rather than a chain

    def __attrs_post_init__(self) -> None:
        for field in ("tasks", "layers", "clients", "max_pools"):
            if getattr(self, field) < 1:
                raise EosdnnError(f"{field}: must be at least 1, got {getattr(self, field)}")
        for field in ("edge", "cloud"):
            if getattr(self, field) < 0:
                raise EosdnnError(f"{field}: must be at least 0, got {getattr(self, field)}")
        if self.edge + self.cloud == 0:
            raise EosdnnError("edge, cloud: an instance needs at least one server")
        if not 0.0 <= self.dag_share <= 1.0:
            raise EosdnnError(f"dag_share: must lie in [0, 1], got {self.dag_share}")

    def describe(self) -> str:
        return (f"{self.tasks} tasks x {self.layers} layers, {self.clients} clients + {self.edge} edge + "
                f"{self.cloud} cloud, pools 1..{self.max_pools}")


def random_model(rng: np.random.Generator, name: str, layers: int, dag: bool) -> DnnModel:
    """A chain, or a DAG where each layer reads one or two earlier layers and the last reads every
    layer nobody else reads (so there is exactly one result)."""
    built: list[Layer] = []
    readers = [0] * layers
    for i in range(layers):
        if i == 0:
            inputs: list[int] = []
        elif not dag:
            inputs = [i - 1]
        elif i == layers - 1:
            inputs = sorted({i - 1} | {j for j in range(i) if readers[j] == 0})
        else:
            inputs = sorted(set(int(j) for j in rng.choice(i, size=min(i, int(rng.integers(1, 3))), replace=False)))
        for j in inputs:
            readers[j] += 1
        built.append(Layer(
            f"{name}_l{i}",
            flops=float(rng.uniform(0.05e9, 2.0e9)),
            out_bytes=float(rng.uniform(0.01, 2.0) * MB),
            weight_bytes=float(rng.uniform(0.0, 4.0) * MB),
            inputs=tuple(f"{name}_l{j}" for j in inputs),
        ))
    return DnnModel(name, float(rng.uniform(0.1, 1.0) * MB), tuple(built))


def random_scenario(seed: int, shape: InstanceShape = InstanceShape(), objective: str = "total") -> Scenario:
    rng = np.random.default_rng(seed)
    nodes = []
    for tier, count in (("client", shape.clients), ("edge", shape.edge), ("cloud", shape.cloud)):
        low, high = PAPER_GHZ_RANGES[tier]
        for i in range(count):
            pools = 1 if tier == "client" else int(rng.integers(1, shape.max_pools + 1))
            nodes.append(Node(f"{tier}{i}", tier, round(float(rng.uniform(low, high)), 3), pools))
    environment = Environment(nodes, Bandwidth())
    tasks = [Task(random_model(rng, f"m{t}", shape.layers, bool(rng.random() < shape.dag_share)), t % shape.clients)
             for t in range(shape.tasks)]
    return Scenario(environment, tasks, objective=objective, seed=seed, name=f"random-{seed}")


def model_scenario(seed: int, models: list[DnnModel], tasks: int, objective: str = "total") -> Scenario:
    """An instance of real models: the paper's environment with the clock rates drawn by `seed`, and
    `tasks` tasks taking the models in turn, spread over the clients round-robin (`validate --models`)."""
    environment = build_environment({"preset": "paper"}, seed)
    chosen = [models[i % len(models)] for i in range(tasks)]
    names = "+".join(dict.fromkeys(model.name for model in chosen))
    return Scenario(environment, round_robin_tasks(chosen, environment.n_clients), objective=objective, seed=seed,
                    name=f"{names}#{seed}")
