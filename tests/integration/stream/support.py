"""Helpers shared by the stream integration tests: fast knobs, a guarded run, condition waits and book checks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bybit_widgets.stream import Backoff

# stream knobs that make recoveries take milliseconds, not the seconds Bybit's defaults allow
FAST = dict(
    ping_interval=0.2,
    pong_timeout=0.4,
    watchdog=1.0,
    backoff=Backoff(initial=0.01, maximum=0.1),
    subscribe_timeout=1.0,
    open_timeout=5.0,
    auth_timeout=5.0,
    linger=0.1,
    seed=11,
)


async def wait_for(predicate: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> None:
    """Wait until ``predicate()`` is true, with a deadline (polling; the loop keeps running)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.005)


class BookChecker:
    """A feed callback that checks every book a consumer can observe: sorted, never crossed."""

    def __init__(self) -> None:
        self.seen = 0
        self.violations: list[str] = []

    def __call__(self, feed: Any) -> None:
        view = feed.latest
        if view is None:
            return
        self.seen += 1
        bids = [p for p, _ in view.bids]
        asks = [p for p, _ in view.asks]
        if bids != sorted(bids, reverse=True) or asks != sorted(asks):
            self.violations.append(f"unsorted book at u={view.u}")
        if bids and asks and bids[0] >= asks[0]:
            self.violations.append(f"crossed book at u={view.u}: {bids[0]} >= {asks[0]}")
        if any(size <= 0 for _, size in view.bids + view.asks):
            self.violations.append(f"non-positive size at u={view.u}")


def run(coro, timeout: float = 60):
    async def guarded():
        try:
            return await asyncio.wait_for(coro, timeout)
        finally:
            leftover = [
                t
                for t in asyncio.all_tasks()
                if t is not asyncio.current_task() and t.get_name().startswith("bybit-stream")
            ]
            assert not leftover, leftover

    return asyncio.run(guarded())


async def off_loop(fn, *args, **kwargs):
    """Call the simulator's blocking control methods without blocking our loop."""
    return await asyncio.get_running_loop().run_in_executor(None, lambda: fn(*args, **kwargs))
