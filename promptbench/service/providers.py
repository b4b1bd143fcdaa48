"""Use-cases for provider profiles and their keys: list them with where each key comes from, set or delete a key,
add a profile from a preset, and test a profile (GET /models, then one tiny chat call).

Both faces call these. Every sentence handed back has been through the Redactor with the known keys added, because
server text (an error body, an exception message) may quote a key. The faces reach profiles and keys only through
promptbench.service, so the errors and names of promptbench.profiles and promptbench.secrets they use are
re-exported here.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

import httpx2
import openai
from openai.types.chat import ChatCompletionMessageParam

from promptbench.core import figures
from promptbench.core.client import openai_client
from promptbench.core.experiment import ProviderProfile
from promptbench.core.providers import ECHO, is_echo
from promptbench.core.redact import Redactor
from promptbench.profiles import (
    Profile,
    ProfileProblem,
    ProfileSettings,
    known_profiles,
    presets,
    profile_from_preset,
)
from promptbench.secrets import (
    BACKEND_FAILURES,
    NO_KEYRING,
    SERVICE,
    BadKey,
    FoundKey,
    KeyringUnavailable,
    KeySource,
    KeyStore,
    system_backend,
)
from promptbench.service.key_hosts import allowed_host

__all__ = [
    "ApprovedKeyHost",
    "BACKEND_FAILURES",
    "NO_KEYRING",
    "SERVICE",
    "BadKey",
    "KeySource",
    "KeyringUnavailable",
    "ProfileProblem",
    "ProfileStatus",
    "ProfileTest",
    "ProviderService",
    "ProfileTestVerdict",
    "system_backend",
]

_TEST_TIMEOUT = 20.0
_TEST_PROMPT: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Reply with the word OK."}]
_UNTOUCHABLE = {ECHO.name}  # built-in profiles a saved one may not replace


class ProfileTestVerdict(StrEnum):
    """How a profile test ended."""

    OK = "ok"
    NO_KEY = "no key"
    WRONG_KEY = "wrong key"
    UNREACHABLE = "unreachable"
    NOT_COMPATIBLE = "not OpenAI-compatible"
    REFUSED = "refused"  # the server understood and said no: unknown model, rate limit, quota, bad request
    SERVER_ERROR = "server error"


@dataclass(frozen=True)
class ProfileStatus:
    """A profile and where its key comes from."""

    profile: ProviderProfile
    key: FoundKey

    @property
    def saved(self) -> bool:
        return isinstance(self.profile, Profile)


@dataclass(frozen=True)
class ApprovedKeyHost:
    """An address the user approved for one key: `key` is "profile:NAME" or "env:VARIABLE"."""

    key: str
    host: str

    def describe(self) -> str:
        """Which key, in words; never the key."""
        kind, _, name = self.key.partition(":")
        return f"the {name} environment variable's key" if kind == "env" else f"the {name} profile's key"


@dataclass(frozen=True)
class ProfileTest:
    """The outcome of testing a profile. `message` is one plain sentence; `latency` is the chat call's, in seconds."""

    profile: ProviderProfile
    verdict: ProfileTestVerdict
    message: str
    models: tuple[str, ...] = ()
    model: str | None = None
    latency: float | None = None

    @property
    def ok(self) -> bool:
        return self.verdict is ProfileTestVerdict.OK


