"""select-best in a promptfoo config: read as a check (its grader from defaultTest's options like llm-rubric's),
written back unchanged, and refused with its place where it cannot run (no criteria, inside an assert-set)."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
import yaml

from promptbench.core.experiment import Check
from promptbench.formats.errors import FileProblem
from promptbench.formats.experiment_file import experiment_from_dict
from promptbench.formats.promptfoo.config import export_promptfoo, load_promptfoo


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "promptfooconfig.yaml"
    path.write_text(dedent(text), encoding="utf-8")
    return path


def test_select_best_is_read_with_the_default_tests_grader_and_written_back(tmp_path):
    path = _config(
        tmp_path,
        """
        prompts: ['Say hello to {{who}}', 'SHOUT hello to {{who}}']
        providers: [openai:gpt-4o-mini]
        defaultTest:
          options:
            provider: openai:gpt-4o
        tests:
          - vars: {who: Ann}
            assert:
              - {type: select-best, value: the friendliest greeting, metric: Friendliest}
        """,
    )
    experiment = load_promptfoo(path)
    assert experiment.cases[0].checks == (
        Check("select-best", "the friendliest greeting", metric="Friendliest", provider="openai", model="gpt-4o"),
    )
    assert experiment_from_dict(experiment.to_dict()) == experiment  # and in our own experiment file
    out = tmp_path / "back.yaml"
    export_promptfoo(experiment, out)
    [test] = yaml.safe_load(out.read_text(encoding="utf-8"))["tests"]
    [assertion] = test["assert"]
    assert {k: assertion[k] for k in ("type", "value", "metric")} == {
        "type": "select-best",
        "value": "the friendliest greeting",
        "metric": "Friendliest",
    }
    assert load_promptfoo(out).cases[0].checks[0].type == "select-best"


def test_select_best_without_criteria_or_inside_an_assert_set_is_refused_with_its_place(tmp_path):
    path = _config(
        tmp_path,
        """
        prompts: ['a {{x}}', 'b {{x}}']
        providers: [echo]
        tests:
          - vars: {x: 1}
            assert:
              - {type: select-best}
              - type: assert-set
                assert:
                  - {type: select-best, value: the shortest}
        """,
    )
    with pytest.raises(FileProblem) as caught:
        load_promptfoo(path)
    text = "\n".join(caught.value.problems)
    assert "tests[0].assert[0]" in text and "'select-best' needs a value: the criteria" in text
    assert "holds a select-best check, which compares variants and so cannot be in a set" in text
