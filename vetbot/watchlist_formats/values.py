"""How each watchlist kind is folded for exact comparison — the same for list rows and profiles.

Importers store ``to_value(kind, raw)``; the checks look up ``to_value(kind, candidate_raw)``;
one function on both sides means a hit can never be lost to formatting. ``None`` means the
raw value is not a valid value of that kind: official lists carry junk in contact fields
(shared/design/matching-and-data.md §4, UK list), so every value is validated.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from vetbot.normalize.address import address_tokens
from vetbot.normalize.country import to_alpha2
from vetbot.normalize.email import canonical_email
from vetbot.normalize.names import normalize_name
from vetbot.normalize.phone import parse_phone
from vetbot.normalize.text import fold

KINDS = ("name", "email", "phone", "domain", "github", "wallet", "address", "employer", "dob")
EXACT_KINDS = frozenset({"email", "phone", "domain", "github", "wallet", "address"})

_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_GITHUB = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38})$")
_WALLET = re.compile(r"^[A-Za-z0-9]{20,130}$")
_LEGAL_FORMS = frozenset(
    {
        "co",
        "company",
        "ltd",
        "limited",
        "llc",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "plc",
        "gmbh",
        "jsc",
        "ojsc",
        "pjsc",
        "cjsc",
        "llp",
        "lp",
        "pte",
        "sa",
        "srl",
        "bv",
        "ag",
        "oy",
        "ab",
    }
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DATE_FORMATS = ("%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%Y/%m/%d", "%d.%m.%Y", "%d/%m/%Y", "%b %d, %Y")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def to_domain(raw: str) -> str | None:
    """``https://www.Example.com/x`` → ``example.com``; also the domain part of an e-mail."""
    text = fold(raw).strip()
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text).split("/", 1)[0].split(":", 1)[0].rstrip(".")
    text = text.removeprefix("www.")
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return text if _DOMAIN.match(text) else None


def to_github(raw: str) -> str | None:
    """``@Handle``, ``github.com/Handle`` → ``handle`` (GitHub logins are case-insensitive)."""
    text = fold(raw).strip().rstrip("/")
    if "github.com/" in text:
        text = text.split("github.com/", 1)[1].split("/", 1)[0]
    text = text.lstrip("@")
    return text if _GITHUB.match(text) and "--" not in text else None


def to_wallet(raw: str) -> str | None:
    """Crypto address without spaces; hex (0x…) and bech32 (bc1…) are case-insensitive,
    base58 addresses are not, so only those two are lower-cased."""
    text = re.sub(r"\s+", "", raw.strip())
    lowered = text.lower()
    if lowered.startswith(("0x", "bc1", "ltc1", "tb1")):
        text = lowered
    return text if _WALLET.match(text) else None


def to_employer(raw: str) -> str | None:
    """A company name without case, punctuation or legal form (``Co., Ltd.``); the rest of the
    words must all be equal for a hit, so a shared word never matches."""
    words = [w for w in _NON_ALNUM.sub(" ", fold(raw)).split() if w not in _LEGAL_FORMS]
    return " ".join(words) or None


def to_address(raw: str) -> str | None:
    """A free-text address as a sorted bag of folded tokens, its trailing country dropped
    (lists and profiles name countries differently). Needs a digit and three tokens: a city
    alone is not an address."""
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if len(parts) > 1 and to_alpha2(parts[-1]):
        parts = parts[:-1]
    tokens = sorted(set(address_tokens(" ".join(parts))))
    if len(tokens) < 3 or not any(ch.isdigit() for t in tokens for ch in t):
        return None
    return " ".join(tokens)


def to_dob(raw: str) -> str | None:
    """A date of birth as ``YYYY-MM-DD``, or ``YYYY`` when only the year is known."""
    text = fold(raw).strip().removeprefix("dob").strip(" :")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    match = _YEAR.search(text)
    return match.group(1) if match else None


def to_phone(raw: str) -> str | None:
    info = parse_phone(raw.strip())
    return info.e164 if info.valid else None


@lru_cache(maxsize=65_536)
def to_value(kind: str, raw: str) -> str | None:
    """The stored/compared form of ``raw`` as ``kind``, or ``None`` when it is not valid."""
    if len(raw) > 500:
        return None
    if kind == "email":
        return canonical_email(raw)
    if kind == "phone":
        return to_phone(raw)
    if kind == "domain":
        return to_domain(raw)
    if kind == "github":
        return to_github(raw)
    if kind == "wallet":
        return to_wallet(raw)
    if kind == "address":
        return to_address(raw)
    if kind == "employer":
        return to_employer(raw)
    if kind == "dob":
        return to_dob(raw)
    if kind == "name":
        return normalize_name(raw) or None
    raise ValueError(f"unknown kind {kind!r}")
