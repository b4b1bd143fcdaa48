"""Run the test server as a process: prints its base URL on one line once listening, runs until SIGTERM or SIGINT.

    python -m tests.support.openai_server [--port 0] [--latency 0.05] [--stream-delay 0] [--api-key KEY]

A test driving the process changes it through the /_admin/ endpoints (see admin.py).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .server import DEFAULT_API_KEY, OpenAIServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.openai_server", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--stream-delay", type=float, default=0.0, help="seconds between streamed chunks")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    args = parser.parse_args(argv)

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    server = OpenAIServer(
        api_key=args.api_key,
        latency=args.latency,
        stream_delay=args.stream_delay,
        host=args.host,
        port=args.port,
    ).start()
    try:
        print(server.base_url, flush=True)
        # A timed wait so the signal handler (which runs on this thread) gets its turn promptly.
        while not stop.wait(0.2):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
