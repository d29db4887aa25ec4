"""How long a solver may run: iterations, evaluations and seconds; whichever ends first."""

from __future__ import annotations

import math

import attrs

from eosdnn.framework.errors import EosdnnError


def _optional_positive(_instance, attribute, value) -> None:
    if value is not None and (isinstance(value, bool) or not math.isfinite(value) or value <= 0):
        raise EosdnnError(f"budget.{attribute.name}: must be positive, got {value!r}")


@attrs.frozen
class Budget:
    """Limits of one run; any limit that is reached ends it. None means no limit."""

    iterations: int | None = attrs.field(default=None, validator=_optional_positive)
    evaluations: int | None = attrs.field(default=None, validator=_optional_positive)
    seconds: float | None = attrs.field(default=None, validator=_optional_positive)

    def exhausted(self, iterations: int, evaluations: int, seconds: float) -> bool:
        return (
            (self.iterations is not None and iterations >= self.iterations)
            or (self.evaluations is not None and evaluations >= self.evaluations)
            or (self.seconds is not None and seconds >= self.seconds)
        )

    @property
    def unlimited(self) -> bool:
        """No limit is set: the solver's own default applies."""
        return self.iterations is None and self.evaluations is None and self.seconds is None

    def or_default(self, *, iterations: int | None = None, evaluations: int | None = None,
                   seconds: float | None = None) -> "Budget":
        """This budget, or the given limits (a solver's default) when it sets no limit at all: the one
        home of the rule "no budget given, the solver's default"."""
        return Budget(iterations, evaluations, seconds) if self.unlimited else self

    def share(self, fraction: float, *, round_up: bool = False) -> "Budget":
        """`fraction` of every limit: the one home of splitting a budget between the steps of a
        solver. Iterations and evaluations are rounded down (or up, `round_up`) and never below one."""
        rounded = math.ceil if round_up else math.floor

        def part(limit: int | None) -> int | None:
            return None if limit is None else max(1, rounded(limit * fraction))

        return Budget(iterations=part(self.iterations), evaluations=part(self.evaluations),
                      seconds=None if self.seconds is None else self.seconds * fraction)

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in attrs.asdict(self).items() if v is not None]
        return ", ".join(parts) or "solver default"
