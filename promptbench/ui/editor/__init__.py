"""Editing an experiment: the Qt-free editor state, the variant columns, the test set table."""
