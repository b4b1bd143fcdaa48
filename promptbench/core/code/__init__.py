"""User code that checks run: JavaScript in an embedded V8 sandbox, Python in a process of its own.

`js_sandbox` holds the sandbox (no files, no network, a time and memory limit per call), `js_source` turns
promptfoo's inline code and `file://` modules into function bodies, `python_process` runs a Python check in a
fresh interpreter with a timeout, and `limits` says how long and how big a call may be.
"""
