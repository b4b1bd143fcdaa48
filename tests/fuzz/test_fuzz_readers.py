"""Every reader of outside input, fed generated input: only the project's own errors come out, each located.

A short run in the test command (PROMPTBENCH_FUZZ_EXAMPLES, 40 by default); benchmarks/fuzz_readers.py runs the
same targets for as long as wanted. The targets and what each accepts are in tests/fuzz/targets.py.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz.targets import TARGETS

EXAMPLES = int(os.environ.get("PROMPTBENCH_FUZZ_EXAMPLES", "40"))


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_a_reader_lets_only_its_own_errors_out(name):
    strategy, feed = TARGETS[name]

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(strategy)
    def run(example):
        feed(example)

    run()
