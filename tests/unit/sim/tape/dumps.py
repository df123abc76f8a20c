"""Files in exactly Bybit's published history formats, generated (no network here).

Format facts relied on (design.md "Replay", and Bybit's public data pages public.bybit.com/trading
and the order-book download of bybit.com/derivatives/en/history-data):
- trade dump ``SYMBOLYYYY-MM-DD.csv.gz``: gzip CSV, header
  ``timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,foreignNotional``,
  ``timestamp`` in seconds with a fraction (four decimals), ``side`` the taker's;
- order-book dump ``YYYY-MM-DD_SYMBOL_ob500.data.zip``: one member ``YYYY-MM-DD_SYMBOL_ob500.data``,
  one v5 message per line ``{"topic":"orderbook.500.SYMBOL","type":"snapshot"|"delta","ts":ms,
  "data":{"s":SYMBOL,"b":[[price,size],...],"a":[...],"u":n,"seq":n},"cts":ms}``; a snapshot first,
  then deltas with ``u`` one after another; size ``"0"`` removes a level.
"""

from __future__ import annotations

import gzip
import json
import random
import uuid
import zipfile
from pathlib import Path

DAY = "2024-12-01"
T0 = 1_733_011_200_000  # 2024-12-01T00:00:00Z


def book_lines(symbol: str = "BTCUSDT", *, deltas: int = 200, levels: int = 40, seed: int = 1, every_ms: int = 100):
    """The lines of an ob500 dump: a snapshot of ``levels`` a side around 96000, then ``deltas`` deltas."""
    rng = random.Random(seed)
    bids = {round(96_000.0 - 0.1 * i, 1): round(rng.uniform(0.01, 3), 3) for i in range(1, levels + 1)}
    asks = {round(96_000.0 + 0.1 * i, 1): round(rng.uniform(0.01, 3), 3) for i in range(levels)}
    u = 1000
    t = T0 + 5
    yield _frame(symbol, "snapshot", t, _levels(bids, True), _levels(asks, False), u)
    for _ in range(deltas):
        u += 1
        t += rng.randint(1, every_ms)
        changes: dict[str, list] = {"b": [], "a": []}
        for book, key in ((bids, "b"), (asks, "a")):
            for _ in range(rng.randint(1, 3)):
                price = rng.choice(sorted(book))
                if rng.random() >= 0.6:  # a new level on BTCUSDT's 0.10 tick
                    price = round(price + rng.choice((-0.1, 0.1)) * rng.randint(1, 3), 1)
                if rng.random() < 0.2 and len(book) > 5 and price in book:
                    del book[price]
                    changes[key].append([f"{price:.2f}", "0"])
                elif not (key == "b" and price >= min(asks)) and not (key == "a" and price <= max(bids)):
                    book[price] = round(rng.uniform(0.01, 3), 3)
                    changes[key].append([f"{price:.2f}", f"{book[price]:.3f}"])
        yield _frame(symbol, "delta", t, changes["b"], changes["a"], u)


def _levels(book: dict[float, float], bids: bool) -> list[list[str]]:
    return [[f"{p:.2f}", f"{q:.3f}"] for p, q in sorted(book.items(), reverse=bids)]


def _frame(symbol: str, kind: str, t: int, b: list, a: list, u: int) -> str:
    message = {
        "topic": f"orderbook.500.{symbol}",
        "type": kind,
        "ts": t,
        "data": {"s": symbol, "b": b, "a": a, "u": u, "seq": 50_000_000 + u},
        "cts": t - 2,
    }
    return json.dumps(message, separators=(",", ":"))


def write_book(folder: Path, symbol: str = "BTCUSDT", lines=None, **kw) -> Path:
    name = f"{DAY}_{symbol}_ob500.data"
    path = folder / f"{name}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w") as member:
            for line in lines if lines is not None else book_lines(symbol, **kw):
                member.write((line + "\n").encode())
    return path


def trade_rows(symbol: str = "BTCUSDT", *, count: int = 100, seed: int = 2, every_ms: int = 150):
    rng = random.Random(seed)
    t, price = T0 + 10, 96_000.0
    rows = []
    for _ in range(count):
        t += rng.randint(0, every_ms)
        price = round(price + rng.choice((-0.1, 0, 0.1)), 1)
        size = round(rng.uniform(0.001, 0.5), 3)
        side = rng.choice(("Buy", "Sell"))
        seconds = f"{t // 1000}.{t % 1000:03d}{rng.randint(0, 9)}"  # four decimals, as Bybit writes them
        rows.append(
            [
                seconds,
                symbol,
                side,
                f"{size:.3f}",
                f"{price:.1f}",
                "ZeroPlusTick",
                str(uuid.UUID(int=rng.getrandbits(128))),
                str(int(size * price * 1e8)),
                f"{size:.3f}",
                f"{size * price:.4f}",
            ]
        )
    return rows


def write_trades(folder: Path, symbol: str = "BTCUSDT", rows=None, *, newest_first: bool = False, **kw) -> Path:
    rows = rows if rows is not None else trade_rows(symbol, **kw)
    path = folder / f"{symbol}{DAY}.csv.gz"
    with gzip.open(path, "wt", newline="") as out:
        out.write("timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,foreignNotional\n")
        for row in reversed(rows) if newest_first else rows:
            out.write(",".join(row) + "\n")
    return path
