"""A proactive per-endpoint rate limiter fed by Bybit's ``X-Bapi-Limit*`` headers.

Bybit counts requests per UID and endpoint in a rolling second and answers
retCode 10006 past the budget. Waiting *before* sending is cheaper than being
refused, so each bucket keeps the send times of its last requests and, when
the budget is spent, says how long to wait. Headers refine the picture: the
limit actually granted (VIP levels differ), and a reset time when the
remaining budget hits zero. The limiter only computes delays; the sync and
async faces sleep in their own way, so the event loop is never blocked.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["RateLimiter"]

WINDOW_MS = 1000.0
_NO_BUDGET = 1 << 30  # a bucket made by a block or a status header alone: only the block holds until a limit is told


@dataclass
class _Bucket:
    limit: int
    sends: deque = field(default_factory=deque)  # local ms of reserved send slots, ascending
    blocked_until: float = 0.0  # local ms


class RateLimiter:
    def __init__(self, max_wait_ms: float = 10_000.0) -> None:
        self.max_wait_ms = max_wait_ms
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def reserve(self, key: str, default_limit: int | None, now_ms: float) -> float:
        """Reserve a send slot; return how many ms to wait before sending (0 = now).

        ``default_limit`` is the budget until a header says otherwise; with none, the endpoint is
        unlimited until a header (or a 10006) has set a budget or a block for it, which then holds.
        """
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if default_limit is None:
                    return 0.0
                bucket = self._buckets[key] = _Bucket(default_limit)
            sends = bucket.sends
            while sends and sends[0] <= now_ms - WINDOW_MS:
                sends.popleft()
            at = max(now_ms, bucket.blocked_until)
            if len(sends) >= bucket.limit:
                # the slot frees when the request `limit` places back leaves the window
                at = max(at, sends[len(sends) - bucket.limit] + WINDOW_MS)
            sends.append(at)
            if len(sends) > 1 and sends[-2] > at:  # keep ascending order
                sends = deque(sorted(sends))
                bucket.sends = sends
            return min(at - now_ms, self.max_wait_ms)

    def observe(self, key: str, headers: Mapping[str, str], now_ms: float, server_offset_ms: float = 0.0) -> None:
        """Learn from a response's ``X-Bapi-Limit``, ``-Status`` and ``-Reset-Timestamp`` headers."""
        limit = _int(headers.get("x-bapi-limit"))
        status = _int(headers.get("x-bapi-limit-status"))
        reset = _int(headers.get("x-bapi-limit-reset-timestamp"))
        if limit is None and status is None:
            return
        with self._lock:
            bucket = self._buckets.setdefault(key, _Bucket(limit or _NO_BUDGET))
            if limit:
                bucket.limit = limit
            if status == 0 and reset is not None:
                bucket.blocked_until = max(bucket.blocked_until, reset - server_offset_ms)

    def block_until(self, key: str, local_ms: float) -> None:
        """After a 10006: nothing more on this endpoint until ``local_ms``."""
        with self._lock:
            bucket = self._buckets.setdefault(key, _Bucket(_NO_BUDGET))
            bucket.blocked_until = max(bucket.blocked_until, local_ms)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
