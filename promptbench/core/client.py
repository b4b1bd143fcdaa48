"""Calls to an OpenAI-compatible chat API, one client per provider profile, and the offline Echo provider.

A client turns one request into a `Completion`, or raises `CallFailed` with a plain sentence, a kind and whether
a retry may help. Retrying and concurrency are the runner's job; the openai client is built with max_retries=0.

`openai_client` is the one place an openai client is built from a profile (the runs, a profile's test, the model
pickers and doctor all use it), so each gets the profile's address, headers and query parameters alike.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, overload

import openai
from openai import APIError  # by name: inside OpenAIChatClient, `openai` is its property

from promptbench.core.completion import Completion
from promptbench.core.experiment import Parameters, ProviderProfile
from promptbench.core.providers import default_query, is_echo
from promptbench.core.redact import Redactor
from promptbench.core.retry import retry_after_seconds

TextCallback = Callable[[str], None]

# Local servers ignore the key, but the openai library refuses to start without one.
NO_KEY_PLACEHOLDER = "no-key-needed"


@overload
def openai_client(
    profile: ProviderProfile,
    api_key: str | None,
    *,
    blocking: Literal[False] = False,
    timeout: float | None = None,
    http_client: Any = None,
) -> openai.AsyncOpenAI: ...


@overload
def openai_client(
    profile: ProviderProfile,
    api_key: str | None,
    *,
    blocking: Literal[True],
    timeout: float | None = None,
    http_client: Any = None,
) -> openai.OpenAI: ...


def openai_client(
    profile: ProviderProfile,
    api_key: str | None,
    *,
    blocking: bool = False,
    timeout: float | None = None,
    http_client: Any = None,
) -> openai.AsyncOpenAI | openai.OpenAI:
    """An openai client for `profile`: its base URL, headers and query parameters (Azure's `api-version`), the key
    (or a placeholder for servers that need none) and no retries of its own. `blocking` gives the synchronous
    client; `timeout` (seconds) replaces the library's default; `http_client` is the transport, when given.

    The asynchronous client (runs, graders) goes over aiohttp (`openai.DefaultAioHttpClient`, the `aiohttp` extra):
    at 64 calls at once it spends about two thirds of the CPU per call of the SDK's default httpx transport."""
    options: dict[str, Any] = {
        "base_url": profile.base_url,
        "api_key": api_key or NO_KEY_PLACEHOLDER,
        "max_retries": 0,  # the runner retries, honouring Retry-After; a test or a picker says what happens now
        "default_headers": profile.headers or None,
        "default_query": default_query(profile) or None,
        "http_client": http_client if http_client is not None or blocking else openai.DefaultAioHttpClient(),
    }
    if timeout is not None:
        options["timeout"] = timeout
    return openai.OpenAI(**options) if blocking else openai.AsyncOpenAI(**options)


@dataclass
class CallFailed(Exception):
    """A call that did not give an answer. `sentence` is what the user reads; it never holds a key."""

    kind: str
    sentence: str
    retryable: bool = False
    retry_after: float | None = None

    def __str__(self) -> str:
        return self.sentence


class ChatClient(Protocol):
    profile: ProviderProfile

    async def complete(
        self,
        model: str,
        messages: list[dict[str, str]],
        parameters: Parameters,
        *,
        timeout: float,
        stream: bool = False,
        on_text: TextCallback | None = None,
    ) -> Completion: ...

    async def aclose(self) -> None: ...


class EchoClient:
    """The offline provider: answers at once with the last user message, as rendered. Not a model, and says so."""

    def __init__(self, profile: ProviderProfile) -> None:
        self.profile = profile

    async def complete(
        self,
        model: str,
        messages: list[dict[str, str]],
        parameters: Parameters,
        *,
        timeout: float,
        stream: bool = False,
        on_text: TextCallback | None = None,
    ) -> Completion:
        output = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
        if on_text is not None:
            on_text(output)
        return Completion(output=output, finish_reason="stop", model="echo")

    async def aclose(self) -> None:
        pass


class OpenAIChatClient:
    """One provider profile's client, on `openai.AsyncOpenAI`."""

    def __init__(
        self,
        profile: ProviderProfile,
        api_key: str | None,
        *,
        redactor: Redactor | None = None,
        http_client: Any = None,
    ) -> None:
        self.profile = profile
        self._redact = redactor or Redactor()
        self._redact.add(api_key)
        self._client = openai_client(profile, api_key, http_client=http_client)

    @property
    def openai(self) -> openai.AsyncOpenAI:
        """The underlying openai client, for other endpoints of the same profile (embeddings, graders)."""
        return self._client

    async def aclose(self) -> None:
        await self._client.close()

    async def complete(
        self,
        model: str,
        messages: list[dict[str, str]],
        parameters: Parameters,
        *,
        timeout: float,
        stream: bool = False,
        on_text: TextCallback | None = None,
    ) -> Completion:
        body = {"model": model, "messages": messages, **parameters.request_fields()}
        try:
            async with asyncio.timeout(timeout):
                if stream:
                    return await self._complete_streaming(body, timeout, on_text)
                # The body is plain JSON already, so it goes through the client's post() rather than
                # chat.completions.create(): the same request, retries, errors and status checks, without the
                # SDK's per-call walk of the body against its parameter types or its build of the answer's model
                # objects (together a third of its CPU per call). Only the fields we read are read.
                text = await self._client.post(
                    "/chat/completions", body=body, cast_to=str, options={"timeout": timeout}
                )
                return _completion_from_json(json.loads(text), model)
        except TimeoutError:
            raise CallFailed(
                "timeout", f"No answer from {self.profile.display_name} within {timeout:g} s.", retryable=True
            ) from None
        except openai.APIError as error:
            raise self._failure(error, model) from None
        except json.JSONDecodeError as error:
            if error.doc.lstrip().startswith("{"):
                # A JSON object that does not parse is, in practice, a transfer cut short (a proxy or the server
                # gave up mid-body), like a dropped connection: worth another try. A body that is not JSON at all
                # (an HTML page) means a wrong address, which no retry mends.
                raise CallFailed(
                    "bad_response",
                    f"The answer from {self.profile.display_name} was cut off before its end (its JSON is incomplete).",
                    retryable=True,
                ) from None
            raise CallFailed("bad_response", self._unreadable(error)) from None
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as error:
            # The body parsed, but not into a chat completion (or did not parse at all).
            raise CallFailed("bad_response", self._unreadable(error)) from None

    async def _complete_streaming(
        self, body: dict[str, Any], timeout: float, on_text: TextCallback | None
    ) -> Completion:
        stream = await self._client.chat.completions.create(
            **body, stream=True, stream_options={"include_usage": True}, timeout=timeout
        )
        parts: list[str] = []
        finish_reason = None
        served_model = body["model"]
        usage = None
        async with stream:
            async for chunk in stream:
                served_model = chunk.model or served_model
                if chunk.usage is not None:
                    usage = chunk.usage
                for choice in chunk.choices[:1]:
                    if choice.delta is not None and choice.delta.content:
                        parts.append(choice.delta.content)
                        if on_text is not None:
                            on_text("".join(parts))
                    if choice.finish_reason:
                        finish_reason = choice.finish_reason
        if finish_reason is None:
            # llama.cpp's server, asked a second question mid-stream, closes the first stream with only the role
            # chunk and [DONE]: that is a cut, not an empty answer.
            raise CallFailed(
                "stream_cut",
                f"{self.profile.display_name} ended the streamed answer before finishing it (no finish reason); "
                "the server may be busy with another request.",
                retryable=True,
            )
        return Completion(
            output="".join(parts),
            finish_reason=finish_reason,
            model=served_model,
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
        )

    def _unreadable(self, error: Exception) -> str:
        return (
            f"The answer from {self.profile.display_name} could not be read as an OpenAI-compatible chat "
            f"completion ({type(error).__name__}). Is {self.profile.base_url} the right base URL?"
        )

    def _failure(self, error: APIError, model: str) -> CallFailed:
        name = self.profile.display_name
        if isinstance(error, openai.APITimeoutError) and not _lost_connection(error):
            return CallFailed("timeout", f"No answer from {name} in time.", retryable=True)
        if isinstance(error, openai.APIConnectionError):  # APITimeoutError is one too
            cause = error.__cause__ or error.__context__
            detail = f" ({self._redact(str(cause))})" if cause else ""
            return CallFailed(
                "connection",
                f"Could not reach {name} at {self.profile.base_url}, or it dropped the connection{detail}.",
                retryable=True,
            )
        if isinstance(error, openai.APIResponseValidationError):
            return CallFailed("bad_response", self._unreadable(error))
        if not isinstance(error, openai.APIStatusError):
            # An error event in the middle of a stream, after a 200.
            return CallFailed(
                "server", f"{name} reported an error mid-answer: {self._server_message(error)}", retryable=True
            )
        status = error.status_code
        message = self._server_message(error)
        if status == 401:
            return CallFailed("auth", f"The key for {name} was refused (401). Check it in Settings > Providers.")
        if status == 403:
            return CallFailed("auth", f"{name} refused access (403): {message}")
        if status == 404:
            return CallFailed("request", f"{name} does not offer the model '{model}' (404): {message}")
        if status == 429:
            if error.code == "insufficient_quota" or _error_type(error) == "insufficient_quota":
                return CallFailed(
                    "quota", f"{name} says the account's quota is used up (429). Check the plan and billing."
                )
            return CallFailed(
                "rate_limit",
                f"{name} is rate limiting the calls (429).",
                retryable=True,
                retry_after=retry_after_seconds(error.response.headers),
            )
        if status >= 500 or status in (408, 409):
            return CallFailed(
                "server",
                f"{name} had a server error ({status}){': ' + message if message else '.'}",
                retryable=True,
                retry_after=retry_after_seconds(error.response.headers),
            )
        return CallFailed("request", f"{name} rejected the request ({status}): {message}")

    def _server_message(self, error: APIError) -> str:
        """The server's own words, when it gave JSON ones; an HTML error page is not worth showing."""
        body = error.body
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, str) or not message:
            return ""
        return self._redact(message.strip())[:300]


