"""Book levels for display: price grouping, feed depth choice, and the packed wire form.

Pure functions, so the ladder's numbers are tested without a browser. The
packed form is one little float64 array the view reads with a
``Float64Array`` (an order book of 25 levels a side is 816 bytes, against
about 2 KB as JSON, and needs no parsing):

``[u, ts, n_bids, n_asks, bid prices..., bid sizes..., ask prices..., ask sizes...]``
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence

from ..protocol.topics import ORDERBOOK_DEPTHS

__all__ = ["feed_depth_for", "group_levels", "group_price", "pack_book", "unpack_book"]

Level = tuple[float, float]


def group_price(price: float, step: float, side: str) -> float:
    """The bucket a price falls in: bids round down, asks up, so a bucket never crosses the spread."""
    ratio = price / step
    nearest = round(ratio)
    if abs(ratio - nearest) < 1e-9 * max(1.0, abs(ratio)):  # already on the grid (float noise aside)
        index = nearest
    else:
        index = math.floor(ratio) if side == "bid" else math.ceil(ratio)
    decimals = max(0, -math.floor(math.log10(step)) + 2) if step < 1 else 0
    return round(index * step, decimals)


def group_levels(levels: Iterable[Level], step: float, side: str, limit: int) -> list[Level]:
    """Merge best-first ``levels`` into buckets of ``step``; at most ``limit`` buckets, best first."""
    if side not in ("bid", "ask"):
        raise ValueError(f"side must be 'bid' or 'ask', got {side!r}")
    if not step > 0:
        raise ValueError(f"step must be positive, got {step!r}")
    out: list[list[float]] = []
    for price, size in levels:
        bucket = group_price(price, step, side)
        if out and out[-1][0] == bucket:
            out[-1][1] += size
        else:
            if len(out) == limit:
                break
            out.append([bucket, size])
    return [(p, s) for p, s in out]


def feed_depth_for(rows: int, grouping: int, category: str = "linear") -> int:
    """The smallest book depth Bybit offers that fills ``rows`` buckets of ``grouping`` ticks."""
    depths = sorted(d for d in ORDERBOOK_DEPTHS.get(category, ORDERBOOK_DEPTHS["linear"]) if d > 1)
    need = rows * max(1, grouping)
    for depth in depths:
        if depth >= need:
            return depth
    return depths[-1]


def pack_book(bids: Sequence[Level], asks: Sequence[Level], u: int | None, ts: int | None) -> bytes:
    """The view's wire form of one ladder (see the module docstring)."""
    values = array("d", (float(u or 0), float(ts or 0), float(len(bids)), float(len(asks))))
    values.extend(p for p, _ in bids)
    values.extend(s for _, s in bids)
    values.extend(p for p, _ in asks)
    values.extend(s for _, s in asks)
    return values.tobytes()


def unpack_book(data: bytes) -> tuple[list[Level], list[Level], int, int]:
    """Inverse of :func:`pack_book` (for tests and tools)."""
    values = array("d")
    values.frombytes(data)
    u, ts, nb, na = (int(v) for v in values[:4])
    at = 4
    bid_prices, bid_sizes = values[at : at + nb], values[at + nb : at + 2 * nb]
    at += 2 * nb
    ask_prices, ask_sizes = values[at : at + na], values[at + na : at + 2 * na]
    return list(zip(bid_prices, bid_sizes)), list(zip(ask_prices, ask_sizes)), u, ts
