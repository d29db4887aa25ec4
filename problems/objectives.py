"""What a migration plan is scored by (MODEL.md section 4): objectives over the evaluator's measures.

The evaluator measures every plan (`problems.measures.Measures`: per-task completion times, per-node
busy seconds, per-link bytes); an objective turns measures into one value per row. It may also give
a valid lower bound for a scenario (`lower_bound`), limit each task's completion given an upper bound
on its value (`latest_completions`: the exact MILP's time windows) and state itself in an exact model
through `ExactForm`, which names measures, not a solver library. Register a new one with
`OBJECTIVES.register("name")` (subclassing `ObjectiveBase` gives the optional parts their defaults);
scenarios name it in `objective = "name"`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import attrs
import numpy as np

from eosdnn.framework.errors import EosdnnError
from eosdnn.framework.registry import Registry

if TYPE_CHECKING:
    from eosdnn.problems.bounds import BoundInputs
    from eosdnn.problems.measures import Measures


class ExactForm(Protocol):
    """An exact model as an objective sees it: linear expressions of its measures, whatever library
    builds the model (PuLP today). Expressions support `+`, `-`, `*` by numbers and comparisons."""

    @property
    def completion(self) -> Sequence[Any]:
        """Per task: its completion time."""

    @property
    def environment(self) -> Any:
        """The scenario's environment (nodes numbered as its `nodes`)."""

    @property
    def task_clients(self) -> Sequence[int]:
        """Per task: its client's node."""

    def busy(self, node: int) -> Any:
        """Seconds node `node` spends executing layers."""

    def bytes_sent(self, source: int, target: int) -> Any:
        """Bytes sent from node `source` to node `target` (inputs, layer outputs, results)."""

    def variable(self, name: str, low: float, high: float) -> Any:
        """A new continuous variable."""

    def require(self, constraint: Any, name: str) -> None:
        """Add a constraint."""

    def sum(self, terms: Iterable[Any]) -> Any:
        """The sum of expressions (faster than Python's `sum` for long ones)."""


class Objective(Protocol):
    """An objective; its docstring's first line is its description in reports (`OBJECTIVES.describe`)."""

    name: str

    def value(self, measures: Measures) -> np.ndarray:
        """The objective of every row (one plan: an array of one)."""

    def lower_bound(self, least: BoundInputs) -> float | None:
        """A valid lower bound on the objective over every plan, or None when it knows none. An
        objective may also state `bounds(least)`: the bounds it takes the largest of, by name, which
        reports show beside it."""

    def latest_completions(self, upper: float, least: np.ndarray) -> np.ndarray | None:
        """The latest each task may complete in a plan whose value is at most `upper`, given every
        task's least completion time `least`; None when the value does not limit completions."""

    def exact(self, form: ExactForm, upper: float) -> Any:
        """The expression an exact model minimises (it may add variables and constraints)."""


class ObjectiveBase:
    """Defaults of the optional parts: the largest of `bounds` where the objective states them (else
    no bound), no time windows, no exact form, values in seconds."""

    name: str
    unit: ClassVar[str] = "s"

    def lower_bound(self, least: BoundInputs) -> float | None:
        parts = getattr(self, "bounds", None)
        return max(parts(least).values()) if parts is not None else None

    def latest_completions(self, upper: float, least: np.ndarray) -> np.ndarray | None:
        return None

    def exact(self, form: ExactForm, upper: float) -> Any:
        raise EosdnnError(f"objective: {self.name!r} has no exact form, so the exact solvers cannot optimise it")


OBJECTIVES: Registry[Objective] = Registry("objective", "eosdnn.objectives", builtins=("eosdnn.problems.objectives",))


@OBJECTIVES.register("total")
@attrs.frozen
class TotalCompletion(ObjectiveBase):
    """total: the sum of the tasks' completion times, the paper's objective"""

    name: str = "total"

    def value(self, measures: Measures) -> np.ndarray:
        return measures.total

    def bounds(self, least: BoundInputs) -> dict[str, float]:
        """The contention-free bound (the sum of the tasks' least completion times) and each server
        tier's capacity bound (MODEL.md section 7)."""
        return {"contention-free": float(least.completion.sum())} | {
            f"{tier} capacity": bound for tier, bound in least.capacity.items()}

    def latest_completions(self, upper: float, least: np.ndarray) -> np.ndarray | None:
        return upper - (least.sum() - least)  # every other task takes at least its least time

    def exact(self, form: ExactForm, upper: float) -> Any:
        return form.sum(form.completion)


@OBJECTIVES.register("makespan")
@attrs.frozen
class Makespan(ObjectiveBase):
    """makespan: the latest completion time of any task"""

    name: str = "makespan"

    def value(self, measures: Measures) -> np.ndarray:
        return measures.makespan

    def bounds(self, least: BoundInputs) -> dict[str, float]:
        """The contention-free bound (the largest least completion time) and the tiers' capacity
        bounds on the sum of completions shared by the tasks (the latest is at least the mean)."""
        tasks = len(least.completion)
        return {"contention-free": float(least.completion.max())} | {
            f"{tier} capacity": bound / tasks for tier, bound in least.capacity.items()}

    def latest_completions(self, upper: float, least: np.ndarray) -> np.ndarray | None:
        return np.full(least.shape[0], upper)

    def exact(self, form: ExactForm, upper: float) -> Any:
        makespan = form.variable("makespan", 0.0, upper)
        for t, c in enumerate(form.completion):
            form.require(makespan >= c, f"makespan_{t}")
        return makespan


