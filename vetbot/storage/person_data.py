"""Finding one person's rows across every table, including tables this code never imports.

Other features add tables (jobs, outbox, decisions, reuse indexes…) that the admin code must
not import, so they are discovered at run time: every table of the live database with a
``candidate_key``, ``vetting_id`` or ``job_id`` column pointing at the person is in scope
(``outbox`` by the ids inside its ``key``). Used by export (a data-subject access request)
and by erasure. Synchronous Core over one ``Connection``: callers run it through
``AsyncSession.connection().run_sync`` inside their transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import MetaData, Table, inspect, or_, select
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

PSEUDONYM_PREFIX = "erased:"
LINK_COLUMNS = ("candidate_key", "vetting_id", "job_id")
# Never scrubbed or exported as the person's rows: ids-only bookkeeping and global data.
UNTOUCHED = frozenset(
    {"alembic_version", "audit_log", "erase_request", "role", "settings_version", "intel_list", "intel_entry"}
)


def pseudonym(candidate_key: str) -> str:
    """Stable stand-in for an erased person, derived from the internal key (not from PII)."""
    return PSEUDONYM_PREFIX + hashlib.sha256(candidate_key.encode()).hexdigest()[:12]


def person_tables(all_tables: dict[str, Table]) -> dict[str, Table]:
    """Tables that can hold a person's data: linked by a column, plus candidate and outbox."""
    return {
        n: t
        for n, t in sorted(all_tables.items())
        if n not in UNTOUCHED and (n in ("candidate", "outbox") or any(c in t.c for c in LINK_COLUMNS))
    }


def tables(conn: Connection) -> dict[str, Table]:
    """Every table of the live database: the app's definitions where imported, else reflected."""
    known = SQLModel.metadata.tables
    reflected = MetaData()
    found: dict[str, Table] = {}
    for name in inspect(conn).get_table_names():
        found[name] = known[name] if name in known else Table(name, reflected, autoload_with=conn)
    return found


@dataclass
class Scope:
    """The ids that link rows to one person."""

    key: str
    vetting_ids: list[str] = field(default_factory=list)
    job_ids: list[str] = field(default_factory=list)

    def ids(self, column: str) -> list[str]:
        return {"candidate_key": [self.key], "vetting_id": self.vetting_ids, "job_id": self.job_ids}[column]


def scope_of(conn: Connection, all_tables: dict[str, Table], key: str) -> Scope:
    vetting = all_tables["vetting"]
    scope = Scope(
        key, [r[0] for r in conn.execute(select(vetting.c.id).where(vetting.c.candidate_key == key))]
    )
    job = all_tables.get("job")
    if job is not None and "vetting_id" in job.c and scope.vetting_ids:
        rows = conn.execute(select(job.c.id).where(job.c.vetting_id.in_(scope.vetting_ids)))
        scope.job_ids = [r[0] for r in rows]
    return scope


def related_rows(conn: Connection, table: Table, scope: Scope) -> list[dict[str, Any]]:
    """Rows of ``table`` that reference the person (empty if the table has no link)."""
    if table.name == "candidate":
        condition: Any = table.c.key == scope.key
    elif table.name == "outbox" and "key" in table.c:
        ids = scope.vetting_ids + scope.job_ids
        if not ids:
            return []
        condition = or_(*(table.c.key.contains(i, autoescape=True) for i in ids))
    else:
        links = [table.c[c].in_(scope.ids(c)) for c in LINK_COLUMNS if c in table.c and scope.ids(c)]
        if not links:
            return []
        condition = or_(*links)
    return [dict(r._mapping) for r in conn.execute(select(table).where(condition))]


def export_rows(conn: Connection, key: str) -> dict[str, list[dict[str, Any]]]:
    """Everything held about the person, per table, JSON-ready (audit and erase requests too)."""
    all_tables = tables(conn)
    scope = scope_of(conn, all_tables, key)
    out: dict[str, list[dict[str, Any]]] = {}
    for name, table in person_tables(all_tables).items():
        rows = related_rows(conn, table, scope)
        if rows:
            out[name] = [jsonable(r) for r in rows]
    if "audit_log" in all_tables:
        audit = all_tables["audit_log"]
        ids = [key, *scope.vetting_ids]
        query = select(audit).where(audit.c.case_id.in_(ids)).order_by(audit.c.id)
        out["audit_log"] = [jsonable(dict(r)) for r in conn.execute(query).mappings()]
    if "erase_request" in all_tables:
        requests = all_tables["erase_request"]
        query = select(requests).where(requests.c.candidate_key == key).order_by(requests.c.id)
        out["erase_request"] = [jsonable(dict(r)) for r in conn.execute(query).mappings()]
    return out


def jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime | date) else v for k, v in row.items()}
