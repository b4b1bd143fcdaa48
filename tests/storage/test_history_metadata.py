"""`promptbench history metadata`: a Datasette metadata file that describes every table, view and column of a
history file, checked against the file's own schema as sqlite-utils lists it."""

from __future__ import annotations

import asyncio
import json

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


def test_datasette_reads_the_metadata(history_path, tmp_path):
    datasette_app = pytest.importorskip("datasette.app", reason="Datasette is not installed in this environment")
    History.open(history_path).close()
    target = tmp_path / "metadata.json"
    assert run_cli("history", "metadata", "--db", str(history_path), "-o", str(target)) == 0
    datasette = datasette_app.Datasette([str(history_path)], metadata=json.loads(target.read_text()))

    async def read():
        await datasette.invoke_startup()
        response = await datasette.client.get(f"/{history_path.stem}/result_rows.json?_extra=metadata")
        page = await datasette.client.get(f"/{history_path.stem}/runs")
        return response, page

    response, page = asyncio.run(read())
    assert response.status_code == 200 and page.status_code == 200
    assert "One row per run" in page.text
