"""Batch GC settings: collection at chosen points, everything restored afterwards."""

from __future__ import annotations

import gc
import weakref

from vetbot.gc_tuning import batch_gc


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_batch_gc_collects_cycles_on_its_ticks_and_restores_the_collector() -> None:
    assert gc.isenabled()
    with batch_gc(every=3) as collector:
        assert not gc.isenabled()
        node = _Node()
        ref = weakref.ref(node)
        del node
        collector.tick()
        collector.tick()
        assert ref() is not None  # automatic collection is off
        collector.tick()  # the third profile: a collection
        assert ref() is None
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
