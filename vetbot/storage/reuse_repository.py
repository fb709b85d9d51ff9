"""Identifier-index queries for persona reuse and the persona graph (keyword-only, session first).

Every lookup is an equality seek on ``ix_identifier_kind_value`` (or on the indexed
``identifier.candidate_key``), on SQLite and PostgreSQL alike. The lookup keys are joined
as a ``VALUES`` list: measured on SQLite, ``(kind, value) IN ((…), …)`` makes the planner
scan the whole index (19 ms for 150 keys over 50,000 rows) while the ``VALUES`` join seeks
once per key (0.7 ms; ``EXPLAIN QUERY PLAN``: ``SCAN wanted`` then ``SEARCH identifier
USING INDEX ix_identifier_kind_value (kind=? AND value=?)``); PostgreSQL seeks either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import DateTime, String, bindparam, desc, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.selectable import TextualSelect
from sqlmodel import col

from vetbot.checks.context import PriorMatch
from vetbot.storage.chat_tables import CaseState
from vetbot.storage.tables import Candidate, Identifier, Vetting

MATCH_LIMIT = 500  # rows per lookup; a crowd behind one identifier is reported as a crowd


def _latest_band() -> ColumnElement[str | None]:
    return (
        select(col(Vetting.band))
        .where(col(Vetting.candidate_key) == col(Candidate.key))
        .order_by(desc(col(Vetting.created_at)))
        .limit(1)
        .scalar_subquery()
    )


def _latest_decision() -> ColumnElement[str | None]:
    """Status of the candidate's latest decided case (cleared, confirmed fake, …), if any."""
    return (
        select(col(CaseState.status))
        .join(Vetting, col(Vetting.id) == col(CaseState.vetting_id))
        .where(col(Vetting.candidate_key) == col(Candidate.key), col(CaseState.status) != "open")
        .order_by(desc(col(Vetting.created_at)))
        .limit(1)
        .scalar_subquery()
    )


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


_NAMED = re.compile(r":(?:k\d+|v\d+|exclude)\b")
_PAD = 16  # key lists are padded to a multiple of this, so few statement shapes exist


@lru_cache(maxsize=64)
def _lookup_statement(slots: int, exclude: bool, limit: int) -> TextualSelect:
    """The lookup as SQL text for ``slots`` keys, built once per shape.

    Hand-written on purpose: a SQLAlchemy ``values()`` construct is recompiled on every call
    (one bind parameter object per value — measured ~5 ms for 90 keys, more than the query),
    whereas a cached text statement only binds. Same SQL on SQLite and PostgreSQL.
    """
    rows = ", ".join(f"(:k{i}, :v{i})" for i in range(slots))
    not_self = "AND i.candidate_key <> :exclude " if exclude else ""
    sql = (
        f"WITH wanted(kind, value) AS (VALUES {rows}) "
        "SELECT i.kind, i.value, i.candidate_key, i.created_at, c.external_id, c.name, "
        "(SELECT v.band FROM vetting v WHERE v.candidate_key = c.key "
        "ORDER BY v.created_at DESC LIMIT 1) AS band, "
        "(SELECT cs.status FROM case_state cs JOIN vetting v2 ON v2.id = cs.vetting_id "
        "WHERE v2.candidate_key = c.key AND cs.status <> 'open' "
        "ORDER BY v2.created_at DESC LIMIT 1) AS decision "
        "FROM wanted JOIN identifier i ON i.kind = wanted.kind AND i.value = wanted.value "
        f"JOIN candidate c ON c.key = i.candidate_key WHERE 1 = 1 {not_self}"
        f"ORDER BY i.created_at LIMIT {int(limit)}"
    )
    params = [bindparam(f"k{i}", type_=String) for i in range(slots)]
    params += [bindparam(f"v{i}", type_=String) for i in range(slots)]
    if exclude:
        params.append(bindparam("exclude", type_=String))
    return text(sql).bindparams(*params).columns(created_at=DateTime(timezone=True))


