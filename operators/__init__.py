"""eosdnn.operators: sampling, crossover and mutation on integer genes, registered by name.

Crossovers take (rng, X, guides); mutations take (rng, X, lower, upper); samplings take
(rng, lower, upper, n). An operator with the attribute `uses_blocks = True` also takes the
problem's `blocks` (each task's genes) as a keyword: `bind` supplies it. Register your own with
`OPERATORS.register("crossover:NAME")` (or `mutation:`, `sampling:`) and pass the name to PSO-GA,
GA or local search.
"""

import functools

from typing import Any

from eosdnn.framework.errors import EosdnnError
from eosdnn.framework.params import ParameterError, Validator, read_value, with_span
from eosdnn.operators.registry import OPERATORS
from eosdnn.operators.integer import (
    GeneReset,
    random_gene_mutation,
    sample_uniform,
    segment_crossover,
    uniform_crossover,
)
from eosdnn.operators.block_moves import segment_move_mutation, task_crossover

OPERATORS.register("sampling:uniform", sample_uniform)
OPERATORS.register("crossover:segment", segment_crossover)
OPERATORS.register("crossover:uniform", uniform_crossover)
OPERATORS.register("mutation:random-gene", random_gene_mutation)
OPERATORS.register("mutation:reset", GeneReset)
OPERATORS.register("mutation:segment-move", segment_move_mutation)
OPERATORS.register("crossover:task", task_crossover)


def operator_spec(text: str) -> tuple[str, dict[str, Any]]:
    """An operator named with its parameters: `name` or `name,key=value,...` (values as `--param`'s),
    e.g. `reset,rate=0.05`."""
    name, *pairs = text.split(",")
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{pair!r} is not key=value")
        params[key.strip()] = read_value(value.strip())
    return name.strip(), params


def operator_name(kind: str) -> Validator:
    """A registered operator of `kind` (sampling, crossover or mutation), with parameters it takes."""
    def check(_instance, attribute, value) -> None:
        names = [n.split(":", 1)[1] for n in OPERATORS.names() if n.startswith(f"{kind}:")]
        try:
            name, params = operator_spec(value) if isinstance(value, str) else (None, {})
        except ValueError as error:
            raise ParameterError(attribute.name, f"{kind} {value!r}: {error}") from None
        if name not in names:
            raise ParameterError(attribute.name, f"unknown {kind} {value!r} (available: {', '.join(names)})")
        try:
            OPERATORS.instance(f"{kind}:{name}", **params)
        except EosdnnError as error:
            raise ParameterError(attribute.name, str(error)) from None
    return with_span(check, f"a {kind} operator, name or name,key=value")


def operator(kind: str, spec: str):
    """The registered operator `kind:name` (kind: sampling, crossover or mutation) built with the
    parameters `spec` gives it (`name` or `name,key=value,...`)."""
    name, params = operator_spec(spec)
    return OPERATORS.instance(f"{kind}:{name}", **params)


def bind(kind: str, spec: str, problem):
    """The operator `kind:spec` for this problem: a structure-aware one gets the problem's blocks."""
    op = operator(kind, spec)
    if getattr(op, "uses_blocks", False):
        return functools.partial(op, blocks=problem.blocks)
    return op


__all__ = ["OPERATORS", "bind", "operator", "random_gene_mutation", "sample_uniform", "segment_crossover"]
