"""Where an erasure may rewrite text: which columns, and which parts of stored JSON documents.

Erasure replaces the person's terms by a pseudonym, so it runs only where a person's data or
free text can be: names, profiles, summaries, reasons, messages, the free-text parts of a
result document. Bands, severities, statuses, kinds, platforms, actions, roles, check ids,
rule names and ids are vocabulary: a candidate named "Medium Jan" or "Open High" must not
turn the band ``medium`` or the status ``open`` into ``erased:…`` (which also overflows their
varchar(10) on PostgreSQL), nor a check id or an ``evidence.rule`` into something no card can
render. JSON keys are never rewritten.

``COLUMNS`` classifies every text and JSON column of the tables vetbot defines: a ``Doc``
says how to scrub it, ``None`` that it is never touched. Columns nobody listed (a table
another feature adds, read by reflection) fall back on their type and name: JSON documents
and long or unbounded text are scrubbed, strings of at most ``SHORT`` characters and columns
named like ids, keys, statuses or kinds are not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from typing import Any

from sqlalchemy import JSON, Column, String

Rewrite = Callable[[str], str]


class Doc(Enum):
    """How a column's value is scrubbed."""

    TEXT = "text"  # free text: the whole string
    PROFILE = "profile"  # a profile as submitted: every string value is the person's data
    DOCUMENT = "document"  # any JSON: string values, except under VOCABULARY_KEYS
    RESULT = "result"  # a VettingResult: names, summaries, evidence, warnings, details only
    COMMAND = "command"  # a job's request: its profile; the command name and requester stay


COLUMNS: dict[str, dict[str, Doc | None]] = {
    "candidate": {"key": None, "external_id": Doc.TEXT, "name": Doc.TEXT, "profile": Doc.PROFILE},
    "vetting": {"id": None, "candidate_key": None, "band": None, "requester": None, "result": Doc.RESULT},
    "finding": {"vetting_id": None, "check_id": None, "rule": None, "severity": None, "summary": Doc.TEXT},
    "identifier": {"candidate_key": None, "vetting_id": None, "kind": None, "value": None},  # rows deleted
    "job": {
        "id": None,
        "idempotency_key": None,
        "platform": None,
        "actor": None,
        "command": Doc.COMMAND,
        "conversation": None,  # a platform's delivery reference: replayed verbatim to send cards
        "status": None,
        "vetting_id": None,
        "error": Doc.TEXT,
    },
    "outbox": {
        "key": None,
        "kind": None,
        "platform": None,
        "payload": Doc.DOCUMENT,  # ids and a conversation reference, or a message's text
        "status": None,
        "message_id": None,
        "last_error": Doc.TEXT,
    },
    "escalation": {
        "vetting_id": None,
        "platform": None,
        "actor": None,
        "outbox_key": None,
        "message_id": None,
    },
    "decision": {
        "vetting_id": None,
        "actor": None,
        "action": None,
        "reason": Doc.TEXT,
        "idempotency_key": None,
    },
    "case_state": {"vetting_id": None, "job_id": None, "requester": None, "status": None},
    "recheck": {
        "vetting_id": None,
        "job_id": None,
        "check_ids": None,
        "inputs": Doc.PROFILE,
        "status": None,
        "result": Doc.RESULT,
        "error": Doc.TEXT,
    },
}

# Keys whose values are vocabulary or references wherever they appear in a JSON document
# (finding evidence, outbox payloads, columns nobody listed): kept whole, never scrubbed.
VOCABULARY_KEYS = frozenset(
    {
        "action", "band", "check", "check_id", "check_ids", "conversation", "decision", "field",
        "format", "identifier", "job_id", "kind", "level", "list", "match", "platform", "reference",
        "role", "rule", "severity", "site", "source", "status", "target_key", "type", "vetting_id",
    }
)  # fmt: skip
# VettingResult fields that are vocabulary, numbers or ids (``models/result.py``).
_RESULT_KEPT = frozenset({"format", "vetting_id", "score", "band", "thresholds", "duration_ms"})
_FINDING_KEPT = frozenset({"check", "points", "severity", "source"})
_CHECK_KEPT = frozenset({"id", "status"})
_COMMAND_KEPT = frozenset({"name", "display_name"})  # the command verb; the requester's name

