"""Write-behind for vettings: rows are buffered and written in a few bulk statements.

A batch of 10,000 profiles must stay above 500/s on one core, and a statement through
aiosqlite costs a thread hop plus SQLAlchemy compilation. So the writer keeps a chunk's
candidates, vettings, findings and identifiers in memory and flushes them with
executemany; reads of the identifier index see the buffered rows through ``overlay``, so
every profile is still checked against everything vetted before it, buffered or not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vetbot.checks.context import PriorMatch
from vetbot.models.result import VettingResult
from vetbot.storage.tables import Candidate, FindingRow, Identifier, Vetting, utcnow


@dataclass
class _Pending:
    candidates: dict[str, dict[str, Any]] = field(default_factory=dict)  # new, by key
    updates: dict[str, dict[str, Any]] = field(default_factory=dict)  # re-vets of stored candidates
    vettings: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    identifiers: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    by_identifier: dict[tuple[str, str], list[PriorMatch]] = field(default_factory=lambda: defaultdict(list))


class BatchWriter:
    """Buffers one chunk of vettings for one session; ``flush`` writes them all."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._known: dict[str, str] = {}  # external id → candidate key
        self._looked_up: set[str] = set()  # ids already asked for, found or not
        self._pending = _Pending()

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
        pending.vettings.append(
            {
                "id": result.vetting_id,
                "candidate_key": candidate_key,
                "score": result.score,
                "band": result.band.value,
                "settings_version": settings_version,
                "requester": requester,
                "result": result.model_dump(mode="json"),
                "created_at": now,
            }
        )
        pending.findings.extend(
            {
                "vetting_id": result.vetting_id,
                "check_id": f.check,
                "rule": f.evidence.get("rule"),
                "points": f.points,
                "severity": f.severity.value,
                "summary": f.summary,
            }
            for f in result.findings
        )
        for kind, value in identifiers:
            key = (candidate_key, kind, value)
            if key in pending.identifiers:
                continue
            pending.identifiers[key] = {
                "candidate_key": candidate_key,
                "vetting_id": result.vetting_id,
                "kind": kind,
                "value": value,
                "created_at": now,
            }
            pending.by_identifier[(kind, value)].append(
                PriorMatch(
                    kind=kind,
                    value=value,
                    candidate_key=candidate_key,
                    candidate_id=external_id,
                    name=name,
                    band=result.band.value,
                    decision=None,
                    seen_at=now,
                )
            )
        return candidate_key

    def overlay(self, keys: Sequence[tuple[str, str]], exclude_candidate: str) -> list[PriorMatch]:
        """Buffered identifiers equal to ``keys``, other candidates only (latest band wins)."""
        out: list[PriorMatch] = []
        for key in keys:
            for match in self._pending.by_identifier.get(key, ()):
                if match.candidate_key != exclude_candidate:
                    out.append(match)
        return out

    @property
    def size(self) -> int:
        return len(self._pending.vettings)

    async def flush(self, into: AsyncSession | None = None) -> None:
        """Write everything buffered, in ``into`` when given (a write transaction opened after
        the checks ran in a read-only one), else in the session the writer read with."""
        pending, self._pending = self._pending, _Pending()
        session = into or self.session
        if pending.candidates:
            await session.execute(insert(Candidate), list(pending.candidates.values()))
        if pending.updates:
            await session.execute(update(Candidate), list(pending.updates.values()))
        if pending.vettings:
            await session.execute(insert(Vetting), pending.vettings)
        if pending.findings:
            await session.execute(insert(FindingRow), pending.findings)
        if pending.identifiers:
            dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
            stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(
                Identifier
            ).on_conflict_do_nothing(index_elements=["candidate_key", "kind", "value"])
            await session.execute(stmt, list(pending.identifiers.values()))
