"""How fast two long answers are diffed word by word: two 100 KB answers (target: under 200 ms).

Prints the time `promptbench.core.diff.compare` takes (rapidfuzz's LCS on tokens), a baseline measured in the same
run (difflib's SequenceMatcher on the same tokens, the way the diff was computed before), and the ratio. The
answers are made alike the way two variants' answers are: the same text with about one word in twenty changed,
some sentences dropped and some added. Also prints what a 1 MB pair costs and at which level it was compared.
Run: .venv/bin/python benchmarks/diff_speed.py
"""

from __future__ import annotations

import difflib
import random
import time

from promptbench.core.diff import compare, tokens

SIZE = 100_000
WORDS = (
    "the refund order shipping delay customer account password reset invoice thanks model answer because "
    "however therefore a an of to in is was for with on that this it be by as at from"
).split()


def answers(size: int, seed: int = 7) -> tuple[str, str]:
    rng = random.Random(seed)
    sentences = []
    while sum(len(s) for s in sentences) < size:
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 24))]
        sentences.append(" ".join(words).capitalize() + rng.choice([". ", ", ", "! ", ".\n"]))
    changed = []
    for sentence in sentences:
        roll = rng.random()
        if roll < 0.03:
            continue  # a sentence dropped
        words = [rng.choice(WORDS) if rng.random() < 0.05 else w for w in sentence.split(" ")]
        changed.append(" ".join(words))
        if roll > 0.97:
            changed.append("An extra sentence only this variant wrote. ")
    return "".join(sentences)[:size], "".join(changed)[:size]


def difflib_way(a: str, b: str) -> int:
    """The diff as it was: SequenceMatcher without autojunk on the same tokens; the count of its opcodes."""
    return len(difflib.SequenceMatcher(None, tokens(a), tokens(b), autojunk=False).get_opcodes())


def timed(function, *args) -> tuple[float, object]:
    start = time.perf_counter()
    value = function(*args)
    return time.perf_counter() - start, value


def main() -> None:
    a, b = answers(SIZE)
    print(f"two answers of {len(a):,} and {len(b):,} characters, {len(tokens(a)):,} and {len(tokens(b)):,} tokens")
    ours, found = min((timed(compare, a, b) for _ in range(3)), key=lambda pair: pair[0])
    print(f"promptbench.core.diff.compare: {ours * 1000:.0f} ms ({found.level}, {len(found.spans):,} spans)")
    baseline, opcodes = timed(difflib_way, a, b)
    print(f"baseline, difflib.SequenceMatcher on the same tokens: {baseline * 1000:.0f} ms ({opcodes:,} opcodes)")
    print(f"ratio: {baseline / ours:.0f}x faster (target: under 200 ms)")
    big_a, big_b = answers(1_000_000, seed=8)
    big, found = timed(compare, big_a, big_b)
    print(f"two 1 MB answers: {big * 1000:.0f} ms, compared by {found.level} ({found.note or 'no note'})")


if __name__ == "__main__":
    main()
