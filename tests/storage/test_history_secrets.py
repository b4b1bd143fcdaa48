"""An API key given through the environment reaches no file the history writes: database, WAL, or exports."""

from __future__ import annotations

from pathlib import Path

from promptbench.core.completion import Completion
from promptbench.core.result import CellKey, HumanGrade
from promptbench.service.history import export_run
from promptbench.storage import History
from tests.storage.conftest import make_experiment, make_result

PLANTED = "sk-planted0123456789abcdefPLANTED"


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_a_planted_key_is_in_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCAL_KEY", PLANTED)  # the profile's api_key_env, as a run would read it
    folder = tmp_path / "data"
    with History.open(folder / "history.db") as history:
        experiment = make_experiment()
        run_id = history.start_run(experiment, source="support.json", planned_cells=4)
        history.record(run_id, make_result("terse", 0))
        history.record(run_id, make_result("friendly", 0, passed=False))
        # A server that quotes the key it was sent, as OpenAI's 401 body does: key-shaped text is masked.
        history.record(run_id, make_result("terse", 1, error=f"Incorrect API key provided: {PLANTED}."))
        history.set_human_grade(run_id, CellKey("terse", 0), HumanGrade(thumbs=True, comment="fine"))
        history.cache.put("k", Completion("an answer", "stop", "gpt-4o-mini"))
        export_run(history, run_id, "json", folder / "run.json")
        export_run(history, run_id, "csv", folder / "run.csv")
        written = files_under(folder)
        assert {p.name for p in written} >= {"history.db", "history.db-wal", "run.json", "run.csv"}
        for path in written:  # while open: the WAL holds the newest pages
            assert PLANTED.encode() not in path.read_bytes(), path
        assert "[key hidden]" in history.results(run_id)[-1].error
    for path in files_under(folder):
        assert PLANTED.encode() not in path.read_bytes(), path
