"""A promptfoo config of the usual shape runs through `promptbench run` as it stands, and sends what promptfoo would.

The fixture (tests/formats/promptfoo/fixtures/promptfoo_support) has two prompts in one file split by `---`, CSV
tests with `__expected` and `__metadata:` columns, a `$ref` to assertionTemplates, `similar`, `llm-rubric` graded
by defaultTest.options.provider, the `load` filter and YAML 1.2 values (`vip: No`, `vip: Yes`). The only change
is the test server's port written where the file says PORT.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.cli.conftest import KEY, promptbench
from tests.support.openai_server import DEFAULT_MODELS

FIXTURE = Path(__file__).parents[1] / "formats" / "promptfoo" / "fixtures" / "promptfoo_support"


def test_the_fixture_config_runs_and_sends_promptfoos_text(tmp_path, server_process):
    server_process.admin("config", {"models": [*DEFAULT_MODELS, "text-embedding-3-large"]})  # similar's default
    folder = tmp_path / "support"
    shutil.copytree(FIXTURE, folder)
    config = folder / "promptfooconfig.yaml"
    port = server_process.base_url.split(":")[2].split("/")[0]
    config.write_text(config.read_text().replace("PORT", port))
    out = tmp_path / "cells.json"
    completed = promptbench(
        "run", str(config), "--db", str(tmp_path / "h.db"), "--allow-key-host", f"127.0.0.1:{port}", "-o", str(out)
    )
    assert completed.returncode in (0, 1), completed.stderr  # 1: a check failed, which is the model's doing
    assert KEY not in completed.stdout + completed.stderr + out.read_text()
    requests = server_process.requests()
    assert all(r["authorization_ok"] for r in requests)

    chats = [r["body"] for r in requests if r["path"] == "/v1/chat/completions" and r["body"]["model"] == "gpt-4o-mini"]
    sent = sorted(body["messages"][0]["content"] for body in chats)
    assert sent == sorted(
        [
            "Customer Ana asks: Where is my parcel?",
            "Customer Bo asks: Can I pay by card?",
            "Customer Cy asks: Where is my order?",
            # YAML 1.2: No and Yes stay text; a list of numbers prints as Nunjucks prints it
            "You are a support agent (VIP: No, flags: 1,2). Reply to Ana: Where is my parcel?",
            "You are a support agent (VIP: No, flags: 1,2). Reply to Bo: Can I pay by card?",
            "You are a support agent (VIP: Yes, flags: 1,2). Reply to Cy: Where is my order?",
        ]
    )
    for body in chats:
        assert body["temperature"] == 0 and len(body["messages"]) == 1 and body["messages"][0]["role"] == "user"

    # llm-rubric: graded by defaultTest.options.provider's model, the rubric rendered through the load filter
    graded = [r["body"] for r in requests if r["path"] == "/v1/chat/completions" and r["body"]["model"] == "gpt-4o"]
    assert len(graded) == 2  # one test case, two prompts
    for body in graded:
        text = json.dumps(body["messages"])
        assert "Mentions order 7 with tea and cake" in text

    # similar: promptfoo's default embedding model, the CSV's reference and each output
    embeddings = [r["body"] for r in requests if r["path"] == "/v1/embeddings"]
    assert len(embeddings) == 2
    for body in embeddings:
        assert body["model"] == "text-embedding-3-large"
        assert body["input"][0] == "pay by card"

    # every check ran (none could not be filled in), and a case's rubric and icontains saw the loaded JSON
    cells = json.loads(out.read_text())["cells"]
    assert len(cells) == 6
    for cell in cells:
        assert cell["checks"] and all(not check["error"] for check in cell["checks"]), cell["checks"]
        assert cell["checks"][0]["type"] == "not-icontains"  # the $ref'd default check, first
    cy = [cell for cell in cells if "Cy" in cell["output"]]
    # the echo server's answer does not mention tea, and is no JSON verdict: both fail as checks, not as errors
    assert [[c["pass"] for c in cell["checks"]] for cell in cy] == [[True, False, False]] * 2
