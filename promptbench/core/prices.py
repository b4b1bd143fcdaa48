"""Prices per model, and the cost of a call from its token counts.

The table is plain data (resources/prices.json, which the user may copy and edit); it is handed in, never read
here, so the core stays free of file locations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Price:
    """US dollars per million tokens."""

    input_per_million: float
    output_per_million: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input_per_million + completion_tokens * self.output_per_million) / 1_000_000


class PriceTable:
    """Looks up a model's price: an exact name first, else the longest listed prefix, so a dated snapshot
    (`gpt-4o-2024-08-06`, as the API reports it) finds `gpt-4o`. A provider's own table wins over the shared one."""

    def __init__(self, models: Mapping[str, Price], by_provider: Mapping[str, Mapping[str, Price]] | None = None):
        self._models = dict(models)
        self._by_provider = {name: dict(table) for name, table in (by_provider or {}).items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PriceTable:
        def table(entries: Mapping[str, Any]) -> dict[str, Price]:
            return {
                name: Price(float(entry["input_per_million"]), float(entry["output_per_million"]))
                for name, entry in entries.items()
            }

        providers = {name: table(entries) for name, entries in (data.get("providers") or {}).items()}
        return cls(table(data.get("models") or {}), providers)

    def price(self, model: str, provider: str | None = None) -> Price | None:
        for table in (self._by_provider.get(provider or "", {}), self._models):
            if model in table:
                return table[model]
            prefixes = [name for name in table if model.startswith(name)]
            if prefixes:
                return table[max(prefixes, key=len)]
        return None

    def cost(
        self, model: str, prompt_tokens: int | None, completion_tokens: int | None, provider: str | None = None
    ) -> float | None:
        """The call's cost, or None when the model's price or the token counts are unknown."""
        price = self.price(model, provider)
        if price is None or prompt_tokens is None or completion_tokens is None:
            return None
        return price.cost(prompt_tokens, completion_tokens)


FREE = PriceTable({})
