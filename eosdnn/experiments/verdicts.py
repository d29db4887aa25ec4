"""The rule every reproduced claim is judged by (docs/REPRODUCTION.md, "How verdicts are given"),
in one place, and the JSON form that lets anyone recompute a verdict from the stored values.

A claim is a list of comparisons "A is lower than B", each over paired values (one pair per seed,
or one pair when the quantity is itself over seeds, e.g. a spread). A comparison **holds** when A
is lower on every pair (k = n), is **reversed** when A is higher on every pair, and is **no
difference** otherwise: a difference inside the seed range is no difference. A claim **agrees**
when every comparison holds, **disagrees** when none does, and is **partly** otherwise; a claim
the model cannot test (its mechanism is outside docs/MODEL.md) is **untestable**, whatever the
numbers, with the reason stated.
"""

from __future__ import annotations

from typing import Any

import attrs

HOLDS, REVERSED, NO_DIFFERENCE = "holds", "reversed", "no difference"
AGREES, PARTLY, DISAGREES, UNTESTABLE = "agrees", "partly", "disagrees", "untestable"


@attrs.frozen
class Comparison:
    """`what`: "A below B" in words; `lower`, `higher`: the paired values of A and of B."""

    what: str
    lower: tuple[float, ...] = attrs.field(converter=lambda v: tuple(float(x) for x in v))
    higher: tuple[float, ...] = attrs.field(converter=lambda v: tuple(float(x) for x in v))

    def __attrs_post_init__(self) -> None:
        if len(self.lower) != len(self.higher) or not self.lower:
            raise ValueError(f"{self.what}: needs equal, non-empty lists of paired values")

    @property
    def k(self) -> int:
        """On how many pairs A is lower."""
        return sum(a < b for a, b in zip(self.lower, self.higher))

    @property
    def status(self) -> str:
        n = len(self.lower)
        if self.k == n:
            return HOLDS
        if all(a > b for a, b in zip(self.lower, self.higher)):
            return REVERSED
        return NO_DIFFERENCE

    def as_dict(self) -> dict[str, Any]:
        return {"what": self.what, "lower": list(self.lower), "higher": list(self.higher), "k": self.k,
                "n": len(self.lower), "status": self.status}


def verdict_of(statuses: list[str]) -> str:
    """The claim's verdict from its comparisons' statuses."""
    held = sum(status == HOLDS for status in statuses)
    if statuses and held == len(statuses):
        return AGREES
    return DISAGREES if held == 0 else PARTLY


@attrs.frozen
class Claim:
    """One statement of the paper, its comparisons and its verdict (`untestable` with `reason`)."""

    key: str
    text: str
    comparisons: list[Comparison]
    untestable: str | None = None  # why the model cannot test it

    @property
    def verdict(self) -> str:
        return UNTESTABLE if self.untestable else verdict_of([c.status for c in self.comparisons])

    @property
    def held(self) -> tuple[int, int]:
        """(comparisons that hold, comparisons)."""
        return sum(c.status == HOLDS for c in self.comparisons), len(self.comparisons)

    def as_dict(self) -> dict[str, Any]:
        held, total = self.held
        return {"key": self.key, "claim": self.text, "verdict": self.verdict, "held": held, "comparisons_total": total,
                "untestable": self.untestable, "comparisons": [c.as_dict() for c in self.comparisons]}


def claims_data(claims: list[Claim]) -> list[dict[str, Any]]:
    """The JSON form of a figure's claims (the figure's `claims` key)."""
    return [claim.as_dict() for claim in claims]
