"""promptfoo configs with code: javascript and python checks, transforms, derivedMetrics and CSV fn: cells."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pytest

from promptbench.core.experiment import Check, DerivedMetric
from promptbench.formats.errors import FileProblem
from promptbench.formats.experiment_file import experiment_from_dict
from promptbench.formats.promptfoo.config import load_promptfoo

FIXTURE = Path(__file__).parent / "fixtures" / "promptfoo_code_checks"


def test_the_fixture_maps_every_piece_of_code():
    experiment = load_promptfoo(FIXTURE / "promptfooconfig.yaml")
    rome, oslo, paris, berlin = experiment.cases
    # CSV fn: cells are javascript checks; the defaultTest transform reaches cases without their own
    assert rome.checks == (
        Check("javascript", "output.includes('ROME')"),
        Check("javascript", "context.vars.answer === 'Rome'"),
    )
    assert rome.transform == oslo.transform == paris.transform == "output.toUpperCase()"
    assert berlin.transform == "output.toLowerCase()"  # a test's own replaces the default: they never chain
    module, script, inline, transformed = paris.checks
    source = (FIXTURE / "checks.js").read_text(encoding="utf-8")
    assert module == Check(
        "javascript", {"file": "checks.js", "source": source, "function": "mentionsCity"}, metric="correct"
    )
    assert (
        script.type == "python" and script.value["file"] == "checks.py" and "def get_assert" in script.value["source"]
    )
    assert inline == Check("python", "len(output) > 5")
    assert transformed.transform == "({city: output})"
    assert experiment.derived_metrics == (
        DerivedMetric("accuracy", "correct / __count"),
        DerivedMetric("accuracy_pct", "accuracy * 100"),
    )
    # and it is a valid experiment file, which reads back the same
    assert experiment_from_dict(json.loads(json.dumps(experiment.to_dict()))) == experiment


def _config(tmp_path: Path, text: str, files: dict[str, str]) -> Path:
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content, encoding="utf-8")
    path = tmp_path / "project" / "promptfooconfig.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(dedent(text), encoding="utf-8")
    return path


def test_scripts_outside_the_configs_folder_and_python_transforms_are_refused_with_their_place(tmp_path):
    path = _config(
        tmp_path,
        """
        prompts: ['{{q}}']
        providers: [echo]
        tests:
          - vars: {q: hi}
            options: {transform: 'file://shape.py'}
            assert:
              - {type: javascript, value: 'file://../outside.js'}
              - {type: python, value: 'file://inner/check.js'}
              - {type: contains, value: hi, transform: 'file://missing.js'}
        derivedMetrics:
          - {name: broken}
        """,
        {"outside.js": "module.exports = () => true;", "project/inner/check.js": "", "project/shape.py": ""},
    )
    with pytest.raises(FileProblem) as caught:
        load_promptfoo(path)
    problems = caught.value.problems
    expected = [
        "tests[0].options.transform: 'file://shape.py': transforms must be JavaScript (.js) files",
        "tests[0].assert[0].value: 'file://../outside.js' is outside the config's folder; scripts must sit in that "
        "folder or below it",
        "tests[0].assert[1].value: 'file://inner/check.js': a python check's file must be a Python (.py) file",
        "tests[0].assert[2].transform: 'file://missing.js': ",
        "derivedMetrics[0]: a derived metric needs a name and a value",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)


def test_a_bare_file_cell_in_a_csv_follows_promptfoo(tmp_path):
    from promptbench.formats.promptfoo.asserts import assertion_from_string

    assert assertion_from_string("file://checks.js:ok") == {"type": "javascript", "value": "file://checks.js:ok"}
    # promptfoo 0.123.1 drops file:// from a bare .py cell and runs "x.py" as inline code
    assert assertion_from_string("file://x.py") == {"type": "python", "value": "x.py"}
    assert assertion_from_string("fn: output.length > 2 ") == {"type": "javascript", "value": "output.length > 2"}


def test_exported_code_needs_no_file_and_scores_the_same_after_a_round_trip(tmp_path):
    import asyncio

    from promptbench.core.checks import CheckContext, grade_output
    from promptbench.formats.promptfoo.export import export_promptfoo

    experiment = load_promptfoo(FIXTURE / "promptfooconfig.yaml")
    out = tmp_path / "exported" / "promptfooconfig.yaml"
    out.parent.mkdir()
    export_promptfoo(experiment, out)
    back = load_promptfoo(out)  # no checks.js or checks.py beside it: the scripts travel as inline code
    assert back.derived_metrics == experiment.derived_metrics
    assert [c.transform for c in back.cases] == [c.transform for c in experiment.cases]

    def verdicts(exp, output, case_index):
        case = exp.cases[case_index]
        context = CheckContext(vars=case.vars, python_checks=True)
        grade = asyncio.run(grade_output(output, case, exp.default_checks, context))
        assert grade is not None
        return [(c.passed, c.score, c.error) for c in grade.checks]

    for index, answer in enumerate(["Rome", "Oslo", "Paris", "Berlin"]):
        for output in (f"You said: Reply with: {answer}", "something else"):
            assert verdicts(back, output, index) == verdicts(experiment, output, index), (answer, output)
