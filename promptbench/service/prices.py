"""The price table: the one shipped in resources/, overlaid by the user's own copy if there is one.

The user's copy is `prices.json` in the PromptBench data folder (PROMPTBENCH_HOME, else the platform's user data
folder: promptbench.core.paths); an entry there replaces the shipped entry of the same model.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from promptbench.core.paths import user_folder
from promptbench.core.prices import PriceTable


def user_prices_path(env: Mapping[str, str] | None = None) -> Path:
    return user_folder(env) / "prices.json"


def load_prices(user_file: Path | None = None) -> PriceTable:
    data = json.loads(resources.files("promptbench.resources").joinpath("prices.json").read_text("utf-8"))
    user_file = user_file or user_prices_path()
    if user_file.exists():
        try:
            user = json.loads(user_file.read_text("utf-8"))
        except (OSError, ValueError) as error:
            raise ValueError(f"{user_file}: the price table cannot be read ({error}).") from None
        data["models"] = {**data.get("models", {}), **user.get("models", {})}
        providers = data.setdefault("providers", {})
        for name, table in (user.get("providers") or {}).items():
            providers[name] = {**providers.get(name, {}), **table}
    return PriceTable.from_dict(data)
