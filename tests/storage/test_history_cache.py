"""The response cache in the history file: get and put, least-recently-used eviction past the cap, clear."""

from __future__ import annotations

from promptbench.core.completion import Completion, cache_key
from promptbench.storage import History


def completion(text: str) -> Completion:
    return Completion(output=text, finish_reason="stop", model="gpt-4o-mini", prompt_tokens=10, completion_tokens=20)


def key(n: int) -> str:
    return cache_key("http://127.0.0.1:9/v1", "gpt-4o-mini", [{"role": "user", "content": f"question {n}"}], {})


def test_put_then_get_survives_reopening(history_path):
    with History.open(history_path) as history:
        assert history.cache.get(key(1)) is None
        history.cache.put(key(1), completion("Ünïcode answer ✓"))
    with History.open(history_path) as history:
        assert history.cache.get(key(1)) == completion("Ünïcode answer ✓")
        assert history.cache.size_bytes() > len("Ünïcode answer ✓")


def test_least_recently_used_entries_go_first_past_the_cap(tmp_path):
    ticks = iter(range(1, 1000))
    with History.open(tmp_path / "history.db") as history:
        history.cache._clock = lambda: float(next(ticks))  # a clock that always moves on
        history.cache.put(key(0), completion("0" * 1000))
        history.cache.cap_bytes = 4 * history.cache.size_bytes()  # room for four entries of this size
        for n in range(1, 4):
            history.cache.put(key(n), completion(str(n) * 1000))
        history.cache.get(key(0))  # used again: now the freshest
        history.cache.put(key(4), completion("4" * 1000))
        kept = {n for n in range(5) if history.cache.get(key(n)) is not None}
        assert kept == {0, 2, 3, 4}
        assert history.cache.size_bytes() <= history.cache.cap_bytes


def test_clear_removes_everything_and_counts_it(history):
    for n in range(5):
        history.cache.put(key(n), completion(f"answer {n}"))
    assert len(history.cache) == 5
    assert history.cache.clear() == 5
    assert history.cache.size_bytes() == 0 and history.cache.get(key(1)) is None
    assert history.cache.clear() == 0


def test_putting_the_same_key_again_replaces_it(history):
    history.cache.put(key(1), completion("first"))
    history.cache.put(key(1), completion("second"))
    assert len(history.cache) == 1 and history.cache.get(key(1)).output == "second"
