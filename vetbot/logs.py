"""Structured logging that cannot carry candidate data: JSON lines, an allow-list, redaction.

Why so strict: security teams adopt vetbot only if a candidate's file never ends up in a log
pipeline that half the company can read. Three layers, each assuming the others failed:

1. our code logs constant messages and puts ids in ``extra=`` — never profile values;
2. the formatter keeps only allow-listed fields and drops every other ``extra`` key, and emits
   an exception's *type* only (tracebacks quote locals and messages), unless ``VETBOT_DEBUG=1``;
3. a filter on our handler scrubs e-mail addresses, phone-like digit runs, Slack tokens, bearer
   tokens/JWTs, Slack signatures and IBAN-like strings from the message and exception text of
   *any* logger, third-party libraries included.

Libraries that log request bodies or SQL parameters at DEBUG (``aiosqlite`` logs every bound
parameter, ``slack_sdk`` and ``msrest`` log payloads, bolt logs a forged request's body at INFO)
are pinned to WARNING whatever level is asked for: regexes cannot recognise a name.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

from vetbot.redact import MAX_MESSAGE_CHARS, RedactingFilter, redact

ALLOWED_FIELDS: frozenset[str] = frozenset(
    {
        # correlation ids
        "request_id", "job_id", "vetting_id", "delivery_id", "key", "attempt",
        # what happened
        "check", "status", "duration_ms", "timeout_s", "platform", "method", "http_status",
        "error_type", "error", "reason", "band", "count", "kind", "action", "final",
        "retry_after", "settings_version", "replica", "provider",
    }
)  # fmt: skip
"""Fields an ``extra=`` may set. Values must be ids, enums, counts or reason *codes*: a free-text
reason (a Clear rationale) is candidate-related data and must not be logged."""

MAX_FIELD_CHARS = 200
_HANDLER_MARK = "_vetbot_handler"
PINNED_LOGGERS: dict[str, int] = {
    "slack_bolt.RequestVerification": logging.WARNING,  # logs the raw body of forged requests
    "slack_sdk": logging.WARNING,  # DEBUG: request payloads (cards with candidate data)
    "slack_bolt": logging.INFO,
    "aiosqlite": logging.WARNING,  # DEBUG: every statement with its bound parameters
    "sqlalchemy": logging.WARNING,
    "asyncpg": logging.WARNING,
    "alembic": logging.WARNING,
    "msrest": logging.WARNING,  # DEBUG: Bot Framework request and response bodies
    "botbuilder": logging.INFO,
    "botframework": logging.INFO,
    "urllib3": logging.INFO,
    "asyncio": logging.INFO,
}

_request_id: ContextVar[str | None] = ContextVar("vetbot_request_id", default=None)
_bound: ContextVar[dict[str, Any] | None] = ContextVar("vetbot_log_fields", default=None)

# --- context ---------------------------------------------------------------------------------


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def get_request_id() -> str | None:
    return _request_id.get()


@contextmanager
def log_context(request_id: str | None = None, **fields: Any) -> Iterator[str]:
    """Bind a request id (generated when not given) and allow-listed fields for a request or job.

    Every record logged inside, in this task and tasks it creates, carries them. Yields the id.
    """
    rid = request_id or _request_id.get() or new_request_id()
    merged = {**(_bound.get() or {}), **{k: v for k, v in fields.items() if k in ALLOWED_FIELDS}}
    rid_token, fields_token = _request_id.set(rid), _bound.set(merged)
    try:
        yield rid
    finally:
        _bound.reset(fields_token)
        _request_id.reset(rid_token)


# --- formatting ------------------------------------------------------------------------------


def _field(value: Any, scrub: bool = True) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value.value if hasattr(value, "value") and isinstance(value.value, str) else str(value)
    return redact(text[:MAX_FIELD_CHARS]) if scrub else text[:MAX_FIELD_CHARS]


class JsonFormatter(logging.Formatter):
    """One JSON object per line with allow-listed fields only.

    ``scrub=False`` skips the regex layer: tests use it to prove our code leaks nothing even
    before the last line of defence.
    """

    def __init__(self, *, debug: bool | None = None, scrub: bool = True) -> None:
        super().__init__()
        self.debug = os.environ.get("VETBOT_DEBUG") == "1" if debug is None else debug
        self.scrub = scrub

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(self.fields(record), ensure_ascii=False, default=str)

    def fields(self, record: logging.LogRecord) -> dict[str, Any]:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": self._text(record.getMessage()),
        }
        if rid := _request_id.get():
            out["request_id"] = rid
        for key, value in (_bound.get() or {}).items():
            out[key] = _field(value, self.scrub)
        for key, value in record.__dict__.items():
            if key in ALLOWED_FIELDS:
                out[key] = _field(value, self.scrub)
        if record.exc_info and record.exc_info[0] is not None:
            out.setdefault("error_type", record.exc_info[0].__name__)
            if self.debug:
                trace = self.formatException(record.exc_info)  # the end says the most
                out["traceback"] = self._text(trace[-MAX_MESSAGE_CHARS:])
        return out

    def _text(self, text: str) -> str:
        return redact(text) if self.scrub else text


class TextFormatter(JsonFormatter):
    """Human-readable variant (``json=False``) with the same allow-list and redaction."""

    def format(self, record: logging.LogRecord) -> str:
        data = self.fields(record)
        head = f"{data.pop('time')} {data.pop('level').upper():7} {data.pop('logger')}: {data.pop('event')}"
        trace = data.pop("traceback", None)
        tail = " ".join(f"{k}={v}" for k, v in data.items())
        return " ".join(p for p in (head, tail) if p) + (f"\n{trace}" if trace else "")


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at emit time (pytest and the CLI swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def silence_bolt_verification_logger() -> None:
    """Call after every ``AsyncApp(...)``: building one resets this logger to the root level,
    and at INFO it logs the raw body of every rejected (forged) request."""
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)


def pin_noisy_loggers(level: int) -> None:
    """Keep libraries that log payloads at ``max(level, pin)``."""
    for name, pinned in PINNED_LOGGERS.items():
        logging.getLogger(name).setLevel(max(level, pinned))


def configure_logging(level: str | None = None, json: bool = True) -> logging.Handler:
    """Install (or replace) vetbot's stderr handler on the root logger; returns it.

    ``level`` defaults to ``VETBOT_LOG_LEVEL`` or INFO. Idempotent: only our own previous handler
    is removed, so pytest's capture handlers and an embedding app's handlers stay.
    """
    name = (level or os.environ.get("VETBOT_LOG_LEVEL") or "INFO").upper()
    numeric = logging.getLevelName(name)
    if not isinstance(numeric, int):
        numeric = logging.INFO
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    handler = _StderrHandler()
    setattr(handler, _HANDLER_MARK, True)
    handler.setFormatter(JsonFormatter() if json else TextFormatter())
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(numeric)
    logging.getLogger("vetbot").setLevel(logging.NOTSET)  # follow the root
    pin_noisy_loggers(numeric)
    logging.captureWarnings(True)
    return handler


def unconfigure_logging() -> None:
    """Remove vetbot's handler (tests; an embedding application taking over)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    logging.captureWarnings(False)


def request_id_middleware() -> Any:
    """An aiohttp middleware: one request id per HTTP request (``X-Request-Id`` echoed back).

    An incoming id is used only when it looks like one (``[A-Za-z0-9-]{8,64}``): a header is
    attacker-controlled text and must not become a log-injection channel.
    """
    from aiohttp import web

    header_ok = re.compile(r"^[A-Za-z0-9-]{8,64}$")

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        incoming = request.headers.get("X-Request-Id", "")
        with log_context(incoming if header_ok.match(incoming) else None) as rid:
            response: web.StreamResponse = await handler(request)
            response.headers["X-Request-Id"] = rid
            return response

    return middleware
