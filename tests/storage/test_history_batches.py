"""The `batches` table (m004_batches): a batch run's batches recorded before the upload and as their ids exist;
a waiting run is neither finished nor taken for a crash; deleting the run deletes its batches."""

from __future__ import annotations

from promptbench.core.run_state import RunState
from promptbench.storage import History
from tests.storage.conftest import make_experiment


def test_a_batch_is_recorded_before_upload_then_gets_its_ids_and_status(history_path):
    with History.open(history_path) as history:
        run_id = history.start_run(make_experiment(), planned_cells=2)
        record = history.add_batch(
            run_id, "lab", "gpt-4o-mini", "ab" * 32, ["case1-variant1-repeat1", "case2-variant1-repeat1"]
        )
        assert (record.status, record.batch_id, record.input_file_id, record.lines) == ("preparing", None, None, 2)
        history.update_batch(record.id, input_file_id="file-1")
        history.update_batch(record.id, batch_id="batch_1", status="validating")
        history.update_batch(record.id, status="completed", completed=2, collected=1)
    with History.open(history_path) as history:  # as a later process reads it
        [kept] = history.run_batches(run_id)
    assert (kept.input_file_id, kept.batch_id, kept.status, kept.completed, kept.collected) == (
        "file-1",
        "batch_1",
        "completed",
        2,
        True,
    )
    assert kept.custom_ids == ("case1-variant1-repeat1", "case2-variant1-repeat1")


def test_a_waiting_run_stays_waiting_across_opens_and_deleting_it_deletes_its_batches(history_path):
    with History.open(history_path) as history:
        run_id = history.start_run(make_experiment(), planned_cells=1)
        history.add_batch(run_id, "lab", "gpt-4o-mini", "cd" * 32, ["case1-variant1-repeat1"])
        history.set_waiting(run_id)
    with History.open(history_path) as history:
        summary = history.run(run_id)
        assert summary.state == RunState.WAITING and summary.finished_at is None
        assert history.interrupted_at_open == []
        assert history.delete_runs([run_id]) == 1
        assert history.run_batches(run_id) == []
