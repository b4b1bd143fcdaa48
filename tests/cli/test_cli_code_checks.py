"""`promptbench run` on a promptfoo config with code: javascript, python (only with --allow-python-checks),
transforms, derivedMetrics and CSV fn: cells, against the test server, with no edit to the config."""

from __future__ import annotations

import json

from promptbench.cli.exit_codes import ExitCode
from tests.cli.conftest import KEY, promptbench
from tests.support import REPO

CONFIG = REPO / "tests" / "formats" / "promptfoo" / "fixtures" / "promptfoo_code_checks" / "promptfooconfig.yaml"


def _env(server) -> dict[str, str]:
    return {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": KEY}


def test_python_checks_are_refused_without_the_flag_before_any_call(tmp_path, server_process):
    completed = promptbench("run", str(CONFIG), "--db", str(tmp_path / "h.db"), env_extra=_env(server_process))
    assert completed.returncode == ExitCode.USAGE, completed.stderr
    assert (
        "This experiment contains 2 Python checks (in test case 3). Python checks run code on this computer with "
        "your permissions, so they run only when you allow them: add --allow-python-checks."
    ) in completed.stderr
    assert server_process.chat_count() == 0


def test_with_the_flag_every_code_check_runs_and_the_derived_metrics_are_reported(tmp_path, server_process):
    out = tmp_path / "results.json"
    completed = promptbench(
        "run", str(CONFIG), "--db", str(tmp_path / "h.db"), "--allow-python-checks", "-o", str(out),
        env_extra=_env(server_process),
    )  # fmt: skip
    assert completed.returncode == ExitCode.OK, completed.stdout + completed.stderr
    assert server_process.chat_count() == 4
    assert "4/4 100%" in completed.stdout
    assert "accuracy 0.5, accuracy_pct 50" in completed.stdout  # 2 correct over 4 results
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["summary"][0]["derived_metrics"] == {"accuracy": 0.5, "accuracy_pct": 50.0}
    cells = {cell["case"]: cell for cell in document["cells"]}
    assert [c["type"] for c in cells[2]["checks"]] == ["javascript", "python", "python", "equals"]
    assert cells[2]["checks"][1]["reason"] == "checked Paris"  # checks.py's get_assert, given the context
    assert cells[3]["checks"][1]["reason"] == "5 words"  # a multi-line body's {pass, score, reason}
    assert cells[2]["output"] == "You said: Reply with: Paris"  # the stored answer is the model's own
    assert all(check["pass"] for cell in cells.values() for check in cell["checks"])
