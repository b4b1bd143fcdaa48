"""`promptbench import-tests FILE --into experiment.json` and `promptbench export RUN --format html`."""

from __future__ import annotations

import json
from dataclasses import replace

from promptbench.core.experiment import Message, Variant
from promptbench.formats.experiment_file import load_experiment
from tests.cli.conftest import KEY, experiment_for, promptbench, write_experiment


def test_csv_cases_are_added_then_replaced(tmp_path):
    path = write_experiment(tmp_path, experiment_for("http://127.0.0.1:9/v1", cases=2))
    tests = tmp_path / "more.csv"
    tests.write_text("text,__expected,expected\nnew one,icontains:one,one\nnew two,,\n", encoding="utf-8")
    added = promptbench("import-tests", str(tests), "--into", str(path))
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == f"Added 2 test cases from {tests} to {path}; it now has 4."
    cases = load_experiment(path).cases
    assert [c.vars["text"] for c in cases] == ["story 0", "story 1", "new one", "new two"]
    assert cases[2].expected == "one" and cases[2].checks[0].type == "icontains"
    replaced = promptbench("import-tests", str(tests), "--into", str(path), "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert replaced.stdout.strip() == f"Replaced the 4 test cases of {path} with 2 test cases from {tests}."
    assert [c.vars["text"] for c in load_experiment(path).cases] == ["new one", "new two"]


def test_a_bad_row_is_one_sentence_and_the_experiment_is_left_as_it_was(tmp_path):
    path = write_experiment(tmp_path, experiment_for("http://127.0.0.1:9/v1", cases=2))
    before = path.read_bytes()
    tests = tmp_path / "bad.csv"
    tests.write_text("text,__expected,__threshold\nok,icontains:a,\nbad,similar(x):y,high\n", encoding="utf-8")
    completed = promptbench("import-tests", str(tests), "--into", str(path))
    assert completed.returncode == 2
    assert completed.stderr.startswith(f"promptbench: {tests} cannot be imported; {path} was not changed:")
    assert "row 3" in completed.stderr and "'high' is not a number" in completed.stderr
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_openai_evals_samples_become_cases_whose_chat_is_sent(tmp_path, server_process):
    experiment = experiment_for(server_process.base_url, cases=1)
    chat_variant = Variant("Chat", "gpt-4o-mini", (Message("user", "{{ input | dump }}"),), provider="local")
    path = write_experiment(tmp_path, replace(experiment, variants=(chat_variant,)))
    samples = tmp_path / "samples.jsonl"
    chat = [{"role": "system", "content": "Answer with one word."}, {"role": "user", "content": 'Say "yes"'}]
    samples.write_text(json.dumps({"input": chat, "ideal": "yes"}) + "\n", encoding="utf-8")
    completed = promptbench("import-tests", str(samples), "--into", str(path), "--replace")
    assert completed.returncode == 0, completed.stderr
    (case,) = load_experiment(path).cases
    assert case.vars == {"input": chat} and case.expected == "yes"
    ran = promptbench("run", str(path), "--db", str(tmp_path / "h.db"))
    assert ran.returncode == 0, ran.stderr
    (request,) = [r for r in server_process.requests() if r["path"] == "/v1/chat/completions"]
    assert request["body"]["messages"] == chat  # the sample's chat, not its JSON as one message


def test_an_evals_sample_without_a_user_message_is_named_and_without_a_chat_variant_a_hint(tmp_path):
    path = write_experiment(tmp_path, experiment_for("http://127.0.0.1:9/v1", cases=1))
    samples = tmp_path / "samples.jsonl"
    good = {"input": [{"role": "user", "content": "hi"}], "ideal": ["hello", "hi"]}
    bad = {"input": [{"role": "system", "content": "Be brief."}], "ideal": "ok"}
    samples.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    before = path.read_bytes()
    refused = promptbench("import-tests", str(samples), "--into", str(path))
    assert refused.returncode == 2 and path.read_bytes() == before
    assert "line 2, input: the chat has no user message" in refused.stderr
    samples.write_text(json.dumps(good) + "\n", encoding="utf-8")
    done = promptbench("import-tests", str(samples), "--into", str(path))
    assert done.returncode == 0, done.stderr
    assert "give a variant one message {{ input | dump }} to send that chat" in done.stdout
    case = load_experiment(path).cases[-1]
    assert case.expected == "hello" and case.vars["ideal"] == ["hello", "hi"]  # every accepted answer is kept


def test_export_html_writes_the_history_windows_report(tmp_path, server_process):
    path = write_experiment(tmp_path, experiment_for(server_process.base_url, cases=1))
    db = str(tmp_path / "h.db")
    assert promptbench("run", str(path), "--db", db).returncode == 0
    report = tmp_path / "report.html"
    completed = promptbench("export", "last", "--format", "html", "-o", str(report), "--db", db)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == f"Wrote {report}"
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "You said: Summarise: story 0" in page and KEY not in page
