"""The experiment file: a versioned JSON document (docs/experiment-format.md), checked against its JSON Schema
(a quick yes or no by promptbench.formats.schema_subset; jsonschema words what is wrong in a file that fails).

Reading gives an `Experiment` or a `FileProblem` with one sentence per problem and its location; writing is
atomic, so a crash or a full disk never leaves half a file where the user's work was.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promptbench.core.experiment import FORMAT_NAME, FORMAT_VERSION, Experiment
from promptbench.formats.errors import FileProblem
from promptbench.formats.schema_subset import conforms

if TYPE_CHECKING:
    import jsonschema

MAX_FILE_BYTES = 50 * 1024 * 1024


@lru_cache(maxsize=1)
def experiment_schema() -> dict[str, Any]:
    text = resources.files("promptbench.resources").joinpath("experiment.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def load_experiment(path: Path) -> Experiment:
    """Read and validate an experiment file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise FileProblem(str(path), [f"the file is larger than {MAX_FILE_BYTES // 2**20} MB."])
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FileProblem(str(path), ["there is no such file."]) from None
    except IsADirectoryError:
        raise FileProblem(str(path), ["this is a folder, not an experiment file."]) from None
    except PermissionError:
        raise FileProblem(str(path), ["the file cannot be read (permission denied)."]) from None
    except UnicodeDecodeError as error:
        raise FileProblem(str(path), [f"byte {error.start}: the file is not UTF-8 text."]) from None
    return experiment_from_json(text, str(path))


def experiment_from_json(text: str, where: str = "experiment") -> Experiment:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileProblem(
            where, [f"line {error.lineno}, column {error.colno}: not valid JSON ({error.msg})."]
        ) from None
    return experiment_from_dict(data, where)


def experiment_from_dict(data: Any, where: str = "experiment") -> Experiment:
    if not isinstance(data, dict):
        raise FileProblem(where, ["the file holds JSON, but not an experiment (expected an object at the top)."])
    if data.get("format") != FORMAT_NAME:
        raise FileProblem(
            where, [f'format: this is not a PromptBench experiment (expected "format": "{FORMAT_NAME}").']
        )
    version = data.get("version")
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise FileProblem(
            where,
            [
                f"version: the file was written by a newer PromptBench (format version {version}); "
                f"this version reads version {FORMAT_VERSION}. Update PromptBench to open it."
            ],
        )
    schema = experiment_schema()
    if not conforms(data, schema):  # the quick yes or no first: jsonschema is only imported to word what is wrong
        import jsonschema

        validator = jsonschema.Draft202012Validator(schema)
        errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
        if errors:
            raise FileProblem(where, [_sentence(error) for error in errors])
    return Experiment.from_dict(data)


def save_experiment(experiment: Experiment, path: Path) -> None:
    """Write atomically: a temporary file beside the target, then a rename."""
    path = Path(path)
    text = json.dumps(experiment.to_dict(), indent=2, ensure_ascii=False) + "\n"
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def location(parts: Any) -> str:
    """["cases", 3, "vars"] -> "cases[3].vars"."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _sentence(error: jsonschema.ValidationError) -> str:
    where = location(error.absolute_path)
    if error.validator == "additionalProperties":
        # For this validator the schema and the instance are both objects.
        properties = error.schema.get("properties", {}) if isinstance(error.schema, Mapping) else {}
        instance = error.instance if isinstance(error.instance, Mapping) else {}
        extra = sorted(set(instance) - set(properties))
        names = ", ".join(f"'{name}'" for name in extra)
        known = ", ".join(sorted(properties))
        return f"{where}: {names} {'is not a field' if len(extra) == 1 else 'are not fields'} here (known: {known})."
    if error.validator == "required":
        return f"{where}: {error.message.replace(' is a required property', ' is missing')}."
    if error.validator == "minItems" and error.validator_value == 1:
        return f"{where}: add at least one."
    return f"{where}: {error.message}."
