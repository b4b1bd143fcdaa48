"""What every check handler shares: its verdict, the error it raises when it cannot run, and its context."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from promptbench.core.code.limits import DEFAULT_LIMITS, CodeLimits

if TYPE_CHECKING:
    from promptbench.core.code.js_sandbox import JsSandbox

# promptfoo's success reason, kept word for word so imported suites read the same.
PASSED = "Assertion passed"


class CheckError(Exception):
    """A check that cannot run on this output (promptfoo "throws"): a bad value, a missing grader, no latency.

    The message is one plain sentence; the check's outcome becomes an error, never a silent pass.
    """


class CheckVerdict(NamedTuple):
    """What a handler decides: pass or fail, a score (usually 1 or 0), and a reason a person can read."""

    passed: bool
    score: float
    reason: str


def boolean(passed: bool, failure_reason: str) -> CheckVerdict:
    return CheckVerdict(passed, 1.0 if passed else 0.0, PASSED if passed else failure_reason)


class ModelGrader(Protocol):
    """The model calls model-graded checks make: a chat completion, and embeddings."""

    async def complete(self, messages: list[dict[str, str]], *, provider: str | None, model: str | None) -> str: ...

    async def embed(self, texts: list[str], *, provider: str | None, model: str | None) -> list[list[float]]: ...


@dataclass(frozen=True)
class CheckContext:
    """What a check may know besides the output.

    `vars` are the case's variables; the case's expected output is also available to value templates as
    `{{expected}}` unless a variable of that name exists. `latency_ms` and `cost` are the call's; `cached`
    says the output came from the response cache (so its latency says nothing). `grader` makes the model
    calls of llm-rubric and similar.

    The code checks and transforms also read `prompt` (the rendered prompt), `test` (the case as promptfoo
    shows it) and `provider_id`; they run JavaScript in `sandbox` (one per run) within `limits`, and run
    Python checks only when `python_checks` is true (the person allowed them).
    """

    vars: Mapping[str, Any] = field(default_factory=dict)
    latency_ms: float | None = None
    cost: float | None = None
    cached: bool = False
    grader: ModelGrader | None = None
    prompt: str = ""
    test: Mapping[str, Any] = field(default_factory=dict)
    provider_id: str = ""
    sandbox: JsSandbox | None = None
    limits: CodeLimits = DEFAULT_LIMITS
    python_checks: bool = False
