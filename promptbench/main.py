"""The `promptbench` command: with a command word, the headless CLI; with none, the window.

It sits above both faces, so neither imports the other (docs/architecture.md).
"""

from __future__ import annotations

import sys

from promptbench import cli
from promptbench.cli.startup import collector_paused


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    with collector_paused():  # parsing imports the command's modules: the most of start-up
        args = cli.parse_args(argv)
    if args.command is None:
        # Imported here so the headless commands never load Qt.
        from promptbench.ui.app import run_app

        return run_app(
            open_path=args.open,
            screenshot=args.screenshot,
            run=args.run,
            part=args.screenshot_part,
            theme=args.screenshot_theme,
            size=args.screenshot_size,
        )
    return cli.run_command(args)


if __name__ == "__main__":
    sys.exit(main())
