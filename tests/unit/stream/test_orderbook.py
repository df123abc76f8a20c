"""The sans-I/O order book against a plain reference model, plus its edge cases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bybit_widgets.protocol.orderbook import (
    CrossedBook,
    MalformedBookMessage,
    NotSynced,
    OrderBook,
    SequenceGap,
)


def snap(bids, asks, u=10, **extra):
    return {
        "topic": "orderbook.50.X",
        "type": "snapshot",
        "ts": 1,
        "cts": 2,
        "data": {"s": "X", "b": bids, "a": asks, "u": u, "seq": u * 10},
        **extra,
    }


def delta(bids=(), asks=(), u=11):
    return {
        "topic": "orderbook.50.X",
        "type": "delta",
        "ts": 3,
        "cts": 4,
        "data": {"s": "X", "b": list(bids), "a": list(asks), "u": u, "seq": u * 10},
    }


def book_with(bids=(("100", "1"), ("99", "2")), asks=(("101", "1"), ("102", "3")), u=10):
    book = OrderBook()
    assert book.apply(snap([list(b) for b in bids], [list(a) for a in asks], u)) is True
    return book


# -- reference model ----------------------------------------------------------


class Model:
    """The obvious implementation: Decimal dicts, sorted on read, every rule spelled out."""

    def __init__(self):
        self.bids: dict[Decimal, Decimal] = {}
        self.asks: dict[Decimal, Decimal] = {}
        self.u = None
        self.synced = False

    def apply(self, msg):
        d = msg["data"]
        if msg["type"] == "snapshot":
            bids = {Decimal(p): Decimal(q) for p, q in d["b"] if Decimal(q) != 0}
            asks = {Decimal(p): Decimal(q) for p, q in d["a"] if Decimal(q) != 0}
            if bids and asks and max(bids) >= min(asks):
                self.synced = False
                return "crossed"
            self.bids, self.asks, self.u, self.synced = bids, asks, d["u"], True
            return "applied"
        if not self.synced:
            return "not_synced"
        if d["u"] <= self.u:
            return "ignored"
        if d["u"] != self.u + 1:
            self.synced = False
            return "gap"
        bids, asks = dict(self.bids), dict(self.asks)
        for side, rows in ((bids, d["b"]), (asks, d["a"])):
            for p, q in rows:
                if Decimal(q) == 0:
                    side.pop(Decimal(p), None)
                else:
                    side[Decimal(p)] = Decimal(q)
        if bids and asks and max(bids) >= min(asks):
            self.synced = False
            return "crossed"
        self.bids, self.asks, self.u = bids, asks, d["u"]
        return "applied"

    def levels(self):
        b = [(float(p), float(q)) for p, q in sorted(self.bids.items(), reverse=True)]
        a = [(float(p), float(q)) for p, q in sorted(self.asks.items())]
        return b, a


prices = st.integers(min_value=1, max_value=40).map(lambda t: f"{t * 0.5:.1f}")
sizes = st.one_of(st.just("0"), st.integers(min_value=1, max_value=9999).map(lambda n: f"{n / 1000:.3f}"))
rows = st.lists(st.tuples(prices, sizes).map(list), max_size=8)
# Bids mostly below 10, asks mostly above, so that most books are valid but crossing still happens.
low_rows = st.lists(st.tuples(st.integers(1, 22).map(lambda t: f"{t * 0.5:.1f}"), sizes).map(list), max_size=8)
high_rows = st.lists(st.tuples(st.integers(18, 40).map(lambda t: f"{t * 0.5:.1f}"), sizes).map(list), max_size=8)
step = st.sampled_from(["next"] * 8 + ["dup", "gap", "snapshot"])


@settings(max_examples=300, deadline=None)
@given(
    first_bids=low_rows,
    first_asks=high_rows,
    steps=st.lists(st.tuples(step, low_rows, high_rows, st.integers(0, 3)), max_size=40),
)
def test_matches_reference_model(first_bids, first_asks, steps):
    book, model = OrderBook(), Model()
    u = 100
    messages = [snap(first_bids, first_asks, u)]
    for kind, b, a, k in steps:
        if kind == "next":
            u += 1
            messages.append(delta(b, a, u))
        elif kind == "dup":
            messages.append(delta(b, a, u - k))
        elif kind == "gap":
            messages.append(delta(b, a, u + 2 + k))
        else:
            u = 1 + k if k < 2 else u + 5  # u=1 restarts as well as jumps
            messages.append(snap(b, a, u))
    for msg in messages:
        expected = model.apply(msg)
        outcome = _outcome(book, msg)
        assert outcome == expected, (msg, outcome, expected)
        assert book.synced == model.synced
        if book.synced:
            bids, asks = book.bids(), book.asks()
            assert (bids, asks) == model.levels()
            assert book.u == model.u
            assert [p for p, _ in bids] == sorted((p for p, _ in bids), reverse=True)
            assert [p for p, _ in asks] == sorted(p for p, _ in asks)
            if bids and asks:
                assert book.best_bid == bids[0][0] < book.best_ask == asks[0][0]
            assert len(book) == len(bids) + len(asks)
            assert book.bids(3) == bids[:3] and book.asks(3) == asks[:3]


def _outcome(book, msg):
    try:
        return "applied" if book.apply(msg) else "ignored"
    except SequenceGap:
        return "gap"
    except CrossedBook:
        return "crossed"
    except NotSynced:
        return "not_synced"


# -- rules, one by one ----------------------------------------------------------


def test_snapshot_sorts_and_reads_best_first():
    book = book_with(bids=(("99", "2"), ("100", "1")), asks=(("102", "3"), ("101", "1")))
    assert book.bids() == [(100.0, 1.0), (99.0, 2.0)]
    assert book.asks() == [(101.0, 1.0), (102.0, 3.0)]
    assert (book.best_bid, book.best_ask, book.u, book.seq, book.ts, book.cts) == (100.0, 101.0, 10, 100, 1, 2)
    assert book.wire_bids(1) == [["100", "1"]] and book.wire_asks() == [["101", "1"], ["102", "3"]]
    assert book.bids(0) == [] and book.asks(1) == [(101.0, 1.0)]


def test_delta_inserts_replaces_and_deletes():
    book = book_with()
    assert book.apply(delta(bids=[["99.5", "4"], ["100", "0"], ["99", "7"]], asks=[["102", "0"]], u=11))
    assert book.bids() == [(99.5, 4.0), (99.0, 7.0)]
    assert book.asks() == [(101.0, 1.0)]
    assert (book.u, book.ts, book.cts, book.version) == (11, 3, 4, 2)


def test_deleting_an_unknown_level_is_harmless():
    book = book_with()
    assert book.apply(delta(bids=[["50", "0"]], asks=[["150", "0.000"]], u=11))
    assert len(book) == 4


def test_duplicate_and_stale_deltas_are_ignored_without_change():
    book = book_with()
    book.apply(delta(bids=[["100", "5"]], u=11))
    before = (book.bids(), book.asks(), book.version)
    assert book.apply(delta(bids=[["100", "9"]], u=11)) is False
    assert book.apply(delta(bids=[["100", "9"]], u=3)) is False
    assert (book.bids(), book.asks(), book.version) == before and book.synced


def test_gap_raises_before_touching_the_book_and_waits_for_a_snapshot():
    book = book_with()
    with pytest.raises(SequenceGap) as info:
        book.apply(delta(bids=[["100", "9"]], u=13))
    assert (info.value.expected, info.value.got) == (11, 13)
    assert "expected u=11, got u=13" in str(info.value)
    assert book.bids()[0] == (100.0, 1.0) and not book.synced
    with pytest.raises(NotSynced):
        book.apply(delta(u=11))
    book.apply(snap([["90", "1"]], [["91", "1"]], u=500))
    assert book.synced and book.u == 500 and book.bids() == [(90.0, 1.0)]


def test_u_equal_one_snapshot_restarts_tracking():
    book = book_with(u=900)
    book.apply(snap([["10", "1"]], [["11", "1"]], u=1))
    assert book.u == 1
    assert book.apply(delta(bids=[["10", "2"]], u=2)) and book.bids() == [(10.0, 2.0)]


def test_crossed_delta_and_snapshot_are_refused():
    book = book_with()
    with pytest.raises(CrossedBook) as info:
        book.apply(delta(bids=[["101", "1"]], u=11))
    assert info.value.best_bid == 101.0 and info.value.best_ask == 101.0 and not book.synced
    book2 = book_with()
    with pytest.raises(CrossedBook):
        book2.apply(snap([["105", "1"]], [["101", "1"]], u=50))
    assert not book2.synced and book2.u == 10


def test_a_move_of_the_whole_book_is_not_mistaken_for_a_cross():
    # bids move up past the old best ask while the asks move away in the same message
    book = book_with()
    book.apply(delta(bids=[["101.5", "1"]], asks=[["101", "0"], ["102", "0"], ["103", "1"]], u=11))
    assert book.best_bid == 101.5 and book.best_ask == 103.0


def test_price_spelled_differently_is_the_same_level():
    book = book_with()
    book.apply(delta(bids=[["100.00", "6"]], u=11))
    assert book.bids() == [(100.0, 6.0), (99.0, 2.0)]
    book.apply(delta(bids=[["100.0", "0"]], u=12))
    assert book.bids() == [(99.0, 2.0)]


@pytest.mark.parametrize(
    "msg",
    [
        {"type": "delta"},
        {"data": {}},
        "not a dict",
        {"type": "partial", "data": {"u": 1}},
        delta(bids=[["abc", "1"]]),
        delta(bids=[["-5", "1"]]),
        delta(bids=[["nan", "1"]]),
        delta(bids=[["99.5", "-1"]]),
        delta(bids=[["99.5"]]),
        delta(bids=[5]),
        {"type": "delta", "data": {"b": []}},
        {"type": "delta", "data": {"u": "11", "b": []}},
    ],
)
def test_malformed_messages_raise_a_clear_error(msg):
    book = book_with()
    with pytest.raises(MalformedBookMessage):
        book.apply(msg)


@pytest.mark.parametrize(
    "data",
    [{"b": [], "a": []}, {"u": "x", "b": [], "a": []}, {"u": 1, "b": [["1", "x"]], "a": []}, {"u": 1, "b": 7, "a": []}],
)
def test_malformed_snapshots_raise(data):
    book = OrderBook()
    with pytest.raises(MalformedBookMessage):
        book.apply_snapshot(data)
    assert not book.synced


def test_bad_size_stored_by_a_replace_is_caught_when_read():
    book = book_with()
    book.apply(delta(bids=[["100", "lots"]], u=11))  # a replace stores the string unparsed (hot path)
    with pytest.raises(MalformedBookMessage, match="bad size"):
        book.bids()
    assert book.asks() == [(101.0, 1.0), (102.0, 3.0)]


def test_rest_snapshot_and_delta_helpers_and_reset():
    book = OrderBook("BTCUSDT")
    book.apply_snapshot({"s": "BTCUSDT", "b": [["1", "1"]], "a": [["2", "1"]], "u": 5, "seq": 9, "ts": 77, "cts": 76})
    assert (book.ts, book.cts, book.symbol) == (77, 76, "BTCUSDT")
    assert book.apply_delta({"b": [["1.5", "2"]], "a": [], "u": 6}, ts=80)
    assert book.best_bid == 1.5 and book.ts == 80
    book.reset()
    assert not book.synced and len(book) == 0 and book.best_bid is None and book.best_ask is None
    assert "synced=False" in repr(book)


def test_large_snapshot_then_deltas_stay_consistent():
    bids = [[f"{1000 - i * 0.5:.1f}", "1.000"] for i in range(200)]
    asks = [[f"{1000.5 + i * 0.5:.1f}", "2.000"] for i in range(200)]
    book = OrderBook()
    book.apply(snap(bids, asks, u=1))
    for u in range(2, 200):
        book.apply(delta(bids=[[bids[u % 200][0], "0" if u % 3 == 0 else "3"]], asks=[[asks[u % 200][0], "5"]], u=u))
    b, a = book.bids(), book.asks()
    assert [p for p, _ in b] == sorted((p for p, _ in b), reverse=True) and b[0][0] < a[0][0]
    assert len(a) == 200 and len(b) == 200 - len([u for u in range(2, 200) if u % 3 == 0])
