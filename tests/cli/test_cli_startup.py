"""Start-up with the garbage collector paused: on again afterwards, whatever happened inside, and start-up's objects
frozen out of its later passes."""

from __future__ import annotations

import gc

import pytest

from promptbench.cli.startup import collector_paused


@pytest.fixture(autouse=True)
def collector_as_it_was():
    yield
    gc.unfreeze()
    gc.enable()


def test_the_collector_is_off_inside_and_on_after_with_what_was_made_frozen():
    gc.unfreeze()
    with collector_paused():
        assert not gc.isenabled()
        made = [[] for _ in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(made)


def test_an_error_inside_turns_the_collector_back_on():
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a file problem")
    assert gc.isenabled()


def test_a_pause_inside_another_leaves_it_off_until_the_outer_one_ends():
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
