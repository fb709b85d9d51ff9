"""Malformed input gets a message naming the field and the problem; unknown fields are kept."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vetbot.models.parsing import MAX_DEPTH, ProfileError, depth, parse_json_text, parse_profile


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
            'work_history[0].start: not a YYYY-MM date: "last year"',
        ),
        (
            {"name": "A", "ip_addresses": ["1.1.1.1", "999.1.1.1"]},
            'ip_addresses[1].ip: not an IP address: "999.1.1.1"',
        ),
        ({"name": 5}, "name: Input should be a valid string"),
        (
            {"name": "A", "activity_times": ["2026-01-01T10:00:00"]},
            'activity_times[0]: no UTC offset: "2026-01-01T10:00:00"',
        ),
        (
            {"name": "A", "payment": {"method": "cash"}},
            "payment.method: Input should be 'bank', 'crypto', 'payment_service' or 'other'",
        ),
        ({"name": "A", "claimed_years_experience": "ten"}, "claimed_years_experience: not a number: 'ten'"),
        ({"name": "   "}, "name: is blank"),
        (
            {"name": "A", "interview": {"camera_off": "yes"}},
            "interview.camera_off: Input should be a valid boolean",
        ),
    ],
)
def test_errors_name_the_field(data: dict[str, object], expected: str) -> None:
    assert expected in problems(data)


def test_phone_and_email_are_never_input_errors() -> None:
    parsed = parse_profile({"name": "A", "phone": "call me maybe", "email": "not an address"})
    assert parsed.profile.phone == "call me maybe"


def test_unknown_fields_are_kept_and_warned() -> None:
    parsed = parse_profile({"name": "A", "label": "fake", "location": {"country": "PL", "planet": "Earth"}})
    assert parsed.profile.extra_fields == {"label": "fake"}
    assert parsed.warnings == ["unknown field kept: label", "unknown field kept: location.planet"]


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
