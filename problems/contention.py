"""A lower bound on the total completion time that sees contention: the capacity of a group of
servers (a tier), by Lagrangian relaxation (MODEL.md section 7).

The contention-free bound lets every task use the fastest servers at once. Here a group `G` of
servers (the edge tier, the cloud tier) has a capacity `cap` = the sum over its nodes of
pools x clock rate, in cycles per second; a task's *work* on `G` is the cycles of its layers placed
there, divided by `cap` (seconds of the whole group). Three facts hold in every plan:

1. task j completes at `C_j >= LB_j`, its contention-free least completion time;
2. if its completion `C_j` is below `A_j` (its least completion with no layer on `G`), its work
   is at least `omega_j(C_j)`, the least work of any placement of the task that completes by `C_j`
   without contention; for every price `mu >= 0` the contention-free programme with each layer on
   `G` made to take `mu x its work` longer gives `D_j(mu) <= min over placements of (time + mu x
   work)`, so `omega_j(C) >= max over mu of (D_j(mu) - C) / mu` (and 0 from `A_j` on);
3. no layer starts on `G` before `r`, the earliest any input can reach it, and `G` processes at
   most its capacity: for every time `t`, the work of the tasks completed by `t` is at most
   `t - r` (they did it all between `r` and `t`).

Relaxing (3) with multipliers `nu_t >= 0` on a grid of times leaves one problem per task: choose
`C >= LB_j` minimising `C + N(C) omega_j(C)`, `N(C)` the sum of `nu_t` over `t >= C`. That function
is piecewise linear, so its minimum is at one of finitely many points (the grid, the lines'
crossings), found exactly; the dual value, `sum_j min_C (...) - sum_t nu_t (t - r)`, is then a valid
lower bound for any `nu` (weak duality), and a subgradient ascent raises it. The bound is the best
dual value over the groups, less a relative 1e-9 for the rounding of its arithmetic; at `nu = 0` it
is the contention-free bound, which is never exceeded by less than nothing.

For a DAG the programme with slower group layers is a relaxation (a join waits for its slowest
input, while work adds over all branches), so (2) still holds.
"""

from __future__ import annotations

import attrs
import numpy as np

from eosdnn.problems.bounds import TaskTables, forward_pass, least_paths, least_times, task_tables
from eosdnn.problems.schedule import CompiledWorkload

PRICES = np.geomspace(1e-2, 1e2, 12)  # mu: the work prices of the slowed-down programmes
TIME_POINTS = 400  # the grid of times t at which the capacity is priced
ITERATIONS = 500  # subgradient steps
STEP = 3.0  # the first step's length, in multiplier units, along the normalised subgradient
ROUNDING_MARGIN = 1e-9  # the bound is lowered by this share, for the rounding of its arithmetic


@attrs.frozen
class TaskTradeoff:
    """What one task can trade on one group: its least completion time (`least`), its least with
    no layer on the group (`avoid`), the earliest any of its data can reach the group (`release`),
    the work of a placement that completes at `least` (`work_at_least`) and, per price of `PRICES`,
    the slowed-down programme's least time (`priced`, computed only where the group is contended)."""

    least: float
    avoid: float
    release: float
    work_at_least: float
    priced: np.ndarray | None = None


def task_tradeoff(tables: TaskTables, in_group: np.ndarray, hz: np.ndarray, capacity: float) -> TaskTradeoff:
    """One task's tradeoff on a group, but for `priced`: `in_group` and `hz` per choice of the task
    (its gene values), `capacity` the group's cycles per second."""
    n = tables.exec_s.shape[0]
    forbidden = tables.exec_s + np.where(in_group, np.inf, 0.0)[None, :]
    dp = forward_pass(forbidden[None], tables.spb, tables.predecessors, tables.out_bytes, tables.input_bytes)
    avoid = float(dp.completion[0].min())
    fastest_in = tables.spb[np.ix_(~in_group, in_group)].min(initial=np.inf)
    release = np.inf
    for i, cut in enumerate(dp.cuts):  # any data reaching the group leaves a cut layer or its region
        following = dp.cuts[i + 1] if i + 1 < len(dp.cuts) else cut + 1
        outside = dp.finish[cut][0][~in_group].min(initial=np.inf)
        release = min(release, outside + dp.sizes[cut + 1:following + 1].min() * fastest_in)
    least, placement = least_paths(tables.exec_s[None], tables.spb, tables.predecessors, tables.out_bytes,
                                   tables.input_bytes)
    on_group = in_group[placement[0]]
    work = float((tables.exec_s[np.arange(n), placement[0]] * hz[placement[0]])[on_group].sum() / capacity)
    return TaskTradeoff(float(least[0]), avoid, float(release), work)


def priced_times(tables: TaskTables, in_group: np.ndarray, hz: np.ndarray, capacity: float) -> np.ndarray:
    """Per price of `PRICES`, the least time of the task with each layer on the group taking its
    time plus price x its work (one batched programme)."""
    slowdown = 1.0 + PRICES[:, None] * np.where(in_group, hz / capacity, 0.0)[None, :]
    return least_times(tables.exec_s[None] * slowdown[:, None, :], tables.spb, tables.predecessors,
                       tables.out_bytes, tables.input_bytes)


