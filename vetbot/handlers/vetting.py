"""The vetting service: profile → engine → result → storage, in one transaction.

Every entry point (CLI, batch, shell, Slack, Teams) vets through here, so a vetting is
always stored with the settings version it used and its identifiers indexed for reuse.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from vetbot.checks.context import CheckContext
from vetbot.checks.engine import Engine
from vetbot.checks.registry import Registry
from vetbot.checks.settings import ScoringSettings
from vetbot.config import Config
from vetbot.models.parsing import ParsedProfile
from vetbot.models.result import VettingResult
from vetbot.normalize.identifiers import account_key, extract_identifiers
from vetbot.storage import repository
from vetbot.storage.database import Database
from vetbot.storage.store_view import SqlStoreView


@dataclass(frozen=True, slots=True)
class Vetted:
    result: VettingResult
    candidate_key: str


class VettingService:
    def __init__(self, db: Database, config: Config, registry: Registry | None = None) -> None:
        self.db = db
        self.config = config
        self.registry = registry or Registry.default()
        self.engine = Engine(self.registry, default_timeout=config.check_timeout)

    async def settings(self) -> ScoringSettings:
        async with self.db.session() as session:
            return await repository.current_settings(session)

    async def vet(self, parsed: ParsedProfile, *, requester: str | None = None) -> Vetted:
        async with self.db.session() as session:
            settings = await repository.current_settings(session)
            return await self._vet_in(session, parsed, settings, requester)

    async def vet_many(
        self, items: Iterable[ParsedProfile | Any], *, requester: str | None = None, chunk: int = 200
    ) -> AsyncIterator[Vetted | Any]:
        """Vet in input order; each profile sees every earlier one (same transaction until a
        chunk commits). Items that are not ``ParsedProfile`` pass through untouched, so a batch
        can interleave its bad records and keep their place."""
        iterator = iter(items)
        done = False
        while not done:
            async with self.db.session() as session:
                settings = await repository.current_settings(session)
                view = SqlStoreView(session)
                for _ in range(chunk):
                    item = next(iterator, _END)
                    if item is _END:
                        done = True
                        break
                    if isinstance(item, ParsedProfile):
                        yield await self._vet_in(session, item, settings, requester, view)
                    else:
                        yield item

    async def _vet_in(
        self,
        session: AsyncSession,
        parsed: ParsedProfile,
        settings: ScoringSettings,
        requester: str | None,
        view: SqlStoreView | None = None,
    ) -> Vetted:
        profile = parsed.profile
        key = await repository.upsert_candidate(
            session,
            external_id=profile.id,
            name=profile.name,
            profile=storable_profile(parsed, self.config.secret_bytes),
        )
        context = CheckContext(store=view or SqlStoreView(session), candidate_key=key)
        result = await self.engine.vet(profile, settings=settings, context=context, warnings=parsed.warnings)
        await repository.save_vetting(
            session,
            candidate_key=key,
            result=result,
            settings_version=settings.version,
            requester=requester,
            identifiers=list(extract_identifiers(profile, self.config.secret_bytes)),
        )
        return Vetted(result=result, candidate_key=key)


def storable_profile(parsed: ParsedProfile, secret: bytes) -> dict[str, Any]:
    """The profile as stored: payout account ids only as keyed hashes (spec: never in clear)."""
    data = parsed.profile.model_dump(mode="json", exclude_none=True)
    payment = data.get("payment")
    if isinstance(payment, dict) and payment.get("account_id"):
        payment["account_id"] = "hmac:" + account_key(secret, str(payment["account_id"]))
    return data


_END: Any = object()
