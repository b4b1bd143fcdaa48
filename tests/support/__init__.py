"""What many tests share: the OpenAI-compatible test server, keyring and network stand-ins, the repository's path."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
