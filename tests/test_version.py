"""The version is written once, in promptbench/__init__.py; everything else that states it reads it or agrees.

(The AppStream release is checked in tests/packaging/test_desktop_files.py, the bundle's `--version` in
tests/packaging/test_bundle.py; packaging/promptbench.spec reads the version from promptbench/__init__.py.)
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

from promptbench import __version__
from tests.support import REPO


def test_pyproject_reads_the_version_from_the_package():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "promptbench.__version__"}


def test_the_installed_distribution_has_the_packages_version():
    assert metadata.version("promptbench") == __version__, "installed metadata is stale: pip install -e . again"


def test_the_changelogs_newest_release_is_this_version():
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## \[([^\]]+)\]", changelog, flags=re.MULTILINE)
    assert sections[0] == "Unreleased"
    assert sections[1] == __version__


def test_the_results_format_example_shows_this_version():
    text = (REPO / "docs" / "results-format.md").read_text(encoding="utf-8")
    assert re.findall(r'"promptbench": "([^"]+)"', text) == [__version__]
