"""promptfoo configs in and out: config.py reads and writes them; the other modules each read one part of a config."""
