"""Bybit's query windows over an account's history: closed PnL and the transaction log.

The rules, from Bybit's v5 docs (``/v5/position/closed-pnl`` and ``/v5/account/transaction-log``,
https://bybit-exchange.github.io/docs/v5/position/close-pnl and .../v5/account/transaction-log):

- closed PnL: neither ``startTime`` nor ``endTime`` gives the last 7 days; ``startTime`` alone gives
  ``[start, start + 7 d]``; ``endTime`` alone ``[end - 7 d, end]``;
- the transaction log (unified account): the same with 24 hours in place of 7 days;
- both endpoints: with both bounds, ``end - start`` must be at most 7 days.

So one request from a ``startTime`` older than that span never reaches now. The exchange serves
what :meth:`HistoryWindow.serves` says; the client asks for a longer range, or for everything since
an old start, with the windows :meth:`HistoryWindow.requests` gives and stitches the answers.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DAY_MS", "WEEK_MS", "HISTORY_WINDOWS", "HistoryWindow", "weekly_windows"]

DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS
SLACK_MS = 60_000  # the newest window reaches this far past the client's "now": clock error and time in flight


@dataclass(frozen=True)
class HistoryWindow:
    """One endpoint's rule: what one bound alone (or none) serves, and the longest range asked at once."""

    default_ms: int
    max_ms: int = WEEK_MS

    def serves(self, start: int | None, end: int | None, now: int) -> tuple[int, int]:
        """The ``[start, end]`` (ms, inclusive) Bybit serves; ``ValueError`` saying why it would refuse."""
        if start is None and end is None:
            return now - self.default_ms, now
        if end is None:
            assert start is not None
            return start, start + self.default_ms
        if start is None:
            return end - self.default_ms, end
        if end < start:
            raise ValueError("endTime is before startTime")
        if end - start > self.max_ms:
            raise ValueError(f"the time range between startTime and endTime cannot exceed {self.max_ms // DAY_MS} days")
        return start, end

    def requests(self, start: int, end: int | None, now: int) -> list[tuple[int, int | None]] | None:
        """The windows that together cover ``[start, end]`` (``end`` None: up to now), newest first, or
        None when the one request as asked already covers it.

        Decision: ``start`` with no ``end`` means "everything since ``start``", not Bybit's literal
        ``[start, start + span]``, which from an older start silently stops short of now. The newest
        window is then sent with ``startTime`` alone, ``SLACK_MS`` short of the span, so it reaches
        past now (rows booked while the request travels are in it); the older ones have both bounds
        and at most ``max_ms`` each, and no two windows overlap.
        """
        if end is not None:
            return None if end - start <= self.max_ms else weekly_windows(start, end, self.max_ms)
        newest = now + SLACK_MS - self.default_ms
        if start >= newest:
            return None
        return [(newest, None), *weekly_windows(start, newest - 1, self.max_ms)]


def weekly_windows(start: int, end: int, span: int = WEEK_MS) -> list[tuple[int, int | None]]:
    """``[start, end]`` cut into windows of at most ``span`` that do not overlap, newest first."""
    windows: list[tuple[int, int | None]] = []
    while end >= start:
        low = max(start, end - span)
        windows.append((low, end))
        end = low - 1
    return windows


HISTORY_WINDOWS: dict[str, HistoryWindow] = {
    "/v5/position/closed-pnl": HistoryWindow(WEEK_MS),
    "/v5/account/transaction-log": HistoryWindow(DAY_MS),
}
