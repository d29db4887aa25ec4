"""What the evaluator measures of each plan, the one input of every objective (MODEL.md section 4).

Per row of a population: every task's completion time (and their sum and maximum as the compiled
kernel added them up), the T1/T2/T3 sums where the kernel computed them, and, computed only when an
objective or a report first asks, the seconds each node spends executing (`busy`) and the bytes
sent over each link (`bytes_sent`). Busy time and bytes depend on the placement alone, so they are
read from the genes by a small kernel of their own and the delay objectives never pay for them.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from eosdnn.problems.environment import Environment
from eosdnn.framework.kernel_cache import KERNEL_CACHE  # before numba: it picks numba's cache folder
import numba  # noqa: E402
from eosdnn.problems.kernel_layout import exec_seconds, node_at  # noqa: E402


@numba.njit(cache=KERNEL_CACHE, nogil=True, inline="always")
def _send(i, source, target, size, sent):
    """Count `size` bytes sent from node `source` to node `target` (none within one node)."""
    if source != target:
        sent[i, source, target] += size


@numba.njit(cache=KERNEL_CACHE, nogil=True)
def _placement_measures(X, k, busy, sent):
    """Per row of X (genes): seconds of execution on every node, and bytes sent between every
    ordered pair of distinct nodes (the model input from the client, layer outputs, the result)."""
    positions = k.order.shape[0]
    node = np.empty(positions, dtype=np.uint64)
    for i in range(X.shape[0]):
        for pos in range(positions):
            task = k.task_of[pos]
            n = node_at(k, X[i], pos, task)
            node[pos] = n
            busy[i, n] += exec_seconds(k, pos, n)
            if k.input_bytes[pos] >= 0.0:
                _send(i, k.client_of[task], n, k.input_bytes[pos], sent)
            for e in range(k.pred_ptr[pos], k.pred_ptr[pos + 1]):
                _send(i, node[k.pred_pos[e]], n, k.pred_bytes[e], sent)
        for task in range(k.last_pos.shape[0]):
            _send(i, node[k.last_pos[task]], k.client_of[task], k.result_bytes[task], sent)


class Measures:
    """The measures of rows of a population (one plan: one row).

    `completion` (rows, tasks) seconds; `total` and `makespan` (rows,) their sum and maximum;
    `exec`, `transfer`, `wait` (rows,) the T1/T2/T3 sums, or None where the kernel skipped them
    (neighbours re-scored from an anchor); `busy` (rows, nodes) seconds and `bytes_sent`
    (rows, nodes, nodes) bytes from node a to node b, computed on first use. `environment` is the
    scenario's (nodes are numbered as its `nodes`), for objectives that price or power nodes."""

    def __init__(self, environment: Environment, genes: np.ndarray, kernel: Any, completion: np.ndarray,
                 total: np.ndarray, makespan: np.ndarray, exec: np.ndarray | None = None,
                 transfer: np.ndarray | None = None, wait: np.ndarray | None = None) -> None:
        self.environment = environment
        self._genes = genes
        self._kernel = kernel
        self.completion = completion
        self.total = total
        self.makespan = makespan
        self.exec = exec
        self.transfer = transfer
        self.wait = wait

    @property
    def task_clients(self) -> np.ndarray:
        """Per task: its client's node."""
        return self._kernel.client_of.astype(np.int64)

    @property
    def rows(self) -> int:
        return int(self.completion.shape[0])

    @functools.cached_property
    def _placement(self) -> tuple[np.ndarray, np.ndarray]:
        nodes = int(self._kernel.nodes)
        busy = np.zeros((self.rows, nodes))
        sent = np.zeros((self.rows, nodes, nodes))
        _placement_measures(self._genes, self._kernel, busy, sent)
        return busy, sent

    @property
    def busy(self) -> np.ndarray:
        return self._placement[0]

    @property
    def bytes_sent(self) -> np.ndarray:
        return self._placement[1]
