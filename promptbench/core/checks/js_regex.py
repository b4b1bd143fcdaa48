"""JavaScript regular expressions (promptfoo's `new RegExp(value)`, no flags) translated to Python's `re`.

No library does this translation, so it is written here. It keeps JavaScript's meaning where the two
dialects differ: `\\d`, `\\w` and `\\b` are ASCII-only (compiled with re.ASCII), `\\s` is JavaScript's
Unicode space set, `.` stops at every line terminator, `$` matches only at the very end, `[^]` matches
anything and `[]` nothing, a back-reference to a group that has not matched matches the empty string,
`{,5}` is literal text, and Annex B's lenient escapes (`\\a` is "a", `\\8` is "8", `\\12` is octal) apply.
Known gaps: without the `u` flag JavaScript matches UTF-16 code units, so `.` matches half of an emoji
there and a whole one here; a look-behind of varying length cannot be translated and says so.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .values import JS_SPACE_CLASS

_QUANTIFIER = re.compile(r"\{(\d+)(,(\d*))?\}")
_HEX2 = re.compile(r"[0-9A-Fa-f]{2}")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
_GROUP_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")
_LINE_TERMINATORS = "[^\\n\\r\\u2028\\u2029]"
_SPACE = f"[{JS_SPACE_CLASS}]"
_NON_SPACE = f"[^{JS_SPACE_CLASS}]"


class InvalidRegex(ValueError):
    """The pattern is not a valid JavaScript regular expression; the message is JavaScript's style."""


class UntranslatableRegex(ValueError):
    """A valid JavaScript pattern that Python's `re` cannot express."""


@lru_cache(maxsize=2048)
def compile_js_regex(source: str) -> re.Pattern[str]:
    """Compile a JavaScript pattern for `pattern.search(text)`, JavaScript's `regex.test(text)`."""
    translated = _Translator(source).translate()
    try:
        return re.compile(translated, re.ASCII)
    except re.error as error:
        if "look-behind" in error.msg:
            raise UntranslatableRegex(
                f"The pattern /{source}/ uses a look-behind of varying length, which Python cannot match."
            ) from None
        if "open group" in error.msg:
            raise UntranslatableRegex(
                f"The pattern /{source}/ refers back to a group from inside it, which Python cannot match."
            ) from None
        raise InvalidRegex(f"Invalid regular expression: /{source}/: {error.msg}") from None


