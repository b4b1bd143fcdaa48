"""A planted key never shows: not in anything the key and provider commands print, not in any file they write.

The errors are real ones: a 401 from the test server, an unreachable host, and a server whose error text quotes
the key it was sent. The main planted key has no known key shape, so only the known-key redaction can catch it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from promptbench.core.redact import MASK
from promptbench.profiles import ProfileSettings, profile_from_preset
from promptbench.service.providers import ProfileTestVerdict
from tests.support import REPO
from tests.support.openai_server import OpenAIServer
from tests.support.stand_ins import PLANTED_KEY, closed_port, tattle_site

SHAPELESS_KEY = "planted0key0with0no0known0shape0Zx81"  # nothing like sk-...: only the known-key redaction hides it


def _files_holding(root: Path, secret: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def test_a_server_quoting_the_key_is_redacted_in_the_message(service):
    with tattle_site() as site:
        service.add_profile("openai", name="tattle", base_url=site.base_url)
        for key in (PLANTED_KEY, SHAPELESS_KEY):
            service.set_key("tattle", key)
            result = service.test_profile("tattle")
            assert result.verdict is ProfileTestVerdict.REFUSED
            assert result.message.startswith("tattle answered /chat/completions with 400: Bad request from ")
            assert key not in result.message and key[:12] not in result.message
            assert MASK in result.message
        assert site.headers[-1]["authorization"] == f"Bearer {SHAPELESS_KEY}"  # the key really went out


def test_nothing_printed_or_written_by_the_commands_holds_the_key(tmp_path, isolated_home):
    env = {
        **os.environ,
        "OPENAI_API_KEY": SHAPELESS_KEY,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    printed: list[str] = []

    def promptbench(*args: str, stdin: str | None = None) -> int:
        done = subprocess.run(
            [sys.executable, "-m", "promptbench.cli.keys", *args],
            cwd=REPO, env=env, input=stdin, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        printed.append(done.stdout + done.stderr)
        return done.returncode

    with OpenAIServer(api_key="sk-the-only-right-key-0000000") as server, tattle_site() as site:
        # the profiles are saved in-process (the commands' own tests cover `providers add`); it saves time
        settings = ProfileSettings()
        settings.add(profile_from_preset("openai", name="refusing", base_url=server.base_url))
        settings.add(profile_from_preset("openai", name="tattle", base_url=site.base_url))
        settings.add(profile_from_preset("openai", name="gone", base_url=f"http://127.0.0.1:{closed_port()}/v1"))
        assert promptbench("providers", "test", "refusing") == 3
        assert "The key for refusing (from OPENAI_API_KEY) was refused (401)." in printed[-1]
        assert promptbench("providers", "test", "gone") == 3
        assert "Could not reach" in printed[-1]
        assert promptbench("providers", "test", "tattle") == 3
        assert MASK in printed[-1]
        assert promptbench("keys", "set", "refusing", stdin=SHAPELESS_KEY) == 1  # no keyring here
        assert promptbench("keys", "list") == 0
        assert promptbench("providers", "list") == 0
        assert server.requests[0].headers["authorization"] == f"Bearer {SHAPELESS_KEY}"

    everything = "\n".join(printed)
    assert SHAPELESS_KEY not in everything and SHAPELESS_KEY[:12] not in everything
    assert _files_holding(isolated_home, SHAPELESS_KEY) == []
    assert _files_holding(tmp_path, SHAPELESS_KEY) == []
    assert (isolated_home / "promptbench" / "config" / "providers.json").is_file()  # it did write, and cleanly
