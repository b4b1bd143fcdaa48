"""The layers of docs/architecture.md hold: the core never imports Qt or another promptbench layer, and the faces
reach storage, formats, secrets and profiles only through the service."""

import subprocess
import sys
from pathlib import Path

from tests.support import REPO


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    completed = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Contracts: 3 kept, 0 broken." in completed.stdout


def test_the_cli_run_path_never_loads_qt():
    code = "import sys, promptbench.cli.run, promptbench.service.run; print('PySide6' in sys.modules)"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert completed.stdout.strip() == "False", completed.stderr
