"""Files the faces read and write: experiment files, test sets (CSV, JSONL, JSON, XLSX, pasted rows) and
promptfoo configs.

Reading and writing them is promptbench.formats' job; the faces reach it through here. Every reader raises
`FileProblem`, with one sentence per problem naming its place, and changes nothing when it does. The test set and
promptfoo readers are imported on first use: neither the window nor `promptbench run` needs them to start.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promptbench.core.experiment import Experiment, TestCase
from promptbench.core.result import Result
from promptbench.core.run_tally import RunTally
from promptbench.formats.errors import FileProblem
from promptbench.formats.experiment_file import (
    experiment_from_dict,
    experiment_from_json,
    load_experiment,
    save_experiment,
)

if TYPE_CHECKING:
    from promptbench.storage import History

__all__ = [
    "FileProblem",
    "cases_from_table",
    "experiment_from_json",
    "export_promptfoo",
    "import_tests",
    "load_experiment",
    "load_promptfoo",
    "parse_pasted_rows",
    "read_test_set",
    "save_experiment",
    "write_results_json",
    "write_run_results_json",
]


def read_test_set(path: Path) -> list[TestCase]:
    """The test cases in a CSV, TSV, JSONL, JSON or XLSX file (the first sheet)."""
    from promptbench.formats.testsets.files import read_test_set as read

    return read(Path(path))


@dataclass(frozen=True)
class ImportedTests:
    """What `import_tests` did: cases read, cases the experiment had before and has now."""

    read: int
    before: int
    after: int
    holds_chats: bool  # the cases are OpenAI-evals samples, whose chat is in the variable `input`
    chat_sent: bool  # some variant sends that chat (`{{ input | dump }}` or the like)


def import_tests(test_set: Path, experiment_path: Path, *, replace_cases: bool = False) -> ImportedTests:
    """Add the test cases of a CSV, TSV, JSONL, JSON or XLSX file to an experiment file (or replace its cases).

    The experiment file changes only when every row reads and the result is a valid experiment, and then in one
    atomic write: any FileProblem leaves it as it was."""
    from promptbench.formats.testsets.rows import is_eval_sample

    experiment = load_experiment(Path(experiment_path))
    cases = read_test_set(Path(test_set))
    if not cases:
        raise FileProblem(str(test_set), ["the file holds no test cases; the experiment was not changed."])
    kept = () if replace_cases else experiment.cases
    updated = replace(experiment, cases=(*kept, *cases))
    # The file as it will be written must read back: a value JSON cannot hold is found here, not on next open.
    experiment_from_dict(json.loads(json.dumps(updated.to_dict(), ensure_ascii=False)), str(experiment_path))
    save_experiment(updated, Path(experiment_path))
    holds_chats = any(is_eval_sample(case.vars) for case in cases)
    chat_sent = any("input" in message.content for variant in updated.variants for message in variant.messages)
    return ImportedTests(len(cases), len(experiment.cases), len(updated.cases), holds_chats, chat_sent)


def parse_pasted_rows(text: str) -> tuple[list[str], list[list[str]]]:
    """What a spreadsheet puts on the clipboard, split: its first row, and the rows after it."""
    from promptbench.formats.testsets.files import parse_pasted_rows as parse

    return parse(text)


def cases_from_table(table: tuple[list[str], list[tuple[int, list[str]]]], where: str) -> list[TestCase]:
    """The test cases in a header and numbered rows, read as a test set file's are; `where` names them in a
    FileProblem."""
    from promptbench.formats.testsets.files import cases_from_table as read

    return read(table, where)


def load_promptfoo(path: Path) -> Experiment:
    """A promptfoo config (promptfooconfig.yaml) as an experiment."""
    from promptbench.formats.promptfoo.config import load_promptfoo as load

    return load(Path(path))


def export_promptfoo(experiment: Experiment, path: Path, env: Mapping[str, str] | None = None) -> None:
    """Write `experiment` as a promptfoo config; FileProblem for what promptfoo cannot say.

    A variant or grader on one of the user's saved profiles (or a preset) is written with that profile's address,
    as a provider the config declares, so the config runs the same elsewhere (the key stays in the keyring)."""
    from promptbench.formats.promptfoo.config import export_promptfoo as export
    from promptbench.profiles import known_profiles

    export(experiment, Path(path), profiles=known_profiles(experiment.providers, env=env))


def write_results_json(
    path: Path, experiment: Experiment, results: Sequence[Result], *, run_info: Mapping[str, Any] | None = None
) -> None:
    """Write every cell of a run as JSON (docs/results-format.md); `run_info` says which run it was."""
    from promptbench.formats.reports.results_json import write_results_json as write

    write(Path(path), experiment, results, run_info=run_info)


def write_run_results_json(
    path: Path,
    experiment: Experiment,
    tally: RunTally,
    history: History,
    run_id: str,
    *,
    run_info: Mapping[str, Any] | None = None,
    unwritten: Sequence[Result] = (),
) -> None:
    """Write a run just finished as JSON from its tally and its results read back from the history one case at a
    time: the same bytes `write_results_json` writes from the results in memory, without holding them. `unwritten`
    are results the history could not take (a full disk); with any, the cells are put in order in memory."""
    from promptbench.formats.reports.results_json import file_order, write_tallied_json

    if unwritten:
        ordered: Iterable[Result] = file_order(experiment, [*history.iter_results(run_id), *unwritten])
    else:
        # The history gives them by case: each case's few cells are put in the file's order on their own.
        ordered = (
            result
            for _, cells in groupby(history.iter_results(run_id), key=lambda r: r.key.case)
            for result in file_order(experiment, cells)
        )
    write_tallied_json(Path(path), experiment, tally, ordered, run_info=run_info)
