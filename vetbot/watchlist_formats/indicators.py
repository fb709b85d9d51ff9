"""Admin-curated indicator CSV: ``kind,value,source,note``, one indicator a row.

FBI/DOJ indicators are published as prose or PDF, so admins transcribe them (and community
lists such as tayvano's, marked unverified in ``note``) into this file. Unlike the official
lists, every row here was written on purpose, so a bad row rejects the file: unknown kind,
invalid value, missing field. The header row is optional. ``employer`` is accepted beside
the documented kinds so admins can list designated front companies themselves.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from vetbot.watchlist_formats.common import EntryBuilder, FormatError, WatchEntry, read_text

CSV_KINDS = ("email", "phone", "domain", "github", "wallet", "name", "address", "employer")


def parse_indicators(path: Path) -> list[WatchEntry]:
    builder = EntryBuilder()
    reader = csv.reader(io.StringIO(read_text(path)), strict=True)
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
                continue
            cells = [c.strip() for c in row]
            if line == 1 and [c.lower() for c in cells[:2]] == ["kind", "value"]:
                continue
            if len(cells) < 2 or len(cells) > 4:
                raise FormatError(f"line {line}: expected kind,value,source,note ({len(cells)} fields)")
            kind, value = cells[0].lower(), cells[1]
            source = cells[2] if len(cells) > 2 else ""
            note = cells[3] if len(cells) > 3 else ""
            if kind not in CSV_KINDS:
                raise FormatError(f"line {line}: unknown kind {kind[:30]!r} (use {', '.join(CSV_KINDS)})")
            if not value:
                raise FormatError(f"line {line}: empty value")
            if kind in ("name",) and len(value.split()) < 2:
                raise FormatError(f"line {line}: a name needs two words (a lone surname matches no one)")
            text = "; ".join(p for p in (note, f"source {source}" if source else "") if p) or None
            builder.add(f"row-{line}", kind, value, note=text, where=f"line {line}: ", strict=True)
    except csv.Error as exc:
        raise FormatError(f"line {reader.line_num}: {exc}") from None
    if not builder.entries:
        raise FormatError(f"{path.name}: no indicators")
    return builder.entries
