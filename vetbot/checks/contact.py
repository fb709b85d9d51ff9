"""``contact.phone`` and ``contact.email``: is the contact data consistent with the claim?

Phone: the advisories name "incorrect or changing" numbers [G1]; vendors score line type
[A3]. A number from another country than the claimed home, a VoIP/personal/toll-free line,
or a number that is not valid anywhere are moderate signals: expats keep home numbers and
honest people use VoIP. phonenumbers has no VoIP ranges for many regions (US, CN, DE…),
so evidence says when "not VoIP" only means "unknown".

E-mail: weak alone [V5]; webmail is universal. Disposable domains (the maintained
``disposable-email-domains`` list) and invalid syntax are worth a little; a random-looking
local part is worth less.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import ClassVar

from disposable_email_domains import blocklist

from vetbot.checks import sources
from vetbot.checks.base import Check, Evidence, Signal
from vetbot.checks.context import CheckContext
from vetbot.models.profile import Profile
from vetbot.normalize.country import country_name, to_alpha2
from vetbot.normalize.email import parse_email
from vetbot.normalize.phone import parse_phone

_RISKY_LINES = {"voip": 0.6, "personal": 0.6, "toll_free": 0.5, "premium_rate": 0.5, "uan": 0.3}


def claimed_country(profile: Profile) -> str | None:
    return to_alpha2(profile.location.country) if profile.location else None


class PhoneCheck(Check):
    """Weight 36, moderate evidence. Strengths: region ≠ claimed country 0.8 (29 points: expats
    keep home numbers, so alone it stays low); VoIP or
    personal line 0.6; toll-free/premium 0.5; not a valid number 0.6 (garbled contact data
    is itself evidence, never an input error)."""

    id: ClassVar[str] = "contact.phone"
    inline: ClassVar[bool] = True  # local: runs in the vetting task (see Check.inline)
    title: ClassVar[str] = "Phone number is valid, local to the claimed country, not VoIP"
    weight: ClassVar[int] = 36
    evidence: ClassVar[Evidence] = Evidence.MODERATE
    inputs: ClassVar[tuple[str, ...]] = ("phone",)
    source: ClassVar[str] = sources.G1

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        assert profile.phone is not None
        country = claimed_country(profile)
        info = parse_phone(profile.phone, country)
        if info.e164 is None or not info.valid:
            return [
                Signal(
                    rule="phone_invalid",
                    strength=0.6,
                    summary="Phone number is not a valid number in any numbering plan",
                    evidence={"phone": profile.phone, "read_in": country, "problem": info.problem},
                )
            ]
        signals: list[Signal] = []
        if country and info.region and info.region != country:
            signals.append(
                Signal(
                    rule="phone_country",
                    strength=0.8,
                    summary=(
                        f"Phone is registered in {country_name(info.region)}; "
                        f"candidate claims to live in {country_name(country)}"
                    ),
                    evidence={"phone_region": info.region, "claimed_country": country, "e164": info.e164},
                    source=sources.G2,
                )
            )
        if info.line_type in _RISKY_LINES:
            signals.append(
                Signal(
                    rule="phone_line_type",
                    strength=_RISKY_LINES[info.line_type],
                    summary=f"Phone is a {info.line_type.replace('_', '-')} line, not a mobile or landline",
                    evidence={"line_type": info.line_type, "region": info.region},
                    source=sources.A3,
                )
            )
        elif not info.voip_metadata and signals:
            # say what we could not see, so a reviewer does not read "not VoIP" as proof
            signals[-1].evidence["voip_detectable"] = False
        return signals


_VOWELS = set("aeiouy")
_RUNS = re.compile(r"[^aeiouy\d._+-]{5,}")


def looks_random(local: str) -> bool:
    """Machine-made local parts: few vowels, long consonant runs or digits woven into letters."""
    letters = [c for c in local if c.isalpha()]
    if len(local) < 8 or len(letters) < 5:
        return False
    vowel_share = sum(c in _VOWELS for c in letters) / len(letters)
    switches = sum(a.isdigit() != b.isdigit() for a, b in pairwise(local))
    return vowel_share < 0.2 or bool(_RUNS.search(local)) or switches >= 4


class EmailCheck(Check):
    """Weight 20, weak evidence. Strengths: disposable domain 1.0; invalid syntax 0.6;
    random-looking local part 0.3 (6 points: corroboration only)."""

    id: ClassVar[str] = "contact.email"
    inline: ClassVar[bool] = True  # local: runs in the vetting task (see Check.inline)
    title: ClassVar[str] = "E-mail address is valid, not disposable, not machine-made"
    weight: ClassVar[int] = 20
    evidence: ClassVar[Evidence] = Evidence.WEAK
    inputs: ClassVar[tuple[str, ...]] = ("email",)
    source: ClassVar[str] = sources.V5

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        assert profile.email is not None
        parsed = parse_email(profile.email)
        if parsed is None:
            return [
                Signal(
                    rule="email_invalid",
                    strength=0.6,
                    summary="E-mail address is not valid syntax",
                    evidence={"email": profile.email},
                )
            ]
        signals: list[Signal] = []
        if parsed.domain in blocklist:
            signals.append(
                Signal(
                    rule="email_disposable",
                    strength=1.0,
                    summary=f"E-mail uses a disposable-address service ({parsed.domain})",
                    evidence={"domain": parsed.domain, "list": "disposable-email-domains"},
                )
            )
        if looks_random(parsed.local):
            signals.append(
                Signal(
                    rule="email_random",
                    strength=0.3,
                    summary="E-mail local part looks machine-generated",
                    evidence={"local_part": parsed.local},
                )
            )
        return signals


CHECKS: list[Check] = [PhoneCheck(), EmailCheck()]
