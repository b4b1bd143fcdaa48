#!/usr/bin/env bash
# Installs PromptBench into .venv beside this checkout and starts it (Debian/Ubuntu with Python 3.11 or newer).
# Usage: bash packaging/install.sh [promptbench arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

# Qt needs a few system libraries and at least one font; Secret Service keeps API keys in the OS keyring.
apt_packages=(
    python3-venv fonts-dejavu-core libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libglib2.0-0
    libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
    libxcb-render-util0 libxcb-image0 gnome-keyring
)
if command -v apt-get >/dev/null 2>&1; then
    missing=()
    for package in "${apt_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        sudo_cmd=""
        [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
        echo "Installing system packages: ${missing[*]}"
        $sudo_cmd apt-get update -q
        DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
echo "Installed. Next time, start it with: $(pwd)/.venv/bin/promptbench"
exec .venv/bin/promptbench "$@"
