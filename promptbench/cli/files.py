"""`promptbench import CONFIG -o experiment.json`, `promptbench export-promptfoo EXPERIMENT -o CONFIG` and
`promptbench import-tests FILE --into experiment.json`.

Exit codes: 0 written, 2 the input could not be read (every problem is printed, one per line, with its place).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from promptbench.cli.exit_codes import ExitCode
from promptbench.service.files import (
    FileProblem,
    export_promptfoo,
    import_tests,
    load_experiment,
    load_promptfoo,
    save_experiment,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    importer = subparsers.add_parser("import", help="convert a promptfoo config into an experiment file")
    importer.add_argument("config", type=Path, help="promptfooconfig.yaml")
    importer.add_argument("-o", "--output", type=Path, required=True, metavar="PATH", help="experiment file to write")
    importer.set_defaults(handler=import_command)

    exporter = subparsers.add_parser("export-promptfoo", help="write an experiment as a promptfoo config")
    exporter.add_argument("experiment", type=Path, help="experiment.json")
    exporter.add_argument(
        "-o", "--output", type=Path, required=True, metavar="PATH", help="promptfooconfig.yaml to write"
    )
    exporter.set_defaults(handler=export_promptfoo_command)

    tests = subparsers.add_parser(
        "import-tests", help="add the test cases of a CSV, JSONL or XLSX file to an experiment"
    )
    tests.add_argument(
        "file", type=Path, help="tests.csv, tests.jsonl (promptfoo tests or OpenAI-evals samples), tests.xlsx"
    )
    tests.add_argument("--into", type=Path, required=True, metavar="EXPERIMENT", help="experiment.json to change")
    tests.add_argument("--replace", action="store_true", help="replace the experiment's test cases instead of adding")
    tests.set_defaults(handler=import_tests_command)


def import_command(args: argparse.Namespace) -> int:
    try:
        experiment = load_promptfoo(args.config)
    except FileProblem as problem:
        return _report(problem, "cannot be imported; nothing was written")
    try:
        save_experiment(experiment, args.output)
    except OSError as error:
        print(f"promptbench: {args.output} cannot be written ({error.strerror or error}).", file=sys.stderr)
        return ExitCode.USAGE
    print(f"Imported {len(experiment.variants)} variants and {len(experiment.cases)} test cases into {args.output}.")
    return ExitCode.OK


def export_promptfoo_command(args: argparse.Namespace) -> int:
    try:
        experiment = load_experiment(args.experiment)
    except FileProblem as problem:
        return _report(problem, "cannot be read; nothing was written")
    try:
        export_promptfoo(experiment, args.output)
    except FileProblem as problem:
        return _report(problem, "cannot be written as a promptfoo config")
    except OSError as error:
        print(f"promptbench: {args.output} cannot be written ({error.strerror or error}).", file=sys.stderr)
        return ExitCode.USAGE
    print(f"Wrote {args.output}; run it with: npx promptfoo@latest eval -c {args.output}")
    return ExitCode.OK


def import_tests_command(args: argparse.Namespace) -> int:
    try:
        done = import_tests(args.file, args.into, replace_cases=args.replace)
    except FileProblem as problem:
        return _report(problem, f"cannot be imported; {args.into} was not changed")
    except OSError as error:
        print(
            f"promptbench: {args.into} cannot be written ({error.strerror or error}); it was not changed.",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    cases = f"{done.read} test case{'s' if done.read != 1 else ''}"
    if args.replace:
        print(f"Replaced the {done.before} test cases of {args.into} with {cases} from {args.file}.")
    else:
        print(f"Added {cases} from {args.file} to {args.into}; it now has {done.after}.")
    if done.holds_chats and not done.chat_sent:
        print(
            "These cases hold a chat in the variable input (OpenAI-evals samples): give a variant one message "
            "{{ input | dump }} to send that chat; ideal became the expected output."
        )
    return ExitCode.OK


def _report(problem: FileProblem, what: str) -> int:
    print(f"promptbench: {problem.path} {what}:", file=sys.stderr)
    for sentence in problem.problems:
        print(f"  {sentence}", file=sys.stderr)
    return ExitCode.USAGE