class ProviderService:
    """Provider profiles and their keys, as both faces see them.

    Collaborators come in with defaults: the key store (keyring + environment), the settings file, the HTTP
    client used for tests of a profile, the environment and the clock.
    """

    def __init__(
        self,
        key_store: KeyStore | None = None,
        settings: ProfileSettings | None = None,
        http_client: httpx2.Client | None = None,
        env: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.key_store = key_store if key_store is not None else KeyStore(env=env)
        self.settings = settings if settings is not None else ProfileSettings(env=env)
        self._http_client = http_client
        self._env = env
        self._clock = clock

    # ----- profiles

    def profiles(self) -> dict[str, ProviderProfile]:
        """Every profile this installation knows, by name: presets, built-ins, then the user's own."""
        return known_profiles(env=self._env, settings=self.settings)

    def profile(self, name: str) -> ProviderProfile:
        profiles = self.profiles()
        if name not in profiles:
            raise ProfileProblem(
                f"There is no provider profile named {name!r}; the profiles are: {', '.join(profiles)}."
            )
        return profiles[name]

    def statuses(self) -> list[ProfileStatus]:
        """Every profile with where its key comes from (never the key)."""
        return [ProfileStatus(p, self.key_store.find(p)) for p in self.profiles().values()]

    def keyring_problem(self) -> str | None:
        """The plain sentence to show when no keyring works here, else None."""
        return None if self.key_store.keyring_works() else NO_KEYRING

    def preset_list(self) -> list[Profile]:
        return list(presets().values())

    def add_profile(self, preset_name: str, **changes) -> Profile:
        """Save a new profile made from a preset; `changes` are profile_from_preset's keyword arguments."""
        profile = profile_from_preset(preset_name, **changes)
        self.settings.add(profile, taken=_UNTOUCHABLE)
        return profile

    def edit_profile(
        self,
        name: str,
        *,
        base_url: str | None = None,
        default_model: str | None = None,
        concurrency: int | None = None,
        timeout: float | None = None,
        new_name: str | None = None,
    ) -> Profile:
        """Change a profile: a saved one in place; a preset or built-in is saved as the user's own copy under its
        name first. Its key stays with it (a new name takes the key along)."""
        saved = {p.name: p for p in self.settings.load()}
        current = saved.get(name)
        if current is None:
            base = self.profile(name)
            if is_echo(base):
                raise ProfileProblem(f"{base.display_name} cannot be edited.")
            current = Profile.from_dict({**base.to_dict(), "preset": name if name in presets() else None})
        changes: dict = {}
        if base_url is not None:
            changes["base_url"] = base_url.strip().rstrip("/")
        if default_model is not None:
            changes["default_model"] = default_model.strip() or None
        if concurrency is not None:
            changes["concurrency"] = concurrency
        if timeout is not None:
            changes["timeout"] = timeout
        if new_name is not None and new_name.strip() and new_name.strip() != name:
            changes["name"], changes["label"] = new_name.strip(), None
        edited = replace(current, **changes)
        if name in saved:
            self.settings.update(name, edited)
        else:
            self.settings.add(edited, taken=_UNTOUCHABLE)
        if edited.name != name:
            found = self.key_store.find(current)
            if found.key and found.source in (KeySource.KEYRING, KeySource.MEMORY):
                move = self.key_store.set if found.source is KeySource.KEYRING else self.key_store.keep_in_memory
                move(edited.name, found.key)
                self.key_store.delete(name)
        return edited

    def remove_profile(self, name: str) -> bool:
        """Forget a saved profile and its key; False when no saved profile has that name."""
        if not self.settings.remove(name):
            return False
        try:
            self.key_store.delete(name)
        except KeyringUnavailable:
            pass  # nothing can be in a keyring that does not work
        return True

    # ----- keys

    def set_key(self, profile_name: str, key: str) -> None:
        """Store the key of a known profile in the keyring. Raises KeyringUnavailable, BadKey or ProfileProblem."""
        self.profile(profile_name)
        self.key_store.set(profile_name, key)

    def keep_key_in_memory(self, profile_name: str, key: str) -> None:
        self.profile(profile_name)
        self.key_store.keep_in_memory(profile_name, key)

    def delete_key(self, profile_name: str) -> bool:
        """Forget the key of a profile; False when there was none. Raises KeyringUnavailable."""
        return self.key_store.delete(profile_name)

    def redactor(self) -> Redactor:
        return self.key_store.redactor()

    def every_key_redactor(self) -> Redactor:
        """A Redactor that knows the key of every profile this installation has (keyring, memory, environment),
        whatever its shape: for text that may hold any of them, such as a crash report."""
        redactor = self.key_store.redactor()
        try:
            profiles = list(self.profiles().values())
        except ProfileProblem:
            profiles = []
        for profile in profiles:
            try:
                redactor.add(self.key_store.find(profile).key)
            except Exception:  # noqa: BLE001 - a keyring that fails here must not stop the report itself
                continue
        return redactor

    # ----- addresses the user approved for a key

    def key_hosts(self) -> list[ApprovedKeyHost]:
        """Every address the user approved for a key ("Always for this address"), in the order approved."""
        return [ApprovedKeyHost(key, host) for key, host in self.settings.key_hosts()]

    def forget_key_host(self, host: str) -> int:
        """Forget every approval of `host` ("HOST:PORT", or a URL); how many there were."""
        return self.settings.forget_key_host(allowed_host(host))

    # ----- testing a profile

    def test_profile(self, name: str, model: str | None = None) -> ProfileTest:
        """List the models, then make one tiny chat call; report latency or the plain reason it failed."""
        profile = self.profile(name)
        if is_echo(profile):
            return ProfileTest(
                profile, ProfileTestVerdict.OK, f"{profile.display_name} works offline.", ("echo",), "echo", 0.0
            )
        found = self.key_store.find(profile)
        if profile.needs_key and not found.key:
            where = f"the keyring or in {profile.api_key_env}" if profile.api_key_env else "the keyring"
            return ProfileTest(
                profile, ProfileTestVerdict.NO_KEY, f"There is no key for {profile.display_name} in {where}."
            )
        redact = self.key_store.redactor()
        client = openai_client(
            profile, found.key, blocking=True, timeout=profile.timeout or _TEST_TIMEOUT, http_client=self._http_client
        )
        with client:
            return _ProfileTester(profile, found, client, redact, self._clock).run(model)


class _ProfileTester:
    """One test of one profile; turns every way it can fail into a ProfileTestVerdict and a sentence."""

    def __init__(self, profile, found: FoundKey, client: openai.OpenAI, redact: Redactor, clock) -> None:
        self.profile = profile
        self.found = found
        self.client = client
        self.redact = redact
        self.clock = clock
        self.url = profile.base_url.rstrip("/")

    def run(self, model: str | None) -> ProfileTest:
        models, failure = self._list_models()
        if failure is not None:
            return failure
        model = model or self.profile.default_model or (models[0] if models else None)
        if not model:
            return self._result(
                ProfileTestVerdict.REFUSED,
                f"{self.url} lists no models and the profile names none: give one with --model.",
            )
        started = self.clock()
        try:
            raw = self.client.chat.completions.with_raw_response.create(
                model=model, messages=_TEST_PROMPT, max_tokens=16
            )
            body = raw.http_response.text
        except openai.APIError as error:
            return self._failure(error, models, model, where="/chat/completions")
        latency = self.clock() - started
        if not _looks_like_chat_completion(body):
            return self._result(
                ProfileTestVerdict.NOT_COMPATIBLE,
                f"{self.url}/chat/completions answered, but not like an OpenAI-compatible API.",
                models,
                model,
            )
        return self._result(
            ProfileTestVerdict.OK,
            f"{self.profile.display_name} answered with {model} in {figures.latency(latency * 1000)}.",
            models,
            model,
            latency,
        )

    def _list_models(self) -> tuple[tuple[str, ...], ProfileTest | None]:
        try:
            raw = self.client.models.with_raw_response.list()
            body = raw.http_response.text
        except openai.NotFoundError:
            return (), None  # some compatible servers have no /models; the chat call still tells
        except openai.APIError as error:
            return (), self._failure(error, (), None, where="/models")
        try:
            data = json.loads(body)["data"]
            return tuple(str(m["id"]) for m in data), None
        except (ValueError, KeyError, TypeError):
            return (), self._result(
                ProfileTestVerdict.NOT_COMPATIBLE,
                f"{self.url}/models answered, but not with an OpenAI-style list of models; "
                "is the base URL right (it usually ends in /v1)?",
            )

    def _failure(self, error: openai.APIError, models, model, where: str) -> ProfileTest:
        label = self.profile.display_name
        if isinstance(error, openai.APITimeoutError):
            seconds = self.profile.timeout or _TEST_TIMEOUT
            return self._result(
                ProfileTestVerdict.UNREACHABLE, f"{self.url} did not answer within {seconds:g} seconds."
            )
        if isinstance(error, openai.APIConnectionError):
            cause = error.__cause__ or error
            return self._result(ProfileTestVerdict.UNREACHABLE, f"Could not reach {self.url} ({cause}).")
        if isinstance(error, (openai.AuthenticationError, openai.PermissionDeniedError)):
            origin = f" (from {self.found.env_var})" if self.found.env_var and self.found.key else ""
            return self._result(
                ProfileTestVerdict.WRONG_KEY,
                f"The key for {label}{origin} was refused ({error.status_code}).",
                models,
                model,
            )
        if isinstance(error, openai.NotFoundError):
            if where == "/chat/completions" and not models:
                return self._result(
                    ProfileTestVerdict.NOT_COMPATIBLE,
                    f"{self.url} has no /chat/completions; is the base URL right (it usually ends in /v1)?",
                )
            return self._result(
                ProfileTestVerdict.REFUSED, f"{label} does not know the model {model!r} (404).", models, model
            )
        if isinstance(error, openai.APIStatusError):
            verdict = ProfileTestVerdict.SERVER_ERROR if error.status_code >= 500 else ProfileTestVerdict.REFUSED
            return self._result(
                verdict, f"{label} answered {where} with {error.status_code}: {_server_text(error)}", models, model
            )
        return self._result(
            ProfileTestVerdict.NOT_COMPATIBLE, f"{self.url}{where} answered in a way the client could not read."
        )

    def _result(self, verdict, message, models=(), model=None, latency=None) -> ProfileTest:
        return ProfileTest(self.profile, verdict, self.redact(message), tuple(models), model, latency)


def _server_text(error: openai.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        text = body["message"]
    else:
        text = error.response.text[:200] or error.response.reason_phrase
    text = " ".join(text.split())
    return text if text.endswith(".") else text + "."


def _looks_like_chat_completion(body: str) -> bool:
    try:
        data = json.loads(body)
        return isinstance(data["choices"][0]["message"], dict)
    except (ValueError, KeyError, IndexError, TypeError):
        return False
