"""A run written out for people and other tools: results JSON, results CSV, a single-file HTML report."""
