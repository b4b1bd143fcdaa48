"""Long diffs made in a process of their own give the same comparison as in this one."""

from __future__ import annotations

from promptbench.core.diff import compare
from promptbench.service.diffs import APART_CHARS, compare_apart, compare_pairs


def test_a_long_pair_compared_apart_is_the_same_comparison():
    a = " ".join(f"word{i % 97}" for i in range(APART_CHARS // 6))
    b = a.replace("word13 ", "thirteen ", 3)
    assert len(a) + len(b) > APART_CHARS
    assert compare_apart(a, b) == compare(a, b)
    short = ("one two", "one three")
    assert compare_pairs([short, (a, b), short]) == [compare(*short), compare(a, b), compare(*short)]
