"""Persistence: sqlmodel tables, migrations and repositories. SQLite by default, PostgreSQL by URL.

May import ``vetbot.models``, ``vetbot.normalize`` and ``vetbot.checks`` contracts (to implement
the checks' read-only ``StoreView``); never ``handlers`` or ``bot``.
"""
