"""PromptBench: compare prompt variants side by side against a test set, through any OpenAI-compatible API."""

__version__ = "0.1.0"
