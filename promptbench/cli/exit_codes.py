"""How a command ends, as the shell sees it: one set of exit codes for every command (README and
docs/results-format.md list them for `promptbench run`, docs/keys-and-providers.md for `keys` and `providers`).

Each code keeps one meaning across commands; a command that gives a code its own words has them as an alias.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    CHECKS_FAILED = 1  # `run`: every cell answered, but some check failed
    USAGE = 2  # a usage or file problem (a bad argument, a file that cannot be read or written): nothing was called
    CALLS_FAILED = 3  # `run`: some calls failed or were not made; `providers test`: the profile's test call failed

    # The same codes in the words of other commands.
    NEEDS_ATTENTION = 1  # `doctor`: some finding needs fixing
    NOT_DONE = 1  # `keys`, `providers`: the keyring or the settings file could not do it
