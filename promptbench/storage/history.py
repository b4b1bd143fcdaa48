"""History: the one object the run path, the CLI and the window use to keep and read runs.

It owns one SQLite connection, shared by the threads that call it behind one lock (the window runs the engine
on its own thread and reads on the GUI thread; SQLite connections must not be used by two threads at once).
Another process may write the same file at the same time: each write is a short IMMEDIATE transaction that
waits on SQLite's busy timeout. A run's own writes (its start, its results, its end) wait as long as the lock
is held, in short attempts that let this process's other threads in between, and tell `on_waiting` while they
wait; docs/history-format.md ("Locks and waiting") says who waits for whom.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from promptbench.core.experiment import Experiment, ProviderProfile
from promptbench.core.result import CellKey, HumanGrade, Result
from promptbench.core.run_state import RunState
from promptbench.storage import database, errors, runs
from promptbench.storage.cache import DEFAULT_CAP_BYTES, ResponseCache
from promptbench.storage.database import HistoryDatabase, damaged_marker, open_database, write_transaction
from promptbench.storage.errors import HistoryBusy, HistoryDamaged, HistoryError
from promptbench.storage.liveness import Writer, this_writer
from promptbench.storage.paths import default_history_path

# The modules for batches, reviews, maintenance, queries and comparisons load in the methods that use them: a run
# opens the history, starts, records and finishes without them, so its first call does not wait for them.
if TYPE_CHECKING:
    from promptbench.core.batches import BatchRecord
    from promptbench.core.blind_review import Preference, Review
    from promptbench.storage.compare import Comparison
    from promptbench.storage.maintenance import HistorySizes
    from promptbench.storage.queries import RunDetail, RunSummary, SearchHit

T = TypeVar("T")

# How long one attempt of a write that waits holds this History's lock before letting other threads in.
ATTEMPT_S = 1.0
_PAUSE_S = 0.05


class History:
    """The history file, open. Use `History.open()`; close it when done (it is also a context manager)."""

    def __init__(
        self, db: HistoryDatabase, path: Path, *, clock: Callable[[], datetime], writer: Writer, cache_cap: int
    ) -> None:
        self._db = db
        self.path = path
        self._clock = clock
        self._writer = writer
        self._lock = threading.RLock()
        self.cache = ResponseCache(db, path, self._lock, cap_bytes=cache_cap)
        self._closed = False
        self.interrupted_at_open: list[str] = []
        # Told True when a run's write finds the file locked by another program and starts waiting, False when
        # the wait is over. Called on the thread that writes (the run's writer thread): it must be quick.
        self.on_waiting: Callable[[bool], object] | None = None
        # Set once SQLite reports a corrupt page: from then on this History writes nothing more.
        self.damaged: HistoryError | None = None

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        *,
        clock: Callable[[], datetime] = runs.utc_now,
        cache_cap: int = DEFAULT_CAP_BYTES,
        busy_timeout: float | None = None,
    ) -> History:
        """Open (creating if needed) the history at `path`, or the default location. Raises HistoryError.

        Runs left 'running' by a process that no longer exists become 'interrupted'; their ids are in
        `interrupted_at_open`. `busy_timeout` is how long a command a person started waits for another
        program's write lock before saying so (default BUSY_TIMEOUT_S; a run's own writes wait as long as it takes).
        """
        path = Path(path) if path is not None else default_history_path()
        db = open_database(path, busy_timeout=busy_timeout)
        history = cls(db, path, clock=clock, writer=this_writer(), cache_cap=cache_cap)
        if damaged_marker(path).exists():
            history.damaged = errors.damaged(path)  # found corrupt before: it is read, never written again
            return history
        try:
            with database.busy_timeout(db, 0):
                history.interrupted_at_open = runs.mark_interrupted(db, path)
        except HistoryError as error:
            # A full disk, or another program writing: the file can still be read, and a later open marks them.
            if isinstance(error, HistoryDamaged):
                history._found_damaged(error)
        except BaseException:
            history.close()
            raise
        return history

    def close(self) -> None:
        """Close the file. Calling it again does nothing."""
        with self._lock:
            if not self._closed:
                if self.damaged is None:
                    # Cache entries still in memory: a try, not a wait (they only save calls; closing must not fail).
                    self.cache.flush(wait=False)
                self._closed = True
                self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # The write side.

    def start_run(
        self,
        experiment: Experiment,
        *,
        source: str | None = None,
        planned_cells: int,
        profiles: Mapping[str, ProviderProfile] | None = None,
    ) -> str:
        """Record a new run; `profiles` (the resolved profiles it calls) go into its snapshot's `run` part."""
        return self._write_waiting(
            lambda: runs.start_run(
                self._db,
                self.path,
                experiment,
                source=source,
                planned_cells=planned_cells,
                writer=self._writer,
                clock=self._clock,
                profiles=profiles,
            )
        )

    def record(self, run_id: str, result: Result) -> None:
        self.record_many(run_id, [result])

    def record_many(self, run_id: str, results: list[Result]) -> None:
        """Several finished cells in one transaction (a writer thread's group commit)."""
        if not results:
            return
        self._write_waiting(lambda: runs.record_many(self._db, self.path, run_id, results, self._clock))
        # Cache entries that met the lock earlier go in now that the file takes writes again.
        with self._lock:
            self.cache.flush(wait=False)

    def finish_run(self, run_id: str, state: str) -> None:
        if state not in runs.FINAL_STATES:
            raise ValueError(f"a run finishes as one of {', '.join(runs.FINAL_STATES)}, not {state!r}")
        self._write_waiting(lambda: runs.set_state(self._db, self.path, run_id, state, self._clock))

    def mark_resumed(self, run_id: str) -> None:
        self._write_waiting(lambda: runs.mark_resumed(self._db, self.path, run_id, self._writer))

    # A batch run's batches (storage/batches.py says why the writes come in this order).

    def add_batch(
        self, run_id: str, provider: str, model: str, sha256: str, custom_ids: list[str], purpose: str = "answers"
    ) -> BatchRecord:
        """Record a batch about to be uploaded (status `preparing`), before anything leaves the machine."""
        from promptbench.storage import batches

        now = runs.timestamp(self._clock())
        return self._write_waiting(
            lambda: batches.add(self._db, self.path, run_id, provider, model, sha256, custom_ids, now, purpose)
        )

    def update_batch(self, row_id: int, **columns: object) -> None:
        """Record what the provider said of a batch: its file id, batch id, status, counts, or that it was collected."""
        from promptbench.storage import batches

        now = runs.timestamp(self._clock())
        self._write_waiting(lambda: batches.update(self._db, self.path, row_id, now, **columns))

    def run_batches(self, run_id: str) -> list[BatchRecord]:
        """The run's batches, oldest first; [] for a run that called directly."""
        from promptbench.storage import batches

        with self._using():
            return batches.of_run(self._db, run_id)

    def set_waiting(self, run_id: str) -> None:
        """The run's batches are at the provider and nobody is collecting them (a detached batch run)."""
        self._write_waiting(lambda: runs.set_state(self._db, self.path, run_id, RunState.WAITING, self._clock))

    def _write_waiting(self, write: Callable[[], T]) -> T:
        """Do a run's write, waiting for another program's write lock as long as it takes.

        Each attempt waits up to ATTEMPT_S on SQLite's busy timeout, then lets go of this History's lock for a
        moment, so the cache and the window's reads are never stuck behind the wait. A corrupt file stops
        every later write (HistoryDamaged); any other HistoryError is raised at once.
        """
        waiting = False
        try:
            while True:
                with self._lock:
                    if self.damaged is not None:
                        raise self.damaged
                    try:
                        with database.busy_timeout(self._db, ATTEMPT_S):
                            return write()
                    except HistoryBusy:
                        pass
                    except HistoryDamaged as error:
                        self._found_damaged(error)
                        raise
                if not waiting:
                    waiting = True
                    self._tell_waiting(True)
                time.sleep(_PAUSE_S)
        finally:
            if waiting:
                self._tell_waiting(False)

    @contextlib.contextmanager
    def _using(self, *, writes: bool = False) -> Iterator[None]:
        """Hold the connection's lock; a corrupt page met on the way becomes HistoryDamaged (and stops writes)."""
        with self._lock:
            if writes and self.damaged is not None:
                raise self.damaged
            try:
                yield
            except sqlite3.DatabaseError as error:
                translated = errors.translate(error, self.path)
                if translated is None:
                    raise
                if isinstance(translated, HistoryDamaged):
                    self._found_damaged(translated)
                raise translated from error
            except HistoryDamaged as error:
                self._found_damaged(error)
                raise

    def _found_damaged(self, error: HistoryDamaged) -> None:
        """Remember it here and for the next process (a marker beside the file), so no run writes into it."""
        self.damaged = error
        with contextlib.suppress(OSError):
            damaged_marker(self.path).touch()

    def _tell_waiting(self, waiting: bool) -> None:
        if self.on_waiting is not None:
            self.on_waiting(waiting)

    def set_human_grade(self, run_id: str, key: CellKey, grade: HumanGrade) -> None:
        with self._using(writes=True):
            runs.set_human_grade(self._db, self.path, run_id, key, grade, self._clock)

    # Blind reviews (storage.reviews): kept apart from human grades.

    def start_review(self, run_id: str, seed: int, variants: list[str]) -> int:
        from promptbench.storage import reviews

        with self._using(writes=True):
            return reviews.start_review(self._db, self.path, run_id, seed, variants, self._clock)

    def record_preference(self, review_id: int, preference: Preference) -> None:
        from promptbench.storage import reviews

        with self._using(writes=True):
            reviews.record_preference(self._db, self.path, review_id, preference, self._clock)

    def reveal_review(self, review_id: int) -> None:
        from promptbench.storage import reviews

        with self._using(writes=True):
            reviews.mark_revealed(self._db, self.path, review_id, self._clock)

    def reviews(self, run_id: str) -> list[Review]:
        from promptbench.storage import reviews

        with self._using():
            return reviews.reviews(self._db, run_id)

    def delete_runs(self, run_ids: Iterable[str]) -> int:
        """Delete these runs (full ids) with their results, search index entries and human grades, all in one
        transaction; returns how many were deleted. The response cache is shared by all runs and stays.

        Raises RunNotFound for an unknown id and HistoryError for a run a live process is still writing; then
        nothing is deleted. The file keeps its size until `vacuum()`.
        """
        from promptbench.storage import maintenance

        with self._using(writes=True):
            return maintenance.delete_runs(self._db, self.path, list(run_ids))

    def vacuum(self) -> None:
        """Compact the file so the space of deleted runs and cleared cache entries goes back to the disk.

        Takes about as long as copying the file, and needs that much free space while it runs; this History's
        other threads wait for it (their writes queue behind the lock). Raises HistoryError.
        """
        from promptbench.storage import maintenance

        with self._using(writes=True):
            maintenance.vacuum(self._db, self.path)

    def quick_check(self) -> list[str]:
        """[] when SQLite finds every page sound, else its findings; a damaged file also stops this History's
        writes (and later processes'). Reads the whole file: for `promptbench doctor`, not for every open."""
        from promptbench.storage import maintenance

        with self._using():
            found = maintenance.quick_check(self._db, self.path)
        if found:
            self._found_damaged(errors.damaged(self.path))
        return found

    def sizes(self) -> HistorySizes:
        """How big the history is on disk, and how much of it is the response cache."""
        from promptbench.storage import maintenance
        from promptbench.storage.maintenance import HistorySizes

        with self._using():
            return HistorySizes(file_bytes=maintenance.file_bytes(self.path), cache_bytes=self.cache.size_bytes())

    # The read side.

    def completed_keys(self, run_id: str) -> set[CellKey]:
        from promptbench.storage import queries

        with self._using():
            return queries.completed_keys(self._db, run_id)

    def datasette_metadata(self) -> dict[str, Any]:
        """A Datasette metadata document describing this file's every table, view and column."""
        from promptbench.storage import metadata

        with self._using():
            return metadata.datasette_metadata(self._db, self.path.stem)

    def snapshot(self, run_id: str) -> Experiment:
        from promptbench.storage import queries

        with self._using():
            return queries.snapshot(self._db, run_id)

    def results(self, run_id: str) -> list[Result]:
        from promptbench.storage import queries

        with self._using():
            return queries.results(self._db, run_id)

    def iter_results(self, run_id: str) -> Iterator[Result]:
        """The run's results by case, then repeat, one at a time (the history is held until the last is read)."""
        from promptbench.storage import queries

        with self._using():
            yield from queries.iter_results(self._db, run_id)

    def human_grades(self, run_id: str) -> dict[CellKey, HumanGrade]:
        from promptbench.storage import queries

        with self._using():
            return queries.human_grades(self._db, run_id)

    def run(self, run_id: str) -> RunSummary:
        from promptbench.storage import queries

        with self._using():
            return queries.run_summary(self._db, run_id)

    def open_run(self, run_id: str) -> RunDetail:
        from promptbench.storage import queries

        with self._using():
            return queries.open_run(self._db, run_id)

    def resolve(self, reference: str) -> str:
        """The full id for a whole id, a unique prefix or "last". Raises RunNotFound with a sentence."""
        from promptbench.storage import queries

        with self._using():
            return queries.resolve_run_id(self._db, reference)

    def list_runs(
        self,
        *,
        experiment: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        model: str | None = None,
        text: str | None = None,
        limit: int | None = 100,
        offset: int = 0,
    ) -> list[RunSummary]:
        from promptbench.storage import queries

        with self._using():
            return queries.list_runs(
                self._db,
                experiment=experiment,
                since=since,
                until=until,
                model=model,
                text=text,
                limit=limit,
                offset=offset,
            )

    def search(self, text: str, *, run_id: str | None = None, limit: int = 50) -> list[SearchHit]:
        from promptbench.storage import queries

        with self._using():
            self._index_backlog()
            return queries.search(self._db, text, run_id=run_id, limit=limit)

    def _index_backlog(self) -> None:
        """Results written by other means (by hand, with sqlite-utils) are indexed before a search sees them."""
        (done,) = self._db.execute("SELECT results_indexed_up_to FROM search_progress").fetchone()
        if self._db.execute("SELECT 1 FROM results WHERE id > ? LIMIT 1", [done]).fetchone() is not None:
            with write_transaction(self._db, self.path):
                runs.index_new_results(self._db)

    def compare(self, before_id: str, after_id: str) -> Comparison:
        from promptbench.storage.compare import compare_runs

        with self._using():
            return compare_runs(self._db, before_id, after_id)

    def compare_variants(self, run_id: str, before_variant: str, after_variant: str) -> Comparison:
        """Two variants of one run, cell by cell; see storage.compare.compare_variants (keys are the after
        variant's cells)."""
        from promptbench.storage.compare import compare_variants

        with self._using():
            return compare_variants(self._db, run_id, before_variant, after_variant)
