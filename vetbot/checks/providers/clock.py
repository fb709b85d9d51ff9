"""Time as providers see it: a monotonic clock for deadlines, the wall clock for HTTP dates,
and ``sleep``. Injected so that a test of ``Retry-After: 7`` records a 7-second wait without
waiting seven seconds, and a breaker's cooldown passes by moving a number.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never jumps (deadlines, cooldowns)."""
        ...

    def wall(self) -> datetime:
        """The aware UTC time (``Retry-After`` HTTP dates, rate-limit reset epochs)."""
        ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


SYSTEM_CLOCK = SystemClock()
