"""Regex redaction of secrets and contact data in free text: the logs' last line of defence.

Why regexes at all, when our code never logs candidate data: third-party libraries format
their own messages (a failed request with its URL, a token in an error), and a future
mistake of ours should still not leak an e-mail address. A regex cannot recognise a name,
so this never replaces the allow-list in ``vetbot.logs``.

Patterns are bounded and input is cut at ``MAX_MESSAGE_CHARS`` so a hostile megabyte body
cannot make them quadratic (checked by a test).
"""

from __future__ import annotations

import logging
import re

MAX_MESSAGE_CHARS = 4_000

_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:xox[abeoprs]|xapp)[.-][A-Za-z0-9.-]+"), "[slack-token]"),
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"), "Bearer [token]"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), "[jwt]"),
    (re.compile(r"\bv0=[0-9a-fA-F]{64}\b"), "v0=[signature]"),
    # e-mail, also URL-encoded (form bodies: jan%40example.com) and JSON-escaped
    (
        re.compile(
            r"(?<![\w.%+'-])[\w.%+'-]{1,64}(?:@|%40|%2540|\\u0040)[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[A-Za-z]{2,24}"
        ),
        "[email]",
    ),
    (re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b"), "[iban]"),
    # seven or more digits with phone punctuation; also after a URL-encoded "+" (%2B)
    (re.compile(r"(?:(?<=%2B)|(?<![\w.]))(?:\+|%2B)?\(?\d(?:[\s().\-/]{0,2}\d){6,}(?!\w)"), "[phone]"),
)


def redact(text: str) -> str:
    """Scrub what a regex can recognise. The last line of defence, not the plan: see module doc.

    Text beyond ``MAX_MESSAGE_CHARS`` is cut first: a log line that long is a body someone
    logged by mistake, and bounded input keeps the patterns linear (no ReDoS from a hostile body).
    """
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS] + " …[truncated]"
    text = _INVISIBLE.sub("", text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (args folded in) with ``redact``; never drops a record.

    Put on a *handler*, so it sees records of every logger that propagates to it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
