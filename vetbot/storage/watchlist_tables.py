"""Watchlist tables: admin-imported sanctions and indicator lists, kept with their provenance.

One ``watchlist`` row per imported list (name, format, source, when, by whom); one
``watchlist_entry`` row per name or identifier. Exact kinds are stored normalised (the same
functions fold the candidate's values at vetting time), so a hit is one indexed equality on
``(kind, value)``; entries of one listed person or company share ``entity_id``, which is how a
fuzzy name hit finds its corroborating date of birth, contact or address.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Index
from sqlmodel import Field, SQLModel

from vetbot.storage.tables import utcnow


class Watchlist(SQLModel, table=True):
    """An imported list; re-import replaces it (and all its entries) in one transaction."""

    __tablename__ = "watchlist"
    name: str = Field(primary_key=True, max_length=100)
    format: str = Field(max_length=20)
    source: str = Field(max_length=500)
    imported_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    imported_by: str = Field(default="cli", max_length=200)
    entries: int = 0


class WatchlistEntry(SQLModel, table=True):
    """One name or identifier of a listed entity (person, company, wallet holder)."""

    __tablename__ = "watchlist_entry"
    __table_args__ = (
        Index("ix_watchlist_entry_kind_value", "kind", "value"),
        Index("ix_watchlist_entry_list_entity", "list_name", "entity_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    list_name: str = Field(foreign_key="watchlist.name", max_length=100)
    entity_id: str = Field(max_length=100)
    kind: str = Field(max_length=20)  # name|email|phone|domain|github|wallet|address|employer|dob
    value: str = Field(max_length=500)
    display: str = Field(max_length=500)
    programme: str | None = Field(default=None, max_length=300)
    note: str | None = Field(default=None, max_length=1000)
