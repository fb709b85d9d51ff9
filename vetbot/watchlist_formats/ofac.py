"""OFAC legacy CSV: ``SDN.CSV`` plus ``ALT.CSV`` and ``ADD.CSV`` when they sit beside it.

Layout (matching-and-data.md §4): no header, quoted fields, ``-0-`` for null, joined on
``ent_num``. ``SDN.CSV`` columns: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign,
Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks. Individuals are written
``LAST, First``; entities (type ``-0-``) become ``employer`` entries (front companies);
vessels and aircraft are not candidates' names or employers and are left out. The Remarks
field holds ``;``-separated facts: dates of birth, ``Email Address …``, ``Website …`` and
``Digital Currency Address - XBT …`` become exact identifiers; nationality, citizenship and
passports are deliberately not read (fairness: nothing reads nationality).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from vetbot.watchlist_formats.common import EntryBuilder, FormatError, WatchEntry, read_text

SDN_COLUMNS = 12
_REMARK_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^DOB\s+(.+)$", re.I), "dob"),
    (re.compile(r"^Email Address\s+(\S+)$", re.I), "email"),
    (re.compile(r"^Website\s+(\S+)$", re.I), "domain"),
    (re.compile(r"^(?:Phone Number|Telephone|Phone)\s+(.+)$", re.I), "phone"),
    (re.compile(r"^Digital Currency Address - (\w+)\s+(\S+)$", re.I), "wallet"),
    (re.compile(r"^a\.k\.a\.\s+['\"]?(.+?)['\"]?\.?$", re.I), "alias"),
)


def _rows(path: Path, columns: int) -> list[tuple[int, list[str]]]:
    """Rows with their 1-based line numbers; blank lines and OFAC's trailing Ctrl-Z skipped."""
    text = read_text(path).replace("\x1a", "")
    reader = csv.reader(io.StringIO(text), strict=True)
    out: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) < columns:
                raise FormatError(f"{path.name} line {line}: {len(row)} fields, expected {columns}")
            if not row[0].strip().isdigit():
                raise FormatError(f"{path.name} line {line}: ent_num {row[0][:20]!r} is not a number")
            out.append((line, [cell.strip() for cell in row]))
    except csv.Error as exc:
        raise FormatError(f"{path.name} line {reader.line_num}: {exc}") from None
    return out


def _null(value: str) -> str | None:
    return None if value in ("", "-0-") else value


def _programme(value: str) -> str | None:
    text = _null(value)
    return "; ".join(p.strip(" []") for p in text.split("] [")) if text else None


def _remarks(builder: EntryBuilder, ent: str, remarks: str, kind_of_name: str, programme: str | None) -> None:
    for part in remarks.split(";"):
        part = part.strip().rstrip(".")
        for pattern, kind in _REMARK_RULES:
            match = pattern.match(part)
            if not match:
                continue
            if kind == "wallet":
                builder.add(
                    ent, "wallet", match.group(2), programme=programme, note=f"{match.group(1)} address"
                )
            elif kind == "alias":
                builder.add(ent, kind_of_name, match.group(1), programme=programme, note="weak a.k.a.")
            else:
                builder.add(ent, kind, match.group(1), programme=programme)
            break


def _beside(path: Path, name: str) -> Path | None:
    for candidate in path.parent.iterdir():
        if candidate.name.lower() == name.lower() and candidate != path:
            return candidate
    return None


def parse_sdn_csv(path: Path) -> list[WatchEntry]:
    """Entries of ``SDN.CSV`` (+ ``ALT.CSV``/``ADD.CSV`` beside it)."""
    builder = EntryBuilder()
    kinds: dict[str, tuple[str, str | None]] = {}  # ent_num → (name kind, programme)
    for line, row in _rows(path, SDN_COLUMNS):
        ent, name, sdn_type = row[0], row[1], row[2].lower()
        if not _null(name):
            raise FormatError(f"{path.name} line {line}: ent_num {ent} has no SDN_Name")
        if sdn_type in ("vessel", "aircraft"):
            continue
        kind = "name" if sdn_type == "individual" else "employer"
        if sdn_type not in ("individual", "-0-", ""):
            raise FormatError(f"{path.name} line {line}: unknown SDN_Type {row[2][:30]!r}")
        programme = _programme(row[3])
        kinds[ent] = (kind, programme)
        builder.add(ent, kind, name, programme=programme)
        if remarks := _null(row[11]):
            _remarks(builder, ent, remarks, kind, programme)
    if not kinds:
        raise FormatError(f"{path.name}: no individuals or entities found")
    if alt := _beside(path, "ALT.CSV"):
        for _line, row in _rows(alt, 4):
            if row[0] in kinds:
                kind, programme = kinds[row[0]]
                weak = (_null(row[4]) or "") if len(row) > 4 else ""
                note = f"{row[2]} {weak}".strip() if _null(row[2]) else None
                builder.add(row[0], kind, row[3], programme=programme, note=note)
    if add := _beside(path, "ADD.CSV"):
        for _line, row in _rows(add, 5):
            if row[0] in kinds:
                address = ", ".join(p for p in (_null(row[2]), _null(row[3]), _null(row[4])) if p)
                builder.add(row[0], "address", address, programme=kinds[row[0]][1])
    return builder.entries
