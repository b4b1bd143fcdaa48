# Sourced by packaging/install.sh and tests/run-all.sh: installs the Debian packages given that are missing.
install_missing_apt_packages() {
    command -v apt-get >/dev/null 2>&1 || return 0
    local missing=() package sudo_cmd=""
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    echo "Installing system packages: ${missing[*]}"
    $sudo_cmd apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Debian's own Python makes virtual environments only with python3-venv installed.
VENV_APT_PACKAGES=()
python3 -c "import ensurepip" 2>/dev/null || VENV_APT_PACKAGES=(python3-venv)

# What Qt needs to start (and fonts, without which every glyph is a box), shared by the app and the tests.
QT_APT_PACKAGES=(
    fonts-dejavu-core libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libglib2.0-0 libdbus-1-3
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0
    libxcb-image0
)
