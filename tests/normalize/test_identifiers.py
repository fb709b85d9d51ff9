"""Identifier folding: formatting variants of one identifier meet, distinct ones do not."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vetbot.models.parsing import parse_profile
from vetbot.models.profile import Address
from vetbot.normalize.address_key import address_key
from vetbot.normalize.fingerprints import (
    BANDS,
    estimated_similarity,
    hamming,
    parse_phash,
    photo_chunks,
    photo_hash,
    photo_probe_keys,
    resume_bands,
)
from vetbot.normalize.identifiers import account_key, extract_identifiers, fold_account, phone_key

SECRET = b"test"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            Address(
                line1="9689 Kirby Path", city="Litchfield Park", postcode="85340", region="AZ", country="US"
            ),
            "9689 Kirby Path, Litchfield Park, AZ 85340, United States",
        ),
        (
            Address(line1="ul. Konwaliowa 82/78", city="Warsaw", postcode="07-236", country="PL"),
            Address(line1="ULICA KONWALIOWA 82/78", city="Warszawa", postcode="07236", country="Poland"),
        ),
        (
            Address(line1="930 Jennifer Club", line2="Apt 11D", city="Nashville", postcode="37206"),
            "930 Jennifer Club, Apt 11D, Nashville, TN 37206, United States",
        ),
        (Address(line1="12 Main St.", line2="#4"), "12 main street apartment 4"),
        (Address(line1="Hamannstr. 5", postcode="04123"), Address(line1="Hamannstraße 5", postcode="04123")),
        (
            "Studio 07, Wheeler Place, Flat 6, London, SW15 5MW, United Kingdom",
            Address(line1="Studio 7, Wheeler Pl", line2="Flat 6", city="London", postcode="SW15 5MW"),
        ),
    ],
)
def test_address_spellings_fold(a: Address | str, b: Address | str) -> None:
    ka, kb = address_key(a), address_key(b)
    assert ka is not None and ka == kb


def test_flat_line_present_or_absent_shares_the_building() -> None:
    with_flat = address_key(Address(line1="503 Christian Vista", line2="Apt 14C", postcode="85340"))
    without = address_key("503 Christian Vista, Litchfield Park, AZ 85340")
    assert with_flat and without
    assert with_flat.building == without.building and with_flat.flat != without.flat
    assert with_flat.unit == "14c" and without.unit is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("12 Main Street, Springfield, IL 62701", "14 Main Street, Springfield, IL 62701"),
        ("12 Main Street, Springfield, IL 62701", "12 Main Street, Austin, TX 78701"),
        ("12 Main Street, Springfield, IL 62701", "12 Oak Street, Springfield, IL 62701"),
    ],
)
def test_distinct_places_do_not_collide(a: str, b: str) -> None:
    assert address_key(a) != address_key(b)


def test_distinct_flats_share_building_not_flat() -> None:
    a = address_key(Address(line1="400 Tower Blvd", line2="Apt 1201", postcode="60601"))
    b = address_key(Address(line1="400 Tower Blvd", line2="Apt 3304", postcode="60601"))
    assert a and b and a.building == b.building and a.flat != b.flat


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("+48 501 229 309", "PL"),
        ("501-229-309", "PL"),
        ("0048 501 229 309", "PL"),
        ("48501229309", "PL"),
        ("+48501229309", "US"),
        ("0048501229309", None),
    ],
)
def test_phone_variants_fold_to_e164(raw: str, region: str | None) -> None:
    assert phone_key(raw, region) == "+48501229309"


def test_accounts_fold() -> None:
    assert fold_account("DE54 0484 7478 4202 4560 97") == fold_account("de54-0484-7478-4202-4560-97")
    assert fold_account("Capital One routing 552610097 account 9956105725") == fold_account(
        "Capital One, routing: 552610097, acct 9956105725"
    )
    assert account_key(SECRET, "0xABCdef0123456789") == account_key(SECRET, "0xabcdef0123456789")
    assert account_key(SECRET, "x") != account_key(b"other", "x")


def test_phash_chunks_and_probe() -> None:
    value = parse_phash("phash:99B35519A629235C")
    assert value == 0x99B35519A629235C
    assert photo_chunks(value) == ["chunk0:99b3", "chunk1:5519", "chunk2:a629", "chunk3:235c"]
    probes = list(photo_probe_keys(value))
    assert len(probes) == 4 * 17
    near = value ^ (1 << 3) ^ (1 << 40)
    assert hamming(value, near) == 2
    assert set(photo_chunks(near)) <= {key for key, _, _ in probes}
    assert parse_phash("phash:xyz") is None and photo_hash("phash:12") is None


def test_photo_file_without_imagehash_is_no_photo(tmp_path: object) -> None:
    assert photo_hash("/nonexistent/photo.jpg") is None


def _resume(seed: int) -> str:
    rng = random.Random(seed)
    words = [f"w{rng.randint(0, 5000)}" for _ in range(400)]
    return " ".join(words)


def test_resume_bands_are_stable_and_find_near_duplicates() -> None:
    text = _resume(1)
    bands = resume_bands(text)
    assert len(bands) == BANDS and bands == resume_bands(text)
    assert all(b.startswith(f"band{i}:") for i, b in enumerate(bands))
    edited = "Jane Roe jane@x.org +1 555 0100 " + text[: len(text) * 9 // 10]
    assert len(set(bands) & set(resume_bands(edited))) >= 2
    assert len(set(bands) & set(resume_bands(_resume(2)))) <= 1
    assert resume_bands("too short") == []
    assert estimated_similarity(BANDS) == 1.0 and estimated_similarity(0) == 0.0


def test_extract_identifiers_kinds() -> None:
    profile = parse_profile(
        {
            "name": "Jan Kowalski",
            "email": "J.An.Kowalski+jobs@gmail.com",
            "phone": "501 229 309",
            "location": {"country": "Poland"},
            "github": "https://github.com/JanK/",
            "linkedin": "https://www.linkedin.com/in/jan-kowalski-3f9a1b/",
            "online_accounts": [{"site": "GitLab", "handle": "@jank"}],
            "home_address": "ul. Długa 5/2, 00-001 Warszawa",
            "shipping_address": {"line1": "ulica Długa 5", "postcode": "00-001"},
            "payment": {"account_id": "PL61 1090 1014 0000 0712 1981 2874"},
            "ip_addresses": [
                {"ip": "8.8.8.8", "context": "interview"},
                {"ip": "8.8.8.8", "context": "application"},
                {"ip": "1.1.1.1", "context": "application"},
                "10.0.0.1",
            ],
            "references": [{"email": "Ref@Company.com", "phone": "+48 600 000 001"}],
            "photo": "phash:0123456789abcdef",
            "resume_text": _resume(3),
        }
    ).profile
    pairs = list(extract_identifiers(profile, SECRET))
    kinds = {k for k, _ in pairs}
    assert len(pairs) == len(set(pairs))
    assert ("email", "jankowalski@gmail.com") in pairs
    assert ("phone", "+48501229309") in pairs
    assert ("github", "jank") in pairs and ("gitlab", "jank") in pairs
    assert ("linkedin", "jan-kowalski-3f9a1b") in pairs
    assert ("ip", "8.8.8.8") in pairs and ("ip_other", "8.8.8.8") not in pairs
    assert ("ip_other", "1.1.1.1") in pairs and not any(v == "10.0.0.1" for _, v in pairs)
    assert ("reference_email", "ref@company.com") in pairs
    assert ("photo", "0123456789abcdef") in pairs
    assert {"address", "address_unit", "shipping", "shipping_unit", "payment", "resume_lsh"} <= kinds
    home = dict(p for p in pairs if p[0] == "address")["address"]
    assert home == dict(p for p in pairs if p[0] == "shipping")["shipping"]
    assert "PL61" not in str(pairs)  # payout account only as a keyed hash
    assert not any(k == "payment" for k, _ in extract_identifiers(profile, b""))


@given(st.text(max_size=200))
def test_address_key_never_raises_and_is_deterministic(text: str) -> None:
    assert address_key(text) == address_key(text)


@given(st.text(max_size=300))
def test_resume_bands_never_raise(text: str) -> None:
    bands = resume_bands(text)
    assert bands == [] or len(bands) == BANDS
