"""Short garbage-collector pauses on the GUI thread.

Python's cyclic collector walks every tracked object in a full collection. The window holds many long-lived ones
(modules, classes, Qt wrappers, the experiment, a run's results), and during a run of thousands of results full
collections came often enough to stall the event loop 100-180 ms (benchmarks/gui_responsiveness.py; with the objects
alive at the run's start frozen, about 50 ms). Freezing moves the objects alive now into a generation the collector
never walks. They are still freed as usual when nothing refers to them; only a reference cycle among them would stay
until the app closes, which is why the collection runs first at start-up, when the window is idle.
"""

from __future__ import annotations

import gc


def settle_after_start() -> None:
    """Once the window is up and idle: collect what start-up left, then freeze the rest."""
    gc.collect()
    gc.freeze()


def settle_before_run() -> None:
    """When a run starts: freeze what is alive (no collection here: it would itself pause the click)."""
    gc.freeze()
