"""What the engine tells the outside world about each check it ran (metrics, tracing).

A protocol rather than a metrics import: the engine stays free of observability code, and a
test can pass a list-appending stub.
"""

from __future__ import annotations

from typing import Protocol


class CheckObserver(Protocol):
    def on_check(self, check_id: str, status: str, seconds: float) -> None:
        """Called once per check that ran (``ok``, ``error`` or ``timeout``; not ``skipped``).

        Must be fast and must not raise; the engine swallows and logs an observer's failure
        anyway, because metrics must never fail a vetting.
        """
