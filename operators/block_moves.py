"""Operators that know the problem's blocks (for a migration problem: each task's layers in model
order). Moving one layer alone adds two transfers around it, so single-gene moves stall; these move
whole runs of consecutive layers, or a whole task, at once.

They take the problem's `blocks` as a keyword argument (`uses_blocks = True`); `operators.bind`
supplies it, so inside PSO-GA and GA they look like any other operator.
"""

from __future__ import annotations

import numpy as np


def _pick_runs(rng: np.random.Generator, blocks: list[tuple[int, int]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """n random runs [first, first + length) inside one block each: the block uniformly, the length
    log-uniform in 1..block size (short and long runs alike), the start uniform where it fits."""
    starts = np.array([b[0] for b in blocks], dtype=np.int64)
    sizes = np.array([b[1] - b[0] for b in blocks], dtype=np.int64)
    which = rng.integers(0, len(blocks), size=n)
    size = sizes[which]
    length = np.minimum(np.floor(np.exp(rng.random(n) * np.log(size + 1))).astype(np.int64), size)
    length = np.maximum(length, 1)
    first = starts[which] + rng.integers(0, size - length + 1)
    return first, length


def segment_move_mutation(rng: np.random.Generator, X: np.ndarray, lower: np.ndarray, upper: np.ndarray, *,
                          blocks: list[tuple[int, int]]) -> np.ndarray:
    """Each row: a run of consecutive genes of one block (a run of a task's layers) moves to one
    random allowed value (node)."""
    n, m = X.shape
    first, length = _pick_runs(rng, blocks, n)
    value = rng.integers(lower[first], upper[first] + 1)
    columns = np.arange(m)
    inside = (columns >= first[:, None]) & (columns < (first + length)[:, None])
    return np.where(inside, np.clip(value[:, None], lower[None, :], upper[None, :]), X)


def task_crossover(rng: np.random.Generator, X: np.ndarray, guides: np.ndarray, *,
                   blocks: list[tuple[int, int]]) -> np.ndarray:
    """Each row takes one whole block (a task's genes) from its guide."""
    n, m = X.shape
    starts = np.array([b[0] for b in blocks], dtype=np.int64)
    stops = np.array([b[1] for b in blocks], dtype=np.int64)
    which = rng.integers(0, len(blocks), size=n)
    columns = np.arange(m)
    inside = (columns >= starts[which][:, None]) & (columns < stops[which][:, None])
    return np.where(inside, np.broadcast_to(guides, X.shape), X)


segment_move_mutation.uses_blocks = True  # type: ignore[attr-defined]
task_crossover.uses_blocks = True  # type: ignore[attr-defined]
