"""The Penn Treebank word tokenizer of js-rouge, which promptfoo's rouge-n check splits text with.

Ported rule for rule from js-rouge's `treeBankTokenize` (newest), because ROUGE scores depend on exactly
where punctuation splits off: "output." is two tokens, "U.S." one, "can't" is "ca" and "n't".
"""

from __future__ import annotations

import re
import unicodedata

from .values import JS_SPACE_CLASS, js_trim

_SPACES = re.compile(f"[{JS_SPACE_CLASS}]+")
_QUOTES = re.compile("``|''|\"")
_OPENING_CONTEXT = re.compile(f"[{JS_SPACE_CLASS}(\\[{{<]")
_STEPS = [
    (re.compile(r"\.{3}"), " ... "),
    (re.compile(r"[:,](?![0-9])"), r" \g<0> "),
    (re.compile(r"[;@#$%&]"), r" \g<0> "),
    # A final period splits off, unless it ends an acronym like "U.S.".
    (re.compile(f"([^.])(?<!\\b[A-Za-z]\\.[A-Za-z])(\\.)([\\])}}>'{JS_SPACE_CLASS}]*)$", re.ASCII), r"\1 \2\3 "),
    (re.compile(r"[?!]"), r" \g<0> "),
    (re.compile(r"[\][(){}<>]"), r" \g<0> "),
    (re.compile(r"--"), " -- "),
]
_APOSTROPHES = [
    (re.compile(r"([^'])' "), r"\1 ' "),
    (re.compile(r"'([sSmMdD]) "), r" '\1 "),
    (re.compile(r"('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) "), r" \1 "),
]
# js-rouge's regexes have no `g` flag, so each replaces only its first match.
_CONTRACTIONS = [
    re.compile(pattern, re.IGNORECASE | re.ASCII)
    for pattern in (
        r"\b(can)(not)\b",
        r"\b(d)('ye)\b",
        r"\b(gim)(me)\b",
        r"\b(gon)(na)\b",
        r"\b(got)(ta)\b",
        r"\b(lem)(me)\b",
        r"\b(more)('n)\b",
        r"\b(wan)(na) ",
        r" ('t)(is)\b",
        r" ('t)(was)\b",
    )
]


def tokenize(text: str) -> list[str]:
    text = _SPACES.sub(" ", js_trim(text))
    if not text:
        return []
    parse = _classify_quotes(text)
    for pattern, replacement in _STEPS:
        parse = pattern.sub(replacement, parse)
    parse = f" {parse} "
    for pattern, replacement in _APOSTROPHES:
        parse = pattern.sub(replacement, parse)
    for pattern in _CONTRACTIONS:
        parse = pattern.sub(r" \1 \2 ", parse, count=1)
    parse = re.sub(" {2,}", " ", parse)
    parse = re.sub("^ | $", "", parse)
    return parse.split(" ")


def _classify_quotes(text: str) -> str:
    """Mark each double quote as opening (``) or closing ('') before punctuation gets spaced out."""
    inside = False
    pieces: list[str] = []
    last = 0
    for match in _QUOTES.finditer(text):
        quote, index = match.group(), match.start()
        opens = not inside and (index == 0 or _OPENING_CONTEXT.match(text[index - 1]) is not None)
        if quote == "``":
            inside = True
        else:
            following = _QUOTES.search(text, index + 2)
            inside = opens and (
                quote == '"'
                or (
                    index > 0
                    and _is_letter_or_number(text[index + 2 : index + 3])
                    and following is not None
                    and following.group() == "''"
                )
            )
        pieces.append(text[last:index])
        pieces.append(" `` " if inside else " '' ")
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def _is_letter_or_number(char: str) -> bool:
    return len(char) == 1 and unicodedata.category(char)[0] in "LN"
