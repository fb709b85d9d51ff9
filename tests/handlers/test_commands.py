"""The /vet parser: quoting, dotted fields, lists, JSON, forms, and errors that name the field."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.handlers.chat_fixtures import vet
from vetbot.handlers.api import ErrorReply
from vetbot.handlers.commands import MAX_INPUT, OpenForm, ShowHelp, ShowStatus, VetProfile, parse_vet


def ok(text: str) -> VetProfile:
    parsed = parse_vet(vet(text, "k"))
    assert isinstance(parsed, VetProfile), parsed
    return parsed


def error(text: str) -> ErrorReply:
    parsed = parse_vet(vet(text, "k"))
    assert isinstance(parsed, ErrorReply), parsed
    return parsed


def test_quotes_dotted_fields_and_lists() -> None:
    parsed = ok(
        'name="Jan Kowalski" email=jan@example.com location.country=PL phone=+48601234567 '
        "location.city='Nowy Sącz' other_names=\"J. Kowalski, Jan K\" ip_addresses=1.2.3.4,5.6.7.8"
    )
    profile = parsed.parsed.profile
    assert profile.name == "Jan Kowalski"
    assert profile.location is not None and (profile.location.city, profile.location.country) == (
        "Nowy Sącz",
        "PL",
    )
    assert profile.other_names == ["J. Kowalski", "Jan K"]
    assert [ip.ip for ip in profile.ip_addresses] == ["1.2.3.4", "5.6.7.8"]


def test_chat_smart_quotes_and_apostrophes() -> None:
    assert ok("name=“Seán O’Brien”").parsed.profile.name == "Seán O’Brien"


def test_typed_values() -> None:
    profile = ok("name=x interview.camera_off=yes claimed_years_experience=7.5").parsed.profile
    assert profile.interview is not None and profile.interview.camera_off is True
    assert profile.claimed_years_experience == 7.5
    history = ok(
        """name=x work_history='[{"company": "A", "start": "2020-01"}]'"""
    ).parsed.profile.work_history
    assert history[0].company == "A"


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("nmae=Jan", "nmae", 'did you mean "name"'),
        ("name=x location.contry=PL", "location.contry", "location.country"),
        ("name=x location=PL", "location", "location.city"),
        ("name=x interview.camera_off=maybe", "interview.camera_off", "yes or no"),
        ("name=x claimed_years_experience=ten", "claimed_years_experience", "not a number"),
        ("email=jan@example.com", "name", "required"),
        ("name=x name=y", "name", "twice"),
        ("""name=x work_history='[{"start": "last year"}]'""", "work_history[0].start", "YYYY-MM"),
        ("name=x ip_addresses=999.1.1.1", "ip_addresses[0].ip", "not an IP address"),
    ],
)
def test_errors_name_the_field(text: str, field: str, words: str) -> None:
    reply = error(text)
    assert reply.field == field
    assert words in reply.message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('name="Jan Kowalski', "quote is not closed"),
        ("name=Jan Kowalski", 'got "Kowalski"'),
        ("name=x \\", "backslash"),
        ("=x", "expected field=value"),
    ],
)
def test_unreadable_commands_say_why(text: str, words: str) -> None:
    assert words in error(text).message


def test_keywords() -> None:
    assert isinstance(parse_vet(vet("", "k")), OpenForm)
    assert isinstance(parse_vet(vet("  HELP ", "k")), ShowHelp)
    assert parse_vet(vet("status 3f2a9c1e", "k")) == ShowStatus("3f2a9c1e")
    assert error("status").field == "id"
    assert error("status ../etc").field == "id"


def test_pasted_json_keeps_unknown_fields_as_warnings() -> None:
    parsed = ok(json.dumps({"name": "Jan", "label": "genuine", "location": {"country": "PL"}}))
    assert parsed.parsed.warnings == ["unknown field kept: label"]
    assert ok('```json\n{"name": "Fenced"}\n```').parsed.profile.name == "Fenced"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"name": ', "not valid JSON"),
        ("[1, 2]", "not a list"),
        ('{"name": "x", "n": ' + "[" * 40 + "]" * 40 + "}", "nested deeper"),
        ('{"name": 5}', "name"),
    ],
)
def test_bad_json(text: str, words: str) -> None:
    assert words in error(text).message


def test_oversized_input_is_refused_not_parsed() -> None:
    assert "too long" in error("name=" + "x" * MAX_INPUT).message
    assert "too long" in error('{"name": "' + "x" * MAX_INPUT + '"}').message
    form = replace(vet("", "k"), form={"name": "x", "resume_text": "y" * (MAX_INPUT + 1)})
    reply = parse_vet(form)
    assert isinstance(reply, ErrorReply) and "too long" in reply.message


def test_form_uses_spec_field_names() -> None:
    form = replace(
        vet("", "k"),
        form={
            "name": " Jan ",
            "location.country": "PL",
            "other_names": "A B, C D",
            "email": "",
            "phone": None,
        },
    )
    parsed = parse_vet(form)
    assert isinstance(parsed, VetProfile)
    profile = parsed.parsed.profile
    assert (profile.name, profile.other_names, profile.email) == ("Jan", ["A B", "C D"], None)
    bad = parse_vet(replace(form, form={"name": "x", "nickname": "y"}))
    assert isinstance(bad, ErrorReply) and bad.field == "nickname"


@pytest.mark.parametrize(
    "text",
    [
        "'",
        '"',
        "\\",
        "=",
        "==",
        "a=b=c",
        "name=\x00",
        "{",
        "}",
        "```",
        "status",
        "\u202e",
        "name=x" * 2000,
        "[" * 5000,
    ],
)
def test_never_raises(text: str) -> None:
    assert parse_vet(vet(text, "k")) is not None


@pytest.mark.parametrize("value", [2.2e-308, 7, ["a"], True, "Warsaw"])
def test_a_form_giving_a_nested_field_both_ways_is_an_error_not_a_crash(value: object) -> None:
    """Found by benchmarks/fuzz_parsers.py: ``home_address`` as a number next to
    ``home_address.city`` raised TypeError (only text was expected there)."""
    form = replace(vet("", "k"), form={"name": "Jan K", "home_address": value, "home_address.city": "Warsaw"})
    reply = parse_vet(form)
    assert isinstance(reply, ErrorReply) and reply.field == "home_address"
