"""``history.references``: self-references and off-company referees; small firms stay quiet."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from vetbot.checks.context import CheckContext
from vetbot.checks.engine import Engine
from vetbot.checks.references import References, domain_relation, is_free_mail
from vetbot.checks.registry import Registry
from vetbot.models.parsing import parse_profile
from vetbot.models.result import CheckStatus, Thresholds, VettingResult

NOW = datetime(2026, 6, 15, tzinfo=UTC)
CANDIDATE = {
    "name": "Ana Silva",
    "email": "ana.silva@gmail.com",
    "phone": "+351 912 345 678",
    "location": {"city": "Lisbon", "country": "PT"},
}


async def vet(refs: list[dict[str, Any]], **fields: Any) -> VettingResult:
    profile = parse_profile({**CANDIDATE, "references": refs, **fields}).profile
    return await Engine(Registry([References()])).vet(profile, context=CheckContext(now=NOW))


def rules(result: VettingResult) -> dict[str, int]:
    return {f.evidence["rule"]: f.points for f in result.findings}


async def test_corporate_referee_at_the_company_domain_is_silent() -> None:
    ref = {"name": "Rui Costa", "email": "rui.costa@outsystems.com", "company": "OutSystems"}
    result = await vet([ref])
    assert result.checks[0].status == CheckStatus.OK
    assert result.findings == []


async def test_referee_with_the_candidates_own_email_after_folding() -> None:
    ref = {"name": "Rui Costa", "email": "A.na.Silva+ref@GMAIL.com", "company": "OutSystems"}
    result = await vet([ref])
    assert rules(result)["shares_candidate_contact"] == 35
    assert result.findings[0].source == "GTIG 2025-04"


async def test_referee_with_the_candidates_phone_in_national_form() -> None:
    ref = {
        "name": "Rui Costa",
        "phone": "912 345 678",
        "email": "rui@outsystems.com",
        "company": "OutSystems",
    }
    result = await vet([ref])
    assert rules(result) == {"shares_candidate_contact": 35}
    assert result.findings[0].evidence["matches"][0]["field"] == "phone"


async def test_small_firm_referee_on_gmail_is_weak_only() -> None:
    ref = {"name": "Rui Costa", "email": "rui.costa@gmail.com", "company": "Costa & Filhos Lda"}
    result = await vet([ref])
    assert rules(result) == {"webmail_for_company": round(References.weight * 0.5)}
    assert result.score < Thresholds().medium


async def test_self_employed_referee_on_webmail_is_fine() -> None:
    ref = {"name": "Rui Costa", "email": "rui.costa@outlook.com", "company": "Self-employed"}
    assert (await vet([ref])).findings == []


async def test_lookalike_and_unrelated_domains_are_low() -> None:
    refs = [
        {"name": "A", "email": "a@espinozafrazie.net", "company": "Espinoza-Frazier"},
        {"name": "B", "email": "b@example-mail.org", "company": "Brightloop Labs"},
    ]
    result = await vet(refs)
    assert rules(result) == {"lookalike_domain": 11, "domain_unrelated": 5}


def test_domain_relation_tolerates_real_corporate_domains() -> None:
    assert domain_relation("Datadog", "datadoghq.com") == "match"
    assert domain_relation("Brightloop Labs", "brightloop.io") == "match"
    assert domain_relation("FPT Software", "fpt-software.com") == "match"
    assert domain_relation("International Business Machines", "ibm.com") == "match"
    assert domain_relation("Tałaj-Mokwa Sp. z o.o.", "talajmokwa.pl") == "match"
    assert domain_relation("Stone", "stone.com.br") == "match"
    assert domain_relation("Espinoza-Frazier", "espinozafrazie.net") == "lookalike"
    assert domain_relation("Dassault Systèmes", "3ds.com") == "unrelated"


def test_free_mail_list_is_loaded_from_data() -> None:
    assert is_free_mail("gmail.com") and is_free_mail("naver.com") and is_free_mail("yahoo.co.uk")
    assert not is_free_mail("outsystems.com")


async def test_skipped_without_reference_contacts() -> None:
    result = await vet([{"name": "Rui Costa", "company": "OutSystems"}])
    assert result.checks[0].status == CheckStatus.SKIPPED
    assert (await vet([])).checks[0].status == CheckStatus.SKIPPED
