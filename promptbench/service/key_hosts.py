"""The address rule: a key goes only where its owner sent it.

A key is bound to the addresses its owner chose: the base URL of the profile in the user's settings, the official
address of a preset, an address the user's own environment names next to the key (`OPENAI_BASE_URL` beside
`OPENAI_API_KEY`, `FOO_BASE_URL` beside `FOO_API_KEY` or `FOO_KEY`), or an address the user approved (kept in the
settings file, never with the key). A file (an experiment, a promptfoo config) that would send a key anywhere else,
or read a key from an environment variable of its choosing, is stopped before any call until the user allows it:
once (`--allow-key-host`, the window's "Allow once") or always (stored approval).
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from promptbench.core.experiment import ProviderProfile
from promptbench.profiles import ProfileSettings, known_profiles, presets
from promptbench.secrets import FoundKey, KeySource, KeyStore

_WITH_PORT = re.compile(r"(\[[^\]]*\]|[^:\[\]]+):\d+")


def host_of(url: str) -> str:
    """ "HOST:PORT" of a base URL, the port filled in from the scheme when the URL gives none."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def allowed_host(text: str) -> str:
    """What the user typed after --allow-key-host (HOST, HOST:PORT or a whole URL), as this module compares it:
    "HOST:PORT", or just "HOST" for any port of that host."""
    text = text.strip()
    if "://" in text:
        return host_of(text)
    name, sep, port = text.rpartition(":")
    if sep and port.isdigit() and not name.endswith(":"):
        return f"{name.lower()}:{int(port)}"
    return text.lower().strip("/")


def host_matches(allowed: str, host: str) -> bool:
    """Whether an allowed "HOST[:PORT]" covers `host` ("HOST:PORT"); a bare HOST covers all its ports."""
    if allowed == host:
        return True
    return not _WITH_PORT.fullmatch(allowed) and host.rpartition(":")[0] == allowed


def key_identity(profile: ProviderProfile, found: FoundKey) -> str:
    """Which key this is, as approvals name it: "env:VARIABLE" for one read from the environment, else
    "profile:NAME" (the profile's entry in the keyring, or the key kept in memory for this session)."""
    if found.source is KeySource.ENVIRONMENT and found.env_var:
        return f"env:{found.env_var}"
    return f"profile:{profile.name}"


def base_url_variables(key_variable: str) -> list[str]:
    """The environment variables that name where the key in `key_variable` goes (OPENAI_BASE_URL for
    OPENAI_API_KEY)."""
    names = []
    for suffix in ("_API_KEY", "_KEY"):
        if key_variable.endswith(suffix) and len(key_variable) > len(suffix):
            names.append(key_variable[: -len(suffix)] + "_BASE_URL")
    return names


@dataclass(frozen=True)
class KeyDestination:
    """A key this run would send to an address its owner has not chosen."""

    key: str  # key_identity's form
    key_words: str  # "your OpenAI key", "the key in the AWS_SECRET_ACCESS_KEY environment variable"
    base_url: str
    host: str
    where: str  # who would send it: "Variant 'Short'", "Check 1 for all cases (llm-rubric)"

    def sentence(self) -> str:
        return (
            f"{self.where} would send {self.key_words} to {self.base_url}, an address you have not approved for "
            f"it; if you trust that address, allow it with --allow-key-host {self.host} (in the window: Allow)."
        )


class KeyBinding:
    """Where each key may go, for one run: built from the user's settings, the presets and the environment only,
    never from the file being run."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        settings: ProfileSettings | None = None,
        allow_once: Iterable[str] = (),
    ) -> None:
        self.env = os.environ if env is None else env
        self._settings = ProfileSettings(env=self.env) if settings is None else settings
        self.trusted = known_profiles((), env=self.env, settings=self._settings)
        self._presets = presets()
        self._approved = self._settings.key_hosts()
        self._once = [allowed_host(h) for h in allow_once if h.strip()]

    def hosts_for(self, key: str) -> set[str]:
        """Every "HOST:PORT" the owner bound `key` to (approvals aside)."""
        kind, _, name = key.partition(":")
        urls: list[str] = []
        if kind == "profile":
            urls += [p.base_url for p in (self.trusted.get(name), self._presets.get(name)) if p is not None]
        else:
            for profile in (*self.trusted.values(), *self._presets.values()):
                if profile.api_key_env == name:
                    urls.append(profile.base_url)
            urls += [self.env[v] for v in base_url_variables(name) if self.env.get(v)]
        return {host_of(url) for url in urls if "{" not in url}

    def allows(self, key: str, base_url: str) -> bool:
        host = host_of(base_url)
        if host in self.hosts_for(key) or (key, host) in self._approved:
            return True
        return any(host_matches(allowed, host) for allowed in self._once)

    def words(self, key: str) -> str:
        kind, _, name = key.partition(":")
        if kind == "env":
            owner = next((p for p in self.trusted.values() if p.api_key_env == name), None)
            if owner is not None:
                return f"your {owner.display_name} key (from {name})"
            return f"the key in the {name} environment variable"
        profile = self.trusted.get(name)
        return f"your {profile.display_name if profile is not None else name} key"

    def destination(self, key: str, profile: ProviderProfile, where: str) -> KeyDestination:
        return KeyDestination(key, self.words(key), profile.base_url, host_of(profile.base_url), where)


@dataclass
class BoundKeys:
    """The keys a run may send, by profile name, and what stops it: keys missing, keys bound elsewhere."""

    keys: dict[str, str | None]
    missing: list[str]
    destinations: list[KeyDestination]


def bind_keys(used: Mapping[str, tuple[ProviderProfile, str]], store: KeyStore, binding: KeyBinding) -> BoundKeys:
    """Find the key of each used profile (`used`: name -> (profile, who uses it, in words)) and keep it only
    when the profile's address is one its owner bound it to. A profile that needs no key still gets the key its
    environment variable holds when its address is bound to that key (a local proxy at OPENAI_BASE_URL that
    checks keys), and nothing otherwise."""
    bound = BoundKeys({}, [], [])
    for name in sorted(used):
        profile, where = used[name]
        bound.keys[name] = None
        if not profile.needs_key:
            variable = profile.api_key_env
            key = f"env:{variable}"
            if variable and binding.env.get(variable) and binding.allows(key, profile.base_url):
                bound.keys[name] = binding.env[variable]
            continue
        found = store.find(profile)
        if not found.key:
            variable = f" or the {profile.api_key_env} environment variable" if profile.api_key_env else ""
            bound.missing.append(
                f"{where} cannot run: there is no key for {profile.display_name}; set it with "
                f"`promptbench keys set {name}`{variable}."
            )
            continue
        key = key_identity(profile, found)
        if binding.allows(key, profile.base_url):
            bound.keys[name] = found.key
        else:
            bound.destinations.append(binding.destination(key, profile, where))
    return bound


def approve(settings: ProfileSettings, destinations: Collection[KeyDestination]) -> None:
    """Remember each destination for good ("Always for this address")."""
    for destination in destinations:
        settings.approve_key_host(destination.key, destination.host)
