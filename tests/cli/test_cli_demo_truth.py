"""The demo experiment on Echo, through the real `promptbench run`: its results file never calls a failing check
passed, and its summary numbers cases from 1, as the window does."""

from __future__ import annotations

import json

from tests.cli.conftest import promptbench
from tests.core.checks.test_checks_reasons_match_verdicts import reason_kind
from tests.support import REPO

DEMO = REPO / "resources" / "demo-experiment.json"


def test_demo_results_file_has_no_failing_check_that_says_it_passed(tmp_path):
    output = tmp_path / "x.json"
    completed = promptbench("run", str(DEMO), "--output", str(output), "--db", str(tmp_path / "h.db"))
    assert completed.returncode == 1, completed.stderr  # some checks fail on Echo's answers, on purpose
    cells = json.loads(output.read_text())["cells"]
    checks = [(cell, check) for cell in cells for check in cell["checks"]]
    failing = [(cell, check) for cell, check in checks if not check["pass"]]
    assert len(checks) == 22 and len(failing) == 8
    for cell, check in checks:
        assert reason_kind(check["reason"]) == ("pass" if check["pass"] else "fail"), (cell["case"], check)
    for cell in cells:
        assert (cell["reason"] == "All assertions passed") == cell["pass"], cell
    # The check of the bug report: a failing not-icontains-any names what it found.
    tone = [check for cell, check in failing if check["type"] == "not-icontains-any"]
    assert tone and all(
        c["reason"] == 'Expected output to not contain one of "calm down, not our problem"' for c in tone
    )


def test_demo_summary_numbers_cases_from_1_with_their_descriptions(tmp_path):
    completed = promptbench("run", str(DEMO), "--db", str(tmp_path / "h.db"))
    lines = completed.stdout.splitlines()
    assert "Cases every variant failed: 1 (Broken blender), 2 (Charged twice)" in lines
    assert "Cases the variants disagree on: 3 (Late parcel), 5 (Lamp arrived broken)" in lines
