#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine with Python 3.11, runs the linters and the type checker,
# then the whole suite.
# Usage: bash tests/run-all.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: Qt's libraries and fonts, a virtual display, and a real Secret Service for the keyring tests.
source packaging/apt-packages.sh
install_missing_apt_packages "${VENV_APT_PACKAGES[@]}" "${QT_APT_PACKAGES[@]}" "${TEST_APT_PACKAGES[@]}" xvfb xauth dbus gnome-keyring desktop-file-utils appstream

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# setuptools' ten-line note on every editable install with a renamed package folder (resources/): only it is silenced.
PYTHONWARNINGS="ignore:Editable installation" .venv/bin/python -m pip install -q -e ".[test]"

# The checks that keep the code as it should read, before any test: lint, formatting, types (pyproject.toml says
# where mypy is strict) and the import rules between the layers. Any of them failing fails the run.
check() {
    echo "--- $*"
    ".venv/bin/$1" "${@:2}"
}
check ruff check .
check ruff format --check .
check mypy
check lint-imports --no-cache

# Extra arguments go to pytest. Its exit code is the script's: 5 (no test ran) fails the run as any non-zero does.
exec .venv/bin/python -m pytest "$@"
