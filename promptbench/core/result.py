"""A result: one cell of a run (variant x case x repeat), with what was sent, what came back and its verdicts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class CellKey:
    """Which cell: the variant's name, the case's index in the test set, and the repeat (0-based)."""

    variant: str
    case: int
    repeat: int = 0


@dataclass(frozen=True)
class CheckOutcome:
    """One check's verdict on one output. `error` is set when the check itself could not run (a grader failed).

    A select-best check also counts the pairs of answers this one was compared in (`comparisons`) and how many of
    them the grader decided by position (`by_position`, ties); both are 0, and left out of the dict, otherwise."""

    type: str
    passed: bool
    score: float
    reason: str
    weight: float = 1.0
    metric: str | None = None
    error: bool = False
    comparisons: int = 0
    by_position: int = 0

    def to_dict(self) -> dict[str, Any]:
        # Spelled out rather than dataclasses.asdict, which deep-copies each field: the history's writer turns
        # every result's checks into a dict, and asdict was half of its time.
        data = {
            "type": self.type,
            "passed": self.passed,
            "score": self.score,
            "reason": self.reason,
            "weight": self.weight,
            "metric": self.metric,
            "error": self.error,
        }
        if self.comparisons:
            data.update(comparisons=self.comparisons, by_position=self.by_position)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckOutcome:
        return cls(**data)


@dataclass(frozen=True)
class Grade:
    """The automatic verdict on one output: every check's outcome and the case's pass and score."""

    passed: bool
    score: float
    reason: str
    checks: tuple[CheckOutcome, ...] = ()
    named_scores: dict[str, float] = field(default_factory=dict)

    @property
    def checks_could_not_run(self) -> bool:
        """Every check errored (a grader down, a bad value): the verdict says nothing about the output."""
        return bool(self.checks) and all(c.error for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "score": self.score,
            "reason": self.reason,
            "checks": [c.to_dict() for c in self.checks],
            "named_scores": dict(self.named_scores),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Grade:
        return cls(
            passed=data["passed"],
            score=data["score"],
            reason=data["reason"],
            checks=tuple(CheckOutcome.from_dict(c) for c in data.get("checks") or ()),
            named_scores=dict(data.get("named_scores") or {}),
        )


@dataclass(frozen=True)
class Result:
    """One cell, as it was sent and returned.

    `error` is a plain sentence for a call that failed (and `output` is then None); `error_kind` sorts errors
    for the summary ("auth", "rate_limit", "server", "timeout", "connection", "bad_response", "request",
    "template"). `cached` says the output came from the response cache, not from a call.
    """

    key: CellKey
    messages: tuple[dict[str, str], ...]
    model: str
    provider: str
    output: str | None = None
    finish_reason: str | None = None
    latency_ms: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: float | None = None
    error: str | None = None
    error_kind: str | None = None
    attempts: int = 0
    cached: bool = False
    grade: Grade | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def passed(self) -> bool | None:
        """True or False once graded; None for an error or a cell without checks."""
        if self.error is not None or self.grade is None:
            return None
        return self.grade.passed

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["key"] = asdict(self.key)
        data["messages"] = [dict(m) for m in self.messages]
        data["grade"] = self.grade.to_dict() if self.grade else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        fields = dict(data)
        fields["key"] = CellKey(**data["key"])
        fields["messages"] = tuple(dict(m) for m in data["messages"])
        fields["grade"] = Grade.from_dict(data["grade"]) if data.get("grade") else None
        return cls(**fields)


@dataclass(frozen=True)
class HumanGrade:
    """A person's verdict on one result, kept beside the automatic one and never replacing it.

    `thumbs` is True (up), False (down) or None; `stars` is 1 to 5 or None; `comment` is free text.
    """

    thumbs: bool | None = None
    stars: int | None = None
    comment: str = ""

    @property
    def is_empty(self) -> bool:
        return self.thumbs is None and self.stars is None and not self.comment

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HumanGrade:
        return cls(**data)
