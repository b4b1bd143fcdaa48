"""The JavaScript sandbox: limits per call, nothing from the machine, and no state carried from one call to the next."""

from __future__ import annotations

import asyncio
import threading

import pytest

from promptbench.core.code.js_sandbox import JsLimitError, JsSandbox
from promptbench.core.code.limits import CodeLimits

SHORT = CodeLimits(js_timeout_s=0.5, js_memory_mb=64)


@pytest.fixture
def sandbox():
    running = JsSandbox(SHORT)
    yield running
    running.close()


def test_a_call_gets_its_arguments_and_returns_what_javascript_returned(sandbox):
    answer = sandbox.call(
        "return [output.length, context.vars.x]", ("output", "context"), ("héllo", {"vars": {"x": 2}})
    )
    assert (answer.kind, answer.value) == ("array", [5, 2])
    assert sandbox.call("return 0 / 0", (), ()).describe() == "NaN"
    assert sandbox.call("return undefined", (), ()).kind == "undefined"
    assert sandbox.call("return Promise.resolve({a: 1})", (), ()).value == {"a": 1}


def test_a_loop_that_never_ends_is_stopped_at_its_time_limit(sandbox):
    with pytest.raises(JsLimitError, match=r"ran longer than its limit of 0.5 seconds"):
        sandbox.call("while (true) {}", (), ())
    with pytest.raises(JsLimitError, match=r"ran longer than its limit"):
        sandbox.call("return new Promise(() => {})", (), ())
    assert sandbox.call("return 1 + 1", (), ()).value == "2"  # the context still works afterwards


def test_code_that_eats_memory_is_stopped_at_its_memory_limit():
    sandbox = JsSandbox(CodeLimits(js_timeout_s=30, js_memory_mb=64))  # time enough to reach the memory limit
    try:
        hog = "const kept = []; while (true) kept.push(new Array(1e6).fill(1));"
        with pytest.raises(JsLimitError, match=r"more than its memory limit of 64 MB"):
            sandbox.call(hog, (), ())
        assert sandbox.call("return 'fresh'", (), ()).value == "fresh"  # a new context replaced the spent one
    finally:
        sandbox.close()


@pytest.mark.parametrize("reach", ["require('fs')", "fetch('http://127.0.0.1:9/')", "process.env", "XMLHttpRequest"])
def test_nothing_of_the_machine_is_there(sandbox, reach):
    answer = sandbox.call(f"return {reach}", (), ())
    assert answer.threw and answer.blocked
    assert "is not defined" in answer.value and "no files, network or process" in answer.value


def test_a_call_cannot_change_what_the_next_one_sees(sandbox):
    sandbox.call("leaked = 1; globalThis.other = 2; return 0", (), ())
    assert sandbox.call("return typeof leaked + typeof other", (), ()).value == "undefinedundefined"
    sandbox.call("Array.prototype.sum = 1; JSON.parse = () => 5; Math = null; return 0", (), ())
    assert sandbox.call("return [typeof [].sum, JSON.parse('7'), typeof Math.max]", (), ()).value == [
        "undefined",
        7,
        "function",
    ]


def test_it_works_from_inside_a_running_event_loop_and_leaves_no_thread_behind():
    before = set(threading.enumerate())

    async def inside() -> str:
        sandbox = JsSandbox(SHORT)
        try:
            with pytest.raises(JsLimitError):
                sandbox.call("for (;;) {}", (), ())
            return sandbox.call("return 'ok'", (), ()).value
        finally:
            sandbox.close()

    assert asyncio.run(inside()) == "ok"
    assert [t for t in threading.enumerate() if t not in before and t.is_alive()] == []
