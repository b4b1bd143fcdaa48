"""OpenAIGrader: the ModelGrader that model-graded and select-best checks call, over openai clients.

In a module of its own so that a run makes its grader without loading the model-graded checks' module: that
loads only when such a check is validated or run (registry.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, cast

from promptbench.core.redact import Redactor

from .base import CheckError

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletionMessageParam


class OpenAIGrader:
    """A ModelGrader over `openai.AsyncOpenAI` clients, one per provider profile.

    `client_for(provider_name or None)` returns the client for that profile (None means the run's default).
    The clients belong to the caller, who closes them.
    """

    def __init__(
        self,
        client_for: Callable[[str | None], openai.AsyncOpenAI],
        *,
        default_model: str = "gpt-4o-mini",
        default_embedding_model: str = "text-embedding-3-large",  # promptfoo's default for similar
        redactor: Redactor | None = None,
        max_tokens: int | None = 1024,
        timeout: float | None = 60.0,
        model_for: Mapping[str, str] | None = None,
    ) -> None:
        self._client_for = client_for
        self._model_for = dict(model_for or {})  # a named grader profile's own default model
        self.max_tokens = max_tokens
        self.timeout = timeout
        self.default_model = default_model
        self.default_embedding_model = default_embedding_model
        self._redact = redactor or Redactor()

    @property
    def redact(self) -> Redactor:
        """The redactor every sentence about a grader call goes through: the run's, with its keys."""
        return self._redact

    async def complete(self, messages: list[dict[str, str]], *, provider: str | None, model: str | None) -> str:
        import openai  # on first use: scoring without a grader should not pay for loading the openai library

        try:
            # Plain role/content dicts are what the openai library's TypedDicts describe; the stubs cannot see it.
            chat_messages = cast("list[ChatCompletionMessageParam]", messages)
            response = await self._client_for(provider).chat.completions.create(
                model=model or self._model_for.get(provider or "") or self.default_model,
                messages=chat_messages,
                max_tokens=self.max_tokens or openai.omit,
                timeout=self.timeout or openai.NOT_GIVEN,
            )
        except openai.APIError as error:
            raise CheckError(self._sentence("grader model", error)) from None
        if not response.choices:
            raise CheckError("The grader model returned no answer.")
        return response.choices[0].message.content or ""

    async def embed(self, texts: list[str], *, provider: str | None, model: str | None) -> list[list[float]]:
        import openai

        try:
            response = await self._client_for(provider).embeddings.create(
                model=model or self.default_embedding_model,
                input=texts,
                timeout=self.timeout or openai.NOT_GIVEN,
            )
        except openai.APIError as error:
            raise CheckError(self._sentence("embeddings endpoint", error)) from None
        return [item.embedding for item in sorted(response.data, key=lambda item: item.index)]

    def _sentence(self, what: str, error: Exception) -> str:
        import openai

        if isinstance(error, openai.APIStatusError):
            detail = self._redact(str(getattr(error, "message", "") or ""))
            return f"The {what} answered with HTTP {error.status_code}: {detail}".rstrip(": ") + "."
        if isinstance(error, openai.APITimeoutError):
            return f"The {what} did not answer in time."
        if isinstance(error, openai.APIConnectionError):
            return f"The {what} could not be reached."
        return f"The {what} failed: {self._redact(str(error))}."
