"""Knobs of the simulated exchange's server (not of its market: that is the engine's)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SimConfig"]


@dataclass(frozen=True)
class SimConfig:
    """Server behaviour. Defaults are Bybit's; tests shrink limits and timeouts to hit them cheaply.

    ``ip_limit``/``ip_window_ms``: HTTP requests per IP per window before 403
    (Bybit: 600 per 5 s). ``idle_timeout_s``: a WebSocket with neither client
    messages nor data for this long is closed (Bybit: about 10 min, checked
    about every 30 s; private/trade sockets may lower it with
    ``?max_active_time=``). ``max_catchup_ticks``: how many missed 10 ms market
    ticks one loop turn may replay after a stall before it skips ahead.
    ``max_queue``: frames a slow client may fall behind before it is dropped.
    ``rate_limits``: False turns off the IP limit and the per-UID budgets
    (the ``X-Bapi-Limit*`` headers are still reported), for benchmarks.
    """

    seed: int = 1
    ip_limit: int = 600
    ip_window_ms: int = 5000
    idle_timeout_s: float = 600.0
    idle_check_s: float = 30.0
    max_catchup_ticks: int = 20
    max_queue: int = 20_000
    rate_limits: bool = True

    def __post_init__(self) -> None:
        if self.ip_limit < 1 or self.ip_window_ms < 1:
            raise ValueError("ip_limit and ip_window_ms must be positive")
        if self.idle_timeout_s <= 0 or self.idle_check_s <= 0:
            raise ValueError("idle_timeout_s and idle_check_s must be positive")
        if self.max_catchup_ticks < 1 or self.max_queue < 1:
            raise ValueError("max_catchup_ticks and max_queue must be positive")
