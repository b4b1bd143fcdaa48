"""`promptbench run` loads a check family's module only when the experiment has a check of its type: a run with
only string checks loads no JavaScript or Python runner, no JSON, metrics or model-graded checks. Nor does a run
load the history's modules for queries, comparisons, reviews, batches and maintenance. The async and code facts
of the type table stay those of the handlers themselves."""

from __future__ import annotations

import inspect
import json
import sqlite3
import subprocess
import sys

from promptbench.core.checks.registry import ASYNC_TYPES, CHECK_TYPES, CODE_TYPES, SPECS, split_type
from tests.support import REPO

FAMILIES = (
    "promptbench.core.checks.code_checks",
    "promptbench.core.checks.transforms",
    "promptbench.core.code.python_process",
    "py_mini_racer",
    "promptbench.core.checks.json_checks",
    "promptbench.core.checks.js_regex",
    "promptbench.core.checks.metrics",
    "promptbench.core.checks.model_graded",
    "promptbench.core.checks.limits",
)
HISTORY_EXTRAS = (
    "promptbench.storage.queries",
    "promptbench.storage.compare",
    "promptbench.storage.maintenance",
    "promptbench.storage.metadata",
    "promptbench.storage.reviews",
    "promptbench.storage.batches",
    "promptbench.core.blind_review",
    "promptbench.core.batches",
)

# Runs `promptbench ARGS` in this interpreter and prints, as JSON, its exit code and which of the modules it loaded.
RUNNER = """
import json, sys
from promptbench.main import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
print(json.dumps([code, sorted(name for name in {families!r} if name in sys.modules)]), file=sys.stderr)
"""


def run_loading(tmp_path, checks: list[dict]) -> list[str]:
    experiment = {
        "format": "promptbench.experiment",
        "version": 1,
        "name": "Loads",
        "variants": [
            {"name": "A", "provider": "echo", "model": "echo", "messages": [{"role": "user", "content": "{{t}}"}]}
        ],
        "cases": [{"vars": {"t": "say yes"}}, {"vars": {"t": "say no"}}],
        "default_checks": checks,
        "settings": {"cache": False},
    }
    path = tmp_path / "loads.json"
    path.write_text(json.dumps(experiment), encoding="utf-8")
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            RUNNER.format(families=FAMILIES + HISTORY_EXTRAS),
            "run",
            str(path),
            "--db",
            str(tmp_path / "h.db"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    code, loaded = json.loads(completed.stderr.splitlines()[-1])
    assert code in (0, 1), completed.stderr  # the run went through; a failed check is exit 1
    return loaded


def test_a_run_with_only_string_checks_loads_no_other_family(tmp_path):
    assert run_loading(tmp_path, [{"type": "contains", "value": "yes"}, {"type": "not-icontains", "value": "x"}]) == []


def test_a_run_without_output_file_loads_none_of_the_history_extras(tmp_path):
    # The run wrote its cells into the history, read back by `promptbench history`-style queries only later.
    loaded = run_loading(tmp_path, [{"type": "contains", "value": "yes"}])
    assert not set(loaded) & set(HISTORY_EXTRAS)
    assert sqlite3.connect(tmp_path / "h.db").execute("SELECT count(*) FROM results").fetchone() == (2,)


def test_each_family_loads_when_a_check_of_its_type_is_in_the_experiment(tmp_path):
    loaded = run_loading(
        tmp_path, [{"type": "contains", "value": "yes"}, {"type": "javascript", "value": "output.length > 1"}]
    )
    assert "promptbench.core.checks.code_checks" in loaded
    assert "promptbench.core.checks.metrics" not in loaded
    loaded = run_loading(tmp_path, [{"type": "levenshtein", "value": "say yes", "threshold": 3}])
    assert "promptbench.core.checks.metrics" in loaded
    assert "promptbench.core.checks.code_checks" not in loaded


def test_the_async_and_code_types_are_those_of_the_handlers():
    for name in CHECK_TYPES:
        handler = SPECS[split_type(name)[0]].handler
        assert (name in ASYNC_TYPES) == inspect.iscoroutinefunction(handler), name
    assert CODE_TYPES == {"javascript", "python"}
    assert set(SPECS) == {split_type(name)[0] for name in CHECK_TYPES}
