"""Summaries of one quantity over seeds (or any runs): the one home of mean, spread and extremes, so
that every report and JSON document summarises runs the same way."""

from __future__ import annotations

from collections.abc import Iterable

import attrs
import numpy as np


@attrs.frozen
class Spread:
    """Mean, least, largest and (population) standard deviation of some values."""

    mean: float
    min: float
    max: float
    std: float

    @classmethod
    def of(cls, values: Iterable[float]) -> Spread:
        array = np.asarray(list(values), dtype=float)
        return cls(float(array.mean()), float(array.min()), float(array.max()), float(array.std()))

    def as_dict(self) -> dict[str, float]:
        """`{"mean", "min", "max", "std"}`: the figures' JSON shape."""
        return {"mean": self.mean, "min": self.min, "max": self.max, "std": self.std}
