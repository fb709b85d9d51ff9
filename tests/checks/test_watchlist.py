"""``watchlist.*`` through the vetting service and engine, on a real (temporary) database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vetbot.handlers.vetting import VettingService
from vetbot.models.parsing import parse_profile
from vetbot.models.result import CheckStatus, VettingResult
from vetbot.storage import watchlist_repository as repo
from vetbot.storage.database import Database
from vetbot.watchlist_formats import WatchEntry, parse_file

DATA = Path(__file__).parent.parent / "data" / "watchlists"


async def load(db: Database, name: str, entries: list[WatchEntry], fmt: str = "csv") -> None:
    async with db.session() as session:
        await repo.replace_watchlist(
            session, name=name, fmt=fmt, source=f"https://example.org/{name}", entries=entries, actor="test"
        )


@pytest.fixture
async def lists(db: Database) -> Database:
    await load(db, "ofac-sdn", parse_file(DATA / "ofac" / "SDN.CSV", "ofac-sdn"), "ofac-sdn")
    await load(db, "fbi-indicators", parse_file(DATA / "indicators.csv", "csv"))
    return db


async def vet(service: VettingService, **fields: Any) -> VettingResult:
    profile = {"name": "Jan Kowalski", "location": {"country": "PL"}, **fields}
    return (await service.vet(parse_profile(profile))).result


def found(result: VettingResult, check: str) -> list[dict[str, Any]]:
    return [{"points": f.points, **f.evidence} for f in result.findings if f.check == check]


def status(result: VettingResult, check: str) -> tuple[CheckStatus, str | None]:
    run = next(c for c in result.checks if c.id == check)
    return run.status, run.detail


async def test_without_lists_every_watchlist_check_is_skipped(service: VettingService) -> None:
    result = await vet(service, email="a@example.org", work_history=[{"company": "Acme"}])
    for check in ("watchlist.identifier", "watchlist.employer", "watchlist.name"):
        assert status(result, check) == (CheckStatus.SKIPPED, "no watchlist imported")


async def test_exact_identifiers_are_strong_with_provenance(lists: Database, service: VettingService) -> None:
    result = await vet(
        service,
        email="Jin.Dev.Remote+applications@example.org",
        github="https://github.com/Fake-Dev-9000",
        payment={"method": "crypto", "account_id": "0xABCDEF0123456789ABCDEF0123456789ABCDEF01"},
    )
    hits = {f["kind"]: f for f in found(result, "watchlist.identifier")}
    assert set(hits) == {"email", "github", "wallet"}
    assert hits["email"]["points"] == 85 and hits["email"]["match"] == "exact"
    assert hits["email"]["list"] == "fbi-indicators"
    assert (
        hits["email"]["list_source"] == "https://example.org/fbi-indicators" and hits["email"]["imported_at"]
    )
    assert result.band.value == "high"


async def test_listed_laptop_farm_address_in_another_layout(lists: Database, service: VettingService) -> None:
    address = {"line1": "1200 Example Avenue", "line2": "Apt 4", "city": "Nashville", "region": "TN"}
    result = await vet(service, shipping_address={**address, "postcode": "37201", "country": "US"})
    assert [f["kind"] for f in found(result, "watchlist.identifier")] == ["address"]


async def test_designated_front_employer_but_not_similar_words(
    lists: Database, service: VettingService
) -> None:
    hit = await vet(service, work_history=[{"company": "Yanbian Silverstar Network Technology Co. Ltd"}])
    (finding,) = found(hit, "watchlist.employer")
    assert finding["list"] == "ofac-sdn" and finding["programme"] == "DPRK3" and finding["points"] == 75
    for company in ("Silverstar Software GmbH", "Yanbian Silverstar", "Silver Star Networks"):
        miss = await vet(service, work_history=[{"company": company}])
        assert found(miss, "watchlist.employer") == [], company


async def test_name_only_hit_is_weak_and_corroboration_raises_it(
    lists: Database, service: VettingService
) -> None:
    alone = await vet(service, name="Gim Jeong-eun")
    (finding,) = found(alone, "watchlist.name")
    assert finding["rule"] == "name_only" and finding["points"] == 15 and alone.band.value == "low"
    assert finding["entry"] == "KIM, Jong Un" and finding["score"] == 100.0
    with_dob = await vet(service, name="Jong-un Kim", date_of_birth="1984-01-08")
    assert found(with_dob, "watchlist.name")[0]["points"] == 45
    contact = await vet(service, name="Park Cheol-min", email="pak.cm.dev@example.net")
    (strong,) = found(contact, "watchlist.name")
    assert strong["rule"] == "corroborated_name" and strong["points"] == 60
    assert "e-mail equals listed email" in strong["corroboration"]


@pytest.mark.parametrize("name", ["Kim Jong Il", "Kim Sarah", "Sarah Kim", "Kim", "Min-jun Park"])
async def test_other_names_and_shared_surnames_do_not_match(
    lists: Database, service: VettingService, name: str
) -> None:
    assert found(await vet(service, name=name), "watchlist.name") == []


async def test_reimport_refreshes_the_name_index(lists: Database, service: VettingService) -> None:
    assert found(await vet(service, name="Jin Seo-yeon"), "watchlist.name")
    await load(lists, "fbi-indicators", parse_file(DATA / "indicators.csv", "csv")[:2])
    assert found(await vet(service, name="Jin Seo-yeon"), "watchlist.name") == []
    await load(lists, "extra", parse_file(DATA / "targets.simple.csv", "opensanctions"), "opensanctions")
    (finding,) = found(await vet(service, name="Han Sung-il"), "watchlist.name")
    assert finding["list"] == "extra"
