"""Structured logging: allow-list, redaction, no tracebacks, request ids, noisy libraries pinned."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from vetbot.logs import (
    JsonFormatter,
    RedactingFilter,
    TextFormatter,
    configure_logging,
    get_request_id,
    log_context,
    redact,
    request_id_middleware,
    silence_bolt_verification_logger,
    unconfigure_logging,
)


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """A handler wired like production (JSON, redacting filter) on the root logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(debug=False))
    handler.addFilter(RedactingFilter())
    root, ours = logging.getLogger(), logging.getLogger("vetbot")
    old_levels = root.level, ours.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    ours.setLevel(logging.DEBUG)  # whatever an earlier CLI test configured
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_levels[0])
    ours.setLevel(old_levels[1])


def records(stream: io.StringIO) -> list[dict[str, object]]:
    parsed = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [r for r in parsed if r["logger"] != "asyncio"]  # the event loop's own start-up line


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("mail jan.kowalski+x@example.co.uk now", "jan.kowalski"),
        ("body=email=jan%40example.com&x=1", "jan%40"),
        ("call +48 601 234 567 today", "601 234"),
        ("call (601) 234-5678", "234-5678"),
        ("phone=%2B48601234567&", "48601234567"),
        ("token xoxb-1234-5678-abcdEFGH", "abcdEFGH"),
        ("user token xoxp-99-aa and app xapp-1-A0-123-abc", "xapp-1"),
        ("Authorization: Bearer abc.def-ghi", "abc.def"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "eyJzdWIi"),
        ("iban DE89 3704 0044 0532 0130 00 ok", "3704 0044"),
        ("iban GB29NWBK60161331926819", "NWBK6016"),
        ("sig v0=" + "a" * 64, "a" * 64),
        ("jan\u200b@example.com", "example.com"),
    ],
)
def test_redact_scrubs(text: str, secret: str) -> None:
    assert secret not in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "job 3f2a9c0d4e5b6a7f8e9d0c1b2a3f4e5d done",
        "check contact.phone took 12 ms",
        "retry 3 of 5",
        "v1.30.0",
    ],
)
def test_redact_keeps_operational_text(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize("unit", ["a", "1", "ab.", "1 ", "a@", "x@a.", "(1", "%40a", "AB12C"])
def test_redact_stays_fast_on_hostile_input(unit: str) -> None:
    """A megabyte body logged by a library must not stall the event loop (no ReDoS)."""
    started = time.perf_counter()
    out = redact(unit * 300_000)
    assert time.perf_counter() - started < 0.5
    assert out.endswith("[truncated]")


def test_only_allow_listed_extras_are_emitted(lines: io.StringIO) -> None:
    logging.getLogger("vetbot.test").info(
        "vetting done",
        extra={"job_id": "j1", "band": "high", "count": 3, "email": "a@b.example", "profile": {"name": "X"}},
    )
    (record,) = records(lines)
    assert set(record) == {"time", "level", "logger", "event", "job_id", "band", "count"}
    assert record["event"] == "vetting done" and record["count"] == 3


def test_third_party_messages_are_redacted(lines: io.StringIO) -> None:
    logging.getLogger("some.library").warning("failed for %s with %s", "jan@example.com", "xoxb-1-2-abc")
    event = str(records(lines)[0]["event"])
    assert "jan@example.com" not in event and "xoxb-1" not in event and "[email]" in event


def test_exceptions_are_logged_by_type_only(lines: io.StringIO) -> None:
    try:
        raise ValueError("bad phone +48 601 234 567 for Jan Kowalski")
    except ValueError:
        logging.getLogger("vetbot.test").exception("check failed")
    (record,) = records(lines)
    assert record["error_type"] == "ValueError"
    assert "traceback" not in record and "Kowalski" not in lines.getvalue()


def test_debug_mode_shows_a_redacted_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VETBOT_DEBUG", "1")
    try:
        raise ValueError("mail jan@example.com")
    except ValueError as exc:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, (type(exc), exc, None))
    out = json.loads(JsonFormatter().format(record))
    assert "ValueError" in out["traceback"] and "jan@example.com" not in out["traceback"]


def test_text_formatter_has_the_same_guarantees() -> None:
    record = logging.LogRecord("vetbot.x", logging.INFO, __file__, 1, "to %s", ("a@b.example",), None)
    record.job_id, record.secret = "j9", "hidden"
    text = TextFormatter().format(record)
    assert "job_id=j9" in text and "hidden" not in text and "a@b.example" not in text


async def test_request_id_context(lines: io.StringIO) -> None:
    log = logging.getLogger("vetbot.test")
    with log_context(job_id="j7", email="x@y.example") as rid:
        assert get_request_id() == rid
        with log_context() as inner:
            assert inner == rid  # a job inside a request keeps the request's id
            log.info("inside")
    assert get_request_id() is None
    log.info("outside")
    first, second = records(lines)
    assert first["request_id"] == rid and first["job_id"] == "j7" and "email" not in first
    assert "request_id" not in second


def test_configure_logging_is_idempotent_and_pins_noisy_loggers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VETBOT_LOG_LEVEL", "DEBUG")
    root = logging.getLogger()
    before = root.level
    try:
        configure_logging()
        configure_logging()
        ours = [h for h in root.handlers if getattr(h, "_vetbot_handler", False)]
        assert len(ours) == 1
        assert root.level == logging.DEBUG
        for name in ("aiosqlite", "slack_bolt.RequestVerification", "slack_sdk", "msrest"):
            assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING, name
    finally:
        unconfigure_logging()
        root.setLevel(before)


def test_bolt_verification_logger_silenced_again_after_app_construction() -> None:
    from slack_bolt.async_app import AsyncApp

    AsyncApp(signing_secret="s", token="xoxb-test", request_verification_enabled=True)
    silence_bolt_verification_logger()
    assert logging.getLogger("slack_bolt.RequestVerification").level == logging.WARNING


async def test_request_id_middleware() -> None:
    seen: list[str | None] = []

    async def handler(_request: web.Request) -> web.Response:
        seen.append(get_request_id())
        return web.Response(text="ok")

    app = web.Application(middlewares=[request_id_middleware()])
    app.router.add_get("/", handler)
    async with TestClient(TestServer(app)) as client:
        fresh = await client.get("/")
        kept = await client.get("/", headers={"X-Request-Id": "abcdef12-3456"})
        forged = await client.get("/", headers={"X-Request-Id": "evil\u2028line jan@example.com"})
    assert fresh.headers["X-Request-Id"] == seen[0] and seen[0]
    assert kept.headers["X-Request-Id"] == "abcdef12-3456"
    assert forged.headers["X-Request-Id"] == seen[2] != "evil"
