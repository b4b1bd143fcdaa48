"""The structural part of a diff of two JSON answers, as the detail pane and the case view show it: each field
added, removed or changed on a line of its own, by path (`$.items[2].price: 3 → 4`), marked like the word diff
(struck out for what only the other has, underlined for what only this answer has), so it reads without colour.

The diff itself is promptbench.core.json_diff; this module only turns it into HTML and a summary line.
"""

from __future__ import annotations

import html

from promptbench.core.json_diff import JsonChange, diff_texts, json_check_failure, summary_line
from promptbench.core.result import Result
from promptbench.ui.theme import Colours

MAX_LINES = 200  # a diff of more fields than this lists the first ones and says how many are left


def fields_html(changes: list[JsonChange], palette: Colours) -> str:
    if not changes:
        return ""
    lines = []
    for change in changes[:MAX_LINES]:
        text = html.escape(change.describe())
        if change.kind == "removed":
            line = f"<s style='background-color:{palette.deleted_bg}; color:{palette.deleted_fg}'>{text}</s>"
        elif change.kind == "added":
            line = f"<u style='background-color:{palette.inserted_bg}; color:{palette.inserted_fg}'>{text}</u>"
        else:
            line = f"<b>{text}</b>"
        lines.append(line)
    if len(changes) > MAX_LINES:
        lines.append(html.escape(f"… and {len(changes) - MAX_LINES} more fields."))
    return "<pre style='white-space: pre-wrap'>" + "\n".join(lines) + "</pre><hr>"


def badge_html(reason: str, palette: Colours) -> str:
    """The badge of an answer that fails its JSON check (is-json, contains-json: its schema), with the reason."""
    return (
        f"<span style='background-color:{palette.failed}; color:white'><b>&nbsp;JSON CHECK FAILS&nbsp;</b></span> "
        f"{html.escape(reason)}"
    )


def json_badge(result: Result, palette: Colours) -> str:
    """'' or a line break and the badge, for a verdict line."""
    reason = json_check_failure(result)
    return "" if reason is None else "<br>" + badge_html(reason, palette)


def structural(other: str, output: str, palette: Colours, label: str) -> tuple[str, str] | None:
    """(HTML of the fields that differ, the summary line) when both texts are JSON; None when either is not."""
    changes = diff_texts(other, output)
    if changes is None:
        return None
    return fields_html(changes, palette), f"Against {label}, field by field: {summary_line(changes)}"
