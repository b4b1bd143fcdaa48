# Sourced by packaging/install.sh and tests/run-all.sh: installs the Debian packages given that are missing.
#
# Another apt (unattended-upgrades at boot, a software centre) can hold apt's locks for minutes; these functions
# wait for it instead of failing with exit code 100. `apt-get install` waits for the dpkg lock itself with
# DPkg::Lock::Timeout. `apt-get update` (apt 2.6, Debian 12) ignores that option for its lists lock, so it is tried
# again while the lock is all that stops it.

APT_GET=${APT_GET:-apt-get}  # the tests put a stand-in here
APT_LOCK_TIMEOUT_S=${APT_LOCK_TIMEOUT_S:-600}
APT_LOCK_POLL_S=${APT_LOCK_POLL_S:-5}

install_missing_apt_packages() {
    command -v apt-get >/dev/null 2>&1 || return 0
    local missing=() package as_root=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || as_root=(sudo)
    echo "Installing system packages: ${missing[*]}"
    apt_update_waiting_for_lock "${as_root[@]}"
    # `env` because sudo drops the caller's environment.
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive "$APT_GET" -o DPkg::Lock::Timeout="$APT_LOCK_TIMEOUT_S" \
        install -y -q --no-install-recommends "${missing[@]}"
}

# `apt-get update`, run through the command given first (sudo, or nothing), tried again every APT_LOCK_POLL_S
# seconds for up to APT_LOCK_TIMEOUT_S while another apt holds the package lists' lock.
apt_update_waiting_for_lock() {
    local errors started=$SECONDS said=""
    errors=$(mktemp)
    # LC_ALL=C: the lock is recognised by apt's English message.
    until "$@" env LC_ALL=C "$APT_GET" -o DPkg::Lock::Timeout="$APT_LOCK_TIMEOUT_S" update -q 2>"$errors"; do
        if ! grep -q "^E: Could not get lock" "$errors" || [ $((SECONDS - started)) -ge "$APT_LOCK_TIMEOUT_S" ]; then
            cat "$errors" >&2
            rm -f "$errors"
            return 1
        fi
        if [ -z "$said" ]; then
            said=yes
            echo "Waiting for another apt to finish ($(grep -o -m1 'held by process .*' "$errors" || echo 'its lock is held'))..."
        fi
        sleep "$APT_LOCK_POLL_S"
    done
    cat "$errors" >&2  # warnings, if any
    rm -f "$errors"
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

# What the tests use beside Qt's own: xprop reads what the real window tells the X server (its minimum size).
TEST_APT_PACKAGES=(x11-utils)
