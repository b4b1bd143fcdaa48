"""The bridge between the window and the engine, which runs in a process of its own. Only this package knows that.

Nothing here but bridge.py imports Qt: process.py is the engine process's main module."""
