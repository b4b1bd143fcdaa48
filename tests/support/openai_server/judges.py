"""The server as a pairwise judge (a select-best grader): its pick depends on the order of the answers in the prompt.

A select-best prompt lists the answers as `<Text index="0">…</Text>`, `<Text index="1">…</Text>`. The `judge` rule
says how the server picks: "first" (or "second") always names that position, whatever the texts say, as a judge
with position bias does; "prefers:WORD" names the first text holding WORD (else 0), a judge that reads the content.
"""

from __future__ import annotations

import re
from typing import Any

from .chat import last_user_text

_TEXT = re.compile(r'<Text index="(\d+)">\n(.*?)\n</Text>', re.S)
RULES = ("first", "second", "prefers:WORD")


def is_judge_prompt(body: dict[str, Any]) -> bool:
    return bool(_TEXT.search(last_user_text(body.get("messages") or [])))


def rule_problem(rule: Any) -> str | None:
    """A sentence saying what is wrong with a judge rule, or None."""
    if rule is None or rule in ("first", "second"):
        return None
    if isinstance(rule, str) and rule.startswith("prefers:") and len(rule) > len("prefers:"):
        return None
    return f"'judge' must be one of {', '.join(RULES)} (or null), got {rule!r}"


def judge_reply(body: dict[str, Any], rule: str) -> str:
    """The index picked under `rule`, on its own line, then a sentence saying why (as the prompt asks)."""
    texts = [text for _, text in _TEXT.findall(last_user_text(body.get("messages") or []))]
    if rule == "first":
        return "0\nThe first text fits best."
    if rule == "second":
        return "1\nThe second text fits best."
    word = rule.removeprefix("prefers:")
    pick = next((i for i, text in enumerate(texts) if word in text), 0)
    return f"{pick}\nIt is the text that says {word!r}."
