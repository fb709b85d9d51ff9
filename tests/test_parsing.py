"""Malformed input gets a message naming the field and the problem; unknown fields are kept.

Messages describe a bad value by its shape and never quote it (stderr is a server's log
stream): ``tests/reliability/test_no_pii_in_logs.py`` plants PII in every field to prove it.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vetbot.models.parsing import MAX_DEPTH, ProfileError, depth, parse_json_text, parse_profile
from vetbot.models.profile import describe


def problems(data: object) -> list[str]:
    with pytest.raises(ProfileError) as exc:
        parse_profile(data)
    return exc.value.problems


def test_only_name_is_required() -> None:
    parsed = parse_profile({"name": "Jan Kowalski"})
    assert parsed.profile.name == "Jan Kowalski"
    assert parsed.warnings == []
    assert problems({"email": "a@b.pl"}) == ["name: is required"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"name": "A", "work_history": [{"start": "last year"}]},
            "work_history[0].start: not a YYYY-MM date such as 2024-03 (got text of 9 characters)",
        ),
        (
            {"name": "A", "education": [{"end": 2024}]},
            "education[0].end: Input should be a valid string",
        ),
        (
            {"name": "A", "education": [{"end": "24"}]},
            "education[0].end: not a YYYY-MM or YYYY date such as 2024-03 or 2024 (got text of 2 characters)",
        ),
        (
            {"name": "A", "ip_addresses": ["1.1.1.1", "999.1.1.1"]},
            "ip_addresses[1].ip: not an IP address (got text of 9 characters)",
        ),
        ({"name": 5}, "name: Input should be a valid string"),
        (
            {"name": "A", "activity_times": ["2026-01-01T10:00:00"]},
            "activity_times[0]: date-time without a UTC offset (add Z or +HH:MM, e.g. 2026-01-05T09:30:00Z)",
        ),
        (
            {"name": "A", "payment": {"method": "cash"}},
            "payment.method: Input should be 'bank', 'crypto', 'payment_service' or 'other'",
        ),
        (
            {"name": "A", "claimed_years_experience": "ten"},
            "claimed_years_experience: not a number (got text of 3 characters)",
        ),
        (
            {"name": "A", "claimed_years_experience": True},
            "claimed_years_experience: not a number (got true/false)",
        ),
        ({"name": "   "}, "name: is blank"),
        (
            {"name": "A", "interview": {"camera_off": "yes"}},
            "interview.camera_off: Input should be a valid boolean",
        ),
    ],
)
def test_errors_name_the_field(data: dict[str, object], expected: str) -> None:
    assert expected in problems(data)


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        (None, "null"),
        (True, "true/false"),
        (3.5, "a number"),
        ("", "empty text"),
        ("x", "text of 1 character"),
        ("last year", "text of 9 characters"),
        ([1, 2], "a list of 2 items"),
        ({"a": 1}, "an object"),
    ],
)
def test_describe_gives_the_shape_not_the_value(value: object, shape: str) -> None:
    assert describe(value) == shape


def test_phone_and_email_are_never_input_errors() -> None:
    parsed = parse_profile({"name": "A", "phone": "call me maybe", "email": "not an address"})
    assert parsed.profile.phone == "call me maybe"


def test_unknown_fields_are_kept_and_warned() -> None:
    parsed = parse_profile({"name": "A", "label": "fake", "location": {"country": "PL", "planet": "Earth"}})
    assert parsed.profile.extra_fields == {"label": "fake"}
    assert parsed.warnings == ["unknown field kept: label", "unknown field kept: location.planet"]


def test_unknown_fields_are_found_in_lists_unions_and_nested_models() -> None:
    parsed = parse_profile(
        {
            "name": "A",
            "home_address": {"city": "Warsaw", "door_colour": "red"},  # Address | str | None
            "shipping_address": "ul. Prosta 1, Warszawa",  # the str side of the same union
            "work_history": [{"company": "X", "start": "2020-01"}, {"company": "Y", "badge": 7}],
            "ip_addresses": ["8.8.8.8", {"ip": "1.1.1.1", "asn_hint": "x"}],  # Annotated items
            "interview": {"camera_off": True, "mood": "calm"},
            "resume_text": "plain text is never walked",
        }
    )
    assert parsed.warnings == [
        "unknown field kept: home_address.door_colour",
        "unknown field kept: ip_addresses[1].asn_hint",
        "unknown field kept: work_history[1].badge",
        "unknown field kept: interview.mood",
    ]


def test_huge_strings_are_refused_by_field() -> None:
    assert any(p.startswith("name:") for p in problems({"name": "x" * 10_000}))
    assert any(p.startswith("resume_text:") for p in problems({"name": "A", "resume_text": "x" * 300_000}))


def test_not_an_object() -> None:
    assert problems([1, 2]) == ["profile: expected a JSON object, got list"]


def test_invalid_utf8_and_bad_json_and_depth() -> None:
    with pytest.raises(ProfileError, match="not valid UTF-8"):
        parse_json_text(b'{"name": "\xff"}')
    with pytest.raises(ProfileError, match="not valid JSON"):
        parse_json_text('{"name": ')
    with pytest.raises(ProfileError, match="nested deeper"):
        parse_json_text("[" * 100_000 + "]" * 100_000)
    deep: dict[str, object] = {"name": "A"}
    node = deep
    for _ in range(MAX_DEPTH + 2):
        child: dict[str, object] = {}
        node["x"] = child
        node = child
    with pytest.raises(ProfileError, match="nested deeper"):
        parse_profile(deep)


def test_ip_strings_and_objects_both_accepted() -> None:
    parsed = parse_profile(
        {"name": "A", "ip_addresses": ["83.0.0.1", {"ip": "2001:db8::1", "context": "interview"}]}
    )
    assert [o.ip for o in parsed.profile.ip_addresses] == ["83.0.0.1", "2001:db8::1"]
    assert parsed.profile.ip_addresses[1].context == "interview"


def _reference_depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max((_reference_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_reference_depth(v) for v in value), default=0)
    return 1


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner, max_size=3),
    max_leaves=30,
)


@given(_JSON)
def test_depth_matches_the_plain_recursive_definition(value: object) -> None:
    assert depth(value, limit=1_000) == _reference_depth(value)


def test_a_validator_that_quotes_its_input_is_caught() -> None:
    """The net behind every custom validator: a message repeating the input is replaced."""
    from vetbot.models.parsing import _message

    leaky = {
        "type": "value_error",
        "msg": "Value error, bad date 'jan@example.com'",
        "input": "jan@example.com",
    }
    assert _message(leaky) == "invalid value (got text of 15 characters)"
    fine = {
        "type": "value_error",
        "msg": "Value error, not an IP address (got text of 3 characters)",
        "input": "abc",
    }
    assert _message(fine) == "not an IP address (got text of 3 characters)"
