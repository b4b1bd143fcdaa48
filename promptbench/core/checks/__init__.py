"""Checks: rules that score an output, with promptfoo's meanings (docs/checks.md)."""
