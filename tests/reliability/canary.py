"""Reusable canary plumbing: capture every log record at DEBUG and count planted PII.

Why a helper: each edge (CLI, Slack, Teams) adds its own canary scenario, and they must all
capture the same way — at DEBUG, on the root logger, *before* the redacting filter, so a test
proves our code leaks nothing rather than that a regex happened to catch it.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from vetbot.logs import PINNED_LOGGERS, JsonFormatter, configure_logging, unconfigure_logging

CANARY_EMAIL = "zq7.canary.k3x9@canary-mail.example"
CANARY_PHONE = "+48 601 987 321"
CANARY_PHONE_DIGITS = "601987321"
CANARY_NAME = "Quillon Vandersnoot"
CANARIES = (CANARY_EMAIL, CANARY_PHONE, CANARY_PHONE_DIGITS, CANARY_NAME, "zq7.canary")


@dataclass
class LogCapture:
    stream: io.StringIO = field(default_factory=io.StringIO)
    handler: logging.Handler | None = None

    def text(self) -> str:
        if self.handler is not None:
            self.handler.flush()
        return self.stream.getvalue()


def hits(text: str, canaries: Iterable[str] = CANARIES) -> dict[str, int]:
    """How often each canary occurs (case-insensitive, also URL-encoded ``@``)."""
    lowered = text.lower()
    out = {}
    for canary in canaries:
        variants = {canary.lower(), canary.lower().replace("@", "%40"), canary.lower().replace(" ", "+")}
        out[canary] = sum(lowered.count(v) for v in variants)
    return out


@contextmanager
def capture_logs(*, production_config: bool = True) -> Iterator[LogCapture]:
    """Capture all records of every logger at DEBUG, formatted with vetbot's allow-list but
    *without* the regex scrub and *with* tracebacks — a superset of what production emits.

    With ``production_config`` vetbot's own stderr handler is installed at DEBUG too (as with
    ``VETBOT_LOG_LEVEL=DEBUG``), so ``capsys`` sees the real output. Levels are restored after.
    """
    root = logging.getLogger()
    touched = [
        "",
        "vetbot",
        *PINNED_LOGGERS,
        *[n for n in logging.root.manager.loggerDict if n.startswith("vetbot")],
    ]
    saved = {name: logging.getLogger(name).level for name in touched}
    capture = LogCapture()
    handler = logging.StreamHandler(capture.stream)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(JsonFormatter(debug=True, scrub=False))
    capture.handler = handler
    if production_config:
        configure_logging("DEBUG")
    root.handlers.insert(0, handler)  # before the redacting handler: see raw records
    root.setLevel(logging.DEBUG)
    for name in touched[1:]:
        if name.startswith("vetbot"):
            logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        root.removeHandler(handler)
        if production_config:
            unconfigure_logging()
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
