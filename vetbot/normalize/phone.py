"""Phone numbers to E.164 with region and line type, from phonenumbers' bundled metadata.

Line type is only as good as the metadata: many regions (US, CN, RU, IN, DE…) have no VoIP
ranges, so "not VoIP" there means "unknown"; ``voip_metadata`` says which case applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from vetbot.normalize.text import clean

_TYPE_NAMES = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}


@dataclass(frozen=True, slots=True)
class PhoneInfo:
    raw: str
    e164: str | None
    region: str | None
    valid: bool
    line_type: str
    voip_metadata: bool
    problem: str | None = None


@lru_cache(maxsize=512)
def has_voip_metadata(region: str) -> bool:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region, None)
    return bool(metadata and metadata.voip and metadata.voip.national_number_pattern)


@lru_cache(maxsize=65_536)
def parse_phone(raw: str, default_region: str | None = None) -> PhoneInfo:
    """Parse ``raw`` (E.164 or national form read in ``default_region``)."""
    value = clean(raw)
    try:
        number = phonenumbers.parse(value, default_region)
    except NumberParseException as exc:
        return PhoneInfo(
            raw, None, None, False, "unknown", False, problem=str(exc.args[0] if exc.args else exc)
        )
    region = phonenumbers.region_code_for_number(number)
    valid = phonenumbers.is_valid_number(number)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    line_type = _TYPE_NAMES.get(phonenumbers.number_type(number), "unknown") if valid else "unknown"
    return PhoneInfo(
        raw=raw,
        e164=e164,
        region=region if region and region != "ZZ" else None,
        valid=valid,
        line_type=line_type,
        voip_metadata=has_voip_metadata(region) if region else False,
        problem=None if valid else "not a valid number for any region",
    )


def to_e164(raw: str, default_region: str | None = None) -> str | None:
    """E.164 of a valid number; for an invalid one given in international form, ``+`` and its
    digits as typed (garbled numbers still link personas, and this form is idempotent)."""
    info = parse_phone(raw, default_region)
    if info.valid:
        return info.e164
    value = clean(raw)
    if value.startswith(("+", "00")):
        digits = "".join(c for c in value if c.isdigit())
        digits = digits[2:] if value.startswith("00") else digits
        return "+" + digits if 6 <= len(digits) <= 15 else None
    return None
