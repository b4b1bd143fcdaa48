"""The bundle's entry point: what `promptbench` (or PromptBench.app, or promptbench.exe) runs.

PyInstaller needs a script, not a console-script entry point; this one does what `python -m promptbench` does.
The window runs its engine in a spawned process, which a frozen app starts by running itself again:
freeze_support() turns that start into the engine's process instead of a second window.
"""

import multiprocessing
import sys

from promptbench.main import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
