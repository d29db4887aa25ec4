"""The compiled kernels' layout of a workload: one record (`KernelArrays`) of flat tables with
unsigned indices and pools as blocks of slots, and the lookups into it that more than one kernel
makes (the evaluator in `schedule.py`, the placement measures in `measures.py`), so that the layout
has one home."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from eosdnn.framework.kernel_cache import KERNEL_CACHE  # before numba: it picks numba's cache folder
import numba  # noqa: E402

if TYPE_CHECKING:
    from eosdnn.problems.schedule import CompiledWorkload


INDEX = np.uint64  # the kernels' index type (see KernelArrays)
POOL_SLOTS = 8  # pool slots come in blocks of this many (see KernelArrays)


class KernelArrays(NamedTuple):
    """The workload as every compiled kernel reads it, one numba-compatible record (a new per-layer
    or per-node attribute is one field here, not an edit of every kernel's signature).

    Laid out for speed, measured on the paper scenario (`bench/bench_evaluator.py`): tables are flat
    (row-major, rows of `nodes` or `choices` entries: no stride multiply on the loop's critical path)
    and indices are unsigned (`INDEX`: numba checks every signed index for a negative value, about
    20% of the evaluator's time). Pools are slots (`slot_ptr`) in whole blocks of `POOL_SLOTS`, the
    spare ones never free (`slots_at_start` is +inf there), so the pool rule on a node of up to
    `POOL_SLOTS` pools is one fixed-width tree without a data-dependent branch (the loop over a node's
    1, 2 or 8 pools, a branch the processor could not predict, made the evaluator 2x slower)."""

    order: np.ndarray  # position -> gene column
    task_of: np.ndarray  # position -> task
    exec_s: np.ndarray  # position * nodes + node -> execution seconds
    pred_ptr: np.ndarray  # CSR over positions
    pred_pos: np.ndarray
    pred_bytes: np.ndarray
    input_bytes: np.ndarray  # bytes read from the owner client (model input), -1 if none
    choice_node: np.ndarray  # task * choices + gene value -> node
    choices: np.uint64
    client_of: np.ndarray  # task -> client node
    last_pos: np.ndarray  # task -> position of its result layer
    result_bytes: np.ndarray  # task -> bytes of the result
    spb: np.ndarray  # source * nodes + target -> seconds per byte
    nodes: np.uint64
    slot_ptr: np.ndarray  # node -> its first slot; node + 1 -> one past its last
    slots_at_start: np.ndarray  # slot -> free time before any layer: 0, or +inf for a spare slot
    several_blocks: bool | None  # True if a node has more than one block; None if none has, and
    # numba then compiles the pool rule without its steps over several blocks (5-15% faster)


def kernel_arrays(w: CompiledWorkload) -> KernelArrays:
    """The compiled kernels' record of a workload (the same values in the kernels' layout)."""
    pools = np.diff(w.pool_ptr)
    slots = -(-pools // POOL_SLOTS) * POOL_SLOTS  # whole blocks
    slot_ptr = np.zeros(pools.size + 1, dtype=INDEX)
    slot_ptr[1:] = np.cumsum(slots)
    at_start = np.concatenate([np.where(np.arange(n) < p, 0.0, np.inf) for p, n in zip(pools, slots)])
    index = functools.partial(np.ascontiguousarray, dtype=INDEX)
    return KernelArrays(
        order=index(w.order), task_of=index(w.task_of), exec_s=np.ascontiguousarray(w.exec_s).ravel(),
        pred_ptr=index(w.pred_ptr), pred_pos=index(w.pred_pos), pred_bytes=w.pred_bytes, input_bytes=w.input_bytes,
        choice_node=index(w.choice_node).ravel(), choices=INDEX(w.choice_node.shape[1]), client_of=index(w.client_of),
        last_pos=index(w.last_pos), result_bytes=w.result_bytes,
        spb=np.ascontiguousarray(w.seconds_per_byte).ravel(), nodes=INDEX(pools.size), slot_ptr=slot_ptr,
        slots_at_start=at_start, several_blocks=True if np.any(slots > POOL_SLOTS) else None)


@numba.njit(cache=KERNEL_CACHE, nogil=True, inline="always")
def node_of_choice(k, task, choice):
    """The node that gene value `choice` of `task` names."""
    return k.choice_node[task * k.choices + INDEX(choice)]


@numba.njit(cache=KERNEL_CACHE, nogil=True, inline="always")
def node_at(k, genes, pos, task):
    """The node position `pos` (of `task`) runs on under `genes` (task-major gene values)."""
    return node_of_choice(k, task, genes[k.order[pos]])


@numba.njit(cache=KERNEL_CACHE, nogil=True, inline="always")
def exec_seconds(k, pos, n):
    """Execution seconds of position `pos` on node `n`."""
    return k.exec_s[INDEX(pos) * k.nodes + n]
