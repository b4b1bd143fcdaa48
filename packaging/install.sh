#!/usr/bin/env bash
# Installs PromptBench into .venv beside this checkout and starts it (Debian/Ubuntu with Python 3.11 or newer).
# Usage: bash packaging/install.sh [promptbench arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

# Qt's libraries and fonts; Secret Service keeps API keys in the OS keyring.
source packaging/apt-packages.sh
install_missing_apt_packages "${VENV_APT_PACKAGES[@]}" "${QT_APT_PACKAGES[@]}" gnome-keyring

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
echo "Installed. Next time, start it with: $(pwd)/.venv/bin/promptbench"
exec .venv/bin/promptbench "$@"
