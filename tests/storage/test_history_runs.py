"""Writing runs: the snapshot, each result as it arrives, states, resume, human grades, and threads."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import replace

import pytest
from sqlite_utils import Database

from promptbench.core.experiment import ProviderProfile
from promptbench.core.result import CellKey, HumanGrade
from promptbench.storage import History
from tests.storage.conftest import assert_search_index_sound, make_experiment, make_result


def test_a_run_keeps_its_experiment_exactly(history):
    experiment = make_experiment()
    run_id = history.start_run(experiment, source="support.json", planned_cells=6)
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{4}", run_id)
    assert history.snapshot(run_id) == experiment
    run = history.run(run_id)
    assert (run.state, run.source, run.planned_cells, run.cells_done) == ("running", "support.json", 6, 0)
    assert run.variants == ("terse", "friendly") and run.models == ("gpt-4o", "gpt-4o-mini")


def test_provider_headers_never_reach_the_file(history, history_path):
    experiment = replace(
        make_experiment(),
        providers=(ProviderProfile("azure", "https://x.example/v1", headers={"api-key": "hdr-secret-value-123"}),),
    )
    run_id = history.start_run(experiment, planned_cells=1)
    stored = history.snapshot(run_id).providers[0]
    assert (stored.name, stored.base_url, stored.headers) == ("azure", "https://x.example/v1", {})
    history.close()
    for file in history_path.parent.iterdir():
        assert b"hdr-secret-value-123" not in file.read_bytes()


def test_results_come_back_as_they_were_recorded(history):
    run_id = history.start_run(make_experiment(), planned_cells=6)
    recorded = [
        make_result("terse", 0, output="Refund: use the orders page.\nThen wait.", cost=0.002),
        make_result("friendly", 0, passed=False, score=0.25),
        make_result("terse", 1, error="The server failed (HTTP 500)."),
        replace(make_result("friendly", 1, passed=None), grade=None, cached=True),
    ]
    for result in recorded:
        history.record(run_id, result)
    assert sorted(history.results(run_id), key=lambda r: r.key) == sorted(recorded, key=lambda r: r.key)
    run = history.run(run_id)
    assert (run.cells_done, run.errors, run.graded, run.passed) == (4, 1, 2, 1)
    assert run.mean_score == pytest.approx(0.625)
    assert run.cost == pytest.approx(0.002 + 0.0001 + 0.0001)  # the error cell costs nothing


def test_totals_add_up(history):
    run_id = history.start_run(make_experiment(), planned_cells=3)
    history.record(run_id, make_result("terse", 0, cost=0.5))
    history.record(run_id, make_result("friendly", 0, cost=0.25, passed=False))
    history.record(run_id, make_result("terse", 1, error="Timed out after 60 s."))
    run = history.run(run_id)
    assert run.cost == pytest.approx(0.75)
    assert (run.prompt_tokens, run.completion_tokens) == (40, 24)
    assert run.pass_rate == 0.5
    history.record(run_id, make_result("friendly", 1, cost=None))
    assert history.run(run_id).cost is None  # one unknown price makes the total unknown


def test_finishing_and_resuming(history):
    run_id = history.start_run(make_experiment(), planned_cells=2)
    history.finish_run(run_id, "cancelled")
    run = history.run(run_id)
    assert run.state == "cancelled" and run.finished_at is not None
    history.mark_resumed(run_id)
    assert (history.run(run_id).state, history.run(run_id).finished_at) == ("running", None)
    history.finish_run(run_id, "completed")
    assert history.run(run_id).state == "completed"
    with pytest.raises(ValueError):
        history.finish_run(run_id, "interrupted")


def test_completed_keys_leave_out_errors_and_a_resume_replaces_them(history):
    run_id = history.start_run(make_experiment(), planned_cells=3)
    history.record(run_id, make_result("terse", 0))
    history.record(run_id, make_result("terse", 1, error="Rate limited."))
    history.record(run_id, make_result("friendly", 0, repeat=1))
    assert history.completed_keys(run_id) == {CellKey("terse", 0), CellKey("friendly", 0, 1)}
    history.record(run_id, make_result("terse", 1, output="Now a refund answer."))
    assert history.completed_keys(run_id) == {CellKey("terse", 0), CellKey("terse", 1), CellKey("friendly", 0, 1)}
    run = history.run(run_id)
    assert (run.cells_done, run.errors) == (3, 0)
    assert [r.output for r in history.results(run_id) if r.key == CellKey("terse", 1)] == ["Now a refund answer."]
    assert history.search("Rate limited") == []


def test_human_grades_survive_reopening(history_path):
    with History.open(history_path) as history:
        run_id = history.start_run(make_experiment(), planned_cells=2)
        history.record(run_id, make_result("terse", 0))
        history.set_human_grade(run_id, CellKey("terse", 0), HumanGrade(thumbs=False, stars=2, comment="too curt"))
        history.set_human_grade(run_id, CellKey("friendly", 0), HumanGrade(thumbs=True))
        history.set_human_grade(run_id, CellKey("friendly", 0), HumanGrade())  # cleared again
    with History.open(history_path) as history:
        assert history.human_grades(run_id) == {CellKey("terse", 0): HumanGrade(False, 2, "too curt")}
        # Grading never changes the automatic verdict.
        assert history.results(run_id)[0].grade.passed is True


def test_unknown_runs_are_refused(history):
    with pytest.raises(KeyError):
        history.finish_run("20000101-000000-dead", "completed")
    with pytest.raises(KeyError):
        history.set_human_grade("20000101-000000-dead", CellKey("terse", 0), HumanGrade(thumbs=True))


def test_record_from_many_threads_at_once(history, history_path):
    run_id = history.start_run(make_experiment(cases=200), planned_cells=800)
    failures: list[BaseException] = []

    def write(variant: str, repeat: int) -> None:
        try:
            for case in range(200):
                history.record(run_id, make_result(variant, case, repeat=repeat))
                if case % 50 == 0:
                    history.cache.put(f"{variant}-{repeat}-{case}", make_completion())
                    history.list_runs()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(v, r)) for v in ("terse", "friendly") for r in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(history.completed_keys(run_id)) == 800
    assert history.run(run_id).cells_done == 800
    with Database(history_path) as db:
        assert db["results"].count == 800
        snapshot = json.loads(db["run_snapshots"].get(run_id)["snapshot"])
        assert snapshot["name"] == "Support replies"
    history.close()
    assert_search_index_sound(history_path)


def make_completion():
    from promptbench.core.completion import Completion

    return Completion("an answer", "stop", "gpt-4o-mini", 5, 6)
