"""The migration solvers' registry, in the solvers' own layer: `SOLVERS` (a `framework.Registry`
filled by each solver module's decorator, by the built-in modules of this package on the first
lookup, and by the `eosdnn.solvers` entry points of plug-ins), and the groups computed from what the
solvers declare (`traits`), so that no command keeps a list of names."""

from __future__ import annotations

from eosdnn.framework.registry import Registry
from eosdnn.framework.solver import Solver, SolverTraits, traits_of

SOLVERS: Registry[Solver] = Registry("solver", "eosdnn.solvers", builtins=("eosdnn.solvers",))


def solver_traits(name: str) -> SolverTraits:
    """The traits of the solver registered as `name`."""
    return traits_of(SOLVERS.get(name))


def exact_solvers() -> list[str]:
    """Every registered solver that proves bounds, plug-ins included."""
    return [name for name in SOLVERS.names() if solver_traits(name).exact]


def recommended() -> list[tuple[str, str, dict]]:
    """The plans `eosdnn run` tries, in its order: (label, solver name, parameters) of every
    registered solver that declares a `recommended` place, plug-ins included."""
    entries = [(traits.recommended, name) for name in SOLVERS.names()
               if (traits := solver_traits(name)).recommended is not None]
    entries.sort(key=lambda entry: entry[0].rank)
    return [(place.label or name, name, dict(place.params)) for place, name in entries]


def heuristics() -> list[str]:
    """Every registered solver `validate` checks against the exact optimum by default: the searches
    and constructive rules (the recommended ones included), not the exact solvers or the tier plans."""
    return [name for name in SOLVERS.names() if solver_traits(name).validated and not solver_traits(name).exact]
