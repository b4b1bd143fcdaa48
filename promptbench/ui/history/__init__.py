"""The History window: the finder, one past run, and two runs (or two variants) compared."""