class _Translator:
    def __init__(self, source: str) -> None:
        self.source = source
        self.group_count, self.group_names = self._scan_groups()

    def fail(self, message: str) -> InvalidRegex:
        return InvalidRegex(f"Invalid regular expression: /{self.source}/: {message}")

    def _scan_groups(self) -> tuple[int, dict[str, str]]:
        """Count capturing groups and name them first, since a back-reference may come before its group."""
        src, count, names, i = self.source, 0, {}, 0
        in_class = False
        while i < len(src):
            char = src[i]
            if char == "\\":
                i += 2
                continue
            if in_class:
                in_class = char != "]"
            elif char == "[":
                in_class = True
                if src.startswith("^]", i + 1) or src.startswith("]", i + 1):
                    i += 2 if src[i + 1] == "]" else 3
                    in_class = False
                    continue
            elif char == "(":
                if not src.startswith("?", i + 1):
                    count += 1
                elif src.startswith("?<", i + 1) and src[i + 3 : i + 4] not in ("=", "!"):
                    count += 1
                    end = src.find(">", i + 3)
                    name = src[i + 3 : end] if end > 0 else ""
                    if not _GROUP_NAME.match(name):
                        raise self.fail("Invalid capture group name")
                    if name in names:
                        raise UntranslatableRegex(f"The pattern /{src}/ uses the group name {name!r} twice.")
                    names[name] = f"g{count}"
            i += 1
        return count, names

    def translate(self) -> str:
        src, out = self.source, []
        i, depth, can_repeat = 0, 0, False
        while i < len(src):
            char = src[i]
            if char == "\\":
                piece, i, can_repeat = self._atom_escape(i)
                out.append(piece)
            elif char == "[":
                piece, i = self._character_class(i)
                out.append(piece)
                can_repeat = True
            elif char == "(":
                piece, i = self._group_open(i)
                out.append(piece)
                depth += 1
                can_repeat = False
            elif char == ")":
                if depth == 0:
                    raise self.fail("Unmatched ')'")
                depth -= 1
                out.append(")")
                i += 1
                can_repeat = True
            elif char in "*+?" or (char == "{" and _QUANTIFIER.match(src, i)):
                if not can_repeat:
                    raise self.fail("Nothing to repeat")
                match = _QUANTIFIER.match(src, i)
                if match:
                    low, high = int(match.group(1)), match.group(3)
                    if high and int(high) < low:
                        raise self.fail("numbers out of order in {} quantifier")
                    out.append(match.group())
                    i = match.end()
                else:
                    out.append(char)
                    i += 1
                if src.startswith("?", i):
                    out.append("?")
                    i += 1
                can_repeat = False  # keeps Python from reading `a*+` as a possessive quantifier
            else:
                out.append(self._plain(char))
                can_repeat = char not in "^$|"
                i += 1
        if depth:
            raise self.fail("Unterminated group")
        return "".join(out)

    @staticmethod
    def _plain(char: str) -> str:
        if char == ".":
            return _LINE_TERMINATORS
        if char == "$":
            return r"\Z"  # Python's `$` would also match before a final newline
        if char in "^|":
            return char
        return re.escape(char)

    def _group_open(self, i: int) -> tuple[str, int]:
        src = self.source
        for opener in ("(?:", "(?=", "(?!", "(?<=", "(?<!"):
            if src.startswith(opener, i):
                return opener, i + len(opener)
        if src.startswith("(?<", i):
            end = src.find(">", i)
            return f"(?P<{self.group_names[src[i + 3 : end]]}>", end + 1
        if src.startswith("(?", i):
            raise self.fail("Invalid group")
        return "(", i + 1

    def _atom_escape(self, i: int) -> tuple[str, int, bool]:
        """An escape outside a class: (Python text, next index, whether a quantifier may follow)."""
        src = self.source
        if i + 1 >= len(src):
            raise self.fail("\\ at end of pattern")
        char = src[i + 1]
        if char in "dDwW":
            return "\\" + char, i + 2, True
        if char in "bB":
            return "\\" + char, i + 2, False
        if char == "s":
            return _SPACE, i + 2, True
        if char == "S":
            return _NON_SPACE, i + 2, True
        if char == "k" and self.group_names:
            end = src.find(">", i)
            name = src[i + 3 : end] if src.startswith("<", i + 2) and end > 0 else None
            if name not in self.group_names:
                raise self.fail("Invalid named capture referenced")
            python_name = self.group_names[name]
            return f"(?({python_name})(?P={python_name}))", end + 1, True
        if char in "123456789":
            digits = _leading(r"\d+", src[i + 1 :])
            if int(digits) <= self.group_count:
                # JavaScript matches the empty string when the group has not matched; Python would fail.
                return f"(?({digits})\\{digits})", i + 1 + len(digits), True
        code, next_i = self._character_escape(i)
        return _literal(code), next_i, True

    def _character_escape(self, i: int) -> tuple[int, int]:
        """An escape that stands for one character: (its code point, next index)."""
        src = self.source
        char = src[i + 1]
        simple = {"f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09, "v": 0x0B}
        if char in simple:
            return simple[char], i + 2
        if char in "01234567":
            octal = _leading(r"[0-7]{1,3}", src[i + 1 :])
            if int(octal, 8) > 0o377:
                octal = octal[:2]
            return int(octal, 8), i + 1 + len(octal)
        if char == "c" and i + 2 < len(src) and src[i + 2].isascii() and src[i + 2].isalpha():
            return ord(src[i + 2]) % 32, i + 3
        if char == "c":
            return ord("\\"), i + 1  # Annex B: a lone `\c` is a backslash, then "c" as text
        if char == "x" and _HEX2.match(src, i + 2):
            return int(src[i + 2 : i + 4], 16), i + 4
        if char == "u" and _HEX4.match(src, i + 2):
            code = int(src[i + 2 : i + 6], 16)
            # Two escaped surrogate halves are one character in a Python string.
            if 0xD800 <= code <= 0xDBFF and src.startswith("\\u", i + 6) and _HEX4.match(src, i + 8):
                low = int(src[i + 8 : i + 12], 16)
                if 0xDC00 <= low <= 0xDFFF:
                    return 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00), i + 12
            return code, i + 6
        return ord(char), i + 2  # an identity escape: `\/`, `\.`, and in Annex B `\a`, `\u{`, `\8`

    def _character_class(self, i: int) -> tuple[str, int]:
        src = self.source
        i += 1
        negate = src.startswith("^", i)
        i += negate
        if src.startswith("]", i):
            return ("[\\s\\S]" if negate else "(?!)"), i + 1
        parts: list[str] = []
        non_space = False
        while True:
            if i >= len(src):
                raise self.fail("Unterminated character class")
            if src[i] == "]":
                i += 1
                break
            low, text, i = self._class_atom(i)
            if text == "S":
                non_space = True
                text = ""
            if src.startswith("-", i) and i + 1 < len(src) and src[i + 1] != "]":
                high, high_text, after = self._class_atom(i + 1)
                if low is not None and high is not None:
                    if high < low:
                        raise self.fail("Range out of order in character class")
                    parts.append(f"{_literal(low)}-{_literal(high)}")
                    i = after
                    continue
                # Annex B: a range with a class escape at either end is the two ends and a literal "-".
                parts.append(text if low is None else _literal(low))
                parts.append("\\-")
                if high_text == "S":
                    non_space = True
                else:
                    parts.append(high_text if high is None else _literal(high))
                i = after
                continue
            parts.append(text if low is None else _literal(low))
        body = "".join(parts)
        if not non_space:
            return f"[{'^' if negate else ''}{body}]", i
        if not negate:
            return (f"(?:[{body}]|{_NON_SPACE})" if body else _NON_SPACE), i
        return (f"(?![{body}]){_SPACE}" if body else _SPACE), i

    def _class_atom(self, i: int) -> tuple[int | None, str, int]:
        """One member of a class: (code point or None for a class escape, Python text, next index)."""
        src = self.source
        if src[i] != "\\":
            return ord(src[i]), "", i + 1
        if i + 1 >= len(src):
            raise self.fail("\\ at end of pattern")
        char = src[i + 1]
        if char in "dDwW":
            return None, "\\" + char, i + 2
        if char == "s":
            return None, JS_SPACE_CLASS, i + 2
        if char == "S":
            return None, "S", i + 2
        if char == "b":
            return 0x08, "", i + 2
        if char == "-":
            return ord("-"), "", i + 2
        if char in "89":
            return ord(char), "", i + 2
        code, next_i = self._character_escape(i)
        return code, "", next_i


def _leading(pattern: str, text: str) -> str:
    """The run of `pattern` that `text` starts with; callers have seen its first character already."""
    match = re.match(pattern, text)
    assert match is not None, (pattern, text)
    return match.group()


def _literal(code: int) -> str:
    return re.escape(chr(code))
