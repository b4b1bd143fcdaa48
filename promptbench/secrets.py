"""API keys: found in the OS keyring first, then in the profile's environment variable; never anywhere else."""

from __future__ import annotations

import os
from collections.abc import Mapping

from promptbench.core.experiment import ProviderProfile


class KeyStore:
    """Finds the key for a provider profile."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self._env = os.environ if env is None else env

    def get(self, profile: ProviderProfile) -> str | None:
        if profile.api_key_env:
            return self._env.get(profile.api_key_env) or None
        return None
