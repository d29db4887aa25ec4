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
    n, m = X.shape
    cuts = np.sort(rng.integers(0, m, size=(n, 2)), axis=1)
    guides = np.asarray(guides)
    rows = guides.reshape(1, m) if guides.ndim == 1 else guides
    if rows.dtype == X.dtype and rows.shape[0] in (1, n) and X.dtype.kind == "i":  # the compiled copy
        out = np.array(X, copy=True, order="C")
        _copy_segments(np.ascontiguousarray(rows), cuts, out)
        return out
    columns = np.arange(m)
    inside = (columns >= cuts[:, :1]) & (columns <= cuts[:, 1:])
    return np.where(inside, np.broadcast_to(guides, X.shape), X)


@numba.njit(cache=KERNEL_CACHE, nogil=True)
def _copy_segments(guides, cuts, out):
    """out[i, a..b] = guides[i or 0, a..b] for every row's cut points (a, b): the same values as the
    mask-and-where form, without its (rows, genes) temporaries."""
    one = guides.shape[0] == 1
    for i in range(out.shape[0]):
        g = 0 if one else i
        for j in range(cuts[i, 0], cuts[i, 1] + 1):
            out[i, j] = guides[g, j]


def random_gene_mutation(rng: np.random.Generator, X: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Give one random gene of each row a different allowed value (the paper's M(), Fig. 4b)."""
    n, m = X.shape
    out = X.copy()
    rows = np.arange(n)
    genes = rng.integers(0, m, size=n)
    span = upper[genes] - lower[genes]  # number of other values
    shift = rng.integers(1, np.maximum(span, 1) + 1)
    current = out[rows, genes] - lower[genes]
    moved = np.where(span > 0, (current + shift) % (span + 1), current)
    out[rows, genes] = lower[genes] + moved
    return out


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
