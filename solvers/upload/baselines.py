"""The paper's rival uploading planners: `non-uploading` (Neurosurgeon), `ionn` (penalty-factor shortest
paths) and `recursive-efficiency` (Enhanced Partitioning)."""

from __future__ import annotations

import attrs
import numpy as np

from eosdnn.framework.params import ParameterError, whole
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.upload import UploadProblem
from eosdnn.solvers.upload import PLANNERS, check_units


@PLANNERS.register("non-uploading")
@attrs.define
class NonUploading:
    """Neurosurgeon: every off-client layer in one partition; queries stay local until it arrives."""

    def partitions(self, problem: UploadProblem) -> list[list[int]]:
        return [list(range(problem.n_units))] if problem.n_units else []


def chain_terms(problem: UploadProblem) -> tuple[float, np.ndarray, np.ndarray]:
    """SD as `sd0 + sum a_k s_k + sum b_k s_k s_(k+1)` over units in order, checked on random sets.

    This holds whenever units interact only with their neighbours (chains, and DAGs whose branching
    parts are module units); a model where it fails has no shortest-path formulation.
    """
    n = problem.n_units
    eye = np.eye(n, dtype=bool)
    pairs = eye[:-1] | eye[1:] if n > 1 else np.zeros((0, n), dtype=bool)
    values = problem.sd_many(np.vstack([np.zeros((1, n), dtype=bool), eye, pairs]))
    sd0, single, pair = values[0], values[1:n + 1], values[n + 1:]
    a = single - sd0
    b = pair - single[:-1] - single[1:] + sd0
    rng = np.random.default_rng(0)
    check = rng.random((64, n)) < 0.5
    predicted = sd0 + check @ a + (check[:, :-1] & check[:, 1:]) @ b
    actual = problem.sd_many(check)
    if not np.allclose(predicted, actual, rtol=1e-9, atol=1e-12):
        raise EosdnnError(f"ionn: the SD of {problem.model.name} does not decompose along its upload units "
                          "(a DAG without module tags); a shortest path needs chain-like units")
    return float(sd0), a, b


def cheapest_active_set(a: np.ndarray, b: np.ndarray, cost: np.ndarray, forced: np.ndarray) -> np.ndarray:
    """min over s of sum (a_k + cost_k) s_k + sum b_k s_k s_(k+1), s_k = 1 where forced: a two-state
    shortest path along the units (ties keep a unit off)."""
    n = a.size
    best = np.zeros((n, 2))
    back = np.zeros((n, 2), dtype=np.int64)
    for k in range(n):
        for state in (0, 1):
            if state == 0 and forced[k]:
                best[k, state] = np.inf
                continue
            own = (a[k] + cost[k]) * state
            if k == 0:
                best[k, state] = own
                continue
            options = [best[k - 1, prev] + b[k - 1] * prev * state for prev in (0, 1)]
            back[k, state] = int(np.argmin(options))
            best[k, state] = options[back[k, state]] + own
    chosen = np.zeros(n, dtype=bool)
    state = int(np.argmin(best[-1])) if n else 0
    for k in range(n - 1, -1, -1):
        chosen[k] = bool(state)
        state = back[k, state]
    return chosen


@PLANNERS.register("ionn")
@attrs.define
class Ionn:
    """IONN: shortest paths where each not-yet-uploaded unit costs its upload time times K**level
    (the penalty factor k = 1 - K**level rises 0, 1/2, 3/4, ... towards 1); every level's new server
    units form the next partition; when k reaches 1, whatever is left forms the last partition."""

    base: float = attrs.field(default=0.5)
    max_units: int = attrs.field(default=1000, validator=whole(0))

    @base.validator
    def _check_base(self, attribute, value) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 < value < 1.0:
            raise ParameterError(attribute.name, f"must lie strictly between 0 and 1, got {value!r}")

    _check_base.span = "number in (0, 1)"  # type: ignore[attr-defined]

    def partitions(self, problem: UploadProblem) -> list[list[int]]:
        check_units("ionn", problem, self.max_units, "n^2")
        n = problem.n_units
        if n == 0:
            return []
        _, a, b = chain_terms(problem)
        seconds = problem.seconds
        uploaded = np.zeros(n, dtype=bool)
        parts: list[list[int]] = []
        level = 0
        while 1.0 - self.base**level < 1.0 and not uploaded.all():
            chosen = cheapest_active_set(a, b, np.where(uploaded, 0.0, seconds * self.base**level), uploaded)
            new = np.flatnonzero(chosen & ~uploaded)
            if new.size:
                parts.append([int(u) for u in new])
                uploaded[new] = True
            level += 1
        rest = np.flatnonzero(~uploaded)
        if rest.size:
            parts.append([int(u) for u in rest])
        return parts


def runs_within(units: list[int]) -> list[list[int]]:
    """Every contiguous sub-run of a run of units."""
    return [units[i:j] for i in range(len(units)) for j in range(i + 1, len(units) + 1)]


@PLANNERS.register("recursive-efficiency")
@attrs.define
class RecursiveEfficiency:
    """Enhanced Partitioning: among the maximal runs of not-yet-uploaded adjacent units, take the one
    with the highest SD gain per upload second, then descend into its sub-run of highest efficiency
    while that is higher; upload it; repeat. Zero-upload-time runs rank last (efficiency -inf)."""

    max_units: int = attrs.field(default=120, validator=whole(0))

    def partitions(self, problem: UploadProblem) -> list[list[int]]:
        check_units("recursive-efficiency", problem, self.max_units, "n^4")
        uploaded: set[int] = set()
        parts: list[list[int]] = []
        segments = problem.segments()
        while len(uploaded) < problem.n_units:
            maximal = [run for segment in segments for run in self._free_runs(segment, uploaded)]
            best = self._best(problem, uploaded, maximal)
            while len(best) > 1:
                inner = [run for run in runs_within(best) if len(run) < len(best)]
                candidate = self._best(problem, uploaded, inner)
                if self._efficiency(problem, uploaded, candidate) > self._efficiency(problem, uploaded, best):
                    best = candidate
                else:
                    break
            parts.append(best)
            uploaded |= set(best)
        return parts

    @staticmethod
    def _free_runs(segment: list[int], uploaded: set[int]) -> list[list[int]]:
        runs: list[list[int]] = []
        current: list[int] = []
        for u in segment:
            if u in uploaded:
                if current:
                    runs.append(current)
                current = []
            else:
                current.append(u)
        if current:
            runs.append(current)
        return runs

    def _best(self, problem: UploadProblem, uploaded: set[int], runs: list[list[int]]) -> list[int]:
        base = problem.mask(uploaded)
        problem.sd_of_masks([base] + [base | problem.mask(run) for run in runs])  # one batch
        scores = [self._efficiency(problem, uploaded, run) for run in runs]
        return runs[int(np.argmax(scores))]

    @staticmethod
    def _efficiency(problem: UploadProblem, uploaded: set[int], run: list[int]) -> float:
        seconds = sum(problem.units[u].seconds for u in run)
        if seconds <= 0:
            return -np.inf
        return problem.lda(uploaded, run) / seconds
