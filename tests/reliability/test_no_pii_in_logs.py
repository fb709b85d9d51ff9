"""Canary: PII planted in a profile appears 0 times in the logs, at DEBUG, on every path.

Paths: a normal vetting, a check that raises with the e-mail in its message (and one that
times out), malformed input refused by the parsers, and ``vetbot batch`` with bad lines.
What is searched: our capture (before redaction, tracebacks included), pytest's ``caplog`` and
everything written to stderr. The Slack/Teams edges add their scenarios with ``canary.py``.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.reliability.canary import (
    CANARY_EMAIL,
    CANARY_NAME,
    CANARY_PHONE,
    CANARY_PHONE_DIGITS,
    capture_logs,
    hits,
)
from vetbot.bot.cli import main
from vetbot.checks.base import Check, Evidence, Signal
from vetbot.checks.builtin import builtin_checks
from vetbot.checks.context import CheckContext
from vetbot.checks.registry import Registry
from vetbot.config import Config
from vetbot.handlers.vetting import VettingService
from vetbot.models.parsing import ProfileError, parse_json_text, parse_profile
from vetbot.models.profile import Profile
from vetbot.models.result import CheckStatus
from vetbot.storage.database import Database

PROFILE = {
    "id": "canary-1",
    "name": CANARY_NAME,
    "email": CANARY_EMAIL,
    "phone": CANARY_PHONE,
    "location": {"city": "Warsaw", "country": "PL"},
    "other_names": [CANARY_NAME.upper()],
    "payment": {"method": "bank", "account_holder": CANARY_NAME, "bank_country": "PL"},
    "references": [{"name": CANARY_NAME, "email": CANARY_EMAIL, "phone": CANARY_PHONE}],
}


class LeakyCheck(Check):
    """A buggy third-party check: its exception message carries the candidate's data."""

    id = "test.leaky"
    title = "raises with PII in the message"
    weight = 10
    evidence = Evidence.WEAK
    inputs = ("email",)
    source = "test"

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        raise RuntimeError(f"cannot handle {profile.email} / {profile.phone} / {profile.name}")


class SlowCheck(LeakyCheck):
    id = "test.slow"
    timeout = 0.01

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        await asyncio.sleep(1)
        return []


def assert_clean(*texts: str) -> None:
    found = {k: v for k, v in hits("\n".join(texts)).items() if v}
    assert not found, f"PII canary found in logs: {found}"


