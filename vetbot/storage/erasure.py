"""Erasure of one person's PII everywhere, leaving pseudonymised rows and the audit log.

Known tables are wiped structurally (the profile, the result's names and evidence, finding
summaries, job profiles, decision reasons); the identifier index rows are deleted, so reuse
lookups can no longer find the person. Then every text and JSON value of every in-scope row
is scrubbed of the person's terms (name, contacts, handles, account ids, addresses…) as a
safety net for tables this code has never seen (see ``person_data``). Rows stay, under the
pseudonym ``erased:<hash>``, so scores, bands, decisions and audit records keep their meaning
without identifying anyone. ``audit_log`` is never touched (and refuses updates anyway).

Synchronous Core over one ``Connection``, run inside the caller's transaction through
``run_sync``: an erasure commits whole or not at all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import JSON, Column, String, Table, Text, cast, delete, func, or_, select, update
from sqlalchemy.engine import Connection

from vetbot.storage.person_data import person_tables, pseudonym, related_rows, scope_of, tables

ERASED = "[erased]"
DELETED = frozenset({"identifier"})  # the identifier index: rows go, lookups must miss
# Profile keys whose values describe context, not the person (kept out of the term list so
# scrubbing other rows does not blank words such as a country code or "interview").
_BENIGN_KEYS = frozenset(
    {
        "country", "region", "city", "context", "site", "method", "relationship", "title",
        "access_level", "timezone", "start", "end", "created", "seen_at", "degree", "school",
        "company", "requisition", "bank_country", "notes", "activity_times", "remote",
        "claimed_years_experience",
    }
)  # fmt: skip
_MIN_TERM = 3


def erase(conn: Connection, key: str) -> dict[str, int]:
    """Remove the person's PII everywhere; returns rows changed per table (counts only).

    Two passes: the person's own rows (structural wipe, then every term scrubbed), then
    rows of other cases that mention the person (a reuse finding naming them, a failed job
    holding their profile), scrubbed of the strong terms only — full names, contacts, ids —
    so another person's own data is left alone (their ``vetting.result.candidate`` included).
    """
    all_tables = tables(conn)
    scope = scope_of(conn, all_tables, key)
    candidate = all_tables["candidate"]
    row = conn.execute(select(candidate).where(candidate.c.key == key)).mappings().first()
    if row is None:
        return {}
    strong = _strong_terms(conn, all_tables, row, key)
    every = _matcher(_terms(row, strong))
    name = pseudonym(key)
    counts: dict[str, int] = {}
    in_scope = person_tables(all_tables)
    for table_name, table in in_scope.items():
        if table_name in DELETED and "candidate_key" in table.c:
            result = conn.execute(delete(table).where(table.c.candidate_key == key))
            counts[table_name] = result.rowcount or 0
            continue
        rows = related_rows(conn, table, scope)
        counts[table_name] = _rewrite(conn, table, rows, _wiper(table_name, name), every, name)
    strong_matcher = _matcher(strong)
    for table_name, table in in_scope.items():
        if table_name in DELETED or table_name == "candidate":
            continue
        rows = _mentioning(conn, table, strong)
        counts[table_name] += _rewrite(conn, table, rows, _keep_subject, strong_matcher, name)
    return {k: v for k, v in counts.items() if v}


def _rewrite(
    conn: Connection,
    table: Table,
    rows: list[dict[str, Any]],
    transform: Callable[[dict[str, Any]], dict[str, Any]],
    matcher: re.Pattern[str] | None,
    name: str,
) -> int:
    """Apply ``transform`` then the term scrub to each row's text columns; update what changed."""
    pk = list(table.primary_key.columns)
    if not pk:
        return 0
    changed = 0
    for values in rows:
        new = transform(values)
        held = new.pop("_held", {})
        diff = {}
        for column in table.c:
            if column in pk or not _is_text(column) or column.name not in new:
                continue
            value = _scrub(new[column.name], matcher, name)
            if column.name in held and isinstance(value, dict):
                value = {**value, **held[column.name]}
            if value != values[column.name]:
                diff[column.name] = value
        if diff:
            conn.execute(update(table).where(*(c == values[c.name] for c in pk)).values(**diff))
            changed += 1
    return changed


def _keep_subject(values: dict[str, Any]) -> dict[str, Any]:
    """Another case mentioning the person: its own subject (``result.candidate``) stays."""
    new = dict(values)
    result = values.get("result")
    if isinstance(result, dict) and "candidate" in result:
        new["_held"] = {"result": {"candidate": result["candidate"]}}
    return new


