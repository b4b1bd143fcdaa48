"""select-best from the command line, with the test server process as the judge: a judge that always picks the first
position shows a position bias of 100% (and ties) in the run's summary, `show` and the results file; one that reads
the content shows a clear winner and 0%."""

from __future__ import annotations

import dataclasses
import json

from promptbench.core.experiment import Check
from tests.cli.conftest import experiment_for, promptbench, write_experiment

CRITERIA = "the better summary"


def test_position_bias_is_shown_in_the_summary_show_and_the_results_file(tmp_path, server_process):
    experiment = dataclasses.replace(
        experiment_for(server_process.base_url, cases=2),
        default_checks=(Check("select-best", CRITERIA, provider="local"),),
    )
    path = write_experiment(tmp_path, experiment)
    db, output = str(tmp_path / "h.db"), tmp_path / "results.json"

    server_process.admin("config", {"judge": "first"})
    biased = promptbench("run", str(path), "--db", db, "--output", str(output))
    assert biased.returncode == 1, biased.stderr  # a tie selects no answer: every cell fails select-best
    line = (
        "Pairwise judge select-best: position bias 100%: the grader picked the same position in both orders in 2 "
        "of 2 pairs of answers, counted as ties."
    )
    assert line in biased.stdout
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["position_bias"] == [{"check": "select-best", "pairs": 2, "by_position": 2, "percent": 100.0}]
    assert [(c["checks"][0]["comparisons"], c["checks"][0]["by_position"]) for c in document["cells"]] == [(1, 1)] * 4
    reasons = [cell["checks"][0]["reason"] for cell in document["cells"]]
    assert all(r.startswith(f"No answer selected, a tie: {CRITERIA}") for r in reasons) and len(reasons) == 4
    assert line in promptbench("show", "last", "--db", db).stdout

    server_process.admin("config", {"judge": "prefers:Summarise"})
    fair = promptbench("run", str(path), "--db", db, "--output", str(output), "--no-cache")
    assert fair.returncode == 1  # Kind is not selected, so it fails
    assert "position bias 0%: the grader picked the same position in both orders in 0 of 2 pairs" in fair.stdout
    document = json.loads(output.read_text(encoding="utf-8"))
    passed = {(c["variant"], c["case"]): c["pass"] for c in document["cells"]}
    assert passed == {("Short", 0): True, ("Short", 1): True, ("Kind", 0): False, ("Kind", 1): False}
    assert document["position_bias"][0]["percent"] == 0.0
