"""Provider profiles known to this installation: the built-in ones, the presets, and the user's own.

The user's profiles live in a settings file in the user config directory, never with keys.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from promptbench.core.experiment import ProviderProfile
from promptbench.core.providers import ECHO, openai_profile


def known_profiles(
    declared: Iterable[ProviderProfile] = (), env: Mapping[str, str] | None = None
) -> dict[str, ProviderProfile]:
    """Every profile a run may name, by name; profiles declared by an experiment file win over the built-ins."""
    env = os.environ if env is None else env
    profiles = {p.name: p for p in (openai_profile(env), ECHO)}
    profiles.update({p.name: p for p in declared})
    return profiles
