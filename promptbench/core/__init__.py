"""The engine: data types, templates, checks, prices, the OpenAI-compatible client and the async runner.

Nothing here imports Qt or another promptbench layer; the CLI, the window and the tests all run it unchanged.
"""
