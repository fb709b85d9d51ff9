"""``watchlist.*``: the candidate against admin-imported sanctions and indicator lists.

Three checks, as the public record supports them (signals.md, Watchlists):
- ``watchlist.identifier``: an e-mail, phone, e-mail domain, GitHub handle, crypto wallet or
  address equal to a listed one — near-conclusive (DOJ seizures and indicators [G9];
  community lists such as tayvano's [C3] are shown as such through their provenance).
- ``watchlist.employer``: a ``work_history`` company equal to a designated front (OFAC
  designations of IT-worker fronts [G8]); equality after folding case, punctuation and legal
  form — a shared word is not a match.
- ``watchlist.name``: a listed name matching the candidate's (romanisation-aware, see
  ``vetbot.matching``). Weak alone: namesakes are common and a few family names are shared
  by millions, so only a date of birth, contact or address of the *same listed entity*
  raises it. The same rules run on every name; nothing here reads where a name comes from.

Every finding names the list, the entry, the list's source and import date, and the quality
of the match. With no list imported (or no database) the checks are ``skipped``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from vetbot.checks import sources
from vetbot.checks.base import Check, Evidence, Signal, SkipCheck
from vetbot.checks.context import CheckContext, StoreView, WatchlistHit
from vetbot.checks.watchlist_keys import dob_of, profile_keys
from vetbot.models.profile import Profile
from vetbot.watchlist_formats.values import to_employer

NO_LIST = "no watchlist imported"
IDENTIFIER_STRENGTH = {
    "email": 1.0,
    "wallet": 1.0,
    "github": 1.0,
    "domain": 0.9,
    "phone": 0.85,
    "address": 0.8,
}
NAME_ONLY = 0.25  # a namesake: never medium on its own
BIRTH_YEAR = 0.45
BIRTH_DATE = 0.75
CONTACT = 1.0
MAX_FINDINGS = 5


async def _store(context: CheckContext) -> StoreView:
    """The store, if any list is imported; otherwise the check is skipped."""
    store = context.store
    if store is None or not hasattr(store, "watchlists") or not await store.watchlists():
        raise SkipCheck(NO_LIST)
    return store


def provenance(hit: WatchlistHit) -> dict[str, str | None]:
    return {
        "list": hit.list_name,
        "entity_id": hit.entity_id,
        "entry": hit.display,
        "programme": hit.programme,
        "note": hit.note,
        "list_source": hit.source,
        "imported_at": hit.imported_at.isoformat(timespec="seconds") if hit.imported_at else None,
    }


def _imported(hit: WatchlistHit) -> str:
    return hit.imported_at.date().isoformat() if hit.imported_at else "unknown date"


class WatchlistIdentifierCheck(Check):
    """Weight 85, strong. One exact hit alone lands in ``high``: a listed inbox, wallet or
    handle is the strongest tie to a known operation there is. Strength by kind: e-mail,
    wallet, GitHub 1.0; e-mail domain 0.9 (free-mail domains are never looked up); phone
    0.85 (numbers are recycled); address 0.8 (a listed building can house others).
    Benign look-alikes: recycled numbers; unverified community rows (shown by provenance)."""

    id: ClassVar[str] = "watchlist.identifier"
    inline: ClassVar[bool] = True  # local: runs in the vetting task (see Check.inline)
    title: ClassVar[str] = "No identifier is on an imported watchlist"
    weight: ClassVar[int] = 85
    evidence: ClassVar[Evidence] = Evidence.STRONG
    inputs: ClassVar[tuple[str, ...]] = (
        "email",
        "phone",
        "github",
        "online_accounts",
        "payment.account_id",
        "home_address",
        "shipping_address",
    )
    source: ClassVar[str] = sources.G9
    rationale: ClassVar[str] = __doc__ or ""

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        store = await _store(context)
        keys = profile_keys(profile)
        if not keys:
            raise SkipCheck("no identifier in a comparable form")
        hits = await store.watchlist_exact([(k, v) for k, v, _ in keys])
        labels = {(k, v): label for k, v, label in keys}
        signals = []
        for hit in sorted(hits, key=lambda h: (-IDENTIFIER_STRENGTH.get(h.kind, 0.5), h.list_name))[
            :MAX_FINDINGS
        ]:
            label = labels.get((hit.kind, hit.value), hit.kind)
            signals.append(
                Signal(
                    rule=f"exact_{hit.kind}",
                    strength=IDENTIFIER_STRENGTH.get(hit.kind, 0.5),
                    summary=(
                        f"{label} is listed on watchlist {hit.list_name!r} "
                        f"(entry {hit.display!r}; {hit.source or 'no source'}, imported {_imported(hit)})"
                    ),
                    evidence={"match": "exact", "kind": hit.kind, "field": label, **provenance(hit)},
                    source=sources.C3 if "unverified" in (hit.note or "").lower() else sources.G9,
                )
            )
        return signals


class WatchlistEmployerCheck(Check):
    """Weight 75, strong. A past employer that *is* a designated IT-worker front (Yanbian
    Silverstar, Volasys Silver Star, Chinyong…) reaches ``high`` alone. Equality of the
    folded name only (case, punctuation, ``Co., Ltd.``): similar words never match.
    Benign look-alikes: other firms with similar words, which this rule leaves alone."""

    id: ClassVar[str] = "watchlist.employer"
    inline: ClassVar[bool] = True  # local: runs in the vetting task (see Check.inline)
    title: ClassVar[str] = "No past employer is a designated front company"
    weight: ClassVar[int] = 75
    evidence: ClassVar[Evidence] = Evidence.STRONG
    inputs: ClassVar[tuple[str, ...]] = ("work_history.company",)
    source: ClassVar[str] = sources.G8
    rationale: ClassVar[str] = __doc__ or ""

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        store = await _store(context)
        companies: dict[str, str] = {}
        for job in profile.work_history:
            if job.company and (key := to_employer(job.company)):
                companies.setdefault(key, job.company)
        hits = await store.watchlist_exact([("employer", k) for k in companies])
        return [
            Signal(
                rule="designated_employer",
                summary=(
                    f"employer {companies.get(hit.value, hit.display)!r} is listed on {hit.list_name!r} "
                    f"as {hit.display!r}" + (f" ({hit.programme})" if hit.programme else "")
                ),
                evidence={"match": "exact", "company": companies.get(hit.value), **provenance(hit)},
            )
            for hit in hits[:MAX_FINDINGS]
        ]


class WatchlistNameCheck(Check):
    """Weight 60, weak alone. A listed name matching the candidate's (score ≥ 90 on
    romanisation-folded names) earns 0.25 (15 points: never ``medium`` alone — a shared
    common surname never even matches); the same listed entity's birth year raises it to
    0.45, its full date of birth to 0.75, its e-mail, phone, wallet, handle or address to 1.0.
    The date of birth is read from an optional ``date_of_birth`` profile field.
    Benign look-alikes: namesakes; romanisation collisions (Kim Jung Eun / Kim Jong Un)."""

    id: ClassVar[str] = "watchlist.name"
    inline: ClassVar[bool] = True  # local: runs in the vetting task (see Check.inline)
    title: ClassVar[str] = "The name is not on an imported sanctions list"
    weight: ClassVar[int] = 60
    evidence: ClassVar[Evidence] = Evidence.WEAK
    inputs: ClassVar[tuple[str, ...]] = ("name",)
    source: ClassVar[str] = sources.G8
    rationale: ClassVar[str] = __doc__ or ""
    timeout: ClassVar[float | None] = 120.0  # the first call per process builds the name index

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        store = await _store(context)
        hits = await store.watchlist_names([profile.name, *profile.other_names])
        mine = {(k, v): label for k, v, label in profile_keys(profile)}
        dob = dob_of(profile)
        best: dict[tuple[str, str], Signal] = {}
        for hit in hits:
            strength, corroboration = NAME_ONLY, []
            for other in hit.entity:
                if (other.kind, other.value) in mine:
                    strength = max(strength, CONTACT)
                    corroboration.append(f"{mine[(other.kind, other.value)]} equals listed {other.kind}")
                elif other.kind == "dob" and dob and other.value == dob:
                    strength = max(strength, BIRTH_DATE if len(dob) == 10 else BIRTH_YEAR)
                    corroboration.append("date of birth equals listed")
                elif other.kind == "dob" and dob and len(other.value) == 4 and dob[:4] == other.value:
                    strength = max(strength, BIRTH_YEAR)
                    corroboration.append("birth year equals listed")
            key = (hit.entry.list_name, hit.entry.entity_id)
            if key in best and best[key].strength >= strength:
                continue
            quality = (
                "same name after romanisation folding" if hit.score >= 100 else f"similarity {hit.score:g}"
            )
            summary = (
                f"name {hit.query!r} matches {hit.entry.display!r} on {hit.entry.list_name!r} ({quality}); "
                + (
                    "corroborated: " + ", ".join(corroboration)
                    if corroboration
                    else "name only, uncorroborated"
                )
            )
            best[key] = Signal(
                rule="corroborated_name" if corroboration else "name_only",
                strength=strength,
                summary=summary,
                evidence={
                    "match": "fuzzy",
                    "score": hit.score,
                    "query": hit.query,
                    "corroboration": corroboration,
                    **provenance(hit.entry),
                },
            )
        return sorted(best.values(), key=lambda s: -s.strength)[:MAX_FINDINGS]


CHECKS: tuple[Check, ...] = (WatchlistIdentifierCheck(), WatchlistEmployerCheck(), WatchlistNameCheck())
