"""``reuse.*`` through the public door: a real database, ``VettingService`` vetting in order.

Each test vets personas one after another, as intake does, and reads the findings of the
later one. Benign look-alikes (family at one home, distinct flats, a co-working hub, an
office NAT, people sharing a family name, a re-vet under the same ATS id) are tested
next to the hits.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, cast

import pytest

from vetbot.checks.context import CheckContext, IntelEntry, PriorMatch, StoreView
from vetbot.checks.engine import Engine
from vetbot.checks.registry import Registry
from vetbot.checks.reuse import CHECKS
from vetbot.config import Config
from vetbot.handlers.vetting import Vetted, VettingService
from vetbot.models.parsing import parse_profile
from vetbot.models.result import Finding, Thresholds
from vetbot.storage.database import Database

_counter = iter(range(1, 1_000_000))

_WORDS = [
    f"{a}{b}"
    for a in ("data", "api", "cloud", "web", "ml", "ops", "pay")
    for b in ("pipeline", "service", "cache", "queue", "schema", "auth", "search", "billing")
]


def resume(seed: int, name: str, contact: str) -> str:
    """A résumé with its own bullets (seeded), headed by a name and contact line."""
    rng = random.Random(seed)
    lines = [f"# {name}", contact, "## Work experience"]
    for _job in range(4):
        lines.append(f"### Company {rng.randint(1, 9999)} — Engineer")
        for _ in range(4):
            lines.append("* " + " ".join(rng.choice(_WORDS) for _ in range(12)) + f" {rng.randint(2, 99)}.")
    return "\n".join(lines)


def person(name: str, **fields: Any) -> dict[str, Any]:
    """A profile with unique identifiers unless the test sets them."""
    n = next(_counter)
    data: dict[str, Any] = {
        "id": f"ats-{n}",
        "name": name,
        "email": f"person{n}@example.org",
        "phone": f"+4860{n:07d}",
        "location": {"city": "Warsaw", "country": "PL"},
    }
    data.update(fields)
    return data


@pytest.fixture
def reuse_only(db: Database, config: Config) -> VettingService:
    """The service with only the reuse checks, so a band reflects them alone."""
    return VettingService(db, config, Registry(CHECKS))


async def vet_all(service: VettingService, *profiles: dict[str, Any]) -> list[Vetted]:
    out = []
    for data in profiles:
        out.append(await service.vet(parse_profile(data)))
    return out


def reuse(vetted: Vetted, check: str | None = None) -> list[Finding]:
    return [
        f
        for f in vetted.result.findings
        if f.check.startswith("reuse.") and (check is None or f.check == check)
    ]


def other_ids(finding: Finding) -> list[str]:
    return [o["id"] for o in finding.evidence["others"]]


# --- contact --------------------------------------------------------------------------------


async def test_gmail_dots_and_tags_are_one_mailbox(reuse_only: VettingService) -> None:
    first, second = await vet_all(
        reuse_only,
        person("Jan Kowalski", email="jan.kowalski@gmail.com"),
        person("Li Wei", email="JanKowalski+jobs@GoogleMail.com"),
    )
    assert not reuse(first)
    [finding] = reuse(second, "reuse.contact")
    assert other_ids(finding) == [first.result.candidate.id]
    assert finding.evidence["others"][0]["name"] == "Jan Kowalski"
    assert "Jan Kowalski" in finding.summary
    assert finding.evidence["value"] == "j***@gmail.com"
    assert finding.points >= 80 and second.result.band.value == "high"


@pytest.mark.parametrize(
    "variant", ["+48 501 229 309", "+48-501-229-309", "501 229 309", "0048 501 229 309", "48501229309"]
)
async def test_phone_formatting_variants_fold(service: VettingService, variant: str) -> None:
    first, second = await vet_all(
        service,
        person("Henriette Garnier", phone="+48501229309"),
        person("Andrea Ross", phone=variant),
    )
    [finding] = reuse(second, "reuse.contact")
    assert finding.evidence["identifier"] == "phone"
    assert other_ids(finding) == [first.result.candidate.id]


async def test_same_ats_id_revet_is_not_reuse(service: VettingService) -> None:
    data = person("Jan Kowalski", email="jan@gmail.com", home_address="ul. Długa 5/2, 00-001 Warsaw")
    first, again = await vet_all(service, data, dict(data))
    assert again.candidate_key == first.candidate_key
    assert not reuse(again)


async def test_same_name_other_ats_id_is_a_weaker_duplicate_signal(service: VettingService) -> None:
    _, duplicate = await vet_all(
        service,
        person("Jan Kowalski", email="jan.k@gmail.com"),
        person("Kowalski, Jan", email="jank@gmail.com"),
    )
    [finding] = reuse(duplicate, "reuse.contact")
    assert finding.evidence["same_name"] is True
    assert finding.evidence["rule"] == "email_same_name"
    assert finding.points < 40


async def test_common_surname_alone_never_links(service: VettingService) -> None:
    people = [person(f"{given} Kim") for given in ("Min-ji", "Young-ho", "Soo-jin", "Jae-won")]
    people += [person(f"{given} Nowak") for given in ("Anna", "Piotr")]
    vetted = await vet_all(service, *people)
    assert all(not reuse(v) for v in vetted)


# --- payment, handles -----------------------------------------------------------------------


async def test_iban_written_with_and_without_spaces(service: VettingService) -> None:
    first, second = await vet_all(
        service,
        person("Ivo Kašpar", payment={"method": "bank", "account_id": "DE54 0484 7478 4202 4560 97"}),
        person("Abbie Payne", payment={"method": "bank", "account_id": "de54048474784202456097"}),
    )
    [finding] = reuse(second, "reuse.payment")
    assert other_ids(finding) == [first.result.candidate.id]
    assert "DE54" not in str(finding.evidence)  # only the keyed hash, never the account


async def test_bank_description_keyed_on_its_numbers(service: VettingService) -> None:
    _, second = await vet_all(
        service,
        person("A B", payment={"account_id": "Capital One routing 552610097 account 9956105725"}),
        person("C D", payment={"account_id": "Capital One, routing 552610097, acct 9956105725"}),
    )
    assert reuse(second, "reuse.payment")


async def test_github_handle_reused(service: VettingService) -> None:
    first, second = await vet_all(
        service,
        person("Jay Bowen", github="neonmaple"),
        person("Lina Zhang", online_accounts=[{"site": "github", "handle": "@NeonMaple"}]),
    )
    [finding] = reuse(second, "reuse.handles")
    assert other_ids(finding) == [first.result.candidate.id]


# --- addresses --------------------------------------------------------------------------------

FARM = {"line1": "503 Christian Vista", "line2": "Apt 14C", "city": "Litchfield Park", "postcode": "85340"}


async def test_address_abbreviations_case_and_free_text_fold(service: VettingService) -> None:
    first, second = await vet_all(
        service,
        person(
            "Kai Deng",
            home_address={
                "line1": "ul. Konwaliowa 82/78",
                "city": "Warsaw",
                "postcode": "07-236",
                "country": "PL",
            },
        ),
        person("Rajesh Patel", home_address="ULICA KONWALIOWA 82/78, 07-236 Warszawa, Poland"),
    )
    [finding] = reuse(second, "reuse.address")
    assert other_ids(finding) == [first.result.candidate.id]
    assert finding.evidence["relation"] == {first.result.candidate.id: "same flat"}


async def test_family_sharing_a_home_stays_low(reuse_only: VettingService) -> None:
    """One other person at the same home is a household: shown, but never a band alone."""
    home = {"line1": "12 Main St.", "line2": "Apt 4", "city": "Austin", "postcode": "78705", "country": "US"}
    _, spouse = await vet_all(
        reuse_only,
        person("Maria Lopez", home_address=home, shipping_address=home),
        person("Daniel Okafor", home_address={**home, "line1": "12 main street"}, shipping_address=home),
    )
    assert reuse(spouse, "reuse.address")
    assert not reuse(spouse, "reuse.shipping")  # a shared home is not a laptop drop
    assert spouse.result.band.value == "low"


async def test_distinct_flats_in_one_building_are_not_linked(service: VettingService) -> None:
    building = {"line1": "400 Tower Blvd", "city": "Chicago", "postcode": "60601", "country": "US"}
    vetted = await vet_all(
        service,
        person("A One", home_address={**building, "line2": "Apt 1201"}),
        person("B Two", home_address={**building, "line2": "Apt 3304"}),
    )
    assert not reuse(vetted[1])


async def test_same_street_other_number_or_other_city_not_linked(service: VettingService) -> None:
    vetted = await vet_all(
        service,
        person("A One", home_address="12 Main Street, Springfield, IL 62701"),
        person("B Two", home_address="14 Main Street, Springfield, IL 62701"),
        person("C Three", home_address="12 Main Street, Austin, TX 78701"),
    )
    assert all(not reuse(v) for v in vetted)


async def test_laptop_farm_three_personas_one_drop(service: VettingService) -> None:
    vetted = await vet_all(
        service,
        person("Sofiia Klymenko", home_address="602 Chen Spur, New York, NY 10030", shipping_address=FARM),
        person(
            "Sung-ho Han", home_address="66927 Martin Lodge, San Francisco, CA 94110", shipping_address=FARM
        ),
        person(
            "Kirk Giblin",
            home_address="253 Thomas Mill, Minneapolis, MN 55401",
            shipping_address="503 Christian Vista, Apt 14C, Litchfield Park, AZ 85340, United States",
        ),
    )
    second = reuse(vetted[1], "reuse.shipping")
    third = reuse(vetted[2], "reuse.shipping")
    assert second and third
    assert second[0].points < Thresholds().high  # two people at one address: could be a co-working hub
    assert third[0].points >= 70 and third[0].evidence["other_count"] == 2
    assert set(other_ids(third[0])) == {vetted[0].result.candidate.id, vetted[1].result.candidate.id}


async def test_coworking_hub_for_two_people_is_not_high(reuse_only: VettingService) -> None:
    hub = "WeWork, 1 Market St, Floor 5, San Francisco, CA 94105"
    _, second = await vet_all(
        reuse_only,
        person("A One", home_address="10 Oak Ave, Oakland, CA 94601", shipping_address=hub),
        person("B Two", home_address="20 Pine St, Berkeley, CA 94704", shipping_address=hub),
    )
    [finding] = reuse(second, "reuse.shipping")
    assert second.result.band.value != "high" and finding.points < Thresholds().high


async def test_laptop_shipped_to_another_candidates_home(service: VettingService) -> None:
    _, second = await vet_all(
        service,
        person(
            "Yu-ting Wang",
            home_address={"line1": "3086 Stone Vista", "city": "Litchfield Park", "postcode": "85340"},
        ),
        person(
            "Fabiana Stanescu",
            home_address="8978 Mckinney Tunnel, Denver, CO 80228",
            shipping_address="3086 Stone Vista, Litchfield Park, AZ 85340, USA",
        ),
    )
    rules = {f.evidence["rule"] for f in reuse(second, "reuse.shipping")}
    assert "ships_to_home" in rules


# --- network ----------------------------------------------------------------------------------


def _ip(ip: str, context: str = "interview") -> list[dict[str, str]]:
    return [{"ip": ip, "context": context}]


async def test_interview_ip_shared_by_two_personas(service: VettingService) -> None:
    first, second = await vet_all(
        service,
        person("Kiera Gibson", ip_addresses=_ip("192.162.178.67")),
        person("Damian Nowak", ip_addresses=_ip("192.162.178.67", "id_check")),
    )
    [finding] = reuse(second, "reuse.network")
    assert finding.evidence["rule"] == "interview_ip"
    assert other_ids(finding) == [first.result.candidate.id]


async def test_office_nat_crowd_is_weaker(service: VettingService) -> None:
    vetted = await vet_all(
        service, *(person(f"Person {i} Example{i}", ip_addresses=_ip("203.0.114.9")) for i in range(6))
    )
    last = reuse(vetted[-1], "reuse.network")[0]
    two = reuse(vetted[1], "reuse.network")[0]
    assert last.evidence["crowd"] is True and last.points < two.points


# --- photo, résumé, references ----------------------------------------------------------------


async def test_photo_near_duplicate_by_hamming_distance(service: VettingService) -> None:
    first, second, far = await vet_all(
        service,
        person("Asuka Sato", photo="phash:99b35519a629235c"),
        person("Kiera Gibson", photo="phash:19b35519a629235d"),  # 2 bits away
        person("Other Person", photo="phash:3cc609e8a718d9a9"),  # unrelated
    )
    [finding] = reuse(second, "reuse.photo")
    assert finding.evidence["distance"] == {first.result.candidate.id: 2}
    assert finding.evidence["distance_exact"] is True and finding.evidence["match"] == "near"
    assert finding.points >= 70
    assert not reuse(far, "reuse.photo")


async def test_photo_sharing_only_half_its_bits_is_a_weaker_partial_match(service: VettingService) -> None:
    _, partial = await vet_all(
        service,
        person("Asuka Sato", photo="phash:99b35519a629235c"),
        person("Other Person", photo="phash:99b3aa66596e235c"),  # quarters 0 and 3 identical
    )
    [finding] = reuse(partial, "reuse.photo")
    assert finding.evidence["match"] == "partial" and finding.evidence["distance_exact"] is False
    assert finding.points <= 40


async def test_photo_placeholder_behind_many_is_weak(service: VettingService) -> None:
    vetted = await vet_all(service, *(person(f"P{i} Q{i}", photo="phash:0000000000000000") for i in range(7)))
    [finding] = reuse(vetted[-1], "reuse.photo")
    assert finding.evidence["rule"] == "placeholder" and finding.points < 20


async def test_resume_template_with_name_and_contact_swapped(service: VettingService) -> None:
    base = resume(7, "Joanna Olszewska", "cobalt@gmail.com · +1 971 659 6437")
    reused = base.replace("Joanna Olszewska", "Jiahao Zhao").replace("cobalt@gmail.com", "jzhao@icloud.com")
    first, second, unrelated = await vet_all(
        service,
        person("Joanna Olszewska", resume_text=base),
        person("Jiahao Zhao", resume_text=reused),
        person("Mai Kato", resume_text=resume(8, "Mai Kato", "mai@icloud.com")),
    )
    [finding] = reuse(second, "reuse.resume")
    assert other_ids(finding) == [first.result.candidate.id]
    assert finding.evidence["match"] == "near"
    assert finding.evidence["similarity"][first.result.candidate.id] >= 0.8
    assert not reuse(unrelated, "reuse.resume")


async def test_shared_referee_and_referee_who_is_a_candidate(service: VettingService) -> None:
    referee = {"name": "Elise Koch", "email": "elise.koch@schleich.io", "phone": "+49 172 88075235"}
    first, second, third = await vet_all(
        service,
        person("Luiz Martins", references=[referee]),
        person("Milica Milosevic", references=[{**referee, "email": "Elise.Koch@schleich.io"}]),
        person(
            "Jerome Tan", references=[{"name": "Luiz", "email": "x@y.org", "phone": None}], email="x@y.org"
        ),
    )
    rules = {f.evidence["rule"] for f in reuse(second, "reuse.references")}
    assert rules == {"shared_referee"}
    assert other_ids(reuse(second, "reuse.references")[0]) == [first.result.candidate.id]
    assert all(f.points <= 40 for f in reuse(second, "reuse.references"))
    assert not reuse(third, "reuse.references")  # own e-mail as referee is history.references' job


async def test_referee_contact_is_another_candidates_own(service: VettingService) -> None:
    first, second = await vet_all(
        service,
        person("Bruce Graves", email="bruce.graves@outlook.com"),
        person("Shelby Jones", references=[{"name": "Bruce", "email": "Bruce.Graves@outlook.com"}]),
    )
    [finding] = reuse(second, "reuse.references")
    assert finding.evidence["rule"] == "referee_is_candidate"
    assert other_ids(finding) == [first.result.candidate.id]


# --- mechanics --------------------------------------------------------------------------------


async def test_batch_sees_earlier_lines_of_its_own_chunk(service: VettingService) -> None:
    items = [
        parse_profile(person("A One", email="same@proton.me")),
        parse_profile(person("B Two", email="same@proton.me")),
    ]
    out = [v async for v in service.vet_many(items, chunk=50)]
    assert reuse(out[1], "reuse.contact")


class CountingStore:
    """A fake store counting lookups: every reuse check must share one."""

    def __init__(self, matches: Sequence[PriorMatch]) -> None:
        self.calls = 0
        self.matches = list(matches)

    async def prior_matches(
        self, keys: Sequence[tuple[str, str]], exclude_candidate: str
    ) -> list[PriorMatch]:
        self.calls += 1
        wanted = set(keys)
        return [m for m in self.matches if (m.kind, m.value) in wanted]

    async def intel_entries(self) -> Sequence[IntelEntry]:
        return []


async def test_one_lookup_per_vetting_shared_by_all_reuse_checks() -> None:
    prior = PriorMatch("email", "x@proton.me", "k1", "ats-1", "Other Name", "high", None, None)
    store = CountingStore([prior])
    engine = Engine(Registry(CHECKS))
    profile = parse_profile(
        person(
            "Me Myself",
            email="x@proton.me",
            github="me",
            photo="phash:0123456789abcdef",
            home_address="1 A St, Town, 12345",
            ip_addresses=["8.8.8.8"],
        )
    ).profile
    context = CheckContext(store=cast(StoreView, store), candidate_key="k0")
    result = await engine.vet(profile, context=context)
    assert store.calls == 1
    assert [f.check for f in result.findings] == ["reuse.contact"]
    assert all(run.status.value in ("ok", "skipped") for run in result.checks)


async def test_without_a_store_reuse_checks_are_skipped() -> None:
    engine = Engine(Registry(CHECKS))
    result = await engine.vet(parse_profile(person("Me Myself")).profile, context=CheckContext())
    assert {run.status.value for run in result.checks} == {"skipped"}
