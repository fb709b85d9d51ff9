"""Shared data and helpers of the admin tests: a candidate on the high band's edge, a full-text scan."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import MetaData, select

from vetbot.handlers.admin import AdminHandler
from vetbot.handlers.api import ErrorReply, Reply
from vetbot.handlers.vetting import Vetted, VettingService
from vetbot.models.parsing import parse_profile
from vetbot.storage.database import Database

ADMIN, ADMIN2 = "shell:alice", "slack:UADMIN2"
SECURITY, REQUESTER, VIEWER, NOBODY = "slack:USEC", "slack:UREQ", "teams:29:1view", "slack:UNONE"
ADMINS = frozenset({ADMIN, ADMIN2})

NAME, EMAIL, PHONE = "Jan Kowalski", "jan.kowalski@example.com", "+48 601 234 567"
PHONE_E164 = "+48601234567"

# Scores 60 under the defaults (shipping abroad 50, bank abroad 20): high at the default
# high=60, medium at high=65 — the threshold test moves exactly this candidate.
PROFILE: dict[str, Any] = {
    "id": "ats-1",
    "name": NAME,
    "email": EMAIL,
    "phone": PHONE,
    "location": {"city": "Warsaw", "country": "PL"},
    "home_address": {"line1": "ul. Prosta 51", "city": "Warszawa", "postcode": "00-838", "country": "PL"},
    "shipping_address": {
        "line1": "4821 Oak Hollow Dr",
        "city": "Dallas",
        "region": "TX",
        "postcode": "75201",
        "country": "US",
    },
    "references": [{"name": "Anna Nowak", "email": "anna.nowak@allegro.pl", "relationship": "manager"}],
    "payment": {
        "method": "bank",
        "account_holder": NAME,
        "bank_country": "HK",
        "account_id": "PL61109010140000071219812874",
    },
}

OTHER: dict[str, Any] = {
    "id": "ats-2",
    "name": "Maria Silva",
    "email": "maria.silva@example.org",
    "phone": "+55 11 98765 4321",
    "location": {"city": "São Paulo", "country": "BR"},
}


def profile(**changes: Any) -> dict[str, Any]:
    return {**PROFILE, **changes}


async def vet(service: VettingService, data: dict[str, Any], requester: str = REQUESTER) -> Vetted:
    return await service.vet(parse_profile(data), requester=requester)


def admin_handler(service: VettingService) -> AdminHandler:
    return AdminHandler(service, admins=ADMINS)


async def ok(handler: AdminHandler, actor: str, text: str) -> str:
    reply = await handler.handle(actor, text)
    assert isinstance(reply, Reply), f"{text!r} by {actor}: {reply}"
    return reply.text


async def refused(handler: AdminHandler, actor: str, text: str) -> str:
    reply = await handler.handle(actor, text)
    assert isinstance(reply, ErrorReply), f"{text!r} by {actor} was not refused: {reply}"
    return reply.message


async def scan(db: Database, *needles: str) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every text or JSON value in EVERY table containing a needle."""
    hits: list[tuple[str, str, str]] = []
    lowered = [n.lower() for n in needles]
    async with db.engine.connect() as conn:
        meta = MetaData()
        await conn.run_sync(meta.reflect)
        for table in meta.sorted_tables:
            for row in (await conn.execute(select(table))).mappings():
                for column, value in row.items():
                    text = (
                        value
                        if isinstance(value, str)
                        else json.dumps(value, ensure_ascii=False, default=str)
                    )
                    for needle in lowered:
                        if needle in text.lower():
                            hits.append((table.name, column, needle))
    return hits
