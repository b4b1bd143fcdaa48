"""Text-similarity metrics: levenshtein (edit distance), rouge-n (unigram recall) and bleu (BLEU-4)."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from promptbench.core.experiment import Check

from .base import PASSED, CheckContext, CheckError, CheckVerdict, boolean
from .treebank import tokenize
from .values import js_number, js_split_words, utf16_units

LEVENSHTEIN_DEFAULT = 5
ROUGE_DEFAULT = 0.75
BLEU_DEFAULT = 0.5


def text_value_problems(value: Any) -> list[str]:
    return [] if isinstance(value, str) else ["needs a value: the reference text to compare the output with."]


def reference_value_problems(value: Any) -> list[str]:
    if isinstance(value, str) and value:
        return []
    return ["needs a value: the reference text to compare the output with (it cannot be empty)."]


def references_value_problems(value: Any) -> list[str]:
    if isinstance(value, str) or (isinstance(value, list | tuple) and value and all(isinstance(v, str) for v in value)):
        return []
    return ["needs a value: a reference text, or a list of reference texts."]


def edit_distance(a: str, b: str) -> int:
    """Insertions, deletions and substitutions, each costing 1, over UTF-16 code units as JavaScript counts."""
    # Imported on first use: loading rapidfuzz is a good part of a run's start-up, and most runs have no such check.
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(utf16_units(a), utf16_units(b))


def check_levenshtein(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    # promptfoo ignores `not-` here: not-levenshtein means the same as levenshtein (docs/checks.md says so).
    threshold = LEVENSHTEIN_DEFAULT if check.threshold is None else check.threshold
    distance = edit_distance(output, value)
    return boolean(
        distance <= threshold, f"Levenshtein distance {distance} is greater than threshold {js_number(threshold)}"
    )


def rouge_n(candidate: str, reference: str, n: int = 1) -> float:
    """js-rouge's `n()`: unique candidate n-grams found in the reference, over the reference's n-gram count."""
    if not candidate:
        raise CheckError("ROUGE-N cannot score an empty output.")
    if not reference:
        raise CheckError("ROUGE-N cannot compare with an empty reference.")
    candidate_grams = _ngrams(tokenize(candidate), n)
    reference_grams = _ngrams(tokenize(reference), n)
    if not reference_grams:
        raise CheckError("ROUGE-N cannot compare with a reference that has no words.")
    if not candidate_grams and len(tokenize(candidate)) < n:
        raise CheckError("ROUGE-N cannot score an output with fewer words than the n-gram size.")
    return len(set(candidate_grams) & set(reference_grams)) / len(reference_grams)


def check_rouge_n(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    threshold = ROUGE_DEFAULT if check.threshold is None else check.threshold
    score = rouge_n(output, value)
    reached = score >= threshold
    passed = reached != inverse
    shown = js_number(threshold)
    # promptfoo words this by `passed`, which says the opposite of the truth for not-rouge-n; this tells the truth.
    reason = (
        f"ROUGE-N score {score:.2f} is greater than or equal to threshold {shown}"
        if reached
        else f"ROUGE-N score {score:.2f} is less than threshold {shown}"
    )
    return CheckVerdict(passed, 1 - score if inverse else score, reason)


def _ngrams(words: list[str], n: int) -> list[str]:
    return [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]


def bleu(candidate: str, references: list[str]) -> float:
    """promptfoo's BLEU-4: lower-cased whitespace words, clipped n-gram precision, brevity penalty, 1e-7 smoothing."""
    if not candidate or not references:
        raise CheckError("BLEU cannot score an empty output.")
    words = js_split_words(candidate.lower())
    reference_words = [js_split_words(r.lower()) for r in references]
    closest = len(reference_words[0])
    for ref in reference_words[1:]:
        if abs(len(ref) - len(words)) < abs(closest - len(words)):
            closest = len(ref)
    log_sum = 0.0
    for n in range(1, 5):
        grams = Counter(_ngrams(words, n))
        total = sum(grams.values())
        best = 0
        for ref in reference_words:
            ref_grams = Counter(_ngrams(ref, n))
            best = max(best, sum(min(count, ref_grams[gram]) for gram, count in grams.items()))
        precision = best / total if total else 0.0
        log_sum += 0.25 * math.log(precision or 1e-7)
    penalty = 1.0 if len(words) > closest else math.exp(1 - len(words) / closest)
    return penalty * math.exp(log_sum)


def check_bleu(output: str, value: Any, check: Check, inverse: bool, context: CheckContext) -> CheckVerdict:
    threshold = BLEU_DEFAULT if check.threshold is None else check.threshold
    references = list(value) if isinstance(value, list | tuple) else [value]
    score = bleu(output, references)
    passed = (score >= threshold) != inverse
    reason = (
        PASSED
        if passed
        else (
            f"BLEU score {score:.4f} is {'greater than or equal to' if inverse else 'less than'} "
            f"threshold {js_number(threshold)}"
        )
    )
    return CheckVerdict(passed, 1 - score if inverse else score, reason)
