"""`python -m promptbench` does what the `promptbench` command does."""

import sys

from promptbench.cli import main

sys.exit(main())
