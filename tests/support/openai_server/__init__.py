"""A real HTTP server on 127.0.0.1 that speaks the OpenAI API, for every PromptBench test and benchmark.

    from tests.support.openai_server import OpenAIServer, Fault

    with OpenAIServer(api_key="sk-test-0123456789abcdef", latency=0.0) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0)
        server.add_faults(Fault.rate_limit(retry_after=0.2))

Faithful to the shapes and errors of OpenAI's API reference; `python -m tests.support.openai_server` runs it as a process for CLI tests.
"""

from .faults import Fault
from .server import DEFAULT_API_KEY, DEFAULT_MODELS, OpenAIServer, ReceivedRequest

__all__ = ["DEFAULT_API_KEY", "DEFAULT_MODELS", "Fault", "OpenAIServer", "ReceivedRequest"]
