#!/usr/bin/env bash
# Installs PromptBench into .venv beside this checkout, makes `promptbench` a command for this user (a link in
# ~/.local/bin) with an entry and icon in the desktop's app menu, and starts it. Debian/Ubuntu, Python 3.11 or newer.
# Usage: bash packaging/install.sh [promptbench arguments]
# Running it again is quick: the Python packages are installed again only when pyproject.toml or setup.py changed.
# To remove it: delete .venv, ~/.local/bin/promptbench, ~/.local/share/applications/promptbench.desktop and
# ~/.local/share/icons/hicolor/*/apps/promptbench.*
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$(pwd)

# Qt's libraries and fonts; Secret Service keeps API keys in the OS keyring.
source packaging/apt-packages.sh
install_missing_apt_packages "${VENV_APT_PACKAGES[@]}" "${QT_APT_PACKAGES[@]}" gnome-keyring

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip
fi
# The code is an editable install (read from this checkout), so only a change of the project's metadata
# (dependencies, entry points, package list) needs pip again.
metadata=$(cat pyproject.toml setup.py | sha256sum)
if [ ! -x .venv/bin/promptbench ] || [ "$(cat .venv/promptbench-metadata 2>/dev/null)" != "$metadata" ]; then
    # setuptools finds resources/ (installed as promptbench.resources) through an import hook in an editable install
    # and says so in a ten-line note on every install; that note, and only it, is silenced.
    PYTHONWARNINGS="ignore:Editable installation" .venv/bin/python -m pip install -q -e .
    echo "$metadata" >.venv/promptbench-metadata
fi

# A path as the Desktop Entry spec wants it in Exec: bare when plain; else quoted, with % doubled and " ` $ \
# escaped by a backslash that is itself escaped (the spec's string rule applies before its quoting rule).
desktop_exec() {
    local path=$1
    if [[ $path =~ ^[A-Za-z0-9/._+-]+$ ]]; then
        printf '%s' "$path"
        return
    fi
    path=${path//%/%%}
    path=${path//\\/\\\\\\\\}
    path=${path//\"/\\\\\"}
    path=${path//\`/\\\\\`}
    path=${path//\$/\\\\\$}
    printf '"%s"' "$path"
}

# For this user only: the command, the app menu entry (its Exec the command's full path, which works before
# ~/.local/bin is on PATH) and the icons, in the folders the XDG specs name.
bin_dir="$HOME/.local/bin"
data_dir="${XDG_DATA_HOME:-$HOME/.local/share}"
command="$bin_dir/promptbench"
mkdir -p "$bin_dir" "$data_dir/applications"
ln -sfn "$checkout/.venv/bin/promptbench" "$command"
while IFS= read -r line; do
    case $line in Exec=promptbench*) line="Exec=$(desktop_exec "$command")${line#Exec=promptbench}" ;; esac
    printf '%s\n' "$line"
done <packaging/promptbench.desktop >"$data_dir/applications/promptbench.desktop"
hicolor="$data_dir/icons/hicolor"
for png in resources/icons/promptbench-*.png; do
    size=${png##*-}
    size=${size%.png}
    install -D -m 644 "$png" "$hicolor/${size}x${size}/apps/promptbench.png"
done
install -D -m 644 resources/icons/promptbench.svg "$hicolor/scalable/apps/promptbench.svg"
touch "$hicolor" # desktops notice new icons by the theme folder's time
if [ -f "$hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null; then
    gtk-update-icon-cache -q -t -f "$hicolor" || true
fi

echo "Installed: start it with \`promptbench\` (linked in ~/.local/bin), or from the app menu."
if [[ ":$PATH:" != *":$bin_dir:"* && ":$PATH:" != *":$bin_dir/:"* ]]; then
    login_file="$HOME/.profile" # bash's login shell reads the first of these that exists
    for candidate in "$HOME/.bash_profile" "$HOME/.bash_login" "$HOME/.profile"; do
        [ -f "$candidate" ] && login_file=$candidate && break
    done
    shown=${login_file/#"$HOME"/\~}
    if grep -qs '\.local/bin' "$login_file"; then
        echo "~/.local/bin is not on PATH yet; $shown adds it at login: open a new login shell, or log out and in."
    else
        echo "~/.local/bin is not on PATH: add  export PATH=\"\$HOME/.local/bin:\$PATH\"  to $shown, then log out and in."
    fi
fi
exec .venv/bin/promptbench "$@"
