"""``offer.shipping`` and ``offer.payment``: where do the laptop and the salary go?

Facilitators in the US and elsewhere receive company laptops and keep them running in
"laptop farms" (State/Treasury/FBI 2022 [G1]; FBI PSA 2025-07 [G5]; DOJ searched 29 farms
[G9]); salaries go to accounts in other names, abroad, via payment services or crypto
(FBI PSA 2023 [G2]; FBI 2025 on frequent payout changes [G4]; GTIG on Wise, Payoneer and
crypto [V2]). These are the strongest behavioural tells in the catalogue, because they are
how the scheme is paid — but each one alone stays below ``high``.

Benign look-alikes: an office or co-working space in the candidate's own city (read as
almost nothing), a recent move to another city (why another city is strong, not maximal),
freelancers paid through Wise/Payoneer in another country (the bank-country rule is much
weaker for payment services), expats keeping a home bank, joint and married-name accounts
(a shared name token, or any of the candidate's ``other_names``, is compatible). The
interviewer's ``asked_*`` observations are scored here only, not in ``interview``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from rapidfuzz import fuzz

from vetbot.checks import sources
from vetbot.checks.base import Check, Evidence, Signal
from vetbot.checks.context import CheckContext
from vetbot.models.profile import Address, Profile
from vetbot.normalize.address import address_tokens, normalize_address
from vetbot.normalize.country import country_name, to_alpha2

SAME_PLACE_JACCARD = 0.8
CITY_SPELLING = 85.0  # rapidfuzz ratio: exonyms and transliterations of one city
_POSTCODE_DASH = re.compile(r"(?<=\d)-(?=\d)")  # 80-827 and 80827 are one postcode


def _country(value: Address | str) -> str | None:
    """Country of an address; for free text, the last comma-separated part that is one."""
    if isinstance(value, Address):
        return to_alpha2(value.country)
    for part in reversed(value.split(",")[-2:]):
        code = to_alpha2(part.strip())
        if code:
            return code
    return None


def _tokens(value: Address | str, *, city: bool = True) -> set[str]:
    """Folded tokens of street, postcode and (unless ``city=False``) city; never the country,
    which is compared as ISO codes so that ``PL`` and ``Poland`` agree."""
    if isinstance(value, str):
        parts = value.split(",")
        if len(parts) > 1 and to_alpha2(parts[-1].strip()):
            parts = parts[:-1]
        text = ",".join(parts)
    else:
        fields = (value.line1, value.line2, value.postcode, value.city if city else None)
        text = " ".join(p for p in fields if p)
    return set(address_tokens(_POSTCODE_DASH.sub("", text)))


def _city(value: Address | str) -> str:
    return normalize_address(value).city if isinstance(value, Address) else ""


def _same_city(home: Address | str, ship: Address | str, home_city: str) -> bool | None:
    """True/False when decidable; ``None`` when neither side says its city. One postcode, or
    spellings as close as ``Warszawa``/``Warsaw``, are one city."""
    if isinstance(home, Address) and isinstance(ship, Address):
        home_pc, ship_pc = normalize_address(home).postcode, normalize_address(ship).postcode
        if home_pc and home_pc == ship_pc:
            return True
    a, b = _city(home) or home_city, _city(ship)
    if a and b:
        return a == b or fuzz.ratio(a, b) >= CITY_SPELLING
    # free text: the named city's tokens appear in the other side's text
    named, text = (a, _tokens(ship)) if a else (b, _tokens(home))
    if named:
        return set(named.split()) <= text
    return None


class Shipping(Check):
    """Weight 50, strong evidence [G5][G1][G9]. Strengths (points at the default weight):

    - ``other_country`` 1.0 (50) — the laptop goes to another country than home;
    - ``asked_ship_elsewhere`` 0.8 (40) — the candidate asked to ship elsewhere;
    - ``other_city`` 0.6 (30) — another city in the same country (moving house explains some:
      2 of 190 genuine dev-set candidates), so alone it stays below medium;
    - ``other_address_unknown_city`` 0.4 (20) — different address, city not decidable;
    - ``same_city_other_address`` 0.1 (5) — another address in the same city: an office or
      co-working space is normal, so this is shown for the reviewer, not a finding by itself.
    Without a home address, the shipping address is compared with the claimed ``location``.
    """

    id: ClassVar[str] = "offer.shipping"
    inline: ClassVar[bool] = True  # local: runs in the vetting task (see Check.inline)
    title: ClassVar[str] = "The laptop ships to where the candidate lives"
    weight: ClassVar[int] = 50
    evidence: ClassVar[Evidence] = Evidence.STRONG
    inputs: ClassVar[tuple[str, ...]] = ("shipping_address", "interview.asked_ship_elsewhere")
    source: ClassVar[str] = sources.G5

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        signals: list[Signal] = []
        if profile.interview and profile.interview.asked_ship_elsewhere:
            signals.append(
                Signal(
                    rule="asked_ship_elsewhere",
                    summary="Candidate asked for the laptop to be shipped somewhere other than home",
                    strength=0.8,
                    evidence={"interview.asked_ship_elsewhere": True},
                )
            )
        ship = profile.shipping_address
        home: Address | str | None = profile.home_address
        if home is None and profile.location and (profile.location.city or profile.location.country):
            home = Address(city=profile.location.city, country=profile.location.country)
        if ship is None or home is None:
            return signals
        found = _compare(home, ship, profile)
        if found:
            signals.append(found)
        return signals


def _compare(home: Address | str, ship: Address | str, profile: Profile) -> Signal | None:
    basis = "home_address" if profile.home_address is not None else "location"
    claimed = profile.location.country if profile.location else None
    hc = _country(home) or to_alpha2(claimed)
    sc = _country(ship)
    evidence = {"compared_with": basis, "home_country": hc, "shipping_country": sc}
    if hc and sc and hc != sc:
        summary = f"Laptop would ship to {country_name(sc)}; home is in {country_name(hc)}"
        return Signal("other_country", summary, 1.0, evidence)
    home_city = " ".join(address_tokens(profile.location.city or "")) if profile.location else ""
    same = _same_city(home, ship, home_city)
    evidence |= {"home_city": _city(home) or home_city or None, "shipping_city": _city(ship) or None}
    if same is True and basis == "location":
        return None  # in the claimed city; without a home address there is nothing more to compare
    # two structured addresses: compare street and postcode, the city was judged above
    city = not (isinstance(home, Address) and isinstance(ship, Address))
    home_tokens, ship_tokens = _tokens(home, city=city), _tokens(ship, city=city)
    overlap = len(home_tokens & ship_tokens) / max(1, len(home_tokens | ship_tokens))
    if same is not False and (ship_tokens <= home_tokens or overlap >= SAME_PLACE_JACCARD):
        return None
    if same is False:
        return Signal("other_city", "Laptop would ship to another city than home", 0.6, evidence)
    if same is None:
        summary = "Laptop would ship to another address; its city could not be compared"
        return Signal("other_address_unknown_city", summary, 0.4, evidence)
    summary = "Laptop would ship to another address in the home city (office or co-working?)"
    return Signal("same_city_other_address", summary, 0.1, evidence)


class Payment(Check):
    """Weight 50, strong evidence [G2][G4][V2]. Strengths (points at the default weight):

    - ``asked_payment_change`` 0.8 (40) — the candidate asked to change the payout [G4];
    - an account holder who is not the candidate (pay to a third party) is scored once, by
      ``identity.name_consistency`` (rule ``account_holder``, 40 points): one fact, one score;
    - ``crypto`` 0.6 (30) — salary to a crypto wallet;
    - ``bank_country`` — payout bank outside the claimed country: 0.4 (20) for a bank or
      other method, 0.15 (8) through a payment service (freelancers use Wise/Payoneer
      accounts abroad every day).
    """

    id: ClassVar[str] = "offer.payment"
    inline: ClassVar[bool] = True  # local: runs in the vetting task (see Check.inline)
    title: ClassVar[str] = "Salary goes to the candidate, in the claimed country"
    weight: ClassVar[int] = 50
    evidence: ClassVar[Evidence] = Evidence.STRONG
    inputs: ClassVar[tuple[str, ...]] = ("payment", "interview.asked_payment_change")
    source: ClassVar[str] = sources.G2

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        signals: list[Signal] = []
        if profile.interview and profile.interview.asked_payment_change:
            summary = "Candidate asked to change where or how the salary is paid"
            evidence = {"interview.asked_payment_change": True}
            signals.append(Signal("asked_payment_change", summary, 0.8, evidence, sources.G4))
        pay = profile.payment
        if pay is None:
            return signals
        if pay.method == "crypto":
            signals.append(Signal("crypto", "Salary to be paid in crypto", 0.6, {"method": "crypto"}))
        bank = to_alpha2(pay.bank_country)
        home = to_alpha2(profile.location.country) if profile.location else None
        if bank and home and bank != home and pay.method != "crypto":
            strength = 0.15 if pay.method == "payment_service" else 0.4
            summary = f"Payout account is in {country_name(bank)}; candidate claims {country_name(home)}"
            bank_evidence = {"bank_country": bank, "claimed_country": home, "method": pay.method}
            signals.append(Signal("bank_country", summary, strength, bank_evidence, sources.V2))
        return signals


CHECKS: list[Check] = [Shipping(), Payment()]
