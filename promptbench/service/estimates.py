"""What a run will roughly make and cost, said before it starts.

The figures are clearly approximate: every cell is counted (the cache may make fewer calls), prompt tokens are
guessed from the rendered messages' length, and answers are taken as `max_tokens` long (or a typical length).
"""

from __future__ import annotations

from dataclasses import dataclass

from promptbench.core.experiment import Experiment
from promptbench.core.figures import money
from promptbench.core.prices import PriceTable
from promptbench.core.providers import is_echo
from promptbench.core.templates import TemplateProblem, render_messages

CHARS_PER_TOKEN = 4  # OpenAI's rule of thumb for English; an estimate, and labelled as one
TYPICAL_ANSWER_TOKENS = 300
# The Batch API bills half the synchronous price; the price table has no batch prices of its own.
BATCH_PRICE_FACTOR = 0.5


@dataclass(frozen=True)
class RunEstimate:
    calls: int
    cost: float | None  # None when no variant's model has a known price
    unpriced: tuple[str, ...] = ()  # models without a price, left out of `cost`

    def describe(self) -> str:
        text = f"This run makes up to {self.calls:,} calls"
        if self.cost is not None:
            text += f" and costs about {money(self.cost)}"
        if self.unpriced:
            text += f" (no price known for {', '.join(self.unpriced)})"
        return text + ". Cached answers are not called again."

    def describe_batch(self) -> str:
        """The same as a batch: the batch price (half) next to the direct one, and the wait."""
        text = f"As a batch, this run sends up to {self.calls:,} requests"
        if self.cost is not None:
            text += f" and costs about {money(self.cost * BATCH_PRICE_FACTOR)} instead of {money(self.cost)}"
        if self.unpriced:
            text += f" (no price known for {', '.join(self.unpriced)})"
        return text + "; the provider answers within 24 hours, often sooner."


def planned_calls(experiment: Experiment) -> int:
    """How many calls a run of `experiment` makes at most: every cell, each repeat (without rendering any)."""
    return len(experiment.cases) * len(experiment.variants) * experiment.settings.repeats


def estimate_run(experiment: Experiment, prices: PriceTable | None) -> RunEstimate:
    repeats = experiment.settings.repeats
    calls = planned_calls(experiment)
    total: float | None = None
    unpriced: list[str] = []
    for variant in experiment.variants:
        price = prices.price(variant.model, variant.provider) if prices is not None else None
        if price is None:
            if not is_echo(variant.provider) and variant.model not in unpriced:
                unpriced.append(variant.model)
            continue
        answer_tokens = variant.parameters.max_tokens or TYPICAL_ANSWER_TOKENS
        for case in experiment.cases:
            try:
                messages = render_messages(variant, case.vars)
            except TemplateProblem:
                messages = tuple(m.to_dict() for m in variant.messages)
            prompt_tokens = sum(len(m["content"]) for m in messages) // CHARS_PER_TOKEN + 4 * len(messages)
            total = (total or 0.0) + price.cost(prompt_tokens, answer_tokens) * repeats
    return RunEstimate(calls, total, tuple(unpriced))
