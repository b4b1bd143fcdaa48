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


def test_without_a_process_the_long_diff_is_made_here(tmp_path):
    """A script read from stdin has no main module a spawned process can import again: the diff is still made."""
    import subprocess
    import sys

    from tests.support import REPO

    script = (
        "from promptbench.service.diffs import APART_CHARS, compare_apart\n"
        "from promptbench.core.diff import compare\n"
        "a = 'word ' * (APART_CHARS // 4); b = a.replace('word', 'other', 1)\n"
        "assert compare_apart(a, b) == compare(a, b)\n"
        "print('same')\n"
    )
    done = subprocess.run(
        [sys.executable, "-"], input=script, cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.stdout.strip() == "same", done.stderr[-2000:]
