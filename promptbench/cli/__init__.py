"""The headless face: `promptbench run experiment.json` and friends, on the same engine as the window.

Exit codes: 0 every cell ran and passed, 1 some check failed, 2 a usage or file error, 3 some calls failed.
"""

from __future__ import annotations

import argparse
import sys

from promptbench import __version__
from promptbench.cli import run as run_commands

EXIT_OK = 0
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="promptbench",
        description="Compare prompt variants side by side against a test set. "
        "With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"promptbench {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    run_commands.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        print("The PromptBench window is not part of this version yet; use `promptbench run FILE`.")
        return EXIT_OK
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
