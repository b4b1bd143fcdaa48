"""The headless face: `promptbench run experiment.json` and friends, on the same engine as the window.

Exit codes: 0 every cell ran and passed, 1 some check failed, 2 a usage or file error, 3 some calls failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from promptbench import __version__
from promptbench.cli import files as files_commands
from promptbench.cli import history as history_commands
from promptbench.cli import keys as keys_commands
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
    window = parser.add_argument_group("the window (when no command is given)")
    window.add_argument("--open", type=Path, metavar="FILE", help="open this experiment file")
    window.add_argument("--screenshot", type=Path, metavar="PATH",
                        help="render the window offscreen to a PNG at PATH and exit")
    window.add_argument("--run", action="store_true", help="with --screenshot: run the experiment first")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    run_commands.register(subparsers)
    keys_commands.register(subparsers)
    history_commands.register(subparsers)
    files_commands.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        # Imported here so the headless commands never load Qt.
        from promptbench.ui.app import run_app

        return run_app(open_path=args.open, screenshot=args.screenshot, run=args.run)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