def _mentioning(conn: Connection, table: Table, terms: set[str]) -> list[dict[str, Any]]:
    """Rows whose text or JSON (as stored, JSON-escaped) contains any strong term."""
    columns = [c for c in table.c if _is_text(c) and c not in list(table.primary_key.columns)]
    needles = {t.lower() for t in terms} | {json.dumps(t)[1:-1].lower() for t in terms}
    if not columns or not needles:
        return []
    condition = or_(
        *(func.lower(cast(c, Text)).contains(n, autoescape=True) for c in columns for n in sorted(needles))
    )
    return [dict(r._mapping) for r in conn.execute(select(table).where(condition))]


def _wiper(table: str, name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda values: _wipe(table, values, name)


def _wipe(table: str, values: dict[str, Any], name: str) -> dict[str, Any]:
    """Structural erasure of the tables whose layout is known."""
    new = dict(values)
    if table == "candidate":
        new.update(name=name, external_id=None, profile={"erased": True})
    elif table == "vetting" and isinstance(values.get("result"), dict):
        new["result"] = scrub_result(values["result"], name)
    elif table == "finding":
        new["summary"] = ERASED
    elif table == "job" and isinstance(values.get("command"), dict):
        new["command"] = {"name": values["command"].get("name"), "erased": True}
    elif table == "decision" and values.get("reason"):
        new["reason"] = ERASED
    elif table == "recheck":  # a pending round's profile fields, and each round's amended result
        new["inputs"] = None
        if isinstance(values.get("result"), dict):
            new["result"] = scrub_result(values["result"], name)
    return new


def scrub_result(result: dict[str, Any], name: str) -> dict[str, Any]:
    """Keep what scoring statistics need (checks, points, bands); drop names and evidence."""
    out = dict(result)
    out["candidate"] = {"id": None, "name": name}
    out["findings"] = [
        {
            **{k: f[k] for k in ("check", "points", "severity", "source") if k in f},
            "summary": ERASED,
            "evidence": {"rule": (f.get("evidence") or {}).get("rule")},
        }
        for f in result.get("findings", [])
        if isinstance(f, dict)
    ]
    out["warnings"] = []
    out["checks"] = [{"id": c.get("id"), "status": c.get("status")} for c in result.get("checks", [])]
    return out


def _strong_terms(conn: Connection, all_tables: dict[str, Table], row: Any, key: str) -> set[str]:
    """Values that identify the person on their own: names, contacts, ids, indexed identifiers."""
    profile = row["profile"] if isinstance(row["profile"], dict) else {}
    terms = {row["name"], row["external_id"], profile.get("name"), profile.get("id")}
    for field_name in ("other_names", "email", "phone", "github", "linkedin"):
        value = profile.get(field_name)
        terms.update(value if isinstance(value, list) else [value])
    identifier = all_tables.get("identifier")
    if identifier is not None:
        rows = conn.execute(select(identifier.c.value).where(identifier.c.candidate_key == key))
        terms.update(str(v) for (v,) in rows)
    for term in list(terms):
        if isinstance(term, str):
            digits = re.sub(r"\D", "", term)
            if len(digits) >= 7 and re.fullmatch(r"[\d\s()+.-]+", term):  # a phone number
                terms.update({digits, "+" + digits})
    return {t.strip() for t in terms if isinstance(t, str) and len(t.strip()) >= _MIN_TERM}


def _terms(row: Any, strong: set[str]) -> set[str]:
    """Every string the person's profile holds (minus context words), and name tokens."""
    terms = set(strong) | set(_leaves(row["profile"]))
    for term in list(terms):
        terms.update(t for t in term.split() if len(t) >= _MIN_TERM)
    return {t for t in terms if len(t) >= _MIN_TERM}


def _leaves(value: Any, key: str | None = None) -> Iterator[str]:
    if key in _BENIGN_KEYS:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, str(k))
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, key)
    elif isinstance(value, str):
        yield value


def _matcher(terms: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(set(terms), key=len, reverse=True)
    if not ordered:
        return None
    alternatives = "|".join(re.escape(t) for t in ordered)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _scrub(value: Any, matcher: re.Pattern[str] | None, name: str) -> Any:
    if matcher is None:
        return value
    if isinstance(value, str):
        return matcher.sub(name, value)
    if isinstance(value, dict):
        return {k: _scrub(v, matcher, name) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, matcher, name) for v in value]
    return value


def _is_text(column: Column[Any]) -> bool:
    kind = getattr(column.type, "impl_instance", column.type)  # sqlmodel's AutoString decorates String
    return isinstance(kind, String | Text | JSON) and not column.foreign_keys
