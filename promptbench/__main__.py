"""`python -m promptbench` does what the `promptbench` command does."""

import sys

from promptbench.main import main

sys.exit(main())
