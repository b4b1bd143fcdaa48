"""Start-up without the garbage collector's passes over what start-up makes.

Loading a command's modules (for `run`, openai with its hundreds of pydantic models, the history, the keyring and the
checks) makes objects that live as long as the process, and the cyclic garbage collector walked them again and again
as they were made: about a tenth of the time to the first request. While `collector_paused()` lasts the collector is
off; at its end everything made so far is frozen out of the collector's later passes (gc.freeze), which also makes
each pass during a long run cheaper, and the collector is on again. Only for bounded start-up work: nothing long runs
inside it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
