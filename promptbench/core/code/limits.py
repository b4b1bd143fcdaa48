"""How long and how big one piece of user code may run; promptfoo itself sets no limit (docs/checks.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeLimits:
    """Per call: a JavaScript check, transform or derived metric, and a Python check's whole process."""

    js_timeout_s: float = 5.0
    js_memory_mb: int = 128
    python_timeout_s: float = 30.0


DEFAULT_LIMITS = CodeLimits()
