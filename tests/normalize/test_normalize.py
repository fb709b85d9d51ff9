"""Normalisation is for comparison: idempotent, and formatting variants fold together."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vetbot.models.profile import Address
from vetbot.normalize.address import normalize_address
from vetbot.normalize.country import to_alpha2
from vetbot.normalize.email import canonical_email
from vetbot.normalize.names import normalize_name, sorted_name_key
from vetbot.normalize.phone import parse_phone, to_e164
from vetbot.normalize.text import clean, fold

text = st.text(max_size=60)


@given(text)
def test_clean_and_fold_are_idempotent(value: str) -> None:
    assert clean(clean(value)) == clean(value)
    assert fold(fold(value)) == fold(value)


@given(text)
def test_name_normalisation_is_idempotent(value: str) -> None:
    assert normalize_name(normalize_name(value)) == normalize_name(value)


@given(st.emails())
def test_email_canonical_is_idempotent(value: str) -> None:
    once = canonical_email(value)
    if once is not None:
        assert canonical_email(once) == once


@given(st.from_regex(r"\+?[0-9 ()-]{4,20}", fullmatch=True))
def test_e164_is_idempotent(value: str) -> None:
    once = to_e164(value, "PL")
    if once is not None:
        assert to_e164(once, "PL") == once


def test_names_fold_invisibles_accents_case_and_order() -> None:
    assert normalize_name("Jan\u200b KOWALSKI") == "jan kowalski"
    assert normalize_name("Filip Nikolić") == "filip nikolic"
    assert sorted_name_key("Kowalski, Jan") == sorted_name_key("jan kowalski")
    assert normalize_name("Кowalski") == "kowalski"  # Cyrillic К folds with Latin K


def test_gmail_dots_and_tags_are_one_mailbox() -> None:
    assert canonical_email("J.Doe+jobs@GMail.com") == "jdoe@gmail.com"
    assert canonical_email("jdoe@googlemail.com") == "jdoe@gmail.com"
    assert canonical_email("j.doe+x@outlook.com") == "j.doe@outlook.com"
    assert canonical_email("no-at-sign") is None
    assert canonical_email("a@b") is None


def test_phone_to_e164_and_region() -> None:
    assert to_e164("+48 601 234 567") == "+48601234567"
    assert to_e164("601-234-567", "PL") == "+48601234567"
    info = parse_phone("+1 646 555 0182")
    assert info.e164 == "+16465550182"
    assert parse_phone("not a phone").e164 is None


def test_country_names_and_codes() -> None:
    assert to_alpha2("Poland") == "PL"
    assert to_alpha2("pl") == "PL"
    assert to_alpha2("United States") == "US"
    assert to_alpha2("South Korea") == "KR"
    assert to_alpha2("Atlantis") is None


def test_address_abbreviations_fold() -> None:
    a = normalize_address(
        Address(line1="12 Main St.", line2="Apt 4", city="Springfield", postcode="62701", country="US")
    )
    b = normalize_address(
        Address(
            line1="12 main street",
            line2="apartment 4",
            city="SPRINGFIELD",
            postcode="62701",
            country="United States",
        )
    )
    assert a.key == b.key