SHORT = 50  # varchar(n ≤ 50) in a table nobody listed: an enumeration, a code or an id
_CODE_NAME = re.compile(
    r"(?:^|_)(?:id|ids|key|keys|status|state|kind|type|band|severity|level|platform|action|role|rule"
    r"|format|actor|requester|version|hash|token)$"
)


def column_doc(table: str, column: Column[Any]) -> Doc | None:
    """How ``table.column`` is scrubbed, or None when erasure must leave it alone."""
    listed = COLUMNS.get(table, {})
    if column.name in listed:
        return listed[column.name]
    kind = getattr(column.type, "impl_instance", column.type)  # sqlmodel's AutoString decorates String
    if column.primary_key or column.foreign_keys or not isinstance(kind, String | JSON):
        return None
    if _CODE_NAME.search(column.name.lower()):
        return None
    if isinstance(kind, JSON):
        return Doc.DOCUMENT
    if kind.length is not None and kind.length <= SHORT:
        return None
    return Doc.TEXT


def scrub(doc: Doc, value: Any, rewrite: Rewrite, *, keep_subject: bool = False) -> Any:
    """``value`` with ``rewrite`` applied where ``doc`` allows; ``keep_subject`` keeps a
    result's ``candidate`` (another case mentioning the person: its own subject stays)."""
    if value is None:
        return None
    if doc is Doc.TEXT:
        return rewrite(value) if isinstance(value, str) else _document(value, rewrite)
    if doc is Doc.PROFILE:
        return _every(value, rewrite)
    if doc is Doc.RESULT and isinstance(value, dict):
        return _result(value, rewrite, keep_subject=keep_subject)
    if doc is Doc.COMMAND and isinstance(value, dict):
        return {
            k: v if k in _COMMAND_KEPT else _every(v, rewrite) if k == "profile" else _document(v, rewrite)
            for k, v in value.items()
        }
    return _document(value, rewrite)


def _every(value: Any, rewrite: Rewrite) -> Any:
    """Every string value (keys stay)."""
    if isinstance(value, str):
        return rewrite(value)
    if isinstance(value, dict):
        return {k: _every(v, rewrite) for k, v in value.items()}
    if isinstance(value, list):
        return [_every(v, rewrite) for v in value]
    return value


def _document(value: Any, rewrite: Rewrite) -> Any:
    """String values, except those under a vocabulary key (keys stay)."""
    if isinstance(value, str):
        return rewrite(value)
    if isinstance(value, dict):
        return {k: v if k in VOCABULARY_KEYS else _document(v, rewrite) for k, v in value.items()}
    if isinstance(value, list):
        return [_document(v, rewrite) for v in value]
    return value


def _result(result: dict[str, Any], rewrite: Rewrite, *, keep_subject: bool) -> dict[str, Any]:
    """A VettingResult: the subject's name and id, finding summaries and evidence, warnings and
    check details are text; the rest (bands, severities, check ids, statuses, sources) stays."""
    out: dict[str, Any] = {}
    for key, value in result.items():
        if key in _RESULT_KEPT or (key == "candidate" and keep_subject):
            out[key] = value
        elif key == "findings" and isinstance(value, list):
            out[key] = [_item(f, _FINDING_KEPT, rewrite) for f in value]
        elif key == "checks" and isinstance(value, list):
            out[key] = [_item(c, _CHECK_KEPT, rewrite) for c in value]
        else:  # candidate, warnings, fields added later
            out[key] = _document(value, rewrite)
    return out


def _item(item: Any, kept: frozenset[str], rewrite: Rewrite) -> Any:
    if not isinstance(item, dict):
        return _document(item, rewrite)
    return {k: v if k in kept else _document(v, rewrite) for k, v in item.items()}
