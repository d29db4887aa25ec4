"""One registry of named solvers and operators, for in-repo code and third-party packages.

In-repo code registers with the decorator (`@SOLVERS.register("psoga")`); a third-party package
declares an entry point in the `eosdnn.solvers` or `eosdnn.operators` group whose object is the
class or factory to register under the entry point's name.
"""

from __future__ import annotations

from collections.abc import Callable
import functools
from importlib.metadata import entry_points
from typing import Any

import attrs

from eosdnn.framework.params import ParameterError
from eosdnn.problems.errors import EosdnnError


class Registry:
    """Names -> factories, filled by decorators and, on first lookup, by entry points."""

    def __init__(self, kind: str, group: str) -> None:
        self.kind = kind
        self.group = group
        self._items: dict[str, Any] = {}
        self._loaded_entry_points = False

    def register(self, name: str, obj: Any = None) -> Any:
        """Register `obj` under `name`; without `obj`, a decorator."""
        def add(item: Any) -> Any:
            if name in self._items and self._items[name] is not item:
                raise EosdnnError(f"{self.kind} {name!r}: already registered")
            self._items[name] = item
            return item
        return add if obj is None else add(obj)

    def unregister(self, name: str) -> None:
        self._items.pop(name, None)

    def _load_entry_points(self) -> None:
        if self._loaded_entry_points:
            return
        self._loaded_entry_points = True
        for point in entry_points(group=self.group):
            if point.name not in self._items:
                try:
                    self._items[point.name] = point.load()
                except Exception as error:  # a broken plug-in must not break eosdnn
                    raise EosdnnError(f"{self.kind} plug-in {point.name!r} ({point.value}): failed to load: {error}") from None

    def get(self, name: str) -> Any:
        self._load_entry_points()
        if name not in self._items:
            raise EosdnnError(f"{self.kind} {name!r}: unknown (available: {', '.join(self.names())})")
        return self._items[name]

    def names(self) -> list[str]:
        self._load_entry_points()
        return sorted(self._items)

    def parameters(self, name: str) -> list[str] | None:
        """The parameter names the entry takes, when it is an attrs class (or a partial of one)."""
        factory = self.get(name)
        partial = factory if isinstance(factory, functools.partial) else functools.partial(factory)
        if not attrs.has(partial.func):
            return None
        fields = [f for f in attrs.fields(partial.func) if f.init][len(partial.args):]
        return [f.alias or f.name for f in fields if f.name not in partial.keywords and f.name != "name"]

    def create(self, name: str, **params: Any) -> Any:
        """Build the entry with `params`; an unknown key or a bad value is one error naming `name.key`."""
        factory: Callable[..., Any] = self.get(name)
        known = self.parameters(name)
        if known is not None:
            unknown = sorted(set(params) - set(known))
            if unknown:
                takes = ", ".join(known) or "no parameters"
                raise EosdnnError(f"{name}.{unknown[0]}: unknown parameter ({name} takes {takes})")
        try:
            return factory(**params)
        except ParameterError as error:
            raise EosdnnError(f"{name}.{error.field}: {error.message}") from None
        except TypeError as error:
            raise EosdnnError(f"{self.kind} {name!r}: bad parameter ({error})") from None


SOLVERS = Registry("solver", "eosdnn.solvers")
OPERATORS = Registry("operator", "eosdnn.operators")
PLANNERS = Registry("planner", "eosdnn.planners")
