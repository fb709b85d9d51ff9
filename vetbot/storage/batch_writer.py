"""Write-behind for vettings: rows are buffered and written in a few bulk statements.

A batch of 10,000 profiles must stay above 500/s on one core, and a statement through
aiosqlite costs a thread hop plus SQLAlchemy compilation. So the writer keeps a chunk's
candidates, vettings, findings and identifiers in memory and flushes them with
executemany; reads of the identifier index see the buffered rows through ``overlay``, so
every profile is still checked against everything vetted before it, buffered or not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import col

from vetbot.checks.context import PriorMatch
from vetbot.models.result import VettingResult
from vetbot.storage.tables import Candidate, FindingRow, Identifier, Vetting, utcnow

# Core tables, not the ORM classes: an ORM bulk insert walks every row through the unit of
# work (measured ~1.2 ms per vetting for a 200-profile chunk); a Core executemany binds.
_CANDIDATE = Candidate.__table__  # type: ignore[attr-defined]
_VETTING = Vetting.__table__  # type: ignore[attr-defined]
_FINDING = FindingRow.__table__  # type: ignore[attr-defined]
_IDENTIFIER = Identifier.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class _Holder:
    """A buffered identifier's owner, turned into a ``PriorMatch`` only when a lookup hits it."""

    candidate_key: str
    candidate_id: str | None
    name: str
    band: str
    seen_at: datetime


# Column orders of the buffered rows (tuples: a dict per row was a visible share of the cost).
_VETTING_COLUMNS = (
    "id", "candidate_key", "score", "band", "settings_version", "requester", "result", "created_at"
)  # fmt: skip
_FINDING_COLUMNS = ("vetting_id", "check_id", "rule", "points", "severity", "summary")
_IDENTIFIER_COLUMNS = ("candidate_key", "vetting_id", "kind", "value", "created_at")


@dataclass
class _Pending:
    candidates: dict[str, dict[str, Any]] = field(default_factory=dict)  # new, by key
    updates: dict[str, dict[str, Any]] = field(default_factory=dict)  # re-vets of stored candidates
    vettings: list[tuple[Any, ...]] = field(default_factory=list)  # result: the VettingResult
    findings: list[tuple[Any, ...]] = field(default_factory=list)
    identifiers: dict[tuple[str, str, str], tuple[Any, ...]] = field(default_factory=dict)
    by_identifier: dict[tuple[str, str], list[_Holder]] = field(default_factory=lambda: defaultdict(list))