def energy_weights(environment) -> tuple[np.ndarray, np.ndarray]:
    """Per node: the idle power (W) and the excess over it of computing, sending and receiving,
    (nodes, 3); 0 on servers (MODEL.md section 3a: idle for the whole time a task is in flight, and
    each activity's excess on top while it lasts)."""
    power = environment.power_w()
    return power[:, 3], power[:, :3] - power[:, 3:4]


def client_link_weights(environment) -> np.ndarray:
    """(nodes, nodes) J per byte a client's excess sending or receiving power costs on each link
    (sending when the client is the source, receiving when it is the target; 0 between servers)."""
    idle, excess = energy_weights(environment)
    spb = np.where(np.isfinite(environment.seconds_per_byte()), environment.seconds_per_byte(), 0.0)
    is_client = np.array([node.tier == "client" for node in environment.nodes])
    return np.where(is_client[:, None], excess[:, 1:2] * spb, 0.0) + np.where(is_client[None, :],
                                                                               excess[None, :, 2] * spb, 0.0)


@attrs.frozen
class LinearWeights:
    """An objective linear in the measures: per task a weight on its completion time, per node one on
    its busy seconds, per ordered pair of nodes one on the bytes sent."""

    completion: np.ndarray  # (tasks,) per second
    busy: np.ndarray  # (nodes,) per second
    sent: np.ndarray  # (nodes, nodes) per byte


class LinearObjective(ObjectiveBase):
    """An objective that is a weighted sum of completion times, busy seconds and bytes sent (energy,
    money): its value and its exact form follow from `weights`, the one home of both."""

    def weights(self, environment, task_clients: np.ndarray) -> LinearWeights:
        raise NotImplementedError

    def value(self, measures: Measures) -> np.ndarray:
        w = self.weights(measures.environment, np.asarray(measures.task_clients))
        return (measures.completion @ w.completion + measures.busy @ w.busy
                + np.einsum("rab,ab->r", measures.bytes_sent, w.sent))

    def least_placement_terms(self, least: BoundInputs) -> tuple[LinearWeights, float]:
        """The weights, and the least over placements of the busy-seconds and bytes terms summed
        over the tasks (`problems.additive`: they depend on the placement alone)."""
        w = least.workload
        weights = self.weights(w.scenario.environment, w.client_of)
        terms = least.additive(lambda t, tables: (tables.exec_s * weights.busy[w.choice_node[t]][None, :],
                                                  weights.sent[np.ix_(w.choice_node[t], w.choice_node[t])]))
        return weights, float(terms.sum())

    def exact(self, form: ExactForm, upper: float) -> Any:
        w = self.weights(form.environment, np.asarray(form.task_clients))
        nodes = range(len(w.busy))
        terms = [float(weight) * completion for weight, completion in zip(w.completion, form.completion) if weight]
        terms += [float(w.busy[n]) * form.busy(n) for n in nodes if w.busy[n]]
        terms += [float(w.sent[a, b]) * form.bytes_sent(a, b) for a in nodes for b in nodes if a != b and w.sent[a, b]]
        return form.sum(terms)


@OBJECTIVES.register("energy")
@attrs.frozen
class ClientEnergy(LinearObjective):
    """energy: the clients' energy for all tasks in J (computing, sending, receiving, idle while away)"""

    name: str = "energy"
    unit: ClassVar[str] = "J"

    def weights(self, environment, task_clients: np.ndarray) -> LinearWeights:
        idle, excess = energy_weights(environment)
        return LinearWeights(idle[task_clients], excess[:, 0], client_link_weights(environment))

    def bounds(self, least: BoundInputs) -> dict[str, float]:
        """Each task's idle power times its least completion time plus the least of its activities'
        excess energy (`problems.additive`); where every client idles alike, the idle part of the
        sum may also take the total's capacity bounds (MODEL.md section 7)."""
        weights, extra = self.least_placement_terms(least)
        powers = weights.completion
        parts = {"contention-free": float(powers @ least.completion + extra)}
        if np.all(powers == powers[0]):
            parts |= {f"{tier} capacity": float(powers[0] * bound + extra) for tier, bound in least.capacity.items()}
        return parts


@OBJECTIVES.register("cost")
@attrs.frozen
class ServerCost(LinearObjective):
    """cost: the money paid for server time and cloud egress in USD"""

    name: str = "cost"
    unit: ClassVar[str] = "USD"

    def weights(self, environment, task_clients: np.ndarray) -> LinearWeights:
        return LinearWeights(np.zeros(len(task_clients)), environment.price_per_second(),
                             environment.egress_per_byte())

    def bounds(self, least: BoundInputs) -> dict[str, float]:
        """The sum over tasks of each task's least cost (`problems.additive`): cost does not depend
        on the schedule, so contention cannot raise it."""
        return {"least placement cost": self.least_placement_terms(least)[1]}


def objective(name: str) -> Objective:
    """The registered objective `name`; an unknown name is one error listing the known ones."""
    return OBJECTIVES.create(name)


def unit_of(name: str) -> str:
    """The unit of an objective's values (s, J, USD; an objective that names none is in seconds)."""
    return str(getattr(objective(name), "unit", "s"))
