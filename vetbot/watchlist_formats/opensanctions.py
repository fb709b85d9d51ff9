"""OpenSanctions exports: ``targets.simple.csv`` (read by header) and FollowTheMoney JSON lines.

Simple CSV (RFC 4180, multi-values joined by ``;``, columns get added over time, so columns
are found by name): id, schema, name, aliases, birth_date, addresses, phones, emails,
program_ids, sanctions, dataset… FollowTheMoney (``entities.ftm.json``): one entity per line;
only ``target: true`` entities count; names in ``name``, ``alias``, ``weakAlias``,
``previousName``; wallets are ``CryptoWallet`` entities whose ``holder`` is the target.
``countries`` and ``nationality`` are never read (fairness). Licence: CC BY-NC 4.0 — see
matching-and-data.md §4 before using it commercially.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vetbot.watchlist_formats.common import EntryBuilder, FormatError, WatchEntry, read_text

PERSON_SCHEMAS = frozenset({"Person"})
ORG_SCHEMAS = frozenset({"Company", "Organization", "LegalEntity", "PublicBody"})
REQUIRED = ("id", "schema", "name")
_NAME_PROPS = (
    ("name", None),
    ("alias", None),
    ("previousName", "previous name"),
    ("weakAlias", "weak alias"),
)


def parse_opensanctions(path: Path) -> list[WatchEntry]:
    """Simple CSV for ``.csv`` files, FollowTheMoney JSON lines otherwise."""
    if path.suffix.lower() == ".csv":
        return parse_simple_csv(path)
    return parse_ftm(path)


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


def parse_simple_csv(path: Path) -> list[WatchEntry]:
    reader = csv.DictReader(io.StringIO(read_text(path)), strict=True)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise FormatError(f"line 1: header lacks {', '.join(missing)} (is this targets.simple.csv?)")
    builder = EntryBuilder()
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                raise FormatError(f"line {line}: more fields than the header")
            ent, schema = (row.get("id") or "").strip(), (row.get("schema") or "").strip()
            if not ent or not (row.get("name") or "").strip():
                raise FormatError(f"line {line}: no id or no name")
            programme = row.get("program_ids") or row.get("sanctions") or row.get("dataset")
            if schema in PERSON_SCHEMAS:
                for name in [row["name"], *_split(row.get("aliases"))]:
                    builder.add(ent, "name", name, programme=programme)
                for kind, column in (("dob", "birth_date"), ("email", "emails"), ("phone", "phones")):
                    for value in _split(row.get(column)):
                        builder.add(ent, kind, value, programme=programme)
                for address in _split(row.get("addresses")):
                    builder.add(ent, "address", address, programme=programme)
            elif schema in ORG_SCHEMAS:
                for name in [row["name"], *_split(row.get("aliases"))]:
                    builder.add(ent, "employer", name, programme=programme)
                for value in _split(row.get("emails")):
                    builder.add(ent, "email", value, programme=programme)
    except csv.Error as exc:
        raise FormatError(f"line {reader.line_num}: {exc}") from None
    return builder.entries


def _props(entity: dict[str, Any], name: str) -> list[str]:
    values = entity.get("properties", {}).get(name, [])
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def _programme(entity: dict[str, Any]) -> str | None:
    found = _props(entity, "programId") or _props(entity, "topics")
    return "; ".join(found) or ", ".join(entity.get("datasets", []) or []) or None


def _person(builder: EntryBuilder, ent: str, entity: dict[str, Any]) -> None:
    prog = _programme(entity)
    for prop, note in _NAME_PROPS:
        for name in _props(entity, prop):
            builder.add(ent, "name", name, programme=prog, note=note)
    for kind, prop in (("dob", "birthDate"), ("email", "email"), ("phone", "phone"), ("address", "address")):
        for value in _props(entity, prop):
            builder.add(ent, kind, value, programme=prog)
    for site in _props(entity, "website"):
        builder.add(ent, "domain", site, programme=prog)


def _organisation(builder: EntryBuilder, ent: str, entity: dict[str, Any]) -> None:
    prog = _programme(entity)
    for prop, note in _NAME_PROPS:
        for name in _props(entity, prop):
            builder.add(ent, "employer", name, programme=prog, note=note)
    for value in _props(entity, "email"):
        builder.add(ent, "email", value, programme=prog)
    for site in _props(entity, "website"):
        builder.add(ent, "domain", site, programme=prog)


def _entities(path: Path) -> Iterator[dict[str, Any]]:
    """FollowTheMoney entities of a JSON-lines file; a bad line raises with its number."""
    with path.open("r", encoding="utf-8-sig", errors="strict") as handle:
        try:
            lines = list(enumerate(handle, start=1))
        except UnicodeDecodeError:
            raise FormatError(f"{path.name}: not valid UTF-8") from None
    for number, line in lines:
        if not line.strip():
            continue
        try:
            entity = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FormatError(f"line {number}: not JSON ({exc.msg})") from None
        if not isinstance(entity, dict) or not isinstance(entity.get("id"), str) or "schema" not in entity:
            raise FormatError(f"line {number}: not a FollowTheMoney entity (needs id and schema)")
        if not isinstance(entity.get("properties", {}), dict):
            raise FormatError(f"line {number}: properties is not an object")
        yield entity


def parse_ftm(path: Path) -> list[WatchEntry]:
    builder = EntryBuilder()
    targets: set[str] = set()
    wallets: list[tuple[str, str, str | None]] = []  # (holder, public key, currency)
    for entity in _entities(path):
        ent, schema = entity["id"], entity["schema"]
        if schema == "CryptoWallet":
            currency = next(iter(_props(entity, "currency")), None)
            wallets.extend(
                (h, k, currency) for h in _props(entity, "holder") for k in _props(entity, "publicKey")
            )
            continue
        if entity.get("target") is not True:
            continue
        targets.add(ent)
        if schema in PERSON_SCHEMAS:
            _person(builder, ent, entity)
        elif schema in ORG_SCHEMAS:
            _organisation(builder, ent, entity)
    for holder, key, currency in wallets:
        if holder in targets:
            builder.add(holder, "wallet", key, note=f"{currency} wallet" if currency else "wallet")
    return builder.entries
