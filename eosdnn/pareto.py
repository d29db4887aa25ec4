"""`eosdnn pareto`'s outcome: the front of a run with its scale, hypervolume, chosen plan and gaps,
as a table, a JSON document (FORMATS.md "Pareto front") and CSV rows."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from rich.table import Table

from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.bounds import gap_to_bound
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.objectives import unit_of
from eosdnn.problems.placement import placement_to_dict
from eosdnn.solvers.pareto import Front, Scale, front_scale, hypervolume, objective_values, pick


def parse_weights(text: str | None, names: tuple[str, ...]) -> np.ndarray:
    """`total=0.5,energy=0.5`: the importance of each objective (unnamed ones 0); equal by default."""
    if text is None:
        return np.ones(len(names))
    weights = dict.fromkeys(names, 0.0)
    for part in text.split(","):
        name, _, number = part.partition("=")
        name = name.strip()
        if name not in weights:
            raise EosdnnError(f"--pick: {name!r} is not one of the objectives ({', '.join(names)})")
        try:
            weights[name] = float(number)
        except ValueError:
            raise EosdnnError(f"--pick: {part.strip()!r} is not name=number") from None
        if not np.isfinite(weights[name]) or weights[name] < 0:
            raise EosdnnError(f"--pick: the weight of {name} must be a finite number >= 0, got {number!r}")
    values = np.array(list(weights.values()))
    if values.sum() <= 0:
        raise EosdnnError("--pick: give at least one objective a weight above 0")
    return values


@attrs.frozen
class ParetoOutcome:
    """A front with what reports need: the scale, its hypervolume, the chosen point, the seeding
    plans' values."""

    front: Front
    scale: Scale
    hypervolume: float
    picked: int
    weights: np.ndarray
    start_values: dict[str, np.ndarray]

    @property
    def feasible(self) -> bool:
        return bool(np.all(self.front.violation == 0))


def pareto_outcome(problem: MigrationProblem, front: Front, weights: np.ndarray) -> ParetoOutcome:
    scale = front_scale(problem, front.objectives)
    names = list(front.starts)
    values, _ = objective_values(problem, front.objectives, np.stack([front.starts[n] for n in names]))
    return ParetoOutcome(front, scale, hypervolume(front.F, scale), pick(front.F, scale, weights), weights,
                         dict(zip(names, values)))


def point_gaps(outcome: ParetoOutcome, values: np.ndarray) -> list[float | None]:
    """Each objective's gap of one point to that objective's lower bound (None where the bound is 0:
    a gap relative to nothing is not a number)."""
    return [gap_to_bound(float(v), float(b)) if b > 0 else None for v, b in zip(values, outcome.scale.lower)]


def pareto_table(outcome: ParetoOutcome, limit: int | None = 20) -> Table:
    """The front sorted by the first objective: values with units, gaps to each lower bound, the
    chosen point marked; the first `limit` rows and the chosen one (all with None)."""
    front = outcome.front
    names = front.objectives
    order = np.argsort(front.F[:, 0], kind="stable")
    shown = list(order if limit is None or len(order) <= limit else order[:limit])
    if outcome.picked not in shown:
        shown.append(outcome.picked)
    table = Table(title=f"Pareto front: {len(front.F)} plans, hypervolume {outcome.hypervolume:.4f}, "
                        f"{front.evaluations:,} evaluations, {front.wall_s:.1f} s")
    table.add_column("plan", justify="right")
    for name in names:
        table.add_column(f"{name} ({unit_of(name)})", justify="right")
    bounded = [i for i, bound in enumerate(outcome.scale.lower) if bound > 0]  # a gap to 0 is no number
    for i in bounded:
        table.add_column(f"{names[i]} gap", justify="right")
    for index in shown:
        values = front.F[index]
        gaps = point_gaps(outcome, values)
        label = f"{index} *" if index == outcome.picked else str(index)
        table.add_row(label, *(f"{v:.6g}" for v in values), *(f"{100 * (gaps[i] or 0.0):.2f}%" for i in bounded))
    hidden = len(front.F) - len(shown)
    unbounded = [names[i] for i, bound in enumerate(outcome.scale.lower) if bound <= 0]
    table.caption = ("* the chosen plan (--pick). Gaps: (value - bound) / bound, each to its objective's lower "
                     "bound (docs/MODEL.md section 7)" + (f"; {', '.join(unbounded)}: bound 0, no gap" if unbounded else "")
                     + (f"; {hidden} more plans in --json / --csv" if hidden else ""))
    return table


def pareto_document(problem: MigrationProblem, outcome: ParetoOutcome, algorithm: str, seed: int) -> dict[str, Any]:
    """FORMATS.md "Pareto front": the front's points with placements, the scale, the hypervolume, the
    chosen plan (also as the document's `placement`, so that `--placement` reads it)."""
    front = outcome.front
    names = list(front.objectives)
    points = [{"values": dict(zip(names, map(float, f))), "gaps": dict(zip(names, point_gaps(outcome, f))),
               "feasible": bool(v == 0), "violation": float(v), "placement": placement_to_dict(problem, x)}
              for x, f, v in zip(front.X, front.F, front.violation)]
    return {"format": 1, "objectives": names, "algorithm": algorithm, "seed": seed,
            "evaluations": front.evaluations, "wall_s": front.wall_s,
            "lower_bounds": dict(zip(names, map(float, outcome.scale.lower))),
            "reference_point": dict(zip(names, map(float, outcome.scale.reference))),
            "hypervolume": outcome.hypervolume, "weights": dict(zip(names, map(float, outcome.weights))),
            "picked": outcome.picked, "feasible": outcome.feasible, "points": points,
            "starts": {name: dict(zip(names, map(float, values))) for name, values in outcome.start_values.items()},
            "placement": points[outcome.picked]["placement"]}


def pareto_rows(outcome: ParetoOutcome) -> list[list[Any]]:
    """CSV rows: a header, then one row per plan of the front (values, gaps, feasibility, chosen)."""
    names = list(outcome.front.objectives)
    rows: list[list[Any]] = [["plan", *names, *(f"{n}_gap" for n in names), "feasible", "violation", "picked"]]
    for index, (f, v) in enumerate(zip(outcome.front.F, outcome.front.violation)):
        rows.append([index, *map(float, f), *point_gaps(outcome, f), bool(v == 0), float(v), index == outcome.picked])
    return rows
