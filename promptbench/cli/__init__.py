"""The headless face: `promptbench run`, and the other commands. Placeholder until the run command lands."""

import sys


def main(argv=None) -> int:
    print("promptbench: the command line is being built.", file=sys.stderr)
    return 2
