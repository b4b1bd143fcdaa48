"""schema_subset.conforms gives jsonschema's answer for the experiment schema, without importing jsonschema.

jsonschema (Draft 2020-12, as experiment_file used it alone before) is the reference: generated documents, made
by breaking a valid experiment in one to three places, must get the same yes or no from both.
"""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptbench.formats.experiment_file import experiment_schema
from promptbench.formats.schema_subset import KNOWN_KEYWORDS, UnknownKeyword, conforms, keywords
from tests.support import REPO

REFERENCE = jsonschema.Draft202012Validator(experiment_schema())

VALID: dict[str, Any] = {
    "format": "promptbench.experiment",
    "version": 1,
    "name": "Every part",
    "description": "d",
    "providers": [
        {
            "name": "local.1",
            "label": "Local",
            "base_url": "http://127.0.0.1:9/v1",
            "api_key_env": "LOCAL_KEY",
            "headers": {"X-A": "b"},
            "concurrency": 4,
            "timeout": 2.5,
            "default_model": "m",
            "needs_key": False,
            "batch": True,
        }
    ],
    "variants": [
        {
            "name": "A",
            "provider": "local.1",
            "model": "m",
            "parameters": {"temperature": 0.5, "max_tokens": 10, "top_p": 1, "seed": 3, "json_mode": False,
                           "stop": ["x"]},
            "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "Hi {{who}}"}],
        }
    ],
    "cases": [
        {
            "description": "c",
            "vars": {"who": "you", "n": [1, {"a": None}]},
            "expected": None,
            "threshold": 0.5,
            "transform": {"file": "t.js", "source": "x", "function": "f"},
            "checks": [
                {"type": "contains", "value": "you", "threshold": None, "weight": 2, "metric": "m",
                 "provider": "p", "model": "m", "transform": "output.trim()",
                 "checks": [{"type": "equals", "value": 1}]},
            ],
        }
    ],
    "default_checks": [{"type": "is-json"}],
    "derived_metrics": [{"name": "score", "value": "a + b"}],
    "settings": {"concurrency": 1, "timeout": 1e-3, "retries": 20, "repeats": 100, "cache": True, "stream": False,
                 "grader_max_tokens": 1, "grader_timeout": 3},
}  # fmt: skip

# Values near each bound, type and pattern of the schema, beside any JSON value.
EDGES = [
    None, True, False, 0, 1, -1, 2, 1.0, 0.0, -0.0, 1.5, 2.0000001, 20, 21, 100, 101, 1024, 1025, 1e-9, math.nan,
    math.inf, "", "x", "a b", "A_1", "1A", "http://h", "https://h", "echo://", "ftp://h", "system", "user", "tool",
    "promptbench.experiment", [], [1], ["a", "b", "c", "d", "e"], {}, {"file": "f", "source": "s"}, {"file": "f"},
]  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=True) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)
VALUES = st.one_of(st.sampled_from(EDGES), JSON).map(copy.deepcopy)  # later steps may change a value in place
NAMES = st.sampled_from(["name", "type", "value", "role", "content", "file", "extra", "vars", "timeout", "stop"])


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


@st.composite
def broken(draw) -> Any:
    document: Any = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths(document)))
        operation = draw(st.sampled_from(["replace", "delete", "add", "append"]))
        if not path:
            document = draw(VALUES) if operation == "replace" else document
            continue
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        if operation == "replace":
            parent[last] = draw(VALUES)
        elif operation == "delete":
            del parent[last]
        elif operation == "add" and isinstance(parent[last], dict):
            parent[last][draw(NAMES)] = draw(VALUES)
        elif operation == "append" and isinstance(parent[last], list):
            items = parent[last]
            items.append(copy.deepcopy(items[0]) if items and draw(st.booleans()) else draw(VALUES))
    return document


def test_the_experiment_schema_uses_only_keywords_conforms_checks():
    assert keywords(experiment_schema()) <= KNOWN_KEYWORDS


def test_a_keyword_it_does_not_know_is_refused_not_waved_through():
    with pytest.raises(UnknownKeyword, match="uniqueItems"):
        conforms([1, 1], {"type": "array", "uniqueItems": True})


def test_the_valid_experiment_conforms():
    assert REFERENCE.is_valid(VALID) and conforms(VALID, experiment_schema())


@pytest.mark.parametrize(
    ("where", "value", "valid"),
    [
        (("version",), 1.0, True),  # 1.0 equals 1 for JSON Schema
        (("version",), True, False),  # but True does not
        (("settings", "retries"), 3.0, True),  # an integer, since draft 6
        (("settings", "retries"), 3.5, False),
        (("settings", "concurrency"), True, False),  # a bool is no number
        (("variants", 0, "parameters", "temperature"), math.nan, True),  # NaN fails no bound in jsonschema either
        (("providers", 0, "base_url"), "ftp://h", False),
        (("providers", 0, "name"), "a b", False),
        (("cases", 0, "transform"), "", False),  # oneOf: neither a non-empty string nor the object
        (("cases", 0, "checks", 0, "value"), {"any": ["thing"]}, True),
        (("variants", 0, "messages", 0, "role"), "tool", False),
        (("variants", 0, "parameters", "stop"), ["a", "b", "c", "d", "e"], False),
    ],
)
def test_edges_agree_with_jsonschema(where, value, valid):
    document = copy.deepcopy(VALID)
    parent: Any = document
    for part in where[:-1]:
        parent = parent[part]
    parent[where[-1]] = value
    assert REFERENCE.is_valid(document) is valid
    assert conforms(document, experiment_schema()) is valid


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken())
def test_broken_experiments_get_jsonschemas_answer(document):
    assert conforms(document, experiment_schema()) is REFERENCE.is_valid(document)


def test_loading_a_valid_file_does_not_import_jsonschema_and_a_bad_one_is_worded_as_before(tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(VALID), encoding="utf-8")
    bad.write_text(json.dumps({**VALID, "settings": {"retries": 21}, "extra": 1}), encoding="utf-8")
    code = (
        "import sys\n"
        "from promptbench.formats.experiment_file import load_experiment\n"
        "from promptbench.formats.errors import FileProblem\n"
        "print(load_experiment(sys.argv[1]).name, 'jsonschema' in sys.modules)\n"
        "try:\n"
        "    load_experiment(sys.argv[2])\n"
        "except FileProblem as problem:\n"
        "    print(problem.problems, 'jsonschema' in sys.modules)\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code, str(good), str(bad)], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert shown[0] == "Every part False"
    assert shown[1] == (
        "[\"(top level): 'extra' is not a field here (known: cases, default_checks, derived_metrics, description, "
        "format, name, providers, settings, variants, version).\", 'settings.retries: 21 is greater than the maximum "
        "of 20.'] True"
    )
