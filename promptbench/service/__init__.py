"""The use-cases both faces call: start a run, resume it, look at history, manage keys, read and write files."""
