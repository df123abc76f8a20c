"""Fuzzing WebSocket frame decoding: mutated real frames and noise never crash a connection.

Three layers, from the inside out:

- ``protocol.OrderBook.apply``: a bad message raises an ``OrderBookError`` (or
  is ignored), the book is never left sorted wrong or crossed while it says it
  is synced, and the next real snapshot always brings it back;
- the feed state of every topic kind (the reducers behind ``feed.latest``):
  ``apply`` raises only its two documented signals and ``latest`` -- what
  widgets read at 25 Hz -- never raises;
- the connection's frame handling, over a real socket on 127.0.0.1: whatever
  arrives is counted, surfaced on the feeds, and the connection keeps going
  (no reconnect, the book comes back equal to the server's).
"""

from __future__ import annotations

import asyncio
import logging

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bybit_widgets.protocol.codec import DecodeError, decode
from bybit_widgets.protocol.orderbook import MalformedBookMessage, OrderBook, OrderBookError
from bybit_widgets.stream import Backoff, StreamManager
from bybit_widgets.stream.state import APPLIED, DROPPED, IGNORED, BadMessage, NeedsResync, reducer_for
from tests.integration.stream.fake_ws import FakeBybit
from tests.integration.stream.support import BookChecker, wait_for

from .corpus import PRIVATE_TOPICS, PUBLIC_TOPICS, mutated_frames
from .tally import tally

BOOK = PUBLIC_TOPICS[0]
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _assert_sane(book: OrderBook) -> None:
    """A synced book is sorted and uncrossed (sizes are checked when read; see ``_read``)."""
    if not book.synced:
        return
    bids = [float(p) for p, _ in book.wire_bids()]
    asks = [float(p) for p, _ in book.wire_asks()]
    assert bids == sorted(bids, reverse=True) and len(set(bids)) == len(bids)
    assert asks == sorted(asks) and len(set(asks)) == len(asks)
    assert not (bids and asks and bids[0] >= asks[0]), (bids[:1], asks[:1])


def _read(book: OrderBook) -> None:
    """Reading levels either gives positive finite sizes or says the book needs a resync."""
    try:
        levels = book.bids() + book.asks()
    except MalformedBookMessage:
        return
    assert all(0 < size < float("inf") for _, size in levels)


@settings(max_examples=800, **SETTINGS)
@given(data=st.data())
def test_order_book_apply_rejects_bad_messages_and_a_snapshot_always_recovers(corpus, data):
    count = tally("protocol.OrderBook.apply", "real book streams with mutated deltas, noise")
    stream = corpus.of(BOOK)  # a snapshot, then deltas in order
    start = data.draw(st.integers(1, len(stream) - 1))
    book = OrderBook()
    for raw in stream[:start]:
        book.apply(decode(raw))
    # the stream goes on from there, each frame mutated or not: mutations hit deltas the book expects next
    for raw in stream[start : start + data.draw(st.integers(1, 6))]:
        if data.draw(st.booleans()):
            raw = data.draw(mutated_frames([raw]))
        try:
            message = decode(raw)
        except DecodeError:
            count("rejected")
            continue
        try:
            book.apply(message)
        except OrderBookError:
            count("rejected")
        else:
            count("accepted")
        _assert_sane(book)
        _read(book)
    # the stream goes on: the next real snapshot always resyncs the book to exactly its content
    snapshot = decode(corpus.snapshot(BOOK))
    assert book.apply(snapshot) is True and book.synced
    assert book.wire_bids() == snapshot["data"]["b"] and book.wire_asks() == snapshot["data"]["a"]


@settings(max_examples=1200, **SETTINGS)
@given(data=st.data())
def test_feed_state_of_every_topic_survives_mutated_frames(corpus, data):
    count = tally("feed state (8 topic kinds)", "mutated real frames of each topic")
    topic = data.draw(st.sampled_from(PUBLIC_TOPICS + PRIVATE_TOPICS))
    kind = topic.split(".")[0]
    reducer = reducer_for(kind, symbol="BTCUSDT")
    first = corpus.by_topic[topic][0]
    reducer.apply(decode(first))
    for raw in data.draw(st.lists(mutated_frames(corpus.by_topic[topic]), min_size=1, max_size=5)):
        try:
            message = decode(raw)
        except DecodeError:
            count("rejected")
            continue
        if type(message) is not dict:  # the connection skips these before any reducer (see below)
            count("rejected")
            continue
        try:
            outcome = reducer.apply(message)
        except (NeedsResync, BadMessage):
            count("rejected")
        else:
            assert outcome in (APPLIED, IGNORED, DROPPED)
            count("accepted" if outcome == APPLIED else "rejected")
        reducer.latest()  # what a widget reads on every frame: must never raise
    # and it keeps going: a real frame of the topic still applies
    if kind == "orderbook":
        reducer.apply(decode(corpus.snapshot(BOOK)))
        assert reducer.latest() is not None and not reducer.awaiting_snapshot
    else:
        assert reducer.apply(decode(corpus.by_topic[topic][-1])) in (APPLIED, IGNORED)


