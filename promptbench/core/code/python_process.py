"""A `python` check's code, run as promptfoo runs it: in a fresh Python process per call, here with a timeout.

Inline code becomes the body of `main(output, context)` in a module that imports only `json` (one line is
`return <line>`); a `file://` script's source runs as a module and its `get_assert` (or the named function,
`Class.method` too) is called; a coroutine is run with asyncio.run. What the code prints is thrown away; the
answer travels back as one JSON line. Python code can touch the machine, so the faces run it only when the
person said so (docs/checks.md); even then it gets the environment without the variables that hold secrets
(`check_environment`): consent to run a file's code is not consent to hand it the person's API keys.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Runs in the child. Reads {"kind", "code", "function", "file", "output", "context"} from stdin.
_RUNNER = r"""
import asyncio, io, json, os, sys, types
request = json.loads(sys.stdin.read())
answer = sys.stdout
sys.stdout = io.StringIO()
try:
    if request["kind"] == "inline":
        code = request["code"]
        if "\n" not in code:
            code = "return " + code
        indent = code[: len(code) - len(code.lstrip(" \t"))] or "    "
        source = "import json\n\ndef main(output, context):\n" + "\n".join(indent + line for line in code.split("\n"))
        names = ["main"]
        filename = "<python check>"
    else:
        source = request["code"]
        names = (request.get("function") or "get_assert").split(".")
        filename = request.get("file") or "<python check>"
    module = types.ModuleType("promptbench_check")
    module.__file__ = filename
    exec(compile(source, filename, "exec"), module.__dict__)
    target = module
    for name in names:
        target = getattr(target, name)
    result = target(request["output"], request["context"])
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    reply = {"ok": True, "value": result}
except BaseException as error:
    reply = {"ok": False, "error": f"{type(error).__name__}: {error}"}
answer.write(json.dumps(reply, default=str))
answer.flush()
"""


# Names of environment variables that hold secrets by convention: OPENAI_API_KEY, GROQ_KEY, HF_TOKEN,
# AWS_SECRET_ACCESS_KEY, PGPASSWORD, GOOGLE_APPLICATION_CREDENTIALS...
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH", re.IGNORECASE)


def check_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a check's process gets: this one without the variables whose names say they hold secrets."""
    env = os.environ if env is None else env
    return {name: value for name, value in env.items() if not _SECRET_NAME.search(name)}


class PythonLimitError(Exception):
    """The process ran past its timeout or could not be started; one plain sentence."""


@dataclass(frozen=True)
class PythonReply:
    """What the code returned (`value`), or the exception it raised, as `Type: message` (`error`)."""

    ok: bool
    value: Any = None
    error: str = ""


def python_interpreter(env: Mapping[str, str] | None = None) -> str | None:
    """promptfoo's choice: PROMPTFOO_PYTHON, else this Python (when not a bundle), else python3 or python on PATH."""
    env = os.environ if env is None else env
    if env.get("PROMPTFOO_PYTHON"):
        return env["PROMPTFOO_PYTHON"]
    if not getattr(sys, "frozen", False):
        return sys.executable
    return shutil.which("python3") or shutil.which("python")


async def run_python(request: Mapping[str, Any], timeout_s: float, interpreter: str | None = None) -> PythonReply:
    """Run one check's code in a new process; PythonLimitError past `timeout_s` (the process is killed)."""
    interpreter = interpreter or python_interpreter()
    if not interpreter:
        raise PythonLimitError("no Python interpreter was found to run it (set PROMPTFOO_PYTHON to one)")
    data = json.dumps(dict(request), ensure_ascii=False, default=str).encode()
    try:
        process = await asyncio.create_subprocess_exec(
            interpreter,
            "-c",
            _RUNNER,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=check_environment(),
        )
    except OSError as error:
        raise PythonLimitError(f"Python could not be started ({interpreter}: {error.strerror})") from None
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(data), timeout_s)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise PythonLimitError(f"the code ran longer than its limit of {timeout_s:g} seconds and was stopped") from None
    try:
        reply = json.loads(stdout.decode("utf-8", "replace"))
    except ValueError:
        last = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit code {process.returncode}"]
        return PythonReply(False, error=last[0])
    if not isinstance(reply, dict):
        return PythonReply(False, error="the check's process answered nothing readable")
    return PythonReply(bool(reply.get("ok")), reply.get("value"), str(reply.get("error", "")))
