"""What every parser shares: the entry record, the error, text decoding and safe XML streaming."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from vetbot.normalize.text import clean
from vetbot.watchlist_formats.values import to_value

MAX_FIELD = 500
_FORBIDDEN_XML = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class FormatError(ValueError):
    """A malformed file; the message starts with where (``line 12:``) and says why."""


@dataclass(frozen=True, slots=True)
class WatchEntry:
    """One name or identifier of a listed entity, already validated and folded."""

    entity_id: str
    kind: str
    value: str
    display: str
    programme: str | None = None
    note: str | None = None


class EntryBuilder:
    """Collects entries, folding each value; junk in official lists is skipped (counted),
    whereas an admin-curated indicator file is strict (``strict=True`` raises)."""

    def __init__(self) -> None:
        self.entries: list[WatchEntry] = []
        self.skipped = 0
        self._seen: set[tuple[str, str, str]] = set()

    def add(
        self,
        entity_id: str,
        kind: str,
        raw: str | None,
        *,
        programme: str | None = None,
        note: str | None = None,
        where: str = "",
        strict: bool = False,
    ) -> bool:
        display = clean(raw or "")
        if not display or display == "-0-":
            return False
        value = to_value(kind, display[: MAX_FIELD + 1])
        if value is None or len(display) > MAX_FIELD:
            if strict:
                raise FormatError(f"{where}not a valid {kind}: {display[:80]!r}")
            self.skipped += 1
            return False
        key = (entity_id, kind, value)
        if key in self._seen:
            return False
        self._seen.add(key)
        self.entries.append(
            WatchEntry(entity_id[:100], kind, value, display, _cut(programme, 300), _cut(note, 1000))
        )
        return True


def _cut(text: str | None, limit: int) -> str | None:
    return clean(text)[:limit] or None if text else None


def read_text(path: Path) -> str:
    """UTF-8 (with or without BOM); OFAC's legacy files are Windows-1252, read as such."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def local(tag: str) -> str:
    """``{namespace}Name`` → ``Name``: official XML namespaces change between releases."""
    return tag.rsplit("}", 1)[-1]


def iter_xml(path: Path, tags: frozenset[str]) -> Iterator[tuple[int, ET.Element]]:
    """Stream ``(ordinal, element)`` for elements whose local name is in ``tags``.

    DOCTYPE and ENTITY declarations are refused before parsing: no official list uses them,
    and they are how entity-expansion ("billion laughs") and external-entity attacks start
    (defusedxml is not a dependency, so the check is done here). Each yielded element is
    cleared by the caller's loop moving on, keeping memory flat on 100 MB files.
    """
    with path.open("rb") as handle:
        tail = b""
        while chunk := handle.read(1 << 20):
            if _FORBIDDEN_XML.search(tail + chunk):
                raise FormatError("XML declares a DOCTYPE or ENTITY, refused (entity expansion risk)")
            tail = chunk[-16:]
    ordinal = 0
    try:
        for _event, element in ET.iterparse(path, events=("end",)):
            if local(element.tag) in tags:
                ordinal += 1
                yield ordinal, element
                element.clear()
    except ET.ParseError as exc:
        line, column = exc.position
        raise FormatError(f"line {line}, column {column}: not well-formed XML") from None


def child_text(element: ET.Element, name: str) -> str | None:
    """Text of the first direct child with local name ``name``."""
    for child in element:
        if local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if local(child.tag) == name]
