"""How fast is the history when it is big? Fills a file with 10,000 runs and 1,000,000 results, then times it.

    .venv/bin/python benchmarks/history.py [--file PATH] [--refill]

The filled file is kept (default /tmp/promptbench-bench/history-1m.db, about 3 GB) so later runs skip the fill.
Printed: list the newest 100 runs, open a run of 2,000 cells, full-text search, compare two 2,000-cell runs,
file size per result, a cache-hit re-run of 2,000 cells, and record() during a simulated 2,000-cell run against
the same run with no history, through the run path's writer thread (promptbench.service.recorder) and with
record() called on the loop (the ratio is the figure that matters: the target is at most 1.10).
Targets: each query under 200 ms, search under 100 ms, the cache-hit re-run under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from promptbench.core.completion import Completion, cache_key  # noqa: E402
from promptbench.core.experiment import Experiment, Message, TestCase, Variant  # noqa: E402
from promptbench.core.result import CellKey, CheckOutcome, Grade, Result  # noqa: E402
from promptbench.service.recorder import ResultRecorder  # noqa: E402
from promptbench.storage import History  # noqa: E402
from promptbench.storage.runs import (  # noqa: E402
    INSERT_RESULT,
    RESULT_COLUMNS,
    dumps,
    index_new_results,  # noqa: E402
    snapshot_dict,
)

RUNS = 10_000
RESULTS = 1_000_000
BIG_RUN_CELLS = 2_000
DEFAULT_FILE = Path("/tmp/promptbench-bench/history-1m.db")
VOCABULARY_SIZE = 6_000
POOL = 4_000  # distinct outputs, reused across cells (search and size behave as with real, repetitive text)
REPEATS = 7


def words(rng: random.Random) -> list[str]:
    syllables = ["ka", "ri", "to", "men", "sa", "lo", "ver", "un", "da", "pe", "sh", "or", "il", "qu", "ent", "ab"]
    vocabulary = {"refund", "invoice", "billing", "shipping", "parcel", "account", "password", "marmalade"}
    while len(vocabulary) < VOCABULARY_SIZE:
        vocabulary.add("".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))))
    return sorted(vocabulary)


def output_pool(rng: random.Random, vocabulary: list[str]) -> list[str]:
    # Zipf-like word frequencies, 100 to 400 words per answer, in sentences.
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    pool = []
    for _ in range(POOL):
        chosen = rng.choices(vocabulary, weights=weights, k=rng.randint(100, 400))
        sentences = [" ".join(chosen[i : i + 12]).capitalize() + "." for i in range(0, len(chosen), 12)]
        pool.append(" ".join(sentences))
    return pool


def experiment(name: str, cases: int, variants: int) -> Experiment:
    return Experiment(
        name=name,
        variants=tuple(
            Variant(f"variant {v}", f"model-{v % 3}", (Message("system", "Be helpful."), Message("user", "{{q}}")))
            for v in range(variants)
        ),
        cases=tuple(TestCase(vars={"q": f"question {c}"}) for c in range(cases)),
    )


def fill(path: Path) -> tuple[str, str]:
    """Write the big file; returns the ids of the two 2,000-cell runs."""
    rng = random.Random(7)
    vocabulary = words(rng)
    pool = output_pool(rng, vocabulary)
    grades = [
        dumps(Grade(p, float(p), "checked", (CheckOutcome("icontains", p, float(p), "ok"),)).to_dict())
        for p in (False, True)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    history = History.open(path)
    db = history._db
    # Two 2,000-cell runs (20 variants x 100 cases) and 9,998 runs sharing the rest, about 100 cells each.
    sizes = [BIG_RUN_CELLS, BIG_RUN_CELLS] + [0] * (RUNS - 2)
    rest = RESULTS - 2 * BIG_RUN_CELLS
    for i in range(2, RUNS):
        sizes[i] = rest // (RUNS - 2) + (1 if i - 2 < rest % (RUNS - 2) else 0)
    first = datetime(2025, 1, 1, tzinfo=UTC)
    run_ids = []
    columns = [c.strip() for c in RESULT_COLUMNS.split(",")]
    cursor_row = 0
    small = experiment("Benchmark experiment", 20, 5)
    big = experiment("Big experiment", 100, 20)
    with history._lock:
        for start in range(0, RUNS, 500):
            db.conn.execute("BEGIN")
            rows = []
            snapshots = []  # a run's snapshot has a table of its own (migration m002)
            for i in range(start, min(start + 500, RUNS)):
                moment = first + timedelta(minutes=50 * i)
                run_id = f"{moment:%Y%m%d-%H%M%S}-{i:04x}"
                run_ids.append(run_id)
                shape = big if sizes[i] == BIG_RUN_CELLS else small
                rows.append(
                    (
                        run_id,
                        shape.name if i > 1 else f"Big experiment {i}",
                        f"exp{i % 40}.json",
                        "completed",
                        moment.isoformat(timespec="milliseconds"),
                        (moment + timedelta(minutes=3)).isoformat(timespec="milliseconds"),
                        sizes[i],
                        dumps([v.name for v in shape.variants]),
                        dumps(sorted({v.model for v in shape.variants})),
                    )
                )
                snapshots.append((run_id, dumps(snapshot_dict(shape))))
            db.conn.executemany(
                "INSERT INTO runs (id, experiment, source, state, started_at, finished_at, planned_cells, variants, "
                "models) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            db.conn.executemany("INSERT INTO run_snapshots (run_id, snapshot) VALUES (?, ?)", snapshots)
            db.conn.execute("COMMIT")
        batch = []

        def flush():
            db.conn.execute("BEGIN")
            db.conn.executemany(INSERT_RESULT, batch)
            db.conn.execute("COMMIT")
            batch.clear()
            db.conn.execute("BEGIN")
            index_new_results(db)  # what record_many() does with each group, here in big steps
            db.conn.execute("COMMIT")

        for i, run_id in enumerate(run_ids):
            variants = 20 if sizes[i] == BIG_RUN_CELLS else 5
            for cell in range(sizes[i]):
                case, variant = divmod(cell, variants)
                passed = rng.random() < (0.7 if i != 1 else 0.75)
                question = f"Customer question {case}: " + " ".join(
                    vocabulary[(case * 31 + k) % 500] for k in range(30)
                )
                messages = [{"role": "system", "content": "Be helpful."}, {"role": "user", "content": question}]
                row = {
                    "run_id": run_id,
                    "variant": f"variant {variant}",
                    "case_index": case,
                    "repeat": 0,
                    "provider": "openai",
                    "model": f"model-{variant % 3}",
                    "messages": dumps(messages),
                    "prompt": "Be helpful.\n\n" + question,
                    "output": pool[(cursor_row * 7919) % POOL],
                    "finish_reason": "stop",
                    "latency_ms": 300 + rng.random() * 900,
                    "prompt_tokens": 60,
                    "completion_tokens": 300,
                    "cost": 0.0002,
                    "error": None,
                    "error_kind": None,
                    "attempts": 1,
                    "cached": 0,
                    "passed": int(passed),
                    "score": float(passed),
                    "grade": grades[passed],
                    "recorded_at": "2025-01-01T00:00:00.000+00:00",
                }
                assert len(row) == len(columns)
                batch.append(row)
                cursor_row += 1
                if len(batch) >= 50_000:
                    flush()
                    print(f"  filled {cursor_row:,} results ({time.perf_counter() - started:.0f} s)", flush=True)
        if batch:
            flush()
    # Filling in big steps leaves the index in many segments, which a history grown a run at a time never has
    # (FTS5 merges as it goes); merge them, as that history would be.
    db.conn.execute("BEGIN")
    db.conn.execute("INSERT INTO results_fts (results_fts) VALUES ('optimize')")
    db.conn.execute("COMMIT")
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("ANALYZE")
    history.close()
    print(f"filled {path} in {time.perf_counter() - started:.0f} s", flush=True)
    return run_ids[0], run_ids[1]


def timed(action, repeats: int = REPEATS) -> float:
    """Median milliseconds of `repeats` calls (after one warm-up call)."""
    action()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def line(label: str, ms: float, target: float | None = None) -> None:
    verdict = "" if target is None else ("  ok" if ms < target else f"  OVER the {target:.0f} ms target")
    print(f"{label:<48} {ms:9.1f} ms{verdict}")


def big_run_ids(history: History) -> tuple[str, str]:
    rows = history._db.execute("SELECT id FROM runs WHERE planned_cells = ? ORDER BY id LIMIT 2", [BIG_RUN_CELLS])
    first, second = [r[0] for r in rows]
    return first, second


def fake_result(variant: int, case: int, output: str) -> Result:
    return Result(
        key=CellKey(f"variant {variant}", case),
        messages=({"role": "system", "content": "Be helpful."}, {"role": "user", "content": f"question {case}"}),
        model="model-0",
        provider="openai",
        output=output,
        finish_reason="stop",
        latency_ms=420.0,
        prompt_tokens=60,
        completion_tokens=300,
        cost=0.0002,
        attempts=1,
        grade=Grade(True, 1.0, "ok", (CheckOutcome("icontains", True, 1.0, "ok"),)),
    )


async def simulated_run(sink, outputs: list[str], latency_s: float, *, concurrency: int = 8) -> float:
    """A 2,000-cell run shaped like the engine's: calls at `concurrency`, each result handed to `sink` on the
    loop as it arrives (the engine's observer)."""
    semaphore = asyncio.Semaphore(concurrency)

    async def cell(index: int) -> None:
        async with semaphore:
            await asyncio.sleep(latency_s)
            sink(fake_result(index % 20, index // 20, outputs[index % len(outputs)]))

    start = time.perf_counter()
    await asyncio.gather(*(cell(i) for i in range(BIG_RUN_CELLS)))
    return time.perf_counter() - start


def measure_record(history: History, outputs: list[str], latencies_s: list[float]) -> None:
    """The same simulated run with no history, with the run path's writer thread, and with record() on the loop."""
    shape = experiment("Record benchmark", 100, 20)
    run_ids = []

    def with_writer(latency_s: float) -> float:
        run_id = history.start_run(shape, planned_cells=BIG_RUN_CELLS)
        run_ids.append(run_id)
        start = time.perf_counter()
        recorder = ResultRecorder(history, run_id)  # what RunSession uses: group commit on its own thread
        try:
            asyncio.run(simulated_run(recorder.add, outputs, latency_s))
        finally:
            recorder.close()  # the run is over when its last result is written
        assert recorder.error is None
        history.finish_run(run_id, "completed")
        return time.perf_counter() - start

    def on_loop(latency_s: float) -> float:
        run_id = history.start_run(shape, planned_cells=BIG_RUN_CELLS)
        run_ids.append(run_id)
        elapsed = asyncio.run(simulated_run(lambda r: history.record(run_id, r), outputs, latency_s))
        history.finish_run(run_id, "completed")
        return elapsed

    for latency_s in latencies_s:
        baseline = asyncio.run(simulated_run(lambda result: None, outputs, latency_s))
        print(
            f"{'simulated 2,000-cell run, no history':<48} {baseline * 1000:9.1f} ms"
            f"  ({latency_s * 1000:.0f} ms per call, 8 at once)"
        )
        for how, measure in (("writer thread (RunSession)", with_writer), ("record() on the loop", on_loop)):
            elapsed = measure(latency_s)
            print(
                f"{'  the same run, ' + how:<48} {elapsed * 1000:9.1f} ms"
                f"  ratio {elapsed / baseline:.3f} (target <= 1.10)"
            )
    # The raw cost of writing, no calls around it, on fresh runs: one result per transaction, and groups of 50.
    results = [fake_result(i % 20, i // 20, outputs[i % len(outputs)]) for i in range(BIG_RUN_CELLS)]
    raw_id = history.start_run(shape, planned_cells=BIG_RUN_CELLS)
    run_ids.append(raw_id)
    start = time.perf_counter()
    for result in results:
        history.record(raw_id, result)
    raw = time.perf_counter() - start
    print(f"{'record() alone, 2,000 results':<48} {raw * 1000:9.1f} ms  ({raw / BIG_RUN_CELLS * 1e6:.0f} us each)")
    grouped_id = history.start_run(shape, planned_cells=BIG_RUN_CELLS)
    run_ids.append(grouped_id)
    start = time.perf_counter()
    for first in range(0, BIG_RUN_CELLS, 50):
        history.record_many(grouped_id, results[first : first + 50])
    grouped = time.perf_counter() - start
    print(
        f"{'record_many() in groups of 50, 2,000 results':<48} {grouped * 1000:9.1f} ms"
        f"  ({grouped / BIG_RUN_CELLS * 1e6:.0f} us each)"
    )
    # Leave the cached file as it was filled: the runs with all that refers to them (their snapshots, results).
    history.finish_run(raw_id, "completed")
    history.finish_run(grouped_id, "completed")
    history.delete_runs(run_ids)


def measure_cache(history: History, outputs: list[str]) -> None:
    requests = [
        (
            "https://api.openai.com/v1",
            "model-0",
            [{"role": "user", "content": f"cache question {i}"}],
            {"temperature": 0},
        )
        for i in range(BIG_RUN_CELLS)
    ]
    for i, request in enumerate(requests):
        history.cache.put(cache_key(*request), Completion(outputs[i % len(outputs)], "stop", "model-0", 60, 300))
    start = time.perf_counter()
    hits = sum(history.cache.get(cache_key(*request)) is not None for request in requests)
    elapsed = (time.perf_counter() - start) * 1000
    assert hits == BIG_RUN_CELLS
    line("cache-hit re-run, 2,000 lookups", elapsed, 1000)
    history.cache.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--refill", action="store_true", help="build the file again even if it exists")
    parser.add_argument(
        "--latency-ms",
        type=float,
        nargs="+",
        default=[20.0, 100.0],
        help="simulated call latencies for the record figure (20 ms: a small local model; 100 ms: a fast API)",
    )
    args = parser.parse_args()
    if args.refill:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.file}{suffix}").unlink(missing_ok=True)
    if not args.file.exists():
        print(f"filling {args.file} with {RUNS:,} runs and {RESULTS:,} results (once; kept for later runs)")
        fill(args.file)
    history = History.open(args.file)
    try:
        total = history._db.execute("SELECT count(*) FROM results").fetchone()[0]
        runs = history._db.execute("SELECT count(*) FROM runs").fetchone()[0]
        print(f"\n{args.file}: {runs:,} runs, {total:,} results")
        big_a, big_b = big_run_ids(history)
        line("list the newest 100 runs", timed(lambda: history.list_runs(limit=100)), 200)
        line(
            "list runs of one experiment (newest 100)",
            timed(lambda: history.list_runs(experiment="Benchmark experiment", limit=100)),
            200,
        )
        line("list runs with a model, text filter", timed(lambda: history.list_runs(model="model-2", text="exp3")), 200)
        line("open a run of 2,000 cells", timed(lambda: history.open_run(big_b)), 200)
        for query in ("marmalade", "refund invoice", "billing*", "zzzznotaword"):
            found = len(history.search(query))
            line(f"full-text search {query!r} ({found} hits shown)", timed(lambda q=query: history.search(q)), 100)
        line("compare two 2,000-cell runs", timed(lambda: history.compare(big_a, big_b)), 200)
        size = sum(Path(f"{args.file}{s}").stat().st_size for s in ("", "-wal") if Path(f"{args.file}{s}").exists())
        print(f"{'file size per result':<48} {size / total:9.0f} bytes  ({size / 1e9:.2f} GB in all)")
        outputs = [r.output for r in history.results(big_a)[:200]]
        measure_cache(history, outputs)
        measure_record(history, outputs, [ms / 1000 for ms in args.latency_ms])
    finally:
        history.close()


if __name__ == "__main__":
    main()
