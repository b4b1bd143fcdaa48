"""Every check type in plain words, in one place (outside promptbench.core.checks, so the window can name checks
without loading the check handlers and their libraries): a short name, the words that lead into its value ("Must
mention…", "Must not say…", "An AI grader judges with this rubric:…", "Similar in meaning to…") and a one-line
explanation. The checks dialog, the test set's Checks column, the detail pane and the HTML report all take their
words from here; files keep the promptfoo identifier (`type`), which the window shows beside the name in grey.
docs/checks.md lists the same names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from promptbench.core.experiment import Check


@dataclass(frozen=True)
class CheckWords:
    """A check type for people: `name` ("Mentions"), `lead` ("Must mention", followed by the value) and one
    sentence of `explanation`."""

    name: str
    lead: str
    explanation: str


_ANY = "capitals do not matter"
_SAME = "with the same capitals"

# base type -> (plain form, not- form), each as (name, lead, explanation).
_WORDS: dict[str, tuple[tuple[str, str, str], tuple[str, str, str]]] = {
    "equals": (
        ("Equals", "Must be exactly", "The whole answer must be exactly this text (or this JSON, for a JSON value)."),
        ("Does not equal", "Must not be exactly", "The whole answer must be anything but exactly this text."),
    ),
    "contains": (
        ("Mentions", "Must mention", f"The answer must contain this text, {_SAME}."),
        ("Does not mention", "Must not say", f"The answer must not contain this text, {_SAME}."),
    ),
    "icontains": (
        ("Mentions (any capitals)", "Must mention", f"The answer must contain this text; {_ANY}."),
        ("Does not mention (any capitals)", "Must not say", f"The answer must not contain this text; {_ANY}."),
    ),
    "contains-any": (
        ("Mentions one of", "Must mention one of", f"The answer must contain at least one of these texts, {_SAME}."),
        ("Mentions none of", "Must not say any of", f"The answer must contain none of these texts, {_SAME}."),
    ),
    "icontains-any": (
        (
            "Mentions one of (any capitals)",
            "Must mention one of",
            f"The answer must contain at least one of these texts; {_ANY}.",
        ),
        (
            "Mentions none of (any capitals)",
            "Must not say any of",
            f"The answer must contain none of these texts; {_ANY}.",
        ),
    ),
    "contains-all": (
        ("Mentions all of", "Must mention all of", f"The answer must contain every one of these texts, {_SAME}."),
        (
            "Leaves out one of",
            "Must leave out one of",
            f"At least one of these texts must be missing from the answer, {_SAME}.",
        ),
    ),
    "icontains-all": (
        (
            "Mentions all of (any capitals)",
            "Must mention all of",
            f"The answer must contain every one of these texts; {_ANY}.",
        ),
        (
            "Leaves out one of (any capitals)",
            "Must leave out one of",
            f"At least one of these texts must be missing from the answer; {_ANY}.",
        ),
    ),
    "starts-with": (
        ("Starts with", "Must start with", "The answer must begin with exactly this text."),
        ("Does not start with", "Must not start with", "The answer must not begin with this text."),
    ),
    "regex": (
        (
            "Matches a pattern",
            "Must match the pattern",
            "Some part of the answer must match this regular expression (JavaScript syntax).",
        ),
        (
            "Does not match a pattern",
            "Must not match the pattern",
            "No part of the answer may match this regular expression (JavaScript syntax).",
        ),
    ),
    "is-json": (
        ("Is JSON", "Must be JSON", "The whole answer must be valid JSON (fitting the schema, when one is given)."),
        ("Is not JSON", "Must not be JSON", "The answer must not be valid JSON (or not fit the schema given)."),
    ),
    "contains-json": (
        (
            "Contains JSON",
            "Must contain JSON",
            "The answer must contain a JSON object somewhere (one fitting the schema, when one is given).",
        ),
        (
            "Contains no JSON",
            "Must not contain JSON",
            "The answer must contain no JSON object (none fitting the schema, when one is given).",
        ),
    ),
    "word-count": (
        (
            "Word count",
            "Must have this many words:",
            "The answer must have exactly this many words (or between min and max).",
        ),
        (
            "Word count outside",
            "Must not have this many words:",
            "The answer must not have this many words (or must fall outside min to max).",
        ),
    ),
    "levenshtein": (
        (
            "Spelled close to",
            "Must be a few edits from",
            "The answer must be at most the threshold (5 unless set) character edits away from this text.",
        ),
        (
            "Spelled close to (as levenshtein)",
            "Must be a few edits from",
            "The same as levenshtein, since promptfoo ignores not- here: at most the threshold (5 unless set) edits away.",
        ),
    ),
    "rouge-n": (
        (
            "Shares words with",
            "Must share most words with",
            "The answer must contain most of this reference's words (ROUGE-N at least the threshold, 0.75 unless set).",
        ),
        (
            "Shares few words with",
            "Must share few words with",
            "The answer must contain few of this reference's words (ROUGE-N below the threshold, 0.75 unless set).",
        ),
    ),
    "bleu": (
        (
            "Worded like",
            "Must be worded like",
            "The answer must be worded close to this reference (BLEU at least the threshold, 0.5 unless set).",
        ),
        (
            "Worded unlike",
            "Must be worded unlike",
            "The answer must be worded unlike this reference (BLEU below the threshold, 0.5 unless set).",
        ),
    ),
    "latency": (
        ("Answers quickly", "Must answer within", "The call must take at most the threshold, in milliseconds."),
        ("Answers slowly", "Must take longer than", "The call must take more than the threshold, in milliseconds."),
    ),
    "cost": (
        ("Costs at most", "Must cost at most", "The call must cost at most the threshold, in US dollars."),
        ("Costs more than", "Must cost more than", "The call must cost more than the threshold, in US dollars."),
    ),
    "assert-set": (
        (
            "All of a group",
            "A group of checks scored together:",
            "The checks inside score together, like a case's checks (with the group's own threshold), and the "
            "group counts as one check with its weight.",
        ),
        ("All of a group", "A group of checks scored together:", "An assert-set cannot be turned around."),
    ),
    "llm-rubric": (
        (
            "AI grader",
            "An AI grader judges with this rubric:",
            "A grader model reads the answer and judges whether this rubric is true of it.",
        ),
        (
            "AI grader, rubric not met",
            "An AI grader must find this rubric not met:",
            "A grader model reads the answer; it passes when the rubric is not true of it.",
        ),
    ),
    "select-best": (
        (
            "Best of the variants",
            "An AI grader picks the best answer by:",
            "A grader model compares the variants' answers to the case two at a time, in both orders, and selects "
            "the one that best fits these criteria.",
        ),
        ("Best of the variants", "An AI grader picks the best answer by:", "A select-best cannot be turned around."),
    ),
    "javascript": (
        (
            "JavaScript check",
            "This JavaScript decides:",
            "Your JavaScript code gets the answer and returns true or false, a score, or {pass, score, reason}.",
        ),
        (
            "JavaScript check, reversed",
            "This JavaScript must not pass:",
            "Your JavaScript code gets the answer; the check passes when the code says it fails.",
        ),
    ),
    "python": (
        (
            "Python check",
            "This Python code decides:",
            "Your Python code gets the answer and returns True or False, a score, or {pass, score, reason}.",
        ),
        (
            "Python check, reversed",
            "This Python code must not pass:",
            "Your Python code gets the answer; the check passes when the code says it fails.",
        ),
    ),
    "similar": (
        (
            "Similar in meaning",
            "Similar in meaning to",
            "The answer must mean about the same as this text (embeddings' cosine similarity at least the threshold, 0.75 unless set).",
        ),
        (
            "Different in meaning",
            "Different in meaning from",
            "The answer must mean something else than this text (embeddings' cosine similarity at most the threshold, 0.75 unless set).",
        ),
    ),
    "similar:cosine": (
        (
            "Similar in meaning (cosine)",
            "Similar in meaning to",
            "The answer must mean about the same as this text (embeddings' cosine similarity at least the threshold).",
        ),
        (
            "Different in meaning (cosine)",
            "Different in meaning from",
            "The answer must mean something else than this text (embeddings' cosine similarity at most the threshold).",
        ),
    ),
    "similar:dot": (
        (
            "Similar in meaning (dot product)",
            "Similar in meaning to",
            "The answer must mean about the same as this text (embeddings' dot product at least the threshold).",
        ),
        (
            "Different in meaning (dot product)",
            "Different in meaning from",
            "The answer must mean something else than this text (embeddings' dot product at most the threshold).",
        ),
    ),
    "similar:euclidean": (
        (
            "Close in meaning (distance)",
            "Close in meaning to",
            "The answer must mean about the same as this text (embeddings' distance at most the threshold).",
        ),
        (
            "Far in meaning (distance)",
            "Far in meaning from",
            "The answer must mean something else than this text (embeddings' distance above the threshold).",
        ),
    ),
}


def check_words(check_type: str) -> CheckWords:
    """The words for a type; a type PromptBench does not know is named by its identifier."""
    inverse = check_type.startswith("not-")
    base = check_type.removeprefix("not-")
    if base not in _WORDS:
        return CheckWords(check_type, check_type, f"'{check_type}' is not a check type PromptBench knows.")
    return CheckWords(*_WORDS[base][1 if inverse else 0])


def check_name(check_type: str) -> str:
    return check_words(check_type).name


def check_phrase(check: Check) -> str:
    """One check as a sentence fragment with its value: 'Must mention "refund"', 'Must answer within 500 ms'."""
    base = check.type.removeprefix("not-")
    words = check_words(check.type)
    parts = [words.lead]
    value = value_text(check.value)
    if value:
        parts.append(value)
    if _is_number(check.threshold):
        threshold = f"{check.threshold:g}"
        if base == "latency":
            parts.append(f"{threshold} ms")
        elif base == "cost":
            parts.append(f"${threshold}")
        else:
            parts.append(f"(threshold {threshold})")
    return " ".join(parts)


def value_text(value: Any) -> str:
    """A check's value as people read it: quoted text, a list of quoted texts, JSON for an object."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list | tuple) and all(isinstance(v, str) or _is_number(v) for v in value):
        return ", ".join(f'"{v}"' for v in value)
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
