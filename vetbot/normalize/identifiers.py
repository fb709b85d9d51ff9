"""Identifiers of a profile, normalised for exact reuse lookups: ``(kind, value)`` pairs.

One function decides how every identifier is folded, so that what storage indexes and what
a check looks up can never drift apart. Operators re-use an identifier under a new persona
written differently (``F.Doe+hr@…``, ``+82 70-…`` vs ``+8270…``, ``ul.`` vs ``ULICA``, free
text vs structured address), so each kind is folded to the form two spellings share.
Payout account ids are never stored in clear: they become a keyed hash (HMAC-SHA256 with the
deployment's secret), still equal for equal ids.

Kinds (``identifier.kind``, ≤ 30 characters):

- ``email``, ``phone`` — mailbox (Gmail dots and ``+tags`` folded), E.164;
- ``github``, ``linkedin`` and one kind per other site (``gitlab``, ``x``, …) — handles;
- ``reference_email``, ``reference_phone`` — referees' contacts, folded the same way;
- ``address`` / ``shipping`` — building keys, ``address_unit`` / ``shipping_unit`` — flat keys
  (``vetbot.normalize.address_key``); home and shipping share one key space, so "ships to
  another candidate's home" is a lookup too;
- ``payment`` — keyed hash of the folded account id;
- ``ip`` — addresses seen where the person had to be present (interview, ID check, first
  login), ``ip_other`` — application or unlabelled ones (weaker: VPN exits, shared Wi-Fi);
- ``photo`` — the 64-bit pHash, ``photo_chunk`` — its four 16-bit chunks (near duplicates);
- ``resume_lsh`` — MinHash LSH bands of the résumé (``vetbot.normalize.fingerprints``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterator
from functools import lru_cache

from vetbot.models.profile import Address, Profile
from vetbot.normalize.address_key import address_key
from vetbot.normalize.country import to_alpha2
from vetbot.normalize.email import canonical_email
from vetbot.normalize.fingerprints import photo_chunks, photo_hash, resume_bands
from vetbot.normalize.handles import linkedin_slug
from vetbot.normalize.ip import ip_scope
from vetbot.normalize.phone import parse_phone
from vetbot.normalize.text import fold

_ACCOUNT_JUNK = re.compile(r"[^a-z0-9]")
_IBAN = re.compile(r"^[a-z]{2}\d{2}[a-z0-9]{10,30}$")
_LONG_DIGITS = re.compile(r"\d{6,}")
_SITE = re.compile(r"[^a-z0-9.]+")
_HANDLE_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?[a-z0-9.-]+\.[a-z]{2,}/")
# IPs seen where the candidate had to be present in person: those link personas strongly.
STRONG_IP_CONTEXTS = frozenset({"interview", "id_check", "first_login"})
MAX_VALUE = 400


def keyed_hash(secret: bytes, value: str) -> str:
    mac = _keyed(secret).copy()  # the key schedule is done once per secret, not per value
    mac.update(value.encode("utf-8"))
    return mac.hexdigest()[:40]


@lru_cache(maxsize=4)
def _keyed(secret: bytes) -> hmac.HMAC:
    return hmac.new(secret, digestmod=hashlib.sha256)


def fold_account(account_id: str) -> str:
    """The part of a payout account id that names the account, however it is written.

    IBANs and wallets lose case, spaces and dashes; a free-text bank description
    ("Capital One, routing 552610097, acct 9956105725") is keyed on its long digit runs,
    because the words around them (bank name, "account", "acct") vary between personas.
    """
    folded = fold(account_id)
    compact = _ACCOUNT_JUNK.sub("", folded)
    if _IBAN.match(compact) or compact.startswith("0x"):
        return compact
    runs = _LONG_DIGITS.findall(folded)
    if runs and any(c.isalpha() for c in folded):
        return "num:" + "|".join(runs)
    return compact


def account_key(secret: bytes, account_id: str) -> str:
    """Keyed hash of the folded payout account id (never stored in clear)."""
    return keyed_hash(secret, fold_account(account_id))


def phone_key(raw: str, region: str | None) -> str | None:
    """E.164 of a phone, trying the readings a persona's formatting allows.

    Read in the claimed country first; when that gives no valid number, an international
    form written without ``+`` (``0048…``, ``48…``) is tried. Garbled numbers keep their
    (invalid) E.164 reading: they still link personas that garble them the same way.
    """
    first = parse_phone(raw, region)
    if first.valid:
        return first.e164
    digits = "".join(c for c in raw if c.isdigit())
    if digits and not raw.lstrip().startswith("+"):
        stripped = digits[2:] if digits.startswith("00") else digits
        second = parse_phone("+" + stripped, None)
        if second.valid:
            return second.e164
    return first.e164


def handle_key(value: str) -> str | None:
    """A handle without ``@``, URL prefix or trailing slash, folded."""
    text = _HANDLE_PREFIX.sub("", fold(value).strip()).strip("/").lstrip("@")
    return text.split("?", 1)[0] or None


def _contact_identifiers(profile: Profile, region: str | None) -> Iterator[tuple[str, str | None]]:
    if profile.email:
        yield "email", canonical_email(profile.email)
    if profile.phone:
        yield "phone", phone_key(profile.phone, region)
    if profile.github:
        yield "github", handle_key(profile.github)
    if profile.linkedin:
        yield "linkedin", linkedin_slug(profile.linkedin) or None
    for account in profile.online_accounts:
        if not account.handle:
            continue
        site = _SITE.sub("", fold(account.site))[:30]
        if site == "linkedin":
            yield "linkedin", linkedin_slug(account.handle) or None
        elif site:
            yield site, handle_key(account.handle)
    for ref in profile.references:
        if ref.email:
            yield "reference_email", canonical_email(ref.email)
        if ref.phone:
            yield "reference_phone", phone_key(ref.phone, region)


def _address_identifiers(
    kind: str, address: Address | str | None, secret: bytes
) -> Iterator[tuple[str, str | None]]:
    """Building and flat keys as keyed hashes (addresses are never indexed in clear); the
    ``building#unit`` shape survives, so "same building, flat not given" is still visible."""
    if address is None:
        return
    key = address_key(address)
    if key is not None:
        building = keyed_hash(secret, key.building)
        yield kind, building
        yield f"{kind}_unit", f"{building}#{keyed_hash(secret, key.unit) if key.unit else '-'}"


