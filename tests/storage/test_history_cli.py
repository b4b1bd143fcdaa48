"""`promptbench history / show / compare / export / cache clear`, through their handlers, on real files."""

from __future__ import annotations

import argparse
import json

import pytest

from promptbench.cli import history as history_cli
from promptbench.core.completion import Completion
from promptbench.core.result import CellKey, HumanGrade
from promptbench.storage import History
from tests.storage.conftest import make_experiment, make_result
from tests.support import REPO


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="promptbench")
    history_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    return args.handler(args)


@pytest.fixture
def two_runs(history_path):
    with History.open(history_path) as history:
        experiment = make_experiment("Refund replies", cases=2)
        before = history.start_run(experiment, source="refunds.json", planned_cells=4)
        after = history.start_run(experiment, source="refunds.json", planned_cells=4)
        for case in range(2):
            history.record(before, make_result("terse", case, passed=False, output="Call us, maybe."))
            history.record(before, make_result("friendly", case, output="Your refund is on its way!"))
            history.record(after, make_result("terse", case, output="Refunds: Settings > Billing."))
        history.record(after, make_result("friendly", 0, error="The server failed (HTTP 503)."))
        history.set_human_grade(after, CellKey("terse", 0), HumanGrade(thumbs=True, comment="crisp and correct"))
        history.finish_run(before, "completed")
        history.finish_run(after, "cancelled")
    return before, after


def test_history_lists_runs_newest_first(two_runs, history_path, capsys):
    before, after = two_runs
    assert run_cli("history", "--db", str(history_path)) == 0
    out = capsys.readouterr().out
    assert out.index(after) < out.index(before)
    assert "cancelled" in out and "Refund replies (terse, friendly)" in out and "4/4" in out


def test_history_filters_and_says_when_nothing_matches(two_runs, history_path, capsys):
    assert run_cli("history", "--db", str(history_path), "--experiment", "Other") == 0
    assert capsys.readouterr().out.strip() == "No runs match."
    assert run_cli("history", "--db", str(history_path), "--limit", "1") == 0
    assert capsys.readouterr().out.count("Refund replies") == 1


def test_history_search_shows_where_it_matched(two_runs, history_path, capsys):
    _, after = two_runs
    assert run_cli("history", "--db", str(history_path), "--search", "crisp") == 0
    out = capsys.readouterr().out
    assert after in out and "terse case 1" in out and "(comment)" in out and "[crisp]" in out
    assert run_cli("history", "--db", str(history_path), "--search", "zebra") == 0
    assert "Nothing in the history matches 'zebra'" in capsys.readouterr().out


def test_show_prints_the_summary_and_every_cell(two_runs, history_path, capsys):
    _, after = two_runs
    assert run_cli("show", after[:-1], "--db", str(history_path)) == 0
    out = capsys.readouterr().out
    assert f"Run {after}: Refund replies, cancelled" in out
    assert "ERROR" in out and "HTTP 503" in out and "PASS" in out
    assert "human: up crisp and correct" in out


def test_compare_prints_verdicts(two_runs, history_path, capsys):
    before, after = two_runs
    assert run_cli("compare", before, after, "--db", str(history_path)) == 0
    out = capsys.readouterr().out
    assert "2 improved, 1 regressed, 0 answer changed, 0 unchanged, 0 new, 1 gone" in out
    assert "fail 0.00 -> pass 1.00 (+1.00)" in out
    assert "pass 1.00 -> error" in out


def test_export_json_writes_every_cell_and_the_grades(two_runs, history_path, tmp_path, capsys):
    _, after = two_runs
    target = tmp_path / "out.json"
    assert run_cli("export", after, "--format", "json", "-o", str(target), "--db", str(history_path)) == 0
    assert f"Wrote {target}" in capsys.readouterr().out
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["run"]["id"] == after and len(document["cells"]) == 3
    assert [c["human"] for c in document["cells"] if c["human"]] == [
        {"thumbs": True, "stars": None, "comment": "crisp and correct"}
    ]


def test_export_csv(two_runs, history_path, tmp_path):
    _, after = two_runs
    target = tmp_path / "out.csv"
    assert run_cli("export", after, "--format", "csv", "-o", str(target), "--db", str(history_path)) == 0
    text = target.read_text(encoding="utf-8-sig")
    assert "Settings > Billing" in text and "HTTP 503" in text


def test_export_defaults_to_a_file_named_after_the_run(two_runs, history_path, tmp_path, monkeypatch):
    _, after = two_runs
    monkeypatch.chdir(tmp_path)
    assert run_cli("export", after, "--db", str(history_path)) == 0
    assert (tmp_path / f"promptbench-{after}.json").exists()


def test_cache_clear(history_path, capsys):
    with History.open(history_path) as history:
        history.cache.put("k1", Completion("a", "stop", "m"))
        history.cache.put("k2", Completion("b", "stop", "m"))
    assert run_cli("cache", "clear", "--db", str(history_path)) == 0
    assert "Removed 2 cached responses" in capsys.readouterr().out
    with History.open(history_path) as history:
        assert len(history.cache) == 0


@pytest.mark.parametrize(
    "argv",
    [("show", "nope"), ("compare", "nope", "last"), ("export", "nope")],
)
def test_an_unknown_run_is_one_line_on_stderr(two_runs, history_path, capsys, argv):
    assert run_cli(*argv, "--db", str(history_path)) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("promptbench: No run id starts with 'nope'") and captured.err.count("\n") == 1
    assert captured.out == ""


def test_an_ambiguous_prefix_asks_for_more(two_runs, history_path, capsys):
    assert run_cli("show", "2", "--db", str(history_path)) == 2
    assert "matches several runs" in capsys.readouterr().err


def test_a_bad_file_is_one_sentence_for_every_command(tmp_path, capsys):
    bad = tmp_path / "garbage.db"
    bad.write_bytes(b"\x00\xffnot sqlite at all" * 100)
    for argv in (["history"], ["show", "last"], ["compare", "a", "b"], ["export", "last"], ["cache", "clear"]):
        assert run_cli(*argv, "--db", str(bad)) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"promptbench: {bad} is not a PromptBench history") and "Traceback" not in err


def test_an_empty_history_says_so(history_path, capsys):
    assert run_cli("history", "--db", str(history_path)) == 0
    assert "No runs in" in capsys.readouterr().out
    assert run_cli("show", "last", "--db", str(history_path)) == 2
    assert "no runs yet" in capsys.readouterr().err


def test_the_default_file_is_under_promptbench_home(isolated_home, capsys):
    assert run_cli("history") == 0
    assert (isolated_home / "promptbench" / "history.db").exists()


def test_an_export_that_cannot_be_written_is_one_sentence(two_runs, history_path, tmp_path, capsys):
    target = tmp_path / "no such folder" / "out.json"
    assert run_cli("export", "last", "-o", str(target), "--db", str(history_path)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"promptbench: The export could not be written to {target}") and "-o" in err


def test_a_reader_that_stops_early_gets_no_traceback(two_runs, history_path):
    """`promptbench show last | head -1`: the pipe closes before everything is written."""
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "promptbench", "show", "last", "--db", str(history_path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # the reader is gone before the first line
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0 and b"Traceback" not in err, err.decode()
