"""``location.timezone``: does the persona's clock agree with the place it claims to live?

The 2022 advisory notes DPRK IT workers keep odd hours for their claimed location and work
from UTC+8…+9 while presenting elsewhere [G1]; SEAL lists time-zone slips among the
repeatable tells [C1]. It is **weak** evidence: night owls, on-call engineers, clients abroad
and travellers look the same, and a careful operator shifts hours. Everything here compares
the persona with its *own* claims — someone in Seoul or Tokyo with a local zone and local
hours scores exactly like someone in Warsaw: zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import ClassVar

from vetbot.checks import sources
from vetbot.checks.base import Check, Evidence, Signal, SkipCheck
from vetbot.checks.context import CheckContext
from vetbot.checks.zones import (
    country_zones,
    hours_apart,
    is_neutral,
    load_zone,
    local_offsets,
    place_zones,
)
from vetbot.models.profile import Profile
from vetbot.normalize.country import country_name, to_alpha2

MIN_TIMESTAMPS = 8  # below this a few late e-mails would decide
MIN_OFFSET_STAMPS = 4
NIGHT_END_HOUR = 6  # local 00:00–05:59 counts as night
NIGHT_FLOOR = 0.25  # night owls and on-call engineers stay under this share
BUDGET = 1.0  # all signals of this check together earn at most one weight (scaled, not dropped)


def _fmt(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


class TimezoneCheck(Check):
    """Weight 25, weak evidence. Why 25: the signal is public but anecdotal and easy to
    shift, so it may corroborate (25 points lift a moderate finding towards ``medium``) but
    never decide. Every strength is ≤ 1 and the check's signals share a budget of one weight
    (scaled down together, ≤ 25 points), so time zones alone never reach ``medium`` (40).
    On the dev set every rule fired on fakes only. Rules and strengths (share of the weight):

    - ``zone_country`` 0.8 when the claimed IANA zone is ≥ 3 h from every zone of the claimed
      country, 0.4 when 1–3 h; a zone with the same clock (``Europe/Berlin`` for Poland) is
      consistent. An unknown zone name is 0.2 (typo or invented value, not an error). UTC/Etc
      zones name no place and are ignored.
    - ``night_share`` 0.3–0.9, rising with the share of ≥ 8 activity timestamps that fall at
      00:00–06:00 in the claimed place (in *every* plausible zone of a multi-zone country);
      fires from 25 %: night owls and on-call weeks stay below. Only stamps on the place's
      clock or in UTC count, so a relocated candidate's old stamps are not "night".
    - ``offset_mismatch`` 0.6–1.0: the dominant UTC offset of the timestamps, as the candidate
      produced them, is one the claimed place never uses at those instants (DST-aware).
      ``Z``/``+00:00`` stamps are skipped: mail and chat servers normalise to UTC.
    The interviewer's ``insisted_unusual_hours`` is scored once, by ``interview.observations``.
    Benign look-alikes: relocation, travel, remote work for a client abroad, night owls.
    Sources: State/Treasury/FBI advisory 2022 [G1], SEAL Frameworks [C1].
    """

    id: ClassVar[str] = "location.timezone"
    inline: ClassVar[bool] = True  # local: runs in the vetting task (see Check.inline)
    title: ClassVar[str] = "Claimed time zone and activity hours fit the claimed place"
    weight: ClassVar[int] = 25
    evidence: ClassVar[Evidence] = Evidence.WEAK
    inputs: ClassVar[tuple[str, ...]] = ("timezone", "location.country")
    source: ClassVar[str] = sources.G1
    rationale: ClassVar[str] = __doc__ or ""

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        loc = profile.location
        country = to_alpha2(loc.country) if loc else None
        year = context.now.year
        claimed_tz = profile.timezone.strip() if profile.timezone else None
        zones = place_zones(country, loc.city if loc else None, claimed_tz, year)
        if not zones and not (country and claimed_tz):
            raise SkipCheck("no claimed place or known time zone to compare with")
        signals = [
            s
            for s in (
                _zone_country(claimed_tz, country, year),
                _night_share(profile.activity_times, zones),
                _offset_mismatch(profile.activity_times, zones),
            )
            if s is not None
        ]
        return _within_budget(signals)


def _zone_country(claimed: str | None, country: str | None, year: int) -> Signal | None:
    if not claimed or not country or is_neutral(claimed):
        return None
    zones = country_zones(country)
    evidence = {"claimed_timezone": claimed, "claimed_country": country}
    if load_zone(claimed) is None:
        return Signal(
            rule="zone_country",
            strength=0.2,
            summary="Claimed time zone is not an IANA time-zone name",
            evidence=evidence,
        )
    if not zones or claimed in zones:
        return None
    gap = hours_apart(claimed, zones, year)
    if gap == 0:
        return None
    return Signal(
        rule="zone_country",
        strength=0.8 if gap >= 3 else 0.4,
        summary=(
            f"Claimed time zone {claimed} is {gap:g} h from every zone of the claimed country "
            f"{country_name(country)}"
        ),
        evidence={**evidence, "hours_apart": gap},
    )


def _is_night(stamp: datetime, zones: Sequence[str]) -> bool:
    hours = [stamp.astimezone(z).hour for z in (load_zone(k) for k in zones) if z is not None]
    return bool(hours) and all(h < NIGHT_END_HOUR for h in hours)


def _night_share(all_stamps: Sequence[datetime], zones: Sequence[str]) -> Signal | None:
    """Only stamps written on the place's clock (or in UTC) count: a foreign offset is
    ``offset_mismatch``'s business, and a relocated candidate's old stamps are not night."""
    stamps = [s for s in all_stamps if not s.utcoffset() or s.utcoffset() in local_offsets(s, zones)]
    if len(stamps) < MIN_TIMESTAMPS or not zones:
        return None
    night = sum(_is_night(s, zones) for s in stamps)
    share = night / len(stamps)
    if share < NIGHT_FLOOR:
        return None
    strength = round(min(0.9, 0.3 + (share - NIGHT_FLOOR) * 1.2), 2)
    return Signal(
        rule="night_share",
        strength=strength,
        summary=(
            f"{night} of {len(stamps)} activity times fall between 00:00 and 06:00 "
            f"in the claimed place ({', '.join(zones[:3])}{'…' if len(zones) > 3 else ''})"
        ),
        evidence={"night": night, "total": len(stamps), "share": round(share, 2), "zones": list(zones)},
    )


def _offset_mismatch(stamps: Sequence[datetime], zones: Sequence[str]) -> Signal | None:
    stated = [(s, s.utcoffset()) for s in stamps]
    informative = [(s, o) for s, o in stated if o]  # None or zero: UTC-normalised, says nothing
    if len(informative) < MIN_OFFSET_STAMPS or not zones:
        return None
    dominant, count = Counter(o for _, o in informative).most_common(1)[0]
    share = count / len(informative)
    if share < 0.5:
        return None
    foreign = sum(dominant not in local_offsets(s, zones) for s, o in informative if o == dominant)
    if foreign * 2 <= count:  # the place uses this offset at most of those instants
        return None
    expected = sorted({o for s, _ in informative for o in local_offsets(s, zones)})
    return Signal(
        rule="offset_mismatch",
        strength=round(0.6 + 0.4 * share, 2),
        summary=(
            f"Most activity times carry {_fmt(dominant)}; the claimed place uses "
            f"{', '.join(_fmt(o) for o in expected[:4])}{'…' if len(expected) > 4 else ''} at those times"
        ),
        evidence={
            "dominant_offset": _fmt(dominant),
            "stamps_with_offset": count,
            "stamps_considered": len(informative),
            "place_offsets": [_fmt(o) for o in expected],
        },
    )


def _within_budget(signals: list[Signal]) -> list[Signal]:
    """Scale all signals down together when they exceed the shared budget, so every one stays
    on the card (with its original strength in evidence) and the sum stays ≤ one weight."""
    total = sum(s.strength for s in signals)
    if total <= BUDGET:
        return signals
    factor = BUDGET / total
    return [
        replace(
            s,
            strength=round(s.strength * factor, 3),
            evidence={**s.evidence, "strength_before_budget": s.strength},
        )
        for s in signals
    ]


CHECKS: list[Check] = [TimezoneCheck()]
