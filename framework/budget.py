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

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in attrs.asdict(self).items() if v is not None]
        return ", ".join(parts) or "solver default"
