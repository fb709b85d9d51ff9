"""``history.references``: are the referees reachable as the people they are said to be?

GTIG saw DPRK IT workers supply fabricated references [V2]; a referee the operator controls
is reached through a channel the operator controls. Three tests, from strong to weak:

- the referee's e-mail or phone *is the candidate's own* (after Gmail dot/``+tag`` folding
  and E.164): the candidate is vouching for themself — hard to explain innocently;
- the referee's e-mail is at a near-miss spelling of the employer's name
  (``espinozafrazie.net`` for Espinoza-Frazier): perhaps a lookalike someone registered,
  perhaps a real firm that shortened its name — so it is worth little on its own;
- the referee names a company but writes from free webmail, or from a domain that has
  nothing to do with the company: weak, because small firms run on Gmail, people leave
  firms and give a private address, and corporate domains are often brand names.

Nothing here reads the referee's or the candidate's name, language or country.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import ClassVar

from rapidfuzz import fuzz

from vetbot.checks import sources
from vetbot.checks.base import Check, Evidence, Signal
from vetbot.checks.context import CheckContext
from vetbot.models.profile import Profile, Reference
from vetbot.normalize.country import to_alpha2
from vetbot.normalize.email import canonical_email, parse_email
from vetbot.normalize.phone import to_e164
from vetbot.normalize.text import fold

FREE_MAIL_FILE = "free_mail_domains.txt"
_FREE_MAIL_BRANDS = ("yahoo.", "hotmail.", "outlook.", "live.")
# Legal-form and filler words that never name a company (``Sp. z o.o.``, ``GmbH``, ``Inc``).
_LEGAL_WORDS = (
    "inc llc ltd limited plc gmbh ag kg sa sas sarl srl spa bv nv oy ab as aps sp z o oo k kk pty"
    " pvt co corp corporation company group holding holdings the and of"
)
_LEGAL = frozenset(_LEGAL_WORDS.split())
_SELF = re.compile(r"\b(self[- ]employed|freelance\w*|independent|own company|personal)\b")
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or"})
LOOKALIKE_RATIO = 80.0


@cache
def free_mail_domains() -> frozenset[str]:
    """Free webmail domains from ``vetbot/data`` (admins may extend the file)."""
    text = resources.files("vetbot").joinpath("data", FREE_MAIL_FILE).read_text("utf-8")
    lines = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line)


def is_free_mail(domain: str) -> bool:
    return domain in free_mail_domains() or domain.startswith(_FREE_MAIL_BRANDS)


def company_tokens(company: str) -> tuple[str, ...]:
    tokens = re.sub(r"[^a-z0-9]+", " ", fold(company)).split()
    return tuple(t for t in tokens if t not in _LEGAL)


def domain_labels(domain: str) -> list[str]:
    """Labels that could carry a company's name: ``mail.acme.co.uk`` → ``["mail", "acme"]``."""
    labels = domain.split(".")[:-1]
    if len(labels) > 1 and labels[-1] in _SECOND_LEVEL:
        labels = labels[:-1]
    return [label.replace("-", "") for label in labels]


def domain_relation(company: str, domain: str) -> str:
    """``"match"``, ``"lookalike"`` (a near-miss spelling) or ``"unrelated"``."""
    tokens = company_tokens(company)
    if not tokens:
        return "match"  # nothing to compare against
    joined = "".join(tokens)
    prefixes = {"".join(tokens[:k]) for k in range(1, len(tokens) + 1)}
    acronym = "".join(t[0] for t in tokens) if len(tokens) > 1 else ""
    best = 0.0
    for label in domain_labels(domain):
        if label in tokens or label in prefixes or label == acronym:
            return "match"
        head = max((p for p in prefixes if len(p) >= 3 and label.startswith(p)), key=len, default="")
        if head:
            rest, expected = label[len(head) :], joined[len(head) :]
            # datadog → datadoghq, allegro → allegrogroup: a suffix, not a misspelt next word
            if not expected or fuzz.ratio(rest, expected) < LOOKALIKE_RATIO:
                return "match"
        best = max(best, fuzz.ratio(label, joined))
    return "lookalike" if best >= LOOKALIKE_RATIO else "unrelated"


