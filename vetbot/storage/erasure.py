"""Erasure of one person's PII everywhere, leaving pseudonymised rows and the audit log.

Known tables are wiped structurally (the profile, the result's names and evidence, finding
summaries, job profiles, decision reasons); the identifier index rows are deleted, so reuse
lookups can no longer find the person. Then the free text and candidate data of every
in-scope row is scrubbed of the person's terms (name, contacts, handles, account ids,
addresses…) as a safety net for tables this code has never seen (see ``person_data``).
Only columns and JSON values that can hold such data are rewritten (``erasure_columns``):
bands, statuses, kinds, check ids, rule names, actions and ids stay as they are, whatever
the person is called, and JSON keys are never touched. Rows stay, under the pseudonym
``erased:<hash>``, so scores, bands, decisions and audit records keep their meaning without
identifying anyone. ``audit_log`` is never touched (and refuses updates anyway).

Synchronous Core over one ``Connection``, run inside the caller's transaction through
``run_sync``: an erasure commits whole or not at all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import Column, Table, Text, cast, delete, func, or_, select, update
from sqlalchemy.engine import Connection

from vetbot.storage.erasure_columns import Rewrite, column_doc, scrub
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
# Profile keys holding names: their words are the person's too ("Jan" of "Jan Kowalski").
# Other values count whole only: a resume's or an address's words are not a person.
_NAME_KEYS = frozenset({"name", "other_names", "account_holder"})
_MIN_TERM = 3
_WORD = re.compile(r"[^\W\d_]+")  # letters only: "Jan", "open", "Kowalski"


def erase(conn: Connection, key: str) -> dict[str, int]:
    """Remove the person's PII everywhere; returns rows changed per table (counts only).

    Two passes: the person's own rows (structural wipe, then every term scrubbed), then
    rows of other cases that mention the person (a reuse finding naming them, a failed job
    holding their profile), scrubbed of the strong terms only — full names, contacts, ids —
    so another person's own data is left alone (their ``vetting.result.candidate`` included).
    Both passes rewrite free text and candidate data only (``erasure_columns``).
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
        counts[table_name] += _rewrite(conn, table, rows, dict, strong_matcher, name, keep_subject=True)
    return {k: v for k, v in counts.items() if v}


def _rewrite(
    conn: Connection,
    table: Table,
    rows: list[dict[str, Any]],
    transform: Callable[[dict[str, Any]], dict[str, Any]],
    matcher: re.Pattern[str] | None,
    name: str,
    *,
    keep_subject: bool = False,
) -> int:
    """Apply ``transform``, then the term scrub where ``erasure_columns`` allows; update what changed.

    ``keep_subject``: the rows are another case's, whose own subject (``result.candidate``) stays.
    """
    pk = list(table.primary_key.columns)
    if not pk:
        return 0
    rewrite = _rewriter(matcher, name)
    docs = {c.name: column_doc(table.name, c) for c in table.c}
    changed = 0
    for values in rows:
        new = transform(values)
        diff = {}
        for column in table.c:
            if column in pk or column.name not in new:
                continue
            value = new[column.name]
            doc = docs[column.name]
            if doc is not None and rewrite is not None:
                value = _fit(column, scrub(doc, value, rewrite, keep_subject=keep_subject))
            if value != values[column.name]:
                diff[column.name] = value
        if diff:
            conn.execute(update(table).where(*(c == values[c.name] for c in pk)).values(**diff))
            changed += 1
    return changed


def _rewriter(matcher: re.Pattern[str] | None, name: str) -> Rewrite | None:
    if matcher is None:
        return None
    return lambda text: matcher.sub(name, text)


def _fit(column: Column[Any], value: Any) -> Any:
    """A scrubbed text longer than its column (the pseudonym is longer than most terms) is
    blanked rather than overflowed: PostgreSQL would refuse the whole erasure."""
    kind = getattr(column.type, "impl_instance", column.type)
    length = getattr(kind, "length", None)
    if isinstance(value, str) and isinstance(length, int) and len(value) > length:
        return ERASED[:length]
    return value


def _mentioning(conn: Connection, table: Table, terms: set[str]) -> list[dict[str, Any]]:
    """Rows whose scrubbable text or JSON (as stored, JSON-escaped) contains any strong term."""
    pk = list(table.primary_key.columns)
    columns = [c for c in table.c if c not in pk and column_doc(table.name, c) is not None]
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
    """Values that identify the person on their own: names, contacts, ids, indexed identifiers.

    A one-word alias or handle of letters only ("Jan", "open") does not: in other people's
    rows it is as likely their own word or name, so only the person's own rows lose it. The
    name the person is held under counts even as one word: a finding naming them must lose it.
    """
    profile = row["profile"] if isinstance(row["profile"], dict) else {}
    names = {row["name"], profile.get("name")}
    terms = {row["external_id"], profile.get("id")}
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
    strong = names | {t for t in terms if isinstance(t, str) and not _WORD.fullmatch(t.strip())}
    return {t.strip() for t in strong if isinstance(t, str) and len(t.strip()) >= _MIN_TERM}


def _terms(row: Any, strong: set[str]) -> set[str]:
    """Every string the person's profile holds (minus context words), and their names' words."""
    leaves = list(_leaves(row["profile"]))
    terms = set(strong) | {value for _, value in leaves}
    names = [row["name"], *(value for key, value in leaves if key in _NAME_KEYS)]
    terms.update(word for name in names if isinstance(name, str) for word in name.split())
    return {t.strip() for t in terms if len(t.strip()) >= _MIN_TERM}


def _leaves(value: Any, key: str | None = None) -> Iterator[tuple[str | None, str]]:
    """(key, string) of every string value, list items under their list's key."""
    if key in _BENIGN_KEYS:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, str(k))
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, key)
    elif isinstance(value, str):
        yield key, value


def _matcher(terms: Iterable[str]) -> re.Pattern[str] | None:
    """Whole words only: "Jan" is not the start of "January" or "Janusz"."""
    ordered = sorted(set(terms), key=len, reverse=True)
    if not ordered:
        return None
    alternatives = "|".join(re.escape(t) for t in ordered)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
