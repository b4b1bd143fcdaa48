"""The docs name only what exists: every module path, dotted module name, file and link in them is checked here,
and docs/architecture.md names every thread and process the code starts, so the docs cannot drift from the code."""

from __future__ import annotations

import functools
import importlib
import re
from pathlib import Path

import pytest

from tests.support import REPO

DOCS = sorted(
    [*(REPO / "docs").glob("*.md"), REPO / "README.md", REPO / "CONTRIBUTING.md", REPO / "packaging" / "README.md"]
)
ARCHITECTURE = REPO / "docs" / "architecture.md"
TOP_FOLDERS = ("promptbench", "tests", "resources", "packaging", "docs", "benchmarks", ".github", ".ci")

# A name not preceded by a word character, a dot, a slash or a dash: `promptbench.core` but not `io.github.promptbench`
# or `icons/promptbench.svg`.
_START = r"(?<![\w./-])"
DOTTED = re.compile(_START + r"promptbench(?:\.[A-Za-z_]\w*)+")
PATH = re.compile(_START + r"(?:" + "|".join(re.escape(f) for f in TOP_FOLDERS) + r")/[\w./-]*")
PY_FILE = re.compile(_START + r"[\w./-]*\w\.py\b")
LINK = re.compile(r"\]\(([^)\s]+)\)")
THREAD_NAME = re.compile(r"`(promptbench-[a-z-]+)")
# File names that look like dotted names: the bundle's and the packaging's files.
FILE_SUFFIXES = {"spec", "desktop", "svg", "png", "ico", "icns", "exe", "xml", "json", "db", "app"}
# Paths inside the built bundle, not the repository: the unpacked Linux bundle's program.
BUNDLE_PATHS = {"promptbench/promptbench"}


def _text(doc: Path) -> str:
    return doc.read_text(encoding="utf-8")


def _ids(docs):
    return [str(d.relative_to(REPO)) for d in docs]


@functools.cache
def _source_text() -> str:
    files = [*(REPO / "promptbench").rglob("*.py"), *(REPO / "resources").glob("*.json")]
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


@functools.cache
def _python_file_names() -> set[str]:
    return {f.name for folder in TOP_FOLDERS if (REPO / folder).is_dir() for f in (REPO / folder).rglob("*.py")}


def _is_quoted(text: str, start: int, end: int) -> bool:
    return text[start - 1 : start] == '"' and text[end : end + 1] == '"'


def _resolves(dotted: str) -> bool:
    """A module, or a module and attributes of it: `promptbench.storage.history.History.open`."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        name = ".".join(parts[:cut])
        try:
            thing = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name is not None and not name.startswith(error.name):
                raise  # the module exists but needs something missing: a real failure, not a wrong name
            continue
        for attribute in parts[cut:]:
            if not hasattr(thing, attribute):
                return False
            thing = getattr(thing, attribute)
        return True
    return False


def test_every_doc_is_found():
    assert ARCHITECTURE in DOCS and REPO / "CONTRIBUTING.md" in DOCS
    assert all(doc.exists() for doc in DOCS)


@pytest.mark.parametrize("doc", DOCS, ids=_ids(DOCS))
def test_dotted_module_names_exist(doc):
    text = _text(doc)
    missing = []
    for match in DOTTED.finditer(text):
        name = match.group()
        if name.rsplit(".", 1)[-1] in FILE_SUFFIXES:
            continue
        if _is_quoted(text, match.start(), match.end()):
            # "promptbench.experiment" in a JSON example is a format's identifier, which the code writes as a string.
            if f'"{name}"' not in _source_text():
                missing.append(f"{name} (a format identifier the code never writes)")
            continue
        if not _resolves(name):
            missing.append(name)
    assert not missing, f"{doc.name} names what does not exist: {sorted(set(missing))}"


@pytest.mark.parametrize("doc", DOCS, ids=_ids(DOCS))
def test_paths_exist(doc):
    text = _text(doc)
    missing = []
    for match in PATH.finditer(text):
        if text[match.end() : match.end() + 1] in ("$", "{", "*", "<"):
            continue  # a pattern, like promptbench-$size.png or formats/{testsets,promptfoo}
        path = match.group().rstrip(".")
        if path not in BUNDLE_PATHS and not (REPO / path).exists():
            missing.append(path)
    for match in PY_FILE.finditer(text):
        name = match.group()
        if "/" not in name:
            # A bare file name ("database.py", beside the folder it is in): it must be somewhere in the code.
            if name.count(".") == 1 and name not in _python_file_names():
                missing.append(name)
            continue
        if not any((place / name).is_file() for place in (REPO, REPO / "promptbench", doc.parent)):
            missing.append(name)
    assert not missing, f"{doc.name} names files that do not exist: {sorted(set(missing))}"


@pytest.mark.parametrize("doc", DOCS, ids=_ids(DOCS))
def test_relative_links_lead_somewhere(doc):
    broken = []
    for target in LINK.findall(_text(doc)):
        if "://" in target or target.startswith(("#", "mailto:")):
            continue
        if not (doc.parent / target.split("#", 1)[0]).exists():
            broken.append(target)
    assert not broken, f"{doc.name} links to nothing: {broken}"


def test_architecture_names_real_modules_and_many_of_them():
    """The checks above only mean something if the architecture page names the code; it does, by dozens."""
    text = _text(ARCHITECTURE)
    assert len(set(DOTTED.findall(text))) >= 30
    assert len(set(PATH.findall(text))) >= 30


def test_architecture_names_every_thread_and_process_the_code_starts():
    code = _source_text()
    started = set(re.findall(r'(?:name|thread_name_prefix)="(promptbench-[\w-]+)"', code))
    assert started >= {"promptbench-engine", "promptbench-bridge", "promptbench-worker", "promptbench-history-writer"}
    named = set(THREAD_NAME.findall(_text(ARCHITECTURE)))
    assert started <= named, f"docs/architecture.md does not name: {sorted(started - named)}"
    invented = {name.removesuffix("_0") for name in named} - started
    assert not invented, f"docs/architecture.md names threads the code does not start: {sorted(invented)}"


@pytest.mark.parametrize("doc", DOCS, ids=_ids(DOCS))
def test_no_doc_calls_the_engine_process_a_thread(doc):
    assert "engine thread" not in _text(doc).lower()
