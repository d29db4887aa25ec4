"""The generic registry of named factories, for in-repo code and third-party packages. Each kind
has its registry in its own layer (`solvers.registry.SOLVERS`, `operators.registry.OPERATORS`,
`solvers.upload.PLANNERS`, `problems.objectives.OBJECTIVES`); this layer names none of them.

In-repo code registers with the decorator (`@SOLVERS.register("psoga")`); a third-party package
declares an entry point in the registry's group (`eosdnn.solvers`, `eosdnn.operators`, ...) whose
object is the class or factory to register under the entry point's name.
"""

from __future__ import annotations

from collections.abc import Callable
import functools
import importlib
import inspect
import re
import warnings
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

import attrs

from eosdnn.framework.errors import EosdnnError, EosdnnWarning
from eosdnn.framework.params import ParameterError

T = TypeVar("T")


class Registry(Generic[T]):
    """Names -> factories with a one-line description each, filled by decorators, by the modules
    of the built-in entries (imported on first lookup, so a lookup never depends on what the caller
    imported before) and by entry points."""

    def __init__(self, kind: str, group: str, builtins: tuple[str, ...] = ()) -> None:
        self.kind = kind
        self.group = group
        self.builtins = builtins  # modules whose import registers the built-in entries
        self._items: dict[str, Any] = {}
        self._descriptions: dict[str, str] = {}
        self._aliases: dict[str, tuple[str, str]] = {}  # old name -> (the entry's name, why it changed)
        self._warned: set[str] = set()
        self._loaded = False

    def register(self, name: str, obj: Any = None, *, description: str | None = None) -> Any:
        """Register `obj` under `name` (its description: `description`, else its docstring's first
        line); without `obj`, a decorator. A second entry under a taken name is an error."""
        def add(item: Any) -> Any:
            if name in self._items and self._items[name] is not item:
                raise EosdnnError(f"{self.kind} {name!r}: already registered")
            self._items[name] = item
            self._descriptions[name] = description or first_line(item)
            return item
        return add if obj is None else add(obj)

    def alias(self, old: str, name: str, why: str) -> None:
        """Keep `old` working as another name of the entry `name` (a renamed entry, for one release):
        every lookup of `old` gets `name`'s entry, with one `EosdnnWarning` per process saying `why`.
        Aliases are not listed by `names()`."""
        if old in self._items:
            raise EosdnnError(f"{self.kind} {old!r}: already registered, cannot be an alias")
        self._aliases[old] = (name, why)

    def aliases(self) -> dict[str, str]:
        """Old name -> the entry's name, for every alias."""
        return {old: new for old, (new, _) in sorted(self._aliases.items())}

    def knows(self, name: str) -> bool:
        """Whether `name` names an entry or an alias of one."""
        self._load()
        return name in self._items or name in self._aliases

    def resolve(self, name: str) -> str:
        """The entry's own name for `name` (an alias warns once, naming its new name)."""
        if name in self._aliases and name not in self._items:
            new, why = self._aliases[name]
            if name not in self._warned:
                self._warned.add(name)
                warnings.warn(EosdnnWarning(f"{self.kind} {name!r} is now {new!r}: {why}"), stacklevel=3)
            return new
        return name

    def unregister(self, name: str) -> None:
        self._items.pop(name, None)
        self._descriptions.pop(name, None)

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for module in self.builtins:
            importlib.import_module(module)
        for point in entry_points(group=self.group):
            if point.name not in self._items:
                try:
                    self.register(point.name, point.load())
                except Exception as error:  # a broken plug-in must not break eosdnn
                    raise EosdnnError(f"{self.kind} plug-in {point.name!r} ({point.value}): failed to load: {error}") from None

    def describe(self, name: str) -> str:
        """The entry's one-line description."""
        self.get(name)
        return self._descriptions[self.resolve(name)]

    def get(self, name: str) -> Any:
        self._load()
        name = self.resolve(name)
        if name not in self._items:
            raise EosdnnError(f"{self.kind} {name!r}: unknown (available: {', '.join(self.names())})")
        return self._items[name]

    def names(self) -> list[str]:
        self._load()
        return sorted(self._items)

    def parameters(self, name: str) -> list[str] | None:
        """The parameter names the entry takes, when it is an attrs class (or a partial of one)."""
        factory = self.get(name)
        partial = factory if isinstance(factory, functools.partial) else functools.partial(factory)
        if not (isinstance(partial.func, type) and attrs.has(partial.func)):
            return None
        fields = [f for f in attrs.fields(partial.func) if f.init][len(partial.args):]
        return [f.alias or f.name for f in fields if f.name not in partial.keywords and f.name != "name"]

    def parameter_details(self, name: str) -> list[tuple[str, Any, str | None]]:
        """(name, default, accepted values) of every parameter the entry takes: the field's
        `metadata["accepts"]`, else the `span` its validator states."""
        factory = self.get(name)
        partial = factory if isinstance(factory, functools.partial) else functools.partial(factory)
        if not (isinstance(partial.func, type) and attrs.has(partial.func)):
            return []
        fields = [f for f in attrs.fields(partial.func) if f.init][len(partial.args):]
        details = []
        for field in fields:
            if field.name in partial.keywords or field.name == "name":
                continue
            default = field.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                default = default.factory()
            details.append((field.alias or field.name, None if default is attrs.NOTHING else default,
                            field.metadata.get("accepts") or span_of(field.validator)))
        return details

    def instance(self, name: str, **params: Any) -> Any:
        """The entry itself when it is not a class (a plain function takes no parameters), else
        `create(name, **params)`."""
        entry = self.get(name)
        target = entry.func if isinstance(entry, functools.partial) else entry
        if isinstance(target, type):
            return self.create(name, **params)
        if params:
            raise EosdnnError(f"{name}.{next(iter(params))}: unknown parameter ({name} takes no parameters)")
        return entry

    def create(self, name: str, **params: Any) -> T:
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


def first_line(item: Any) -> str:
    """The first sentence of an entry's docstring (of the class a partial wraps), whole even where
    it runs over several lines, or ""."""
    target = item.func if isinstance(item, functools.partial) else item
    doc = (inspect.getdoc(target) or "").strip()
    paragraph = " ".join(doc.split("\n\n")[0].split())
    for match in re.finditer(r"\.(\s|$)", paragraph):
        words = paragraph[:match.start()].split()
        last = words[-1].lower() if words else ""
        if last.endswith("..") or last.rstrip("(") in ABBREVIATIONS:
            continue  # "Fig. 4", "e.g. greedy", "1/2, ..." do not end the sentence
        return paragraph[:match.start() + 1]
    return paragraph


ABBREVIATIONS = {"fig", "figs", "eq", "eqs", "e.g", "i.e", "cf", "vs", "sec", "no"}


def span_of(validator: Any) -> str | None:
    """The range a parameter's validator accepts, where it states one (`span`), through attrs'
    composed validators."""
    if validator is None:
        return None
    if hasattr(validator, "span"):
        return validator.span
    for inner in getattr(validator, "_validators", ()):  # attrs.validators.and_
        found = span_of(inner)
        if found is not None:
            return found
    return None

