"""The baseline for run_throughput.py and run_targets.py: the same calls through a bare AsyncOpenAI loop, nothing else.

Usage: python bare_openai_loop.py BASE_URL KEY VARIANTS CASES CONCURRENCY [default|aiohttp]

The last word picks the SDK's transport: its default (httpx) or `openai.DefaultAioHttpClient` (openai[aiohttp]).
"""

import asyncio
import sys

import openai


async def main(base_url: str, key: str, variants: int, cases: int, concurrency: int, transport: str) -> None:
    http_client = openai.DefaultAioHttpClient() if transport == "aiohttp" else None
    client = openai.AsyncOpenAI(base_url=base_url, api_key=key, max_retries=0, http_client=http_client)
    limit = asyncio.Semaphore(concurrency)

    async def call(variant: int, case: int) -> str:
        async with limit:
            response = await client.chat.completions.create(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": f"Variant {variant} summarises story {case} in a few words."}],
            )
            return response.choices[0].message.content

    outputs = await asyncio.gather(*(call(v, c) for c in range(cases) for v in range(variants)))
    await client.close()
    assert len(outputs) == variants * cases


if __name__ == "__main__":
    base_url, key, variants, cases, concurrency = sys.argv[1:6]
    transport = sys.argv[6] if len(sys.argv) > 6 else "default"
    asyncio.run(main(base_url, key, int(variants), int(cases), int(concurrency), transport))
