"""Provider profiles known to this installation: the built-in ones, the presets, and the user's own.

The user's profiles live in a settings file (`providers.json`) in the user config directory, never with keys:
keys belong to the keyring (promptbench.secrets). PROMPTBENCH_HOME, when set, moves the config directory to
PROMPTBENCH_HOME/config, which is what tests do.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from promptbench.core.experiment import ProviderProfile
from promptbench.core.paths import settings_folder
from promptbench.core.providers import ECHO, openai_profile
from promptbench.core.providers import default_query as default_query  # where callers have always found it

SETTINGS_FORMAT = "promptbench.providers"
SETTINGS_VERSION = 1
SETTINGS_FILE = "providers.json"

# Headers that carry credentials; a key put there would end up in the settings file, so they are refused.
_KEY_HEADERS = frozenset({"authorization", "api-key", "x-api-key", "proxy-authorization"})


class ProfileProblem(ValueError):
    """A profile, preset or settings file that cannot be used; the message is one sentence naming where and why."""


@dataclass(frozen=True)
class Profile(ProviderProfile):
    """A provider profile as the settings file holds it: the core's ProviderProfile plus query parameters sent
    with every call (Azure's classic endpoints want `api-version` there, not in a header)."""

    default_query: dict[str, str] = field(default_factory=dict)
    preset: str | None = None  # the preset it was made from, shown beside the user's name for it

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        base = ProviderProfile.from_dict(data)
        preset = data.get("preset")
        return cls(
            **base.__dict__,
            default_query=dict(data.get("default_query") or {}),
            preset=preset if isinstance(preset, str) else None,
        )

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        if self.default_query:
            data["default_query"] = dict(self.default_query)
        if self.preset:
            data["preset"] = self.preset
        return data

    @property
    def preset_label(self) -> str | None:
        """The preset's label, as secondary text beside the user's name ("My lab", "vLLM (local)")."""
        preset = presets().get(self.preset or "")
        return preset.display_name if preset is not None and preset.display_name != self.display_name else None


# ----- presets


def presets() -> dict[str, Profile]:
    """The shipped presets (resources/providers.json), by name, in the file's order."""
    text = resources.files("promptbench.resources").joinpath("providers.json").read_text(encoding="utf-8")
    return {p["name"]: Profile.from_dict(p) for p in json.loads(text)["presets"]}


def needs_own_base_url(profile: ProviderProfile) -> bool:
    """Whether the base URL still holds a placeholder such as Azure's `{resource}`."""
    return "{" in profile.base_url


def profile_from_preset(
    preset_name: str,
    *,
    name: str | None = None,
    base_url: str | None = None,
    default_model: str | None = None,
    headers: Mapping[str, str] | None = None,
    query: Mapping[str, str] | None = None,
    concurrency: int | None = None,
    timeout: float | None = None,
) -> Profile:
    """A new profile made from a preset, with the user's changes."""
    available = presets()
    if preset_name not in available:
        raise ProfileProblem(f"There is no preset named {preset_name!r}; the presets are: {', '.join(available)}.")
    preset = available[preset_name]
    name = (name or preset.name).strip()
    profile = replace(
        preset,
        name=name,
        # The user's own name is what every list and error shows; the preset's label is secondary text.
        label=preset.label if name == preset.name else None,
        preset=preset.name,
        base_url=(base_url or preset.base_url).rstrip("/"),
        default_model=default_model or preset.default_model,
        headers={**preset.headers, **(headers or {})},
        default_query={**preset.default_query, **(query or {})},
        concurrency=concurrency if concurrency is not None else preset.concurrency,
        timeout=timeout if timeout is not None else preset.timeout,
    )
    if needs_own_base_url(profile):
        raise ProfileProblem(
            f"The {preset.display_name} preset needs your own base URL, like {preset.base_url}: give it in Base URL (on the command line, --base-url)."
        )
    validate(profile)
    return profile


def validate(profile: ProviderProfile) -> None:
    """Raise ProfileProblem when `profile` could not be used or would put a key where keys never go."""
    where = f"Profile {profile.name!r}"
    if (
        not profile.name.strip()
        or profile.name != profile.name.strip()
        or not all(c.isalnum() or c in "-_. " for c in profile.name)
    ):
        raise ProfileProblem(f"{where}: a profile name uses only letters, digits, spaces, '-', '_' and '.'.")
    if not profile.base_url.startswith(("http://", "https://")):
        raise ProfileProblem(f"{where}: the base URL must start with http:// or https://, not {profile.base_url!r}.")
    for header in profile.headers:
        if header.lower() in _KEY_HEADERS:
            raise ProfileProblem(
                f"{where}: the {header} header would hold a key; keys go in the keyring (promptbench keys set)."
            )
    if profile.concurrency is not None and (not isinstance(profile.concurrency, int) or profile.concurrency < 1):
        raise ProfileProblem(f"{where}: concurrency must be a whole number of at least 1.")
    if profile.timeout is not None and (not isinstance(profile.timeout, (int, float)) or profile.timeout <= 0):
        raise ProfileProblem(f"{where}: the timeout must be a number of seconds above 0.")


# ----- the settings file


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where settings live: PROMPTBENCH_HOME/config when that is set, else the platform's user config directory."""
    return settings_folder(env)


class ProfileSettings:
    """The user's own provider profiles, in `providers.json` in the config directory."""

    def __init__(self, path: Path | None = None, env: Mapping[str, str] | None = None) -> None:
        self.path = path if path is not None else config_dir(env) / SETTINGS_FILE

    def _document(self) -> dict[str, Any]:
        """The whole file as JSON data; an empty document when the file does not exist yet."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"format": SETTINGS_FORMAT, "version": SETTINGS_VERSION, "profiles": []}
        except OSError as error:
            raise ProfileProblem(f"{self.path}: cannot be read ({error.strerror}).") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ProfileProblem(f"{self.path}: not valid JSON at line {error.lineno} ({error.msg}).") from None
        if not isinstance(data, dict) or data.get("format") != SETTINGS_FORMAT:
            raise ProfileProblem(f"{self.path}: not a PromptBench provider settings file.")
        if data.get("version", 0) > SETTINGS_VERSION:
            raise ProfileProblem(f"{self.path}: written by a newer PromptBench (version {data['version']}).")
        return data

    def load(self) -> list[Profile]:
        """The saved profiles; none when the file does not exist yet."""
        data = self._document()
        profiles = []
        for index, entry in enumerate(data.get("profiles") or []):
            try:
                profile = Profile.from_dict(entry)
            except KeyError:
                raise ProfileProblem(f"{self.path}: profile number {index + 1} lacks a name or a base URL.") from None
            except (TypeError, ValueError, AttributeError):
                raise ProfileProblem(
                    f"{self.path}: profile number {index + 1} is not a set of profile fields."
                ) from None
            try:
                validate(profile)
            except ProfileProblem as problem:
                raise ProfileProblem(f"{self.path}: {problem}") from None
            profiles.append(profile)
        return profiles

    def save(self, profiles: Iterable[Profile]) -> None:
        """Replace the file's profiles; written to a temporary file first so a crash never leaves half a file."""
        profiles = list(profiles)
        for profile in profiles:
            validate(profile)
        self._write({**self._document(), "profiles": [p.to_dict() for p in profiles]})

    def _write(self, data: dict[str, Any]) -> None:
        data = {**data, "format": SETTINGS_FORMAT, "version": SETTINGS_VERSION}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".providers-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump(data, file, indent=2)
                file.write("\n")
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def add(self, profile: Profile, taken: Iterable[str] = ()) -> None:
        """Save one more profile; its name must be new among the saved ones and `taken` (the built-ins)."""
        validate(profile)
        saved = self.load()
        if profile.name in {p.name for p in saved} | set(taken):
            raise ProfileProblem(f"A profile named {profile.name!r} already exists; choose another name with --name.")
        self.save([*saved, profile])

    def remove(self, name: str) -> bool:
        """Forget a saved profile; False when there was none by that name."""
        saved = self.load()
        kept = [p for p in saved if p.name != name]
        if len(kept) == len(saved):
            return False
        self.save(kept)
        return True

    def update(self, name: str, profile: Profile) -> None:
        """Put `profile` in the place of the saved profile `name` (an edit keeps the profile's place in lists)."""
        validate(profile)
        saved = self.load()
        if name not in {p.name for p in saved}:
            raise ProfileProblem(f"There is no saved profile named {name!r}.")
        if profile.name != name and profile.name in {p.name for p in saved}:
            raise ProfileProblem(f"A profile named {profile.name!r} already exists; choose another name.")
        self.save([profile if p.name == name else p for p in saved])

    # ----- addresses the user approved for a key (never the key itself)

    def key_hosts(self) -> list[tuple[str, str]]:
        """The (key, host) pairs the user approved: `key` is "profile:NAME" (its key in the keyring) or
        "env:VARIABLE" (the key in that environment variable), `host` is "HOST:PORT"."""
        entries = self._document().get("key_hosts") or []
        return [
            (entry["key"], entry["host"])
            for entry in entries
            if isinstance(entry, dict) and isinstance(entry.get("key"), str) and isinstance(entry.get("host"), str)
        ]

    def approve_key_host(self, key: str, host: str) -> None:
        """Remember that `key` may go to `host` from now on."""
        data = self._document()
        entries = [e for e in data.get("key_hosts") or [] if e != {"key": key, "host": host}]
        self._write({**data, "key_hosts": [*entries, {"key": key, "host": host}]})

    def forget_key_host(self, host: str) -> int:
        """Forget every approval for `host`; how many there were."""
        data = self._document()
        entries = data.get("key_hosts") or []
        kept = [e for e in entries if not (isinstance(e, dict) and e.get("host") == host)]
        if len(kept) != len(entries):
            self._write({**data, "key_hosts": kept})
        return len(entries) - len(kept)


# ----- every profile a run may name


def builtin_profiles(env: Mapping[str, str] | None = None) -> dict[str, ProviderProfile]:
    env = os.environ if env is None else env
    return {p.name: p for p in (openai_profile(env), ECHO)}


def known_profiles(
    declared: Iterable[ProviderProfile] = (),
    env: Mapping[str, str] | None = None,
    settings: ProfileSettings | None = None,
) -> dict[str, ProviderProfile]:
    """Every profile a run may name, by name: the presets that need no address of your own, the built-ins, the
    user's saved profiles, then the profiles an experiment file declares (a later one wins over an earlier one of
    the same name, so a saved `groq` replaces the preset)."""
    env = os.environ if env is None else env
    settings = ProfileSettings(env=env) if settings is None else settings
    profiles: dict[str, ProviderProfile] = {p.name: p for p in presets().values() if not needs_own_base_url(p)}
    profiles.update(builtin_profiles(env))
    profiles.update({p.name: p for p in settings.load()})
    profiles.update({p.name: p for p in declared})
    return profiles
