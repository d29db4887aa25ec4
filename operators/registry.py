"""The gene operators' registry, in the operators' own layer: `OPERATORS`, names `kind:name`
(sampling, crossover, mutation), filled by `eosdnn.operators` and by the `eosdnn.operators` entry
points of plug-ins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eosdnn.framework.registry import Registry

OPERATORS: Registry[Callable[..., Any]] = Registry("operator", "eosdnn.operators", builtins=("eosdnn.operators",))