async def test_vetting_logs_no_pii(
    service: VettingService, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    with capture_logs() as logs:
        caplog.set_level("DEBUG")
        vetted = await service.vet(parse_profile(PROFILE), requester="slack:U1")
    assert vetted.result.candidate.name == CANARY_NAME  # the data really went through
    assert_clean(logs.text(), caplog.text, capsys.readouterr().err)


async def test_failing_and_slow_checks_log_no_pii(
    db: Database, config: Config, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = Registry([*builtin_checks(), LeakyCheck(), SlowCheck()])
    leaky = VettingService(db, config, registry)
    with capture_logs() as logs:
        caplog.set_level("DEBUG")
        result = (await leaky.vet(parse_profile(PROFILE))).result
    statuses = {run.id: run.status for run in result.checks}
    assert statuses["test.leaky"] == CheckStatus.ERROR and statuses["test.slow"] == CheckStatus.TIMEOUT
    text = logs.text()
    assert "check failed" in text and "RuntimeError" in text  # logged, by type only
    assert_clean(
        text, caplog.text, capsys.readouterr().err, json.dumps(result.model_dump(mode="json")["checks"])
    )


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": "' + CANARY_NAME.encode() + b'", "email": "' + CANARY_EMAIL.encode() + b'",',  # bad JSON
        b'{"name": "'
        + CANARY_NAME.encode()
        + b'", "email": "\xff'
        + CANARY_EMAIL.encode()
        + b'"}',  # bad UTF-8
        json.dumps({"name": CANARY_NAME, "email": CANARY_EMAIL, "claimed_years_experience": "lots"}).encode(),
        json.dumps({"name": [CANARY_NAME], "phone": CANARY_PHONE}).encode(),
        b"[" * 5000 + CANARY_EMAIL.encode(),
    ],
)
def test_rejected_profiles_log_no_pii(
    raw: bytes, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    with capture_logs() as logs:
        caplog.set_level("DEBUG")
        with pytest.raises(ProfileError):
            parse_profile(parse_json_text(raw))
    assert_clean(logs.text(), caplog.text, capsys.readouterr().err)


def test_cli_batch_with_bad_lines_logs_no_pii(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(
        "VETBOT_DATABASE_URL", os.environ.get("VETBOT_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'b.db'}"
    )
    monkeypatch.setenv("VETBOT_SECRET_KEY", "canary-test-secret")
    monkeypatch.setenv("VETBOT_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    lines = [
        json.dumps(PROFILE),
        '{"name": "' + CANARY_NAME + '", "email": "' + CANARY_EMAIL + '"',  # truncated JSON
        json.dumps([CANARY_EMAIL, CANARY_PHONE]),  # not an object
        json.dumps({"name": CANARY_NAME, "email": CANARY_EMAIL, "claimed_years_experience": "many"}),
        json.dumps({**PROFILE, "id": "canary-2"}),
    ]
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with capture_logs() as logs:
        caplog.set_level("DEBUG")
        code = main(["batch", str(source), "--output", str(output)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "line 2:" in err and "line 3:" in err and "line 4:" in err
    assert CANARY_EMAIL in output.read_text(encoding="utf-8")  # results do carry the data
    assert_clean(logs.text(), caplog.text, err)


def test_cli_batch_error_lines_do_not_quote_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Quoting the value (``work_history[0].start: not a YYYY-MM date: "<value>"``) would help a
    person fix a file, but on a server stderr is the log stream: errors give the shape instead."""
    monkeypatch.setenv("VETBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'b.db'}")
    monkeypatch.setenv("VETBOT_SECRET_KEY", "canary-test-secret")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    source = tmp_path / "in.jsonl"
    bad = {"name": "A B", "work_history": [{"start": CANARY_EMAIL}], "ip_addresses": [CANARY_PHONE]}
    source.write_text(json.dumps(bad) + "\n", encoding="utf-8")
    main(["batch", str(source), "--output", str(tmp_path / "out.jsonl")])
    err = capsys.readouterr().err
    assert "work_history[0].start: not a YYYY-MM date" in err  # still says what to fix
    assert "ip_addresses[0].ip: not an IP address" in err
    assert_clean(err)


def _bad_values() -> list[object]:
    """PII in every shape a mistyped field can take, each wrong for some field."""
    return [
        CANARY_EMAIL,
        CANARY_PHONE,
        CANARY_NAME * 40,  # too long for a short field
        {"x": CANARY_EMAIL},
        [CANARY_EMAIL, CANARY_PHONE],
        [{"ip": CANARY_PHONE, "context": CANARY_NAME, "seen_at": CANARY_EMAIL}],
        [{"start": CANARY_EMAIL, "end": CANARY_PHONE, "created": CANARY_NAME, "remote": CANARY_NAME}],
    ]


def _planted(path: str, value: object) -> dict[str, object]:
    """A profile with ``value`` at ``path`` (``work_history[].start``, ``location.city``, ``email``)."""
    parent, _, child = path.partition(".")
    if not child:
        return {"name": "A B", parent: value}
    if parent.endswith("[]"):
        return {"name": "A B", parent[:-2]: [{child: value}]}
    return {"name": "A B", parent: {child: value}}


def _field_paths() -> list[str]:
    """Every field of the spec: top-level, nested objects' and list items' (``work_history[].start``)."""
    from pydantic import BaseModel

    paths: list[str] = []
    for name, info in Profile.model_fields.items():
        paths.append(name)
        stack = [info.annotation]
        while stack:
            node = stack.pop()
            if isinstance(node, type) and issubclass(node, BaseModel):
                many = "[]" if str(info.annotation).startswith("list") else ""
                paths += [f"{name}{many}.{child}" for child in node.model_fields]
            stack += getattr(node, "__args__", ())  # unions, list[…], Annotated[…]
    return sorted(set(paths))


@pytest.mark.parametrize("path", _field_paths())
def test_field_errors_never_quote_the_value(path: str) -> None:
    """Every field, every wrong shape: the problems name the field, never the planted PII."""
    rejected = 0
    for value in _bad_values():
        try:
            parse_profile(_planted(path, value))
        except ProfileError as exc:
            rejected += 1
            assert path.split(".")[0].removesuffix("[]") in str(exc)
            assert_clean(str(exc))
    assert rejected  # each field refuses at least one of the shapes


@pytest.mark.parametrize(
    "text",
    [
        f'name: "{CANARY_NAME}',  # unterminated quote
        f"name: !{CANARY_EMAIL} x",  # unknown tag
        f"name: *{CANARY_PHONE_DIGITS}",  # undefined alias
        rf'name: "{CANARY_NAME}\q"',  # bad escape
        f"name: {CANARY_NAME}\n  email: {CANARY_EMAIL}: x",  # mapping where none may be
    ],
)
def test_yaml_errors_never_quote_the_file(tmp_path: Path, text: str) -> None:
    from vetbot.models.parsing import iter_records

    source = tmp_path / "bad.yaml"
    source.write_text(text, encoding="utf-8")
    records = list(iter_records(source))
    errors = [r.error for r in records if r.error]
    assert errors and errors[0].startswith("input: not valid YAML (")
    assert_clean(*errors)
