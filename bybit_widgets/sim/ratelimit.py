"""Bybit's request limits: per-UID per-endpoint (rolling 1 s) and per-IP (600 per 5 s).

A limit is a rolling window of request times. The per-UID limiter also
produces the three ``X-Bapi-Limit*`` header values Bybit puts on every signed
response, so a client can pace itself from them exactly as against Bybit.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ..protocol.limits import rate_limit_for

__all__ = ["LimitState", "UidLimiter", "IpLimiter"]

# Batch order entry (reference 3.1) has its own budget (protocol.endpoints), one unit per order,
# shared by HTTP and WS trade.


@dataclass(frozen=True)
class LimitState:
    """The outcome of one request against its budget, as the headers report it."""

    allowed: bool
    limit: int
    remaining: int
    reset_ms: int

    def headers(self) -> dict[str, str]:
        return {
            "X-Bapi-Limit": str(self.limit),
            "X-Bapi-Limit-Status": str(self.remaining),
            "X-Bapi-Limit-Reset-Timestamp": str(self.reset_ms),
        }


class _Window:
    """Times of accepted requests inside the last ``span_ms``."""

    __slots__ = ("times",)

    def __init__(self) -> None:
        self.times: deque[int] = deque()

    def expire(self, now_ms: int, span_ms: int) -> None:
        times = self.times
        edge = now_ms - span_ms
        while times and times[0] <= edge:
            times.popleft()


class UidLimiter:
    """Per API key, per endpoint path, per category: ``limit`` requests per rolling second.

    Endpoints Bybit lists no limit for are budgeted at ``default_limit``, so
    every signed response still carries the headers.
    """

    SPAN_MS = 1000

    def __init__(self, default_limit: int = 50) -> None:
        self.default_limit = default_limit
        self._windows: dict[tuple[str, str, str], _Window] = {}

    def limit_for(self, path: str, category: str | None) -> int:
        limit = rate_limit_for(path, category)
        return self.default_limit if limit is None else limit

    def hit(self, api_key: str, path: str, category: str | None, now_ms: int) -> LimitState:
        """Count one request if the budget allows (a batch calls this once per order)."""
        limit = self.limit_for(path, category)
        key = (api_key, path, category or "*")
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = _Window()
        window.expire(now_ms, self.SPAN_MS)
        used = len(window.times)
        if used >= limit:
            return LimitState(False, limit, 0, window.times[0] + self.SPAN_MS)
        window.times.append(now_ms)
        return LimitState(True, limit, limit - used - 1, now_ms)


class IpLimiter:
    """``limit`` HTTP requests per ``window_ms`` per client IP; every request counts, refused ones too.

    Counting refused requests reproduces Bybit's advice to stop *all* traffic
    after a 403: a client that keeps hammering stays locked out.
    """

    def __init__(self, limit: int = 600, window_ms: int = 5000, *, enforce: bool = True) -> None:
        self.limit = limit
        self.window_ms = window_ms
        self.enforce = enforce
        self._windows: dict[str, _Window] = {}

    def hit(self, ip: str, now_ms: int) -> bool:
        """Record one request from ``ip``; ``False`` when the IP is over its limit."""
        if not self.enforce:
            return True
        window = self._windows.get(ip)
        if window is None:
            window = self._windows[ip] = _Window()
        window.expire(now_ms, self.window_ms)
        window.times.append(now_ms)
        return len(window.times) <= self.limit
