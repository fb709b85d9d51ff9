"""Candidate keys: the stored format (32 hex), time-ordered, and never repeated."""

from __future__ import annotations

import re
import time

from vetbot.ids import sortable_id


def test_sortable_ids_are_32_hex_ordered_by_time_and_unique() -> None:
    first = sortable_id()
    time.sleep(0.002)
    later = [sortable_id() for _ in range(10_000)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", key) for key in [first, *later])
    assert all(first < key for key in later)  # a later millisecond sorts after
    assert len(set(later)) == len(later)  # 80 random bits within a millisecond
