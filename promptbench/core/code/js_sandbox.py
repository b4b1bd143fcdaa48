"""An embedded JavaScript engine (V8, through mini-racer) for the code checks, transforms and derived metrics run.

The engine has no files, no network, no `require`, `fetch` or `process`: only the language and its built-ins.
Every call has a time limit and a memory limit (`CodeLimits`). One V8 context serves a whole run, because
starting one costs 40 ms or more and a call about a millisecond; so that one check cannot change what the
next one sees, the built-ins are frozen and every global a call adds is deleted when it returns.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Any

from .limits import DEFAULT_LIMITS, CodeLimits

# Runs once per context. `__pb_run` compiles a function body with the given parameter names, calls it with the
# JSON-decoded arguments and answers [kind, text] (or a promise of it), so no V8 object crosses into Python.
_PRELUDE = r"""
(() => {
  const encode = (r) => {
    const kind = r === null ? 'null' : Array.isArray(r) ? 'array' : typeof r;
    let text = null;
    if (kind === 'number' || kind === 'function' || kind === 'symbol' || kind === 'bigint') text = String(r);
    else if (kind !== 'undefined') { try { text = JSON.stringify(r); } catch (e) { text = String(r); } }
    return JSON.stringify([kind, text]);
  };
  const failure = (e) => {
    const text = e instanceof Error ? `${e.name}: ${e.message}` : `Uncaught ${String(e)}`;
    return JSON.stringify(['thrown', text]);
  };
  const original = new Set(Object.getOwnPropertyNames(globalThis));
  const tidy = () => {
    for (const name of Object.getOwnPropertyNames(globalThis)) if (!original.has(name)) delete globalThis[name];
  };
  const run = (body, names, argsJson) => {
    try {
      const result = new Function(...names, body)(...JSON.parse(argsJson));
      if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
        return Promise.resolve(result).then(encode, failure).finally(tidy);
      }
      tidy();
      return encode(result);
    } catch (e) {
      tidy();
      return failure(e);
    }
  };
  Object.defineProperty(globalThis, '__pb_run', { value: run, writable: false, configurable: false });
  original.add('__pb_run');
  for (const name of original) {
    const value = globalThis[name];
    if ((typeof value === 'function' || (typeof value === 'object' && value !== null)) && value !== globalThis) {
      Object.freeze(value);
      if (typeof value === 'function' && value.prototype) Object.freeze(value.prototype);
    }
    const slot = Object.getOwnPropertyDescriptor(globalThis, name);
    if (slot && slot.configurable) Object.defineProperty(globalThis, name, { writable: false, configurable: false });
  }
})();
"""

# The words a person needs when their code reached for something the sandbox does not have.
_UNAVAILABLE = re.compile(r"\b(require|fetch|process|XMLHttpRequest|import)\b")
SANDBOX_NOTE = (
    "code here runs in a sandbox with no files, network or process, so require, fetch and process are not there"
)


class JsLimitError(Exception):
    """The call went past its time or memory limit, or the engine could not run it; one plain sentence."""


@dataclass(frozen=True)
class JsValue:
    """What a call returned, as JavaScript saw it: `kind` is typeof (with 'null' and 'array'), or 'thrown'."""

    kind: str
    value: Any  # booleans, strings, objects and arrays decoded from JSON; a number's String(); the error's text
    blocked: bool = False  # it threw because it reached for something the sandbox does not have

    @property
    def threw(self) -> bool:
        return self.kind == "thrown"

    def number(self) -> float:
        return float(self.value.replace("Infinity", "inf")) if isinstance(self.value, str) else float("nan")

    def describe(self) -> str:
        """How JavaScript would print it in a reason: `true`, `0.4`, `{"a":1}`, `undefined`."""
        if self.kind == "undefined":
            return "undefined"
        if self.kind in ("number", "function", "symbol", "bigint", "thrown"):
            return str(self.value)
        return json.dumps(self.value, ensure_ascii=False, separators=(",", ":"))


class JsSandbox:
    """One V8 context, made on first use, for the calls of one run; thread-safe (one call at a time)."""

    def __init__(self, limits: CodeLimits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self._racer: Any = None
        self._lock = threading.Lock()

    def call(self, body: str, names: tuple[str, ...], args: tuple[Any, ...]) -> JsValue:
        """Run `body` as the body of a function of `names`, called with `args` (JSON values).

        A throw comes back as a JsValue of kind 'thrown'; going past a limit raises JsLimitError.
        """
        arguments = json.dumps(list(args), ensure_ascii=False, default=str)
        with self._lock:
            racer = self._context()
            from py_mini_racer import JSOOMException, JSPromise, JSTimeoutException

            timeout = self.limits.js_timeout_s
            memory = self.limits.js_memory_mb * 1024 * 1024
            try:
                # eval, not call: call JSON-encodes what comes back, which turns a promise into {}.
                source = f"__pb_run({json.dumps(body)}, {json.dumps(list(names))}, {json.dumps(arguments)})"
                answer = racer.eval(source, timeout_sec=timeout, max_memory=memory)
                if isinstance(answer, JSPromise):
                    answer = answer.get(timeout=timeout)
            except JSTimeoutException:
                # V8 reports the stopped call later; one more call waits for that report, so closing the
                # context right after cannot leave it to a loop that is already gone.
                racer.eval("0")
                raise JsLimitError(
                    f"the code ran longer than its limit of {_seconds(timeout)} and was stopped"
                ) from None
            except JSOOMException:
                self._discard()  # a context that hit its memory limit refuses every later call
                raise JsLimitError(
                    f"the code used more than its memory limit of {self.limits.js_memory_mb} MB and was stopped"
                ) from None
            if racer.was_hard_memory_limit_reached():
                self._discard()
        kind, value = json.loads(answer)
        if kind in ("null", "array", "object", "string", "boolean") and value is not None:
            value = json.loads(value)
        if kind == "thrown" and _UNAVAILABLE.search(value) and "is not defined" in value:
            return JsValue(kind, f"{value}: {SANDBOX_NOTE}", blocked=True)
        return JsValue(kind, value)

    def close(self) -> None:
        with self._lock:
            self._discard()

    def _context(self) -> Any:
        if self._racer is None:
            from py_mini_racer import MiniRacer

            # Made on a thread with no asyncio loop, so mini-racer runs its own loop thread and its timeouts work
            # when a run calls from inside its own loop. close() stops that thread.
            made: list[Any] = []
            starter = threading.Thread(target=lambda: made.append(MiniRacer()), name="promptbench-js-start")
            starter.start()
            starter.join()
            racer = made[0]
            racer.eval(_PRELUDE)
            self._racer = racer
        return self._racer

    def _discard(self) -> None:
        if self._racer is not None:
            self._racer.close()
            self._racer = None


def _seconds(seconds: float) -> str:
    return f"{seconds:g} seconds" if seconds != 1 else "1 second"
