"""Blind review: the order answers are shown in, and what the reviewer's picks add up to once names are revealed.

People rate their own prompt higher when they know which answer is theirs. So each test case's answers are shown
as "Answer A", "Answer B"... in an order shuffled per case from one seed; the seed and every shown order are kept
with the review, so anyone can check the order was not chosen by hand. The reviewer picks the better answer or
calls a tie. When the names are revealed, each variant gets wins, ties and losses: the picked answer's variant wins
the case, the other variants shown lose it, and a tie is a tie for every variant shown.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from promptbench.core.win_rates import Interval, wilson_interval

TIE = None  # a preference's choice when the reviewer called it a tie


@dataclass(frozen=True)
class Preference:
    """One reviewed case: the variants in the order shown (first is "Answer A") and the one picked, or TIE."""

    case: int
    shown: tuple[str, ...]
    choice: str | None

    def to_dict(self) -> dict[str, object]:
        return {"case": self.case, "shown": list(self.shown), "choice": self.choice}


@dataclass(frozen=True)
class Review:
    """One blind review of a run, as kept in the history: its seed, the variants it compares, its picks so far,
    and when the names were revealed (None while it is still blind, so it can be paused and resumed)."""

    id: int
    run_id: str
    seed: int
    variants: tuple[str, ...]
    started_at: str
    revealed_at: str | None
    preferences: tuple[Preference, ...] = ()

    @property
    def revealed(self) -> bool:
        return self.revealed_at is not None

    def reviewed_cases(self) -> set[int]:
        return {p.case for p in self.preferences}

    def to_dict(self) -> dict[str, object]:
        return {
            "review": self.id,
            "seed": self.seed,
            "variants": list(self.variants),
            "started_at": self.started_at,
            "revealed_at": self.revealed_at,
            "picks": [p.to_dict() for p in self.preferences],
            "tally": [t.to_dict() for t in tally(self.preferences, self.variants)],
        }


def shown_order(seed: int, case: int, variants: Sequence[str]) -> tuple[str, ...]:
    """The variants of one case in the order they are shown: shuffled by a generator seeded from the review's seed
    and the case, so the same review always shows a case the same way, however the cases are visited."""
    order = list(variants)
    random.Random(f"{seed}:{case}").shuffle(order)
    return tuple(order)


def answer_letter(position: int) -> str:
    """'A' for the first answer shown, 'B' for the second..."""
    return string.ascii_uppercase[position]


def new_seed() -> int:
    return random.SystemRandom().randrange(1, 2**31)


@dataclass(frozen=True)
class Tally:
    """One variant's record over the reviewed cases it was shown in, with its win rate's 95% interval."""

    variant: str
    wins: int
    ties: int
    losses: int

    @property
    def cases(self) -> int:
        return self.wins + self.ties + self.losses

    @property
    def win_rate(self) -> float | None:
        return self.wins / self.cases if self.cases else None

    @property
    def interval(self) -> Interval | None:
        return wilson_interval(self.wins, self.cases) if self.cases else None

    def sentence(self) -> str:
        """'Short: 6 wins, 1 tie, 3 losses; won 60% of 10 cases (95% interval 31% to 83%).'"""
        if not self.cases:
            return f"{self.variant}: not shown in any reviewed case."
        interval = self.interval
        assert interval is not None and self.win_rate is not None
        return (
            f"{self.variant}: {_count(self.wins, 'win')}, {_count(self.ties, 'tie')}, {_count(self.losses, 'loss')}; "
            f"won {self.win_rate:.0%} of {self.cases} cases "
            f"(95% interval {interval.low:.0%} to {interval.high:.0%})."
        )

    def to_dict(self) -> dict[str, object]:
        interval = self.interval
        return {
            "variant": self.variant,
            "wins": self.wins,
            "ties": self.ties,
            "losses": self.losses,
            "win_rate": self.win_rate,
            "win_rate_95": None if interval is None else [interval.low, interval.high],
        }


def tally(preferences: Iterable[Preference], variants: Sequence[str]) -> list[Tally]:
    """Wins, ties and losses per variant, in the order of `variants`."""
    wins = dict.fromkeys(variants, 0)
    ties = dict.fromkeys(variants, 0)
    losses = dict.fromkeys(variants, 0)
    for preference in preferences:
        for name in preference.shown:
            if name not in wins:
                continue
            if preference.choice is TIE:
                ties[name] += 1
            elif preference.choice == name:
                wins[name] += 1
            else:
                losses[name] += 1
    return [Tally(name, wins[name], ties[name], losses[name]) for name in variants]


def progress_text(reviewed: int, total: int) -> str:
    """'12 of 50 reviewed'."""
    return f"{reviewed} of {total} reviewed"


def _count(n: int, word: str) -> str:
    plural = {"win": "wins", "tie": "ties", "loss": "losses"}[word]
    return f"{n} {word if n == 1 else plural}"
