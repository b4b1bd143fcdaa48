"""The experiment: variants, test cases, checks, run settings and provider profiles.

These are plain, immutable values. They know how to turn themselves into the dictionaries of the experiment
file and back (`to_dict` / `from_dict`), but reading and validating files is the job of
`promptbench.formats.experiment_file`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

FORMAT_NAME = "promptbench.experiment"
FORMAT_VERSION = 1

ROLES = ("system", "developer", "user", "assistant")


@dataclass(frozen=True)
class Message:
    """One chat message of a variant; `content` is a template with `{{variables}}`."""

    role: str
    content: str

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class Parameters:
    """The sampling parameters sent with every call of a variant; None means "the provider's default"."""

    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    seed: int | None = None
    json_mode: bool = False
    stop: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Parameters:
        return cls(
            temperature=data.get("temperature"),
            max_tokens=data.get("max_tokens"),
            top_p=data.get("top_p"),
            seed=data.get("seed"),
            json_mode=bool(data.get("json_mode", False)),
            stop=tuple(data.get("stop") or ()),
        )

    def request_fields(self) -> dict[str, Any]:
        """The fields these parameters add to a chat request's body: what the client sends, what the cache key
        holds (so keep the order), and what a promptfoo provider's config says."""
        body: dict[str, Any] = {}
        for name in ("temperature", "max_tokens", "top_p", "seed"):
            value = getattr(self, name)
            if value is not None:
                body[name] = value
        if self.stop:
            body["stop"] = list(self.stop)
        if self.json_mode:
            body["response_format"] = {"type": "json_object"}
        return body

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key in ("temperature", "max_tokens", "top_p", "seed"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.json_mode:
            data["json_mode"] = True
        if self.stop:
            data["stop"] = list(self.stop)
        return data


@dataclass(frozen=True)
class Variant:
    """A named prompt: which provider profile and model, with which parameters, saying which messages."""

    name: str
    model: str
    messages: tuple[Message, ...]
    provider: str = "openai"
    parameters: Parameters = field(default_factory=Parameters)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Variant:
        return cls(
            name=data["name"],
            model=data.get("model", ""),
            provider=data.get("provider", "openai"),
            parameters=Parameters.from_dict(data.get("parameters") or {}),
            messages=tuple(Message(m["role"], m["content"]) for m in data["messages"]),
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "provider": self.provider, "model": self.model}
        parameters = self.parameters.to_dict()
        if parameters:
            data["parameters"] = parameters
        data["messages"] = [m.to_dict() for m in self.messages]
        return data


@dataclass(frozen=True)
class Check:
    """A rule that scores an output. `type` uses promptfoo's names, `not-` prefix included.

    `value` is a template (or a list of templates) rendered with the case's variables; `threshold` means
    what it means for that type (see docs/checks.md); `weight` and `metric` feed the case's score.
    `provider` and `model` name the grader for model-graded checks. An `assert-set` check holds its own `checks`,
    scored together as one check (promptfoo's assert-set).
    """

    type: str
    value: Any = None
    threshold: float | None = None
    weight: float = 1.0
    metric: str | None = None
    provider: str | None = None
    model: str | None = None
    checks: tuple[Check, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Check:
        return cls(
            type=data["type"],
            value=data.get("value"),
            threshold=data.get("threshold"),
            weight=data.get("weight", 1.0),
            metric=data.get("metric"),
            provider=data.get("provider"),
            model=data.get("model"),
            checks=tuple(Check.from_dict(c) for c in data.get("checks") or ()),
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type}
        if self.value is not None:
            data["value"] = self.value
        if self.threshold is not None:
            data["threshold"] = self.threshold
        if self.weight != 1.0:
            data["weight"] = self.weight
        for key in ("metric", "provider", "model"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.checks:
            data["checks"] = [c.to_dict() for c in self.checks]
        return data


@dataclass(frozen=True)
class TestCase:
    """Values for the template variables, an optional expected output, and checks of its own."""

    __test__ = False  # not a pytest class, whatever its name says

    vars: dict[str, Any] = field(default_factory=dict)
    expected: str | None = None
    checks: tuple[Check, ...] = ()
    description: str = ""
    threshold: float | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestCase:
        return cls(
            vars=dict(data.get("vars") or {}),
            expected=data.get("expected"),
            checks=tuple(Check.from_dict(c) for c in data.get("checks") or ()),
            description=data.get("description", ""),
            threshold=data.get("threshold"),
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.description:
            data["description"] = self.description
        data["vars"] = dict(self.vars)
        if self.expected is not None:
            data["expected"] = self.expected
        if self.checks:
            data["checks"] = [c.to_dict() for c in self.checks]
        if self.threshold is not None:
            data["threshold"] = self.threshold
        return data


@dataclass(frozen=True)
class ProviderProfile:
    """Where calls go: a base URL and how to find the key. The key itself is never part of a profile.

    `api_key_env` names the environment variable read when the keyring has no key for this profile.
    `concurrency` and `timeout`, when set, override the run settings for calls to this profile.
    """

    name: str
    base_url: str
    api_key_env: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    concurrency: int | None = None
    timeout: float | None = None
    default_model: str | None = None
    needs_key: bool = True
    label: str | None = None
    # Whether the provider offers the OpenAI-style Batch API (files + batches); false for local servers and for
    # providers whose batch service speaks another format. A batch run to a profile that says false is refused.
    batch: bool = True

    @property
    def display_name(self) -> str:
        return self.label or self.name

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProviderProfile:
        return cls(
            name=data["name"],
            base_url=data["base_url"],
            api_key_env=data.get("api_key_env"),
            headers=dict(data.get("headers") or {}),
            concurrency=data.get("concurrency"),
            timeout=data.get("timeout"),
            default_model=data.get("default_model"),
            needs_key=data.get("needs_key", True),
            label=data.get("label"),
            batch=data.get("batch", True),
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "base_url": self.base_url}
        for key in ("api_key_env", "concurrency", "timeout", "default_model", "label"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.headers:
            data["headers"] = dict(self.headers)
        if not self.needs_key:
            data["needs_key"] = False
        if not self.batch:
            data["batch"] = False
        return data


@dataclass(frozen=True)
class RunSettings:
    """How a run is carried out. `retries` is the number of retries after the first try; 0 means never retry."""

    concurrency: int = 8
    timeout: float = 60.0
    retries: int = 4
    repeats: int = 1
    cache: bool = True
    stream: bool = False
    grader_max_tokens: int = 1024  # a verdict is a sentence and a JSON object; a small local model rambles on
    grader_timeout: float = 60.0  # seconds per grader call

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunSettings:
        defaults = cls()
        return cls(**{key: data.get(key, getattr(defaults, key)) for key in cls.__dataclass_fields__})

    def to_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self.__dataclass_fields__}


@dataclass(frozen=True)
class Experiment:
    """Variants + test set + checks + run settings, and the provider profiles the file declares itself."""

    name: str
    variants: tuple[Variant, ...]
    cases: tuple[TestCase, ...]
    default_checks: tuple[Check, ...] = ()
    settings: RunSettings = field(default_factory=RunSettings)
    providers: tuple[ProviderProfile, ...] = ()
    description: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Experiment:
        """Build from an experiment file's dictionary that has already passed the schema."""
        return cls(
            name=data.get("name", "Untitled experiment"),
            description=data.get("description", ""),
            variants=tuple(Variant.from_dict(v) for v in data["variants"]),
            cases=tuple(TestCase.from_dict(c) for c in data.get("cases") or ()),
            default_checks=tuple(Check.from_dict(c) for c in data.get("default_checks") or ()),
            settings=RunSettings.from_dict(data.get("settings") or {}),
            providers=tuple(ProviderProfile.from_dict(p) for p in data.get("providers") or ()),
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "name": self.name}
        if self.description:
            data["description"] = self.description
        if self.providers:
            data["providers"] = [p.to_dict() for p in self.providers]
        data["variants"] = [v.to_dict() for v in self.variants]
        data["cases"] = [c.to_dict() for c in self.cases]
        if self.default_checks:
            data["default_checks"] = [c.to_dict() for c in self.default_checks]
        data["settings"] = self.settings.to_dict()
        return data

    def with_settings(self, **changes: Any) -> Experiment:
        return replace(self, settings=replace(self.settings, **changes))

    def variant(self, name: str) -> Variant:
        for variant in self.variants:
            if variant.name == name:
                return variant
        raise KeyError(name)
