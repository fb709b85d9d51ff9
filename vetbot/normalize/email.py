"""E-mail addresses folded to the mailbox they reach.

Gmail ignores dots and ``+tags`` in the local part, and most providers deliver ``+tags`` to
the base mailbox, so ``J.Doe+jobs@GMail.com`` and ``jdoe@gmail.com`` are one inbox: an
operator re-using an inbox under a new persona should not escape by punctuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from vetbot.normalize.text import clean

_GMAIL = frozenset({"gmail.com", "googlemail.com"})
# Deliberately permissive: RFC 5322 allows much more, but these are what real inboxes use.
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True, slots=True)
class Email:
    local: str
    domain: str

    @property
    def mailbox(self) -> str:
        return f"{self.local}@{self.domain}"


@lru_cache(maxsize=65_536)
def parse_email(raw: str) -> Email | None:
    """The canonical mailbox, or ``None`` when the syntax is not a deliverable address."""
    value = clean(raw).strip().strip("<>").strip()
    if value.count("@") != 1:
        return None
    local, domain = value.rsplit("@", 1)
    domain = domain.lower().rstrip(".")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if not _LOCAL.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        return None
    if not _DOMAIN.match(domain):
        return None
    local = local.lower().split("+", 1)[0]
    if domain in _GMAIL:
        local = local.replace(".", "")
        domain = "gmail.com"
    if not local:
        return None
    return Email(local, domain)


def canonical_email(raw: str) -> str | None:
    parsed = parse_email(raw)
    return parsed.mailbox if parsed else None
