"""Shared pieces for the key and provider tests: an in-memory keyring backend and services built on it."""

from __future__ import annotations

import pytest

from promptbench.profiles import ProfileSettings
from promptbench.secrets import KeyStore
from promptbench.service.providers import ProviderService
from tests.support.stand_ins import MemoryKeyring


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def service(memory_keyring) -> ProviderService:
    """A ProviderService on the in-memory keyring, an empty environment and the test's own settings file."""
    return ProviderService(key_store=KeyStore(env={}, backend=memory_keyring), settings=ProfileSettings(), env={})