def uncontended(trades: list[TaskTradeoff]) -> bool:
    """Whether every task can complete at its least time with the group's capacity to spare (each
    with the work of a least placement): then the dual can give no more than the contention-free
    bound, and the priced programmes are not needed."""
    release = min(t.release for t in trades)
    order = sorted(trades, key=lambda t: t.least)
    done = np.cumsum([t.work_at_least for t in order])
    return bool(all(work <= t.least - release for work, t in zip(done, order)))


def _candidates(trade: TaskTradeoff, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The completion times at which `C + N(C) omega(C)` can be least (every breakpoint of omega and
    every grid time in [least, avoid]), and omega there."""
    assert trade.priced is not None
    d, m = trade.priced, PRICES  # omega(C) >= (priced - C) / price
    crossings = (d[:, None] * m[None, :] - d[None, :] * m[:, None]) / np.where(m[None, :] != m[:, None],
                                                                               m[None, :] - m[:, None], np.inf)
    points = np.concatenate([[trade.least, trade.avoid], d, crossings.ravel(), grid])
    points = np.unique(points[(points >= trade.least) & (points <= trade.avoid)])
    omega = np.maximum(0.0, ((d[None, :] - points[:, None]) / m[None, :]).max(axis=1))
    omega[points >= trade.avoid] = 0.0
    return points, omega


def group_bound(trades: list[TaskTradeoff]) -> float:
    """The Lagrangian dual bound on the sum of completions for one group (module docstring)."""
    least = float(sum(t.least for t in trades))
    release = min(t.release for t in trades)
    horizon = max(t.avoid for t in trades)
    if not np.isfinite(release) or horizon <= release:
        return least
    grid = np.linspace(release, horizon, TIME_POINTS)
    room = grid - release
    distinct: dict[tuple, list] = {}
    for t in trades:
        key = (t.least, t.avoid, t.release, t.priced.tobytes() if t.priced is not None else b"")
        distinct.setdefault(key, [t, 0])[1] += 1
    found = [_candidates(t, grid) for t, _ in distinct.values()]
    count = np.array([c for _, c in distinct.values()], dtype=float)
    width = max(len(points) for points, _ in found)
    points = np.full((len(found), width), np.inf)
    omega = np.zeros((len(found), width))
    for row, (p, o) in enumerate(found):
        points[row, :len(p)], omega[row, :len(o)] = p, o
    left = np.searchsorted(grid, points, side="left")  # N(C) counts grid times >= C
    right = np.searchsorted(grid, points, side="right")  # N just above C, where N drops at a grid time
    rows = np.arange(len(found))
    multipliers = np.zeros(TIME_POINTS)
    best = least
    for step in range(ITERATIONS):
        tail = np.concatenate([np.cumsum(multipliers[::-1])[::-1], [0.0]])
        at, above = points + tail[left] * omega, points + tail[right] * omega
        value = np.minimum(at, above)
        chosen = value.argmin(axis=1)
        best = max(best, float(count @ value[rows, chosen] - multipliers @ room))
        cut = np.where(at[rows, chosen] <= above[rows, chosen], left[rows, chosen], right[rows, chosen])
        done = np.zeros(TIME_POINTS + 1)
        np.add.at(done, cut, count * omega[rows, chosen])
        gradient = np.cumsum(done)[:TIME_POINTS] - room
        norm = float(np.linalg.norm(gradient))
        if norm == 0.0:
            break
        multipliers = np.maximum(0.0, multipliers + STEP / np.sqrt(step + 1.0) * gradient / norm)
    return best


def server_groups(workload: CompiledWorkload) -> dict[str, list[int]]:
    """The groups whose capacity is priced: each server tier."""
    env = workload.scenario.environment
    groups = {tier: [n for n, node in enumerate(env.nodes) if node.tier == tier] for tier in ("edge", "cloud")}
    return {name: nodes for name, nodes in groups.items() if nodes}


def capacity_bounds(workload: CompiledWorkload) -> dict[str, float]:
    """Per group of `server_groups`, the capacity bound on the sum of completion times (the
    contention-free bound where the group is `uncontended`)."""
    w = workload
    env = w.scenario.environment
    keys = [(id(task.model), int(task.client)) for task in w.scenario.tasks]  # tasks alike share one computation
    first = {key: t for t, key in reversed(list(enumerate(keys)))}
    tables = {key: task_tables(w, t) for key, t in first.items()}
    hz = {key: np.array([env.nodes[n].ghz * 1e9 for n in w.choice_node[t]]) for key, t in first.items()}
    bounds = {}
    for name, group in server_groups(w).items():
        capacity = float(sum(env.nodes[n].pools * env.nodes[n].ghz * 1e9 for n in group))
        inputs = {key: (tables[key], np.isin(w.choice_node[t], group), hz[key]) for key, t in first.items()}
        distinct = {key: task_tradeoff(*inputs[key], capacity) for key in first}
        if uncontended([distinct[key] for key in keys]):
            bounds[name] = float(np.sum([distinct[key].least for key in keys]))
            continue
        priced = {key: attrs.evolve(trade, priced=priced_times(*inputs[key], capacity))
                  for key, trade in distinct.items()}
        bounds[name] = group_bound([priced[key] for key in keys]) * (1 - ROUNDING_MARGIN)
    return bounds
