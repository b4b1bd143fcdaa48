"""Removing API keys from any text before it is shown, logged or stored.

Known keys are replaced wherever they appear; anything shaped like a common key format is masked too, because
a server may quote a key we were never told about (OpenAI's 401 body quotes a masked form of the one sent).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "[key hidden]"

_KEY_SHAPES = re.compile(
    r"(?:sk|pk|rk|gsk|xai|sk-or|sk-ant)-[A-Za-z0-9_\-*\u2026]{8,}"  # OpenAI, Groq, OpenRouter, Anthropic styles
    r"|(?i:bearer)\s+[A-Za-z0-9._\-~+/]{8,}=*"
    r"|AIza[0-9A-Za-z_\-]{20,}"  # Google
)


class Redactor:
    """Masks the given secrets, and anything that looks like an API key, in text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 4 and secret not in self._secrets:
            self._secrets = sorted([*self._secrets, secret], key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return _KEY_SHAPES.sub(MASK, text)
