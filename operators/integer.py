"""Operators on integer gene arrays: sampling, the paper's segment crossover, one-gene mutation.

Each works on whole populations (rows are solutions) with an explicit numpy Generator, so they
serve PSO-GA directly and, through `operators.pymoo_adapters`, pymoo's GA.
"""

from __future__ import annotations

import attrs
import numpy as np

from eosdnn.framework.kernel_cache import KERNEL_CACHE  # before numba: it picks numba's cache folder
import numba  # noqa: E402
from eosdnn.framework.params import number, optional


def sample_uniform(rng: np.random.Generator, lower: np.ndarray, upper: np.ndarray, n: int) -> np.ndarray:
    """n solutions with every gene uniform over its allowed values."""
    return rng.integers(lower, upper + 1, size=(n, lower.size), dtype=np.int64)


def segment_crossover(rng: np.random.Generator, X: np.ndarray, guides: np.ndarray) -> np.ndarray:
    """Copy the genes between two random cut points (inclusive) of each row from its guide row.

    The paper's p() and g() (Fig. 4a): the guide is the personal best or the global best.
    `guides` has the shape of X, or one row broadcast to all.
    """
    out = np.array(X, copy=True, order="C")
    segment_crossover_rows(rng, out, np.arange(out.shape[0]), guides)
    return out


def segment_crossover_rows(rng: np.random.Generator, X: np.ndarray, rows: np.ndarray, guides: np.ndarray) -> None:
    """`segment_crossover` of the rows `rows` of X, where they are (the same draws and values as
    `X[rows] = segment_crossover(rng, X[rows], guides[rows])`): `guides` has the shape of X (row
    `rows[i]` guides row `rows[i]`) or is one row for all. PSO-GA's inner loop; it saves the three
    copies of the selected rows that the functional form costs."""
    n, m = len(rows), X.shape[1]
    cuts = np.sort(rng.integers(0, m, size=(n, 2)), axis=1)
    guides = np.asarray(guides)
    one = guides.ndim == 1
    source = guides.reshape(1, m) if one else guides
    if source.dtype == X.dtype and X.dtype.kind == "i" and X.flags.c_contiguous:  # the compiled copy
        _copy_segments(np.ascontiguousarray(source), np.asarray(rows, dtype=np.int64), one, cuts, X)
        return
    columns = np.arange(m)
    inside = (columns >= cuts[:, :1]) & (columns <= cuts[:, 1:])
    chosen = np.broadcast_to(source, (1, m)) if one else source[rows]
    X[rows] = np.where(inside, chosen, X[rows])


@numba.njit(cache=KERNEL_CACHE, nogil=True)
def _copy_segments(guides, rows, one, cuts, out):
    """out[r, a..b] = guides[r or 0, a..b] for each selected row r and its cut points (a, b): the
    same values as the mask-and-where form, without its (rows, genes) temporaries."""
    for i in range(rows.shape[0]):
        r = rows[i]
        g = 0 if one else r
        for j in range(cuts[i, 0], cuts[i, 1] + 1):
            out[r, j] = guides[g, j]


def random_gene_mutation(rng: np.random.Generator, X: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Give one random gene of each row a different allowed value (the paper's M(), Fig. 4b)."""
    out = X.copy()
    random_gene_mutation_rows(rng, out, np.arange(out.shape[0]), lower, upper)
    return out


def random_gene_mutation_rows(rng: np.random.Generator, X: np.ndarray, rows: np.ndarray, lower: np.ndarray,
                              upper: np.ndarray) -> None:
    """`random_gene_mutation` of the rows `rows` of X, where they are (the same draws and values as
    `X[rows] = random_gene_mutation(rng, X[rows], lower, upper)`)."""
    n, m = len(rows), X.shape[1]
    genes = rng.integers(0, m, size=n)
    span = upper[genes] - lower[genes]  # number of other values
    shift = rng.integers(1, np.maximum(span, 1) + 1)
    current = X[rows, genes] - lower[genes]
    moved = np.where(span > 0, (current + shift) % (span + 1), current)
    X[rows, genes] = lower[genes] + moved


def on_rows(op, rng: np.random.Generator, X: np.ndarray, rows: np.ndarray, *args) -> None:
    """`X[rows] = op(rng, X[rows], *args)` in place, the rows' guides (an argument of X's shape) taken
    row for row: through the operator's own in-place form (`op.on_rows`) where it has one (the
    paper's operators), else through the functional form."""
    in_place = getattr(op, "on_rows", None)
    if in_place is not None:
        in_place(rng, X, rows, *args)
        return
    selected = [a[rows] if isinstance(a, np.ndarray) and a.shape == X.shape else a for a in args]
    X[rows] = op(rng, X[rows], *selected)


segment_crossover.on_rows = segment_crossover_rows  # type: ignore[attr-defined]
random_gene_mutation.on_rows = random_gene_mutation_rows  # type: ignore[attr-defined]


def uniform_crossover(rng: np.random.Generator, X: np.ndarray, guides: np.ndarray) -> np.ndarray:
    """Each gene from the guide with probability 1/2 (an alternative to the segment crossover)."""
    take = rng.random(X.shape) < 0.5
    return np.where(take, np.broadcast_to(guides, X.shape), X)


@attrs.frozen
class GeneReset:
    """Every gene independently redrawn with probability `rate` (default 1/number of genes)."""

    rate: float | None = attrs.field(default=None, validator=optional(number(0, 1, open_low=True)))

    def __call__(self, rng: np.random.Generator, X: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        rate = 1.0 / X.shape[1] if self.rate is None else self.rate
        redraw = rng.random(X.shape) < rate
        fresh = rng.integers(lower, upper + 1, size=X.shape)
        return np.where(redraw, fresh, X)
