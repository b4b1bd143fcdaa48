"""Reading the bytes of a file someone handed us: bounded in size, decoded as the text it claims to be.

Every reader of test sets and promptfoo configs goes through here, so a missing file, a folder, a file too large
to be a test set, or text in the wrong encoding all read as the same plain sentences.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from pathlib import Path

from promptbench.formats.errors import FileProblem

_PARENT = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")  # the last part of a place: `.id` or `[3]`

# A test set or config larger than this is almost certainly the wrong file; refusing it keeps memory bounded.
MAX_FILE_BYTES = 50 * 1024 * 1024


class Problems:
    """Collects the sentences of every problem found in one file, so the user sees them all at once."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self.sentences: list[str] = []

    def add(self, where: str, sentence: str) -> None:
        text = f"{where}: {sentence}" if where else sentence
        if not text.endswith("."):
            text += "."
        if text not in self.sentences:
            self.sentences.append(text)

    def locate(self, lines: Mapping[str, int], file_name: str) -> None:
        """Add `(file:line)` to each sentence whose place (`providers[1].id: ...`) the file has a line for; a
        place inside a value (`tests[0].assert[1].value[2]`) takes the line of the nearest part that has one."""
        located = []
        for text in self.sentences:
            place = text.split(": ", 1)[0] if ": " in text else ""
            line = None
            while place and line is None:
                line = lines.get(place)
                place = _PARENT.sub("", place) if _PARENT.search(place) else ""
            located.append(f"{text[:-1]} ({file_name}:{line})." if line is not None else text)
        self.sentences = located

    def __bool__(self) -> bool:
        return bool(self.sentences)

    def raise_if_any(self) -> None:
        if self.sentences:
            raise FileProblem(self.path, self.sentences)


def check_size(path: Path, *, limit: int = MAX_FILE_BYTES) -> None:
    """The same sentences as `read_bytes`, for readers that hand the path to a library instead."""
    try:
        if path.is_dir():
            raise FileProblem(str(path), ["this is a folder, not a file."])
        size = path.stat().st_size
    except FileNotFoundError:
        raise FileProblem(str(path), ["there is no such file."]) from None
    except OSError as error:
        raise FileProblem(str(path), [f"the file cannot be read ({error.strerror or error})."]) from None
    if size > limit:
        raise FileProblem(str(path), [f"the file is {size // 2**20} MB; files over {limit // 2**20} MB are not read."])


def read_bytes(path: Path, *, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, or a FileProblem saying in one sentence why they cannot be had."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise FileProblem(str(path), ["this is a folder, not a file."])
        if size > limit:
            raise FileProblem(
                str(path), [f"the file is {size // 2**20} MB; files over {limit // 2**20} MB are not read."]
            )
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise FileProblem(str(path), ["there is no such file."]) from None
    except PermissionError:
        raise FileProblem(str(path), ["the file cannot be read (permission denied)."]) from None
    except OSError as error:
        raise FileProblem(str(path), [f"the file cannot be read ({error.strerror or error})."]) from None
    if len(data) > limit:  # it grew while we read it
        raise FileProblem(str(path), [f"the file is larger than {limit // 2**20} MB."])
    return data


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 with or without a BOM, or UTF-16 with a BOM (what spreadsheets call "Unicode text").

    Anything else is refused with the line of the first bad byte rather than guessed: a wrong guess would change
    accented letters silently, and every file that comes in is someone's work.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start : error.start + 1].hex()
        if encoding == "utf-16":
            sentence = "the file starts as UTF-16 text but is not valid UTF-16"
        else:
            sentence = (
                f"byte 0x{byte} is not UTF-8 text; save the file as UTF-8 "
                "(in a spreadsheet: 'CSV UTF-8') and open it again"
            )
        raise FileProblem(str(path), [f"line {line}: {sentence}."]) from None
