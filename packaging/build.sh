#!/usr/bin/env bash
# Build the PromptBench app bundle for this OS with PyInstaller (packaging/promptbench.spec).
#
#   bash packaging/build.sh                     make build/venv (pip install . pyinstaller), then build
#   bash packaging/build.sh --python PATH       build with an environment that already has promptbench's
#                                               dependencies and pyinstaller (no network needed; the tests do this)
#   options: --dist DIR (default dist), --work DIR (default build/pyinstaller)
#
# Prints where the bundle is, its size and how long the build took. See packaging/README.md for each OS.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
python=""
dist="$repo/dist"
work="$repo/build/pyinstaller"
while [ $# -gt 0 ]; do
    case "$1" in
        --python) python="$2"; shift 2 ;;
        --dist) dist="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "build.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

if [ -z "$python" ]; then
    venv="$repo/build/venv"
    if [ ! -x "$venv/bin/python" ] && [ ! -x "$venv/Scripts/python.exe" ]; then
        python3 -m venv "$venv" 2>/dev/null || python -m venv "$venv"
    fi
    python="$venv/bin/python"
    [ -x "$python" ] || python="$venv/Scripts/python.exe"  # Windows (Git Bash)
    "$python" -m pip install -q --upgrade pip
    # Not editable: the bundle must be built from what a user would install.
    "$python" -m pip install -q "$repo" pyinstaller
fi

"$python" -c "import PyInstaller, promptbench" 2>/dev/null || {
    echo "build.sh: $python lacks pyinstaller or promptbench's dependencies; install them or drop --python." >&2
    exit 2
}

started=$(date +%s)
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$dist" --workpath "$work" "$repo/packaging/promptbench.spec"
seconds=$(( $(date +%s) - started ))

bundle="$dist/promptbench"
[ -d "$dist/PromptBench.app" ] && bundle="$dist/PromptBench.app"
echo "bundle: $bundle"
echo "size: $(du -sh "$bundle" | cut -f1)"
echo "build took: ${seconds} s"
