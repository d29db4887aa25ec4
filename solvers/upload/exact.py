"""The exact uploading plan: a dynamic programme over the set of active units.

`cost(S)` = least SSD accrued until exactly the units S are active. From S, any non-empty set P of
the other units may be uploaded next at cost `SD(S) * seconds(P)`. Partitions are arbitrary sets,
not only runs of adjacent units, so the optimum is never worse than any planner's (MODEL.md asks
for contiguous partitions; this is that optimum or lower, see docs/CHOICES.md). The work is 3^n
for n units, so models with more than `max_units` off-client units are refused.
"""

from __future__ import annotations

import attrs
import numpy as np

from eosdnn.framework.kernel_cache import KERNEL_CACHE  # before numba: it picks numba's cache folder
import numba  # noqa: E402
from eosdnn.problems.upload import UploadProblem
from eosdnn.framework.params import whole
from eosdnn.solvers.upload import PLANNERS, check_units
from eosdnn.solvers.upload.baselines import RecursiveEfficiency

CHUNK = 1 << 16


@numba.njit(cache=KERNEL_CACHE)
def _subset_seconds(seconds):
    n = seconds.shape[0]
    out = np.zeros(1 << n)
    for m in range(1, 1 << n):
        low = m & -m
        k = 0
        while (1 << k) != low:
            k += 1
        out[m] = out[m ^ low] + seconds[k]
    return out


@numba.njit(cache=KERNEL_CACHE)
def _best_orders(sd, seconds_of, upper):
    """Forward DP in numeric order (every subset precedes its supersets); states that cannot beat
    `upper` even at the lowest SD of any set are skipped (branch and bound, still exact)."""
    full = sd.shape[0] - 1
    cost = np.full(full + 1, np.inf)
    parent = np.full(full + 1, -1, dtype=np.int64)
    cost[0] = 0.0
    lowest = sd.min()
    for state in range(full + 1):
        here = cost[state]
        if here == np.inf:
            continue
        rest = full ^ state
        if here + lowest * seconds_of[rest] > upper:
            continue
        part = rest
        while part:
            nxt = state | part
            value = here + sd[state] * seconds_of[part]
            if value < cost[nxt]:
                cost[nxt] = value
                parent[nxt] = state
            part = (part - 1) & rest
    return cost, parent


@PLANNERS.register("exact")
@attrs.define
class ExactUpload:
    """Minimum SSD over all ordered partitions of the off-client units (refuses above `max_units`)."""

    max_units: int = attrs.field(default=20, validator=whole(0, 22))

    def partitions(self, problem: UploadProblem) -> list[list[int]]:
        n = problem.n_units
        check_units("exact", problem, self.max_units, "3^n, memory as 2^n")
        if n == 0:
            return []
        sd = np.empty(1 << n)
        bits = np.arange(n)
        for first in range(0, 1 << n, CHUNK):
            masks = np.arange(first, min(first + CHUNK, 1 << n), dtype=np.int64)
            sd[masks] = problem.sd_many(((masks[:, None] >> bits[None, :]) & 1).astype(bool))
        seconds_of = _subset_seconds(problem.seconds)
        cost, parent = _best_orders(sd, seconds_of, self._upper(problem, sd) * (1 + 1e-9) + 1e-12)
        parts, state = [], (1 << n) - 1
        while state:
            before = int(parent[state])
            part = state ^ before
            parts.append([u for u in range(n) if part >> u & 1])
            state = before
        return parts[::-1]

    @staticmethod
    def _upper(problem: UploadProblem, sd: np.ndarray) -> float:
        """SSD accrued by a quick heuristic plan (units one by one, best gain per second first)."""
        accrued, active = 0.0, 0
        for part in RecursiveEfficiency().partitions(problem):
            accrued += sd[active] * sum(problem.units[u].seconds for u in part)
            active |= problem.mask(part)
        return min(accrued, sd[0] * problem.total_seconds)
