"""Comparing two runs cell by cell, matched on (variant name, case index, repeat), or two variants of one run,
matched on (case index, repeat).

A cell is better when it now passes where it failed, or when it passes or fails alike with a higher score; an
answer beats an error. With the same verdict and score, a different answer is "answer changed" and only an
identical answer (character for character) is unchanged: a reworded prompt that changes every answer must not read
as "nothing changed". Cells only in the newer run are new, cells only in the older run are gone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from promptbench.core.result import CellKey
from promptbench.storage.database import HistoryDatabase
from promptbench.storage.errors import HistoryError
from promptbench.storage.queries import RunSummary, run_summary

_SCORE_EPSILON = 1e-9


class ChangeVerdict(StrEnum):
    """How one cell changed from the older run to the newer one."""

    IMPROVED = "improved"
    REGRESSED = "regressed"
    ANSWER_CHANGED = "answer changed"  # the same verdict and score, a different answer
    UNCHANGED = "unchanged"  # the same verdict, score and answer
    NEW = "new"  # only in the newer run
    GONE = "gone"  # only in the older run


VERDICTS = tuple(ChangeVerdict)


@dataclass(frozen=True)
class ComparedCell:
    """What a comparison needs of one cell: did it answer, did it pass, what score, what answer."""

    error: bool
    passed: bool | None
    score: float | None
    output: str | None = None


@dataclass(frozen=True)
class CellChange:
    key: CellKey
    verdict: ChangeVerdict
    before: ComparedCell | None
    after: ComparedCell | None

    @property
    def score_delta(self) -> float | None:
        if self.before is None or self.after is None or self.before.score is None or self.after.score is None:
            return None
        return self.after.score - self.before.score

    @property
    def pass_delta(self) -> int | None:
        """+1 now passes where it failed, -1 the other way, 0 the same; None when either side has no verdict."""
        if self.before is None or self.after is None or self.before.passed is None or self.after.passed is None:
            return None
        return int(self.after.passed) - int(self.before.passed)


@dataclass(frozen=True)
class Comparison:
    """Run `before` against run `after` (or one variant against another in one run, when both are the same run):
    every matched cell's change, and how many of each verdict."""

    before: RunSummary
    after: RunSummary
    cells: list[CellChange]

    @property
    def counts(self) -> dict[ChangeVerdict, int]:
        tally = Counter(c.verdict for c in self.cells)
        return {verdict: tally.get(verdict, 0) for verdict in VERDICTS}

    def counts_text(self) -> str:
        """Every count in one line, the same in the CLI and the window: "0 improved, 0 regressed, 10 answer
        changed, 0 unchanged, 0 new, 0 gone"."""
        return ", ".join(f"{count} {verdict}" for verdict, count in self.counts.items())

    def changed(self) -> list[CellChange]:
        return [c for c in self.cells if c.verdict is not ChangeVerdict.UNCHANGED]


def verdict(before: ComparedCell | None, after: ComparedCell | None) -> ChangeVerdict:
    if before is None:
        return ChangeVerdict.NEW
    if after is None:
        return ChangeVerdict.GONE
    if before.error != after.error:
        return ChangeVerdict.IMPROVED if before.error else ChangeVerdict.REGRESSED
    if before.error:
        return ChangeVerdict.UNCHANGED
    if before.passed is not None and after.passed is not None and before.passed != after.passed:
        return ChangeVerdict.IMPROVED if after.passed else ChangeVerdict.REGRESSED
    if before.score is not None and after.score is not None:
        if after.score > before.score + _SCORE_EPSILON:
            return ChangeVerdict.IMPROVED
        if after.score < before.score - _SCORE_EPSILON:
            return ChangeVerdict.REGRESSED
    return ChangeVerdict.UNCHANGED if before.output == after.output else ChangeVerdict.ANSWER_CHANGED


def _cell_states(db: HistoryDatabase, run_id: str, variant: str | None = None) -> dict[CellKey, ComparedCell]:
    sql = "SELECT variant, case_index, repeat, error IS NOT NULL, passed, score, output FROM results WHERE run_id = ?"
    params = [run_id]
    if variant is not None:
        sql += " AND variant = ?"
        params.append(variant)
    rows = db.execute(sql, params)
    return {
        CellKey(v, c, r): ComparedCell(error=bool(e), passed=None if p is None else bool(p), score=s, output=o)
        for v, c, r, e, p, s, o in rows
    }


def compare_runs(db: HistoryDatabase, before_id: str, after_id: str) -> Comparison:
    before_summary, after_summary = run_summary(db, before_id), run_summary(db, after_id)
    before, after = _cell_states(db, before_id), _cell_states(db, after_id)
    # Cells in the order the runs show them: by case, then the variants' order in the experiment.
    order = {name: i for i, name in enumerate(dict.fromkeys(after_summary.variants + before_summary.variants))}
    cells = [
        CellChange(key, verdict(before.get(key), after.get(key)), before.get(key), after.get(key))
        for key in sorted(
            before.keys() | after.keys(), key=lambda k: (k.case, k.repeat, order.get(k.variant, len(order)), k.variant)
        )
    ]
    return Comparison(before_summary, after_summary, cells)


def compare_variants(db: HistoryDatabase, run_id: str, before_variant: str, after_variant: str) -> Comparison:
    """Variant `before_variant` against variant `after_variant` of one run, matched on (case index, repeat).

    Each CellChange.key is the AFTER variant's CellKey, so a view can find the after cell; the before cell is
    `CellKey(before_variant, key.case, key.repeat)`. `before` and `after` of the Comparison are both the run's
    summary. A variant the run does not have raises HistoryError naming the variants it has; an unknown run
    raises RunNotFound.
    """
    summary = run_summary(db, run_id)
    names = list(dict.fromkeys([*summary.variants, *_result_variants(db, run_id)]))
    for name in (before_variant, after_variant):
        if name not in names:
            raise HistoryError(
                f"Run {run_id} has no variant {name!r}; its variants are {', '.join(repr(n) for n in names)}."
            )
    before = {(k.case, k.repeat): s for k, s in _cell_states(db, run_id, before_variant).items()}
    after = {(k.case, k.repeat): s for k, s in _cell_states(db, run_id, after_variant).items()}
    cells = [
        CellChange(CellKey(after_variant, *at), verdict(before.get(at), after.get(at)), before.get(at), after.get(at))
        for at in sorted(before.keys() | after.keys())
    ]
    return Comparison(summary, summary, cells)


def _result_variants(db: HistoryDatabase, run_id: str) -> list[str]:
    """Variant names found in the run's results (a file edited by hand may hold some the snapshot lacks)."""
    return [row[0] for row in db.execute("SELECT DISTINCT variant FROM results WHERE run_id = ?", [run_id])]
