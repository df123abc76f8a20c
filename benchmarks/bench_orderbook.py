"""Order-book handling side by side: decode + apply + sequence check of one orderbook.200 stream.

Run: ``.venv/bin/python benchmarks/bench_orderbook.py [--messages 5000] [--rounds 5]``
(needs the benchmark extras: ``pip install -e .[bench]`` -> pybit 5.17, ccxt, order-book).
Writes ``benchmarks/results/orderbook.md``.

The stream: a seeded market (tick 0.1, ~1000 levels a side, sizes growing
away from the touch, adds / cancels / trades every 10 ms, a drifting mid)
pushed as Bybit's orderbook.200 every 100 ms: a snapshot, then deltas that
carry exactly the levels of the top 200 that changed since the last push
(size "0" for levels that left), in Bybit's key order. Every implementation
gets the same bytes, frame by frame.

Contenders (each from raw frame bytes to an updated book):

- ours: ``orjson`` decode + ``bybit_widgets.protocol.OrderBook.apply``
  (sorted sides, ``u`` continuity check, crossed-book guard).
- ours, whole feed path: what a live feed does per frame (the connection's
  frame handler: size check, decode, routing by topic, the feed's lock, the
  book, counters, one consumer callback), without a socket.
- pybit 5.17 full: pybit's own message path, called without a socket:
  ``_V5WebSocketManager._on_message`` -> ``json.loads`` ->
  ``_process_normal_message`` -> ``_process_delta_orderbook`` (unsorted
  lists, linear scans) + its ``copy.deepcopy`` for the callback. pybit
  checks no sequence.
- pybit 5.17 apply-only: orjson decode + ``_process_delta_orderbook`` alone
  (no deepcopy, no callback): pybit's algorithm with its overhead removed.
- ccxt: ``ccxt.pro.bybit().handle_order_book`` (its real handler, with a
  stand-in client object) on orjson-decoded messages; ccxt's Python
  ``OrderBookSide`` with bisect. ccxt checks no sequence either.
- order-book (C): the ``order-book`` PyPI library's ``OrderBook`` (a C sorted
  dict; GPL-3, benchmark-only), fed with orjson-decoded messages, float
  keys, deletes for size 0, plus the same ``u`` continuity check as ours.

Throughput is timed over whole passes of the stream, the contenders
interleaved round by round (best of ``--rounds`` each); per-message
latency p50/p99 from a separate pass timing each frame with perf_counter_ns.
At the end every contender's book is compared with ours (top 200 a side).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from bybit_widgets.protocol.orderbook import OrderBook

TOPIC = "orderbook.200.BTCUSDT"
TICK = 0.1
DEPTH = 200


# -- the stream -------------------------------------------------------------------------------


def _fmt_price(ticks: int) -> str:
    return f"{ticks * TICK:.1f}"


def _fmt_size(lots: int) -> str:
    return f"{lots / 1000:.3f}"


def generate_stream(messages: int, seed: int = 42) -> list[bytes]:
    """A snapshot and ``messages`` deltas of orderbook.200 as Bybit sends them."""
    rng = random.Random(seed)
    mid = 880_000  # ticks: 88,000.0
    bids: dict[int, int] = {}
    asks: dict[int, int] = {}

    def level_size(distance: int) -> int:
        return max(1, int(rng.lognormvariate(0, 0.8) * (5 + distance * 2)))

    for d in range(1, 1001):
        bids[mid - d] = level_size(d)
        asks[mid + d] = level_size(d)

    def top(side: dict[int, int], reverse: bool) -> dict[int, int]:
        keys = sorted(side, reverse=reverse)[:DEPTH]
        return {k: side[k] for k in keys}

    def step() -> None:
        nonlocal mid
        best_bid, best_ask = max(bids), min(asks)
        for _ in range(rng.randint(2, 12)):
            r = rng.random()
            is_bid = rng.random() < 0.5
            side = bids if is_bid else asks
            distance = int(rng.expovariate(1 / 25))
            price = (best_bid - distance) if is_bid else (best_ask + distance)
            if r < 0.45:  # add
                side[price] = side.get(price, 0) + level_size(distance)
            elif r < 0.85:  # cancel part or all
                if price in side:
                    left = side[price] - rng.randint(1, side[price])
                    if left > 0:
                        side[price] = left
                    else:
                        del side[price]
            else:  # a trade takes from the touch, sometimes sweeping a level
                book = asks if is_bid else bids
                best = min(book) if is_bid else max(book)
                take = rng.randint(1, book[best] + book[best] // 2)
                while take > 0 and book:
                    best = min(book) if is_bid else max(book)
                    used = min(take, book[best])
                    take -= used
                    book[best] -= used
                    if book[best] == 0:
                        del book[best]
        # improve into an empty spread now and then; keep the far book deep
        best_bid, best_ask = max(bids), min(asks)
        if best_ask - best_bid > 1 and rng.random() < 0.5:
            if rng.random() < 0.5:
                bids[best_bid + 1] = level_size(0)
            else:
                asks[best_ask - 1] = level_size(0)
        while len(bids) < 1000:
            bids[min(bids) - 1] = level_size(1000)
        while len(asks) < 1000:
            asks[max(asks) + 1] = level_size(1000)
        mid = (max(bids) + min(asks)) // 2

    u, seq, ts = 3_000_000, 90_000_000_000, 1_764_000_000_000
    last_b, last_a = top(bids, True), top(asks, False)
    frames = [
        orjson.dumps(
            {
                "topic": TOPIC,
                "type": "snapshot",
                "ts": ts,
                "data": {
                    "s": "BTCUSDT",
                    "b": [[_fmt_price(p), _fmt_size(q)] for p, q in last_b.items()],
                    "a": [[_fmt_price(p), _fmt_size(q)] for p, q in last_a.items()],
                    "u": u,
                    "seq": seq,
                },
                "cts": ts - 2,
            }
        )
    ]
    while len(frames) <= messages:
        for _ in range(10):  # 10 ticks of 10 ms per 100 ms push
            step()
        ts += 100
        cur_b, cur_a = top(bids, True), top(asks, False)
        db = _diff(last_b, cur_b, reverse=True)
        da = _diff(last_a, cur_a, reverse=False)
        if not db and not da:
            continue
        u += 1
        seq += rng.randint(1, 40)
        frames.append(
            orjson.dumps(
                {
                    "topic": TOPIC,
                    "type": "delta",
                    "ts": ts,
                    "data": {"s": "BTCUSDT", "b": db, "a": da, "u": u, "seq": seq},
                    "cts": ts - 2,
                }
            )
        )
        last_b, last_a = cur_b, cur_a
    return frames


def _diff(old: dict[int, int], new: dict[int, int], reverse: bool) -> list[list[str]]:
    rows = []
    for p in sorted(set(old) | set(new), reverse=reverse):
        q = new.get(p)
        if q is None:
            rows.append([_fmt_price(p), "0"])
        elif old.get(p) != q:
            rows.append([_fmt_price(p), _fmt_size(q)])
    return rows


# -- contenders: each returns (process(frame) -> None, result() -> (bids, asks)) ----------------------


def ours() -> tuple[Callable[[bytes], None], Callable[[], tuple[list, list]]]:
    book = OrderBook()
    apply, loads = book.apply, orjson.loads

    def process(frame: bytes) -> None:
        apply(loads(frame))

    return process, lambda: (book.bids(), book.asks())


def ours_feed_path() -> tuple[Callable[[bytes], None], Callable[[], tuple[list, list]]]:
    """The production path of a live feed: the connection's frame handler, routing, the feed's lock,
    the book, the version bump and one (empty) consumer callback; no socket."""
    from bybit_widgets.protocol.topics import parse_topic
    from bybit_widgets.stream.connection import Connection, StreamOptions
    from bybit_widgets.stream.feed import Feed, Subscription
    from bybit_widgets.stream.loop import LoopHost
    from bybit_widgets.stream.state import BookReducer

    conn = Connection(name="public/linear", url="ws://unused", category="linear", options=StreamOptions())
    sub = Subscription(parse_topic(TOPIC), "linear", BookReducer("BTCUSDT"), conn, LoopHost())
    feed = Feed(sub)
    sub.add_feed(feed)
    feed.on(lambda f: None)
    conn.subs[TOPIC] = sub

    def result() -> tuple[list, list]:
        view = feed.latest
        return view.bids, view.asks

    return conn._on_frame, result


def pybit_full() -> tuple[Callable[[bytes], None], Callable[[], tuple[list, list]]]:
    from pybit._websocket_stream import _V5WebSocketManager

    manager = _V5WebSocketManager("bench", testnet=True)
    manager._set_callback(TOPIC, lambda message: None)

    def result() -> tuple[list, list]:
        data = manager.data[TOPIC]
        return _sorted_levels(data["b"], True), _sorted_levels(data["a"], False)

    return manager._on_message, result


def pybit_apply_only() -> tuple[Callable[[bytes], None], Callable[[], tuple[list, list]]]:
    from pybit._websocket_stream import _V5WebSocketManager

    manager = _V5WebSocketManager("bench", testnet=True)
    apply, loads = manager._process_delta_orderbook, orjson.loads

    def process(frame: bytes) -> None:
        apply(loads(frame), TOPIC)

    def result() -> tuple[list, list]:
        data = manager.data[TOPIC]
        return _sorted_levels(data["b"], True), _sorted_levels(data["a"], False)

    return process, result


def ccxt_pro() -> tuple[Callable[[bytes], None], Callable[[], tuple[list, list]]]:
    import ccxt.pro as ccxtpro

    exchange = ccxtpro.bybit()

    class Client:  # what handle_order_book touches on ccxt's websocket client
        url = "wss://stream.bybit.com/v5/public/linear"

        def resolve(self, result: object, message_hash: str) -> None:
            pass

    client, handle, loads = Client(), exchange.handle_order_book, orjson.loads

    def process(frame: bytes) -> None:
        handle(client, loads(frame))

    def result() -> tuple[list, list]:
        book = exchange.orderbooks["BTCUSDT"]
        out = [[(float(p), float(q)) for p, q in book[side]] for side in ("bids", "asks")]
        asyncio.run(exchange.close())
        return out[0], out[1]

    return process, result


def c_order_book() -> tuple[Callable[[bytes], None], Callable[[], tuple[list, list]]]:
    from order_book import OrderBook as COrderBook

    state = {"book": COrderBook(), "u": None}
    loads = orjson.loads

    def process(frame: bytes) -> None:
        msg = loads(frame)
        data = msg["data"]
        u = data["u"]
        if msg["type"] == "snapshot":
            book = state["book"] = COrderBook()
            bids, asks = book.bids, book.asks
            for p, q in data["b"]:
                bids[float(p)] = float(q)
            for p, q in data["a"]:
                asks[float(p)] = float(q)
        else:
            if u != state["u"] + 1:
                raise RuntimeError(f"gap: {state['u']} -> {u}")
            book = state["book"]
            for side, rows in ((book.bids, data["b"]), (book.asks, data["a"])):
                for p, q in rows:
                    size = float(q)
                    if size == 0.0:
                        if float(p) in side:
                            del side[float(p)]
                    else:
                        side[float(p)] = size
        state["u"] = u

    def result() -> tuple[list, list]:
        book = state["book"]
        return list(book.bids.to_dict().items()), list(book.asks.to_dict().items())

    return process, result


CONTENDERS: dict[str, Callable[[], tuple[Callable[[bytes], None], Callable[[], tuple[list, list]]]]] = {
    "ours (bybit_widgets)": ours,
    "ours, whole feed path": ours_feed_path,
    "pybit 5.17 (full path)": pybit_full,
    "pybit 5.17 (apply only)": pybit_apply_only,
    "ccxt pro": ccxt_pro,
    "order-book (C)": c_order_book,
}


def _sorted_levels(rows: list, reverse: bool) -> list[tuple[float, float]]:
    return sorted(((float(p), float(q)) for p, q in rows), reverse=reverse)


# -- measuring ---------------------------------------------------------------------------------


def one_pass(make, frames: list[bytes]) -> float:
    """Messages per second of one fresh contender over the whole stream."""
    process, _ = make()
    gc.collect()
    gc.disable()
    start = time.perf_counter()
    for frame in frames:
        process(frame)
    elapsed = time.perf_counter() - start
    gc.enable()
    return len(frames) / elapsed


def latencies(make, frames: list[bytes]) -> tuple[float, float, tuple[list, list]]:
    process, result = make()
    clock = time.perf_counter_ns
    samples = []
    gc.collect()
    gc.disable()
    for frame in frames:
        t0 = clock()
        process(frame)
        samples.append(clock() - t0)
    gc.enable()
    samples = samples[1:]  # the snapshot is not a per-message figure
    q = statistics.quantiles(samples, n=100)
    return q[49] / 1000.0, q[98] / 1000.0, result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5000, help="deltas in the stream (default 5000)")
    parser.add_argument("--rounds", type=int, default=5, help="throughput rounds, best counts (default 5)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "orderbook.md")
    args = parser.parse_args()

    frames = generate_stream(args.messages, args.seed)
    rows_per_delta = statistics.mean(
        len(orjson.loads(f)["data"]["b"]) + len(orjson.loads(f)["data"]["a"]) for f in frames[1:]
    )
    bytes_per_delta = statistics.mean(len(f) for f in frames[1:])
    print(
        f"stream: 1 snapshot + {len(frames) - 1} deltas of {TOPIC}; {rows_per_delta:.1f} levels and "
        f"{bytes_per_delta:.0f} bytes per delta on average"
    )

    available = {}
    for name, make in CONTENDERS.items():
        try:
            make()
        except ImportError as exc:
            print(f"{name}: skipped ({exc}); install the bench extras")
        else:
            available[name] = make
    # Rounds interleave the contenders so that noise from the rest of the machine hits all alike.
    best = {name: 0.0 for name in available}
    for _ in range(args.rounds):
        for name, make in available.items():
            best[name] = max(best[name], one_pass(make, frames))

    results = {}
    reference = None
    for name, make in available.items():
        rate = best[name]
        p50, p99, book = latencies(make, frames)
        bids, asks = book
        if reference is None:
            reference = (bids, asks)
            same = "reference"
        else:
            same = "yes" if (bids[:DEPTH], asks[:DEPTH]) == (reference[0][:DEPTH], reference[1][:DEPTH]) else "NO"
        results[name] = (rate, p50, p99, same)
        print(f"{name:26s} {rate:12,.0f} msg/s   p50 {p50:8.2f} us   p99 {p99:8.2f} us   same book: {same}")

    ours_rate = results["ours (bybit_widgets)"][0]
    lines = [
        "# Order-book handling: decode + apply + sequence check (orderbook.200)",
        "",
        f"Run `benchmarks/bench_orderbook.py --messages {args.messages} --rounds {args.rounds} --seed {args.seed}` "
        f"on {platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
        f"{time.strftime('%Y-%m-%d')}.",
        "",
        f"Stream: 1 snapshot + {len(frames) - 1} deltas, {rows_per_delta:.1f} levels and {bytes_per_delta:.0f} bytes "
        "per delta on average (see the script's docstring for the generator and each contender's exact path).",
        "",
        "| implementation | messages/s | ours is N x faster | p50 latency (us) | p99 latency (us) "
        "| same top-200 book |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, (rate, p50, p99, same) in results.items():
        lines.append(f"| {name} | {rate:,.0f} | {ours_rate / rate:.2f} | {p50:.2f} | {p99:.2f} | {same} |")
    lines += [
        "",
        "Throughput: best of the interleaved rounds, whole stream, gc disabled while timing. "
        "Latency: one pass timing each delta alone (the snapshot excluded).",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines))
    print(f"wrote {args.out}")
    if any(same == "NO" for *_, same in results.values()):
        sys.exit("a contender ended with a different book")


if __name__ == "__main__":
    main()