async def prior_matches(
    session: AsyncSession,
    *,
    keys: Sequence[tuple[str, str]],
    exclude_candidate: str | None,
    limit: int = MATCH_LIMIT,
) -> list[PriorMatch]:
    """Candidates (other than ``exclude_candidate``) holding any ``(kind, value)``: one query."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return []
    slots = -(-len(wanted) // _PAD) * _PAD
    return await _run_lookup(session, wanted, slots, exclude_candidate, limit)


PRELOAD_SLOTS = 1024  # keys per preload statement: 2,048 parameters, far below either engine's cap


async def holders_of(
    session: AsyncSession, *, keys: Sequence[tuple[str, str]], cap: int
) -> list[PriorMatch] | None:
    """Every stored holder of any of the (distinct) ``keys``, self included, in statements of
    ``PRELOAD_SLOTS`` keys; ``None`` when more than ``cap`` rows come back (a crowd: the
    caller falls back to per-profile lookups, which keep their own limit)."""
    wanted = list(keys)
    out: list[PriorMatch] = []
    for start in range(0, len(wanted), PRELOAD_SLOTS):
        part = wanted[start : start + PRELOAD_SLOTS]
        out += await _run_lookup(session, part, PRELOAD_SLOTS, None, cap + 1)  # one statement shape
        if len(out) > cap:
            return None
    return out


async def _run_lookup(
    session: AsyncSession,
    wanted: list[tuple[str, str]],
    slots: int,
    exclude_candidate: str | None,
    limit: int,
) -> list[PriorMatch]:
    wanted = wanted + [("", "")] * (slots - len(wanted))  # no identifier has an empty kind
    exclude = bool(exclude_candidate)
    if session.bind is not None and session.bind.dialect.name == "sqlite":
        # driver level: SQLAlchemy's per-parameter processing was half the lookup's cost
        flat = [x for pair in wanted for x in pair] + ([exclude_candidate] if exclude else [])
        connection = await session.connection()
        raw = await connection.exec_driver_sql(_sqlite_sql(slots, exclude, limit), tuple(flat))
        plain: list[tuple[Any, ...]] = [tuple(r) for r in raw.all()]
        rows: list[Any] = [(*r[:3], _parse_ts(r[3]), *r[4:]) for r in plain]
    else:
        params = {f"{p}{i}": x for i, pair in enumerate(wanted) for p, x in zip("kv", pair, strict=True)}
        if exclude_candidate:
            params["exclude"] = exclude_candidate
        result = await session.execute(_lookup_statement(slots, exclude, limit), params)
        rows = list(result.tuples())
    return [
        PriorMatch(
            kind=kind,
            value=value,
            candidate_key=ckey,
            candidate_id=external_id,
            name=name,
            band=band,
            decision=decision,
            seen_at=_aware(created),
        )
        for kind, value, ckey, created, external_id, name, band, decision in rows
    ]


@lru_cache(maxsize=64)
def _sqlite_sql(slots: int, exclude: bool, limit: int) -> str:
    """The same statement with SQLite's ``?`` placeholders, in the order of ``_lookup_statement``."""
    return _NAMED.sub("?", str(_lookup_statement(slots, exclude, limit)))


def _parse_ts(value: object) -> datetime | None:
    if isinstance(value, datetime) or value is None:
        return value
    return datetime.fromisoformat(str(value))


async def identifiers_of(
    session: AsyncSession, *, candidate_keys: Iterable[str]
) -> list[tuple[str, str, str]]:
    """``(candidate_key, kind, value)`` of the given candidates (indexed on candidate_key)."""
    wanted = list(dict.fromkeys(candidate_keys))
    if not wanted:
        return []
    rows = await session.execute(
        select(col(Identifier.candidate_key), col(Identifier.kind), col(Identifier.value)).where(
            col(Identifier.candidate_key).in_(wanted)
        )
    )
    return list(rows.tuples())


@dataclass(frozen=True, slots=True)
class CandidateInfo:
    key: str
    external_id: str | None
    name: str
    band: str | None
    decision: str | None


async def candidate_infos(
    session: AsyncSession, *, candidate_keys: Iterable[str]
) -> dict[str, CandidateInfo]:
    wanted = list(dict.fromkeys(candidate_keys))
    if not wanted:
        return {}
    rows = await session.execute(
        select(
            col(Candidate.key),
            col(Candidate.external_id),
            col(Candidate.name),
            _latest_band(),
            _latest_decision(),
        ).where(col(Candidate.key).in_(wanted))
    )
    return {
        key: CandidateInfo(key, ext, name, band, decision) for key, ext, name, band, decision in rows.tuples()
    }


async def resolve_candidate(session: AsyncSession, *, reference: str) -> str | None:
    """Candidate key for an ATS id, an internal key or a vetting id (tried in that order)."""
    key = (
        await session.execute(
            select(col(Candidate.key)).where(col(Candidate.external_id) == reference).limit(1)
        )
    ).scalar_one_or_none()
    if key is not None:
        return str(key)
    if (await session.get(Candidate, reference)) is not None:
        return reference
    vetting = await session.get(Vetting, reference)
    return vetting.candidate_key if vetting is not None else None
