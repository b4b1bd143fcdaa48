"""packaging/apt-packages.sh waits for another apt instead of failing: `apt-get update` is tried again while apt's
lists lock is held, and `apt-get install` is told to wait for the dpkg lock. A stand-in apt-get plays the other apt
(a real one would need root, the network and a second apt holding the lock)."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.support import REPO

LOCK_HELD = "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)"

# Answers `update` with the lock error as long as the file `held` says, then succeeds; records every call.
STAND_IN = """#!/bin/sh
echo "$*" >> "{folder}/calls"
case "$*" in *" update "*|*" update")
    held=$(cat "{folder}/held")
    if [ "$held" -gt 0 ]; then
        echo $((held - 1)) > "{folder}/held"
        echo "Reading package lists..."
        echo "{error}" >&2
        echo "E: Unable to lock directory /var/lib/apt/lists/" >&2
        exit 100
    fi
    echo "Reading package lists... Done";;
esac
exit 0
"""


def apt(tmp_path, function: str, held: int, error: str = LOCK_HELD, timeout_s: int = 600):
    (tmp_path / "held").write_text(str(held))
    stand_in = tmp_path / "apt-get"
    stand_in.write_text(STAND_IN.format(folder=tmp_path, error=error))
    stand_in.chmod(0o755)
    env = {**os.environ, "APT_GET": str(stand_in), "APT_LOCK_POLL_S": "0.05", "APT_LOCK_TIMEOUT_S": str(timeout_s)}
    completed = subprocess.run(
        ["bash", "-c", f"set -euo pipefail; source packaging/apt-packages.sh; {function}"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    calls = (tmp_path / "calls").read_text().splitlines() if (tmp_path / "calls").exists() else []
    return completed, calls


def test_update_waits_while_another_apt_holds_the_lists_lock(tmp_path):
    completed, calls = apt(tmp_path, "apt_update_waiting_for_lock", held=3)
    assert completed.returncode == 0, completed.stderr
    assert len(calls) == 4 and all(call.endswith(" update -q") for call in calls)
    assert completed.stdout.count("Waiting for another apt to finish (held by process 4242 (apt-get))...") == 1
    assert "Could not get lock" not in completed.stderr  # the waiting is said once, not as apt's errors


def test_update_gives_up_after_the_timeout_and_shows_apts_error(tmp_path):
    # bash's SECONDS counts whole seconds: a timeout of 1 can end after the first try (started at x.99 s); with 2 the
    # script tries again for at least a second.
    completed, calls = apt(tmp_path, "apt_update_waiting_for_lock", held=10**6, timeout_s=2)
    assert completed.returncode == 1
    assert LOCK_HELD in completed.stderr
    assert 2 <= len(calls) < 200


def test_any_other_update_error_fails_at_once(tmp_path):
    error = "E: The repository 'http://deb.example bookworm Release' does not have a Release file."
    completed, calls = apt(tmp_path, "apt_update_waiting_for_lock", held=1, error=error)
    assert completed.returncode == 1
    assert len(calls) == 1 and error in completed.stderr and "Waiting" not in completed.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="as another user the script asks sudo, which would prompt")
def test_install_waits_for_the_dpkg_lock(tmp_path):
    completed, calls = apt(tmp_path, "install_missing_apt_packages promptbench-test-no-such-package", held=1)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("Installing system packages: promptbench-test-no-such-package\n")
    [*updates, install] = calls
    assert len(updates) == 2
    assert install.startswith("-o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends")
    assert install.endswith(" promptbench-test-no-such-package")


def test_packages_already_installed_call_no_apt(tmp_path):
    completed, calls = apt(tmp_path, "install_missing_apt_packages bash coreutils", held=0)
    assert completed.returncode == 0 and calls == [] and completed.stdout == ""
