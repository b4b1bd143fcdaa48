"""Judge-human agreement end to end: a real run whose llm-rubric grader is the test server, grades given through
`promptbench grade`, then kappa in the results file and `promptbench show` equal to the hand-computed value, and the
grid's "judge disagrees with me" filter showing exactly the disagreeing cells."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from promptbench.core.experiment import Check, Experiment, Message, ProviderProfile, TestCase, Variant
from promptbench.core.result import CellKey, HumanGrade
from promptbench.service.history import export_run, open_history
from tests.cli.conftest import KEY, KEY_VARIABLE, promptbench, write_experiment
from tests.support.openai_server import OpenAIServer
from tests.support.openai_server.chat import default_reply, last_user_text

pytestmark = pytest.mark.gui

# The designed table, one cell per case (case numbers from 1). The answer echoes the case's word; the grader passes
# an answer saying "good" and fails one saying "bad"; the person's thumbs are given below.
#   grader pass, thumbs up:   cases 1-4      grader pass, thumbs down: case 5
#   grader fail, thumbs up:   cases 6-7      grader fail, thumbs down: cases 8-10
# By hand: observed agreement (4 + 3) / 10 = 0.7; the grader passes 5/10, the person says up 6/10, so chance
# agreement is 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
WORDS = ["good"] * 5 + ["bad"] * 5
THUMBS = ["up"] * 4 + ["down"] + ["up"] * 2 + ["down"] * 3
HAND_KAPPA = 0.4
DISAGREEING_CASES = [5, 6, 7]


def grader_reply(body: dict) -> str:
    said = last_user_text(body.get("messages") or [])
    if "<Rubric>" not in said:
        return default_reply(body)
    answer = said.rsplit("<Output>", 1)[1].split("</Output>", 1)[0]  # the last: the instructions have examples
    passed = "good" in answer
    return json.dumps({"reason": f"The answer says {'good' if passed else 'bad'}.", "pass": passed})


@pytest.fixture
def server():
    with OpenAIServer(api_key=KEY) as running:
        running.reply = grader_reply
        yield running


def experiment(base_url: str) -> Experiment:
    return Experiment(
        name="Judge agreement",
        variants=(Variant("Helper", "gpt-4o-mini", (Message("user", "{{word}}"),), provider="local"),),
        cases=tuple(TestCase(vars={"word": f"{word} {i + 1}"}) for i, word in enumerate(WORDS)),
        providers=(ProviderProfile("local", base_url, api_key_env=KEY_VARIABLE, label="Local server"),),
        default_checks=(Check("llm-rubric", "The answer is good", provider="local", model="gpt-4o-mini"),),
    )


def test_kappa_from_cli_grades_equals_the_hand_computed_value_and_the_filter_shows_the_disagreements(
    server, tmp_path, qtbot, make_window
):
    db = str(tmp_path / "history.db")
    path = write_experiment(tmp_path, experiment(server.base_url))
    ran = promptbench("run", str(path), "--db", db)
    assert ran.returncode == 1, ran.stdout + ran.stderr  # the five "bad" answers fail their rubric
    assert "completed" in ran.stdout, ran.stdout + ran.stderr
    for number, thumbs in enumerate(THUMBS, start=1):
        graded = promptbench(
            "grade", "last", "--case", str(number), "--variant", "Helper", "--thumbs", thumbs, "--db", db
        )
        assert graded.returncode == 0, graded.stderr
        assert graded.stdout.startswith(f"Graded Helper, case {number} of run ")

    exported = promptbench("export", "last", "-o", str(tmp_path / "r.json"), "--db", db)
    assert exported.returncode == 0, exported.stderr
    (agreement,) = json.loads((tmp_path / "r.json").read_text())["judge_agreement"]
    assert (agreement["check"], agreement["cells"], agreement["agree"]) == ("llm-rubric", 10, 7)
    assert agreement["kappa"] == pytest.approx(HAND_KAPPA)
    assert [d["case"] + 1 for d in agreement["disagreements"]] == DISAGREEING_CASES

    shown = promptbench("show", "last", "--db", db)
    assert shown.returncode == 0, shown.stderr
    assert (
        "llm-rubric agrees poorly with you: the same verdict on 7 of 10 cells (70%), kappa 0.40; 3 cells disagree."
        in shown.stdout
    )
    assert "disagree on: Helper, case 5; Helper, case 6; Helper, case 7" in shown.stdout
    # The grader explains a pass as well as a fail, under each cell.
    assert shown.stdout.count("llm-rubric passed: The answer says good.") == 5
    assert shown.stdout.count("llm-rubric failed: The answer says bad.") == 5

    with open_history(tmp_path / "history.db") as history:
        run_id = history.resolve("last")
        detail = history.open_run(run_id)
        report = export_run(history, run_id, "html", tmp_path / "report.html")
    page = report.read_text()
    assert "<h2>AI grader and you</h2>" in page
    assert '<td>agrees poorly with you</td><td class="num">7 of 10 (70%)</td><td class="num">0.40</td>' in page
    assert "<td>Helper, case 5, Helper, case 6, Helper, case 7</td>" in page

    # The window on the same history: the summary says it, and its link shows exactly the disagreeing cells.
    window = make_window(experiment=detail.experiment)
    window.results_model.reset(detail.experiment, detail.results, detail.human_grades, run_id)
    window.runs.save_grade(CellKey("Helper", 0), detail.human_grades[CellKey("Helper", 0)])  # the same thumbs again
    line = window.summary_strip.agreement
    qtbot.waitUntil(line.isVisible)
    assert line.plain_text() == (
        "AI grader: llm-rubric agrees poorly with you: the same verdict on 7 of 10 cells (70%), kappa 0.40; "
        "3 cells disagree."
    )
    line.linkActivated.emit("disagreements")
    view = window.results_view
    assert view.filter_picker.currentText() == "Where the AI grader disagrees with me"
    assert [row + 1 for row in view.visible_rows()] == DISAGREEING_CASES
    assert window.results_model.judge_disagreements() == {CellKey("Helper", n - 1) for n in DISAGREEING_CASES}
    assert view.shown_label.text() == "3 of 10 cases"
    passing = window.results_model.index(0, 0)
    assert passing.data(Qt.ItemDataRole.ToolTipRole) == "llm-rubric passed: The answer says good."
    # A changed thumbs moves the cell in or out of the filter at once.
    window.runs.save_grade(CellKey("Helper", 4), HumanGrade(thumbs=True))
    qtbot.waitUntil(lambda: [row + 1 for row in view.visible_rows()] == [6, 7])


def test_bad_case_or_variant_is_one_sentence_and_changes_nothing(server, tmp_path):
    db = str(tmp_path / "history.db")
    path = write_experiment(tmp_path, experiment(server.base_url))
    promptbench("run", str(path), "--db", db)
    for args, sentence in [
        (("--case", "11", "--thumbs", "up"), "has test cases 1 to 10; there is no case 11."),
        (("--case", "0", "--thumbs", "up"), "has test cases 1 to 10; there is no case 0."),
        (("--case", "1", "--stars", "9"), "Stars go from 1 to 5; 9 is not one of them."),
    ]:
        completed = promptbench("grade", "last", "--variant", "Helper", *args, "--db", db)
        assert completed.returncode == 2 and sentence in completed.stderr, completed.stderr
        assert "Traceback" not in completed.stderr
    completed = promptbench("grade", "last", "--case", "1", "--variant", "Nope", "--thumbs", "up", "--db", db)
    assert completed.returncode == 2
    assert "has no variant named 'Nope'; its variants are 'Helper'." in completed.stderr
    with open_history(tmp_path / "history.db") as history:
        assert history.human_grades(history.resolve("last")) == {}
