"""Candidate keys: 32 hex characters, time-ordered, unguessable.

The candidate key leads the identifier table's unique index, which takes ~45 rows per
vetting. Random ``uuid4`` keys put each of those inserts on a random B-tree page; once a
few thousand candidates are stored, a batch's commits rewrote most of the index. A key
that starts with the time appends instead. (Vetting ids stay random: people type their
first characters in the shell, which must differ between vettings of the same minute.) The
layout is UUIDv7's (48-bit Unix milliseconds, then randomness) without the version bits,
so the format stays the 32 hex characters vetbot always stored, and 80 random bits keep
keys unguessable (they are never the authorisation anyway: roles are).
"""

from __future__ import annotations

import secrets
import time


def sortable_id() -> str:
    """48-bit milliseconds since the epoch (12 hex) + 80 random bits (20 hex)."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}"
