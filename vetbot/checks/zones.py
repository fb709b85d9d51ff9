"""Time-zone facts for ``location.timezone``: which IANA zones a claimed place can be in.

Everything comes from the bundled ``tzdata`` package (offline, Apache-2.0): country → zones
from ``zone.tab`` and ``zone1970.tab``, offsets from ``zoneinfo``. A claimed city narrows a
multi-zone country only when it *is* a zone's city (``Chicago`` → ``America/Chicago``);
otherwise every zone of the country stays plausible, which can only make the check quieter.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vetbot.normalize.text import fold

# Zones that name no place: someone who sets UTC says nothing about where they live.
_NEUTRAL_PREFIXES = ("etc/", "utc", "gmt", "uct", "zulu", "universal", "greenwich")


@cache
def _country_zone_table() -> dict[str, frozenset[str]]:
    """Country code → zones, from both tab files (zone1970 lists shared zones per country)."""
    table: dict[str, set[str]] = {}
    root = resources.files("tzdata").joinpath("zoneinfo")
    for name in ("zone.tab", "zone1970.tab"):
        for line in root.joinpath(name).read_text("utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) < 3:
                continue
            for code in parts[0].split(","):
                table.setdefault(code, set()).add(parts[2])
    return {code: frozenset(zones) for code, zones in table.items()}


def country_zones(code: str | None) -> frozenset[str]:
    """IANA zones used in the country (alpha-2); empty when unknown."""
    return _country_zone_table().get(code or "", frozenset())


def is_neutral(key: str) -> bool:
    return key.strip().casefold().startswith(_NEUTRAL_PREFIXES)


@lru_cache(maxsize=1_024)
def load_zone(key: str) -> ZoneInfo | None:
    """The zone, or ``None`` when the name is not an IANA zone (never raises)."""
    try:
        return ZoneInfo(key.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


@lru_cache(maxsize=4_096)
def seasonal_offsets(key: str, year: int) -> tuple[timedelta, timedelta] | None:
    """(January, July) UTC offsets of a zone in ``year``: its clock in both seasons."""
    zone = load_zone(key)
    if zone is None:
        return None
    jan = datetime(year, 1, 15, 12, tzinfo=UTC).astimezone(zone).utcoffset()
    jul = datetime(year, 7, 15, 12, tzinfo=UTC).astimezone(zone).utcoffset()
    assert jan is not None and jul is not None
    return jan, jul


def hours_apart(key: str, others: Iterable[str], year: int) -> float:
    """Smallest mean seasonal offset distance, in hours, between ``key`` and any of ``others``."""
    mine = seasonal_offsets(key, year)
    best = float("inf")
    if mine is None:
        return best
    for other in others:
        theirs = seasonal_offsets(other, year)
        if theirs is not None:
            gap = (abs(mine[0] - theirs[0]) + abs(mine[1] - theirs[1])) / 2
            best = min(best, gap.total_seconds() / 3600)
    return best


def zone_for_city(city: str | None, zones: Iterable[str]) -> str | None:
    """The zone whose city part is the claimed city (``New York`` → ``America/New_York``)."""
    if not city:
        return None
    wanted = fold(city).replace(" ", "_")
    for key in zones:
        if fold(key.rsplit("/", 1)[-1]) == wanted:
            return key
    return None


def place_zones(country: str | None, city: str | None, claimed: str | None, year: int) -> tuple[str, ...]:
    """The zones the claimed place can be in, narrowest first.

    A claimed zone that keeps the same clock as the claimed country (``Europe/Berlin`` for
    Poland) is taken as the place; so is a zone named after the claimed city. Without a
    country, a valid claimed zone is the place. Empty when nothing resolves.
    """
    zones = country_zones(country)
    usable = claimed if claimed and not is_neutral(claimed) and load_zone(claimed) else None
    if zones:
        if usable and (usable in zones or hours_apart(usable, zones, year) == 0):
            return (usable,)
        by_city = zone_for_city(city, zones)
        return (by_city,) if by_city else tuple(sorted(zones))
    return (usable,) if usable else ()


def local_offsets(instant: datetime, zones: Iterable[str]) -> set[timedelta]:
    """UTC offsets the place's zones use at this instant (DST-aware)."""
    out: set[timedelta] = set()
    for key in zones:
        zone = load_zone(key)
        offset = instant.astimezone(zone).utcoffset() if zone else None
        if offset is not None:
            out.add(offset)
    return out
