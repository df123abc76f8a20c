"""The server-time offset that keeps signatures inside Bybit's recv window.

A local clock that is a few seconds off makes every signed call fail with
retCode 10002. The client measures ``server - local`` from
``/v5/market/time``, compensating half the round trip, and signs with
``local + offset``. The same corrected clock feeds private WebSocket auth.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["ServerClock"]


def _wall_ms() -> float:
    return time.time() * 1000.0


@dataclass
class ServerClock:
    local_ms: Callable[[], float] = _wall_ms
    offset_ms: float = 0.0  # server - local
    rtt_ms: float | None = None
    synced: bool = False
    syncs: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def now_ms(self) -> int:
        """Bybit's time as best known: the local clock plus the measured offset."""
        return int(self.local_ms() + self.offset_ms)

    def update(self, sent_local_ms: float, received_local_ms: float, server_ms: float) -> None:
        """Record one ``/v5/market/time`` sample taken between the two local times."""
        rtt = max(0.0, received_local_ms - sent_local_ms)
        with self._lock:
            self.offset_ms = server_ms - (sent_local_ms + rtt / 2.0)
            self.rtt_ms = rtt
            self.synced = True
            self.syncs += 1

    def invalidate(self) -> None:
        """Force a fresh measurement before the next signed call (e.g. after 10002)."""
        with self._lock:
            self.synced = False
