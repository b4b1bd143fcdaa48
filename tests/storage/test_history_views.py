"""The read-only views (m002_views): `result_rows` and `run_summaries` give the numbers `promptbench show` gives."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlite_utils import Database

from promptbench.core.figures import money
from promptbench.core.result import CellKey, CheckOutcome, Grade, HumanGrade
from promptbench.storage import History
from tests.storage.conftest import make_experiment, make_result
from tests.storage.test_history_cli import run_cli

GRADER_DOWN = Grade(
    passed=False,
    score=0.0,
    reason="The llm-rubric check could not run: the grader did not answer.",
    checks=(CheckOutcome("llm-rubric", False, 0.0, "the grader did not answer", error=True),),
)


@pytest.fixture
def sample_run(history_path):
    with History.open(history_path) as history:
        run_id = history.start_run(make_experiment("Refund replies", cases=3), planned_cells=6)
        history.record(run_id, replace(make_result("terse", 0, cost=0.000123456789012), latency_ms=13.510000030692026))
        history.record(run_id, make_result("terse", 1, passed=False, score=0.25))
        history.record(run_id, replace(make_result("terse", 2), grade=GRADER_DOWN))
        history.record(run_id, make_result("friendly", 0, score=0.875))
        history.record(run_id, make_result("friendly", 1, error="The server failed (HTTP 503)."))
        history.record(run_id, make_result("friendly", 2, passed=None))
        history.set_human_grade(run_id, CellKey("terse", 1), HumanGrade(thumbs=False, stars=2, comment="too curt"))
        history.finish_run(run_id, "completed with errors")
    return run_id


def _view(path, name):
    with Database(path) as db:
        return list(db.query(f"SELECT * FROM {name}"))


def test_result_rows_hold_each_cell_with_its_case_and_match_show(sample_run, history_path, capsys):
    rows = _view(history_path, "result_rows")
    assert len(rows) == 6
    first = next(r for r in rows if (r["variant"], r["case_number"]) == ("terse", 1))
    assert first["run_id"] == sample_run and first["experiment"] == "Refund replies"
    assert first["case_description"] == "case 0" and first["expected"] == "refund"
    assert json.loads(first["case_inputs"]) == {"question": "How do I get refund number 0?"}
    assert first["latency_ms"] == 13.5 and first["cost"] == 0.0001234568
    curt = next(r for r in rows if (r["variant"], r["case_number"]) == ("terse", 2))
    assert (curt["human_thumbs"], curt["human_stars"], curt["human_comment"]) == (0, 2, "too curt")

    assert run_cli("show", sample_run, "--db", str(history_path)) == 0
    out = capsys.readouterr().out
    words = {"pass": "PASS", "fail": "FAIL", "error": "ERROR", "checks could not run": "checks", None: "-"}
    for row in rows:
        line = next(
            line.split()
            for line in out.splitlines()
            if line.split()[:3] == ["case", str(row["case_number"]), row["variant"]]
        )
        assert line[3] == words[row["verdict"]], (row, line)
        if row["verdict"] in ("pass", "fail"):
            assert line[4] == f"{row['score']:.2f}"
    assert [r["verdict"] for r in sorted(rows, key=lambda r: r["result_id"])] == [
        "pass",
        "fail",
        "checks could not run",
        "pass",
        "error",
        None,
    ]

    with Database(history_path) as db:
        by_variant = {
            r["variant"]: r
            for r in db.query(
                "SELECT variant, count(*) AS calls, sum(verdict = 'error') AS errors, "
                "avg(CASE WHEN verdict IN ('pass', 'fail', 'checks could not run') THEN score END) AS score "
                "FROM result_rows GROUP BY variant"
            )
        }
    for variant, summary in by_variant.items():
        line = next(line.split() for line in out.splitlines() if line.split()[:1] == [variant])
        assert line[1:3] == [str(summary["calls"]), str(summary["errors"])]
        assert line[4] == f"{summary['score']:.2f}"


def test_run_summaries_match_show(sample_run, history_path, capsys):
    (run,) = _view(history_path, "run_summaries")
    assert run["run_id"] == sample_run and run["state"] == "completed with errors"
    assert (run["planned_cells"], run["cells_done"], run["errors"], run["graded"], run["passed"]) == (6, 6, 1, 4, 2)
    assert run["pass_percent"] == 50.0 and run["checks_could_not_run"] == 1
    assert run["mean_score"] == pytest.approx((1 + 0.25 + 0 + 0.875) / 4, abs=1e-4)
    assert run_cli("show", sample_run, "--db", str(history_path)) == 0
    out = capsys.readouterr().out
    assert (
        f"{run['cells_done']} of {run['planned_cells']} cells, {run['errors']} errors, cost {money(run['cost'])}" in out
    )
    assert run["cost"] == round(0.000123456789012 + 4 * 0.0001, 10)


def test_the_views_are_read_only(sample_run, history_path):
    with Database(history_path) as db, pytest.raises(Exception, match="cannot modify result_rows"):
        db.execute("DELETE FROM result_rows")
