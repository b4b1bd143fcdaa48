"""API keys: kept in the OS keyring and nowhere else, found there first, then in the profile's environment variable.

One keyring entry per provider profile: service "promptbench", username = the profile's name. When no keyring
backend works (a bare Linux box without a Secret Service), a key may be kept in this process's memory until it
ends; it is never written to a file, silently or otherwise.

The keyring backend is a constructor argument (default: the `keyring` library's own choice, `system_backend()`), so
tests hand in the fail backend, an in-memory backend, or a real Secret Service one.
"""

from __future__ import annotations

import enum
import functools
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from promptbench.core.experiment import ProviderProfile
from promptbench.core.redact import Redactor

SERVICE = "promptbench"

# The module of keyring's macOS backend that binds Apple's libraries (see system_backend).
_MACOS_KEYCHAIN_API = "keyring.backends.macOS.api"

NO_KEYRING = (
    "No system keyring is available. Install gnome-keyring (or KWallet) and log in again, "
    "or keep the key for this session only."
)

# A locked collection whose unlock prompt was dismissed, a Secret Service that vanished mid-call, a D-Bus socket
# that refuses us: to the user all of these mean the same thing, "the keyring does not work here".
BACKEND_FAILURES: tuple[type[BaseException], ...] = (keyring.errors.KeyringError, OSError)
try:
    import secretstorage.exceptions

    BACKEND_FAILURES += (secretstorage.exceptions.SecretStorageException,)
except ImportError:  # pragma: no cover - secretstorage only exists on Linux
    pass


class KeySource(enum.Enum):
    """Where the key of a profile comes from, in lookup order."""

    MEMORY = "memory"
    KEYRING = "keyring"
    ENVIRONMENT = "environment"
    NOT_NEEDED = "not needed"
    MISSING = "missing"


@dataclass(frozen=True)
class FoundKey:
    """The outcome of looking up a profile's key. `key` is None unless a key was found."""

    source: KeySource
    key: str | None = None
    env_var: str | None = None
    keyring_problem: str | None = None

    def describe(self) -> str:
        """Where the key comes from, in words; never the key itself."""
        if self.source is KeySource.ENVIRONMENT:
            return f"environment ({self.env_var})"
        if self.source is KeySource.MEMORY:
            return "memory (this session only)"
        return str(self.source.value)

    def __repr__(self) -> str:  # the dataclass repr would print the key into logs and tracebacks
        return f"FoundKey(source={self.source.value!r}, env_var={self.env_var!r})"


class KeyringUnavailable(Exception):
    """No keyring backend works here; the message is the plain sentence to show."""

    def __init__(self) -> None:
        super().__init__(NO_KEYRING)


def system_backend() -> KeyringBackend:
    """The keyring library's own choice of backend: PYTHON_KEYRING_BACKEND, else its config file, else the viable
    backend of highest priority.

    To choose, keyring imports every backend it knows. Its macOS one, on import, looks for Apple's libraries with
    ctypes.util.find_library, which off macOS starts ldconfig (and gcc and ld, where installed) once per library:
    about 45 ms of every run's start on Linux, before the first call. Off macOS that backend is never chosen (its
    priority says "macOS required" before it uses those libraries), so its library module is kept from loading
    there (None in sys.modules is Python's "do not import this"), and the choice is the same.
    """
    if sys.platform != "darwin":
        sys.modules.setdefault(_MACOS_KEYCHAIN_API, None)  # type: ignore[arg-type]
    return keyring.get_keyring()


class BadKey(ValueError):
    """The text given as a key cannot be one (empty, or spread over several lines)."""


class KeyStore:
    """Finds, stores and deletes the API key of each provider profile.

    Lookup order: a key kept in memory this session (only ever set when the keyring does not work), then the
    keyring, then the profile's environment variable.
    """

    def __init__(self, env: Mapping[str, str] | None = None, backend: KeyringBackend | None = None) -> None:
        self._env = os.environ if env is None else env
        self._given_backend = backend
        self._memory: dict[str, str] = {}
        self._known: set[str] = set()

    @functools.cached_property
    def _backend(self) -> KeyringBackend:
        # Finding the system's backend loads plug-ins and may talk to D-Bus: only when a key is first looked up,
        # so runs that need no key (Echo, local servers) start faster.
        return system_backend() if self._given_backend is None else self._given_backend

    # ----- reading

    def get(self, profile: ProviderProfile) -> str | None:
        """The key for `profile`, or None when there is none anywhere."""
        return self.find(profile).key

    def find(self, profile: ProviderProfile) -> FoundKey:
        """The key for `profile` and where it came from."""
        if profile.name in self._memory:
            return self._found(FoundKey(KeySource.MEMORY, self._memory[profile.name]))
        problem = None
        try:
            stored = self._backend.get_password(SERVICE, profile.name)
        except BACKEND_FAILURES:
            stored, problem = None, NO_KEYRING
        if stored:
            return self._found(FoundKey(KeySource.KEYRING, stored))
        if profile.api_key_env and self._env.get(profile.api_key_env):
            return self._found(
                FoundKey(KeySource.ENVIRONMENT, self._env[profile.api_key_env], profile.api_key_env, problem)
            )
        source = KeySource.MISSING if profile.needs_key else KeySource.NOT_NEEDED
        return FoundKey(source, None, profile.api_key_env, problem)

    def keyring_works(self) -> bool:
        """Whether the keyring answers at all (a lookup of an entry nobody made)."""
        try:
            self._backend.get_password(SERVICE, "promptbench-availability-check")
        except BACKEND_FAILURES:
            return False
        return True

    # ----- writing

    def set(self, profile_name: str, key: str) -> None:
        """Store `key` in the keyring for `profile_name`. Raises KeyringUnavailable when the keyring does not work."""
        key = _checked(key)
        try:
            self._backend.set_password(SERVICE, profile_name, key)
        except BACKEND_FAILURES as error:
            raise KeyringUnavailable() from _without_text(error)
        self._memory.pop(profile_name, None)
        self._known.add(key)

    def keep_in_memory(self, profile_name: str, key: str) -> None:
        """Keep `key` for `profile_name` until this process ends; the fallback when no keyring works."""
        key = _checked(key)
        self._memory[profile_name] = key
        self._known.add(key)

    def delete(self, profile_name: str) -> bool:
        """Forget the key of `profile_name` in the keyring and in memory; False when there was none to forget.

        Raises KeyringUnavailable when the keyring does not work and there was no key in memory either.
        """
        forgotten = self._memory.pop(profile_name, None) is not None
        try:
            self._backend.delete_password(SERVICE, profile_name)
        except keyring.errors.PasswordDeleteError:
            return forgotten
        except BACKEND_FAILURES as error:
            if forgotten:
                return True
            raise KeyringUnavailable() from _without_text(error)
        return True

    # ----- redaction

    def redactor(self) -> Redactor:
        """A Redactor that knows every key this store has handed out or been given."""
        return Redactor(self._known)

    def _found(self, found: FoundKey) -> FoundKey:
        if found.key:
            self._known.add(found.key)
        return found


def _checked(key: str) -> str:
    key = key.strip()
    if not key:
        raise BadKey("The key is empty.")
    if any(c in key for c in "\r\n"):
        raise BadKey("The key spans several lines; paste just the key.")
    return key


def _without_text(error: BaseException) -> Exception:
    # A backend's error text may quote what it was handed; keep only its type for the traceback chain.
    return RuntimeError(f"keyring backend failed: {type(error).__name__}")
