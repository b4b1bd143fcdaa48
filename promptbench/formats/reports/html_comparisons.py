"""The HTML report's "Is the difference real?" section: per variant the sentence against the base, an interval
bar (the 95% interval of the difference on a -100 to +100 points scale, drawn with inline styles only: the
report has no script), the figures behind it, and, with repeats, each variant's stability."""

from __future__ import annotations

import html
from collections.abc import Sequence

from promptbench.core.comparisons import TEST_WORDS, PairComparison, compare_variants, format_p, interval_words
from promptbench.core.result import Result
from promptbench.core.stability import stability

STYLE = """
.cmp{margin:6px 0 14px} .cmp p{margin:2px 0} .scale{position:relative;height:14px;width:320px;max-width:100%;
background:#f5f5f7;border:1px solid #ccc;margin:4px 0} .scale .zero{position:absolute;top:-2px;bottom:-2px;
left:50%;border-left:1px solid #666} .scale .ci{position:absolute;top:3px;height:6px;background:#0969da}
.scale .est{position:absolute;top:0;bottom:0;width:2px;background:#1d1d1f}
@media (prefers-color-scheme: dark){.scale{background:#2c2c2e;border-color:#555} .scale .est{background:#eee}
.scale .zero{border-color:#aaa}}
"""


def comparisons_section(results: Sequence[Result], variants: Sequence[str]) -> str:
    """The section's HTML, or "" for a run with a single variant and no repeats."""
    parts = [_comparison(c) for c in compare_variants(results, variants)]
    steady = [s for s in stability(results, variants) if s.repeats > 1]
    if steady:
        parts.append("<h3>Stability over repeats</h3><ul>")
        parts += [f"<li>{_e(s.describe())}</li>" for s in steady]
        parts.append("</ul>")
    if not parts:
        return ""
    return "<h2>Is the difference real?</h2>" + "".join(parts)


def _comparison(c: PairComparison) -> str:
    parts = [f'<div class="cmp"><p><b>{_e(c.sentence)}</b></p>']
    if c.cases:
        left = 50 + c.ci_low * 50
        width = max(0.5, (c.ci_high - c.ci_low) * 50)
        title = f"{interval_words(c)}, observed {c.difference * 100:+.0f}"
        parts.append(
            f'<div class="scale" title="{_e(title)}" role="img" aria-label="{_e(title)}">'
            f'<div class="zero"></div><div class="ci" style="left:{left:.1f}%;width:{width:.1f}%"></div>'
            f'<div class="est" style="left:{50 + c.difference * 50:.1f}%"></div></div>'
        )
        parts.append(
            f'<p class="meta">{_e(interval_words(c))} (–100 to +100 on the bar, 0 in the middle); '
            f"{_e(format_p(c.p_value))} before adjustment; {_e(TEST_WORDS[c.test])}; "
            f"{c.only_variant} cases only {_e(c.variant)} passed, {c.only_base} only {_e(c.base)}.</p>"
        )
        if c.advice:
            parts.append(f'<p class="meta">{_e(c.advice)}</p>')
    parts.append("</div>")
    return "".join(parts)


def _e(text: str) -> str:
    return html.escape(text, quote=True)
