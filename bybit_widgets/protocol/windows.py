"""Bybit's query window over an account's history (closed PnL, the transaction log): 7 days.

The rules, from Bybit's v5 docs of ``/v5/position/closed-pnl`` and ``/v5/account/transaction-log``:
neither ``startTime`` nor ``endTime`` gives the last 7 days; ``startTime`` alone gives
``[start, start + 7 d]``; ``endTime`` alone ``[end - 7 d, end]``; with both, ``end - start`` must
be at most 7 days. The exchange applies :func:`query_window`; the client splits a longer range
with :func:`weekly_windows` and stitches the answers.
"""

from __future__ import annotations

__all__ = ["WEEK_MS", "query_window", "weekly_windows"]

WEEK_MS = 7 * 86_400_000


def query_window(start: int | None, end: int | None, now: int) -> tuple[int, int]:
    """The ``[start, end]`` (ms, inclusive) Bybit serves; ``ValueError`` saying why it would refuse."""
    if start is None and end is None:
        return now - WEEK_MS, now
    if end is None:
        assert start is not None
        return start, start + WEEK_MS
    if start is None:
        return end - WEEK_MS, end
    if end < start:
        raise ValueError("endTime is before startTime")
    if end - start > WEEK_MS:
        raise ValueError("the time range between startTime and endTime cannot exceed 7 days")
    return start, end


def weekly_windows(start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end]`` cut into windows of at most 7 days that do not overlap, newest first."""
    windows = []
    while end >= start:
        low = max(start, end - WEEK_MS)
        windows.append((low, end))
        end = low - 1
    return windows
