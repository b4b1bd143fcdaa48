"""PromptBench: compare prompt variants side by side against a test set, through any OpenAI-compatible API."""

# The one place the version is written. pyproject.toml, the bundle's spec and the CLI read it from here;
# tests/test_version.py checks the AppStream release, the changelog and the docs' examples against it.
__version__ = "0.1.0"
