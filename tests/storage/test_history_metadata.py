"""`promptbench history metadata`: a Datasette metadata file that describes every table, view and column of a
history file, checked against the file's own schema as sqlite-utils lists it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlite_utils import Database

from promptbench.storage import History
from tests.storage.test_history_cli import run_cli


def _schema(path):
    with Database(path) as db:
        return {name: set(db[name].columns_dict) for name in [*db.table_names(), *db.view_names()]}


def test_the_metadata_describes_every_table_view_and_column_of_a_fresh_history(history_path, tmp_path, capsys):
    History.open(history_path).close()
    target = tmp_path / "metadata.json"
    assert run_cli("history", "metadata", "--db", str(history_path), "-o", str(target)) == 0
    assert "datasette" in capsys.readouterr().out
    document = json.loads(target.read_text(encoding="utf-8"))
    tables = document["databases"][history_path.stem]["tables"]
    schema = _schema(history_path)
    assert {"runs", "results", "result_rows", "run_summaries"} <= set(schema)
    assert set(tables) == set(schema)
    for name, columns in schema.items():
        assert tables[name]["description"].strip(), name
        assert set(tables[name]["columns"]) == columns, name
        assert all(text.strip() for text in tables[name]["columns"].values()), name
    assert tables["results_fts_data"]["hidden"] is True and "hidden" not in tables["runs"]


def test_the_metadata_prints_without_output_and_a_bad_target_is_one_sentence(history_path, tmp_path, capsys):
    History.open(history_path).close()
    assert run_cli("history", "metadata", "--db", str(history_path)) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["title"] == "PromptBench history"
    assert run_cli("history", "metadata", "--db", str(history_path), "-o", str(tmp_path / "no" / "m.json")) == 2
    err = capsys.readouterr().err
    assert err.startswith("promptbench: Could not write") and err.count("\n") == 1


# Datasette in a process of its own: its write thread and executor outlive any one call, and a test leaves no
# thread running (CONTRIBUTING.md, rule 7).
DATASETTE_READS = """
import asyncio, json, sys
from datasette.app import Datasette

async def main():
    datasette = Datasette([sys.argv[1]], metadata=json.load(open(sys.argv[2], encoding="utf-8")))
    await datasette.invoke_startup()
    name = sys.argv[3]
    pages = {path: await datasette.client.get(path) for path in (f"/{name}/runs", f"/{name}/result_rows")}
    print(json.dumps({path: [page.status_code, page.text] for path, page in pages.items()}))

asyncio.run(main())
"""


def test_datasette_reads_the_metadata(history_path, tmp_path):
    pytest.importorskip("datasette.app", reason="Datasette is not installed in this environment")
    History.open(history_path).close()
    target = tmp_path / "metadata.json"
    assert run_cli("history", "metadata", "--db", str(history_path), "-o", str(target)) == 0
    completed = subprocess.run(
        [sys.executable, "-c", DATASETTE_READS, str(history_path), str(target), history_path.stem],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    pages = json.loads(completed.stdout.splitlines()[-1])
    runs_status, runs_page = pages[f"/{history_path.stem}/runs"]
    rows_status, rows_page = pages[f"/{history_path.stem}/result_rows"]
    assert runs_status == 200 and "One row per run" in runs_page
    assert rows_status == 200 and "Milliseconds, to 0.1 ms" in rows_page
