"""A batch run's model-graded checks as a second batch: their questions gathered, sent, and their answers replayed.

While the answers are collected, `GatheringGrader` stands in for the run's grader: it notes each question a check
asks (llm-rubric's prompt to the grader model) and makes the check wait ("its verdict comes in a second batch").
Once the answers are in, the questions go out as batches of their own; when those end, each answer is scored
again with `ReplayGrader`, which answers from the grader batch's result lines, and the result is recorded again in
its place. Embeddings (`similar`) are cheap and not batched: the replay asks them directly. The questions are
derived from the recorded answers, so a resumed run finds the same ones (and their custom_ids) again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from promptbench.core.checks.base import CheckError
from promptbench.core.checks.registry import ASYNC_TYPES
from promptbench.core.completion import Completion
from promptbench.core.experiment import Experiment
from promptbench.service.batch.requests import CHAT_ENDPOINT, MAX_LINES, InputFile
from promptbench.service.batch.results import LineError

WAITING = "The grader's verdict comes in a second batch, once the answers are in; it is not in yet."
NOT_ANSWERED = "The grader batch gave no answer to this check; resume the run to ask again."


def has_model_graded_checks(experiment: Experiment) -> bool:
    checks = [*experiment.default_checks, *(c for case in experiment.cases for c in case.checks)]
    return any(check.type in ASYNC_TYPES for check in checks)


@dataclass(frozen=True)
class GraderQuestion:
    """One call a model-graded check makes to the grader model, and its name in a batch (`grade-` + a hash)."""

    provider: str
    model: str
    messages: tuple[tuple[str, str], ...]
    max_tokens: int | None

    @property
    def custom_id(self) -> str:
        text = json.dumps([self.provider, self.model, self.messages, self.max_tokens], ensure_ascii=False)
        return "grade-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]

    def line(self) -> bytes:
        body: dict[str, Any] = {"model": self.model, "messages": [{"role": r, "content": c} for r, c in self.messages]}
        if self.max_tokens:
            body["max_tokens"] = self.max_tokens
        line = {"custom_id": self.custom_id, "method": "POST", "url": CHAT_ENDPOINT, "body": body}
        return json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


class _Stand:
    """What both graders share: the run's grader behind them, and how a check's call names its question."""

    def __init__(self, real: Any, default_provider: str | None) -> None:
        self.real = real
        self.default_provider = default_provider

    @property
    def redact(self) -> Any:
        return self.real.redact

    def question(self, messages: list[dict[str, str]], provider: str | None, model: str | None) -> GraderQuestion:
        name = provider or self.default_provider or ""
        # The same model the run's grader would ask (promptbench.core.checks.model_graded.OpenAIGrader.complete).
        chosen = model or self.real._model_for.get(provider or "") or self.real.default_model
        pairs = tuple((m["role"], m["content"]) for m in messages)
        return GraderQuestion(name, chosen, pairs, self.real.max_tokens)


class GatheringGrader(_Stand):
    """Notes every question and makes its check wait; embeddings too wait for the replay."""

    def __init__(self, real: Any, default_provider: str | None) -> None:
        super().__init__(real, default_provider)
        self.questions: dict[str, GraderQuestion] = {}
        self.asked = 0  # calls so far: an answer whose scoring asked anything is scored again at the replay

    async def complete(self, messages: list[dict[str, str]], *, provider: str | None, model: str | None) -> str:
        question = self.question(messages, provider, model)
        self.questions[question.custom_id] = question
        self.asked += 1
        raise CheckError(WAITING)

    async def embed(self, texts: list[str], *, provider: str | None, model: str | None) -> list[list[float]]:
        self.asked += 1
        raise CheckError(WAITING)


class ReplayGrader(_Stand):
    """Answers each question from the grader batches' result lines; embeddings go to the run's grader directly."""

    def __init__(
        self,
        real: Any,
        default_provider: str | None,
        answers: Mapping[str, Completion | LineError],
        direct: Collection[str] = (),
    ) -> None:
        super().__init__(real, default_provider)
        self.answers = answers
        self.direct = direct  # questions to a grader profile without a Batch API: asked directly, as before

    async def complete(self, messages: list[dict[str, str]], *, provider: str | None, model: str | None) -> str:
        name = self.question(messages, provider, model).custom_id
        if name in self.direct:
            return str(await self.real.complete(messages, provider=provider, model=model))
        found = self.answers.get(name)
        if found is None:
            raise CheckError(NOT_ANSWERED)
        if isinstance(found, LineError):
            raise CheckError(found.sentence)
        return found.output

    async def embed(self, texts: list[str], *, provider: str | None, model: str | None) -> list[list[float]]:
        return await self.real.embed(texts, provider=provider, model=model)


def question_files(questions: Iterable[GraderQuestion], max_lines: int = MAX_LINES) -> list[InputFile]:
    """The questions as input files: one per grader profile and model, split at the line limit."""
    groups: dict[tuple[str, str], list[GraderQuestion]] = {}
    for question in questions:
        groups.setdefault((question.provider, question.model), []).append(question)
    files = []
    for (provider, model), group in groups.items():
        group.sort(key=lambda q: q.custom_id)
        for start in range(0, len(group), max_lines):
            part = group[start : start + max_lines]
            files.append(InputFile(provider, model, tuple(q.custom_id for q in part), b"".join(q.line() for q in part)))
    return files