def _logistics_identifiers(profile: Profile, secret: bytes) -> Iterator[tuple[str, str | None]]:
    yield from _address_identifiers("address", profile.home_address, secret)
    yield from _address_identifiers("shipping", profile.shipping_address, secret)
    if profile.payment and profile.payment.account_id and secret:
        yield "payment", account_key(secret, profile.payment.account_id)
    for obs in profile.ip_addresses:
        scope = ip_scope(obs.ip)
        if scope.is_global:  # private/reserved addresses are input errors, not identifiers
            yield ("ip" if obs.context in STRONG_IP_CONTEXTS else "ip_other"), str(scope.address)


def _content_identifiers(profile: Profile) -> Iterator[tuple[str, str | None]]:
    if profile.photo:
        value = photo_hash(profile.photo)
        if value is not None:
            yield "photo", f"{value:016x}"
            for key in photo_chunks(value):
                yield "photo_chunk", key
    if profile.resume_text:
        for band in resume_bands(profile.resume_text):
            yield "resume_lsh", band


def extract_identifiers(profile: Profile, secret: bytes) -> Iterator[tuple[str, str]]:
    """Yield each ``(kind, value)`` once; formatting variants of one identifier fold together.

    With an empty ``secret`` the payout account is left out (it cannot be keyed).
    An IP recorded in several contexts is kept under its strongest kind only.
    """
    region = to_alpha2(profile.location.country) if profile.location and profile.location.country else None
    seen: set[tuple[str, str]] = set()
    pairs = [
        *_contact_identifiers(profile, region),
        *_logistics_identifiers(profile, secret),
        *_content_identifiers(profile),
    ]
    strong_ips = {value for kind, value in pairs if kind == "ip"}
    for kind, value in pairs:
        if not value or len(value) > MAX_VALUE or (kind, value) in seen:
            continue
        if kind == "ip_other" and value in strong_ips:
            continue
        seen.add((kind, value))
        yield kind, value
