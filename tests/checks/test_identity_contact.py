"""identity.name_consistency, contact.phone and contact.email: hits and benign look-alikes."""

from __future__ import annotations

from typing import Any

import pytest

from vetbot.checks.contact import EmailCheck, PhoneCheck
from vetbot.checks.context import CheckContext
from vetbot.checks.engine import Engine
from vetbot.checks.identity import NameConsistency
from vetbot.checks.registry import Registry
from vetbot.models.parsing import parse_profile
from vetbot.models.result import CheckStatus, VettingResult


async def vet(**fields: Any) -> VettingResult:
    profile = parse_profile({"name": "Jan Kowalski", **fields}).profile
    engine = Engine(Registry([NameConsistency(), PhoneCheck(), EmailCheck()]))
    return await engine.vet(profile, context=CheckContext())


def rules(result: VettingResult) -> dict[str, int]:
    return {f.evidence["rule"]: f.points for f in result.findings}


# --- identity ------------------------------------------------------------------------------


async def test_other_document_with_another_name_is_strong() -> None:
    result = await vet(other_names=["Chen Hao"])
    assert rules(result) == {"other_name": round(NameConsistency.weight * 0.8)}
    finding = result.findings[0]
    assert finding.evidence["compared"] == ["Jan Kowalski", "Chen Hao"]
    assert "similarity" in finding.evidence and finding.source


@pytest.mark.parametrize(
    "other",
    [
        "KOWALSKI, Jan",  # order and case
        "J. Kowalski",  # initial
        "Jan Kowalski-Nowak",  # married double name
        "Janek Kowalski",  # shares the family name (nickname)
        "Jan\u200b Kowalskі",  # zero-width space and a Cyrillic і look-alike
    ],
)
async def test_benign_name_variants_are_consistent(other: str) -> None:
    assert rules(await vet(other_names=[other])) == {}


async def test_transliteration_and_accents_are_consistent() -> None:
    result = await vet(name="Filip Nikolić", email="fnikolic1990@gmail.com", other_names=["Филип Николић"])
    assert rules(result) == {}


async def test_payout_account_in_another_name_is_pay_to_a_third_party() -> None:
    result = await vet(payment={"method": "bank", "account_holder": "Li Wei"})
    assert rules(result) == {"account_holder": round(NameConsistency.weight * 0.8)}


async def test_email_shaped_like_another_name_but_random_handles_are_not() -> None:
    assert "email" in rules(await vet(email="hsinyi.wang1993@gmail.com"))
    assert rules(await vet(email="ninjamaple@gmail.com", github="cedarotter")) == {}
    assert rules(await vet(email="jan.kowalski@gmail.com", github="jkowalski")) == {}


async def test_romanised_email_fits_a_name_written_in_hangul() -> None:
    assert rules(await vet(name="김민준", email="minjun.kim@naver.com")) == {}


async def test_identity_without_inputs_is_skipped() -> None:
    result = await vet()
    status = {c.id: c.status for c in result.checks}
    assert status["identity.name_consistency"] is CheckStatus.SKIPPED


# --- phone -----------------------------------------------------------------------------------


async def test_phone_from_another_country_than_the_claim() -> None:
    result = await vet(phone="+1 646 555 0182", location={"country": "Poland"})
    assert rules(result) == {"phone_country": round(PhoneCheck.weight * 0.8)}
    assert result.findings[0].evidence["phone_region"] == "US"
    assert result.findings[0].evidence["claimed_country"] == "PL"


async def test_national_form_is_read_in_the_claimed_country() -> None:
    assert rules(await vet(phone="601 234 567", location={"country": "PL"})) == {}


async def test_local_phone_in_seoul_is_consistent() -> None:
    assert rules(await vet(name="Kim Min-jun", phone="+82 10-2345-6789", location={"country": "KR"})) == {}


async def test_voip_line_where_metadata_knows_it() -> None:
    # South Korea's 070 range is VoIP in phonenumbers' metadata
    result = await vet(phone="+82 70 1234 5678", location={"country": "KR"})
    assert rules(result) == {"phone_line_type": round(PhoneCheck.weight * 0.6)}


async def test_garbled_phone_is_a_finding_not_an_input_error() -> None:
    result = await vet(phone="call me maybe", location={"country": "PL"})
    assert rules(result) == {"phone_invalid": round(PhoneCheck.weight * 0.6)}


# --- e-mail ----------------------------------------------------------------------------------


async def test_disposable_domain_and_invalid_syntax() -> None:
    assert rules(await vet(email="jan.kowalski@mailinator.com")) == {"email_disposable": EmailCheck.weight}
    assert rules(await vet(email="jan.kowalski@@example")) == {
        "email_invalid": round(EmailCheck.weight * 0.6)
    }


async def test_random_local_part_is_weak_and_webmail_is_fine() -> None:
    result = await vet(email="xk7q2mzp9w@gmail.com", name="Jan Kowalski")
    assert rules(result) == {"email_random": round(EmailCheck.weight * 0.3)}
    assert rules(await vet(email="jan.kowalski@outlook.com")) == {}
