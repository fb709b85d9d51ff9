"""``offer.shipping`` and ``offer.payment``: where laptop and salary go, with benign look-alikes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from vetbot.checks.context import CheckContext
from vetbot.checks.engine import Engine
from vetbot.checks.offer import Payment, Shipping
from vetbot.checks.registry import Registry
from vetbot.models.parsing import parse_profile
from vetbot.models.result import CheckStatus, Thresholds, VettingResult

NOW = datetime(2026, 6, 15, tzinfo=UTC)
HOME = {"line1": "ul. Długa 12 m. 4", "city": "Gdańsk", "postcode": "80-827", "country": "PL"}
CANDIDATE = {"name": "Katarzyna Wiśniewska", "location": {"city": "Gdańsk", "country": "Poland"}}


async def vet(**fields: Any) -> VettingResult:
    profile = parse_profile({**CANDIDATE, **fields}).profile
    engine = Engine(Registry([Shipping(), Payment()]))
    return await engine.vet(profile, context=CheckContext(now=NOW))


def rules(result: VettingResult) -> dict[str, int]:
    return {f.evidence["rule"]: f.points for f in result.findings}


def status(result: VettingResult, check_id: str) -> CheckStatus:
    return next(c.status for c in result.checks if c.id == check_id)


# --- shipping -------------------------------------------------------------------------------


async def test_same_address_written_differently_is_silent() -> None:
    ship = {"line1": "UL. DLUGA 12, m. 4", "city": "GDANSK", "postcode": "80827", "country": "Poland"}
    result = await vet(home_address=HOME, shipping_address=ship)
    assert status(result, "offer.shipping") == CheckStatus.OK
    assert result.findings == []


async def test_a_city_spelt_another_way_is_the_same_city() -> None:
    home = {"line1": "ul. Długa 12", "city": "Warszawa", "postcode": "00-950", "country": "PL"}
    ship = {"line1": "ul. Dluga 12", "city": "Warsaw", "postcode": "00950", "country": "Poland"}
    assert (await vet(home_address=home, shipping_address=ship)).findings == []


async def test_shipping_to_another_country_is_strong() -> None:
    ship = {"line1": "431 Arellano Hills", "city": "Nashville", "postcode": "37257", "country": "US"}
    result = await vet(home_address=HOME, shipping_address=ship)
    assert rules(result) == {"other_country": 50}
    assert result.findings[0].source == "FBI PSA 2025-07-23"
    assert result.findings[0].evidence["shipping_country"] == "US"


async def test_shipping_to_another_city_is_strong_but_below_other_country() -> None:
    ship = {"line1": "ul. Piotrkowska 100", "city": "Łódź", "postcode": "90-001", "country": "PL"}
    result = await vet(home_address=HOME, shipping_address=ship)
    assert rules(result) == {"other_city": round(Shipping.weight * 0.6)}


async def test_coworking_office_in_the_same_city_is_not_a_finding_by_itself() -> None:
    ship = {"line1": "Regus, Grunwaldzka 472", "line2": "Floor 5", "city": "gdansk", "country": "PL"}
    result = await vet(home_address=HOME, shipping_address=ship)
    assert rules(result) == {"same_city_other_address": 5}
    assert result.score < Thresholds().medium


async def test_free_text_addresses_compare_by_tokens_and_trailing_country() -> None:
    home = "7164 David Lakes, Las Vegas, NV 89173, United States"
    office = "Impact Hub, 2711 Cunningham Lakes, Floor 2, Las Vegas, NV 89101, USA"
    abroad = "plac Sucharskiego 689, 01-278 Warsaw, Poland"
    same = await vet(home_address=home, shipping_address=home.upper(), location={"country": "US"})
    assert same.findings == []
    city = await vet(home_address=home, shipping_address=office, location={"city": "Las Vegas"})
    assert rules(city) == {"same_city_other_address": 5}
    other = await vet(home_address=home, shipping_address=abroad, location={"country": "US"})
    assert rules(other) == {"other_country": 50}


async def test_without_home_address_compares_with_the_claimed_location() -> None:
    ship = {"line1": "Kirby Path 9689", "city": "Litchfield Park", "country": "US"}
    result = await vet(shipping_address=ship)
    assert rules(result) == {"other_country": 50}
    assert result.findings[0].evidence["compared_with"] == "location"


async def test_without_home_address_the_claimed_city_is_fine() -> None:
    ship = {"line1": "ul. Grunwaldzka 472", "city": "Gdańsk", "country": "PL"}
    assert (await vet(shipping_address=ship)).findings == []


async def test_request_to_ship_elsewhere_is_strong_alone() -> None:
    result = await vet(interview={"asked_ship_elsewhere": True})
    assert rules(result) == {"asked_ship_elsewhere": 40}


async def test_shipping_skipped_without_inputs() -> None:
    result = await vet(home_address=HOME)
    assert status(result, "offer.shipping") == CheckStatus.SKIPPED
    assert status(result, "offer.payment") == CheckStatus.SKIPPED


# --- payment --------------------------------------------------------------------------------


async def test_own_account_in_the_claimed_country_is_silent() -> None:
    pay = {"method": "bank", "account_holder": "WISNIEWSKA KATARZYNA", "bank_country": "PL"}
    result = await vet(payment=pay)
    assert status(result, "offer.payment") == CheckStatus.OK
    assert result.findings == []


async def test_initials_are_compatible() -> None:
    pay = {"method": "bank", "account_holder": "K. Wiśniewska", "bank_country": "PL"}
    assert (await vet(payment=pay)).findings == []


async def test_married_name_in_other_names_matching_the_holder_is_compatible() -> None:
    pay = {"method": "bank", "account_holder": "Katarzyna Zielińska", "bank_country": "PL"}
    profile = {"name": "Kasia Wiśniewska", "other_names": ["Katarzyna Zielińska"], "payment": pay}
    result = await vet(**profile)
    assert result.findings == []


async def test_payment_to_a_third_party_is_scored_once_by_the_identity_check() -> None:
    from vetbot.checks.identity import NameConsistency

    pay = {"method": "bank", "account_holder": "Michael Brennan", "bank_country": "PL"}
    assert rules(await vet(payment=pay)) == {}
    both = Engine(Registry([Shipping(), Payment(), NameConsistency()]))
    profile = parse_profile({"name": "Katarzyna Wiśniewska", "payment": pay}).profile
    result = await both.vet(profile, context=CheckContext(now=NOW))
    assert [(f.check, f.evidence["rule"], f.points) for f in result.findings] == [
        ("identity.name_consistency", "account_holder", round(NameConsistency.weight * 0.8))
    ]
    assert result.findings[0].source == "FBI PSA 2023-10-18"


async def test_crypto_payout() -> None:
    result = await vet(payment={"method": "crypto", "account_id": "0xabc", "bank_country": "SG"})
    assert rules(result) == {"crypto": 30}  # no bank-country finding for a wallet


async def test_foreign_bank_is_moderate_but_a_payment_service_abroad_is_benign() -> None:
    bank = await vet(
        payment={"method": "bank", "account_holder": "Katarzyna Wiśniewska", "bank_country": "HK"}
    )
    assert rules(bank) == {"bank_country": 20}
    wise = await vet(
        payment={"method": "payment_service", "account_holder": "Katarzyna Wiśniewska", "bank_country": "BE"}
    )
    assert rules(wise) == {"bank_country": 8}
    assert wise.score < Thresholds().medium


async def test_request_to_change_the_payout_is_strong() -> None:
    result = await vet(interview={"asked_payment_change": True})
    assert rules(result) == {"asked_payment_change": 40}
    assert result.findings[0].source == "FBI PSA 2025-01-23"
