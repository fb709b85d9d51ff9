"""Reuse keys for postal addresses: one building key and one flat key per address.

A laptop farm's address comes back under many personas written differently: structured or
one free-text line, ``ul.``/``ULICA``, ``US``/``United States``, with or without the flat
line. The building key is ``place|house number|street words`` (place = the postcode, else
the city), built the same way from a structured address and from free text, so those
variants fold. Region, country and the city name (when a postcode is present) are left out
on purpose: personas omit or spell them differently, and a postcode already pins the place.

The flat key adds the unit (``Apt 14C``, ``m. 55``, ``54/69``, ``Flat 6``): two candidates
in one big building share the building key but not the flat key, so the check can tell
"same flat" from "same building, other flat" (not a finding) and from "one of the two gave
no flat" (weaker).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from vetbot.models.profile import Address
from vetbot.normalize.country import to_alpha2
from vetbot.normalize.text import fold

# Street-type words folded to one short form; both the English and the local forms seen
# in CVs and ATS exports (Polish ul./al./pl., German -str., Romanian str.).
_STREET_WORDS = {
    "street": "st",
    "str": "st",
    "strasse": "st",
    "strada": "st",
    "road": "rd",
    "avenue": "ave",
    "av": "ave",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "plac": "pl",
    "square": "sq",
    "highway": "hwy",
    "parkway": "pkwy",
    "terrace": "ter",
    "circle": "cir",
    "ulica": "ul",
    "aleja": "al",
    "aleje": "al",
    "aleea": "al",
    "osiedle": "os",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
    "mount": "mt",
    "saint": "st",
}
# Words that introduce a flat, staircase or block: the value after them is the unit.
_UNIT_WORDS = frozenset(
    {
        "apt",
        "apartment",
        "apartament",
        "app",
        "appt",
        "unit",
        "flat",
        "suite",
        "ste",
        "studio",
        "room",
        "rm",
        "m",
        "lok",
        "lokal",
        "ap",
        "bl",
        "bloc",
        "block",
        "sc",
        "scara",
        "et",
        "etaj",
        "fl",
        "floor",
        "whg",
        "wohnung",
        "hash",
    }
)
_DROP = frozenset({"the", "and", "of", "nr", "no", "number", "numer", "nummer"})
_TOKEN = re.compile(r"[a-z0-9]+(?:-[0-9]+[a-z]?)?")
_SLASH_NUMBER = re.compile(r"\b(\d+[a-z]?)\s*/\s*(\d+[a-z]?)\b")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Postcode shapes, most specific first (UK, CA, NL, PL, then 4–6 digit codes incl. US ZIP+4).
_POSTCODES = (
    re.compile(r"\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b"),
    re.compile(r"\b[a-z]\d[a-z]\s*\d[a-z]\d\b"),
    re.compile(r"\b\d{4}\s?[a-z]{2}\b"),
    re.compile(r"\b\d{2}-\d{3}\b"),
    re.compile(r"\b\d{5}-\d{4}\b"),
    re.compile(r"\b\d{4,6}\b"),
)
_REGION_CODE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True, slots=True)
class AddressKey:
    """``building`` folds every spelling of one building; ``unit`` is the flat, if given."""

    building: str
    unit: str | None

    @property
    def flat(self) -> str:
        """The flat key: the building plus the unit (``-`` when no unit was given)."""
        return f"{self.building}#{self.unit or '-'}"


def _postcode(raw: str) -> str:
    code = _NON_ALNUM.sub("", fold(raw))
    if len(code) == 9 and code.isdigit():  # US ZIP+4: the ZIP alone names the area
        code = code[:5]
    return code


def _number(token: str) -> str:
    stripped = token.lstrip("0")
    return stripped or "0"


def _street_words(token: str) -> str:
    if token.endswith("strasse") and len(token) > 7:
        return token[:-7] + "st"
    if token.endswith("str") and len(token) > 5:
        return token[:-3] + "st"
    return _STREET_WORDS.get(token, token)


def _parse_street(text: str) -> tuple[str | None, list[str], list[str]]:
    """(house number, street words, unit values) of the street part of an address."""
    folded = fold(text).replace("#", " hash ")
    units: list[str] = []
    match = _SLASH_NUMBER.search(folded)
    if match:  # "54/69": house 54, flat 69 (PL, DE); "08/00" likewise
        folded = folded[: match.start()] + match.group(1) + folded[match.end() :]
        units.append(_number(match.group(2)))
    tokens = _TOKEN.findall(folded)
    house: str | None = None
    words: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in _UNIT_WORDS and i + 1 < len(tokens) and any(c.isdigit() for c in tokens[i + 1]):
            units.append(_number(tokens[i + 1]))
            i += 2
            continue
        if token in _UNIT_WORDS and i + 1 < len(tokens) and len(tokens[i + 1]) == 1:
            units.append(tokens[i + 1])  # "Flat B"
            i += 2
            continue
        i += 1
        if token in _DROP or token in _UNIT_WORDS:
            continue
        if token[0].isdigit():
            if house is None:
                house = _number(token)
            else:
                words.append(token)
        else:
            words.append(_street_words(token))
    return house, words, units


def _split_free_text(text: str) -> tuple[str, str]:
    """(street part, place) of a one-line address: postcode found from the end, else the city."""
    segments = [s.strip() for s in text.split(",") if s.strip()]
    if len(segments) > 1 and not any(c.isdigit() for c in segments[-1]) and to_alpha2(segments[-1]):
        segments.pop()  # the country
    for index in range(len(segments) - 1, 0, -1):
        segment = fold(segments[index])
        for pattern in _POSTCODES:
            found = pattern.search(segment)
            if not found:
                continue
            rest = [
                w
                for w in _NON_ALNUM.sub(" ", segment[: found.start()] + " " + segment[found.end() :]).split()
            ]
            only_region = all(_REGION_CODE.match(w) for w in rest)
            street_end = index - 1 if only_region and index > 1 else index
            return ", ".join(segments[:street_end]), _postcode(found.group(0))
    if len(segments) > 1:
        return ", ".join(segments[:-1]), " ".join(_NON_ALNUM.sub(" ", fold(segments[-1])).split())
    return text, ""


@lru_cache(maxsize=65_536)
def _key_from_parts(street: str, place: str) -> AddressKey | None:
    house, words, units = _parse_street(street)
    if not words and house is None:
        return None
    building = f"{place}|{house or ''}|{' '.join(words)}"
    return AddressKey(building=building, unit="-".join(units) if units else None)


def address_key(address: Address | str) -> AddressKey | None:
    """Reuse key of an address, or ``None`` when it holds no street at all."""
    if isinstance(address, str):
        street, place = _split_free_text(address)
    else:
        street = ", ".join(p for p in (address.line1, address.line2) if p)
        if address.postcode and _postcode(address.postcode):
            place = _postcode(address.postcode)
        else:
            place = " ".join(_NON_ALNUM.sub(" ", fold(address.city or "")).split())
    if not street.strip():
        return None
    return _key_from_parts(street, place)
