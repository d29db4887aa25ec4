"""Limits on a plan besides its objective: `energy<=2.5`, `makespan<=1.2`, per-task deadlines
(MODEL.md section 3b).

A limit names a registered objective (what it measures) and the most it may be; a task's deadline
is the latest its result may be back on its client. A plan that keeps every limit is *feasible* and
scores its objective. One that breaks any scores `INFEASIBLE x (1 + v)`, where `v` is the sum of its
relative violations (`(measured - limit) / limit`, or the absolute excess for a limit of 0): every
feasible plan is then better than every infeasible one, and among infeasible plans the one that
breaks its limits by less is better (Deb's feasibility rule, as one number every solver compares).
Exact solvers state the limits as constraints instead.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from eosdnn.framework.errors import EosdnnError

if TYPE_CHECKING:
    from eosdnn.problems.bounds import BoundInputs
    from eosdnn.problems.measures import Measures
    from eosdnn.problems.objectives import ExactForm, Objective

INFEASIBLE = 1e15  # above any feasible plan's value; its float spacing still tells violations 2e-16 apart
_LIMIT = re.compile(r"^\s*([A-Za-z][\w-]*)\s*<=\s*(\S+)\s*$")


@attrs.frozen
class Limit:
    """`measure <= most`: `measure` an objective's name."""

    measure: str
    most: float

    def __str__(self) -> str:
        return f"{self.measure}<={self.most:g}"


def parse_limit(text: str, field: str) -> Limit:
    """A limit written `name<=number`; anything else is one error naming the field."""
    from eosdnn.problems.objectives import OBJECTIVES
    match = _LIMIT.match(text) if isinstance(text, str) else None
    if match is None:
        raise EosdnnError(f"{field}: expected a limit like energy<=2.5, got {text!r}")
    name, number = match.groups()
    if name not in OBJECTIVES.names():
        raise EosdnnError(f"{field}: unknown measure {name!r} (expected one of {', '.join(OBJECTIVES.names())})")
    try:
        most = float(number)
    except ValueError:
        raise EosdnnError(f"{field}: {number!r} is not a number") from None
    if not np.isfinite(most) or most < 0:
        raise EosdnnError(f"{field}: the limit must be a finite number >= 0, got {number!r}")
    return Limit(name, most)


def relative_excess(measured: np.ndarray, most: float | np.ndarray) -> np.ndarray:
    """How far above its limit a measure is, relative to the limit (absolute for a limit of 0; 0 for
    no limit, an infinite one)."""
    most = np.asarray(most, dtype=float)
    finite = np.isfinite(most)
    limit = np.where(finite, most, 0.0)
    scale = np.where(limit > 0, limit, 1.0)
    return np.where(finite, np.maximum(0.0, (measured - limit) / scale), 0.0)


@attrs.define
class Constrained:
    """An objective under limits and deadlines (module docstring); built by the evaluator when the
    scenario has any, named and bounded as the objective it wraps (its bounds hold: the limits only
    remove plans)."""

    base: Objective
    limits: tuple[Limit, ...]
    deadlines: np.ndarray  # per task, seconds; inf where none
    name: str = attrs.field(default=attrs.Factory(lambda self: self.base.name, takes_self=True))

    @property
    def unit(self) -> str:
        return str(getattr(self.base, "unit", "s"))

    def violation(self, measures: Measures) -> np.ndarray:
        """Per row, the sum of the relative violations of every limit and deadline (0: feasible)."""
        from eosdnn.problems.objectives import objective
        total = relative_excess(measures.completion, self.deadlines[None, :]).sum(axis=1)
        for limit in self.limits:
            total = total + relative_excess(objective(limit.measure).value(measures), limit.most)
        return total

    def value(self, measures: Measures) -> np.ndarray:
        broken = self.violation(measures)
        return np.where(broken > 0, INFEASIBLE * (1.0 + broken), self.base.value(measures))

    def bounds(self, least: BoundInputs) -> dict[str, float]:
        from eosdnn.problems.bounds import bound_parts
        return bound_parts(self.base, least)

    def lower_bound(self, least: BoundInputs) -> float | None:
        return self.base.lower_bound(least)

    def latest_completions(self, upper: float, least: np.ndarray) -> np.ndarray | None:
        """The base's windows, no later than each deadline or a limit on a completion measure."""
        windows = [self.deadlines]
        base = self.base.latest_completions(upper, least) if upper < INFEASIBLE else None
        if base is not None:
            windows.append(base)
        from eosdnn.problems.objectives import objective
        for limit in self.limits:
            bounded = objective(limit.measure).latest_completions(limit.most, least)
            if bounded is not None:
                windows.append(bounded)
        latest = np.min(windows, axis=0)
        return None if not np.all(np.isfinite(latest)) else latest

    def exact(self, form: ExactForm, upper: float) -> Any:
        """The base's exact form, every limit and deadline a constraint (in the form's units,
        `in_form_units`)."""
        from eosdnn.problems.objectives import objective
        for t, (completion, deadline) in enumerate(zip(form.completion, self.deadlines)):
            if np.isfinite(deadline):
                form.require(completion <= in_form_units(form, deadline), f"deadline_{t}")
        for index, limit in enumerate(self.limits):
            most = in_form_units(form, limit.most)
            form.require(objective(limit.measure).exact(form, most) <= most, f"limit {limit}")
        return self.base.exact(form, upper)


def in_form_units(form: ExactForm, value: float) -> float | int:
    """A limit in an exact form's units: seconds for the MILP; for CP-SAT (a million units per real
    one, times rounded down) the whole number below, which every plan within the limit keeps."""
    scale = float(getattr(form, "scale", 1.0))
    return value if scale == 1.0 else int(np.floor(value * scale))
