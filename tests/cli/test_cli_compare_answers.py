"""`promptbench compare` on two runs of the demo experiment (Echo), one prompt reworded: it counts answers that
changed under the same verdict, and calls only identical answers unchanged."""

from __future__ import annotations

import json
import re

from tests.cli.conftest import promptbench
from tests.support import REPO

DEMO = REPO / "resources" / "demo-experiment.json"


def reworded_demo(tmp_path, variants: tuple[int, ...]):
    """The demo with the instruction "Rewrite this support reply" reworded in the given variants."""
    document = json.loads(DEMO.read_text(encoding="utf-8"))
    for index in variants:
        message = document["variants"][index]["messages"][1]
        message["content"] = message["content"].replace("Rewrite this support reply", "Please rewrite this reply")
    path = tmp_path / "reworded.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def run_id(completed) -> str:
    assert completed.returncode == 1, completed.stderr  # the demo fails some checks on purpose
    match = re.match(r"Polite support replies: run (\S+), completed", completed.stdout)
    assert match, completed.stdout
    return match.group(1)


def compare_counts(tmp_path, variants: tuple[int, ...]) -> str:
    db = str(tmp_path / "h.db")
    first = run_id(promptbench("run", str(DEMO), "--db", db))
    second = run_id(promptbench("run", str(reworded_demo(tmp_path, variants)), "--db", db))
    completed = promptbench("compare", first, second, "--db", db)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_the_prompt_reworded_in_both_variants_changes_all_10_answers(tmp_path):
    out = compare_counts(tmp_path, (0, 1))
    assert "  0 improved, 0 regressed, 10 answer changed, 0 unchanged, 0 new, 0 gone" in out.splitlines()
    listed = [line for line in out.splitlines() if line.lstrip().startswith("case ")]
    assert len(listed) == 10 and all("answer changed" in line for line in listed)
    assert listed[0].split()[:2] == ["case", "1"]  # cases counted from 1


def test_rewording_one_variant_leaves_the_others_answers_unchanged(tmp_path):
    out = compare_counts(tmp_path, (0,))
    assert "  0 improved, 0 regressed, 5 answer changed, 5 unchanged, 0 new, 0 gone" in out.splitlines()
