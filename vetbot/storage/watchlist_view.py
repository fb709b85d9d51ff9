"""The watchlist half of the checks' ``StoreView``, and the process-wide name index behind it.

The ``NameIndex`` over every listed name is built once per process and database, not per
vetting: lists change only on import, so the lists' import timestamps are its version. A
re-import of one list swaps that list's names in place (``remove``/``add``); a first build,
or an index with many tombstones, is rebuilt whole in a worker thread. Database reads go
through the caller's session under the caller's lock: one ``AsyncSession`` must never be
used concurrently, and the checks run concurrently.
"""

from __future__ import annotations

import asyncio
import weakref
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from vetbot.checks.context import WatchlistHit, WatchlistInfo, WatchlistNameHit
from vetbot.matching.index import NameIndex
from vetbot.storage import watchlist_repository as repo

MAX_NAMES = 10  # name + other_names screened per vetting
PER_NAME = 5
REBUILD_GARBAGE = 0.3

Version = dict[str, tuple[datetime | None, int]]


@dataclass
class _IndexCache:
    index: NameIndex | None = None
    version: Version = field(default_factory=dict)
    ids_by_list: dict[str, array[int]] = field(default_factory=dict)
    locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = field(
        default_factory=weakref.WeakKeyDictionary
    )

    def lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if loop not in self.locks:
            self.locks[loop] = asyncio.Lock()
        return self.locks[loop]


_CACHES: dict[str, _IndexCache] = {}


def _cache_for(session: AsyncSession) -> _IndexCache:
    bind = session.bind
    url = getattr(bind, "url", None)
    key = url.render_as_string(hide_password=True) if url is not None else "unbound"
    return _CACHES.setdefault(key, _IndexCache())


def _build(rows: dict[str, list[tuple[int, str]]]) -> tuple[NameIndex, dict[str, array[int]]]:
    index = NameIndex()
    ids: dict[str, array[int]] = {}
    for list_name, names in rows.items():
        added = ids[list_name] = array("q")
        for entry_id, name in names:
            if index.add(entry_id, name):
                added.append(entry_id)
    return index, ids


class WatchlistView:
    """Implements the watchlist methods of ``StoreView`` over one session and its lock."""

    def __init__(self, session: AsyncSession, lock: asyncio.Lock) -> None:
        self._session = session
        self._lock = lock
        self._lists: list[WatchlistInfo] | None = None

    async def watchlists(self) -> Sequence[WatchlistInfo]:
        async with self._lock:
            if self._lists is None:
                self._lists = await repo.watchlists(self._session)
            return self._lists

    async def watchlist_exact(self, keys: Sequence[tuple[str, str]]) -> list[WatchlistHit]:
        lists = await self.watchlists()
        if not lists or not keys:
            return []
        async with self._lock:
            return await repo.lookup_exact(self._session, keys=keys, lists=lists)

    async def watchlist_names(self, names: Sequence[str]) -> list[WatchlistNameHit]:
        lists = await self.watchlists()
        if not lists or not names:
            return []
        index = await self._index(lists)
        found: dict[int, tuple[str, float]] = {}
        for name in list(dict.fromkeys(names))[:MAX_NAMES]:
            for match in index.search(name, limit=PER_NAME):
                if match.entry_id not in found or found[match.entry_id][1] < match.score:
                    found[match.entry_id] = (name, match.score)
        if not found:
            return []
        by_name = {w.name: w for w in lists}
        async with self._lock:
            rows = await repo.entries_by_id(self._session, ids=list(found))
            entities = [(r.list_name, r.entity_id) for r in rows]
            related = await repo.entity_entries(self._session, entities=entities, lists=lists)
        grouped: dict[tuple[str, str], list[WatchlistHit]] = {}
        for hit in related:
            grouped.setdefault((hit.list_name, hit.entity_id), []).append(hit)
        out = []
        for row in rows:
            assert row.id is not None
            query, score = found[row.id]
            entry = repo.to_hit(row, by_name.get(row.list_name))
            entity = tuple(grouped.get((row.list_name, row.entity_id), ()))
            out.append(WatchlistNameHit(query=query, score=score, entry=entry, entity=entity))
        return sorted(out, key=lambda h: (-h.score, h.entry.list_name, h.entry.entity_id))

    async def _index(self, lists: Sequence[WatchlistInfo]) -> NameIndex:
        cache = _cache_for(self._session)
        version: Version = {w.name: (w.imported_at, w.entries) for w in lists}
        async with cache.lock():
            if cache.index is not None and cache.version == version:
                return cache.index
            if cache.index is None or cache.index.garbage > REBUILD_GARBAGE:
                rows = {name: await self._names(name) for name in version}
                cache.index, cache.ids_by_list = await asyncio.to_thread(_build, rows)
            else:
                await self._update(cache, version)
            cache.version = version
            assert cache.index is not None
            return cache.index

    async def _update(self, cache: _IndexCache, version: Version) -> None:
        """Swap only the lists whose import changed; the rest of the index stays."""
        assert cache.index is not None
        changed = [n for n in cache.version if version.get(n) != cache.version[n]]
        fresh = {n: await self._names(n) for n in version if version[n] != cache.version.get(n)}
        for name in changed:
            for entry_id in cache.ids_by_list.pop(name, array("q")):
                cache.index.remove(entry_id)
        for name, rows in fresh.items():
            added = cache.ids_by_list[name] = array("q")
            for entry_id, display in rows:
                if cache.index.add(entry_id, display):
                    added.append(entry_id)

    async def _names(self, list_name: str) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        async with self._lock:
            async for chunk in repo.iter_names(self._session, list_name=list_name):
                out.extend(chunk)
        return out
