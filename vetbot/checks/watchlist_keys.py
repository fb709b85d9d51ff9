"""The candidate's identifiers as watchlist keys, folded exactly as the importers fold list rows.

Raw values are needed: the stored profile keeps payout accounts only as keyed hashes, so the
wallet key is taken from the profile being vetted, never from storage.
"""

from __future__ import annotations

from typing import Any

from vetbot.checks.references import is_free_mail
from vetbot.models.profile import Address, Profile
from vetbot.normalize.country import to_alpha2
from vetbot.normalize.phone import to_e164
from vetbot.watchlist_formats.values import to_address, to_dob, to_value

DOB_FIELDS = ("date_of_birth", "dob", "birth_date")


def _address_texts(value: Address | str) -> list[str]:
    """Free text as given; a structured address with and without its region (lists differ)."""
    if isinstance(value, str):
        return [value]
    full = (value.line1, value.line2, value.city, value.region, value.postcode)
    short = (value.line1, value.line2, value.city, value.postcode)
    return [", ".join(p for p in parts if p) for parts in (full, short)]


def profile_keys(profile: Profile) -> list[tuple[str, str, str]]:
    """``(kind, value, field label)`` for every comparable identifier of the profile."""
    out: dict[tuple[str, str], str] = {}

    def put(kind: str, value: str | None, label: str) -> None:
        if value:
            out.setdefault((kind, value), label)

    if profile.email:
        put("email", to_value("email", profile.email), "e-mail")
        domain = to_value("domain", profile.email)
        if domain and not is_free_mail(domain):
            put("domain", domain, "e-mail domain")
    if profile.phone:
        region = to_alpha2(profile.location.country) if profile.location else None
        put("phone", to_e164(profile.phone, region), "phone")
    if profile.github:
        put("github", to_value("github", profile.github), "GitHub handle")
    for account in profile.online_accounts:
        if account.site.lower() == "github" and account.handle:
            put("github", to_value("github", account.handle), "GitHub handle")
    if profile.payment and profile.payment.account_id:
        put("wallet", to_value("wallet", profile.payment.account_id), "payout account")
    for label, address in (
        ("home address", profile.home_address),
        ("shipping address", profile.shipping_address),
    ):
        for text in _address_texts(address) if address else []:
            put("address", to_address(text), label)
    return [(kind, value, label) for (kind, value), label in out.items()]


def dob_of(profile: Profile) -> str | None:
    """``YYYY-MM-DD`` (or ``YYYY``) from an optional extra field; the spec has none."""
    extras: dict[str, Any] = profile.extra_fields
    for name in DOB_FIELDS:
        value = extras.get(name)
        if isinstance(value, str | int) and (dob := to_dob(str(value))):
            return dob
    return None