def _lost_connection(error: BaseException) -> bool:
    """Whether a timeout the SDK reports was a refused or dropped connection: the aiohttp transport maps every
    connection error of aiohttp to httpx's ConnectTimeout, and only the aiohttp error behind it tells them apart."""
    cause = error.__cause__ or error.__context__
    while cause is not None:
        if isinstance(cause, TimeoutError):
            return False
        if type(cause).__module__.startswith("aiohttp"):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _error_type(error: openai.APIStatusError) -> str | None:
    return error.body.get("type") if isinstance(error.body, dict) else None


def _completion_from_json(data: Any, requested_model: str) -> Completion:
    """A chat completion read from its JSON. A tool call (content null) goes through the SDK's own model, so its
    JSON keeps the form and key order a streamed or SDK-built answer gives."""
    if not isinstance(data, dict):
        raise TypeError("the body is not a chat completion object")
    choice = data["choices"][0]
    message = choice["message"]
    if message.get("content") is None and message.get("tool_calls"):
        from openai._models import construct_type
        from openai.types.chat import ChatCompletion

        return _completion_from(construct_type(type_=ChatCompletion, value=data), requested_model)
    usage = data.get("usage")
    return Completion(
        output=message.get("content") or "",
        finish_reason=choice.get("finish_reason"),
        model=data.get("model") or requested_model,
        prompt_tokens=usage.get("prompt_tokens") if usage else None,
        completion_tokens=usage.get("completion_tokens") if usage else None,
    )


def _completion_from(response: Any, requested_model: str) -> Completion:
    if isinstance(response, (str, bytes)):
        json.loads(response)  # raises ValueError for a body that is not JSON at all
        raise TypeError("the body is not a chat completion object")
    choice = response.choices[0]
    content = choice.message.content
    if content is None and choice.message.tool_calls:
        content = json.dumps([call.model_dump() for call in choice.message.tool_calls])
    usage = response.usage
    return Completion(
        output=content or "",
        finish_reason=choice.finish_reason,
        model=response.model or requested_model,
        prompt_tokens=usage.prompt_tokens if usage else None,
        completion_tokens=usage.completion_tokens if usage else None,
    )


def make_client(profile: ProviderProfile, api_key: str | None, *, redactor: Redactor | None = None) -> ChatClient:
    """The client for a profile: Echo for the offline profile, else the OpenAI-compatible client."""
    if is_echo(profile):
        return EchoClient(profile)
    return OpenAIChatClient(profile, api_key, redactor=redactor)
