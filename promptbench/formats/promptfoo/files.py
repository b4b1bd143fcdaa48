"""The files a promptfoo config points at: YAML read safely, and `file://` references resolved beside the config.

YAML is read as promptfoo reads it (js-yaml, YAML 1.2 core schema): only `true`/`false` are booleans, so
`body: Yes`, `on` and `No` stay text; `014` is fourteen, `1_000` and `12:30` are text; a key written twice is an
error. YAML comes from other people, so it is read with `yaml.safe_load`'s loader, with aliases bounded, in number and in
what they expand to (81 nested aliases can describe a document of gigabytes: the size each node would have once
its aliases are copied out is added up as it is read, and the file refused past MAX_EXPANDED), and every value made
plain JSON data as promptfoo
(JavaScript) holds it: dates become ISO text, keys become text, whole floats become integers.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

import yaml

from promptbench.formats.errors import FileProblem
from promptbench.formats.reading import decode_text, read_bytes

MAX_CONFIG_BYTES = 5 * 1024 * 1024
MAX_ALIASES = 200
MAX_EXPANDED = 20_000_000  # characters and nodes of the document with every alias copied out

CODE_SUFFIXES = (".js", ".cjs", ".mjs", ".ts", ".py", ".rb")


class YamlProblem(ValueError):
    """YAML that cannot be read; the message is one sentence with a line number where there is one."""


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with the YAML 1.2 core schema's plain scalars instead of YAML 1.1's."""

    yaml_implicit_resolvers: dict[Any, Any] = {}

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key '{key_node.value}' is written twice", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: Any) -> int:
        text = str(self.construct_scalar(node))
        if text[:2] in ("0o", "0x"):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text, 10)  # 014 is fourteen in YAML 1.2, not twelve


_Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _Yaml12Loader.construct_yaml_int)
for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("merge", r"^(?:<<)$", "<"),
    (
        "timestamp",
        r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
        r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9]"
        r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$",
        "0123456789",
    ),
):
    _Yaml12Loader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first))


class _BoundedLoader(_Yaml12Loader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        # id(node) -> (node, its size with aliases copied out); the node is kept so that its id is not reused.
        self._sizes: dict[int, tuple[Any, int]] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise YamlProblem(f"more than {MAX_ALIASES} YAML aliases; this does not look like a config")
        node = super().compose_node(parent, index)
        if node is not None and id(node) not in self._sizes:
            size = self._expanded_size(node)
            if size > MAX_EXPANDED:
                line = node.start_mark.line + 1 if node.start_mark is not None else None
                where = f"line {line}: " if line else ""
                raise YamlProblem(
                    f"{where}the YAML's aliases expand to more than {MAX_EXPANDED:,} characters; "
                    "this does not look like a config"
                )
            self._sizes[id(node)] = (node, size)
        return node

    def _expanded_size(self, node: Any) -> int:
        if isinstance(node, yaml.ScalarNode):
            return 1 + len(node.value)
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        else:  # a mapping: its keys and values
            children = [part for pair in node.value for part in pair]
        return 1 + sum(self._sizes[id(child)][1] if id(child) in self._sizes else 1 for child in children)


def parse_yaml(text: str) -> Any:
    """Plain data from YAML text, or YamlProblem."""
    loader = None
    try:
        loader = _BoundedLoader(text)  # the reader already refuses control characters here
        return plain(loader.get_single_data())
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise YamlProblem(f"{where}not valid YAML ({error.problem or error.context})") from None
    except yaml.reader.ReaderError as error:
        raise YamlProblem(f"character {error.position + 1}: not valid YAML ({error.reason})") from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"not valid YAML ({error})") from None
    except RecursionError:
        raise YamlProblem("the YAML is nested too deeply to read") from None
    finally:
        if loader is not None:
            loader.dispose()


def yaml_lines(text: str) -> dict[str, int]:
    """The line (from 1) of every place in a YAML document, by the names problems use: `providers[1].id`.

    Only called for a document parse_yaml has read, so it cannot fail on the YAML; anything odd gives no lines."""
    loader = _BoundedLoader(text)
    lines: dict[str, int] = {}
    try:
        root = loader.get_single_node()
    except (yaml.YAMLError, YamlProblem, RecursionError):
        return lines
    finally:
        loader.dispose()
    stack: list[tuple[Any, str, int]] = [(root, "", 0)]
    while stack:
        node, where, depth = stack.pop()
        if node is None or depth > 200 or len(lines) > 200_000:
            continue
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    place = f"{where}.{key_node.value}" if where else key_node.value
                    lines.setdefault(place, key_node.start_mark.line + 1)
                    stack.append((value_node, place, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                place = f"{where}[{index}]"
                lines.setdefault(place, item.start_mark.line + 1)
                stack.append((item, place, depth + 1))
    return lines


def plain(value: Any, depth: int = 0) -> Any:
    """The same data as JSON would hold it."""
    if depth > 200:
        raise YamlProblem("the data is nested too deeply to read")
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [plain(v, depth + 1) for v in items]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None  # JSON has no NaN or infinity
        if value.is_integer() and abs(value) < 1e21:
            # JavaScript has one number type: promptfoo renders `1.0` from YAML as "1", and so must we.
            return int(value)
    return value


def file_path(reference: str, base_dir: Path) -> Path:
    """`file://x/y.txt` resolved beside the config, as promptfoo does."""
    name = reference[len("file://") :] if reference.startswith("file://") else reference
    path = Path(name).expanduser()
    return path if path.is_absolute() else base_dir / path


def read_text_file(path: Path, limit: int = MAX_CONFIG_BYTES) -> str:
    if "\x00" in str(path):  # the operating system refuses such a name with a bare ValueError
        raise FileProblem(str(path).replace("\x00", "\\0"), ["a file name cannot hold a NUL character (\\0)."])
    return decode_text(read_bytes(path, limit=limit), path)


def load_value_file(reference: str, base_dir: Path) -> Any:
    """The value a `file://` reference stands for: JSON and YAML parsed, other files as text.

    Raises ValueError with one sentence; scripts (.js, .py, ...) are refused because promptfoo would run them.
    """
    path = file_path(reference, base_dir)
    if path.suffix.lower() in CODE_SUFFIXES or ".py:" in reference or ".js:" in reference:
        raise ValueError(f"'{reference}' is a script, and PromptBench does not run scripts from configs")
    try:
        text = read_text_file(path)
    except FileProblem as problem:
        raise ValueError(f"'{reference}': {' '.join(problem.problems)}") from None
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            return plain(json.loads(text))
        except (ValueError, RecursionError) as error:
            raise ValueError(f"'{reference}' is not valid JSON ({error})") from None
    if suffix in (".yaml", ".yml"):
        try:
            return parse_yaml(text)
        except YamlProblem as error:
            raise ValueError(f"'{reference}': {error}") from None
    return text
