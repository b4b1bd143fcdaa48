"""An imported config scores each echo cell as promptfoo would.

promptfoo's echo provider answers with the rendered prompt; for a plain text prompt (one user message)
PromptBench's echo answers with the same text. The verdicts below were worked out by hand from
promptfoo's scoring rules (docs/checks.md) for fixtures/promptfoo_capitals, and the test checks that the
imported checks, run by promptbench.core.checks, reach the same ones. promptfoo itself (0.120.0, the echo
provider only) was run on the same config once; its verdicts are kept in promptfoo-echo-results.json and agree.
Two more fixtures (promptfoo_csv_checks: `__expected` cells of many kinds; promptfoo_yaml_checks: weights,
thresholds, JSON values, comma lists) carry promptfoo's recorded verdicts and scores, compared cell by cell.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from promptbench.core.checks import CheckContext, grade_output
from promptbench.core.templates import render_messages
from promptbench.formats.promptfoo.config import load_promptfoo

CAPITALS = Path(__file__).parent / "fixtures" / "promptfoo_capitals" / "promptfooconfig.yaml"
RECORDED = CAPITALS.parent / "promptfoo-echo-results.json"

# (variant, case) -> pass, with the reasoning per promptfoo's rules.
# Every case also has the default check not-icontains "as an ai", which every echo output passes.
HAND_VERDICTS = {
    # "Answer in English with one word: what is the capital of France?": icontains paris fails, so the case fails.
    ("terse · echo", 0): False,
    # "...France?\nHint: Paris": icontains paris passes, contains-any [Paris, Lyon] passes.
    ("polite · echo", 0): True,
    # Japan has threshold 0.5: contains Kyoto 0, starts-with Please 0 (output starts "Answer"), default 1 -> 1/3 < 0.5.
    ("terse · echo", 1): False,
    # contains Kyoto 0, starts-with Please 1, default 1 -> 2/3 >= 0.5: the threshold passes it despite a failure.
    ("polite · echo", 1): True,
    # "...capital of Perú?": regex Per[uú] matches, not-contains Madrid passes.
    ("terse · echo", 2): True,
    ("polite · echo", 2): True,
}
HAND_SCORES = {("terse · echo", 1): 1 / 3, ("polite · echo", 1): 2 / 3}


def _echo_answer(messages: tuple[dict[str, str], ...]) -> str:
    return [m for m in messages if m["role"] == "user"][-1]["content"]


def test_echo_cells_pass_and_fail_as_promptfoo_would():
    experiment = load_promptfoo(CAPITALS)
    verdicts = {}
    scores = {}
    for variant in experiment.variants:
        if variant.provider != "echo":
            continue
        for index, case in enumerate(experiment.cases):
            output = _echo_answer(render_messages(variant, case.vars))
            grade = asyncio.run(grade_output(output, case, experiment.default_checks, CheckContext(vars=case.vars)))
            verdicts[(variant.name, index)] = grade.passed
            scores[(variant.name, index)] = grade.score
    assert verdicts == HAND_VERDICTS
    for key, score in HAND_SCORES.items():
        assert abs(scores[key] - score) < 1e-9


def test_the_hand_verdicts_are_the_ones_promptfoo_recorded():
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))["cells"]
    names = {"prompts/terse.txt": "terse · echo", "polite": "polite · echo"}
    assert {(names[c["prompt"]], c["case"]): c["success"] for c in recorded} == HAND_VERDICTS
    for cell in recorded:
        key = (names[cell["prompt"]], cell["case"])
        if key in HAND_SCORES:
            assert abs(cell["score"] - HAND_SCORES[key]) < 1e-5


# Where promptfoo 0.120.0 and PromptBench knowingly part ways on these fixtures, and why.
KNOWN_DIFFERENCES = {
    # promptfoo 0.120.0 predates word-count: it reads the CSV cell "word-count:3" as equals and fails the YAML
    # word-count checks as unknown; the newest promptfoo (which PromptBench follows) has word-count.
    ("promptfoo_csv_checks", 17): "word-count is newer than promptfoo 0.120.0",
    ("promptfoo_yaml_checks", 8): "word-count is newer than promptfoo 0.120.0",
    # rouge-n: the js-rouge that promptfoo 0.120.0 installs scores the F1 of clipped n-gram matches
    # (precision matches/candidate, recall matches/reference); scoring-semantics.md describes recall only.
    # 'the cat sat' against 'the cat sat on the mat' is 0.667 there and 0.5 here (the same verdict at 0.5).
    ("promptfoo_csv_checks", 16): "rouge-n score formula",
    ("promptfoo_yaml_checks", 9): "rouge-n score formula",
}


@pytest.mark.parametrize("folder", ["promptfoo_csv_checks", "promptfoo_yaml_checks"])
def test_every_other_cell_passes_fails_and_scores_as_promptfoo_recorded(folder):
    config = CAPITALS.parent.parent / folder / "promptfooconfig.yaml"
    recorded = json.loads((config.parent / "promptfoo-echo-results.json").read_text(encoding="utf-8"))["cells"]
    experiment = load_promptfoo(config)
    (variant,) = experiment.variants
    assert len(recorded) == len(experiment.cases)
    compared = 0
    for cell in recorded:
        if (folder, cell["case"]) in KNOWN_DIFFERENCES:
            continue
        case = experiment.cases[cell["case"]]
        output = _echo_answer(render_messages(variant, case.vars))
        grade = asyncio.run(grade_output(output, case, experiment.default_checks, CheckContext(vars=case.vars)))
        assert not cell["error"]
        assert (grade.passed, round(grade.score, 4)) == (cell["success"], round(cell["score"], 4)), (
            folder,
            cell["case"],
        )
        compared += 1
    assert compared == len(recorded) - sum(1 for f, _ in KNOWN_DIFFERENCES if f == folder)
