"""Helpers shared by the stream integration tests: condition waits and book checks."""

from __future__ import annotations

import asyncio
from typing import Any, Callable


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