class BatchWriter:
    """Buffers one chunk of vettings for one session; ``flush`` writes them all."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._known: dict[str, str] = {}  # external id → candidate key
        self._looked_up: set[str] = set()  # ids already asked for, found or not
        self._pending = _Pending()
        # the engine's stored form of a timestamp, made once per vetting rather than per row
        self._stamp = _stored_timestamp(session.get_bind().dialect)

    async def prefetch(self, external_ids: Sequence[str]) -> None:
        """Resolve a chunk's ATS ids to stored candidates in one query."""
        wanted = [e for e in set(external_ids) if e not in self._looked_up]
        self._looked_up.update(wanted)
        if wanted:
            rows = await self.session.execute(
                select(col(Candidate.external_id), col(Candidate.key)).where(
                    col(Candidate.external_id).in_(wanted)
                )
            )
            for external_id, key in rows.tuples():
                if external_id is not None:
                    self._known.setdefault(external_id, key)

    async def candidate_key(self, external_id: str | None) -> str | None:
        """The stored (or buffered) candidate with this ATS id; same id → a re-vet, not a new persona."""
        if not external_id:
            return None
        if external_id not in self._looked_up:
            await self.prefetch([external_id])
        return self._known.get(external_id)

    def add(
        self,
        *,
        candidate_key: str,
        is_new: bool,
        external_id: str | None,
        name: str,
        profile: dict[str, Any],
        result: VettingResult,
        settings_version: int,
        requester: str | None,
        identifiers: Sequence[tuple[str, str]],
    ) -> str:
        now = utcnow()
        pending = self._pending
        if is_new and candidate_key not in pending.candidates:
            pending.candidates[candidate_key] = {
                "key": candidate_key,
                "external_id": external_id,
                "name": name,
                "profile": profile,
                "created_at": now,
                "updated_at": now,
            }
            if external_id:
                self._known[external_id] = candidate_key
        elif candidate_key in pending.candidates:
            pending.candidates[candidate_key].update(name=name, profile=profile, updated_at=now)
        else:
            pending.updates[candidate_key] = {
                "key": candidate_key,
                "name": name,
                "profile": profile,
                "updated_at": now,
            }
        vetting_id = result.vetting_id
        band = result.band.value
        stamp = self._stamp(now)
        pending.vettings.append(
            (vetting_id, candidate_key, result.score, band, settings_version, requester, result, stamp)
        )
        pending.findings.extend(
            (vetting_id, f.check, f.evidence.get("rule"), f.points, f.severity.value, f.summary)
            for f in result.findings
        )
        holder = _Holder(candidate_key, external_id, name, band, now)
        for kind, value in identifiers:
            key = (candidate_key, kind, value)
            if key in pending.identifiers:
                continue
            pending.identifiers[key] = (candidate_key, vetting_id, kind, value, stamp)
            pending.by_identifier[(kind, value)].append(holder)
        return candidate_key

    def overlay(self, keys: Sequence[tuple[str, str]], exclude_candidate: str) -> list[PriorMatch]:
        """Buffered identifiers equal to ``keys``, other candidates only (latest band wins)."""
        out: list[PriorMatch] = []
        by_identifier = self._pending.by_identifier
        for key in keys:
            for holder in by_identifier.get(key, ()):
                if holder.candidate_key != exclude_candidate:
                    out.append(
                        PriorMatch(
                            kind=key[0],
                            value=key[1],
                            candidate_key=holder.candidate_key,
                            candidate_id=holder.candidate_id,
                            name=holder.name,
                            band=holder.band,
                            decision=None,
                            seen_at=holder.seen_at,
                        )
                    )
        return out

    @property
    def size(self) -> int:
        return len(self._pending.vettings)

    async def flush(self, into: AsyncSession | None = None) -> None:
        """Write everything buffered, in ``into`` when given (a write transaction opened after
        the checks ran in a read-only one), else in the session the writer read with."""
        pending, self._pending = self._pending, _Pending()
        session = into or self.session
        connection = await session.connection()
        on_sqlite = connection.dialect.name == "sqlite"
        if pending.candidates:
            rows = list(pending.candidates.values())
            await _insert(connection, _CANDIDATE, tuple(rows[0]), [tuple(r.values()) for r in rows])
        if pending.updates:
            await session.execute(update(Candidate), list(pending.updates.values()))
        if pending.vettings:
            # the result document serialised once, by pydantic, in the form each engine stores
            dump: Callable[[VettingResult], Any] = (
                VettingResult.model_dump_json if on_sqlite else lambda r: r.model_dump(mode="json")
            )
            vettings = [(*row[:6], dump(row[6]), row[7]) for row in pending.vettings]
            await _insert(
                connection, _VETTING, _VETTING_COLUMNS, vettings, stored_as_is=("result", "created_at")
            )
        if pending.findings:
            await _insert(connection, _FINDING, _FINDING_COLUMNS, pending.findings)
        if pending.identifiers:
            await _insert(
                connection,
                _IDENTIFIER,
                _IDENTIFIER_COLUMNS,
                list(pending.identifiers.values()),
                unique=("candidate_key", "kind", "value"),
                stored_as_is=("created_at",),
            )


async def _insert(
    connection: AsyncConnection,
    table: Table,
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    *,
    unique: tuple[str, ...] = (),
    stored_as_is: tuple[str, ...] = (),
) -> None:
    """One executemany of ``rows`` (tuples in ``columns`` order); rows clashing on ``unique``
    are skipped.

    On SQLite the statement goes to the driver directly with values already in stored form
    (SQLAlchemy's per-row parameter handling cost more than SQLite's own insert work);
    ``stored_as_is`` columns are passed through unconverted. Elsewhere (PostgreSQL), a Core
    insert with the same values, JSON columns given as dicts.
    """
    if connection.dialect.name == "sqlite":
        converters = _converters(table, columns, stored_as_is, connection.dialect)
        if any(c is not None for c in converters):
            rows = [
                tuple(v if c is None or v is None else c(v) for c, v in zip(converters, row, strict=True))
                for row in rows
            ]
        await connection.exec_driver_sql(_insert_sql(table.name, columns, unique), rows)
        return
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    if unique:
        stmt = pg_insert(table).on_conflict_do_nothing(index_elements=list(unique))
        await connection.execute(stmt, records)
    else:
        await connection.execute(insert(table), records)


@lru_cache(maxsize=32)
def _insert_sql(table: str, columns: tuple[str, ...], unique: tuple[str, ...]) -> str:
    conflict = f" ON CONFLICT ({', '.join(unique)}) DO NOTHING" if unique else ""
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}){conflict}"


def _stored_timestamp(dialect: Dialect) -> Callable[[datetime], Any]:
    """SQLite stores timestamps as text (the dialect's own format); elsewhere pass them on."""
    if dialect.name != "sqlite":
        return lambda value: value
    process = _VETTING.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else (lambda value: value)


_CONVERTERS: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[Callable[[Any], Any] | None]] = {}


def _converters(
    table: Table, columns: tuple[str, ...], as_is: tuple[str, ...], dialect: Dialect
) -> list[Callable[[Any], Any] | None]:
    """The dialect's own bind processors (datetime → text, JSON → text), so rows written here
    read back exactly like rows written through SQLAlchemy."""
    key = (table.name, columns, as_is)
    found = _CONVERTERS.get(key)
    if found is None:
        found = [
            None if name in as_is else table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in columns
        ]
        _CONVERTERS[key] = found
    return found
