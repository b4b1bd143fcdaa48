"""Data files read through importlib.resources: the price table, provider presets, the demo experiment, icons."""
