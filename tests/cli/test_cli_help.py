"""`promptbench --help` lists every command without importing the heavy libraries, and a command's own `--help`
still comes from its module."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys

from promptbench import cli
from tests.cli.conftest import promptbench
from tests.support import REPO

HEAVY = ("openai", "PySide6", "sqlite_utils", "jsonschema", "keyring")

# Runs `promptbench ARGS` in this interpreter and prints, as JSON, which of the heavy libraries it imported.
RUNNER = """
import json, sys
from promptbench.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = {heavy!r}
print(json.dumps(sorted(name for name in heavy if name in sys.modules)), file=sys.stderr)
"""


def heavy_imports(*args: str) -> tuple[list[str], str]:
    completed = subprocess.run(
        [sys.executable, "-c", RUNNER.format(heavy=HEAVY), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return json.loads(completed.stderr.splitlines()[-1]), completed.stdout


def test_help_imports_none_of_the_heavy_libraries():
    imported, help_text = heavy_imports("--help")
    assert imported == []
    for command in cli.COMMANDS:
        assert f"\n    {command} " in help_text, command


def test_the_window_path_parses_without_the_heavy_libraries():
    # `promptbench --version` and the parse before the window opens load no command module either.
    assert heavy_imports("--version")[0] == []
    assert cli.parse_args(["--open", "run"]).command is None  # a file named like a command is still a file


def test_the_help_table_says_what_the_modules_say():
    assert cli.build_parser().format_help() == cli.build_parser(*cli.COMMANDS).format_help()


def test_a_commands_own_help_comes_from_its_module():
    completed = promptbench("history", "--help")
    assert completed.returncode == 0, completed.stderr
    assert "--search TEXT" in completed.stdout and "{delete,vacuum,metadata}" in completed.stdout
    completed = promptbench("run", "--help")
    assert completed.returncode == 0 and "--concurrency N" in completed.stdout


def test_a_command_loads_only_its_own_module():
    imported, _ = heavy_imports("doctor", "--help")
    assert "openai" in imported  # doctor reaches providers itself
    args = cli.parse_args(["show", "RUN-1"])
    assert args.command == "show" and callable(args.handler)


def test_an_unknown_command_or_option_is_a_usage_error():
    completed = promptbench("bogus")
    assert completed.returncode == 2
    assert "invalid choice: 'bogus'" in completed.stderr and "'export-promptfoo'" in completed.stderr
    completed = promptbench("--bogus")
    assert completed.returncode == 2 and "unrecognized arguments: --bogus" in completed.stderr


def readme_commands() -> list[list[str]]:
    """Every `promptbench …` line of the README's shell blocks, as argv (its comment left out)."""
    commands, in_shell = [], False
    for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_shell = line == "```sh"
        elif in_shell and line.startswith("promptbench "):
            commands.append(shlex.split(line.split(" #")[0])[1:])
    return commands


def test_every_command_the_readme_shows_parses():
    commands = readme_commands()
    assert ["show", "RUN"] in commands and ["compare", "RUN_A", "RUN_B"] in commands
    for argv in commands:
        args = cli.parse_args(argv)  # an unknown command or option would exit with a usage error
        assert args.command == argv[0], argv
