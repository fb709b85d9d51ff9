"""Identifiers of a profile, normalised for exact reuse lookups: ``(kind, value)`` pairs.

One function decides how every identifier is folded, so that what storage indexes and what
a check looks up can never drift apart. Payout account ids are never stored in clear: they
become a keyed hash (HMAC-SHA256 with the deployment's secret), still equal for equal ids.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterator

from vetbot.models.profile import Profile
from vetbot.normalize.address import normalize_address
from vetbot.normalize.country import to_alpha2
from vetbot.normalize.email import canonical_email
from vetbot.normalize.handles import linkedin_slug
from vetbot.normalize.phone import to_e164
from vetbot.normalize.text import fold

_ACCOUNT_JUNK = re.compile(r"[^a-z0-9]")
# IPs seen where the candidate had to be present in person: those link personas strongly.
STRONG_IP_CONTEXTS = frozenset({"interview", "id_check", "first_login"})


def keyed_hash(secret: bytes, value: str) -> str:
    return hmac.new(secret, value.encode("utf-8"), hashlib.sha256).hexdigest()[:40]


def account_key(secret: bytes, account_id: str) -> str:
    """IBAN/wallet folded (case, spaces, dashes) then keyed-hashed."""
    return keyed_hash(secret, _ACCOUNT_JUNK.sub("", fold(account_id)))


def _contact_identifiers(
    profile: Profile, secret: bytes, region: str | None
) -> Iterator[tuple[str, str | None]]:
    if profile.email:
        yield "email", canonical_email(profile.email)
    if profile.phone:
        yield "phone", to_e164(profile.phone, region)
    if profile.github:
        yield "github", fold(profile.github).lstrip("@").strip("/")
    if profile.linkedin:
        yield "linkedin", linkedin_slug(profile.linkedin)
    for account in profile.online_accounts:
        if account.handle and account.site in {"github", "gitlab", "telegram", "stackoverflow"}:
            yield account.site, fold(account.handle).lstrip("@")
    for ref in profile.references:
        if ref.email:
            yield "reference_email", canonical_email(ref.email)
        if ref.phone:
            yield "reference_phone", to_e164(ref.phone, region)


def _logistics_identifiers(profile: Profile, secret: bytes) -> Iterator[tuple[str, str | None]]:
    if profile.home_address:
        yield "address", normalize_address(profile.home_address).key
    if profile.shipping_address:
        yield "shipping", normalize_address(profile.shipping_address).key
    if profile.payment and profile.payment.account_id:
        yield "payment", account_key(secret, profile.payment.account_id)
    for obs in profile.ip_addresses:
        if obs.context in STRONG_IP_CONTEXTS:
            yield "ip", obs.ip


def extract_identifiers(profile: Profile, secret: bytes) -> Iterator[tuple[str, str]]:
    """Yield each ``(kind, value)`` once; formatting variants of one identifier fold together."""
    region = to_alpha2(profile.location.country) if profile.location else None
    seen: set[tuple[str, str]] = set()
    for kind, value in (
        *_contact_identifiers(profile, secret, region),
        *_logistics_identifiers(profile, secret),
    ):
        if value and len(value) <= 400 and (kind, value) not in seen:
            seen.add((kind, value))
            yield kind, value
