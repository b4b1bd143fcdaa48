"""`promptbench run` on the demo names cases by the numbers the grid's row headers show (from 1)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt

from promptbench.service.files import load_experiment
from promptbench.ui.results.grid_model import ResultsModel
from promptbench.ui.results.grid_view import ResultsView
from tests.support import REPO

pytestmark = pytest.mark.gui

DEMO = REPO / "resources" / "demo-experiment.json"


def test_cli_case_numbers_are_the_grids_row_headers(qtbot, tmp_path):
    output = tmp_path / "x.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "promptbench",
            "run",
            str(DEMO),
            "--output",
            str(output),
            "--db",
            str(tmp_path / "h.db"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 1, completed.stderr
    model = ResultsModel()
    view = ResultsView(model)
    qtbot.addWidget(view)
    model.reset(load_experiment(DEMO))
    view.show()
    headers = [
        model.headerData(row, Qt.Orientation.Vertical, Qt.ItemDataRole.DisplayRole) for row in range(model.rowCount())
    ]
    assert headers[0] == "1  Broken blender"
    listed = {}
    for line in completed.stdout.splitlines():
        if line.startswith(("Cases every variant failed: ", "Cases the variants disagree on: ")):
            title, cases = line.split(": ", 1)
            listed[title] = [(int(n), d) for n, d in re.findall(r"(\d+) \(([^)]*)\)", cases)]
    assert set(listed) == {"Cases every variant failed", "Cases the variants disagree on"}
    document = json.loads(output.read_text())
    # The JSON keeps its 0-based case index; the CLI and the grid both say index + 1.
    for title, key in (
        ("Cases every variant failed", "failed_by_all"),
        ("Cases the variants disagree on", "disagreements"),
    ):
        assert [number - 1 for number, _ in listed[title]] == document[key]
        for number, description in listed[title]:
            assert headers[number - 1] == f"{number}  {description}"
