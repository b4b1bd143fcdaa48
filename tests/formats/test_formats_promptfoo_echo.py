"""An imported config scores each echo cell as promptfoo would.

promptfoo's echo provider answers with the rendered prompt; for a plain text prompt (one user message)
PromptBench's echo answers with the same text. The verdicts below were worked out by hand from
../shared/reference/scoring-semantics.md for fixtures/promptfoo_capitals, and the test checks that the
imported checks, run by promptbench.core.checks, reach the same ones. promptfoo itself (0.120.0, the echo
provider only) was run on the same config once; its verdicts are kept in promptfoo-echo-results.json and agree.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from promptbench.core.checks import CheckContext, grade_output
from promptbench.core.templates import render_messages
from promptbench.formats.promptfoo import load_promptfoo

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
