"""The price table: the one shipped in resources/, overlaid by the user's own copy if there is one.

The user's copy is `prices.json` in the PromptBench data folder (PROMPTBENCH_HOME, else the platform's user data
folder); an entry there replaces the shipped entry of the same model.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path

import platformdirs

from promptbench.core.prices import PriceTable


def user_prices_path() -> Path:
    home = os.environ.get("PROMPTBENCH_HOME")
    return Path(home if home else platformdirs.user_data_dir("promptbench")) / "prices.json"


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
