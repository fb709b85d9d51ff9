"""The vetting service: profile → engine → result → storage, in one transaction.

Every entry point (CLI, batch, shell, Slack, Teams) vets through here, so a vetting is
always stored with the settings version it used and its identifiers indexed for reuse.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from vetbot.checks.context import CheckContext
from vetbot.checks.engine import Engine
from vetbot.checks.registry import Registry
from vetbot.checks.reuse_lookup import IDENTIFIERS_KEY, LOOKUP_KEYS_KEY, lookup_keys_for
from vetbot.checks.settings import ScoringSettings
from vetbot.config import Config
from vetbot.models.parsing import ParsedProfile
from vetbot.models.result import VettingResult
from vetbot.normalize.identifiers import account_key, extract_identifiers, keyed_hash
from vetbot.storage import repository
from vetbot.storage.batch_writer import BatchWriter
from vetbot.storage.database import Database
from vetbot.storage.repository import new_key
from vetbot.storage.store_view import SqlStoreView


@dataclass(frozen=True, slots=True)
class _Identified:
    identifiers: list[tuple[str, str]]
    lookup_keys: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Vetted:
    result: VettingResult
    candidate_key: str


class VettingService:
    def __init__(self, db: Database, config: Config, registry: Registry | None = None) -> None:
        self.db = db
        self.config = config
        # network providers as the configuration says (off unless the environment turns them on)
        self.registry = Registry.default(providers=config.providers) if registry is None else registry
        self.engine = Engine(self.registry, default_timeout=config.check_timeout)

    async def settings(self) -> ScoringSettings:
        async with self.db.session() as session:
            return await repository.current_settings(session)

    async def vet(self, parsed: ParsedProfile, *, requester: str | None = None) -> Vetted:
        async for item in self.vet_many([parsed], requester=requester, chunk=1):
            assert isinstance(item, Vetted)
            return item
        raise AssertionError("vet_many yielded nothing for one profile")

    async def vet_many(
        self, items: Iterable[ParsedProfile | Any], *, requester: str | None = None, chunk: int = 200
    ) -> AsyncIterator[Vetted | Any]:
        """Vet in input order; each profile sees every earlier one, including earlier lines of
        the same chunk (through the batch writer's overlay). Items that are not
        ``ParsedProfile`` pass through untouched, so a batch keeps its bad records in place.

        Results are yielded after their chunk commits: what the caller sees is stored.
        """
        await self.engine.warm_up()  # load bundled data once, not inside the first profile's timeout
        iterator = iter(items)
        while batch := list(islice(iterator, chunk)):
            done: list[Vetted | Any] = []
            async with self.db.session() as session:
                settings = await repository.current_settings(session)
                writer = BatchWriter(session)
                await writer.prefetch(
                    [p.profile.id for p in batch if isinstance(p, ParsedProfile) and p.profile.id]
                )
                view = SqlStoreView(session, writer)
                prepared = [
                    self._identify(item) if isinstance(item, ParsedProfile) else None for item in batch
                ]
                if len(batch) > 1:  # one round of lookups for the chunk, not one per profile
                    await view.preload(key for p in prepared if p is not None for key in p.lookup_keys)
                for item, ids in zip(batch, prepared, strict=True):
                    if isinstance(item, ParsedProfile) and ids is not None:
                        done.append(await self._vet_in(writer, view, item, settings, requester, ids))
                    else:
                        done.append(item)
                await writer.flush()
            for item in done:
                yield item

    async def vet_in(
        self, session: AsyncSession, parsed: ParsedProfile, *, requester: str | None = None
    ) -> Vetted:
        """Vet inside the caller's transaction, so the vetting commits with whatever the caller
        records alongside it (a chat job's outcome): no orphan vetting survives a crash."""
        vetted, writer = await self.prepare(session, parsed, requester=requester)
        await writer.flush()
        return vetted

    async def prepare(
        self, session: AsyncSession, parsed: ParsedProfile, *, requester: str | None = None
    ) -> tuple[Vetted, BatchWriter]:
        """Run the checks reading through ``session`` (may be read-only) and return the result
        with its rows still buffered: the caller flushes them with ``writer.flush(into=…)`` in
        the write transaction that also records its own outcome."""
        settings = await repository.current_settings(session)
        writer = BatchWriter(session)
        if parsed.profile.id:
            await writer.prefetch([parsed.profile.id])
        view = SqlStoreView(session, writer)
        vetted = await self._vet_in(writer, view, parsed, settings, requester, self._identify(parsed))
        return vetted, writer

    def _identify(self, parsed: ParsedProfile) -> _Identified:
        """Identifiers extracted once: indexed as they are, and looked up by the reuse checks."""
        identifiers = list(extract_identifiers(parsed.profile, self.config.secret_bytes))
        return _Identified(identifiers, lookup_keys_for(identifiers))

    async def _vet_in(
        self,
        writer: BatchWriter,
        view: SqlStoreView,
        parsed: ParsedProfile,
        settings: ScoringSettings,
        requester: str | None,
        ids: _Identified,
    ) -> Vetted:
        profile = parsed.profile
        existing = await writer.candidate_key(profile.id)
        # a new candidate gets its key now, so checks can exclude it from its own reuse lookups
        key = existing or new_key()
        # reuse checks look up exactly what is indexed (incl. the keyed payout hash)
        context = CheckContext(
            store=view,
            candidate_key=key,
            extras={IDENTIFIERS_KEY: ids.identifiers, LOOKUP_KEYS_KEY: ids.lookup_keys},
        )
        result = await self.engine.vet(profile, settings=settings, context=context, warnings=parsed.warnings)
        writer.add(
            candidate_key=key,
            is_new=existing is None,
            external_id=profile.id,
            name=profile.name,
            profile=storable_profile(parsed, self.config.secret_bytes),
            result=result,
            settings_version=settings.version,
            requester=requester,
            identifiers=ids.identifiers,
        )
        return Vetted(result=result, candidate_key=key)


def storable_profile(parsed: ParsedProfile, secret: bytes) -> dict[str, Any]:
    """The profile as stored: payout account ids and postal addresses only as keyed hashes.

    The spec keeps account ids out of storage, and the admin issue addresses too: reuse
    needs only equality (the identifier index holds keyed building/flat keys), and the
    findings carry cities and countries, not streets. The ATS stays the system of record."""
    data = parsed.profile.model_dump(mode="json", exclude_none=True)
    payment = data.get("payment")
    if isinstance(payment, dict) and payment.get("account_id"):
        payment["account_id"] = "hmac:" + account_key(secret, str(payment["account_id"]))
    for field in ("home_address", "shipping_address"):
        if field in data:
            data[field] = "hmac:" + keyed_hash(secret, json.dumps(data[field], sort_keys=True))
    return data
