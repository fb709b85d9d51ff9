"""Country names and codes to ISO 3166-1 alpha-2, from tzdata's bundled ``iso3166.tab``.

tzdata is already a dependency (offline zoneinfo), Apache-2.0 and small, so it replaces
the 23 MB LGPL pycountry. Common English short forms are added as aliases.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources

from vetbot.normalize.text import fold

_ALIASES = {
    "usa": "US",
    "united states of america": "US",
    "america": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "britain": "GB",
    "south korea": "KR",
    "republic of korea": "KR",
    "korea, republic of": "KR",
    "korea": "KR",
    "north korea": "KP",
    "dprk": "KP",
    "democratic people's republic of korea": "KP",
    "russia": "RU",
    "russian federation": "RU",
    "czechia": "CZ",
    "czech republic": "CZ",
    "holland": "NL",
    "the netherlands": "NL",
    "vietnam": "VN",
    "viet nam": "VN",
    "laos": "LA",
    "uae": "AE",
    "taiwan": "TW",
    "iran": "IR",
    "syria": "SY",
    "turkey": "TR",
    "turkiye": "TR",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "macedonia": "MK",
    "moldova": "MD",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "brunei": "BN",
    "cape verde": "CV",
    "eswatini": "SZ",
    "swaziland": "SZ",
    "burma": "MM",
    "myanmar": "MM",
    "palestine": "PS",
    "vatican": "VA",
    "kosovo": "XK",
}


@cache
def _table() -> dict[str, str]:
    text = resources.files("tzdata").joinpath("zoneinfo/iso3166.tab").read_text("utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        code, _, name = line.partition("\t")
        table[fold(name)] = code
        table[code.casefold()] = code
    for alias, code in _ALIASES.items():
        table[fold(alias)] = code
    return table


@lru_cache(maxsize=4_096)
def to_alpha2(value: str | None) -> str | None:
    """``"Poland"``, ``"pl"``, ``"PL"`` → ``"PL"``; unknown → ``None`` (never a guess)."""
    if not value:
        return None
    key = fold(value).strip(" .")
    return _table().get(key)


@cache
def country_name(code: str) -> str:
    """English name for display in summaries (``PL`` → ``Poland``)."""
    text = resources.files("tzdata").joinpath("zoneinfo/iso3166.tab").read_text("utf-8")
    for line in text.splitlines():
        if line.startswith(code + "\t"):
            return line.split("\t", 1)[1]
    return code