class _Errors(logging.Handler):
    """Records the stream package's ERROR records: its safety nets catching an internal failure."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.getMessage()} {record.exc_info[1]!r}" if record.exc_info else record.getMessage())


FAST = dict(
    ping_interval=0.3,
    pong_timeout=0.5,
    watchdog=None,
    backoff=Backoff(initial=0.01, maximum=0.05),
    subscribe_timeout=2.0,
    linger=0.05,
    seed=5,
)


@settings(max_examples=15, **SETTINGS)
@given(data=st.data())
def test_junk_over_a_real_socket_is_counted_and_the_connection_keeps_going(corpus, data):
    count = tally("stream connection (real socket)", "mutated real frames and noise, broadcast by a server")
    topics = [BOOK, PUBLIC_TOPICS[1], PUBLIC_TOPICS[2], PUBLIC_TOPICS[3]]
    junk = data.draw(st.lists(mutated_frames(corpus.of(*topics)), min_size=5, max_size=40))
    errors = _Errors()
    log = logging.getLogger("bybit_widgets.stream")
    log.addHandler(errors)

    async def main() -> int:
        async with FakeBybit() as srv, StreamManager(base_ws_url=srv.url, **FAST) as streams:
            feeds = [streams.subscribe(t) for t in topics]
            checker = BookChecker()
            feeds[0].on(checker)
            await asyncio.gather(*(f.ready(5) for f in feeds[:2]))
            before = dict(streams.stats["public/linear"])
            for raw in junk:
                await srv.broadcast(raw)
            await wait_for(
                lambda: streams.stats["public/linear"]["frames"] >= before["frames"] + len(junk), 5, "every frame read"
            )
            read = streams.stats["public/linear"]
            # refused by the connection itself: bad frames, unknown topics, stray replies (the rest reached
            # a feed, whose state machine decides: the tests above count those outcomes one by one)
            refused = sum(read[k] - before[k] for k in ("bad_frames", "unrouted", "error_replies"))
            book, ticker = feeds[0], feeds[1]
            await wait_for(lambda: book.state == "live", 5, "the book live after any resync the junk caused")
            # the stream goes on: a snapshot and a ticker sent after the junk are applied as they are
            sentinel = {"s": "BTCUSDT", "b": [["50.0", "1"]], "a": [["51.0", "2"]], "u": 10**12, "seq": 1}
            await srv.broadcast({"topic": BOOK, "type": "snapshot", "ts": 1, "data": sentinel})
            await srv.broadcast(
                {"topic": topics[1], "type": "snapshot", "ts": 1, "data": {"symbol": "BTCUSDT", "lastPrice": "123.5"}}
            )
            await wait_for(
                lambda: (
                    book.latest is not None
                    and book.latest.u == 10**12
                    and ticker.latest is not None
                    and str(ticker.latest.last_price) == "123.5"
                ),
                5,
                "the frames after the junk",
            )
            assert (book.latest.bids, book.latest.asks) == ([(50.0, 1.0)], [(51.0, 2.0)])
            stats = streams.stats["public/linear"]
            assert stats["reconnects"] == 0 and srv.handshakes == 1, stats
            assert not checker.violations
            assert all(f.state == "live" for f in feeds), [(f.topic, f.state, f.state_reason) for f in feeds]
            return refused

    try:
        refused = asyncio.run(asyncio.wait_for(main(), 30))
    finally:
        log.removeHandler(errors)
    assert errors.records == [], errors.records  # no safety net had to catch an internal error
    count("rejected", refused)
    count("accepted", len(junk) - refused)


@settings(max_examples=1500, **SETTINGS)
@given(data=st.data())
def test_frame_handling_never_raises_and_no_safety_net_fires(corpus, data):
    """The connection's frame entry point, without a socket: data frames of every topic and control replies."""
    from bybit_widgets.protocol.topics import parse_topic
    from bybit_widgets.stream.connection import Connection, StreamOptions
    from bybit_widgets.stream.feed import Subscription

    count = tally("stream connection (frame handler)", "mutated data frames and control replies")
    conn = Connection(name="public/linear", url="ws://127.0.0.1:9", category="linear", options=StreamOptions())

    class Owner:
        def resync(self, sub, reason):
            conn.resync(sub, reason)

        def release(self, sub):
            pass

        def forget(self, sub):
            pass

    for name in PUBLIC_TOPICS + PRIVATE_TOPICS:
        topic = parse_topic(name, None if name in PRIVATE_TOPICS else "linear")
        reducer = reducer_for(topic.kind, symbol="BTCUSDT")
        conn.subs[name] = Subscription(topic, topic.category, reducer, Owner(), None)  # type: ignore[arg-type]
    for name in PUBLIC_TOPICS + PRIVATE_TOPICS:
        conn._on_frame(corpus.by_topic[name][0])
    errors = _Errors()
    log = logging.getLogger("bybit_widgets.stream")
    log.addHandler(errors)
    try:
        either = mutated_frames(corpus.data) | mutated_frames(corpus.control)  # replies: half of the inputs
        frames = data.draw(st.lists(either, min_size=1, max_size=6))
        for raw in frames:
            before = (
                conn.stats.bad_frames,
                conn.stats.unrouted,
                conn.stats.error_replies,
                sum(s.errors + s.resyncs + s.duplicates + s.dropped for s in conn.subs.values()),
            )
            conn._on_frame(raw)
            after = (
                conn.stats.bad_frames,
                conn.stats.unrouted,
                conn.stats.error_replies,
                sum(s.errors + s.resyncs + s.duplicates + s.dropped for s in conn.subs.values()),
            )
            count("rejected" if after != before else "accepted")
            for sub in conn.subs.values():
                sub.reducer.latest()
    finally:
        log.removeHandler(errors)
    assert errors.records == [], errors.records
    assert conn.stats.frames == len(frames) + len(PUBLIC_TOPICS + PRIVATE_TOPICS)


def test_the_corpus_is_real(corpus):
    """The mutations start from what the exchange sends: every topic, snapshots and deltas, control replies."""
    assert set(corpus.by_topic) >= set(PUBLIC_TOPICS + PRIVATE_TOPICS)
    book = [orjson.loads(f)["type"] for f in corpus.by_topic[BOOK]]
    assert book[0] == "snapshot" and "delta" in book
    ops = {orjson.loads(f).get("op") for f in corpus.control}
    assert {"subscribe", "auth"} <= ops and ops & {"ping", "pong"}
