"""Is B really better, through the real `promptbench run` on the offline Echo provider: two designed experiments
of 50 cases whose pass pattern is fixed by the variables (Echo answers with the prompt itself). In one the
variants differ on 20 cases, all one way: significant. In the other on 3: could be chance."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import promptbench


def designed_experiment(both: int, only_variant: int, cases: int = 50, repeats: int = 1) -> dict:
    """Base sends "{{text}}", the variant "{{text}} {{extra}}"; the check wants "yes". So a case passes for
    both when text is "yes", for the variant alone when only extra is, and for neither otherwise."""

    def case(index: int) -> dict:
        if index < both:
            return {"vars": {"text": "yes", "extra": ""}}
        if index < both + only_variant:
            return {"vars": {"text": "no", "extra": "yes"}}
        return {"vars": {"text": "no", "extra": ""}}

    return {
        "format": "promptbench.experiment",
        "version": 1,
        "name": "Designed",
        "variants": [
            {
                "name": "Base",
                "provider": "echo",
                "model": "echo",
                "messages": [{"role": "user", "content": "{{text}}"}],
            },
            {
                "name": "Longer",
                "provider": "echo",
                "model": "echo",
                "messages": [{"role": "user", "content": "{{text}} {{extra}}"}],
            },
        ],
        "cases": [case(i) for i in range(cases)],
        "default_checks": [{"type": "icontains", "value": "yes"}],
        "settings": {"repeats": repeats, "cache": False},
    }


def run_designed(tmp_path, experiment: dict) -> tuple[dict, str]:
    path = tmp_path / "designed.json"
    path.write_text(json.dumps(experiment), encoding="utf-8")
    output = tmp_path / "results.json"
    completed = promptbench("run", str(path), "--output", str(output), "--db", str(tmp_path / "h.db"))
    assert completed.returncode == 1, completed.stderr  # some checks fail, by design
    return json.loads(output.read_text(encoding="utf-8")), completed.stdout


def test_twenty_cases_all_one_way_is_significant(tmp_path):
    document, stdout = run_designed(tmp_path, designed_experiment(both=15, only_variant=20))
    [comparison] = document["comparisons"]
    assert {k: comparison[k] for k in ("base", "variant", "cases", "base_passed", "variant_passed")} == {
        "base": "Base",
        "variant": "Longer",
        "cases": 50,
        "base_passed": 15,
        "variant_passed": 35,
    }
    assert (comparison["only_base"], comparison["only_variant"]) == (0, 20)
    assert comparison["difference"] == pytest.approx(0.4)
    assert comparison["p_value"] == pytest.approx(2 / 2**20)
    assert comparison["adjusted_p_value"] == comparison["p_value"]  # one comparison: nothing to adjust
    assert comparison["significant"] is True
    assert comparison["test"] == "mcnemar-exact"
    assert 0 < comparison["ci_low"] < 0.4 < comparison["ci_high"] < 1
    sentence = (
        "Longer passes 20 more of 50 cases than Base (70% vs 30%); "
        "a difference this large would be unlikely by chance (p < 0.001)."
    )
    assert comparison["sentence"] == sentence
    assert sentence in stdout.splitlines()
    shown = promptbench("show", "last", "--db", str(tmp_path / "h.db"))
    assert shown.returncode == 0, shown.stderr
    assert f"  {sentence}" in shown.stdout.splitlines()  # `promptbench show RUN` says the same
    mirrored = promptbench("show", "last", "--base", "Longer", "--db", str(tmp_path / "h.db"))
    assert mirrored.returncode == 0, mirrored.stderr
    assert "  Base passes 20 fewer of 50 cases than Longer (30% vs 70%)" in mirrored.stdout
    unknown = promptbench("show", "last", "--base", "Nope", "--db", str(tmp_path / "h.db"))
    assert unknown.returncode == 2 and "no variant named 'Nope'" in unknown.stderr and not unknown.stdout


def test_three_cases_could_be_chance(tmp_path):
    document, stdout = run_designed(tmp_path, designed_experiment(both=25, only_variant=3))
    [comparison] = document["comparisons"]
    assert (comparison["base_passed"], comparison["variant_passed"]) == (25, 28)
    assert (comparison["only_base"], comparison["only_variant"]) == (0, 3)
    assert comparison["p_value"] == pytest.approx(0.25)
    assert comparison["significant"] is False
    assert comparison["ci_low"] < 0 < comparison["ci_high"]
    sentence = (
        "Longer passes 3 more of 50 cases than Base (56% vs 50%); the difference could easily be chance "
        "(p = 0.25): add cases or repeats before choosing."
    )
    assert comparison["sentence"] == sentence
    lines = stdout.splitlines()
    assert sentence in lines
    # How many cases are enough, beside the sentence.
    figures = lines[lines.index(sentence) + 1]
    assert "50 cases can reliably show a difference of about" in figures
    assert comparison["more_cases_needed"] > 0
    assert f"About {comparison['more_cases_needed']} more cases would settle a difference of 6 points." in figures


def test_repeats_compare_per_case_means_and_report_stability(tmp_path):
    document, stdout = run_designed(tmp_path, designed_experiment(both=15, only_variant=20, repeats=2))
    [comparison] = document["comparisons"]
    assert comparison["test"] == "paired-bootstrap"
    assert comparison["difference"] == pytest.approx(0.4)
    assert comparison["significant"] is True
    # Echo answers the same every time: nothing flips.
    assert [s["unstable_cases"] for s in document["stability"]] == [[], []]
    assert [s["passed_every_time"] for s in document["stability"]] == [15, 35]
    assert [s["repeats"] for s in document["stability"]] == [2, 2]
    assert "Stability over 2 repeats:" in stdout.splitlines()
