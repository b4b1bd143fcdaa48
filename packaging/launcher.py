"""The bundle's entry point: what `promptbench` (or PromptBench.app, or promptbench.exe) runs.

PyInstaller needs a script, not a console-script entry point; this one does what `python -m promptbench` does.
"""

import sys

from promptbench.main import main

if __name__ == "__main__":
    sys.exit(main())
