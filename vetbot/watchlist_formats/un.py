"""UN Security Council consolidated list (XML): ``INDIVIDUALS/INDIVIDUAL`` and ``ENTITIES/ENTITY``.

``FIRST_NAME``…``FOURTH_NAME`` keep the written order, so a Korean name starts with the
family name; the matcher rotates tokens, so order needs no guessing here. ``INDIVIDUAL_ALIAS``
carries ``QUALITY`` (Good/Low; Low is kept, marked weak). Entities become ``employer``
entries. Nationality and documents are not read (fairness: nothing reads nationality).
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

from vetbot.watchlist_formats.common import (
    EntryBuilder,
    FormatError,
    WatchEntry,
    child_text,
    children,
    iter_xml,
    local,
)

_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def _entity_id(element: Element, ordinal: int) -> str:
    ref = child_text(element, "REFERENCE_NUMBER") or child_text(element, "DATAID")
    if not ref:
        raise FormatError(f"{local(element.tag)} #{ordinal}: no REFERENCE_NUMBER or DATAID")
    return ref


def _programme(element: Element) -> str | None:
    return child_text(element, "UN_LIST_TYPE")


def _aliases(
    builder: EntryBuilder, ent: str, element: Element, tag: str, kind: str, prog: str | None
) -> None:
    for alias in children(element, tag):
        quality = (child_text(alias, "QUALITY") or "").lower()
        note = "low-quality alias" if quality == "low" else None
        builder.add(ent, kind, child_text(alias, "ALIAS_NAME"), programme=prog, note=note)


def _addresses(builder: EntryBuilder, ent: str, element: Element, tag: str, prog: str | None) -> None:
    for address in children(element, tag):
        parts = (child_text(address, p) for p in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"))
        builder.add(ent, "address", ", ".join(p for p in parts if p), programme=prog)


def _individual(builder: EntryBuilder, element: Element, ordinal: int) -> None:
    ent = _entity_id(element, ordinal)
    prog = _programme(element)
    name = " ".join(p for p in (child_text(element, tag) for tag in _NAME_PARTS) if p)
    if not name:
        raise FormatError(f"INDIVIDUAL #{ordinal} ({ent}): no FIRST_NAME")
    builder.add(ent, "name", name, programme=prog)
    _aliases(builder, ent, element, "INDIVIDUAL_ALIAS", "name", prog)
    for dob in children(element, "INDIVIDUAL_DATE_OF_BIRTH"):
        builder.add(ent, "dob", child_text(dob, "DATE") or child_text(dob, "YEAR"), programme=prog)
    _addresses(builder, ent, element, "INDIVIDUAL_ADDRESS", prog)


def _entity(builder: EntryBuilder, element: Element, ordinal: int) -> None:
    ent = _entity_id(element, ordinal)
    prog = _programme(element)
    name = child_text(element, "FIRST_NAME")
    if not name:
        raise FormatError(f"ENTITY #{ordinal} ({ent}): no FIRST_NAME")
    builder.add(ent, "employer", name, programme=prog)
    _aliases(builder, ent, element, "ENTITY_ALIAS", "employer", prog)
    _addresses(builder, ent, element, "ENTITY_ADDRESS", prog)


def parse_un_xml(path: Path) -> list[WatchEntry]:
    """Entries of the UN consolidated XML, streamed."""
    builder = EntryBuilder()
    seen = 0
    for ordinal, element in iter_xml(path, frozenset({"INDIVIDUAL", "ENTITY"})):
        seen += 1
        if local(element.tag) == "INDIVIDUAL":
            _individual(builder, element, ordinal)
        else:
            _entity(builder, element, ordinal)
    if not seen:
        raise FormatError(f"{path.name}: no INDIVIDUAL or ENTITY elements (is this the UN list?)")
    return builder.entries
