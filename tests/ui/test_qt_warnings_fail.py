"""Noise is failure: under this repo's pytest configuration a Qt warning fails the test that caused it, whether Qt
itself says it or Python code does through qWarning, while the offscreen platform's own two lines do not.

Each case runs in a pytest of its own (pytester, in a subprocess) with pyproject.toml as its configuration, so what
is proven is the setting the whole suite runs under, not a copy of it.
"""

from __future__ import annotations

import pytest

from tests.support import REPO

pytest_plugins = ["pytester"]

TESTS = """
from PySide6.QtCore import QObject, qWarning


def test_qt_itself_warns(qtbot):
    QObject().startTimer(-1)  # "QObject::startTimer: negative intervals aren't allowed; ..."


def test_python_code_warns_through_qt(qtbot):
    qWarning("a model was asked for a row it does not have")


def test_the_offscreen_platform_talks(qtbot):
    qWarning("This plugin does not support raise()")
    qWarning("This plugin does not support propagateSizeHints()")


def test_quiet(qtbot):
    QObject().startTimer(10)
"""


@pytest.fixture
def outcome(pytester: pytest.Pytester) -> pytest.RunResult:
    tests = pytester.makepyfile(test_noise=TESTS)
    # A run of its own: Qt's message handler and QApplication are process-wide.
    return pytester.runpytest_subprocess(
        "-c", str(REPO / "pyproject.toml"), "--rootdir", str(pytester.path), "-p", "no:cacheprovider", "-rA", tests
    )


def test_a_qt_warning_fails_the_test_and_platform_noise_does_not(outcome):
    outcome.assert_outcomes(passed=2, failed=2)
    outcome.stdout.fnmatch_lines(
        [
            "FAILED test_noise.py::test_qt_itself_warns*",
            "FAILED test_noise.py::test_python_code_warns_through_qt*",
        ]
    )
    passed = {line.split()[1] for line in outcome.outlines if line.startswith("PASSED ")}
    assert passed == {"test_noise.py::test_the_offscreen_platform_talks", "test_noise.py::test_quiet"}


def test_the_failure_quotes_what_qt_said(outcome):
    text = outcome.stdout.str()
    assert "Failure: Qt messages with level WARNING or above emitted" in text
    assert "QObject::startTimer: negative intervals aren't allowed" in text
    assert "a model was asked for a row it does not have" in text
