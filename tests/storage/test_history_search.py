"""Full-text search (FTS5) over outputs, prompts and comments, kept in step as cells and comments change."""

from __future__ import annotations

from promptbench.core.result import CellKey, HumanGrade
from tests.storage.conftest import make_experiment, make_result


def filled(history):
    run_id = history.start_run(make_experiment(), planned_cells=4)
    history.record(run_id, make_result("terse", 0, output="Open Settings, then Billing, then ask for a refund."))
    history.record(run_id, make_result("friendly", 0, output="Happy to help! Refunds take five days."))
    history.record(run_id, make_result("terse", 1, question="Where is my parcel tracking number?"))
    history.set_human_grade(run_id, CellKey("friendly", 0), HumanGrade(comment="Too chirpy for angry customers"))
    return run_id


def test_search_finds_outputs_prompts_and_comments(history):
    run_id = filled(history)
    (hit,) = history.search("billing")
    assert (hit.run_id, hit.key, hit.found_in) == (run_id, CellKey("terse", 0), "output")
    assert "[Billing]" in hit.snippet and hit.experiment == "Support replies"
    (hit,) = history.search("parcel tracking")
    assert (hit.key, hit.found_in) == (CellKey("terse", 1), "prompt")
    (hit,) = history.search("chirpy")
    assert (hit.key, hit.found_in, hit.snippet) == (
        CellKey("friendly", 0),
        "comment",
        "Too [chirpy] for angry customers",
    )


def test_every_word_must_match_and_prefixes_work(history):
    filled(history)
    assert [h.key for h in history.search("refund* five")] == [CellKey("friendly", 0)]
    assert history.search("billing five") == []
    assert history.search("   ") == []


def test_syntax_characters_are_searched_as_text(history):
    filled(history)
    for query in ['"unbalanced', "a:b", "NOT", "(", "-refund", "x OR"]:
        history.search(query)  # never an FTS5 syntax error
    assert [h.key for h in history.search("Happy help!")] == [CellKey("friendly", 0)]


def test_the_index_follows_changed_cells_and_comments(history):
    run_id = filled(history)
    history.set_human_grade(run_id, CellKey("friendly", 0), HumanGrade(comment="Warm and correct"))
    assert history.search("chirpy") == []
    assert [h.found_in for h in history.search("warm correct")] == ["comment"]
    history.record(run_id, make_result("terse", 0, output="Ask the Payments team."))
    assert history.search("billing") == []
    assert [h.key for h in history.search("payments")] == [CellKey("terse", 0)]


def test_search_within_one_run_and_newest_first(history):
    first = filled(history)
    second = filled(history)
    assert [h.run_id for h in history.search("billing")] == [second, first]
    assert [h.run_id for h in history.search("billing", run_id=first)] == [first]
    assert len(history.search("refund", limit=1)) == 1