class References(Check):
    """Weight 35, moderate evidence (GTIG [V2]). Strengths (points at the default weight):

    - ``shares_candidate_contact`` 1.0 (35) — a referee's e-mail or phone is the candidate's;
    - ``lookalike_domain`` 0.3 (11) — referee e-mail at a near-miss of the employer's name
      (kept low: on the dev set truncated-but-real domains, ``taylorwilliams.io`` for
      Taylor-Williamson, were as common among genuine candidates as among fakes);
    - ``webmail_for_company`` 0.5 (18) — referee at a named company writes from webmail. On
      the dev set this hit 31 % of fakes and 7 % of genuine candidates (likelihood ratio ≈ 4.5):
      worth corroborating points, never a band on its own (small firms do use Gmail);
    - ``domain_unrelated`` 0.15 (5) — the domain shares nothing with the company's name.
    One signal per rule listing every referee it applies to: corroboration, not a pile-up.
    Self-employed/freelance "companies" are not expected to have a domain.
    """

    id: ClassVar[str] = "history.references"
    inline: ClassVar[bool] = True  # local: runs in the vetting task (see Check.inline)
    title: ClassVar[str] = "Referees are reachable at their employer, not through the candidate"
    weight: ClassVar[int] = 35
    evidence: ClassVar[Evidence] = Evidence.MODERATE
    inputs: ClassVar[tuple[str, ...]] = ("references.email", "references.phone")
    source: ClassVar[str] = sources.V2

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        region = to_alpha2(profile.location.country) if profile.location else None
        own_email = canonical_email(profile.email) if profile.email else None
        own_phone = to_e164(profile.phone, region) if profile.phone else None
        shared: list[dict[str, str]] = []
        found: dict[str, list[dict[str, str]]] = {"lookalike": [], "webmail": [], "unrelated": []}
        for i, ref in enumerate(profile.references):
            who = ref.name or f"reference {i + 1}"
            if own_email and ref.email and canonical_email(ref.email) == own_email:
                shared.append({"reference": who, "field": "email", "value": own_email})
            if own_phone and ref.phone and to_e164(ref.phone, region) == own_phone:
                shared.append({"reference": who, "field": "phone", "value": own_phone})
            kind, item = _domain_finding(ref, who)
            if kind:
                found[kind].append(item)
        signals: list[Signal] = []
        if shared:
            signals.append(
                Signal(
                    rule="shares_candidate_contact",
                    summary="A referee's contact details are the candidate's own "
                    + ", ".join(sorted({s["field"] for s in shared})),
                    strength=1.0,
                    evidence={"matches": shared},
                )
            )
        for kind, rule, strength, summary in _DOMAIN_RULES:
            if found[kind]:
                signals.append(
                    Signal(
                        rule=rule,
                        summary=summary.format(n=len(found[kind])),
                        strength=strength,
                        evidence={"references": found[kind]},
                        source=sources.G1 if kind == "lookalike" else sources.V2,
                    )
                )
        return signals


_DOMAIN_RULES = (
    ("lookalike", "lookalike_domain", 0.3, "{n} referee e-mail(s) at a near-miss of the employer's name"),
    ("webmail", "webmail_for_company", 0.5, "{n} referee(s) at a named company write from free webmail"),
    ("unrelated", "domain_unrelated", 0.15, "{n} referee e-mail domain(s) unrelated to their company"),
)


def _domain_finding(ref: Reference, who: str) -> tuple[str | None, dict[str, str]]:
    parsed = parse_email(ref.email) if ref.email else None
    if parsed is None or not ref.company or _SELF.search(fold(ref.company)):
        return None, {}
    item = {"reference": who, "company": ref.company, "domain": parsed.domain}
    if is_free_mail(parsed.domain):
        return "webmail", item
    relation = domain_relation(ref.company, parsed.domain)
    return (None if relation == "match" else relation), item


CHECKS: list[Check] = [References()]
