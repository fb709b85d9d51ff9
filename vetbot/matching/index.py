"""An in-memory name index: block on canonical token keys, score the few candidates with rapidfuzz.

Brute force costs 25–120 ms per query against a million names (matching-and-data.md §2), so
names are blocked first: each name is filed under the canonical keys of its tokens, of
adjacent token pairs (``Jong Un`` = ``Jongun``) and of token prefixes (late typos). A query
keeps names sharing at least two keys — or one rare key — and skips keys filed under more
than ``cap`` names (a common surname is never a reason to look at a name, nomenklatura's
rule). Survivors are scored with ``rapidfuzz.process.cdist`` (SIMD) on compact canonical
strings, every rotation of the query's tokens, so the family name may come first or last.

Precision: listed names of one token are not indexed (a lone surname or nickname cannot
identify anyone), a one-token query must be a long run (``Kimjongun``), and the whole compact name must
reach ``cutoff``: ``Kim Jong Il`` scores 78 against ``Kim Jong Un`` and stays apart, while
romanisation variants fold to the same string and score 100.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from vetbot.matching.romanize import block_keys, canonical_tokens, compact, rotations

DEFAULT_CUTOFF = 90.0  # one substitution in a 9-letter name (88.9) is another name
DEFAULT_CAP = 100_000  # postings longer than this are not a reason to look at a name
RARE = 64  # a key this rare is enough on its own
MAX_CANDIDATES = 5_000  # sharing the most keys first
PREFIX = 4
LONE_TOKEN = 8  # a one-token query this long is a name written without spaces


def index_keys(tokens: tuple[str, ...]) -> set[str]:
    """All blocking keys of a canonical token tuple (tokens, joins, ``prefix*``)."""
    keys = block_keys(tokens)
    keys.update(t[:PREFIX] + "*" for t in tokens if len(t) > PREFIX + 1)
    return keys


def _searchable(tokens: tuple[str, ...]) -> bool:
    """Two tokens, or one long run (``Kimjongun``): a lone surname is never a query."""
    return len(tokens) >= 2 or (len(tokens) == 1 and len(tokens[0]) >= LONE_TOKEN)


@dataclass(frozen=True, slots=True)
class NameMatch:
    """One indexed name found for a query. ``score`` is 0–100 on canonical forms."""

    entry_id: int
    score: float
    query: str
    canonical: str


class NameIndex:
    """Names keyed by the caller's integer ids; ``add``/``remove`` keep it current between
    full rebuilds. Not thread-safe for writers: build, then share read-only (searches only)."""

    def __init__(self, *, cutoff: float = DEFAULT_CUTOFF, cap: int = DEFAULT_CAP) -> None:
        self.cutoff = cutoff
        self.cap = cap
        self._compact: list[str | None] = []  # per slot; None once removed
        self._ids = array("q")  # caller id per slot
        self._sorted = True  # ids appended in increasing order: bisect finds a slot
        self._by_id: dict[int, int] | None = None  # built lazily when ids come out of order
        self._postings: dict[str, array[int]] = {}
        self._removed = 0

    @classmethod
    def build(cls, rows: Iterable[tuple[int, str]], **options: float) -> NameIndex:
        """An index over ``(entry_id, name)`` rows, e.g. straight from the database."""
        index = cls(**options)  # type: ignore[arg-type]
        for entry_id, name in rows:
            index.add(entry_id, name)
        return index

    def __len__(self) -> int:
        return len(self._compact) - self._removed

    def add(self, entry_id: int, name: str) -> bool:
        """Index ``name`` under ``entry_id``; False (not indexed) for names of < 2 tokens."""
        tokens = canonical_tokens(name)
        if len(tokens) < 2:
            return False
        slot = len(self._compact)
        if self._ids and entry_id <= self._ids[-1]:
            self._sorted = False
        if self._by_id is not None:
            self._by_id[entry_id] = slot
        self._compact.append(compact(tokens[:6]))
        self._ids.append(entry_id)
        postings = self._postings
        for key in index_keys(tokens[:6]):
            bucket = postings.get(key)
            if bucket is None:
                postings[key] = bucket = array("i")
            bucket.append(slot)
        return True

    def remove(self, entry_id: int) -> bool:
        """Forget ``entry_id`` (a tombstone; postings are filtered at search time)."""
        slot = self._slot(entry_id)
        if slot is None or self._compact[slot] is None:
            return False
        self._compact[slot] = None
        self._removed += 1
        return True

    @property
    def garbage(self) -> float:
        """Share of removed slots: callers rebuild when it grows large."""
        return self._removed / len(self._compact) if self._compact else 0.0

    def _slot(self, entry_id: int) -> int | None:
        if self._sorted:
            i = bisect_left(self._ids, entry_id)
            return i if i < len(self._ids) and self._ids[i] == entry_id else None
        if self._by_id is None:
            self._by_id = {eid: slot for slot, eid in enumerate(self._ids)}
        return self._by_id.get(entry_id)

    def candidates(self, tokens: tuple[str, ...]) -> np.ndarray:
        """Slots sharing ≥ 2 keys with ``tokens``, or one rare key; best-sharing first if capped.

        A token and its own prefix count once (one group), so every ``Aleksandr …`` is not a
        candidate for ``Aleksandr Petrov`` just because it shares ``aleksandr`` and ``ales*``.
        """
        groups: list[np.ndarray] = []
        rare: list[np.ndarray] = []
        joins = block_keys(tokens) - set(tokens)
        for keys in [*({t, t[:PREFIX] + "*"} for t in tokens), *({j} for j in joins)]:
            found = [b for k in keys if (b := self._postings.get(k)) is not None and len(b) <= self.cap]
            if not found:
                continue
            arrays = [np.frombuffer(b, dtype=np.int32) for b in found]
            group = arrays[0] if len(arrays) == 1 else np.unique(np.concatenate(arrays))
            groups.append(group)
            if len(group) <= RARE:
                rare.append(group)
        if not groups:
            return np.empty(0, dtype=np.int32)
        slots, counts = np.unique(np.concatenate(groups), return_counts=True)
        keep = counts >= 2
        if rare:
            keep |= np.isin(slots, np.concatenate(rare))
        slots, counts = slots[keep], counts[keep]
        if len(slots) > MAX_CANDIDATES:
            top = np.argpartition(-counts, MAX_CANDIDATES)[:MAX_CANDIDATES]
            slots = slots[top]
        return slots

    def search(self, name: str, *, limit: int = 10) -> list[NameMatch]:
        """Indexed names scoring ≥ ``cutoff`` against ``name``, best first."""
        tokens = canonical_tokens(name)[:6]
        if not _searchable(tokens):
            return []
        slots = self.candidates(tokens)
        if len(slots) == 0:
            return []
        live = [(int(s), c) for s in slots if (c := self._compact[int(s)]) is not None]
        if not live:
            return []
        choices = [c for _, c in live]
        matrix = process.cdist(
            rotations(tokens), choices, scorer=fuzz.ratio, score_cutoff=self.cutoff, dtype=np.float32
        )
        best = matrix.max(axis=0)
        hits = np.nonzero(best >= self.cutoff)[0]
        order = sorted(hits, key=lambda i: (-float(best[i]), self._ids[live[i][0]]))[:limit]
        return [NameMatch(self._ids[live[i][0]], round(float(best[i]), 1), name, live[i][1]) for i in order]

    def brute_force(self, name: str, *, limit: int = 10) -> list[NameMatch]:
        """The same scorer over every indexed name (``process.extract``): the recall baseline."""
        tokens = canonical_tokens(name)[:6]
        if not _searchable(tokens):
            return []
        best: dict[int, float] = {}
        for query in rotations(tokens):
            for _, score, slot in process.extract(
                query, self._compact, scorer=fuzz.ratio, score_cutoff=self.cutoff, limit=None
            ):
                best[slot] = max(score, best.get(slot, 0.0))
        order = sorted(best, key=lambda s: (-best[s], self._ids[s]))[:limit]
        return [NameMatch(self._ids[s], round(best[s], 1), name, self._compact[s] or "") for s in order]
