"""LMU, the paper's Layer Merge Uploading (Algorithm 2, Principles 1-4), on upload units.

Our reading, where the paper is ambiguous (docs/CHOICES.md, "Uploading plans"):

- `LDA*` of a set of units = SD(nothing active) - SD(only that set active) (eq. 18 for one layer).
- Merge Rules (Principle 3), inside each run of adjacent units: while some partition has
  `LDA* <= 0` and has a neighbour, merge it with its input-side or output-side neighbour: if both
  merged candidates have `LDA* > 0`, the one with the higher ELDA*; if one has, that one; if
  neither, the output side. Repeat on the result until it has `LDA* > 0` or fills the run.
- Principle 2: size-0 units of a partition with `LDA* > 0` are pre-uploaded (no upload time).
  A pre-uploaded unit is switched on at the first moment (time 0, or after any upload) when that
  lowers SD, best first; otherwise it is switched on with the last upload of its partition.
  Size-0 units of a partition with `LDA* <= 0` go with that partition.
- Principle 1: partitions are uploaded in descending current ELDA, recomputed after each upload.
- Principle 4: when a merged partition comes up, its sub-partitions (runs of its units, the
  single units included) with `LDA* > 0` are uploaded first, one at a time in descending current
  ELDA, until no such run is left among its remaining units; then the rest at once.
"""

from __future__ import annotations

import attrs
import numpy as np

from eosdnn.framework.params import one_of, whole
from eosdnn.problems.upload import UploadProblem
from eosdnn.solvers.upload import PLANNERS, check_units

TOLERANCE = 1e-12


def lda_star(problem: UploadProblem, units: list[int]) -> float:
    return problem.lda([], units)


def elda_star(problem: UploadProblem, units: list[int]) -> float:
    return problem.elda([], units)


def merge_segment(problem: UploadProblem, segment: list[int]) -> list[list[int]]:
    """The Merge Rules on one run of adjacent units."""
    parts = [[u] for u in segment]
    while len(parts) > 1:
        bad = next((i for i, part in enumerate(parts) if lda_star(problem, part) <= TOLERANCE), None)
        if bad is None:
            break
        left = parts[bad - 1] + parts[bad] if bad > 0 else None
        right = parts[bad] + parts[bad + 1] if bad + 1 < len(parts) else None
        if left is None or right is None:
            take_right = right is not None
        else:
            good_left, good_right = lda_star(problem, left) > TOLERANCE, lda_star(problem, right) > TOLERANCE
            if good_left and good_right:
                take_right = elda_star(problem, right) > elda_star(problem, left)
            elif good_left or good_right:
                take_right = good_right
            else:
                take_right = True  # neither helps: merge with the output-adjacent side and go on
        if take_right:
            assert right is not None
            parts[bad:bad + 2] = [right]
        else:
            assert left is not None
            parts[bad - 1:bad + 1] = [left]
    return parts


def sub_runs(rest: list[int]) -> list[list[int]]:
    """Proper runs of consecutive units among the part's units not yet active."""
    runs: list[list[int]] = []
    current: list[int] = []
    for u in rest:
        if current and u != current[-1] + 1:
            runs.append(current)
            current = []
        current.append(u)
    if current:
        runs.append(current)
    every = [run[i:j] for run in runs for i in range(len(run)) for j in range(i + 1, len(run) + 1)]
    return [r for r in every if len(r) < len(rest)]


@PLANNERS.register("lmu")
@attrs.define
class Lmu:
    """The paper's LMU (Algorithm 2): merge units whose upload does not pay off, then upload
    partitions in descending efficiency (ELDA), a merged layer's own good parts first.

    The module docstring gives the exact reading of each principle.

    `rest`: `at-once` (the paper: the rest of a merged partition follows its sub-partitions
    immediately) or `requeue` (a variant: the rest goes back to the Principle-1 queue and waits
    for its turn by current ELDA).
    """

    rest: str = attrs.field(default="at-once", validator=one_of("at-once", "requeue"))
    max_units: int = attrs.field(default=250, validator=whole(0))

    def partitions(self, problem: UploadProblem) -> list[list[int]]:
        check_units("lmu", problem, self.max_units, "n^3")
        merged = [part for segment in problem.segments() for part in merge_segment(problem, segment)]
        positive = [lda_star(problem, part) > TOLERANCE for part in merged]
        preuploaded = {u for part, good in zip(merged, positive) if good
                       for u in part if not problem.units[u].weighted}
        active: set[int] = set()
        plan: list[list[int]] = []

        def switch_on_preuploaded() -> None:
            chosen: list[int] = []
            while True:
                waiting = sorted(preuploaded - active)
                if not waiting:
                    break
                gains = [problem.lda(active, [u]) for u in waiting]
                best = int(np.argmax(gains))
                if gains[best] <= TOLERANCE:
                    break
                active.add(waiting[best])
                chosen.append(waiting[best])
            if chosen:
                plan.append(chosen)

        def upload(units: list[int]) -> None:
            if units:
                plan.append(units)
                active.update(units)
            switch_on_preuploaded()

        switch_on_preuploaded()
        remaining = list(range(len(merged)))
        while remaining:
            def current(i: int) -> float:
                rest = [u for u in merged[i] if u not in active]
                return problem.elda(active, rest) if rest else np.inf
            pick = max(remaining, key=lambda i: (current(i), -i))
            remaining.remove(pick)
            part = merged[pick]
            while True:  # Principle 4: the part's own sub-partitions with LDA* > 0 first
                runs = sub_runs([u for u in part if u not in active])
                base = problem.mask(active)
                problem.sd_of_masks([0, base] + [problem.mask(r) for r in runs] +
                                    [base | problem.mask(r) for r in runs])  # one batch for the scores below
                good = [r for r in runs if lda_star(problem, r) > TOLERANCE]
                if not good:
                    break
                upload(max(good, key=lambda r: (problem.elda(active, r), -len(r), -r[0])))
            rest = [u for u in part if u not in active]
            if self.rest == "requeue" and len(rest) < len(part) and rest:
                merged.append(rest)
                remaining.append(len(merged) - 1)
                continue
            upload(rest)
        return plan
