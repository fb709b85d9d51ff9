"""Postal addresses folded for comparison: case, punctuation, common abbreviations.

``"12 Main St., Apt 4"`` and ``"12 main street apartment 4"`` must compare equal, because
a laptop farm's address comes back under many personas written slightly differently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from vetbot.models.profile import Address
from vetbot.normalize.country import to_alpha2
from vetbot.normalize.text import fold

_ABBREVIATIONS = {
    "st": "street",
    "str": "street",
    "strasse": "street",
    "ul": "ulica",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "blvd": "boulevard",
    "dr": "drive",
    "ln": "lane",
    "ct": "court",
    "pl": "place",
    "sq": "square",
    "hwy": "highway",
    "pkwy": "parkway",
    "apt": "apartment",
    "apartament": "apartment",
    "ste": "suite",
    "fl": "floor",
    "bldg": "building",
    "no": "number",
    "nr": "number",
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
    "ne": "northeast",
    "nw": "northwest",
    "se": "southeast",
    "sw": "southwest",
    "mt": "mount",
    "ter": "terrace",
    "cir": "circle",
    "jct": "junction",
    "unit": "unit",
    "rte": "route",
}
_DROP = frozenset({"the", "and", "of", "flat", "apartment", "suite", "unit", "number"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65_536)
def address_tokens(text: str) -> tuple[str, ...]:
    words = _NON_ALNUM.sub(" ", fold(text)).split()
    expanded = (_ABBREVIATIONS.get(w, w) for w in words)
    return tuple(w for w in expanded if w not in _DROP)


@dataclass(frozen=True, slots=True)
class NormalAddress:
    street: str
    city: str
    postcode: str
    country: str | None

    @property
    def key(self) -> str:
        """One string that identifies the place, for exact lookups in the identifier index."""
        parts = [self.street, self.postcode or self.city, self.country or ""]
        return "|".join(parts)


def normalize_address(address: Address | str) -> NormalAddress:
    if isinstance(address, str):
        tokens = address_tokens(address)
        return NormalAddress(street=" ".join(tokens), city="", postcode="", country=None)
    street = " ".join(address_tokens(" ".join(p for p in (address.line1, address.line2) if p)))
    city = " ".join(address_tokens(address.city or ""))
    postcode = _NON_ALNUM.sub("", fold(address.postcode or ""))
    return NormalAddress(street=street, city=city, postcode=postcode, country=to_alpha2(address.country))
