"""KeyStore: keyring first, then the environment; a key kept in memory when no keyring works; never a file."""

from __future__ import annotations

import keyring.backends.fail
import pytest
from keyring.errors import KeyringLocked

from promptbench.core.experiment import ProviderProfile
from promptbench.core.redact import MASK
from promptbench.secrets import NO_KEYRING, SERVICE, BadKey, KeyringUnavailable, KeySource, KeyStore
from tests.support.stand_ins import PLANTED_KEY, MemoryKeyring

GROQ = ProviderProfile(name="groq", base_url="https://api.groq.com/openai/v1", api_key_env="GROQ_API_KEY")
LOCAL = ProviderProfile(name="ollama", base_url="http://localhost:11434/v1", needs_key=False)


class LockedKeyring(MemoryKeyring):
    """A keyring whose unlock prompt the user dismissed: every call fails the way keyring's SecretService does."""

    def get_password(self, service, username):
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service, username, password):
        raise KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service, username):
        raise KeyringLocked("Failed to unlock the collection!")


def test_a_stored_key_lands_in_the_keyring_under_the_profile_name(memory_keyring):
    store = KeyStore(env={}, backend=memory_keyring)
    store.set("groq", f"  {PLANTED_KEY}\n")
    assert memory_keyring.entries == {(SERVICE, "groq"): PLANTED_KEY}
    found = store.find(GROQ)
    assert (found.source, found.key) == (KeySource.KEYRING, PLANTED_KEY)
    assert store.get(GROQ) == PLANTED_KEY


def test_the_keyring_wins_over_the_environment(memory_keyring):
    store = KeyStore(env={"GROQ_API_KEY": "gsk-from-the-environment"}, backend=memory_keyring)
    assert store.find(GROQ).source is KeySource.ENVIRONMENT
    store.set("groq", PLANTED_KEY)
    assert store.get(GROQ) == PLANTED_KEY
    assert store.find(GROQ).source is KeySource.KEYRING


def test_the_environment_variable_is_the_fallback_and_is_named(memory_keyring):
    store = KeyStore(env={"GROQ_API_KEY": "gsk-from-the-environment"}, backend=memory_keyring)
    found = store.find(GROQ)
    assert found.key == "gsk-from-the-environment"
    assert found.describe() == "environment (GROQ_API_KEY)"


def test_no_key_anywhere_is_missing_unless_the_profile_needs_none(memory_keyring):
    store = KeyStore(env={}, backend=memory_keyring)
    assert store.find(GROQ).source is KeySource.MISSING
    assert store.get(GROQ) is None
    assert store.find(LOCAL).source is KeySource.NOT_NEEDED


def test_delete_forgets_the_key_and_the_environment_shows_through(memory_keyring):
    store = KeyStore(env={"GROQ_API_KEY": "gsk-from-the-environment"}, backend=memory_keyring)
    store.set("groq", PLANTED_KEY)
    assert store.delete("groq") is True
    assert memory_keyring.entries == {}
    assert store.delete("groq") is False
    assert store.get(GROQ) == "gsk-from-the-environment"


def test_the_fail_backend_gives_one_plain_sentence_on_set():
    store = KeyStore(env={}, backend=keyring.backends.fail.Keyring())
    with pytest.raises(KeyringUnavailable) as raised:
        store.set("groq", PLANTED_KEY)
    assert str(raised.value) == NO_KEYRING
    assert "gnome-keyring" in str(raised.value)
    assert store.keyring_works() is False
    assert store.get(GROQ) is None


def test_the_fail_backend_still_finds_the_environment_and_says_the_keyring_is_missing():
    store = KeyStore(env={"GROQ_API_KEY": "gsk-from-the-environment"}, backend=keyring.backends.fail.Keyring())
    found = store.find(GROQ)
    assert found.source is KeySource.ENVIRONMENT
    assert found.keyring_problem == NO_KEYRING


def test_a_key_kept_in_memory_works_when_no_keyring_does(tmp_path, isolated_home):
    store = KeyStore(env={}, backend=keyring.backends.fail.Keyring())
    store.keep_in_memory("groq", PLANTED_KEY)
    found = store.find(GROQ)
    assert (found.source, found.key) == (KeySource.MEMORY, PLANTED_KEY)
    assert found.describe() == "memory (this session only)"
    # kept in memory means no file anywhere holds it
    for path in isolated_home.rglob("*"):
        if path.is_file():
            assert PLANTED_KEY.encode() not in path.read_bytes(), path
    assert store.delete("groq") is True
    assert store.get(GROQ) is None


def test_deleting_with_a_broken_keyring_and_nothing_in_memory_says_so():
    store = KeyStore(env={}, backend=keyring.backends.fail.Keyring())
    with pytest.raises(KeyringUnavailable):
        store.delete("groq")


def test_a_locked_keyring_whose_prompt_was_dismissed_counts_as_unavailable():
    store = KeyStore(env={"GROQ_API_KEY": "gsk-from-the-environment"}, backend=LockedKeyring())
    with pytest.raises(KeyringUnavailable, match="No system keyring is available"):
        store.set("groq", PLANTED_KEY)
    assert store.get(GROQ) == "gsk-from-the-environment"


@pytest.mark.parametrize("text", ["", "   \n", "sk-one\nsk-two"])
def test_text_that_cannot_be_a_key_is_refused(memory_keyring, text):
    store = KeyStore(env={}, backend=memory_keyring)
    with pytest.raises(BadKey):
        store.set("groq", text)
    assert memory_keyring.entries == {}


def test_a_found_key_never_shows_the_key_in_its_repr(memory_keyring):
    store = KeyStore(env={}, backend=memory_keyring)
    store.set("groq", PLANTED_KEY)
    assert PLANTED_KEY not in repr(store.find(GROQ))
    assert PLANTED_KEY[:8] not in repr(store.find(GROQ))


def test_the_redactor_knows_every_key_the_store_handed_out(memory_keyring):
    odd_key = "plainkey0000with-no-known-shape"
    store = KeyStore(env={"GROQ_API_KEY": odd_key}, backend=memory_keyring)
    store.get(GROQ)
    assert store.redactor()(f"server said: bad key {odd_key}!") == f"server said: bad key {MASK}!"


def test_the_default_backend_is_the_one_keyring_chose():
    # conftest sets PYTHON_KEYRING_BACKEND to the fail backend, so the default must be exactly that
    store = KeyStore(env={})
    assert store.keyring_works() is False
