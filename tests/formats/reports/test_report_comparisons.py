"""The HTML report's "Is the difference real?" section: the sentence, the interval bar and, with repeats, the
stability of each variant; names are escaped like everything else in the report."""

from __future__ import annotations

import html
import re

from promptbench.core.experiment import Experiment, Message, TestCase, Variant
from promptbench.core.result import CellKey, Grade, Result
from promptbench.formats.reports.html import render_html_report

BASE, BETTER = "Short", "<b>Kind</b>"
EXPERIMENT = Experiment(
    name="Replies",
    variants=(
        Variant(name=BASE, model="m", provider="echo", messages=(Message("user", "{{x}}"),)),
        Variant(name=BETTER, model="m", provider="echo", messages=(Message("user", "{{x}}!"),)),
    ),
    cases=tuple(TestCase(vars={"x": str(i)}) for i in range(20)),
)


def _cell(variant: str, case: int, passed: bool, repeat: int = 0) -> Result:
    return Result(
        key=CellKey(variant, case, repeat),
        messages=(),
        model="m",
        provider="echo",
        output="x",
        grade=Grade(passed=passed, score=float(passed), reason=""),
    )


def test_the_report_says_whether_the_difference_is_real_with_an_interval_bar():
    results = [_cell(BASE, i, i < 5) for i in range(20)] + [_cell(BETTER, i, i < 15) for i in range(20)]
    page = render_html_report(EXPERIMENT, results)
    assert "<h2>Is the difference real?</h2>" in page
    sentence = (
        f"{BETTER} passes 10 more of 20 cases than {BASE} (75% vs 25%); "
        "a difference this large would be unlikely by chance (p = 0.002)."
    )
    assert html.escape(sentence, quote=True) in page
    assert "<b>Kind</b>" not in page  # the name is text, never markup
    # The bar: the interval starts right of 0 (the middle), the estimate at +50 points = 75% of the bar.
    left, width = map(float, re.search(r'class="ci" style="left:([\d.]+)%;width:([\d.]+)%"', page).groups())
    assert 50 < left < 75 < left + width <= 100
    assert 'class="est" style="left:75.0%"' in page
    assert "exact McNemar test" in page
    assert "Stability over repeats" not in page


def test_with_repeats_the_report_shows_each_variants_stability():
    results = [_cell(BASE, i, r == 0 or i < 3, r) for i in range(20) for r in range(2)]
    results += [_cell(BETTER, i, True, r) for i in range(20) for r in range(2)]
    page = render_html_report(EXPERIMENT, results)
    assert "Stability over repeats" in page
    assert f"{BASE}: passes 3 of 20 cases every time (pass^2 15%), 20 at least once (100%); 17 unstable" in page
    assert "paired bootstrap on per-case means" in page
